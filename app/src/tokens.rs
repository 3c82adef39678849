//! Access tokens: JWTs signed with HS256 (the algorithm is pinned: a token naming any other,
//! `none` included, is refused), carrying issuer, audience, subject, expiry and the session id.
//! Expiry is checked against the service clock; revocation against the session in the database.

use crate::settings::Secret;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "nhsmail-dental";
/// Tokens for helpdesk administrators.
pub const HELPDESK_AUDIENCE: &str = "nhsmail-dental/helpdesk";
/// Tokens for NHSmail account holders.
pub const ACCOUNT_AUDIENCE: &str = "nhsmail-dental/account";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The administrator's or account's id.
    pub sub: String,
    /// The session id: revoking the session revokes the token.
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
    /// What the token allows, for account holders: `full`, `activation` or `password_change`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(<keys redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the access token is not valid: {0}")]
pub struct InvalidToken(String);

impl Tokens {
    pub fn new(secret: &Secret<Vec<u8>>) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret.expose()),
            decoding: DecodingKey::from_secret(secret.expose()),
        }
    }

    pub fn issue(
        &self,
        audience: &str,
        subject: &str,
        session_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<String, InvalidToken> {
        self.issue_scoped(audience, subject, session_id, None, now, expires_at)
    }

    pub fn issue_scoped(
        &self,
        audience: &str,
        subject: &str,
        session_id: &str,
        scope: Option<&str>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<String, InvalidToken> {
        let claims = Claims {
            iss: ISSUER.to_owned(),
            aud: audience.to_owned(),
            sub: subject.to_owned(),
            jti: session_id.to_owned(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            scope: scope.map(str::to_owned),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| InvalidToken(e.to_string()))
    }

    /// Checks signature, algorithm, issuer, audience and expiry.
    pub fn verify(&self, token: &str, audience: &str, now: DateTime<Utc>) -> Result<Claims, InvalidToken> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Expiry is checked below against the service clock, not the machine's.
        validation.validate_exp = false;
        let claims =
            decode::<Claims>(token, &self.decoding, &validation).map_err(|e| InvalidToken(e.to_string()))?.claims;
        if claims.exp <= now.timestamp() {
            return Err(InvalidToken("expired".to_owned()));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use chrono::Duration;

    fn tokens(secret: &str) -> Tokens {
        Tokens::new(&Secret::new(secret.as_bytes().to_vec()))
    }

    #[test]
    fn a_token_verifies_for_its_audience_until_it_expires() {
        let t = tokens("a secret of thirty-two bytes or more!");
        let now = Utc::now();
        let token = t.issue(HELPDESK_AUDIENCE, "admin-1", "session-1", now, now + Duration::minutes(30)).unwrap();
        let claims = t.verify(&token, HELPDESK_AUDIENCE, now).unwrap();
        assert_eq!((claims.sub.as_str(), claims.jti.as_str()), ("admin-1", "session-1"));
        assert!(t.verify(&token, ACCOUNT_AUDIENCE, now).is_err(), "wrong audience");
        assert!(t.verify(&token, HELPDESK_AUDIENCE, now + Duration::minutes(31)).is_err(), "expired");
        assert!(
            tokens("another secret of thirty-two bytes!!").verify(&token, HELPDESK_AUDIENCE, now).is_err(),
            "wrong key"
        );
    }

    #[test]
    fn unsigned_and_other_algorithm_tokens_are_refused() {
        let t = tokens("a secret of thirty-two bytes or more!");
        let now = Utc::now();
        let token = t.issue(HELPDESK_AUDIENCE, "admin-1", "session-1", now, now + Duration::minutes(30)).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(t.verify(&format!("{none_header}.{payload}."), HELPDESK_AUDIENCE, now).is_err());
        let hs512 = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS512","typ":"JWT"}"#);
        let signature = token.split('.').nth(2).unwrap();
        assert!(t.verify(&format!("{hs512}.{payload}.{signature}"), HELPDESK_AUDIENCE, now).is_err());
    }
}

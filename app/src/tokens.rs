//! Access tokens: JWTs signed with HS256 (the algorithm is pinned: a token naming any other,
//! `none` included, is refused), carrying issuer, audience, subject, expiry and the session id.
//! Expiry is checked against the service clock; revocation against the session in the database.
//!
//! Each token names its signing key in the header's `kid`: a digest of the key, never the key.
//! The current key signs; keys retired by a rotation verify the tokens they signed until the
//! configured end of the overlap, so rotating the key signs nobody out. A token without `kid`
//! (signed before key ids existed) is checked against the current key.

use crate::settings::{Secret, SigningKeys};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

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

/// One key: its id and both halves.
#[derive(Clone)]
struct Key {
    id: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Key {
    fn new(secret: &Secret<Vec<u8>>) -> Self {
        Self {
            id: key_id(secret),
            encoding: EncodingKey::from_secret(secret.expose()),
            decoding: DecodingKey::from_secret(secret.expose()),
        }
    }
}

/// A key's public name: the first 8 bytes of an HMAC of a fixed label under the key, in hex.
/// Telling keys apart needs no more, and it reveals nothing about the key.
pub fn key_id(secret: &Secret<Vec<u8>>) -> String {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose()) else {
        unreachable!("HMAC takes keys of any length")
    };
    mac.update(b"nhsmail-dental/jwt-key-id");
    mac.finalize().into_bytes().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[derive(Clone)]
pub struct Tokens {
    current: Key,
    previous: Vec<Key>,
    previous_until: Option<DateTime<Utc>>,
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
    pub fn new(keys: &SigningKeys) -> Self {
        Self {
            current: Key::new(&keys.current),
            previous: keys.previous.iter().map(Key::new).collect(),
            previous_until: keys.previous_until,
        }
    }

    /// The key that verifies a token naming `kid` at `now`, if any still does.
    fn verifying_key(&self, kid: Option<&str>, now: DateTime<Utc>) -> Result<&Key, InvalidToken> {
        match kid {
            None => Ok(&self.current),
            Some(kid) if kid == self.current.id => Ok(&self.current),
            Some(kid) => match self.previous.iter().find(|key| key.id == kid) {
                Some(key) if self.previous_until.is_some_and(|until| now < until) => Ok(key),
                Some(_) => Err(InvalidToken("signed with a retired key".to_owned())),
                None => Err(InvalidToken("signed with an unknown key".to_owned())),
            },
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
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.current.id.clone());
        encode(&header, &claims, &self.current.encoding).map_err(|e| InvalidToken(e.to_string()))
    }

    /// Checks signature, algorithm, issuer, audience and expiry.
    pub fn verify(&self, token: &str, audience: &str, now: DateTime<Utc>) -> Result<Claims, InvalidToken> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Expiry is checked below against the service clock, not the machine's.
        validation.validate_exp = false;
        let header = decode_header(token).map_err(|e| InvalidToken(e.to_string()))?;
        let key = self.verifying_key(header.kid.as_deref(), now)?;
        let claims =
            decode::<Claims>(token, &key.decoding, &validation).map_err(|e| InvalidToken(e.to_string()))?.claims;
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

    fn secret(text: &str) -> Secret<Vec<u8>> {
        Secret::new(text.as_bytes().to_vec())
    }

    fn tokens(text: &str) -> Tokens {
        Tokens::new(&SigningKeys::single(secret(text)))
    }

    #[test]
    fn a_rotation_accepts_the_previous_key_until_the_overlap_ends() {
        let old = "the old secret of thirty-two bytes or more";
        let new = "the new secret of thirty-two bytes or more";
        let now = Utc::now();
        let before = tokens(old);
        let signed_before =
            before.issue(ACCOUNT_AUDIENCE, "account-1", "s-1", now, now + Duration::minutes(30)).unwrap();
        let after = Tokens::new(&SigningKeys {
            current: secret(new),
            previous: vec![secret(old)],
            previous_until: Some(now + Duration::minutes(10)),
        });
        let header = decode_header(&signed_before).unwrap();
        assert_eq!(header.kid.as_deref(), Some(key_id(&secret(old)).as_str()));
        assert_eq!(after.verify(&signed_before, ACCOUNT_AUDIENCE, now).unwrap().sub, "account-1");
        let error = after.verify(&signed_before, ACCOUNT_AUDIENCE, now + Duration::minutes(10)).unwrap_err();
        assert!(error.to_string().contains("retired key"), "{error}");
        let signed_after = after.issue(ACCOUNT_AUDIENCE, "account-1", "s-1", now, now + Duration::minutes(30)).unwrap();
        assert_eq!(decode_header(&signed_after).unwrap().kid, Some(key_id(&secret(new))));
        assert!(after.verify(&signed_after, ACCOUNT_AUDIENCE, now + Duration::minutes(20)).is_ok());
        assert!(before.verify(&signed_after, ACCOUNT_AUDIENCE, now).is_err(), "the old key never knew the new one");
        assert_ne!(key_id(&secret(old)), key_id(&secret(new)));
        assert!(!key_id(&secret(new)).contains("secret"));
    }

    #[test]
    fn a_token_without_a_key_id_is_checked_against_the_current_key() {
        let t = tokens("a secret of thirty-two bytes or more!");
        let now = Utc::now();
        let claims = Claims {
            iss: ISSUER.to_owned(),
            aud: ACCOUNT_AUDIENCE.to_owned(),
            sub: "a".to_owned(),
            jti: "s".to_owned(),
            iat: now.timestamp(),
            exp: (now + Duration::minutes(5)).timestamp(),
            scope: None,
        };
        let key = EncodingKey::from_secret(b"a secret of thirty-two bytes or more!");
        let token = encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap();
        assert_eq!(t.verify(&token, ACCOUNT_AUDIENCE, now).unwrap(), claims);
        let forged = encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(b"other")).unwrap();
        assert!(t.verify(&forged, ACCOUNT_AUDIENCE, now).is_err());
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

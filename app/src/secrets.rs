//! Secrets at rest: keyed hashes and randomness.
//!
//! Application tokens, passcodes, contact ids and client addresses are stored only as
//! HMAC-SHA256 digests under keys derived from `SECRET_KEY`, one key per purpose, so a digest of
//! one kind can never stand in for another and a copy of the database is useless without the
//! key. Random values come from the operating system's CSPRNG.

use crate::Error;
use crate::settings::Secret;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::identifiers::{CqcContactId, CqcLocationId};
use domain::passcode::{ENTROPY_BYTES, Passcode};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Prefix that makes application tokens recognisable (e.g. by secret scanners).
pub const APPLICATION_TOKEN_PREFIX: &str = "dat_";

/// Per-purpose keys derived from the configured secret.
#[derive(Clone)]
pub struct Hasher {
    application_token: [u8; 32],
    passcode: [u8; 32],
    contact_id: [u8; 32],
    client: [u8; 32],
    refresh_token: [u8; 32],
    reset_code: [u8; 32],
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher(<keys redacted>)")
    }
}

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Hasher {
    pub fn new(secret: &Secret<Vec<u8>>) -> Self {
        let derive = |purpose: &str| mac(secret.expose(), &[b"nhsmail-dental/v1", purpose.as_bytes()]);
        Self {
            application_token: derive("application-token"),
            passcode: derive("passcode"),
            contact_id: derive("cqc-contact-id"),
            client: derive("client-address"),
            refresh_token: derive("refresh-token"),
            reset_code: derive("reset-code"),
        }
    }

    pub fn application_token(&self, token: &str) -> String {
        hex(&mac(&self.application_token, &[token.as_bytes()]))
    }

    /// A passcode is bound to its practice: the same code for another practice hashes differently.
    pub fn passcode(&self, location: &CqcLocationId, passcode: &Passcode) -> String {
        hex(&mac(&self.passcode, &[location.as_str().as_bytes(), passcode.expose_secret().as_bytes()]))
    }

    pub fn contact_id(&self, contact_id: &CqcContactId) -> String {
        hex(&mac(&self.contact_id, &[contact_id.expose_secret().as_bytes()]))
    }

    pub fn refresh_token(&self, token: &str) -> String {
        hex(&mac(&self.refresh_token, &[token.as_bytes()]))
    }

    /// A reset code is bound to its reset: the same digits for another reset hash differently.
    pub fn reset_code(&self, reset_id: &str, code: &domain::account::ResetCode) -> String {
        hex(&mac(&self.reset_code, &[reset_id.as_bytes(), code.expose_secret().as_bytes()]))
    }

    /// A stable pseudo-random choice in `0..n` for a value (the same value always gives the same).
    pub fn choose(&self, value: &str, n: usize) -> usize {
        let digest = mac(&self.client, &[b"choose", value.as_bytes()]);
        usize::from(digest[0]) % n.max(1)
    }

    /// A pseudonym for a client address, for per-client limits without storing addresses there.
    pub fn client(&self, address: &str) -> String {
        hex(&mac(&self.client, &[address.as_bytes()]))
    }

    /// The keyed hash a deleted account's username is retired under (R-A2, R-L4): enough to
    /// never issue it again, nothing to read a name from.
    pub fn retired_username(&self, username: &str) -> String {
        self.subject("retired_username", &username.to_lowercase())
    }

    /// A pseudonym for what a limit counts (a username, say), of fixed length whatever was
    /// typed, so attempt records hold neither personal data nor unbounded text.
    pub fn subject(&self, kind: &str, value: &str) -> String {
        hex(&mac(&self.client, &[b"subject", kind.as_bytes(), b"\0", value.as_bytes()]))
    }
}

/// Compares two digests in time independent of where they differ.
pub fn digests_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn random<const N: usize>() -> Result<[u8; N], Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("CSPRNG unavailable: {e}")))?;
    Ok(bytes)
}

/// A new application token: 256 random bits.
pub fn new_application_token() -> Result<String, Error> {
    Ok(format!("{APPLICATION_TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(random::<32>()?)))
}

/// A new temporary password (R-A3).
pub fn new_temporary_password() -> Result<domain::password::TemporaryPassword, Error> {
    Ok(domain::password::TemporaryPassword::from_entropy(random::<{ domain::password::TEMPORARY_ENTROPY_BYTES }>()?))
}

/// A new refresh token for a session: `drt_<session id>.<256 random bits>`.
pub fn new_refresh_token(session_id: &str) -> Result<String, Error> {
    Ok(format!("drt_{session_id}.{}", URL_SAFE_NO_PAD.encode(random::<32>()?)))
}

/// A new password reset code (R-L7).
pub fn new_reset_code() -> Result<domain::account::ResetCode, Error> {
    Ok(domain::account::ResetCode::from_entropy(random::<{ domain::account::ResetCode::ENTROPY_BYTES }>()?))
}

/// A new one-time passcode: 40 random bits (R-O2).
pub fn new_passcode() -> Result<Passcode, Error> {
    Ok(Passcode::from_entropy(random::<ENTROPY_BYTES>()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher(secret: &str) -> Hasher {
        Hasher::new(&Secret::new(secret.as_bytes().to_vec()))
    }

    #[test]
    fn digests_depend_on_key_purpose_and_practice() {
        let a = hasher("one secret key of sufficient length!!");
        let b = hasher("another secret key of sufficient len!");
        let code = Passcode::parse("7KQ4M2XD").unwrap();
        let here = CqcLocationId::parse("1-1002733005").unwrap();
        let there = CqcLocationId::parse("1-1000000001").unwrap();
        assert_ne!(a.passcode(&here, &code), b.passcode(&here, &code));
        assert_ne!(a.passcode(&here, &code), a.passcode(&there, &code));
        assert_ne!(a.application_token("x"), a.client("x"));
        assert_eq!(a.application_token("x"), a.application_token("x"));
        assert_eq!(a.application_token("x").len(), 64);
    }

    #[test]
    fn tokens_and_passcodes_are_fresh_each_time() {
        let (t1, t2) = (new_application_token().unwrap(), new_application_token().unwrap());
        assert_ne!(t1, t2);
        assert!(t1.starts_with(APPLICATION_TOKEN_PREFIX) && t1.len() == 4 + 43);
        assert_ne!(new_passcode().unwrap(), new_passcode().unwrap());
    }

    #[test]
    fn digest_comparison() {
        assert!(digests_equal("abc", "abc"));
        assert!(!digests_equal("abc", "abd"));
        assert!(!digests_equal("abc", "abcd"));
    }
}

//! Password hashing with argon2id (R-L2), off the request workers and with bounded concurrency:
//! each hash takes ARGON2_MEMORY_KIB of memory and real CPU time, so at most
//! PASSWORD_HASHING_CONCURRENCY run at once and the rest wait their turn. A burst of sign-ins
//! can neither starve other requests nor exhaust memory.

use crate::config::Argon2Settings;
use crate::problem::ApiError;
use actix_web::web;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Passwords {
    params: Params,
    permits: Arc<Semaphore>,
    /// A hash of a random value, verified against when a username is unknown, so that an
    /// unknown user costs as much time as a wrong password.
    dummy: Arc<String>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords").field("params", &self.params).finish_non_exhaustive()
    }
}

impl Passwords {
    pub fn new(settings: Argon2Settings, concurrency: usize) -> anyhow::Result<Self> {
        let params = Params::new(settings.memory_kib, settings.iterations, settings.parallelism, None)
            .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))?;
        let mut passwords =
            Self { params, permits: Arc::new(Semaphore::new(concurrency.max(1))), dummy: Arc::new(String::new()) };
        let random = crate::security::new_application_token().map_err(|e| anyhow::anyhow!("{e}"))?;
        passwords.dummy = Arc::new(passwords.hash_blocking(&random).map_err(|e| anyhow::anyhow!("{e}"))?);
        Ok(passwords)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hashes on the calling thread: for the command line and for blocking work already off the
    /// async workers.
    pub fn hash_blocking(&self, password: &str) -> Result<String, ApiError> {
        self.argon2().hash_password(password.as_bytes()).map(|hash| hash.to_string()).map_err(ApiError::internal)
    }

    /// Checks on the calling thread. A malformed stored hash never matches.
    pub fn verify_blocking(&self, password: &str, hash: &str) -> bool {
        PasswordHash::new(hash).is_ok_and(|parsed| self.argon2().verify_password(password.as_bytes(), &parsed).is_ok())
    }

    /// Hashes on the blocking pool, waiting for a free slot first.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        let this = self.clone();
        web::block(move || this.hash_blocking(&password)).await?
    }

    /// Checks against `hash`, or against a dummy hash when there is none (unknown user), so both
    /// take the same time. Returns false for the dummy.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, ApiError> {
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        let this = self.clone();
        web::block(move || match hash {
            Some(hash) => this.verify_blocking(&password, &hash),
            None => {
                let _ = this.verify_blocking(&password, &this.dummy);
                false
            }
        })
        .await
        .map_err(ApiError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_l2_hashes_are_argon2id_with_the_configured_floor_and_verify() {
        let passwords = Passwords::new(Argon2Settings::MINIMUM, 1).unwrap();
        let hash = passwords.hash_blocking("plinth marmalade oboe").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(passwords.verify_blocking("plinth marmalade oboe", &hash));
        assert!(!passwords.verify_blocking("plinth marmalade obo", &hash));
        assert!(!passwords.verify_blocking("x", "not a hash"));
        let long = "a really long passphrase ".repeat(10);
        let hash = passwords.hash_blocking(&long).unwrap();
        assert!(!passwords.verify_blocking(&long[..64], &hash), "no truncation at 64 characters");
        assert!(passwords.verify_blocking(&long, &hash));
    }
}

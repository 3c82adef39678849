//! The settings a production deployment adds: the token keys retired by a rotation, and the
//! metrics listener. Checked with the rest by [`super::check`].

use super::MetricsConfig;
use super::args::{Mode, Settings};
use super::check::{DEVELOPMENT_JWT_SECRET, MIN_SECRET_KEY_BYTES};
use app::settings::Secret;
use chrono::{DateTime, Utc};
use std::net::SocketAddr;

/// Minimum length of `METRICS_TOKEN`, in bytes.
const MIN_METRICS_TOKEN_BYTES: usize = 16;

impl Settings {
    /// The token keys retired by a rotation and when they stop verifying: both or neither, each
    /// key as strong as a current one in production.
    pub(super) fn previous_jwt_keys(
        &self,
        problems: &mut Vec<String>,
    ) -> (Vec<Secret<Vec<u8>>>, Option<DateTime<Utc>>) {
        let keys: Vec<&str> = self
            .jwt_previous_secrets
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|key| !key.is_empty())
            .collect();
        let until = match self.jwt_previous_secrets_until.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(text) => match DateTime::parse_from_rfc3339(text) {
                Ok(time) => Some(time.with_timezone(&Utc)),
                Err(_) => {
                    problems.push(format!(
                        "JWT_PREVIOUS_SECRETS_UNTIL `{text}` is not an RFC 3339 time, e.g. 2026-12-01T09:00:00Z"
                    ));
                    return (Vec::new(), None);
                }
            },
        };
        if !keys.is_empty() && until.is_none() {
            problems.push(
                "JWT_PREVIOUS_SECRETS needs JWT_PREVIOUS_SECRETS_UNTIL: when the old keys stop being accepted"
                    .to_owned(),
            );
        }
        if keys.is_empty() && until.is_some() {
            problems.push("JWT_PREVIOUS_SECRETS_UNTIL is set but JWT_PREVIOUS_SECRETS names no key".to_owned());
        }
        if self.environment == Mode::Production
            && keys.iter().any(|key| *key == DEVELOPMENT_JWT_SECRET || key.len() < MIN_SECRET_KEY_BYTES)
        {
            problems.push(format!(
                "JWT_PREVIOUS_SECRETS must each be a real secret of at least {MIN_SECRET_KEY_BYTES} bytes in production"
            ));
        }
        if self.jwt_secret.as_deref().is_some_and(|current| keys.contains(&current)) {
            problems.push("JWT_PREVIOUS_SECRETS must not repeat JWT_SECRET".to_owned());
        }
        (keys.into_iter().map(|key| Secret::new(key.as_bytes().to_vec())).collect(), until)
    }

    /// The metrics listener, if asked for: an address of its own, and a token in production.
    pub(super) fn metrics(&self, problems: &mut Vec<String>) -> Option<MetricsConfig> {
        let address = self.metrics_bind_address.as_deref().map(str::trim).filter(|a| !a.is_empty())?;
        let Ok(bind_address) = address.parse::<SocketAddr>() else {
            problems.push(format!("METRICS_BIND_ADDRESS `{address}` is not HOST:PORT, e.g. 0.0.0.0:9090"));
            return None;
        };
        let token = self.metrics_token.as_deref().filter(|t| !t.is_empty());
        match token {
            Some(token) if token.len() < MIN_METRICS_TOKEN_BYTES => {
                problems.push(format!("METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_BYTES} bytes"));
            }
            None if self.environment == Mode::Production => {
                problems.push("METRICS_TOKEN is required in production when METRICS_BIND_ADDRESS is set".to_owned());
            }
            _ => {}
        }
        Some(MetricsConfig { bind_address, token: token.map(|t| Secret::new(t.to_owned())) })
    }
}

//! Configuration: every setting comes from an environment variable (or the matching flag), with
//! safe development defaults. `nhsmail-dental --help` lists them all ([`args`]). Values are
//! checked once at start-up ([`check`]) into a [`Config`], which is passed explicitly: the
//! settings of the use cases ([`app::Settings`]) and those of the HTTP server. Nothing reads the
//! environment later.

mod args;
mod check;
mod development;
mod production;

pub use app::settings::{Environment, ProviderChoice, Secret};
pub use args::{EmailProvider, LogFormat, Mode, Settings, SmtpSecurityChoice, TextProvider};
use std::net::SocketAddr;
use std::time::Duration;

/// Checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// What the use cases run with: policies, secrets, database, message delivery.
    pub app: app::Settings,
    pub bind_address: SocketAddr,
    pub workers: Option<usize>,
    pub cors_allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    pub shutdown_timeout: Duration,
    /// Proxies whose forwarding headers name the client.
    pub trusted_proxies: crate::proxies::TrustedProxies,
    pub dispatch_interval: Duration,
    pub scheduler_tick: Duration,
    pub max_upload_bytes: usize,
    /// The Prometheus metrics listener, when configured.
    pub metrics: Option<MetricsConfig>,
}

/// Where metrics are served and who may read them.
#[derive(Debug, Clone)]
pub struct MetricsConfig {
    pub bind_address: SocketAddr,
    /// The bearer token a scraper presents; `None` lets anyone who reaches the listener read.
    pub token: Option<Secret<String>>,
}

impl Config {
    pub fn is_production(&self) -> bool {
        self.app.is_production()
    }
}

/// The shortest inactivity period allowed: an applicant waiting for a posted passcode must be
/// able to resume for at least this long.
pub const MIN_INACTIVITY_DAYS: u32 = 28;

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

#[cfg(test)]
mod tests {
    use super::check::{DEVELOPMENT_JWT_SECRET, DEVELOPMENT_SECRET_KEY};
    use super::*;
    use app::settings::Argon2Settings;
    use clap::Parser;

    #[derive(Parser)]
    struct TestCli {
        #[command(flatten)]
        settings: Settings,
    }

    fn parse(args: &[&str]) -> Result<Config, ConfigError> {
        TestCli::try_parse_from(std::iter::once("test").chain(args.iter().copied()))
            .map_err(|error| ConfigError(vec![error.to_string()]))?
            .settings
            .into_config()
    }

    #[test]
    fn development_defaults_need_no_configuration() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.app.database.url.to_string(), "sqlite://./data/dental.db");
        assert_eq!(config.bind_address.to_string(), "127.0.0.1:8080");
        assert_eq!(config.app.mail_domain.as_str(), "nhs.net");
        assert!(!config.is_production());
        assert!(!format!("{config:?}").contains(DEVELOPMENT_SECRET_KEY));
    }

    #[test]
    fn production_refuses_missing_or_development_secrets() {
        let error = parse(&["--environment", "production"]).unwrap_err();
        assert!(error.to_string().contains("SECRET_KEY is required"));
        let error = parse(&["--environment", "production", "--secret-key", DEVELOPMENT_SECRET_KEY]).unwrap_err();
        assert!(error.to_string().contains("real secret"));
        let error = parse(&["--environment", "production", "--secret-key", "short"]).unwrap_err();
        assert!(error.to_string().contains("at least 32 bytes"));
        let key = "k".repeat(40);
        let error = parse(&["--environment", "production", "--secret-key", &key]).unwrap_err();
        assert!(error.to_string().contains("JWT_SECRET is required"));
        let jwt = "j".repeat(40);
        let error = parse(&["--environment", "production", "--secret-key", &key, "--jwt-secret", &jwt]).unwrap_err();
        assert!(error.to_string().contains("EMAIL_PROVIDER cannot be `development` in production"), "{error}");
        let error =
            parse(&["--environment", "production", "--secret-key", &key, "--jwt-secret", DEVELOPMENT_JWT_SECRET])
                .unwrap_err();
        assert!(error.to_string().contains("JWT_SECRET must be a real secret"));
    }

    #[test]
    fn every_bad_setting_is_reported_at_once() {
        let error = parse(&[
            "--database-url",
            "mysql://x",
            "--bind-address",
            "nowhere",
            "--mail-domain",
            "not a domain",
            "--cors-allowed-origins",
            "https://ok.example,https://bad.example/,*",
        ])
        .unwrap_err();
        assert_eq!(error.0.len(), 5, "{error}");
    }

    #[test]
    fn a_rotation_names_its_retired_keys_and_when_they_stop() {
        let config = parse(&[
            "--jwt-previous-secrets",
            "old-key-one-of-thirty-two-bytes-at-least, old-key-two-of-thirty-two-bytes-at-least",
            "--jwt-previous-secrets-until",
            "2026-12-01T09:00:00+01:00",
        ])
        .unwrap();
        assert_eq!(config.app.jwt.previous.len(), 2);
        assert_eq!(config.app.jwt.previous_until.unwrap().to_rfc3339(), "2026-12-01T08:00:00+00:00");
        assert!(!format!("{config:?}").contains("old-key-one"));
        let error = parse(&["--jwt-previous-secrets", "old-key-one-of-thirty-two-bytes-at-least"]).unwrap_err();
        assert!(error.to_string().contains("needs JWT_PREVIOUS_SECRETS_UNTIL"), "{error}");
        let error = parse(&["--jwt-previous-secrets-until", "tomorrow"]).unwrap_err();
        assert!(error.to_string().contains("not an RFC 3339 time"), "{error}");
        let error = parse(&["--jwt-previous-secrets-until", "2026-12-01T09:00:00Z"]).unwrap_err();
        assert!(error.to_string().contains("names no key"), "{error}");
        let error = parse(&[
            "--environment",
            "production",
            "--jwt-previous-secrets",
            "short",
            "--jwt-previous-secrets-until",
            "2026-12-01T09:00:00Z",
        ])
        .unwrap_err();
        assert!(error.to_string().contains("JWT_PREVIOUS_SECRETS must each be a real secret"), "{error}");
    }

    #[test]
    fn metrics_have_an_address_of_their_own_and_a_token_in_production() {
        assert!(parse(&[]).unwrap().metrics.is_none());
        let config =
            parse(&["--metrics-bind-address", "127.0.0.1:9090", "--metrics-token", "a-token-of-16-bytes+"]).unwrap();
        let metrics = config.metrics.unwrap();
        assert_eq!(metrics.bind_address.to_string(), "127.0.0.1:9090");
        assert!(!format!("{metrics:?}").contains("a-token"));
        let error = parse(&["--metrics-bind-address", "nowhere"]).unwrap_err();
        assert!(error.to_string().contains("METRICS_BIND_ADDRESS"), "{error}");
        let error = parse(&["--metrics-bind-address", "127.0.0.1:9090", "--metrics-token", "short"]).unwrap_err();
        assert!(error.to_string().contains("METRICS_TOKEN must be at least 16 bytes"), "{error}");
        let error = parse(&["--environment", "production", "--metrics-bind-address", "0.0.0.0:9090"]).unwrap_err();
        assert!(error.to_string().contains("METRICS_TOKEN is required in production"), "{error}");
        assert!(parse(&["--log-format", "json"]).is_ok());
        assert!(parse(&["--log-format", "xml"]).is_err());
    }

    #[test]
    fn sample_data_defaults_to_development_only() {
        assert!(parse(&[]).unwrap().app.load_sample_data);
        let key = "k".repeat(40);
        let jwt = "j".repeat(40);
        let api_key = format!("live-{}-{}", "1".repeat(36), "2".repeat(36));
        let production = parse(&[
            "--environment",
            "production",
            "--secret-key",
            &key,
            "--jwt-secret",
            &jwt,
            "--email-provider",
            "notify",
            "--sms-provider",
            "notify",
            "--letter-provider",
            "notify",
            "--notify-api-key",
            &api_key,
            "--notify-email-template-id",
            "e",
            "--notify-sms-template-id",
            "s",
            "--notify-letter-template-id",
            "l",
        ])
        .unwrap();
        assert!(!production.app.load_sample_data);
        assert!(!parse(&["--load-sample-data", "false"]).unwrap().app.load_sample_data);
    }

    #[test]
    fn applications_stay_resumable_for_at_least_28_days() {
        let error = parse(&["--application-inactivity-days", "7"]).unwrap_err();
        assert!(error.to_string().contains("at least 28"));
        assert_eq!(parse(&[]).unwrap().app.application_inactivity, chrono::Duration::days(28));
    }

    #[test]
    fn r_l4_inactivity_warnings_come_before_their_steps_and_messages_are_kept_at_least_a_day() {
        let policy = parse(&[]).unwrap().app.accounts.inactivity;
        assert_eq!(policy, domain::inactivity::InactivityPolicy::default());
        let thirty = parse(&[
            "--account-inactivity-days",
            "30",
            "--account-deletion-days",
            "30",
            "--inactivity-warning-days",
            "7",
        ]);
        assert_eq!(thirty.unwrap().app.accounts.inactivity.inactive_after, chrono::Duration::days(30));
        for bad in
            [["--inactivity-warning-days", "90"], ["--inactivity-warning-days", "0"], ["--account-deletion-days", "10"]]
        {
            let error = parse(&bad).unwrap_err();
            assert!(error.to_string().contains("INACTIVITY_WARNING_DAYS"), "{bad:?}: {error}");
        }
        let error = parse(&["--message-retention-days", "0"]).unwrap_err();
        assert!(error.to_string().contains("MESSAGE_RETENTION_DAYS"));
        assert_eq!(parse(&[]).unwrap().app.retention, app::settings::Retention::default());
        let error = parse(&["--audit-address-retention-days", "0"]).unwrap_err();
        assert!(error.to_string().contains("AUDIT_ADDRESS_RETENTION_DAYS"));
    }

    #[test]
    fn r_l2_argon2_parameters_cannot_go_below_the_floor() {
        let error = parse(&["--argon2-memory-kib", "8192"]).unwrap_err();
        assert!(error.to_string().contains("ARGON2_"));
        assert!(parse(&["--argon2-iterations", "1"]).is_err());
        assert_eq!(parse(&[]).unwrap().app.argon2, Argon2Settings::MINIMUM);
    }

    #[test]
    fn chosen_providers_must_be_fully_configured() {
        let error = parse(&["--email-provider", "smtp"]).unwrap_err();
        assert!(error.to_string().contains("SMTP_HOST and SMTP_FROM"));
        let error = parse(&["--sms-provider", "notify"]).unwrap_err();
        assert!(error.to_string().contains("NOTIFY_API_KEY"));
        assert!(error.to_string().contains("NOTIFY_SMS_TEMPLATE_ID"));
        assert!(parse(&["--letter-provider", "smtp"]).is_err());
        let ok = parse(&[
            "--email-provider",
            "smtp",
            "--smtp-host",
            "localhost",
            "--smtp-from",
            "NHSmail <noreply@nhs.net>",
        ])
        .unwrap();
        assert_eq!(ok.app.messaging.smtp.unwrap().port, 587);
    }

    #[test]
    fn an_empty_origin_list_means_no_origins() {
        let config = parse(&["--cors-allowed-origins", ""]).unwrap();
        assert!(config.cors_allowed_origins.is_empty());
        let config = parse(&["--cors-allowed-origins", "https://a.example, https://b.example"]).unwrap();
        assert_eq!(config.cors_allowed_origins, ["https://a.example", "https://b.example"]);
    }
}

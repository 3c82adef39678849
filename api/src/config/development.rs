//! The configuration tests and tools start from: development mode, a database of their
//! choosing, an ephemeral port and an outbox file of its own. Kept apart from the checks that
//! guard production.

use super::args::{EmailProvider, Mode, Settings, SmtpSecurityChoice, TextProvider};
use super::{Config, ConfigError};

impl Config {
    /// A development configuration for the given database, as tests and tools need it.
    pub fn for_development(database_url: &str) -> Result<Self, ConfigError> {
        Settings {
            environment: Mode::Development,
            database_url: database_url.to_owned(),
            database_pool_size: 10,
            database_timeout_seconds: 5,
            bind_address: "127.0.0.1:0".to_owned(),
            workers: Some(2),
            mail_domain: "nhs.net".to_owned(),
            secret_key: None,
            cors_allowed_origins: Vec::new(),
            support_contact: "dentistadmin@nhs.net or 0333 200 1133".to_owned(),
            max_body_bytes: 64 * 1024,
            shutdown_timeout_seconds: 5,
            application_inactivity_days: 28,
            message_retention_days: 30,
            rejected_application_retention_days: 90,
            audit_address_retention_days: 180,
            passcode_email_valid_days: 14,
            passcode_post_valid_days: 14,
            load_sample_data: Some(false),
            outbox_file: std::env::temp_dir().join(format!("dental-outbox-{}.jsonl", uuid::Uuid::new_v4().simple())),
            trusted_proxies: String::new(),
            metrics_bind_address: None,
            metrics_token: None,
            log_format: super::args::LogFormat::Text,
            // Tests and tools come from one address; the throttles' own tests lower these.
            sign_in_failures_per_client: 10_000,
            applications_per_client: 10_000,
            dispatch_interval_millis: 1000,
            scheduler_tick_seconds: 60,
            jwt_secret: None,
            jwt_previous_secrets: None,
            jwt_previous_secrets_until: None,
            admin_token_minutes: 30,
            admin_session_hours: 8,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            password_hashing_concurrency: Some(2),
            max_upload_bytes: 50 * 1024 * 1024,
            auto_approve: false,
            auto_approve_joiners: false,
            temporary_password_valid_days: 14,
            portal_url: "https://portal.nhs.net".to_owned(),
            email_provider: EmailProvider::Development,
            sms_provider: TextProvider::Development,
            letter_provider: TextProvider::Development,
            smtp_host: None,
            smtp_port: 587,
            smtp_security: SmtpSecurityChoice::Starttls,
            smtp_username: None,
            smtp_password: None,
            smtp_from: None,
            notify_api_key: None,
            notify_base_url: "https://api.notifications.service.gov.uk".to_owned(),
            notify_email_template_id: None,
            notify_sms_template_id: None,
            notify_letter_template_id: None,
            notify_callback_token: None,
            outbox_lease_seconds: 120,
            account_access_token_minutes: 15,
            account_session_hours: 12,
            password_max_age_days: 90,
            reset_code_minutes: 15,
            account_inactivity_days: 90,
            account_deletion_days: 90,
            inactivity_warning_days: 14,
            leaver_grace_days: 30,
        }
        .into_config()
    }
}

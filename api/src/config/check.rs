//! Checking the settings: every problem is reported at once, production refuses development
//! secrets and providers, and each chosen message provider must be fully configured.

use super::args::{EmailProvider, Mode, Settings, SmtpSecurityChoice, TextProvider};
use super::{Config, ConfigError, MIN_INACTIVITY_DAYS};
use crate::proxies::TrustedProxies;
use app::DatabaseUrl;
use app::settings::{
    AccountSettings, Argon2Settings, DatabaseSettings, Environment, MessagingSettings, NotifySettings, ProviderChoice,
    Secret, SigningKeys, SmtpSecurity, SmtpSettings, Throttles,
};
use domain::attempts::WindowLimit;
use domain::mailbox::MailDomain;
use domain::passcode::PasscodeLifetimes;
use std::net::SocketAddr;
use std::time::Duration;

/// The key used in development when `SECRET_KEY` is unset. Production refuses it.
pub(super) const DEVELOPMENT_SECRET_KEY: &str = "development-only-secret-key-never-use-in-production";
/// The token signing secret used in development when `JWT_SECRET` is unset. Production refuses it.
pub(super) const DEVELOPMENT_JWT_SECRET: &str = "development-only-jwt-secret-never-use-in-production";
/// Minimum length of a production `SECRET_KEY`, in bytes (256 bits once random).
pub(super) const MIN_SECRET_KEY_BYTES: usize = 32;

impl From<Mode> for Environment {
    fn from(mode: Mode) -> Self {
        match mode {
            Mode::Development => Environment::Development,
            Mode::Production => Environment::Production,
        }
    }
}

impl From<EmailProvider> for ProviderChoice {
    fn from(choice: EmailProvider) -> Self {
        match choice {
            EmailProvider::Development => Self::Development,
            EmailProvider::Smtp => Self::Smtp,
            EmailProvider::Notify => Self::Notify,
        }
    }
}

impl From<TextProvider> for ProviderChoice {
    fn from(choice: TextProvider) -> Self {
        match choice {
            TextProvider::Development => Self::Development,
            TextProvider::Notify => Self::Notify,
        }
    }
}

impl From<SmtpSecurityChoice> for SmtpSecurity {
    fn from(choice: SmtpSecurityChoice) -> Self {
        match choice {
            SmtpSecurityChoice::None => Self::None,
            SmtpSecurityChoice::Starttls => Self::Starttls,
            SmtpSecurityChoice::Tls => Self::Tls,
        }
    }
}

impl Settings {
    /// Checks every setting and reports all problems at once.
    pub fn into_config(self) -> Result<Config, ConfigError> {
        let mut problems = Vec::new();
        let messaging = self.messaging(&mut problems);
        let inactivity = self.inactivity_policy();
        if inactivity.is_none() {
            problems.push("INACTIVITY_WARNING_DAYS must be at least 1 and less than both ACCOUNT_INACTIVITY_DAYS and ACCOUNT_DELETION_DAYS".to_owned());
        }
        let database_url = DatabaseUrl::parse(&self.database_url).map_err(|e| problems.push(e.to_string())).ok();
        if self.sign_in_failures_per_client == 0 || self.applications_per_client == 0 {
            problems.push("SIGN_IN_FAILURES_PER_CLIENT and APPLICATIONS_PER_CLIENT must be at least 1".to_owned());
        }
        let trusted_proxies = TrustedProxies::parse(&self.trusted_proxies).unwrap_or_else(|problem| {
            problems.push(format!("TRUSTED_PROXIES: {problem}"));
            TrustedProxies::default()
        });
        let bind_address = self
            .bind_address
            .parse::<SocketAddr>()
            .map_err(|_| {
                problems.push(format!("BIND_ADDRESS `{}` is not HOST:PORT, e.g. 127.0.0.1:8080", self.bind_address))
            })
            .ok();
        let mail_domain =
            MailDomain::parse(&self.mail_domain).map_err(|e| problems.push(format!("MAIL_DOMAIN: {e}"))).ok();
        let jwt_previous = self.previous_jwt_keys(&mut problems);
        let metrics = self.metrics(&mut problems);
        let secret_key = match (self.environment, self.secret_key) {
            (Mode::Production, None) => {
                problems.push("SECRET_KEY is required in production".to_owned());
                None
            }
            (Mode::Production, Some(key)) if key == DEVELOPMENT_SECRET_KEY || key.len() < MIN_SECRET_KEY_BYTES => {
                problems.push(format!(
                    "SECRET_KEY must be a real secret of at least {MIN_SECRET_KEY_BYTES} bytes in production"
                ));
                None
            }
            (Mode::Development, None) => Some(DEVELOPMENT_SECRET_KEY.to_owned()),
            (_, Some(key)) => Some(key),
        };
        let jwt_secret = match (self.environment, self.jwt_secret) {
            (Mode::Production, None) => {
                problems.push("JWT_SECRET is required in production".to_owned());
                None
            }
            (Mode::Production, Some(key)) if key == DEVELOPMENT_JWT_SECRET || key.len() < MIN_SECRET_KEY_BYTES => {
                problems.push(format!(
                    "JWT_SECRET must be a real secret of at least {MIN_SECRET_KEY_BYTES} bytes in production"
                ));
                None
            }
            (Mode::Development, None) => Some(DEVELOPMENT_JWT_SECRET.to_owned()),
            (_, Some(key)) => Some(key),
        };
        let argon2 = Argon2Settings {
            memory_kib: self.argon2_memory_kib,
            iterations: self.argon2_iterations,
            parallelism: self.argon2_parallelism,
        };
        let floor = Argon2Settings::MINIMUM;
        if argon2.memory_kib < floor.memory_kib
            || argon2.iterations < floor.iterations
            || argon2.parallelism < floor.parallelism
        {
            problems.push(format!(
                "ARGON2_* must be at least {} KiB, {} iterations, parallelism {}",
                floor.memory_kib, floor.iterations, floor.parallelism
            ));
        }
        if [
            self.account_access_token_minutes,
            self.account_session_hours,
            self.password_max_age_days,
            self.reset_code_minutes,
        ]
        .contains(&0)
        {
            problems.push("ACCOUNT_ACCESS_TOKEN_MINUTES, ACCOUNT_SESSION_HOURS, PASSWORD_MAX_AGE_DAYS and RESET_CODE_MINUTES must be at least 1".to_owned());
        }
        if self.temporary_password_valid_days == 0 {
            problems.push("TEMPORARY_PASSWORD_VALID_DAYS must be at least 1".to_owned());
        }
        if self.password_hashing_concurrency == Some(0) || self.admin_token_minutes == 0 {
            problems.push("PASSWORD_HASHING_CONCURRENCY and ADMIN_TOKEN_MINUTES must be at least 1".to_owned());
        }
        // An empty variable (as compose files pass it) means no origins.
        let cors_allowed_origins: Vec<String> = self
            .cors_allowed_origins
            .iter()
            .map(|origin| origin.trim().to_owned())
            .filter(|origin| !origin.is_empty())
            .collect();
        for origin in &cors_allowed_origins {
            let valid = (origin.starts_with("https://") || origin.starts_with("http://"))
                && !origin.ends_with('/')
                && !origin.contains('*');
            if !valid {
                problems.push(format!("CORS_ALLOWED_ORIGINS entry `{origin}` must be an origin like https://example.org (no path, no wildcard)"));
            }
        }
        if self.database_pool_size == 0 {
            problems.push("DATABASE_POOL_SIZE must be at least 1".to_owned());
        }
        if self.workers == Some(0) {
            problems.push("WORKERS must be at least 1".to_owned());
        }
        if self.max_body_bytes < 1024 {
            problems.push("MAX_BODY_BYTES must be at least 1024".to_owned());
        }
        if self.leaver_grace_days == 0 {
            problems.push("LEAVER_GRACE_DAYS must be at least 1".to_owned());
        }
        if self.message_retention_days == 0
            || self.rejected_application_retention_days == 0
            || self.audit_address_retention_days == 0
        {
            problems.push(
                "MESSAGE_RETENTION_DAYS, REJECTED_APPLICATION_RETENTION_DAYS and AUDIT_ADDRESS_RETENTION_DAYS must be at least 1"
                    .to_owned(),
            );
        }
        if self.application_inactivity_days < MIN_INACTIVITY_DAYS {
            problems.push(format!("APPLICATION_INACTIVITY_DAYS must be at least {MIN_INACTIVITY_DAYS}"));
        }
        if self.passcode_email_valid_days == 0 || self.passcode_post_valid_days == 0 {
            problems.push("PASSCODE_EMAIL_VALID_DAYS and PASSCODE_POST_VALID_DAYS must be at least 1".to_owned());
        }
        if self.dispatch_interval_millis == 0 || self.scheduler_tick_seconds == 0 {
            problems.push("DISPATCH_INTERVAL_MILLIS and SCHEDULER_TICK_SECONDS must be at least 1".to_owned());
        }
        match (database_url, bind_address, mail_domain, secret_key, jwt_secret) {
            (Some(database_url), Some(bind_address), Some(mail_domain), Some(secret_key), Some(jwt_secret))
                if problems.is_empty() =>
            {
                Ok(Config {
                    app: app::Settings {
                        environment: self.environment.into(),
                        database: DatabaseSettings {
                            url: database_url,
                            pool_size: self.database_pool_size,
                            timeout: Duration::from_secs(self.database_timeout_seconds),
                        },
                        mail_domain,
                        secret_key: Secret::new(secret_key.into_bytes()),
                        jwt: SigningKeys {
                            current: Secret::new(jwt_secret.into_bytes()),
                            previous: jwt_previous.0,
                            previous_until: jwt_previous.1,
                        },
                        support_contact: self.support_contact,
                        application_inactivity: chrono::Duration::days(i64::from(self.application_inactivity_days)),
                        retention: app::settings::Retention {
                            messages: chrono::Duration::days(i64::from(self.message_retention_days)),
                            rejected_applications: chrono::Duration::days(i64::from(
                                self.rejected_application_retention_days,
                            )),
                            audit_addresses: chrono::Duration::days(i64::from(self.audit_address_retention_days)),
                        },
                        passcode_lifetimes: PasscodeLifetimes {
                            email: chrono::Duration::days(i64::from(self.passcode_email_valid_days)),
                            post: chrono::Duration::days(i64::from(self.passcode_post_valid_days)),
                        },
                        load_sample_data: self.load_sample_data.unwrap_or(self.environment == Mode::Development),
                        admin_token_lifetime: chrono::Duration::minutes(i64::from(self.admin_token_minutes)),
                        admin_session_lifetime: chrono::Duration::hours(i64::from(self.admin_session_hours.max(1))),
                        argon2,
                        password_hashing_concurrency: self.password_hashing_concurrency.unwrap_or_else(|| {
                            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
                        }),
                        auto_approve: self.auto_approve,
                        auto_approve_joiners: self.auto_approve_joiners,
                        temporary_password_lifetime: chrono::Duration::days(i64::from(
                            self.temporary_password_valid_days,
                        )),
                        portal_url: self.portal_url,
                        messaging,
                        throttles: Throttles {
                            sign_in_failures_per_client: WindowLimit::new(
                                self.sign_in_failures_per_client,
                                chrono::Duration::minutes(15),
                            ),
                            applications_per_client: WindowLimit::new(
                                self.applications_per_client,
                                chrono::Duration::hours(1),
                            ),
                        },
                        accounts: AccountSettings {
                            access_token_lifetime: chrono::Duration::minutes(i64::from(
                                self.account_access_token_minutes,
                            )),
                            session_lifetime: chrono::Duration::hours(i64::from(self.account_session_hours)),
                            password_max_age: chrono::Duration::days(i64::from(self.password_max_age_days)),
                            reset_code_lifetime: chrono::Duration::minutes(i64::from(self.reset_code_minutes)),
                            inactivity: inactivity.unwrap_or_default(),
                            leaver_grace: chrono::Duration::days(i64::from(self.leaver_grace_days)),
                        },
                    },
                    bind_address,
                    workers: self.workers,
                    cors_allowed_origins,
                    max_body_bytes: self.max_body_bytes,
                    shutdown_timeout: Duration::from_secs(self.shutdown_timeout_seconds),
                    trusted_proxies,
                    dispatch_interval: Duration::from_millis(self.dispatch_interval_millis),
                    scheduler_tick: Duration::from_secs(self.scheduler_tick_seconds),
                    max_upload_bytes: self.max_upload_bytes,
                    metrics,
                })
            }
            _ => Err(ConfigError(problems)),
        }
    }
}

impl Settings {
    /// The account inactivity policy, if its periods are consistent.
    fn inactivity_policy(&self) -> Option<domain::inactivity::InactivityPolicy> {
        let days = |n: u32| chrono::Duration::days(i64::from(n));
        domain::inactivity::InactivityPolicy::new(
            days(self.account_inactivity_days),
            days(self.account_deletion_days),
            days(self.inactivity_warning_days),
        )
    }

    fn messaging(&self, problems: &mut Vec<String>) -> MessagingSettings {
        let (email, sms, letter): (ProviderChoice, ProviderChoice, ProviderChoice) =
            (self.email_provider.into(), self.sms_provider.into(), self.letter_provider.into());
        let choices = [("EMAIL_PROVIDER", email), ("SMS_PROVIDER", sms), ("LETTER_PROVIDER", letter)];
        for (name, choice) in choices {
            if self.environment == Mode::Production && choice == ProviderChoice::Development {
                problems.push(format!("{name} cannot be `development` in production"));
            }
        }
        let smtp = (email == ProviderChoice::Smtp).then(|| {
            let (host, from) = (self.smtp_host.clone().unwrap_or_default(), self.smtp_from.clone().unwrap_or_default());
            if host.trim().is_empty() || from.trim().is_empty() {
                problems.push("EMAIL_PROVIDER=smtp needs SMTP_HOST and SMTP_FROM".to_owned());
            }
            if self.smtp_username.is_some() != self.smtp_password.is_some() {
                problems.push("SMTP_USERNAME and SMTP_PASSWORD go together".to_owned());
            }
            SmtpSettings {
                host,
                port: self.smtp_port,
                security: self.smtp_security.into(),
                credentials: self.smtp_username.clone().zip(self.smtp_password.clone().map(Secret::new)),
                from,
            }
        });
        let uses_notify = choices.iter().any(|(_, c)| *c == ProviderChoice::Notify);
        let notify = uses_notify.then(|| {
            let key = self.notify_api_key.clone().unwrap_or_default();
            if key.len() < 74 {
                problems.push("NOTIFY_API_KEY must be a GOV.UK Notify API key (name-serviceid-secret)".to_owned());
            }
            for (name, choice, template) in [
                ("NOTIFY_EMAIL_TEMPLATE_ID", email, &self.notify_email_template_id),
                ("NOTIFY_SMS_TEMPLATE_ID", sms, &self.notify_sms_template_id),
                ("NOTIFY_LETTER_TEMPLATE_ID", letter, &self.notify_letter_template_id),
            ] {
                if choice == ProviderChoice::Notify && template.as_deref().is_none_or(|t| t.trim().is_empty()) {
                    problems.push(format!("{name} is required when Notify sends that channel"));
                }
            }
            NotifySettings {
                api_key: Secret::new(key),
                base_url: self.notify_base_url.trim_end_matches('/').to_owned(),
                email_template_id: self.notify_email_template_id.clone(),
                sms_template_id: self.notify_sms_template_id.clone(),
                letter_template_id: self.notify_letter_template_id.clone(),
            }
        });
        if self.outbox_lease_seconds == 0 {
            problems.push("OUTBOX_LEASE_SECONDS must be at least 1".to_owned());
        }
        MessagingSettings {
            email,
            sms,
            letter,
            smtp,
            notify,
            notify_callback_token: self.notify_callback_token.clone().filter(|t| !t.is_empty()).map(Secret::new),
            lease: chrono::Duration::seconds(i64::from(self.outbox_lease_seconds)),
            outbox_file: self.outbox_file.clone(),
        }
    }
}

//! Configuration: every setting comes from an environment variable (or the matching flag), with
//! safe development defaults. `nhsmail-dental --help` lists them all. Values are checked once at
//! startup into [`Config`], which is passed explicitly; nothing reads the environment later.

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, ValueEnum};
use domain::mailbox::MailDomain;
use domain::passcode::PasscodeLifetimes;
use persistence::DatabaseUrl;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Who delivers a channel's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderChoice {
    /// Writes messages to OUTBOX_FILE and the log (development only).
    Development,
    /// An SMTP server (email only).
    Smtp,
    /// GOV.UK Notify.
    Notify,
}

/// How to reach the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SmtpSecurity {
    /// Plain connection (a relay on a private network only).
    None,
    /// Upgrade with STARTTLS (usually port 587).
    Starttls,
    /// TLS from the start (usually port 465).
    Tls,
}

/// Deployment mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    /// Local work: development secrets allowed, sample data loaded into an empty database.
    Development,
    /// Real service: refuses to start without real secrets.
    Production,
}

/// The key used in development when `SECRET_KEY` is unset. Production refuses it.
const DEVELOPMENT_SECRET_KEY: &str = "development-only-secret-key-never-use-in-production";
/// The token signing secret used in development when `JWT_SECRET` is unset. Production refuses it.
const DEVELOPMENT_JWT_SECRET: &str = "development-only-jwt-secret-never-use-in-production";
/// Minimum length of a production `SECRET_KEY`, in bytes (256 bits once random).
const MIN_SECRET_KEY_BYTES: usize = 32;

/// Settings as given on the command line or in the environment.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Deployment mode.
    #[arg(long, env = "APP_ENV", value_enum, default_value = "development")]
    pub environment: Environment,

    /// Database: sqlite://PATH (embedded) or postgres://USER:PASSWORD@HOST:PORT/DATABASE.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://./data/dental.db", hide_env_values = true)]
    pub database_url: String,

    /// Maximum connections in the database pool.
    #[arg(long, env = "DATABASE_POOL_SIZE", default_value_t = 10)]
    pub database_pool_size: u32,

    /// Seconds a request waits for a database connection before it is answered 503.
    #[arg(long, env = "DATABASE_TIMEOUT_SECONDS", default_value_t = 5)]
    pub database_timeout_seconds: u64,

    /// Address and port to listen on.
    #[arg(long, env = "BIND_ADDRESS", default_value = "127.0.0.1:8080")]
    pub bind_address: String,

    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "WORKERS")]
    pub workers: Option<usize>,

    /// Mail domain of NHSmail accounts and shared mailboxes (nhs.net in production).
    #[arg(long, env = "MAIL_DOMAIN", default_value = "nhs.net")]
    pub mail_domain: String,

    /// Secret for hashing tokens, passcodes and contact ids (at least 32 bytes; required in
    /// production). Changing it invalidates every stored token and contact id hash.
    #[arg(long, env = "SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,

    /// Comma-separated origins allowed to call the API from a browser, e.g.
    /// https://register.example.nhs.uk (default: none).
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub cors_allowed_origins: Vec<String>,

    /// How applicants reach the support team, shown wherever they may need help.
    #[arg(
        long,
        env = "SUPPORT_CONTACT",
        default_value = "dentistadmin@nhs.net or 0333 200 1133 (9am to 5pm, Monday to Friday)"
    )]
    pub support_contact: String,

    /// Largest JSON request body accepted, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT.
    #[arg(long, env = "SHUTDOWN_TIMEOUT_SECONDS", default_value_t = 30)]
    pub shutdown_timeout_seconds: u64,

    /// Days without activity after which an unsubmitted application expires and its personal
    /// data is removed (at least 28: applicants waiting for a letter must be able to come back).
    #[arg(long, env = "APPLICATION_INACTIVITY_DAYS", default_value_t = 28)]
    pub application_inactivity_days: u32,

    /// Days a passcode sent by email stays valid.
    #[arg(long, env = "PASSCODE_EMAIL_VALID_DAYS", default_value_t = 14)]
    pub passcode_email_valid_days: u32,

    /// Days a passcode sent by post stays valid.
    #[arg(long, env = "PASSCODE_POST_VALID_DAYS", default_value_t = 14)]
    pub passcode_post_valid_days: u32,

    /// Load the sample practices and CQC locations into an empty database
    /// (default: true in development, false in production).
    #[arg(long, env = "LOAD_SAMPLE_DATA", action = ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub load_sample_data: Option<bool>,

    /// File the development message provider appends every outgoing message to, as JSON lines,
    /// so a person can read passcodes locally. Never used in production.
    #[arg(long, env = "OUTBOX_FILE", default_value = "./data/outbox.jsonl")]
    pub outbox_file: PathBuf,

    /// Take the client address from X-Forwarded-For / Forwarded (only behind a trusted proxy).
    #[arg(long, env = "TRUST_PROXY_HEADERS", action = ArgAction::Set, default_value_t = false, value_parser = BoolishValueParser::new())]
    pub trust_proxy_headers: bool,

    /// Milliseconds between checks of the message outbox.
    #[arg(long, env = "DISPATCH_INTERVAL_MILLIS", default_value_t = 1000)]
    pub dispatch_interval_millis: u64,

    /// Seconds between sweeps that expire inactive applications.
    #[arg(long, env = "EXPIRY_SWEEP_SECONDS", default_value_t = 60)]
    pub expiry_sweep_seconds: u64,

    /// Secret that signs access tokens (HS256; at least 32 bytes; required in production).
    /// Changing it ends every session.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Minutes a helpdesk access token lasts before the administrator signs in again.
    #[arg(long, env = "ADMIN_TOKEN_MINUTES", default_value_t = 30)]
    pub admin_token_minutes: u32,

    /// Argon2id memory per password hash, in KiB (at least 19456, i.e. 19 MiB).
    #[arg(long, env = "ARGON2_MEMORY_KIB", default_value_t = 19 * 1024)]
    pub argon2_memory_kib: u32,

    /// Argon2id iterations (at least 2).
    #[arg(long, env = "ARGON2_ITERATIONS", default_value_t = 2)]
    pub argon2_iterations: u32,

    /// Argon2id parallelism (at least 1).
    #[arg(long, env = "ARGON2_PARALLELISM", default_value_t = 1)]
    pub argon2_parallelism: u32,

    /// Password hashes computed at once, each using ARGON2_MEMORY_KIB; further requests wait
    /// their turn (default: one per CPU core).
    #[arg(long, env = "PASSWORD_HASHING_CONCURRENCY")]
    pub password_hashing_concurrency: Option<usize>,

    /// Largest reference-data file the helpdesk can upload, in bytes.
    #[arg(long, env = "MAX_UPLOAD_BYTES", default_value_t = 50 * 1024 * 1024)]
    pub max_upload_bytes: usize,

    /// Approve a submitted application at once when the practice's IG status of record is
    /// satisfactory (R-V1). Otherwise the helpdesk decides.
    #[arg(long, env = "AUTO_APPROVE", action = ArgAction::Set, default_value_t = false, value_parser = BoolishValueParser::new())]
    pub auto_approve: bool,

    /// Days a temporary password works for activation (R-A3).
    #[arg(long, env = "TEMPORARY_PASSWORD_VALID_DAYS", default_value_t = 14)]
    pub temporary_password_valid_days: u32,

    /// Where account holders sign in, as written in the username email.
    #[arg(long, env = "PORTAL_URL", default_value = "https://portal.nhs.net")]
    pub portal_url: String,

    /// Who sends emails.
    #[arg(long, env = "EMAIL_PROVIDER", value_enum, default_value = "development")]
    pub email_provider: ProviderChoice,

    /// Who sends text messages (development or notify).
    #[arg(long, env = "SMS_PROVIDER", value_enum, default_value = "development")]
    pub sms_provider: ProviderChoice,

    /// Who prints and posts letters (development or notify).
    #[arg(long, env = "LETTER_PROVIDER", value_enum, default_value = "development")]
    pub letter_provider: ProviderChoice,

    /// SMTP server host name.
    #[arg(long, env = "SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// SMTP server port.
    #[arg(long, env = "SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,

    /// SMTP connection security.
    #[arg(long, env = "SMTP_SECURITY", value_enum, default_value = "starttls")]
    pub smtp_security: SmtpSecurity,

    /// SMTP user name, if the server needs one.
    #[arg(long, env = "SMTP_USERNAME")]
    pub smtp_username: Option<String>,

    /// SMTP password.
    #[arg(long, env = "SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,

    /// The sender of emails, e.g. `NHSmail <noreply@nhs.net>`.
    #[arg(long, env = "SMTP_FROM")]
    pub smtp_from: Option<String>,

    /// GOV.UK Notify API key (`name-serviceid-secret`).
    #[arg(long, env = "NOTIFY_API_KEY", hide_env_values = true)]
    pub notify_api_key: Option<String>,

    /// GOV.UK Notify API address.
    #[arg(long, env = "NOTIFY_BASE_URL", default_value = "https://api.notifications.service.gov.uk")]
    pub notify_base_url: String,

    /// Notify email template with the placeholders ((subject)) and ((body)).
    #[arg(long, env = "NOTIFY_EMAIL_TEMPLATE_ID")]
    pub notify_email_template_id: Option<String>,

    /// Notify text message template with the placeholder ((body)).
    #[arg(long, env = "NOTIFY_SMS_TEMPLATE_ID")]
    pub notify_sms_template_id: Option<String>,

    /// Notify letter template with the placeholder ((body)) (the address comes from the message).
    #[arg(long, env = "NOTIFY_LETTER_TEMPLATE_ID")]
    pub notify_letter_template_id: Option<String>,

    /// Bearer token GOV.UK Notify sends with delivery receipts (set the same in Notify).
    #[arg(long, env = "NOTIFY_CALLBACK_TOKEN", hide_env_values = true)]
    pub notify_callback_token: Option<String>,

    /// Seconds a dispatcher holds a message it is sending; after that another may take it over
    /// (a dispatcher that died).
    #[arg(long, env = "OUTBOX_LEASE_SECONDS", default_value_t = 120)]
    pub outbox_lease_seconds: u32,

    /// Minutes an account holder's access token lasts (refresh it with the refresh token).
    #[arg(long, env = "ACCOUNT_ACCESS_TOKEN_MINUTES", default_value_t = 15)]
    pub account_access_token_minutes: u32,

    /// Hours an account holder's session lasts before signing in again.
    #[arg(long, env = "ACCOUNT_SESSION_HOURS", default_value_t = 12)]
    pub account_session_hours: u32,

    /// Days a password may be used before it must be changed (R-L3).
    #[arg(long, env = "PASSWORD_MAX_AGE_DAYS", default_value_t = 90)]
    pub password_max_age_days: u32,

    /// Minutes a self-service password reset code works (R-L7).
    #[arg(long, env = "RESET_CODE_MINUTES", default_value_t = 15)]
    pub reset_code_minutes: u32,
}

/// Account holders' sessions and passwords.
#[derive(Debug, Clone, Copy)]
pub struct AccountSettings {
    pub access_token_lifetime: chrono::Duration,
    pub session_lifetime: chrono::Duration,
    pub password_max_age: chrono::Duration,
    pub reset_code_lifetime: chrono::Duration,
}

/// How to reach an SMTP server.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub credentials: Option<(String, Secret<String>)>,
    pub from: String,
}

/// How to reach GOV.UK Notify.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    pub api_key: Secret<String>,
    pub base_url: String,
    pub email_template_id: Option<String>,
    pub sms_template_id: Option<String>,
    pub letter_template_id: Option<String>,
}

/// Message delivery settings.
#[derive(Debug, Clone)]
pub struct MessagingSettings {
    pub email: ProviderChoice,
    pub sms: ProviderChoice,
    pub letter: ProviderChoice,
    pub smtp: Option<SmtpSettings>,
    pub notify: Option<NotifySettings>,
    pub notify_callback_token: Option<Secret<String>>,
    pub lease: chrono::Duration,
}

/// Argon2id parameters for password hashes (R-L2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Settings {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Argon2Settings {
    /// The floor R-L2 sets: 19 MiB, t=2, p=1.
    pub const MINIMUM: Self = Self { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 };
}

/// A value that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub database_url: DatabaseUrl,
    pub database_pool_size: u32,
    pub database_timeout: Duration,
    pub bind_address: SocketAddr,
    pub workers: Option<usize>,
    pub mail_domain: MailDomain,
    pub secret_key: Secret<Vec<u8>>,
    pub cors_allowed_origins: Vec<String>,
    pub support_contact: String,
    pub max_body_bytes: usize,
    pub shutdown_timeout: Duration,
    pub application_inactivity: chrono::Duration,
    pub passcode_lifetimes: PasscodeLifetimes,
    pub load_sample_data: bool,
    pub outbox_file: PathBuf,
    pub trust_proxy_headers: bool,
    pub dispatch_interval: Duration,
    pub expiry_sweep_interval: Duration,
    pub jwt_secret: Secret<Vec<u8>>,
    pub admin_token_lifetime: chrono::Duration,
    pub argon2: Argon2Settings,
    pub password_hashing_concurrency: usize,
    pub max_upload_bytes: usize,
    pub auto_approve: bool,
    pub temporary_password_lifetime: chrono::Duration,
    pub portal_url: String,
    pub messaging: MessagingSettings,
    pub accounts: AccountSettings,
}

/// The shortest inactivity period allowed: an applicant waiting for a posted passcode must be
/// able to resume for at least this long.
pub const MIN_INACTIVITY_DAYS: u32 = 28;

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

impl Settings {
    /// Checks every setting and reports all problems at once.
    pub fn into_config(self) -> Result<Config, ConfigError> {
        let mut problems = Vec::new();
        let messaging = self.messaging(&mut problems);
        let database_url = DatabaseUrl::parse(&self.database_url).map_err(|e| problems.push(e.to_string())).ok();
        let bind_address = self
            .bind_address
            .parse::<SocketAddr>()
            .map_err(|_| {
                problems.push(format!("BIND_ADDRESS `{}` is not HOST:PORT, e.g. 127.0.0.1:8080", self.bind_address))
            })
            .ok();
        let mail_domain =
            MailDomain::parse(&self.mail_domain).map_err(|e| problems.push(format!("MAIL_DOMAIN: {e}"))).ok();
        let secret_key = match (self.environment, self.secret_key) {
            (Environment::Production, None) => {
                problems.push("SECRET_KEY is required in production".to_owned());
                None
            }
            (Environment::Production, Some(key))
                if key == DEVELOPMENT_SECRET_KEY || key.len() < MIN_SECRET_KEY_BYTES =>
            {
                problems.push(format!(
                    "SECRET_KEY must be a real secret of at least {MIN_SECRET_KEY_BYTES} bytes in production"
                ));
                None
            }
            (Environment::Development, None) => Some(DEVELOPMENT_SECRET_KEY.to_owned()),
            (_, Some(key)) => Some(key),
        };
        let jwt_secret = match (self.environment, self.jwt_secret) {
            (Environment::Production, None) => {
                problems.push("JWT_SECRET is required in production".to_owned());
                None
            }
            (Environment::Production, Some(key))
                if key == DEVELOPMENT_JWT_SECRET || key.len() < MIN_SECRET_KEY_BYTES =>
            {
                problems.push(format!(
                    "JWT_SECRET must be a real secret of at least {MIN_SECRET_KEY_BYTES} bytes in production"
                ));
                None
            }
            (Environment::Development, None) => Some(DEVELOPMENT_JWT_SECRET.to_owned()),
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
        if self.application_inactivity_days < MIN_INACTIVITY_DAYS {
            problems.push(format!("APPLICATION_INACTIVITY_DAYS must be at least {MIN_INACTIVITY_DAYS}"));
        }
        if self.passcode_email_valid_days == 0 || self.passcode_post_valid_days == 0 {
            problems.push("PASSCODE_EMAIL_VALID_DAYS and PASSCODE_POST_VALID_DAYS must be at least 1".to_owned());
        }
        if self.dispatch_interval_millis == 0 || self.expiry_sweep_seconds == 0 {
            problems.push("DISPATCH_INTERVAL_MILLIS and EXPIRY_SWEEP_SECONDS must be at least 1".to_owned());
        }
        match (database_url, bind_address, mail_domain, secret_key, jwt_secret) {
            (Some(database_url), Some(bind_address), Some(mail_domain), Some(secret_key), Some(jwt_secret))
                if problems.is_empty() =>
            {
                Ok(Config {
                    environment: self.environment,
                    database_url,
                    database_pool_size: self.database_pool_size,
                    database_timeout: Duration::from_secs(self.database_timeout_seconds),
                    bind_address,
                    workers: self.workers,
                    mail_domain,
                    secret_key: Secret::new(secret_key.into_bytes()),
                    cors_allowed_origins,
                    support_contact: self.support_contact,
                    max_body_bytes: self.max_body_bytes,
                    shutdown_timeout: Duration::from_secs(self.shutdown_timeout_seconds),
                    application_inactivity: chrono::Duration::days(i64::from(self.application_inactivity_days)),
                    passcode_lifetimes: PasscodeLifetimes {
                        email: chrono::Duration::days(i64::from(self.passcode_email_valid_days)),
                        post: chrono::Duration::days(i64::from(self.passcode_post_valid_days)),
                    },
                    load_sample_data: self.load_sample_data.unwrap_or(self.environment == Environment::Development),
                    outbox_file: self.outbox_file,
                    trust_proxy_headers: self.trust_proxy_headers,
                    dispatch_interval: Duration::from_millis(self.dispatch_interval_millis),
                    expiry_sweep_interval: Duration::from_secs(self.expiry_sweep_seconds),
                    jwt_secret: Secret::new(jwt_secret.into_bytes()),
                    admin_token_lifetime: chrono::Duration::minutes(i64::from(self.admin_token_minutes)),
                    argon2,
                    password_hashing_concurrency: self
                        .password_hashing_concurrency
                        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)),
                    max_upload_bytes: self.max_upload_bytes,
                    auto_approve: self.auto_approve,
                    temporary_password_lifetime: chrono::Duration::days(i64::from(self.temporary_password_valid_days)),
                    portal_url: self.portal_url,
                    messaging,
                    accounts: AccountSettings {
                        access_token_lifetime: chrono::Duration::minutes(i64::from(self.account_access_token_minutes)),
                        session_lifetime: chrono::Duration::hours(i64::from(self.account_session_hours)),
                        password_max_age: chrono::Duration::days(i64::from(self.password_max_age_days)),
                        reset_code_lifetime: chrono::Duration::minutes(i64::from(self.reset_code_minutes)),
                    },
                })
            }
            _ => Err(ConfigError(problems)),
        }
    }
}

impl Settings {
    /// Checks the delivery settings: every chosen provider must be fully configured, SMTP only
    /// carries email, and production never uses the development provider.
    fn messaging(&self, problems: &mut Vec<String>) -> MessagingSettings {
        let choices = [
            ("EMAIL_PROVIDER", self.email_provider),
            ("SMS_PROVIDER", self.sms_provider),
            ("LETTER_PROVIDER", self.letter_provider),
        ];
        for (name, choice) in choices {
            if self.environment == Environment::Production && choice == ProviderChoice::Development {
                problems.push(format!("{name} cannot be `development` in production"));
            }
        }
        if self.sms_provider == ProviderChoice::Smtp || self.letter_provider == ProviderChoice::Smtp {
            problems.push(
                "SMTP carries email only: SMS_PROVIDER and LETTER_PROVIDER must be `development` or `notify`"
                    .to_owned(),
            );
        }
        let smtp = (self.email_provider == ProviderChoice::Smtp).then(|| {
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
                security: self.smtp_security,
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
                ("NOTIFY_EMAIL_TEMPLATE_ID", self.email_provider, &self.notify_email_template_id),
                ("NOTIFY_SMS_TEMPLATE_ID", self.sms_provider, &self.notify_sms_template_id),
                ("NOTIFY_LETTER_TEMPLATE_ID", self.letter_provider, &self.notify_letter_template_id),
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
            email: self.email_provider,
            sms: self.sms_provider,
            letter: self.letter_provider,
            smtp,
            notify,
            notify_callback_token: self.notify_callback_token.clone().filter(|t| !t.is_empty()).map(Secret::new),
            lease: chrono::Duration::seconds(i64::from(self.outbox_lease_seconds)),
        }
    }
}

impl Config {
    /// A development configuration for the given database, as tests and tools need it.
    pub fn for_development(database_url: &str) -> Result<Self, ConfigError> {
        Settings {
            environment: Environment::Development,
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
            passcode_email_valid_days: 14,
            passcode_post_valid_days: 14,
            load_sample_data: Some(false),
            outbox_file: std::env::temp_dir().join(format!("dental-outbox-{}.jsonl", uuid::Uuid::new_v4().simple())),
            trust_proxy_headers: false,
            dispatch_interval_millis: 1000,
            expiry_sweep_seconds: 60,
            jwt_secret: None,
            admin_token_minutes: 30,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            password_hashing_concurrency: Some(2),
            max_upload_bytes: 50 * 1024 * 1024,
            auto_approve: false,
            temporary_password_valid_days: 14,
            portal_url: "https://portal.nhs.net".to_owned(),
            email_provider: ProviderChoice::Development,
            sms_provider: ProviderChoice::Development,
            letter_provider: ProviderChoice::Development,
            smtp_host: None,
            smtp_port: 587,
            smtp_security: SmtpSecurity::Starttls,
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
        }
        .into_config()
    }

    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct TestCli {
        #[command(flatten)]
        settings: Settings,
    }

    fn parse(args: &[&str]) -> Result<Config, ConfigError> {
        TestCli::try_parse_from(std::iter::once("test").chain(args.iter().copied())).unwrap().settings.into_config()
    }

    #[test]
    fn development_defaults_need_no_configuration() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.database_url.to_string(), "sqlite://./data/dental.db");
        assert_eq!(config.bind_address.to_string(), "127.0.0.1:8080");
        assert_eq!(config.mail_domain.as_str(), "nhs.net");
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
    fn sample_data_defaults_to_development_only() {
        assert!(parse(&[]).unwrap().load_sample_data);
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
        assert!(!production.load_sample_data);
        assert!(!parse(&["--load-sample-data", "false"]).unwrap().load_sample_data);
    }

    #[test]
    fn applications_stay_resumable_for_at_least_28_days() {
        let error = parse(&["--application-inactivity-days", "7"]).unwrap_err();
        assert!(error.to_string().contains("at least 28"));
        assert_eq!(parse(&[]).unwrap().application_inactivity, chrono::Duration::days(28));
    }

    #[test]
    fn r_l2_argon2_parameters_cannot_go_below_the_floor() {
        let error = parse(&["--argon2-memory-kib", "8192"]).unwrap_err();
        assert!(error.to_string().contains("ARGON2_"));
        assert!(parse(&["--argon2-iterations", "1"]).is_err());
        assert_eq!(parse(&[]).unwrap().argon2, Argon2Settings::MINIMUM);
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
        assert_eq!(ok.messaging.smtp.unwrap().port, 587);
    }

    #[test]
    fn an_empty_origin_list_means_no_origins() {
        let config = parse(&["--cors-allowed-origins", ""]).unwrap();
        assert!(config.cors_allowed_origins.is_empty());
        let config = parse(&["--cors-allowed-origins", "https://a.example, https://b.example"]).unwrap();
        assert_eq!(config.cors_allowed_origins, ["https://a.example", "https://b.example"]);
    }
}

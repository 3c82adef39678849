//! The command line and the environment: every setting, its variable, its default and its help.
//! `nhsmail-dental --help` prints this surface; [`super::check`] turns it into a [`super::Config`].

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, ValueEnum};
use std::path::PathBuf;

/// Deployment mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Local work: development secrets allowed, sample data loaded into an empty database.
    Development,
    /// Real service: refuses to start without real secrets.
    Production,
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Readable lines, for development.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Who delivers email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EmailProvider {
    /// Writes messages to OUTBOX_FILE and the log (development only).
    Development,
    /// An SMTP server.
    Smtp,
    /// GOV.UK Notify.
    Notify,
}

/// Who delivers text messages or letters (SMTP carries email only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextProvider {
    /// Writes messages to OUTBOX_FILE and the log (development only).
    Development,
    /// GOV.UK Notify.
    Notify,
}

/// How to reach the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SmtpSecurityChoice {
    /// Plain connection (a relay on a private network only).
    None,
    /// Upgrade with STARTTLS (usually port 587).
    Starttls,
    /// TLS from the start (usually port 465).
    Tls,
}

/// Settings as given on the command line or in the environment.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Deployment mode.
    #[arg(long, env = "APP_ENV", value_enum, default_value = "development")]
    pub environment: Mode,

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

    /// Days a message is kept once it is finished with (sent, delivered, failed or cancelled),
    /// for the helpdesk to see what was sent; then it is deleted with its recipient and text.
    #[arg(long, env = "MESSAGE_RETENTION_DAYS", default_value_t = 30)]
    pub message_retention_days: u32,

    /// Days a rejected application's members (names, emails, mobiles) are kept after the
    /// decision, for questions about it; then they are erased. The decision and reason stay.
    #[arg(long, env = "REJECTED_APPLICATION_RETENTION_DAYS", default_value_t = 90)]
    pub rejected_application_retention_days: u32,

    /// Days the client address of an audit event is kept, for security investigations; then it
    /// is erased (the event itself, which holds ids only, stays).
    #[arg(long, env = "AUDIT_ADDRESS_RETENTION_DAYS", default_value_t = 180)]
    pub audit_address_retention_days: u32,

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

    /// Failed sign-ins allowed from one client address in 15 minutes, across usernames
    /// (accounts and helpdesk together); then 429 until the oldest leaves the window.
    #[arg(long, env = "SIGN_IN_FAILURES_PER_CLIENT", default_value_t = 30)]
    pub sign_in_failures_per_client: u32,

    /// Applications one client address may start in an hour; then 429.
    #[arg(long, env = "APPLICATIONS_PER_CLIENT", default_value_t = 20)]
    pub applications_per_client: u32,

    /// Proxies whose X-Forwarded-For / Forwarded headers are believed: addresses and CIDR blocks,
    /// comma-separated (e.g. `10.0.0.0/8,192.0.2.10`). The client is the first address, from the
    /// right, that is not one of them. Empty: the peer address is the client.
    #[arg(long, env = "TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// Where to serve Prometheus metrics (`GET /metrics`), as HOST:PORT on a listener of its own,
    /// apart from the API (e.g. 0.0.0.0:9090 on a private network). Unset: no metrics.
    #[arg(long, env = "METRICS_BIND_ADDRESS")]
    pub metrics_bind_address: Option<String>,

    /// Bearer token the metrics scraper must present (at least 16 bytes). Unset: the metrics
    /// listener answers anyone who can reach it; required in production.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Log format: `text` (readable, the default) or `json` (one object per line: time, level,
    /// target, message, and for each request its id, method, route template, status and duration).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// Milliseconds between checks of the message outbox.
    #[arg(long, env = "DISPATCH_INTERVAL_MILLIS", default_value_t = 1000)]
    pub dispatch_interval_millis: u64,

    /// Seconds between the scheduler's looks for due jobs (expiring inactive drafts, pruning old
    /// attempt records). With several replicas, each job still runs once at a time.
    #[arg(long, env = "SCHEDULER_TICK_SECONDS", default_value_t = 60)]
    pub scheduler_tick_seconds: u64,

    /// Secret that signs access tokens (HS256; at least 32 bytes; required in production).
    /// To rotate it without signing anyone out, move the old value to JWT_PREVIOUS_SECRETS.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Secrets retired by a rotation, comma-separated: tokens they signed are still accepted
    /// until JWT_PREVIOUS_SECRETS_UNTIL. Nothing new is signed with them.
    #[arg(long, env = "JWT_PREVIOUS_SECRETS", hide_env_values = true)]
    pub jwt_previous_secrets: Option<String>,

    /// When tokens signed with JWT_PREVIOUS_SECRETS stop being accepted, as an RFC 3339 time
    /// (e.g. 2026-12-01T09:00:00Z); at least the access token lifetime after the rotation.
    #[arg(long, env = "JWT_PREVIOUS_SECRETS_UNTIL")]
    pub jwt_previous_secrets_until: Option<String>,

    /// Minutes a helpdesk access token lasts before the administrator signs in again.
    #[arg(long, env = "ADMIN_TOKEN_MINUTES", default_value_t = 30)]
    pub admin_token_minutes: u32,

    /// Hours a helpdesk session can be refreshed (`POST /v1/admin/sessions/refresh`) before its
    /// administrator signs in again.
    #[arg(long, env = "ADMIN_SESSION_HOURS", default_value_t = 8)]
    pub admin_session_hours: u32,

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

    /// Create a joiner's account at once when a shared mailbox owner asks for it (R-L6).
    /// Otherwise the helpdesk approves each request.
    #[arg(long, env = "AUTO_APPROVE_JOINERS", action = ArgAction::Set, default_value_t = false, value_parser = BoolishValueParser::new())]
    pub auto_approve_joiners: bool,

    /// Days a temporary password works for activation (R-A3).
    #[arg(long, env = "TEMPORARY_PASSWORD_VALID_DAYS", default_value_t = 14)]
    pub temporary_password_valid_days: u32,

    /// Where account holders sign in, as written in the username email.
    #[arg(long, env = "PORTAL_URL", default_value = "https://portal.nhs.net")]
    pub portal_url: String,

    /// Who sends emails.
    #[arg(long, env = "EMAIL_PROVIDER", value_enum, default_value = "development")]
    pub email_provider: EmailProvider,

    /// Who sends text messages (development or notify).
    #[arg(long, env = "SMS_PROVIDER", value_enum, default_value = "development")]
    pub sms_provider: TextProvider,

    /// Who prints and posts letters (development or notify).
    #[arg(long, env = "LETTER_PROVIDER", value_enum, default_value = "development")]
    pub letter_provider: TextProvider,

    /// SMTP server host name.
    #[arg(long, env = "SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// SMTP server port.
    #[arg(long, env = "SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,

    /// SMTP connection security.
    #[arg(long, env = "SMTP_SECURITY", value_enum, default_value = "starttls")]
    pub smtp_security: SmtpSecurityChoice,

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

    /// Days without use after which an account becomes inactive (R-L4; NHSmail now uses 30).
    #[arg(long, env = "ACCOUNT_INACTIVITY_DAYS", default_value_t = 90)]
    pub account_inactivity_days: u32,

    /// Days an account stays inactive before it is deleted and erased (R-L4).
    #[arg(long, env = "ACCOUNT_DELETION_DAYS", default_value_t = 90)]
    pub account_deletion_days: u32,

    /// Days before each inactivity step (becoming inactive, deletion) that the holder is warned.
    #[arg(long, env = "INACTIVITY_WARNING_DAYS", default_value_t = 14)]
    pub inactivity_warning_days: u32,

    /// Days after an account is marked as a leaver that it is deleted and erased, unless another
    /// practice takes it on as a joiner first (R-L5).
    #[arg(long, env = "LEAVER_GRACE_DAYS", default_value_t = 30)]
    pub leaver_grace_days: u32,
}

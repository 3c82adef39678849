//! The settings the use cases run with: policies (periods, limits, auto-approval), secrets and
//! message delivery. The API reads them from the environment and checks them at start-up; here
//! they are plain typed values.

use domain::mailbox::MailDomain;
use domain::passcode::PasscodeLifetimes;
use persistence::DatabaseUrl;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Deployment mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Local work: development secrets allowed, sample data loaded into an empty database.
    Development,
    /// Real service: refuses to start without real secrets.
    Production,
}

/// Who delivers a channel's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderChoice {
    /// Writes messages to the outbox file and the log (development only).
    Development,
    /// An SMTP server (email only).
    Smtp,
    /// GOV.UK Notify.
    Notify,
}

/// How to reach the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection (a relay on a private network only).
    None,
    /// Upgrade with STARTTLS (usually port 587).
    Starttls,
    /// TLS from the start (usually port 465).
    Tls,
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

/// The keys behind access tokens: the current one signs; keys retired by a rotation still verify
/// the tokens they signed until `previous_until`, so a rotation signs nobody out.
#[derive(Debug, Clone)]
pub struct SigningKeys {
    pub current: Secret<Vec<u8>>,
    pub previous: Vec<Secret<Vec<u8>>>,
    /// When tokens signed with a previous key stop being accepted.
    pub previous_until: Option<chrono::DateTime<chrono::Utc>>,
}

impl SigningKeys {
    /// Only the current key, nothing retired.
    pub fn single(current: Secret<Vec<u8>>) -> Self {
        Self { current, previous: Vec::new(), previous_until: None }
    }
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

/// What one client address may do in a while, across usernames and practices, so that one
/// client cannot try sign-ins for many usernames or start applications without end.
#[derive(Debug, Clone, Copy)]
pub struct Throttles {
    /// Failed sign-ins per client, accounts and helpdesk together (R-L8).
    pub sign_in_failures_per_client: domain::attempts::WindowLimit,
    /// Applications started per client.
    pub applications_per_client: domain::attempts::WindowLimit,
}

/// Account holders' sessions and passwords.
#[derive(Debug, Clone, Copy)]
pub struct AccountSettings {
    pub access_token_lifetime: chrono::Duration,
    pub session_lifetime: chrono::Duration,
    pub password_max_age: chrono::Duration,
    pub reset_code_lifetime: chrono::Duration,
    /// R-L4: when unused accounts become inactive and are deleted, and the warnings before.
    pub inactivity: domain::inactivity::InactivityPolicy,
    /// R-L5: a leaver is deleted and erased this long after being marked, unless taken on.
    pub leaver_grace: chrono::Duration,
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

/// Message delivery.
#[derive(Debug, Clone)]
pub struct MessagingSettings {
    pub email: ProviderChoice,
    pub sms: ProviderChoice,
    pub letter: ProviderChoice,
    pub smtp: Option<SmtpSettings>,
    pub notify: Option<NotifySettings>,
    pub notify_callback_token: Option<Secret<String>>,
    /// How long a dispatcher holds a message it is sending before another may take it over.
    pub lease: chrono::Duration,
    /// Development provider: the file every message is appended to.
    pub outbox_file: PathBuf,
}

impl MessagingSettings {
    /// Whether any channel is delivered by the development provider.
    pub fn uses_development_provider(&self) -> bool {
        [self.email, self.sms, self.letter].contains(&ProviderChoice::Development)
    }
}

/// Where the data lives.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: DatabaseUrl,
    pub pool_size: u32,
    /// How long a request waits for a free connection before it is refused as unavailable.
    pub timeout: Duration,
}

/// Everything the use cases need.
/// Retention periods of personal data that the journey no longer needs (UK GDPR Art. 5(1)(e)),
/// each enforced by a scheduled job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// A finished message (its recipient and text) is deleted this long after it finished.
    pub messages: chrono::Duration,
    /// A rejected application's members are erased this long after the decision.
    pub rejected_applications: chrono::Duration,
    /// The client address of an audit event is erased this long after the event.
    pub audit_addresses: chrono::Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            messages: chrono::Duration::days(30),
            rejected_applications: chrono::Duration::days(90),
            audit_addresses: chrono::Duration::days(180),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    pub database: DatabaseSettings,
    pub mail_domain: MailDomain,
    /// Keys the hashes of tokens, passcodes and contact ids.
    pub secret_key: Secret<Vec<u8>>,
    /// Signs access tokens, and the keys retired by a rotation that are still accepted.
    pub jwt: SigningKeys,
    /// How applicants reach support.
    pub support_contact: String,
    /// An unsubmitted application expires after this long without activity.
    pub application_inactivity: chrono::Duration,
    /// How long personal data is kept once it is no longer needed for the journey.
    pub retention: Retention,
    pub passcode_lifetimes: PasscodeLifetimes,
    pub load_sample_data: bool,
    pub admin_token_lifetime: chrono::Duration,
    /// How long a helpdesk session can be refreshed before signing in again.
    pub admin_session_lifetime: chrono::Duration,
    pub argon2: Argon2Settings,
    pub password_hashing_concurrency: usize,
    /// Approve at submission when the IG status of record is satisfactory (R-V1).
    pub auto_approve: bool,
    /// Create a joiner's account at once when an owner asks, without the helpdesk (R-L6).
    pub auto_approve_joiners: bool,
    pub temporary_password_lifetime: chrono::Duration,
    /// Where account holders sign in, as the username email says.
    pub portal_url: String,
    pub messaging: MessagingSettings,
    pub accounts: AccountSettings,
    pub throttles: Throttles,
}

impl Settings {
    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }
}

//! The use cases on a fresh database, without HTTP, for tests in this crate and others: the
//! development settings, an adjustable clock, and a way to deliver the outbox on demand.

use crate::clock::OffsetClock;
use crate::outbox::dispatcher::Dispatcher;
use crate::outbox::providers::Providers;
use crate::settings::{
    AccountSettings, Argon2Settings, DatabaseSettings, Environment, MessagingSettings, ProviderChoice, Secret,
    Settings, SigningKeys, Throttles,
};
use crate::{App, Caller, Error};
use domain::attempts::WindowLimit;
use domain::mailbox::MailDomain;
use domain::passcode::PasscodeLifetimes;
use persistence::DatabaseUrl;
use persistence::testing::{TestDatabase, postgres_url};
use std::sync::Arc;
use std::time::Duration;

/// Development settings for `database_url`, with an outbox file of their own.
///
/// # Panics
/// If the URL is not a database URL this service takes.
pub fn settings(database_url: &str) -> Settings {
    #[allow(clippy::expect_used)] // A test's own fixture; a bad one is the failure report.
    let url = DatabaseUrl::parse(database_url).expect("a test database URL");
    Settings {
        environment: Environment::Development,
        database: DatabaseSettings { url, pool_size: 4, timeout: Duration::from_secs(5) },
        #[allow(clippy::expect_used)]
        mail_domain: MailDomain::parse("nhs.net").expect("nhs.net is a mail domain"),
        secret_key: Secret::new(b"test-secret-key-of-at-least-thirty-two-bytes".to_vec()),
        jwt: SigningKeys::single(Secret::new(b"test-jwt-secret-of-at-least-thirty-two-bytes".to_vec())),
        support_contact: "dentistadmin@nhs.net or 0333 200 1133".to_owned(),
        application_inactivity: chrono::Duration::days(28),
        retention: crate::settings::Retention::default(),
        passcode_lifetimes: PasscodeLifetimes::default(),
        load_sample_data: true,
        admin_token_lifetime: chrono::Duration::minutes(30),
        admin_session_lifetime: chrono::Duration::hours(8),
        argon2: Argon2Settings::MINIMUM,
        password_hashing_concurrency: 2,
        auto_approve: false,
        auto_approve_joiners: false,
        temporary_password_lifetime: chrono::Duration::days(14),
        portal_url: "https://portal.nhs.net".to_owned(),
        messaging: MessagingSettings {
            email: ProviderChoice::Development,
            sms: ProviderChoice::Development,
            letter: ProviderChoice::Development,
            smtp: None,
            notify: None,
            notify_callback_token: None,
            lease: chrono::Duration::seconds(120),
            outbox_file: std::env::temp_dir().join(format!("dental-outbox-{}.jsonl", uuid::Uuid::new_v4().simple())),
        },
        accounts: AccountSettings {
            access_token_lifetime: chrono::Duration::minutes(15),
            session_lifetime: chrono::Duration::hours(12),
            password_max_age: chrono::Duration::days(90),
            reset_code_lifetime: chrono::Duration::minutes(15),
            inactivity: domain::inactivity::InactivityPolicy::default(),
            leaver_grace: chrono::Duration::days(30),
        },
        // Tests come from one address; the throttles' own tests lower these.
        throttles: Throttles {
            sign_in_failures_per_client: WindowLimit::new(10_000, chrono::Duration::minutes(15)),
            applications_per_client: WindowLimit::new(10_000, chrono::Duration::hours(1)),
        },
    }
}

/// The use cases on a fresh database with the sample data, and their clock.
pub struct UseCases {
    pub app: App,
    pub clock: Arc<OffsetClock>,
    pub backend: &'static str,
    providers: Providers,
    // Dropped last: the pool must close before its database goes.
    _database: TestDatabase,
}

impl UseCases {
    /// Starts the use cases on `database`, with `customise` applied to the settings first.
    ///
    /// # Panics
    /// If the database cannot be opened or migrated.
    #[allow(clippy::expect_used)] // A test's own fixture; a bad one is the failure report.
    pub fn start(database: TestDatabase, customise: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = settings(&database.url);
        customise(&mut settings);
        let providers = Providers::from_settings(&settings.messaging).expect("development providers");
        let clock = Arc::new(OffsetClock::default());
        let app = App::start(settings, clock.clone()).expect("the use cases start");
        Self { app, clock, backend: database.backend_name(), providers, _database: database }
    }

    /// The use cases on SQLite, then on PostgreSQL when `TEST_POSTGRES_URL` is set.
    pub fn on_each_backend(customise: impl Fn(&mut Settings)) -> Vec<Self> {
        let mut all = vec![Self::start(TestDatabase::sqlite(), &customise)];
        if let Some(url) = postgres_url() {
            all.push(Self::start(TestDatabase::postgres(&url), &customise));
        }
        all
    }

    /// Delivers every message due now, as the background dispatcher would; returns how many.
    ///
    /// # Errors
    /// As the dispatcher's pass.
    pub async fn dispatch(&self) -> Result<usize, Error> {
        let dispatcher = Dispatcher { worker_id: "test".to_owned(), providers: self.providers.clone() };
        dispatcher.dispatch_once(&self.app).await
    }

    /// Every message the development provider has written, oldest first.
    pub fn written(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.app.settings().messaging.outbox_file)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// A caller presenting `token` from a test address.
    pub fn caller(&self, token: Option<&str>) -> Caller {
        Caller::new(
            token.map(str::to_owned),
            crate::audit::Origin { request_id: None, client_address: Some("192.0.2.1".to_owned()) },
        )
    }
}

impl Drop for UseCases {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.app.settings().messaging.outbox_file);
    }
}

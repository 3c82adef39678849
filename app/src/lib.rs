//! The use cases of the NHSmail dental practice registration service, one module per area:
//! the registration journey, review and provisioning, accounts, the helpdesk, reference data and
//! the outbox. Each use case takes typed input and returns typed output or one [`Error`]; none
//! knows of HTTP. Rules live in `domain`; storage in `persistence`; this layer puts them
//! together in transactions, with the clock, secrets and messages they need.
//!
//! Everything goes through [`App`], cheap to clone, which holds the database pool and the
//! services a use case may need. Database work runs on tokio's blocking pool, never on the
//! async workers that called it.

pub mod accounts;
pub mod application;
pub mod audit;
pub mod clock;
pub mod error;
pub mod expiry;
pub mod helpdesk;
pub mod joiners;
pub mod limits;
pub mod mailshots;
pub mod outbox;
pub mod paging;
pub mod passwords;
pub mod reference;
mod refresh;
pub mod registration;
pub mod review;
pub mod scheduler;
pub mod secrets;
pub mod settings;
mod sign_in;
pub mod testing;
pub mod tokens;
pub mod vitals;

pub use error::{Error, ErrorKind, ExistingApplication, Extras, FieldError, Validator};
pub use persistence::{Backend, DatabaseUrl};
pub use settings::Settings;

use audit::Origin;
use clock::Clock;
use passwords::Passwords;
use persistence::{Database, DbConnection, PoolOptions};
use secrets::Hasher;
use std::sync::Arc;
use tokens::Tokens;

/// How long a readiness probe waits for a database connection: orchestrators need an answer
/// quickly, whatever the pool's own timeout.
const READINESS_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Who is asking: the bearer token presented, if any, and where the request came from. Every
/// use case for a signed-in user or an applicant takes one and decides for itself what the
/// token opens, in the same database round trip as the work.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub token: Option<String>,
    pub origin: Origin,
}

impl Caller {
    pub fn new(token: Option<String>, origin: Origin) -> Self {
        Self { token, origin }
    }
}

/// The service: settings, the database and the helpers every use case shares.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Arc<Settings>,
    db: Database,
    clock: Arc<dyn Clock>,
    hasher: Hasher,
    passwords: Passwords,
    tokens: Tokens,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("backend", &self.inner.db.backend()).finish_non_exhaustive()
    }
}

impl App {
    /// Opens the database (applying migrations), starts the password-hashing threads and loads
    /// the sample data into an empty database when the settings ask for it.
    pub fn start(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let db = Database::connect(
            &settings.database.url,
            PoolOptions { max_size: settings.database.pool_size, connection_timeout: settings.database.timeout },
        )
        .map_err(|e| anyhow::anyhow!("cannot open the database at {}: {e}", settings.database.url))?;
        let applied = db.run_migrations().map_err(|e| anyhow::anyhow!("cannot apply database migrations: {e}"))?;
        if !applied.is_empty() {
            log::info!("applied migrations: {}", applied.join(", "));
        }
        let app = Self::with_database(settings, db, clock)?;
        if app.inner.settings.load_sample_data {
            app.load_sample_data()?;
        }
        Ok(app)
    }

    /// Uses an open database as it is (no migrations, no sample data).
    pub fn with_database(settings: Settings, db: Database, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let hasher = Hasher::new(&settings.secret_key);
        let passwords = Passwords::new(settings.argon2, settings.password_hashing_concurrency)?;
        let tokens = Tokens::new(&settings.jwt);
        let settings = Arc::new(settings);
        Ok(Self { inner: Arc::new(Inner { settings, db, clock, hasher, passwords, tokens }) })
    }

    fn load_sample_data(&self) -> anyhow::Result<()> {
        let mut conn = self.inner.db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
        if let Some((practices, locations)) = reference::load_sample_if_empty(&mut conn, &self.inner.hasher, self.now())
            .map_err(|e| anyhow::anyhow!("{e}"))?
        {
            log::info!(
                "loaded sample data: {} practices in the register, {} CQC locations",
                practices.created,
                locations.created
            );
        }
        Ok(())
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The settings, to move into work done elsewhere (a blocking task).
    pub fn shared_settings(&self) -> Arc<Settings> {
        Arc::clone(&self.inner.settings)
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    pub fn backend(&self) -> Backend {
        self.inner.db.backend()
    }

    pub(crate) fn hasher(&self) -> &Hasher {
        &self.inner.hasher
    }

    pub(crate) fn passwords(&self) -> &Passwords {
        &self.inner.passwords
    }

    pub(crate) fn tokens(&self) -> &Tokens {
        &self.inner.tokens
    }

    pub(crate) fn database(&self) -> &Database {
        &self.inner.db
    }

    /// Runs blocking database work on the blocking pool, never on an async worker.
    pub(crate) async fn db<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, Error> + Send + 'static,
    {
        let db = self.inner.db.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.get()?;
            work(&mut conn)
        })
        .await
        .map_err(|e| Error::unavailable(format!("blocking pool: {e}")))?
    }

    /// Runs blocking database work with the use cases' services at hand (settings, clock, secrets).
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection, &App) -> Result<T, Error> + Send + 'static,
    {
        let app = self.clone();
        self.db(move |conn| work(conn, &app)).await
    }

    /// As [`Self::run`], running `work` again (up to three times, after a short pause) when
    /// concurrent transactions collided; what is left is a 503 to retry, never a 500.
    pub(crate) async fn run_retrying<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: Fn(&mut DbConnection, &App) -> Result<T, Error> + Send + Sync + 'static,
    {
        let work = Arc::new(work);
        let mut attempt = 0u64;
        loop {
            attempt += 1;
            let step = work.clone();
            match self.run(move |conn, app| step(conn, app)).await {
                Err(error) if error.is_contention() && attempt < 3 => {
                    log::info!("transactions collided; trying again (attempt {attempt}): {error}");
                    tokio::time::sleep(std::time::Duration::from_millis(20 * attempt)).await;
                }
                other => return other,
            }
        }
    }

    /// Readiness: the database answers within a second and every migration is applied.
    pub async fn readiness(&self) -> Result<Backend, Error> {
        let db = self.inner.db.clone();
        let backend = db.backend();
        let pending = tokio::task::spawn_blocking(move || db.pending_migrations_within(Some(READINESS_WAIT)))
            .await
            .map_err(|e| Error::unavailable(format!("blocking pool: {e}")))?
            .map_err(|e| {
                Error::unavailable(format!("readiness: {e}"))
                    .detail("The database cannot be reached.")
                    .with_code(domain::ProblemCode::DatabaseUnavailable, None)
            })?;
        if pending > 0 {
            return Err(Error::new(ErrorKind::Unavailable)
                .detail(format!("{pending} database migrations are not applied yet."))
                .with_code(domain::ProblemCode::MigrationsPending, None)
                .retry_after(5));
        }
        Ok(backend)
    }
}

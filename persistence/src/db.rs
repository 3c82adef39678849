//! Connections, the pool, migrations and write transactions, for SQLite and PostgreSQL alike.

use crate::error::StoreError;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self as diesel_r2d2, ManageConnection, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A connection to either backend. Queries written once against it run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Inserts many rows in one statement (`insert_rows!(conn, table, &rows)`): diesel's multi-row
/// insert needs the backend's own connection, so the statement is written once for each.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgres(pg) => diesel::insert_into($table).values($rows).execute(pg),
            $crate::db::DbConnection::Sqlite(sqlite) => diesel::insert_into($table).values($rows).execute(sqlite),
        }
    };
}
pub(crate) use insert_rows;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Arbitrary constant key for the PostgreSQL advisory lock that serialises migrations when
/// several replicas start at once.
const MIGRATION_LOCK_KEY: i64 = 0x6e68_7364_656e_7431;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// Where the data lives: `sqlite://PATH` or `postgres://…` (also `postgresql://…`).
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("DATABASE_URL must be sqlite://PATH or postgres://USER@HOST/DATABASE")]
pub struct DatabaseUrlError;

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, DatabaseUrlError> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DatabaseUrlError);
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        Err(DatabaseUrlError)
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Prints the URL without any password, so it can be logged.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Self::Postgres(url) => {
                let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
                match rest.split_once('@') {
                    Some((credentials, host)) => {
                        let user = credentials.split(':').next().unwrap_or("");
                        write!(f, "{scheme}://{user}:***@{host}")
                    }
                    None => write!(f, "{scheme}://{rest}"),
                }
            }
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// Opens connections of the right kind and prepares each SQLite connection as it opens.
pub struct Manager {
    url: DatabaseUrl,
}

/// Set on every SQLite connection: wait for locks rather than fail at once, foreign keys
/// enforced, and deleted content overwritten with zeros rather than left readable in free space
/// (erased personal data must be gone from the file, not just unlinked).
const SQLITE_PRAGMAS: &str =
    "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;";

/// Set once, before the pool opens: write-ahead logging, so readers never block the writer. The
/// mode is kept in the file; switching it needs the database to itself, which connections the
/// pool opens side by side would not give it.
const SQLITE_JOURNAL: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;";

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel_r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn = SqliteConnection::establish(&path).map_err(diesel_r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS).map_err(diesel_r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                PgConnection::establish(url).map(DbConnection::Postgres).map_err(diesel_r2d2::Error::ConnectionError)
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel_r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    pub max_size: u32,
    /// How long a request waits for a free connection before it is answered 503.
    pub connection_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self { max_size: 10, connection_timeout: Duration::from_secs(5) }
    }
}

pub type PooledConnection = r2d2::PooledConnection<Manager>;

/// The connection pool. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    /// Callers waiting for a connection now.
    waiting: Arc<AtomicUsize>,
}

/// How the pool stands, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    /// The most connections the pool opens.
    pub max_size: u32,
    /// Connections open now, idle or lent out.
    pub open: u32,
    pub idle: u32,
    /// Callers waiting for a connection.
    pub waiting: usize,
}

impl Database {
    /// Opens the pool, creating the SQLite file's folder if needed. Fails if the database cannot
    /// be reached within the connection timeout.
    pub fn connect(url: &DatabaseUrl, options: PoolOptions) -> Result<Self, StoreError> {
        if let DatabaseUrl::Sqlite(path) = url {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|e| StoreError::Unavailable(format!("cannot create {}: {e}", parent.display())))?;
            }
            let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
            conn.batch_execute(SQLITE_JOURNAL).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        }
        let pool = r2d2::Pool::builder()
            .max_size(options.max_size)
            .connection_timeout(options.connection_timeout)
            .build(Manager { url: url.clone() })
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Self { pool, backend: url.backend(), waiting: Arc::new(AtomicUsize::new(0)) })
    }

    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            max_size: self.pool.max_size(),
            open: state.connections,
            idle: state.idle_connections,
            waiting: self.waiting.load(Ordering::Relaxed),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection from the pool; `Unavailable` when none frees up in time or the database is down.
    pub fn get(&self) -> Result<PooledConnection, StoreError> {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let got = self.pool.get();
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        got.map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    fn migrations(&self) -> EmbeddedMigrations {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        }
    }

    /// Applies pending migrations; returns the versions applied. On PostgreSQL an advisory lock
    /// makes replicas that start together take turns.
    pub fn run_migrations(&self) -> Result<Vec<String>, StoreError> {
        let mut conn = self.get()?;
        let migrations = self.migrations();
        if self.backend == Backend::Postgres {
            conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
        }
        let applied = conn
            .run_pending_migrations(migrations)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(|e| StoreError::Migration(e.to_string()));
        if self.backend == Backend::Postgres {
            conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
        }
        applied
    }

    /// Applies the pending migrations one at a time, up to and including `version`, as an older
    /// release of the service would have left the database (for upgrade tests).
    pub fn run_migrations_through(&self, version: &str) -> Result<(), StoreError> {
        let mut conn = self.get()?;
        loop {
            let pending =
                conn.pending_migrations(self.migrations()).map_err(|e| StoreError::Migration(e.to_string()))?;
            let Some(next) = pending.first() else { return Ok(()) };
            let name = next.name().version().to_string();
            if name.as_str() > version {
                return Ok(());
            }
            conn.run_next_migration(self.migrations()).map_err(|e| StoreError::Migration(e.to_string()))?;
        }
    }

    /// Number of migrations not yet applied (0 when the schema is current).
    pub fn pending_migrations(&self) -> Result<usize, StoreError> {
        self.pending_migrations_within(None)
    }

    /// As [`Self::pending_migrations`], waiting at most `wait` for a connection (readiness
    /// probes must answer quickly when the database is down).
    pub fn pending_migrations_within(&self, wait: Option<Duration>) -> Result<usize, StoreError> {
        let mut conn = match wait {
            Some(wait) => self.pool.get_timeout(wait).map_err(|e| StoreError::Unavailable(e.to_string()))?,
            None => self.get()?,
        };
        conn.pending_migrations(self.migrations())
            .map(|pending| pending.len())
            .map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// Checks the database answers a query.
    pub fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.get()?;
        conn.ping().map_err(StoreError::from)
    }
}

/// Write transactions of this process now waiting for SQLite's write lock. SQLite does not queue
/// writers: one waiting looks again only after growing pauses (its busy timeout), so a process
/// writing batch after batch (an import) could keep it waiting for long. Such a process lets these
/// go first ([`let_waiting_writers_in`]).
static WAITING_FOR_SQLITE_WRITE_LOCK: AtomicUsize = AtomicUsize::new(0);

/// Counts a transaction as waiting for the write lock until it has it (or gave up).
struct Waiting;

impl Waiting {
    fn start() -> Self {
        WAITING_FOR_SQLITE_WRITE_LOCK.fetch_add(1, Ordering::SeqCst);
        Self
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        WAITING_FOR_SQLITE_WRITE_LOCK.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Before a long writer's next SQLite transaction: waits (at most `limit`) until no other write
/// transaction of this process is waiting for the write lock, so that they take it first.
pub fn let_waiting_writers_in(limit: Duration) {
    let started = std::time::Instant::now();
    while WAITING_FOR_SQLITE_WRITE_LOCK.load(Ordering::SeqCst) > 0 && started.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Runs `f` in one transaction that holds the write lock from its start: `BEGIN IMMEDIATE` on
/// SQLite, so concurrent writers queue on the busy timeout instead of failing half way; an
/// ordinary transaction on PostgreSQL, where row locks and constraints order writers. Rolls
/// back when `f` returns an error.
pub fn write_transaction<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<StoreError>,
{
    let begun = match conn {
        DbConnection::Sqlite(inner) => {
            let _waiting = Waiting::start();
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")
        }
        DbConnection::Postgres(_) => <DbConnection as TransactionManager<DbConnection>>::begin_transaction(conn),
    };
    begun.map_err(StoreError::from)?;
    match f(conn) {
        Ok(value) => {
            <DbConnection as TransactionManager<DbConnection>>::commit_transaction(conn).map_err(StoreError::from)?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = <DbConnection as TransactionManager<DbConnection>>::rollback_transaction(conn) {
                log::error!("rollback failed after an error: {rollback}");
            }
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_name_their_backend() {
        assert_eq!(DatabaseUrl::parse("sqlite://./data/x.db").unwrap(), DatabaseUrl::Sqlite("./data/x.db".into()));
        assert_eq!(DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap(), DatabaseUrl::Sqlite("/tmp/x.db".into()));
        assert_eq!(DatabaseUrl::parse("postgres://u@h/db").unwrap().backend(), Backend::Postgres);
        assert_eq!(DatabaseUrl::parse("postgresql://u@h/db").unwrap().backend(), Backend::Postgres);
        for bad in ["", "sqlite://", "mysql://h/db", "./data/x.db"] {
            assert_eq!(DatabaseUrl::parse(bad), Err(DatabaseUrlError), "{bad}");
        }
    }

    #[test]
    fn database_urls_print_without_passwords() {
        let url = DatabaseUrl::parse("postgres://dental:s3cret@db:5432/dental").unwrap();
        assert_eq!(url.to_string(), "postgres://dental:***@db:5432/dental");
        assert!(!format!("{url:?}").contains("s3cret"));
        let url = DatabaseUrl::parse("postgres://db/dental").unwrap();
        assert_eq!(url.to_string(), "postgres://db/dental");
    }
}

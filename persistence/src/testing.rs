//! Fresh, isolated databases for tests: a temporary SQLite file, or a new schema in the
//! PostgreSQL database named by `TEST_POSTGRES_URL`. Each is removed when dropped, so tests never
//! share data and can run in parallel.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use std::path::PathBuf;

/// The environment variable naming a PostgreSQL database tests may create schemas in.
pub const POSTGRES_URL_VAR: &str = "TEST_POSTGRES_URL";

/// The PostgreSQL URL for tests, if one is configured (an empty value counts as none).
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR).ok().filter(|url| !url.trim().is_empty())
}

static QUERIES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

struct CountQueries;

impl diesel::connection::Instrumentation for CountQueries {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        if matches!(event, diesel::connection::InstrumentationEvent::StartQuery { .. }) {
            QUERIES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// Counts every query of every connection opened from now on, in this process (for tests that
/// prove a use case costs a bounded number of queries; run them in a test binary of their own).
pub fn count_queries() {
    diesel::connection::set_default_instrumentation(|| Some(Box::new(CountQueries)))
        .unwrap_or_else(|e| panic!("cannot install the query counter: {e}"));
}

/// Queries counted so far (see [`count_queries`]).
pub fn queries_so_far() -> usize {
    QUERIES.load(std::sync::atomic::Ordering::SeqCst)
}

pub struct TestDatabase {
    /// `DATABASE_URL` for the application under test.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteDir(PathBuf),
    PostgresSchema { admin_url: String, schema: String },
}

impl TestDatabase {
    /// A new SQLite database file in a new temporary folder.
    pub fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(format!("dental-test-{}", uuid::Uuid::new_v4().simple()));
        let url = format!("sqlite://{}", dir.join("test.db").display());
        Self { url, cleanup: Cleanup::SqliteDir(dir) }
    }

    /// A new, empty schema in the PostgreSQL database at `base_url`; the returned URL makes it the
    /// connection's search path. Panics, naming the URL's host, if PostgreSQL cannot be reached:
    /// a configured PostgreSQL that is down must fail tests loudly, never skip them.
    pub fn postgres(base_url: &str) -> Self {
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(base_url)
            .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is set but PostgreSQL is unreachable: {e}"));
        conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap_or_else(|e| panic!("cannot create test schema {schema}: {e}"));
        let separator = if base_url.contains('?') { '&' } else { '?' };
        let url = format!("{base_url}{separator}options=-csearch_path%3D{schema}");
        Self { url, cleanup: Cleanup::PostgresSchema { admin_url: base_url.to_owned(), schema } }
    }

    /// SQLite, and PostgreSQL too when `TEST_POSTGRES_URL` is set: the databases every test of
    /// storage runs on.
    pub fn each() -> Vec<Self> {
        let mut all = vec![Self::sqlite()];
        if let Some(url) = postgres_url() {
            all.push(Self::postgres(&url));
        }
        all
    }

    /// A pool on this database with the schema migrated.
    pub fn open(&self) -> crate::Database {
        let url = crate::DatabaseUrl::parse(&self.url).unwrap_or_else(|e| panic!("a test database URL: {e}"));
        let db = crate::Database::connect(&url, crate::PoolOptions::default())
            .unwrap_or_else(|e| panic!("the test database opens: {e}"));
        db.run_migrations().unwrap_or_else(|e| panic!("the migrations apply: {e}"));
        db
    }

    pub fn backend_name(&self) -> &'static str {
        match self.cleanup {
            Cleanup::SqliteDir(_) => "sqlite",
            Cleanup::PostgresSchema { .. } => "postgres",
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PostgresSchema { admin_url, schema } => {
                if let Ok(mut conn) = PgConnection::establish(admin_url) {
                    let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
                }
            }
        }
    }
}

/// Every statement run, by its SQL: how many times, and whether a connection cached it.
static STATEMENTS: std::sync::Mutex<std::collections::BTreeMap<String, (usize, bool)>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

struct WatchStatements;

impl diesel::connection::Instrumentation for WatchStatements {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        use diesel::connection::InstrumentationEvent;
        let mut statements = STATEMENTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                let text = query.to_string();
                let sql = text.split(" -- binds:").next().unwrap_or_default().to_owned();
                statements.entry(sql).or_default().0 += 1;
            }
            InstrumentationEvent::CacheQuery { sql, .. } => statements.entry(sql.to_owned()).or_default().1 = true,
            _ => {}
        }
    }
}

/// Watches every statement of every connection opened from now on, in this process, to find
/// those prepared again on every run ([`uncached_statements`]); a diagnostic for benchmarks.
pub fn watch_statements() {
    diesel::connection::set_default_instrumentation(|| Some(Box::new(WatchStatements)))
        .unwrap_or_else(|e| panic!("cannot install the statement watch: {e}"));
}

/// The statements run more than once and never cached, or with a bound `LIMIT` (which SQLite
/// plans with its value, so it prepares the statement again on every run), most run first:
/// `(runs, sql)`.
pub fn uncached_statements() -> Vec<(usize, String)> {
    let statements = STATEMENTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let replanned = |sql: &str| sql.contains("LIMIT ?") || sql.contains("LIMIT $");
    let mut found: Vec<(usize, String)> = statements
        .iter()
        .filter(|(sql, (runs, cached))| *runs > 1 && (!cached || replanned(sql)))
        .map(|(sql, (runs, _))| (*runs, sql.clone()))
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    found
}

/// Inserts a bare draft application `id` whose token hash is `hash-{id}` (for tests of the
/// storage layer, which need a row to work on without the journey that makes one).
pub fn insert_draft(
    conn: &mut crate::DbConnection,
    id: &str,
    claimed_location: Option<&str>,
    expires_at: chrono::DateTime<chrono::Utc>,
) -> Result<(), crate::StoreError> {
    use crate::schema::applications;
    let now = crate::time::to_db(chrono::Utc::now());
    diesel::insert_into(applications::table)
        .values((
            applications::id.eq(id),
            applications::token_hash.eq(format!("hash-{id}")),
            applications::status.eq("draft"),
            applications::has_nhsmail_account.eq(false),
            applications::ig_return_submitted.eq(true),
            applications::recent_passcode_received.eq(false),
            applications::knows_cqc_contact_id.eq(true),
            applications::passcode_channel.eq("post"),
            applications::claimed_location_id.eq(claimed_location),
            applications::created_at.eq(now),
            applications::updated_at.eq(now),
            applications::last_activity_at.eq(now),
            applications::expires_at.eq(crate::time::to_db(expires_at)),
        ))
        .execute(conn)?;
    Ok(())
}

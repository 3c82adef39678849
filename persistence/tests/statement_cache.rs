//! The statements of the hot paths are prepared once per connection and then taken from diesel's
//! statement cache (re-preparing a statement costs SQLite more than running it: an `UPDATE`, an
//! `IN` list or a DEFAULT value silently opts a statement out, and a bound `LIMIT` makes SQLite
//! plan it again on every run). Runs on SQLite,
//! and on PostgreSQL when `TEST_POSTGRES_URL` is set.
//!
//! The cache is watched for the whole process, so this file holds one test and runs alone.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use diesel::connection::{Instrumentation, InstrumentationEvent};
use persistence::applications::MemberFields;
use persistence::audit::{self, Actor, AuditEntry, Origin};
use persistence::testing::TestDatabase;
use persistence::{DbConnection, applications as store};
use std::sync::Mutex;

/// The SQL of every statement put in a connection's cache so far, and of each statement run
/// since the last look.
static SEEN: Mutex<(Vec<String>, Vec<String>)> = Mutex::new((Vec::new(), Vec::new()));

struct Watch;

impl Instrumentation for Watch {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        let mut seen = SEEN.lock().unwrap();
        match event {
            InstrumentationEvent::CacheQuery { sql, .. } => seen.0.push(sql.to_owned()),
            InstrumentationEvent::StartQuery { query, .. } => {
                let text = query.to_string();
                seen.1.push(text.split(" -- binds:").next().unwrap_or_default().to_owned());
            }
            _ => {}
        }
    }
}

/// Something the service does with a connection.
type Work<'a> = dyn Fn(&mut DbConnection) + 'a;

/// SQLite plans `LIMIT ?` with the bound value, so a statement with one is prepared again on
/// every run however diesel caches it (SQLite's `sqlite3Reprepare`, seen in a profile of reads).
fn replanned(sql: &str) -> bool {
    sql.contains("LIMIT ?") || sql.contains("LIMIT $")
}

/// The statements `work` ran that were not taken from the cache (run the first time work is
/// done, a statement is cached as it is prepared; the second time, it must come from there).
fn uncached_by(conn: &mut DbConnection, work: &Work<'_>) -> (Vec<String>, usize) {
    SEEN.lock().unwrap().1.clear();
    work(conn);
    let seen = SEEN.lock().unwrap();
    let uncached = seen.1.iter().filter(|sql| !seen.0.contains(sql) || replanned(sql)).cloned().collect();
    (uncached, seen.1.len())
}

#[test]
fn the_hot_paths_statements_are_prepared_once_per_connection() {
    diesel::connection::set_default_instrumentation(|| Some(Box::new(Watch))).unwrap();
    for test_db in TestDatabase::each() {
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        persistence::testing::insert_draft(&mut conn, "cache-1", None, Utc::now() + Duration::days(30)).unwrap();
        let n = std::cell::Cell::new(0);
        let next = || {
            n.set(n.get() + 1);
            n.get()
        };
        let (actor, origin) = (Actor { kind: "applicant", id: Some("cache-1".to_owned()) }, Origin::default());
        let hot: [(&str, &Work<'_>); 12] = [
            ("authenticating a draft change (touch_live_draft)", &|conn| {
                let later = Utc::now() + Duration::days(30);
                let row = store::touch_live_draft(conn, ("cache-1", "hash-cache-1"), Utc::now(), later).unwrap();
                assert!(row.is_some());
            }),
            ("counting a change as activity (touch)", &|conn| {
                assert!(store::touch(conn, "cache-1", Utc::now(), Utc::now() + Duration::days(30)).unwrap());
            }),
            ("locking an application", &|conn| {
                assert_eq!(store::lock(conn, "cache-1").unwrap().id, "cache-1");
            }),
            ("counting an attempt against its limit", &|conn| {
                persistence::attempts::lock_subject(conn, "verification", "cache-1", Utc::now()).unwrap();
            }),
            ("finding an application by its token", &|conn| {
                assert!(store::find_by_token_hash(conn, "hash-cache-1").unwrap().is_some());
            }),
            ("reading an application", &|conn| {
                assert_eq!(store::get(conn, "cache-1").unwrap().id, "cache-1");
            }),
            ("reading its register entry (route A)", &|conn| {
                persistence::reference::practice(conn, "no-such-practice").unwrap();
            }),
            ("reading its CQC directory entry (route B)", &|conn| {
                persistence::reference::cqc_location(conn, "1-000000000").unwrap();
            }),
            ("reading its members", &|conn| {
                store::members(conn, "cache-1").unwrap();
            }),
            ("adding a member", &|conn| {
                let i = next();
                let fields = MemberFields {
                    title: None,
                    first_name: "Ann".to_owned(),
                    last_name: "Smith".to_owned(),
                    email: format!("ann{i}@example.com"),
                    mobile: format!("+4477009000{i:02}"),
                    role: "dentist".to_owned(),
                    permission: "access".to_owned(),
                };
                store::insert_member(conn, "cache-1", (&format!("member-{i}"), i), &fields, Utc::now()).unwrap();
            }),
            ("reserving a mobile", &|conn| {
                store::reserve_mobile(conn, &format!("+4477009001{:02}", next()), "cache-1", Utc::now()).unwrap();
            }),
            ("recording an audit event", &|conn| {
                let entry = AuditEntry {
                    actor: &actor,
                    origin: &origin,
                    action: "member.added",
                    object_type: "application",
                    object_id: Some("cache-1"),
                    details: serde_json::json!({}),
                };
                audit::record(conn, &entry, Utc::now()).unwrap();
            }),
        ];
        let mut uncached = Vec::new();
        for (what, work) in hot {
            uncached_by(&mut conn, work);
            let (again, ran) = uncached_by(&mut conn, work);
            assert!(ran >= 1, "{what} runs a statement");
            if !again.is_empty() {
                uncached.push(format!("{what}: {again:?}"));
            }
        }
        assert!(uncached.is_empty(), "{}: not taken from the cache:\n{}", test_db.backend_name(), uncached.join("\n"));
    }
}

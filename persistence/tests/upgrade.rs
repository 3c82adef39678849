//! Upgrading a database that holds data: every migration after the first release applies to a
//! populated database on both backends and loses nothing (SQLite rebuilds tables to change their
//! constraints, which must neither cascade deletes nor leave foreign keys off).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use persistence::testing::{TestDatabase, postgres_url};
use persistence::{Database, DatabaseUrl, PoolOptions};

/// The last migration of the first release.
const FIRST_RELEASE: &str = "20261121000004";

const DATA: &str = "
INSERT INTO applications (id, token_hash, status, has_nhsmail_account, ig_return_submitted,
    recent_passcode_received, knows_cqc_contact_id, passcode_channel, route, town, created_at,
    updated_at, last_activity_at, expires_at)
VALUES ('app-1', 'hash-1', 'approved', false, true, false, false, 'post', 'b', 'wimbledon',
    '2026-11-01 10:00:00', '2026-11-01 10:00:00', '2026-11-01 10:00:00', '2026-12-01 10:00:00');
INSERT INTO members (id, application_id, position, first_name, last_name, email, mobile, role,
    permission, created_at, updated_at)
VALUES ('member-1', 'app-1', 0, 'David', 'Smith', 'd@example.com', '+447900000001', 'dentist',
    'owner', '2026-11-01 10:00:00', '2026-11-01 10:00:00');
INSERT INTO mobile_reservations (mobile, application_id, reserved_at)
VALUES ('+447900000002', 'app-1', '2026-11-01 10:00:00');
INSERT INTO shared_mailboxes (id, address, practice_name, ods_code, cqc_location_id,
    application_id, created_at)
VALUES ('mailbox-1', 'nhsdental.wimbledon.samplev12345@nhs.net', 'SAMPLE', 'V12345',
    '1-1002733005', 'app-1', '2026-11-01 10:00:00');
INSERT INTO accounts (id, username, status, first_name, last_name, mobile, password_is_temporary,
    mobile_visible, application_id, created_at, updated_at, security_questions_set_at)
VALUES ('account-1', 'david.smith@nhs.net', 'active', 'David', 'Smith', '+447900000001', false,
    false, 'app-1', '2026-11-01 10:00:00', '2026-11-01 10:00:00', '2026-11-02 10:00:00');
INSERT INTO mailbox_memberships (mailbox_id, account_id, is_owner, is_admin, created_at)
VALUES ('mailbox-1', 'account-1', true, true, '2026-11-01 10:00:00');
INSERT INTO security_answers (account_id, question, answer_hash, created_at)
VALUES ('account-1', 'first_pet', 'hash', '2026-11-02 10:00:00');
INSERT INTO password_history (id, account_id, password_hash, created_at)
VALUES ('history-1', 'account-1', 'old-hash', '2026-11-02 10:00:00');
";

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut persistence::DbConnection, table: &str) -> i64 {
    let rows: Vec<Count> = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).load(conn).unwrap();
    rows[0].n
}

fn upgrade_keeps_everything(database: TestDatabase) {
    let url = DatabaseUrl::parse(&database.url).unwrap();
    let db = Database::connect(&url, PoolOptions { max_size: 1, ..Default::default() }).unwrap();
    db.run_migrations_through(FIRST_RELEASE).unwrap();
    db.get().unwrap().batch_execute(DATA).unwrap();
    let applied = db.run_migrations().unwrap();
    assert!(!applied.is_empty(), "later migrations were applied to the populated database");
    let mut conn = db.get().unwrap();
    for table in [
        "applications",
        "members",
        "mobile_reservations",
        "shared_mailboxes",
        "accounts",
        "mailbox_memberships",
        "security_answers",
        "password_history",
    ] {
        assert_eq!(count(&mut conn, table), 1, "{table} keeps its row on {}", database.backend_name());
    }
    // Foreign keys are enforced again after the rebuild.
    let orphan = conn.batch_execute(
        "INSERT INTO members (id, application_id, position, first_name, last_name, email, mobile, role, \
         permission, created_at, updated_at) VALUES ('member-2', 'no-such-application', 1, 'A', 'B', \
         'a@example.com', '+447900000009', 'dentist', 'none', '2026-11-01 10:00:00', '2026-11-01 10:00:00')",
    );
    assert!(orphan.is_err(), "a member of no application is refused on {}", database.backend_name());
    // The tightened constraints hold.
    let bad_town = conn.batch_execute("UPDATE applications SET town = 'Not A Town' WHERE id = 'app-1'");
    assert!(bad_town.is_err(), "R-T2: the database refuses a town that is not 1 to 10 lower-case letters");
    let deleted = conn.batch_execute("UPDATE accounts SET status = 'deleted' WHERE id = 'account-1'");
    assert!(deleted.is_err(), "no account status beyond the domain's");
}

#[test]
fn sqlite_upgrades_a_populated_database_without_loss() {
    upgrade_keeps_everything(TestDatabase::sqlite());
}

#[test]
fn postgres_upgrades_a_populated_database_without_loss() {
    let Some(base) = postgres_url() else {
        eprintln!("TEST_POSTGRES_URL is not set: PostgreSQL is not tried");
        return;
    };
    upgrade_keeps_everything(TestDatabase::postgres(&base));
}

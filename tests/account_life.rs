//! Life after registration (R-L4): an unused account is warned, made inactive, warned again and
//! deleted, in simulated time; deletion erases every trace of the person from every table and
//! retires the username for good; use and reactivation start the clock again.

use crate::accounts::{NEW_PASSWORD, activate, provisioned, sign_in};
use app::scheduler::Job;
use blackbox::journey::*;
use blackbox::{TestApp, assert_problem, on_each_backend, send};
use chrono::Duration;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

/// Runs `job` now (waiting while the server's own scheduler holds it), then delivers what it
/// queued.
pub(crate) fn run_job(app: &TestApp, job: Job) {
    let use_cases = app.use_cases();
    let runtime = actix_web::rt::System::new();
    while runtime.block_on(app::scheduler::run_job(&use_cases, "replica@test:1", job)).unwrap().is_none() {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    while app.dispatch() > 0 {}
}

fn run_inactivity_job(app: &TestApp) {
    run_job(app, Job::AccountInactivity);
}

/// How many messages of `template` went to `to` about `account`, once every message about it
/// has been delivered.
fn sent_with(app: &TestApp, template: &str, to: &str, account: &str) -> usize {
    let queued = |app: &TestApp| {
        let db = app.database();
        let mut conn = db.get().unwrap();
        let messages = persistence::outbox::for_subject(&mut conn, "account", account).unwrap();
        messages.iter().filter(|m| m.status == "pending" || m.status == "sending").count()
    };
    let deadline = std::time::Instant::now() + blackbox::DELIVERY_WAIT;
    while queued(app) > 0 {
        assert!(std::time::Instant::now() < deadline, "messages stayed queued");
        app.dispatch();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    app.outbox().iter().filter(|m| m["template"] == template && m["to"] == to).count()
}

#[derive(QueryableByName)]
struct Cell {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

fn texts(conn: &mut persistence::DbConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql).load::<Cell>(conn).unwrap().into_iter().filter_map(|c| c.v).collect()
}

/// Every value in every column of every table, as text, with the table it is in.
pub(crate) fn every_stored_value(app: &TestApp) -> Vec<(String, String)> {
    let db = app.database();
    let mut conn = db.get().unwrap();
    let (tables, columns): (String, fn(&str) -> String) = if app.backend == "sqlite" {
        ("SELECT name AS v FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'".to_owned(), |t| {
            format!("SELECT name AS v FROM pragma_table_info('{t}')")
        })
    } else {
        (
            "SELECT table_name::text AS v FROM information_schema.tables WHERE table_schema = current_schema()"
                .to_owned(),
            |t| {
                format!(
                    "SELECT column_name::text AS v FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{t}'"
                )
            },
        )
    };
    let mut values = Vec::new();
    for table in texts(&mut conn, &tables) {
        for column in texts(&mut conn, &columns(&table)) {
            for value in texts(&mut conn, &format!("SELECT CAST(\"{column}\" AS TEXT) AS v FROM \"{table}\"")) {
                values.push((table.clone(), value));
            }
        }
    }
    values
}

/// The embedded database's files (the database and its write-ahead log) in which `value` can be
/// read as raw bytes; none on PostgreSQL, whose files this test cannot see.
pub(crate) fn sqlite_files_holding(app: &TestApp, value: &str) -> Vec<String> {
    if app.backend != "sqlite" {
        return Vec::new();
    }
    let path = app.database_url().trim_start_matches("sqlite://").to_owned();
    [path.clone(), format!("{path}-wal")]
        .into_iter()
        .filter(|file| std::fs::read(file).unwrap_or_default().windows(value.len()).any(|w| w == value.as_bytes()))
        .collect()
}

#[test]
fn r_l4_an_unused_account_is_warned_made_inactive_warned_again_then_deleted_and_erased() {
    on_each_backend(|app| {
        let (_, members) = provisioned(app);
        let (david, sarah, efan) = (&members[0], &members[1], &members[2]);
        activate(app, david, false);
        activate(app, sarah, false);
        let david_email = "dsmith@businessemail.com";
        let values_before = every_stored_value(app);
        assert!(values_before.iter().any(|(_, v)| v.contains(david_email)), "the scan sees what is stored");

        app.clock.advance(Duration::days(75));
        run_inactivity_job(app);
        assert_eq!(sent_with(app, "inactivity_warning_email", david_email, &david.id), 0, "not warned before day 76");
        app.clock.advance(Duration::days(1));
        run_inactivity_job(app);
        assert_eq!(sent_with(app, "inactivity_warning_email", david_email, &david.id), 1, "warned 14 days ahead");
        run_inactivity_job(app);
        assert_eq!(sent_with(app, "inactivity_warning_email", david_email, &david.id), 1, "and only once");

        // Sarah signs in on day 80: her clock starts again.
        app.clock.advance(Duration::days(4));
        assert_eq!(sign_in(app, &sarah.username, NEW_PASSWORD).0, 201);

        app.clock.advance(Duration::days(10));
        run_inactivity_job(app);
        let (status, problem) = sign_in(app, &david.username, NEW_PASSWORD);
        assert_problem(status, &problem, 401, "unauthorized");
        assert_eq!((problem["code"].as_str(), problem["rule"].as_str()), (Some("account_inactive"), Some("R-L4")));
        let (status, problem) = sign_in(app, &david.username, "not his password at all");
        assert_eq!((status, problem["code"].as_str()), (401, Some("invalid_credentials")), "only the holder learns it");
        assert_eq!(sent_with(app, "account_inactive_email", david_email, &david.id), 1);
        assert_eq!(sign_in(app, &sarah.username, NEW_PASSWORD).0, 201, "a used account stays active");

        // Efan never activated: inactive too; the helpdesk reactivates him, which restarts his clock.
        let (status, changed) =
            send(app.post(&format!("/v1/admin/accounts/{}/enable", efan.id)).bearer_auth(app.helpdesk_token()));
        assert_eq!((status, changed["status"].as_str()), (200, Some("pending_activation")), "{changed:#}");

        app.clock.advance(Duration::days(76));
        run_inactivity_job(app);
        assert_eq!(
            sent_with(app, "deletion_warning_email", david_email, &david.id),
            1,
            "warned 14 days before deletion"
        );
        app.clock.advance(Duration::days(14));
        run_inactivity_job(app);

        // Deleted and erased: no sign-in, and none of his values anywhere.
        let (status, problem) = sign_in(app, &david.username, NEW_PASSWORD);
        assert_eq!((status, problem["code"].as_str()), (401, Some("invalid_credentials")));
        let values_after = every_stored_value(app);
        for value in
            ["David", "Smith", david_email, "07912345678", "+447912345678", david.username.as_str(), david.id.as_str()]
        {
            let left: Vec<_> = values_after
                .iter()
                .filter(|(table, v)| {
                    // Ids stay in the audit log (R-L4: it keeps ids only).
                    v.contains(value) && !(value == david.id && table == "audit_events")
                })
                .collect();
            assert!(left.is_empty(), "{value} is still stored: {left:?}");
        }
        // Gone from the files too, not just unlinked: the database and its write-ahead log.
        let files = sqlite_files_holding(app, david_email);
        assert!(files.is_empty(), "{david_email} is still readable in {files:?}");
        let audit_of_david = values_after.iter().filter(|(t, v)| t == "audit_events" && v == &david.id).count();
        assert!(audit_of_david > 0, "the audit trail keeps his account's id");
        assert!(values_after.iter().any(|(t, _)| t == "shared_mailboxes"), "shared mailboxes are never deleted");
        assert_eq!(
            sign_in(app, &efan.username, &efan.temporary).1["code"],
            "temporary_password_expired",
            "efan remains"
        );

        // R-A2: a new David Smith never gets the retired username.
        let journey = Journey::verified_sample_practice(app);
        journey.add_member(serde_json::json!({"first_name": "David", "last_name": "Smith", "email": "other.david@example.com", "mobile": "07900 111222", "role": "dentist"}));
        journey.add_member(member("Ann", "Other", 2));
        assert_eq!(journey.submit(None).0, 200);
        let (status, view) = send(
            app.post(&format!("/v1/admin/applications/{}/approval", journey.id)).bearer_auth(app.helpdesk_token()),
        );
        assert_eq!(status, 200, "{view:#}");
        let usernames: Vec<&str> =
            view["accounts"].as_array().unwrap().iter().filter_map(|a| a["username"].as_str()).collect::<Vec<_>>();
        assert!(!usernames.contains(&david.username.as_str()), "{usernames:?} reuses {}", david.username);
        assert!(usernames.iter().any(|u| u.starts_with("david.smith")), "{usernames:?}");
    });
}

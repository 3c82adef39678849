//! A page of any list, and each use case that walks a practice's members, costs the same number
//! of queries whatever the number of rows: the directory, the helpdesk's view of an application,
//! and choosing usernames at approval however many similar usernames exist (R-A2).
//!
//! Queries are counted for the whole process, so this file holds one test and runs alone.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::accounts::directory;
use app::testing::UseCases;
use app::tokens::{ACCOUNT_AUDIENCE, Tokens};
use app::{App, Caller, helpdesk, review};
use diesel::connection::SimpleConnection;
use persistence::testing::{TestDatabase, count_queries, queries_so_far};
use persistence::{Database, PoolOptions, admins};

const NOW: &str = "2026-11-01 10:00:00";

fn execute(app: &App, sql: &str) {
    let db =
        Database::connect(&app.settings().database.url, PoolOptions { max_size: 1, ..Default::default() }).unwrap();
    db.get().unwrap().batch_execute(sql).unwrap();
}

/// An application of `status` for the practice with ODS code `ods`, town `wimbledon`.
fn application(id: &str, status: &str, ods: &str) -> String {
    format!(
        "INSERT INTO applications (id, token_hash, status, has_nhsmail_account, ig_return_submitted, \
         recent_passcode_received, knows_cqc_contact_id, passcode_channel, route, postcode, cqc_location_id, \
         practice_name, ods_code, town, submitted_at, created_at, updated_at, last_activity_at, expires_at) \
         VALUES ('{id}', 'hash-{id}', '{status}', false, true, false, false, 'post', 'b', 'SW19 4AB', \
         '1-10{ods}', 'PRACTICE {ods}', '{ods}', 'wimbledon', '{NOW}', '{NOW}', '{NOW}', '{NOW}', '2026-12-30 10:00:00');"
    )
}

fn member(id: &str, application: &str, position: usize, first: &str, last: &str, mobile: &str) -> String {
    format!(
        "INSERT INTO members (id, application_id, position, first_name, last_name, email, mobile, role, permission, \
         created_at, updated_at) VALUES ('{id}', '{application}', {position}, '{first}', '{last}', '{id}@example.com', \
         '{mobile}', 'dentist', '{}', '{NOW}', '{NOW}');",
        if position == 0 { "owner" } else { "access" }
    )
}

fn account(id: &str, username: &str, last: &str, application: Option<&str>, mobile: &str) -> String {
    let application = application.map_or("NULL".to_owned(), |a| format!("'{a}'"));
    format!(
        "INSERT INTO accounts (id, username, status, first_name, last_name, mobile, password_is_temporary, \
         mobile_visible, application_id, created_at, updated_at) VALUES ('{id}', '{username}', 'active', 'Anna', \
         '{last}', '{mobile}', false, false, {application}, '{NOW}', '{NOW}');"
    )
}

fn mailbox(application: &str, ods: &str) -> String {
    format!(
        "INSERT INTO shared_mailboxes (id, address, practice_name, ods_code, cqc_location_id, application_id, created_at) \
         VALUES ('mb-{application}', 'nhsdental.wimbledon.practice{ods}@nhs.net', 'PRACTICE {ods}', '{ods}', '1-10{ods}', \
         '{application}', '{NOW}');"
    )
}

fn message(id: &str, account: &str) -> String {
    format!(
        "INSERT INTO outbox_messages (id, created_at, channel, template, recipient, subject_type, subject_id, payload, \
         contains_secret, status, attempts, next_attempt_at, status_updated_at) VALUES ('{id}', '{NOW}', 'sms', \
         'temporary_password_sms', '+447700900000', 'account', '{account}', '{{}}', false, 'sent', 1, '{NOW}', '{NOW}');"
    )
}

/// A signed-in account holder with a full session.
fn account_holder(use_cases: &UseCases) -> Caller {
    let app = &use_cases.app;
    execute(app, &account("holder", "holder.person@nhs.net", "Person", None, "+447700900999"));
    let now = app.now();
    let expires = now + chrono::Duration::hours(1);
    let db =
        Database::connect(&app.settings().database.url, PoolOptions { max_size: 1, ..Default::default() }).unwrap();
    admins::open_scoped_session(&mut db.get().unwrap(), "session-1", "account", "holder", "full", None, now, expires)
        .unwrap();
    let token = Tokens::new(&app.settings().jwt)
        .issue_scoped(ACCOUNT_AUDIENCE, "holder", "session-1", Some("full"), now, expires)
        .unwrap();
    use_cases.caller(Some(&token))
}

async fn helpdesk_admin(use_cases: &UseCases) -> Caller {
    let app = &use_cases.app;
    helpdesk::create_admin(app, "helpdesk.jane", "Jane Helpdesk", "plinth marmalade oboe lantern").unwrap();
    let signed_in = helpdesk::sign_in(
        app,
        &use_cases.caller(None),
        Some("helpdesk.jane".to_owned()),
        Some("plinth marmalade oboe lantern".to_owned()),
    )
    .await
    .unwrap();
    use_cases.caller(Some(&signed_in.access_token))
}

/// The queries `work` makes.
async fn cost<T>(work: impl std::future::Future<Output = T>) -> (usize, T) {
    let before = queries_so_far();
    let result = work.await;
    (queries_so_far() - before, result)
}

/// `n` people called Smith, each with a practice of their own.
fn smiths(app: &App, from: usize, to: usize) {
    let mut sql = String::new();
    for i in from..to {
        let app_id = format!("smith-app-{i}");
        let ods = format!("V{:05}", 50_000 + i);
        sql.push_str(&application(&app_id, "approved", &ods));
        sql.push_str(&mailbox(&app_id, &ods));
        let username = format!("anna.smith{i}@nhs.net");
        sql.push_str(&account(&format!("smith-{i}"), &username, "Smith", Some(&app_id), &format!("+4477009{i:05}")));
    }
    execute(app, &sql);
}

async fn directory_pages(use_cases: &UseCases) {
    let app = &use_cases.app;
    let holder = account_holder(use_cases);
    let query = || directory::Query { text: Some("smith".to_owned()), cursor: None, limit: Some(20) };
    smiths(app, 0, 1);
    let (one, page) = cost(directory::people(app, &holder, query())).await;
    assert_eq!(page.unwrap().items.len(), 1);
    smiths(app, 1, 20);
    let (twenty, page) = cost(directory::people(app, &holder, query())).await;
    assert_eq!(page.unwrap().items.len(), 20);
    assert_eq!(one, twenty, "R-L9: a page of 20 people costs what a page of 1 does");
}

async fn review_views(use_cases: &UseCases, admin: &Caller) {
    let app = &use_cases.app;
    for (id, ods, size) in [("small", "V00002", 2), ("large", "V00010", 10)] {
        let mut sql = application(id, "approved", ods) + &mailbox(id, ods);
        for i in 0..size {
            let mobile = format!("+4477008{ods}{i}").chars().filter(char::is_ascii_digit).collect::<String>();
            let mobile = format!("+{mobile}");
            let last = format!("Member{}", char::from(b'a' + u8::try_from(i).unwrap()));
            sql += &member(&format!("{id}-m{i}"), id, i, "Joe", &last, &mobile);
            sql += &account(&format!("{id}-a{i}"), &format!("{id}.member{i}@nhs.net"), "Member", Some(id), &mobile);
            sql += &message(&format!("{id}-msg{i}"), &format!("{id}-a{i}"));
        }
        execute(app, &sql);
    }
    let (small, view) = cost(review::queue::view(app, admin, "small")).await;
    assert_eq!(view.unwrap().messages.len(), 2);
    let (large, view) = cost(review::queue::view(app, admin, "large")).await;
    assert_eq!(view.unwrap().messages.len(), 10);
    assert_eq!(small, large, "the helpdesk's view of 10 members costs what 2 do");
}

async fn usernames_at_approval(use_cases: &UseCases, admin: &Caller) {
    let app = &use_cases.app;
    for (id, ods, mobile) in [("first", "V00100", "+447700800001"), ("second", "V00200", "+447700800002")] {
        execute(
            app,
            &(application(id, "submitted", ods) + &member(&format!("{id}-joe"), id, 0, "Joe", "Bloggs", mobile)),
        );
    }
    let (first, approved) = cost(review::approve(app, admin, "first")).await;
    assert_eq!(approved.unwrap().accounts[0].username, "joe.bloggs@nhs.net");
    let mut taken = String::new();
    for n in 1..=30 {
        taken += &account(
            &format!("bloggs-{n}"),
            &format!("joe.bloggs{n}@nhs.net"),
            "Bloggs",
            None,
            &format!("+4477007{n:05}"),
        );
    }
    execute(app, &taken);
    let (second, approved) = cost(review::approve(app, admin, "second")).await;
    assert_eq!(approved.unwrap().accounts[0].username, "joe.bloggs31@nhs.net", "R-A2: the next free number");
    assert_eq!(first, second, "R-A2: finding a free username costs the same however many are taken");
}

/// R-A1–R-A4: provisioning writes each kind of row in one statement, so a member more costs
/// only the update that moves their reserved mobile to their account.
async fn approvals_of_any_size(use_cases: &UseCases, admin: &Caller) {
    let app = &use_cases.app;
    for (id, ods, size) in [("pair", "V00302", 2), ("ten", "V00310", 10)] {
        let mut sql = application(id, "submitted", ods);
        for i in 0..size {
            let mobile = format!("+4477006{:02}{i:03}", ods[4..].parse::<u32>().unwrap());
            let last = format!("Approved{}", char::from(b'a' + u8::try_from(i).unwrap()));
            sql += &member(&format!("{id}-m{i}"), id, i, "Kim", &last, &mobile);
        }
        execute(app, &sql);
    }
    let (pair, approved) = cost(review::approve(app, admin, "pair")).await;
    assert_eq!(approved.unwrap().accounts.len(), 2);
    let (ten, approved) = cost(review::approve(app, admin, "ten")).await;
    assert_eq!(approved.unwrap().accounts.len(), 10);
    assert_eq!(ten - pair, 8, "one statement per further member: {pair} queries for 2, {ten} for 10");
}

#[tokio::test]
async fn pages_and_member_walks_cost_a_fixed_number_of_queries() {
    count_queries();
    let mut backends = vec![TestDatabase::sqlite()];
    if let Some(url) = persistence::testing::postgres_url() {
        backends.push(TestDatabase::postgres(&url));
    }
    for database in backends {
        let use_cases = UseCases::start(database, |settings| settings.load_sample_data = false);
        eprintln!("-- backend: {}", use_cases.backend);
        directory_pages(&use_cases).await;
        let admin = helpdesk_admin(&use_cases).await;
        review_views(&use_cases, &admin).await;
        usernames_at_approval(&use_cases, &admin).await;
        approvals_of_any_size(&use_cases, &admin).await;
    }
}

//! Joiners (R-L6): an owner's request for a new member of staff becomes an active account once
//! the helpdesk approves it; an existing account (a leaver within its grace period) taken on by
//! another practice is not deleted. Requests follow the members' rules and owners alone make them.
//! Across two server processes, a mobile still makes one request and a request one account.

use crate::account_life::run_job;
use crate::accounts::{Member, NEW_PASSWORD, activate, call, sign_in, temporary_password, token};
use crate::mailboxes::{access_only, code, mailbox_id, rights, three_signed_in};
use app::scheduler::Job;
use blackbox::notify::FakeNotify;
use blackbox::process::Service;
use blackbox::{
    ADMIN_PASSWORD, ADMIN_USERNAME, TestApp, assert_problem, field_errors, on_each_backend, send, test_databases,
};
use chrono::Duration;
use serde_json::{Value, json};
use std::sync::{Arc, Barrier};

fn nia() -> Value {
    json!({"first_name": "Nia", "last_name": "Evans", "email": "nia.evans@example.com", "mobile": "07700 900461", "role": "receptionist"})
}

#[test]
fn r_l6_an_owners_request_for_a_joiner_becomes_an_active_account_once_the_helpdesk_approves() {
    on_each_backend(|app| {
        let (members, tokens) = three_signed_in(app);
        let id = mailbox_id(app, &tokens[0]);
        let joiners = format!("/v1/account/mailboxes/{id}/joiners");

        // The members' rules, every bad field at once; owners alone ask; mobiles are unique.
        let bad = json!({"first_name": "\u{3164}", "last_name": "Evans", "email": "nia@nhs.net", "mobile": "07000 000000", "role": "surgeon"});
        let (status, problem) = call(app, "POST", &joiners, &tokens[0], bad);
        assert_problem(status, &problem, 422, "validation-failed");
        let pointers: Vec<String> = field_errors(&problem).into_iter().map(|(p, _)| p).collect();
        assert_eq!(pointers, ["/first_name", "/email", "/mobile", "/role"], "{problem:#}");
        let mut taken = nia();
        taken["mobile"] = json!("07888 888888");
        let (status, problem) = call(app, "POST", &joiners, &tokens[0], taken);
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem), [("/mobile".to_owned(), "mobile_already_registered".to_owned())]);
        access_only(app, &tokens[0], &id, &members[1]);
        let (status, problem) = call(app, "POST", &joiners, &tokens[1], nia());
        assert_eq!((status, code(&problem)), (403, "mailbox_owner_required"), "{problem:#}");
        // Nor can anyone but an owner take on an existing account.
        let transfers = format!("/v1/account/mailboxes/{id}/transfers");
        let (status, problem) = call(app, "POST", &transfers, &tokens[1], json!({"username": members[2].username}));
        assert_eq!((status, code(&problem)), (403, "mailbox_owner_required"), "{problem:#}");

        let (status, outcome) = call(app, "POST", &joiners, &tokens[0], nia());
        assert_eq!(status, 202, "{outcome:#}");
        assert_eq!(outcome["status"], "waiting");
        assert_eq!(outcome["request"]["mobile"], "+447700900461");
        let (status, problem) = call(app, "POST", &joiners, &tokens[0], nia());
        assert_eq!(
            (status, field_errors(&problem)),
            (422, vec![("/mobile".to_owned(), "mobile_already_registered".to_owned())])
        );

        // The helpdesk sees it waiting, and approves: the credentials go out as at registration.
        let helpdesk = app.helpdesk_token();
        let (status, list) = send(app.get("/v1/admin/joiner-requests").bearer_auth(&helpdesk));
        assert_eq!(status, 200, "{list:#}");
        let request = outcome["request"]["id"].as_str().unwrap();
        assert!(list["items"].as_array().unwrap().iter().any(|r| r["id"] == request), "{list:#}");
        let before = app.outbox().len();
        let approval = format!("/v1/admin/joiner-requests/{request}/approval");
        let (status, created) = send(app.post(&approval).bearer_auth(&helpdesk));
        assert_eq!(status, 201, "{created:#}");
        assert_eq!(created["status"], "created");
        let (status, problem) = send(app.post(&approval).bearer_auth(&helpdesk));
        assert_problem(status, &problem, 404, "not-found");
        let sms =
            app.wait_for_message(before, |m| m["template"] == "temporary_password_sms" && m["to"] == "+447700900461");
        let email =
            app.wait_for_message(before, |m| m["template"] == "username_email" && m["to"] == "nia.evans@example.com");
        let joiner = Member {
            username: created["username"].as_str().unwrap().to_owned(),
            temporary: temporary_password(&[sms], "+447700900461"),
            mobile: "+447700900461".to_owned(),
            id: created["account_id"].as_str().unwrap().to_owned(),
        };
        assert!(joiner.username.starts_with("nia.evans"), "{created:#}");
        assert!(email["content"]["body"].as_str().unwrap().contains(&joiner.username), "{email:#}");

        // She activates as everyone does and sees the practice's mailbox.
        let session = token(&activate(app, &joiner, false));
        let (status, mailbox) = call(app, "GET", &format!("/v1/account/mailboxes/{id}"), &session, Value::Null);
        assert_eq!(status, 200, "{mailbox:#}");
        assert!(rights(&mailbox).contains(&(joiner.username.clone(), false, false)));

        // A rejected request is deleted, with what it held of the person.
        let mut other = nia();
        other["mobile"] = json!("07700 900462");
        other["email"] = json!("someone.else@example.com");
        let (_, outcome) = call(app, "POST", &joiners, &tokens[0], other);
        let rejection = format!("/v1/admin/joiner-requests/{}/rejection", outcome["request"]["id"].as_str().unwrap());
        let (status, _) = send(app.post(&rejection).bearer_auth(&helpdesk));
        assert_eq!(status, 204);
        let (status, problem) = send(app.post(&rejection).bearer_auth(&helpdesk));
        assert_problem(status, &problem, 404, "not-found");
        let unknown = format!("/v1/admin/joiner-requests/{}/rejection", uuid::Uuid::new_v4());
        let (status, problem) = send(app.post(&unknown).bearer_auth(&helpdesk));
        assert_problem(status, &problem, 404, "not-found");
        let (_, list) = send(app.get("/v1/admin/joiner-requests").bearer_auth(&helpdesk));
        assert_eq!(list["items"], json!([]));
    });
}

#[test]
fn r_l6_a_leaver_taken_on_by_another_practice_is_not_deleted() {
    on_each_backend(|app| {
        let (members, tokens) = three_signed_in(app);
        let efan = &members[2];
        let id = mailbox_id(app, &tokens[0]);
        let (status, _) = call(
            app,
            "POST",
            &format!("/v1/account/mailboxes/{id}/leavers"),
            &tokens[0],
            json!({"account_id": efan.id}),
        );
        assert_eq!(status, 200);

        // The sample practice's owner takes him on.
        let stranger = crate::mailboxes::another_practice_owner(app);
        let theirs = mailbox_id(app, &stranger);
        let transfers = format!("/v1/account/mailboxes/{theirs}/transfers");
        let (status, problem) = call(app, "POST", &transfers, &stranger, json!({"username": "nobody.at.all"}));
        assert_problem(status, &problem, 422, "validation-failed");
        let (status, mailbox) = call(app, "POST", &transfers, &stranger, json!({"username": efan.username}));
        assert_eq!(status, 200, "{mailbox:#}");
        assert!(rights(&mailbox).contains(&(efan.username.clone(), false, false)));
        let (status, problem) = call(app, "POST", &transfers, &stranger, json!({"username": efan.username}));
        assert_eq!((status, code(&problem)), (409, "already_exists"));

        // Past the grace period he is still here, a member of his new practice.
        app.clock.advance(Duration::days(31));
        run_job(app, Job::AccountInactivity);
        let (status, session) = sign_in(app, &efan.username, NEW_PASSWORD);
        assert_eq!(status, 201, "{session:#}");
        let (_, me) = call(app, "GET", "/v1/account/me", &token(&session), Value::Null);
        assert_eq!(me["practices"][0]["shared_mailbox_id"], json!(theirs), "{me:#}");
    });
}

#[test]
fn r_l6_with_auto_approve_joiners_the_account_is_made_at_once() {
    for database in blackbox::test_databases() {
        let app = blackbox::TestApp::spawn_with(database, |config| config.app.auto_approve_joiners = true);
        let (_, tokens) = three_signed_in(&app);
        let id = mailbox_id(&app, &tokens[0]);
        let before = app.outbox().len();
        let (status, outcome) = call(&app, "POST", &format!("/v1/account/mailboxes/{id}/joiners"), &tokens[0], nia());
        assert_eq!(status, 201, "{outcome:#}");
        assert_eq!(outcome["status"], "created");
        assert!(outcome["username"].as_str().unwrap().starts_with("nia.evans"), "{outcome:#}");
        let sms =
            app.wait_for_message(before, |m| m["template"] == "temporary_password_sms" && m["to"] == "+447700900461");
        assert!(sms["content"]["body"].as_str().unwrap().contains("password is "), "{sms:#}");
        let (_, list) = send(app.get("/v1/admin/joiner-requests").bearer_auth(app.helpdesk_token()));
        assert_eq!(list["items"], json!([]), "nothing waits");
    }
}

/// Sends the same request to each `(base_url, bearer)` at once; answers in the same order.
fn at_once(requests: &[(String, String)], method: reqwest::Method, path: &str, body: &[Value]) -> Vec<(u16, Value)> {
    let barrier = Arc::new(Barrier::new(requests.len()));
    std::thread::scope(|scope| {
        let handles: Vec<_> = requests
            .iter()
            .zip(body)
            .map(|((base, bearer), body)| {
                let barrier = barrier.clone();
                let request = reqwest::blocking::Client::new()
                    .request(method.clone(), format!("{base}{path}"))
                    .bearer_auth(bearer);
                let request = if body.is_null() { request } else { request.json(body) };
                scope.spawn(move || {
                    barrier.wait();
                    send(request)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn r_l6_r_r7_two_replicas_racing_over_one_joiner_make_one_request_and_one_account() {
    for database in test_databases() {
        let app = TestApp::spawn(database);
        let (_, tokens) = three_signed_in(&app);
        let id = mailbox_id(&app, &tokens[0]);
        let notify = FakeNotify::start();
        let file = std::env::temp_dir().join(format!("joiner-outbox-{}.jsonl", uuid::Uuid::new_v4().simple()));
        let replica = Service::start(app.database_url(), &notify, &file);
        let sign_in_there = |path: &str, username: &str, password: &str| {
            let body = json!({"username": username, "password": password});
            let (status, session) =
                send(reqwest::blocking::Client::new().post(format!("{}{path}", replica.base_url)).json(&body));
            assert_eq!(status, 201, "{session:#}");
            token(&session)
        };
        let (_, me) = call(&app, "GET", "/v1/account/me", &tokens[0], Value::Null);
        let owner = sign_in_there("/v1/account/sessions", me["username"].as_str().unwrap(), NEW_PASSWORD);
        let owners = [(app.base_url.clone(), tokens[0].clone()), (replica.base_url.clone(), owner)];

        // Two requests for people sharing one mobile, one on each replica: one waits, one is refused.
        let mut other = nia();
        other["first_name"] = json!("Nerys");
        other["email"] = json!("nerys.evans@example.com");
        let joiners = format!("/v1/account/mailboxes/{id}/joiners");
        let results = at_once(&owners, reqwest::Method::POST, &joiners, &[nia(), other]);
        let statuses: Vec<u16> = results.iter().map(|(status, _)| *status).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 202).count(), 1, "{}: {results:#?}", app.backend);
        let (_, refused) = results.iter().find(|(status, _)| *status != 202).unwrap();
        assert_eq!(field_errors(refused), [("/mobile".to_owned(), "mobile_already_registered".to_owned())]);
        let (_, waiting) = results.iter().find(|(status, _)| *status == 202).unwrap();
        let request = waiting["request"]["id"].as_str().unwrap();

        // Two officers approve it at once, one on each replica: one account, the other told it is gone.
        let admins = [
            (app.base_url.clone(), app.helpdesk_token()),
            (replica.base_url.clone(), sign_in_there("/v1/admin/sessions", ADMIN_USERNAME, ADMIN_PASSWORD)),
        ];
        let approval = format!("/v1/admin/joiner-requests/{request}/approval");
        let results = at_once(&admins, reqwest::Method::POST, &approval, &[Value::Null, Value::Null]);
        let mut statuses: Vec<u16> = results.iter().map(|(status, _)| *status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 404], "{}: {results:#?}", app.backend);
        let (_, gone) = results.iter().find(|(status, _)| *status == 404).unwrap();
        assert_problem(404, gone, 404, "not-found");
        let (_, mailbox) = call(&app, "GET", &format!("/v1/account/mailboxes/{id}"), &tokens[0], Value::Null);
        let joined =
            rights(&mailbox).iter().filter(|(u, _, _)| u.starts_with("nia.") || u.starts_with("nerys.")).count();
        assert_eq!(joined, 1, "{}: one account for the one request: {mailbox:#}", app.backend);
        drop(replica);
        let _ = std::fs::remove_file(&file);
    }
}

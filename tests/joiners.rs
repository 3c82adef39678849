//! Joiners (R-L6): an owner's request for a new member of staff becomes an active account once
//! the helpdesk approves it; an existing account (a leaver within its grace period) taken on by
//! another practice is not deleted. Requests follow the members' rules and owners alone make them.

use crate::account_life::run_job;
use crate::accounts::{Member, NEW_PASSWORD, activate, call, sign_in, temporary_password, token};
use crate::mailboxes::{access_only, code, mailbox_id, rights, three_signed_in};
use app::scheduler::Job;
use blackbox::{assert_problem, field_errors, on_each_backend, send};
use chrono::Duration;
use serde_json::{Value, json};

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

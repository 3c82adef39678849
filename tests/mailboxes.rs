//! Shared mailbox management by its owners and admins (R-B1, R-B2, R-R2): link, unlink, grant and
//! revoke admin, nominate a second owner, refuse a third, never remove the last owner; an account
//! with access only, and another practice's owner, change nothing and see nothing; everyone
//! concerned is told by email, every change is audited, and the directory shows the owners as
//! they are now. The owners' limit holds across two server processes on one database.

use crate::accounts::{Member, NEW_PASSWORD, activate, call, provisioned, temporary_password, token};
use blackbox::journey::*;
use blackbox::notify::FakeNotify;
use blackbox::process::Service;
use blackbox::{TestApp, assert_problem, field_errors, on_each_backend, send, test_databases};
use serde_json::{Value, json};
use std::sync::{Arc, Barrier};

/// The signed-in owner's shared mailbox id, from their profile.
pub(crate) fn mailbox_id(app: &TestApp, owner: &str) -> String {
    let (status, me) = call(app, "GET", "/v1/account/me", owner, Value::Null);
    assert_eq!(status, 200, "{me:#}");
    me["practices"][0]["shared_mailbox_id"].as_str().unwrap().to_owned()
}

/// `(username, is_owner, is_admin)` of everyone with access.
pub(crate) fn rights(mailbox: &Value) -> Vec<(String, bool, bool)> {
    mailbox["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["username"].as_str().unwrap().to_owned(), m["is_owner"] == true, m["is_admin"] == true))
        .collect()
}

pub(crate) fn of(member: &Member, owner: bool, admin: bool) -> (String, bool, bool) {
    (member.username.clone(), owner, admin)
}

pub(crate) fn code(problem: &Value) -> &str {
    problem["code"].as_str().unwrap_or_default()
}

/// How many access emails went to `to`, waiting (up to the delivery wait) for `expected` while
/// the server's own dispatcher may still hold some.
pub(crate) fn access_emails(app: &TestApp, to: &str, expected: usize) -> usize {
    let deadline = std::time::Instant::now() + blackbox::DELIVERY_WAIT;
    loop {
        app.dispatch();
        let count = app.outbox().iter().filter(|m| m["template"] == "mailbox_access_email" && m["to"] == to).count();
        if count >= expected || std::time::Instant::now() > deadline {
            return count;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Leaves `member` with access only, whatever the roster gave them.
pub(crate) fn access_only(app: &TestApp, owner: &str, mailbox: &str, member: &Member) {
    let (_, view) = call(app, "GET", &format!("/v1/account/mailboxes/{mailbox}"), owner, Value::Null);
    let (status, view) = if rights(&view).iter().any(|(u, _, _)| *u == member.username) {
        let path = format!("/v1/account/mailboxes/{mailbox}/members/{}", member.id);
        call(app, "PATCH", &path, owner, json!({"is_admin": false}))
    } else {
        let path = format!("/v1/account/mailboxes/{mailbox}/members");
        call(app, "POST", &path, owner, json!({"username": member.username}))
    };
    assert!(status == 200 || status == 201, "{view:#}");
    assert!(rights(&view).contains(&of(member, false, false)), "{view:#}");
}

/// BRIGHT SMILE's three accounts, activated and signed in: `(members, tokens)`.
pub(crate) fn three_signed_in(app: &TestApp) -> (Vec<Member>, Vec<String>) {
    let (_, members) = provisioned(app);
    let tokens = members.iter().map(|m| token(&activate(app, m, false))).collect();
    (members, tokens)
}

#[test]
fn r_b1_r_b2_r_r2_owners_and_admins_manage_access_and_everyone_concerned_is_told() {
    on_each_backend(|app| {
        let (members, tokens) = three_signed_in(app);
        let (david, sarah, efan) = (&members[0], &members[1], &members[2]);
        let (as_david, as_sarah, as_efan) = (&tokens[0], &tokens[1], &tokens[2]);
        let id = mailbox_id(app, as_david);
        let path = format!("/v1/account/mailboxes/{id}");
        let member_path = |m: &Member| format!("{path}/members/{}", m.id);

        // R-B1: everyone with access sees the mailbox and who has access; the first member owns it.
        let (status, mailbox) = call(app, "GET", &path, as_david, Value::Null);
        assert_eq!(status, 200, "{mailbox:#}");
        assert_eq!((mailbox["is_owner"].as_bool(), mailbox["is_admin"].as_bool()), (Some(true), Some(true)));
        assert_eq!(rights(&mailbox)[0], of(david, true, true), "owners first");

        // Start from Efan without access: unlinked, he no longer sees it.
        if rights(&mailbox).iter().any(|(u, _, _)| *u == efan.username) {
            assert_eq!(call(app, "DELETE", &member_path(efan), as_david, Value::Null).0, 204);
        }
        let (status, problem) = call(app, "GET", &path, as_efan, Value::Null);
        assert_problem(status, &problem, 404, "not-found");
        // Sarah with access only: she can change nothing.
        access_only(app, as_david, &id, sarah);
        let link_efan = json!({"username": efan.username});
        let (status, problem) = call(app, "POST", &format!("{path}/members"), as_sarah, link_efan.clone());
        assert_problem(status, &problem, 403, "forbidden");
        assert_eq!(code(&problem), "mailbox_admin_required");

        // R-B2: the owner links Efan by username; he is told, and sees it at once.
        let before = app.outbox().len();
        let (status, mailbox) = call(app, "POST", &format!("{path}/members"), as_david, link_efan.clone());
        assert_eq!(status, 201, "{mailbox:#}");
        assert!(rights(&mailbox).contains(&of(efan, false, false)));
        let told =
            app.wait_for_message(before, |m| m["template"] == "mailbox_access_email" && m["to"] == "efan@domaim.com");
        assert!(
            told["content"]["body"].as_str().unwrap().contains("You now have access to the shared mailbox"),
            "{told:#}"
        );
        assert_eq!(call(app, "GET", &path, as_efan, Value::Null).0, 200);
        let (status, problem) = call(app, "POST", &format!("{path}/members"), as_david, link_efan);
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(code(&problem), "already_exists");

        // Admin rights: granted to Sarah, who then manages Efan's, but no owner's.
        let (status, mailbox) = call(app, "PATCH", &member_path(sarah), as_david, json!({"is_admin": true}));
        assert_eq!(status, 200, "{mailbox:#}");
        assert!(rights(&mailbox).contains(&of(sarah, false, true)));
        let (status, mailbox) = call(app, "PATCH", &member_path(efan), as_sarah, json!({"is_admin": true}));
        assert_eq!(status, 200, "{mailbox:#}");
        let (status, mailbox) = call(app, "PATCH", &member_path(efan), as_sarah, json!({"is_admin": false}));
        assert_eq!(status, 200, "{mailbox:#}");
        assert!(rights(&mailbox).contains(&of(efan, false, false)));
        for (method, body) in [("PATCH", json!({"is_owner": true})), ("DELETE", Value::Null)] {
            let target = if method == "DELETE" { member_path(david) } else { member_path(efan) };
            let (status, problem) = call(app, method, &target, as_sarah, body);
            assert_problem(status, &problem, 403, "forbidden");
            assert_eq!(code(&problem), "mailbox_owner_required", "{method}");
        }

        // R-R2: a second owner, never a third; an owner keeps admin rights and access.
        let (status, mailbox) = call(app, "PATCH", &member_path(sarah), as_david, json!({"is_owner": true}));
        assert_eq!(status, 200, "{mailbox:#}");
        assert!(rights(&mailbox).contains(&of(sarah, true, true)));
        let (status, problem) = call(app, "PATCH", &member_path(efan), as_david, json!({"is_owner": true}));
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(code(&problem), "too_many_owners");
        let (status, problem) = call(app, "PATCH", &member_path(sarah), as_david, json!({"is_admin": false}));
        assert_eq!((status, code(&problem)), (409, "owner_has_full_rights"));
        let (status, problem) = call(app, "DELETE", &member_path(sarah), as_david, Value::Null);
        assert_eq!((status, code(&problem)), (409, "owner_has_full_rights"));

        // David steps down while Sarah remains; Sarah, now the last owner, cannot.
        let (status, mailbox) = call(app, "PATCH", &member_path(david), as_david, json!({"is_owner": false}));
        assert_eq!(status, 200, "{mailbox:#}");
        assert_eq!((mailbox["is_owner"].as_bool(), mailbox["is_admin"].as_bool()), (Some(false), Some(true)));
        let (status, problem) = call(app, "PATCH", &member_path(sarah), as_sarah, json!({"is_owner": false}));
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!((code(&problem), problem["rule"].as_str()), ("only_owner", Some("R-R2")));

        // The owner unlinks Efan: at once, he sees nothing and is told.
        assert_eq!(call(app, "DELETE", &member_path(efan), as_sarah, Value::Null).0, 204);
        let (status, problem) = call(app, "GET", &path, as_efan, Value::Null);
        assert_problem(status, &problem, 404, "not-found");
        let (status, problem) = call(app, "DELETE", &member_path(efan), as_sarah, Value::Null);
        assert_problem(status, &problem, 404, "not-found");

        // The directory shows the owners as they are now.
        let (status, page) = call(app, "GET", "/v1/directory/mailboxes?q=brightsmile", as_efan, Value::Null);
        assert_eq!(status, 200, "{page:#}");
        assert_eq!(page["items"][0]["owners"], json!([sarah.username]));

        // Every change audited by ids, and told to the person it concerned.
        let mut conn = app.database().get().unwrap();
        let actions: Vec<String> = persistence::audit::for_object(&mut conn, "shared_mailbox", &id)
            .unwrap()
            .into_iter()
            .map(|event| event.action)
            .collect();
        for action in [
            "mailbox.access_given",
            "mailbox.access_removed",
            "mailbox.admin_granted",
            "mailbox.admin_revoked",
            "mailbox.owner_nominated",
            "mailbox.owner_removed",
        ] {
            assert!(actions.iter().any(|a| a == action), "{action} not in {actions:?}");
        }
        for (to, expected, why) in [
            ("sarahj@emaildomain.co.uk", 3, "linked, made admin, made owner"),
            ("dsmith@businessemail.com", 1, "stepped down"),
            ("efan@domaim.com", 4, "linked, admin granted and revoked, unlinked"),
        ] {
            assert_eq!(access_emails(app, to, expected), expected, "{to}: {why}");
        }
    });
}

/// The sample practice (route B) approved with two members; its owner activated and signed in.
pub(crate) fn another_practice_owner(app: &TestApp) -> String {
    let journey = Journey::verified_sample_practice(app);
    journey.add_member(json!({"first_name": "Olwen", "last_name": "Other", "email": "olwen@other.example", "mobile": "07700 900951", "role": "practice_manager"}));
    journey.add_member(json!({"first_name": "Owain", "last_name": "Other", "email": "owain@other.example", "mobile": "07700 900952", "role": "dentist"}));
    assert_eq!(journey.submit(None).0, 200);
    let before = app.outbox().len();
    let (status, view) =
        send(app.post(&format!("/v1/admin/applications/{}/approval", journey.id)).bearer_auth(app.helpdesk_token()));
    assert_eq!(status, 200, "{view:#}");
    // Other messages (welcome emails, access emails) may be on their way too: wait for hers.
    let sms = app.wait_for_message(before, |m| m["template"] == "temporary_password_sms" && m["to"] == "+447700900951");
    let messages = [sms];
    let owner = Member {
        username: view["accounts"][0]["username"].as_str().unwrap().to_owned(),
        temporary: temporary_password(&messages, "+447700900951"),
        mobile: "+447700900951".to_owned(),
        id: view["accounts"][0]["id"].as_str().unwrap().to_owned(),
    };
    token(&activate(app, &owner, false))
}

#[test]
fn r_b2_another_practices_owner_sees_and_changes_nothing_and_bad_requests_are_named() {
    on_each_backend(|app| {
        let (members, tokens) = three_signed_in(app);
        let id = mailbox_id(app, &tokens[0]);
        let path = format!("/v1/account/mailboxes/{id}");
        let stranger = another_practice_owner(app);
        let sarah_path = format!("{path}/members/{}", members[1].id);
        for (method, target, body) in [
            ("GET", path.clone(), Value::Null),
            ("POST", format!("{path}/members"), json!({"username": members[1].username})),
            ("PATCH", sarah_path.clone(), json!({"is_admin": true})),
            ("DELETE", sarah_path.clone(), Value::Null),
        ] {
            let (status, problem) = call(app, method, &target, &stranger, body);
            assert_problem(status, &problem, 404, "not-found");
            assert!(problem.get("members").is_none(), "{method}: no data");
        }
        // Nothing changed for BRIGHT SMILE.
        let (_, mailbox) = call(app, "GET", &path, &tokens[0], Value::Null);
        assert_eq!(
            rights(&mailbox).len(),
            rights(&mailbox).iter().filter(|(u, _, _)| members.iter().any(|m| m.username == *u)).count()
        );

        // Bad requests: no account with that username, no change asked for, a mailbox that is not.
        let (status, problem) =
            call(app, "POST", &format!("{path}/members"), &tokens[0], json!({"username": "nobody.here@nhs.net"}));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem), [("/username".to_owned(), "not_found".to_owned())]);
        let (status, problem) = call(app, "PATCH", &sarah_path, &tokens[0], json!({}));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem), [("/is_admin".to_owned(), "required".to_owned())]);
        let (status, problem) =
            call(app, "GET", "/v1/account/mailboxes/00000000-0000-0000-0000-000000000000", &tokens[0], Value::Null);
        assert_problem(status, &problem, 404, "not-found");
        let (status, problem) = call(app, "GET", &path, "not-a-token", Value::Null);
        assert_problem(status, &problem, 401, "unauthorized");
    });
}

#[test]
fn r_r2_two_replicas_nominating_at_once_never_make_a_third_owner() {
    for database in test_databases() {
        let app = TestApp::spawn(database);
        let notify = FakeNotify::start();
        let file = std::env::temp_dir().join(format!("mailbox-outbox-{}.jsonl", uuid::Uuid::new_v4().simple()));
        let (members, tokens) = three_signed_in(&app);
        let id = mailbox_id(&app, &tokens[0]);
        access_only(&app, &tokens[0], &id, &members[1]);
        access_only(&app, &tokens[0], &id, &members[2]);
        // Started once the accounts exist: its dispatcher would deliver their passwords elsewhere.
        let replica = Service::start(app.database_url(), &notify, &file);
        // David's second session, on the other replica.
        let (status, session) = send(
            reqwest::blocking::Client::new()
                .post(format!("{}/v1/account/sessions", replica.base_url))
                .json(&json!({"username": members[0].username, "password": NEW_PASSWORD})),
        );
        assert_eq!(status, 201, "{session:#}");
        let sessions = [(app.base_url.clone(), tokens[0].clone()), (replica.base_url.clone(), token(&session))];
        let barrier = Arc::new(Barrier::new(2));
        let results: Vec<(u16, Value)> = std::thread::scope(|scope| {
            let handles: Vec<_> = sessions
                .iter()
                .zip([&members[1], &members[2]])
                .map(|((base, bearer), nominee)| {
                    let barrier = barrier.clone();
                    let url = format!("{base}/v1/account/mailboxes/{id}/members/{}", nominee.id);
                    scope.spawn(move || {
                        barrier.wait();
                        send(
                            reqwest::blocking::Client::new()
                                .patch(url)
                                .bearer_auth(bearer)
                                .json(&json!({"is_owner": true})),
                        )
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let statuses: Vec<u16> = results.iter().map(|(status, _)| *status).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{}: {results:#?}", app.backend);
        assert!(
            results.iter().any(|(status, body)| *status == 409 && body["code"] == "too_many_owners"),
            "{results:#?}"
        );
        let (_, mailbox) = call(&app, "GET", &format!("/v1/account/mailboxes/{id}"), &tokens[0], Value::Null);
        assert_eq!(rights(&mailbox).iter().filter(|(_, owner, _)| *owner).count(), 2, "{mailbox:#}");
        drop(replica);
        let _ = std::fs::remove_file(&file);
    }
}

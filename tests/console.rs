//! The helpdesk's console (issue 14.6): accounts found by name, practice, ODS code, status or
//! being a leaver, a page at a time, with the search in the body; one account in full with its
//! memberships, messages and audit trail.

use crate::accounts::{provisioned, sign_in};
use blackbox::{TestApp, assert_problem, field_errors, on_each_backend, send};
use serde_json::{Value, json};

fn search(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    send(app.post("/v1/admin/account-searches").bearer_auth(token).json(&body))
}

fn usernames(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|a| a["username"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn the_helpdesk_finds_accounts_a_page_at_a_time_and_sees_one_in_full() {
    on_each_backend(|app| {
        let (token, members) = provisioned(app);
        let (david, sarah, efan) = (&members[0], &members[1], &members[2]);

        let (status, page) = search(app, &token, json!({"text": "JONES"}));
        assert_eq!(status, 200, "{page:#}");
        assert_eq!(usernames(&page), [sarah.username.as_str()]);
        let found = &page["items"][0];
        assert_eq!(found["practice_name"], "BRIGHT SMILE DENTAL PRACTICE");
        assert_eq!(found["status"], "pending_activation");
        let ods = found["ods_code"].as_str().unwrap().to_owned();

        // By practice and ODS code (any case), two at a time, every account once.
        let (_, first) =
            search(app, &token, json!({"practice_name": "bright smile", "ods_code": ods.to_lowercase(), "limit": 2}));
        assert_eq!(usernames(&first).len(), 2, "{first:#}");
        let cursor = first["next_cursor"].as_str().expect("a next page").to_owned();
        let (_, second) = search(
            app,
            &token,
            json!({"practice_name": "bright smile", "ods_code": ods, "limit": 2, "cursor": cursor}),
        );
        let mut all = [usernames(&first), usernames(&second)].concat();
        assert!(second["next_cursor"].is_null(), "{second:#}");
        all.sort();
        let mut expected: Vec<String> = members.iter().map(|m| m.username.clone()).collect();
        expected.sort();
        assert_eq!(all, expected);

        // By status, and leavers only.
        let (_, active) = search(app, &token, json!({"practice_name": "bright smile", "status": "active"}));
        assert_eq!(active["items"], json!([]), "none activated yet");
        let (status, _) = send(app.post(&format!("/v1/admin/accounts/{}/leaver", efan.id)).bearer_auth(&token));
        assert_eq!(status, 200);
        let (_, leavers) = search(app, &token, json!({"leaver": true}));
        assert_eq!(usernames(&leavers), [efan.username.as_str()]);
        assert!(leavers["items"][0]["leaver_since"].is_string());

        // Bad searches name every bad part.
        let (status, problem) = search(app, &token, json!({"text": "j", "limit": 0, "cursor": "not base64!"}));
        assert_problem(status, &problem, 422, "validation-failed");
        let mut pointers: Vec<String> = field_errors(&problem).into_iter().map(|(p, _)| p).collect();
        pointers.sort();
        assert_eq!(pointers, ["/cursor", "/limit", "/text"], "{problem:#}");
        let (status, problem) = search(app, &token, json!({"ods_code": "AB"}));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem), [("/ods_code".to_owned(), "ods_code_invalid".to_owned())]);
        let (status, problem) = send(app.post("/v1/admin/account-searches").json(&json!({"text": "jones"})));
        assert_problem(status, &problem, 401, "unauthorized");

        // One account in full: practice, messages and their delivery, audit trail.
        let (status, detail) = send(app.get(&format!("/v1/admin/accounts/{}", david.id)).bearer_auth(&token));
        assert_eq!(status, 200, "{detail:#}");
        assert_eq!(detail["account"]["username"], json!(david.username));
        assert_eq!(detail["email"], "dsmith@businessemail.com");
        assert_eq!(detail["memberships"][0]["is_owner"], true, "{detail:#}");
        let templates: Vec<&str> =
            detail["messages"].as_array().unwrap().iter().map(|m| m["template"].as_str().unwrap()).collect();
        assert!(
            templates.contains(&"username_email") && templates.contains(&"temporary_password_sms"),
            "{templates:?}"
        );
        assert_eq!(detail["audit"][0]["action"], "account.created");
        let (status, problem) =
            send(app.get("/v1/admin/accounts/00000000-0000-0000-0000-000000000000").bearer_auth(&token));
        assert_problem(status, &problem, 404, "not-found");
    });
}

#[test]
fn r_l8_r_a3_the_helpdesk_lifts_a_sign_in_lock_and_reissues_a_temporary_password() {
    on_each_backend(|app| {
        let (token, members) = provisioned(app);
        let (david, sarah) = (&members[0], &members[1]);
        for _ in 0..5 {
            assert_eq!(sign_in(app, &david.username, "not the password at all").0, 401);
        }
        let (status, problem) = sign_in(app, &david.username, &david.temporary);
        assert_eq!((status, problem["code"].as_str()), (429, Some("sign_in_locked")), "{problem:#}");
        let (status, unlocked) = send(app.post(&format!("/v1/admin/accounts/{}/unlock", david.id)).bearer_auth(&token));
        assert_eq!(status, 200, "{unlocked:#}");
        assert_eq!(sign_in(app, &david.username, &david.temporary).0, 201, "unlocked at once");

        // A new temporary password for Sarah: the old one stops working.
        let before = app.outbox().len();
        let path = format!("/v1/admin/accounts/{}/temporary-password", sarah.id);
        let (status, sent) = send(app.post(&path).bearer_auth(&token));
        assert_eq!(status, 202, "{sent:#}");
        assert!(sent["sent_to"].as_str().unwrap().ends_with("888"), "{sent:#}");
        let sms =
            app.wait_for_message(before, |m| m["template"] == "temporary_password_sms" && m["to"] == "+447888888888");
        let temporary = crate::accounts::temporary_password(&[sms], "+447888888888");
        assert_eq!(sign_in(app, &sarah.username, &sarah.temporary).0, 401);
        assert_eq!(sign_in(app, &sarah.username, &temporary).0, 201);

        // Not for an activated account: that is a reset with the owner's confirmation.
        crate::accounts::activate(app, david, false);
        let path = format!("/v1/admin/accounts/{}/temporary-password", david.id);
        let (status, problem) = send(app.post(&path).bearer_auth(&token));
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "already_activated");
    });
}

#[test]
fn the_helpdesk_creates_and_disables_administrators_but_never_itself() {
    on_each_backend(|app| {
        let token = app.helpdesk_token();
        let create = |body: Value| send(app.post("/v1/admin/administrators").bearer_auth(&token).json(&body));
        let sam = json!({"username": "helpdesk.sam", "display_name": "Sam Helpdesk", "password": "copper lantern meadow violin"});
        let (status, created) = create(sam.clone());
        assert_eq!(status, 201, "{created:#}");
        assert!(created["disabled_at"].is_null() && created.get("password").is_none(), "{created:#}");
        let (status, problem) = create(sam);
        assert_eq!((status, problem["code"].as_str()), (409, Some("already_exists")));
        let (status, problem) =
            create(json!({"username": "x", "display_name": "X", "password": "copper lantern meadow violin"}));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem), [("/username".to_owned(), "admin_username_invalid".to_owned())]);
        let (status, problem) = create(json!({"username": "helpdesk.kim", "display_name": "Kim", "password": "short"}));
        assert_problem(status, &problem, 422, "validation-failed");
        assert!(field_errors(&problem).iter().all(|(pointer, _)| pointer == "/password"), "{problem:#}");

        // Sam signs in; disabled, his session ends at once and he cannot sign in again.
        let sign_in = || {
            send(
                app.post("/v1/admin/sessions")
                    .json(&json!({"username": "helpdesk.sam", "password": "copper lantern meadow violin"})),
            )
        };
        let (status, session) = sign_in();
        assert_eq!(status, 201, "{session:#}");
        let sams = session["access_token"].as_str().unwrap().to_owned();
        let (status, list) = send(app.get("/v1/admin/administrators").bearer_auth(&sams));
        assert_eq!(status, 200, "{list:#}");
        let id_of = |username: &str| {
            list["items"].as_array().unwrap().iter().find(|a| a["username"] == username).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let (sam_id, jane_id) = (id_of("helpdesk.sam"), id_of("helpdesk.jane"));
        let (status, problem) =
            send(app.post(&format!("/v1/admin/administrators/{sam_id}/disable")).bearer_auth(&sams));
        assert_eq!((status, problem["code"].as_str()), (409, Some("admin_cannot_disable_self")));
        let (status, disabled) =
            send(app.post(&format!("/v1/admin/administrators/{sam_id}/disable")).bearer_auth(&token));
        assert_eq!(status, 200, "{disabled:#}");
        assert!(disabled["disabled_at"].is_string());
        assert_eq!(send(app.get("/v1/admin/administrators").bearer_auth(&sams)).0, 401, "his session ended");
        assert_eq!(sign_in().0, 401);
        assert_eq!(send(app.post(&format!("/v1/admin/administrators/{jane_id}/disable")).bearer_auth(&sams)).0, 401);
    });
}

#[test]
fn helpdesk_sessions_refresh_once_per_token_until_the_session_ends() {
    on_each_backend(|app| {
        app.helpdesk_token();
        let sign_in = || {
            let body = json!({"username": blackbox::ADMIN_USERNAME, "password": blackbox::ADMIN_PASSWORD});
            let (status, session) = send(app.post("/v1/admin/sessions").json(&body));
            assert_eq!(status, 201, "{session:#}");
            session
        };
        let refresh =
            |token: &Value| send(app.post("/v1/admin/sessions/refresh").json(&json!({"refresh_token": token})));
        let works = |session: &Value| {
            let token = session["access_token"].as_str().unwrap();
            send(app.get("/v1/admin/administrators").bearer_auth(token)).0 == 200
        };
        let first = sign_in();
        let (status, second) = refresh(&first["refresh_token"]);
        assert_eq!(status, 200, "{second:#}");
        assert!(works(&second));
        assert_ne!(second["refresh_token"], first["refresh_token"]);

        // Past the access token's 30 minutes, the refresh token still gets new ones.
        app.clock.advance(chrono::Duration::minutes(31));
        assert!(!works(&second), "the access token expired");
        let (status, third) = refresh(&second["refresh_token"]);
        assert_eq!(status, 200, "{third:#}");
        assert!(works(&third));

        // A used refresh token presented again ends the session.
        let (status, problem) = refresh(&first["refresh_token"]);
        assert_problem(status, &problem, 401, "unauthorized");
        assert!(!works(&third), "the session ended");
        assert_eq!(refresh(&third["refresh_token"]).0, 401);

        // And no session outlives ADMIN_SESSION_HOURS.
        let fresh = sign_in();
        app.clock.advance(chrono::Duration::hours(8) + chrono::Duration::minutes(1));
        assert_eq!(refresh(&fresh["refresh_token"]).0, 401);
    });
}

//! Account holders: activation, sign-in, passwords, resets, sessions and the directory
//! (R-L1–R-L3, R-L7–R-L9, R-A3, R-A4).
//!
//! Why this file is long: the account life from activation to reset, one test per rule, each
//! building on the same journey helpers.

use blackbox::journey::*;
use blackbox::{TestApp, assert_problem, field_errors, json_body, on_each_backend, send};
use chrono::Duration;
use serde_json::{Value, json};

pub(crate) const NEW_PASSWORD: &str = "plinth marmalade oboe lantern";

pub(crate) struct Member {
    pub(crate) username: String,
    pub(crate) temporary: String,
    pub(crate) mobile: String,
    pub(crate) id: String,
}

/// An approved route A application with three members; their temporary passwords read from the
/// text messages, as they would be.
pub(crate) fn provisioned(app: &TestApp) -> (String, Vec<Member>) {
    let token = app.helpdesk_token();
    let journey = Journey::verified_listed_practice(
        app,
        BRIGHT_SMILE_POSTCODE,
        "BRIGHT SMILE DENTAL PRACTICE",
        BRIGHT_SMILE_ID_LOCATION,
        BRIGHT_SMILE_CONTACT_ID,
    );
    journey.add_member(json!({"first_name": "David", "last_name": "Smith", "email": "dsmith@businessemail.com", "mobile": "07912345678", "role": "dentist"}));
    journey.add_member(json!({"first_name": "Sarah", "last_name": "Jones", "email": "sarahj@emaildomain.co.uk", "mobile": "07888888888", "role": "dental_nurse"}));
    journey.add_member(json!({"first_name": "Efan", "last_name": "Williamson", "email": "efan@domaim.com", "mobile": "07777777777", "role": "receptionist"}));
    assert_eq!(journey.submit(None).0, 200);
    let before = app.outbox().len();
    let (status, view) = send(app.post(&format!("/v1/admin/applications/{}/approval", journey.id)).bearer_auth(&token));
    assert_eq!(status, 200, "{view:#}");
    let messages = app.wait_for_new_messages(before, 6);
    let members = view["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .zip(["+447912345678", "+447888888888", "+447777777777"])
        .map(|(account, mobile)| Member {
            username: account["username"].as_str().unwrap().to_owned(),
            temporary: temporary_password(&messages, mobile),
            mobile: mobile.to_owned(),
            id: account["id"].as_str().unwrap().to_owned(),
        })
        .collect();
    (token, members)
}

pub(crate) fn temporary_password(messages: &[Value], mobile: &str) -> String {
    let text =
        messages.iter().rev().find(|m| m["to"] == mobile && m["channel"] == "sms").expect("a text message")["content"]
            ["body"]
            .as_str()
            .unwrap()
            .to_owned();
    let start = text.find("password is ").unwrap() + "password is ".len();
    text[start..start + 19].to_owned()
}

pub(crate) fn sign_in(app: &TestApp, username: &str, password: &str) -> (u16, Value) {
    send(app.post("/v1/account/sessions").json(&json!({"username": username, "password": password})))
}

/// Calls an operation; GET and DELETE send no body, nor does a `Null` one.
pub(crate) fn call(app: &TestApp, method: &str, path: &str, token: &str, body: Value) -> (u16, Value) {
    let request = match method {
        "GET" => app.get(path),
        "DELETE" => app.delete(path),
        _ if body.is_null() => app.post(path),
        "PUT" => app.put(path).json(&body),
        "PATCH" => app.patch(path).json(&body),
        _ => app.post(path).json(&body),
    };
    send(request.bearer_auth(token))
}

pub(crate) fn token(session: &Value) -> String {
    session["access_token"].as_str().unwrap().to_owned()
}

/// Activates an account; returns the full session.
pub(crate) fn activate(app: &TestApp, member: &Member, visible: bool) -> Value {
    let (status, session) = sign_in(app, &member.username, &member.temporary);
    assert_eq!(status, 201, "{session:#}");
    let (status, state) = call(
        app,
        "PUT",
        "/v1/account/password",
        &token(&session),
        json!({"current_password": member.temporary, "new_password": NEW_PASSWORD}),
    );
    assert_eq!(status, 200, "{state:#}");
    let activation = token(&state["session"]);
    let answers = json!({"answers": [{"question": "first_pet", "answer": "Biscuit"}, {"question": "first_school", "answer": "St Mary's"}]});
    assert_eq!(call(app, "PUT", "/v1/account/security-questions", &activation, answers).0, 200);
    assert_eq!(call(app, "PUT", "/v1/account/acceptable-use-policy", &activation, json!({"accepted": true})).0, 200);
    let (status, state) =
        call(app, "PUT", "/v1/account/directory-visibility", &activation, json!({"mobile_visible": visible}));
    assert_eq!(status, 200, "{state:#}");
    state["session"].clone()
}

#[test]
fn r_l1_r_a4_a_provisioned_member_activates_and_gets_the_welcome_email() {
    on_each_backend(|app| {
        let (_, members) = provisioned(app);
        let david = &members[0];
        let (status, session) = sign_in(app, "david.smith", &david.temporary);
        assert_eq!(status, 201, "{session:#}");
        assert_eq!(session["scope"], "activation");
        assert_eq!(
            session["required_actions"],
            json!([
                "change_password",
                "set_security_questions",
                "accept_acceptable_use_policy",
                "choose_directory_visibility"
            ])
        );
        assert!(session["refresh_token"].is_null(), "activation sessions cannot be refreshed");
        let activation = token(&session);
        let (status, problem) = call(app, "GET", "/v1/account/me", &activation, json!({}));
        assert_problem(status, &problem, 403, "forbidden");
        assert_eq!(problem["code"], "activation_required");

        let (status, state) = call(
            app,
            "PUT",
            "/v1/account/password",
            &activation,
            json!({"current_password": david.temporary, "new_password": NEW_PASSWORD}),
        );
        assert_eq!(status, 200, "{state:#}");
        assert_eq!(state["status"], "pending_activation");
        assert_eq!(
            state["required_actions"],
            json!(["set_security_questions", "accept_acceptable_use_policy", "choose_directory_visibility"])
        );
        assert_eq!(
            call(app, "GET", "/v1/account/security-questions", &activation, json!({})).1.as_array().unwrap().len(),
            6
        );
        let (status, _) = call(app, "PUT", "/v1/account/acceptable-use-policy", &activation, json!({"accepted": true}));
        assert_eq!(status, 401, "the password change ended the old session");
        let activation = token(&state["session"]);
        let answers = json!({"answers": [{"question": "first_pet", "answer": "Biscuit"}, {"question": "first_school", "answer": "St Mary's"}]});
        assert_eq!(call(app, "PUT", "/v1/account/security-questions", &activation, answers).0, 200);
        assert_eq!(
            call(app, "PUT", "/v1/account/acceptable-use-policy", &activation, json!({"accepted": true})).0,
            200
        );
        let before = app.outbox().len();
        let (status, state) =
            call(app, "PUT", "/v1/account/directory-visibility", &activation, json!({"mobile_visible": false}));
        assert_eq!(status, 200, "{state:#}");
        assert_eq!(state["status"], "active");
        assert_eq!(state["session"]["scope"], "full");
        assert!(state["session"]["refresh_token"].is_string());

        // R-A4: the welcome email goes to the new NHSmail address with the shared mailbox.
        let welcome = app.wait_for_message(before, |m| m["template"] == "welcome_email");
        assert_eq!(welcome["to"], "david.smith@nhs.net");
        let body = welcome["content"]["body"].as_str().unwrap();
        assert!(body.contains("Name of Dental Practice: BRIGHT SMILE DENTAL PRACTICE"));
        assert!(body.contains("ODS Code: V00101"));
        assert!(body.contains("nhsdental.leeds.brightsmiledentalpracticev00101@nhs.net"));

        let full = token(&state["session"]);
        let (status, me) = call(app, "GET", "/v1/account/me", &full, json!({}));
        assert_eq!(status, 200, "{me:#}");
        assert_eq!(me["username"], "david.smith@nhs.net");
        assert_eq!(me["practices"][0]["is_owner"], true);
        assert_eq!(me["mobile_visible"], false);

        // The temporary password no longer works; the new one gives a full session.
        assert_eq!(sign_in(app, &david.username, &david.temporary).0, 401);
        let (status, session) = sign_in(app, &david.username, NEW_PASSWORD);
        assert_eq!((status, session["scope"].as_str()), (201, Some("full")));
    });
}

#[test]
fn r_l1_each_required_action_is_refused_out_of_order() {
    on_each_backend(|app| {
        let (_, members) = provisioned(app);
        let sarah = &members[1];
        let (_, session) = sign_in(app, &sarah.username, &sarah.temporary);
        let activation = token(&session);
        let answers = json!({"answers": [{"question": "first_pet", "answer": "Rex"}, {"question": "childhood_street", "answer": "High Street"}]});
        for (path, body) in [
            ("/v1/account/security-questions", answers.clone()),
            ("/v1/account/acceptable-use-policy", json!({"accepted": true})),
            ("/v1/account/directory-visibility", json!({"mobile_visible": true})),
        ] {
            let (status, problem) = call(app, "PUT", path, &activation, body);
            assert_problem(status, &problem, 409, "conflict");
            assert_eq!(problem["code"], "required_action_out_of_order", "{path}");
            assert_eq!(problem["rule"], "R-L1");
        }
        let (_, state) = call(
            app,
            "PUT",
            "/v1/account/password",
            &activation,
            json!({"current_password": sarah.temporary, "new_password": NEW_PASSWORD}),
        );
        let activation = token(&state["session"]);
        for path in ["/v1/account/acceptable-use-policy", "/v1/account/directory-visibility"] {
            let body =
                if path.ends_with("policy") { json!({"accepted": true}) } else { json!({"mobile_visible": true}) };
            let (status, problem) = call(app, "PUT", path, &activation, body);
            assert_problem(status, &problem, 409, "conflict");
            assert!(problem["detail"].as_str().unwrap().contains("set security questions"));
        }
        let (status, problem) = call(
            app,
            "PUT",
            "/v1/account/password",
            &activation,
            json!({"current_password": NEW_PASSWORD, "new_password": "another fine passphrase"}),
        );
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "required_action_done");
        // Bad answers are refused field by field.
        let (status, problem) = call(
            app,
            "PUT",
            "/v1/account/security-questions",
            &activation,
            json!({"answers": [{"question": "first_pet", "answer": "ab"}, {"question": "first_pet", "answer": "abc"}]}),
        );
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(
            field_errors(&problem),
            [
                ("/answers/0/answer".to_owned(), "answer_too_short".to_owned()),
                ("/answers/1/question".to_owned(), "question_repeated".to_owned())
            ]
        );
        let (status, problem) = call(app, "GET", "/v1/directory/people?q=smith", &activation, json!({}));
        assert_problem(status, &problem, 403, "forbidden");
    });
}

#[test]
fn r_l8_wrong_passwords_and_unknown_users_look_the_same_and_failures_lock_then_unlock() {
    on_each_backend(|app| {
        let (_, members) = provisioned(app);
        let david = &members[0];
        let (s1, mut wrong) = sign_in(app, &david.username, "not the password");
        let (s2, mut unknown) = sign_in(app, "nobody.here@nhs.net", "not the password");
        assert_problem(s1, &wrong, 401, "unauthorized");
        assert_eq!(s1, s2);
        wrong.as_object_mut().unwrap().remove("request_id");
        unknown.as_object_mut().unwrap().remove("request_id");
        assert_eq!(wrong, unknown);
        for _ in 0..4 {
            sign_in(app, &david.username, "not the password");
        }
        let (status, problem) = sign_in(app, &david.username, &david.temporary);
        assert_problem(status, &problem, 429, "rate-limited");
        assert_eq!(problem["code"], "sign_in_locked");
        app.clock.advance(Duration::minutes(16));
        assert_eq!(sign_in(app, &david.username, &david.temporary).0, 201, "unlocked after the lockout");
    });
}

#[test]
fn r_l2_password_policy_refusals_name_the_rule() {
    on_each_backend(|app| {
        let (_, members) = provisioned(app);
        let sarah = &members[1];
        let (_, session) = sign_in(app, &sarah.username, &sarah.temporary);
        let activation = token(&session);
        let attempt = |new: &str, current: &str| {
            call(
                app,
                "PUT",
                "/v1/account/password",
                &activation,
                json!({"current_password": current, "new_password": new}),
            )
        };
        for (new, code) in [
            ("Short1!", "password_too_short"),
            ("password123", "password_too_common"),
            ("lantern sarah quibble", "password_contains_name"),
            ("jones lantern quibble", "password_contains_name"),
        ] {
            let (status, problem) = attempt(new, &sarah.temporary);
            assert_problem(status, &problem, 422, "validation-failed");
            assert!(
                field_errors(&problem).contains(&("/new_password".to_owned(), code.to_owned())),
                "{new}: {problem:#}"
            );
            assert_eq!(problem["errors"][0]["rule"], "R-L2");
        }
        let (status, problem) = attempt(NEW_PASSWORD, "wrong current");
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem), [("/current_password".to_owned(), "current_password_incorrect".to_owned())]);
        let (status, problem) = attempt(&sarah.temporary, &sarah.temporary);
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem)[0].1, "password_recently_used");

        // After activation: a password used within the last four is refused.
        let full = token(&activate_from(app, sarah, &activation));
        let second = "gorse lantern quibble forty";
        let (status, state) = call(
            app,
            "PUT",
            "/v1/account/password",
            &full,
            json!({"current_password": NEW_PASSWORD, "new_password": second}),
        );
        assert_eq!(status, 200, "{state:#}");
        let full = token(&state["session"]);
        let (status, problem) = call(
            app,
            "PUT",
            "/v1/account/password",
            &full,
            json!({"current_password": second, "new_password": NEW_PASSWORD}),
        );
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem), [("/new_password".to_owned(), "password_recently_used".to_owned())]);
    });
}

/// Finishes an activation already started with `activation` (password still temporary).
fn activate_from(app: &TestApp, member: &Member, activation: &str) -> Value {
    let (_, state) = call(
        app,
        "PUT",
        "/v1/account/password",
        activation,
        json!({"current_password": member.temporary, "new_password": NEW_PASSWORD}),
    );
    let activation = token(&state["session"]);
    call(
        app,
        "PUT",
        "/v1/account/security-questions",
        &activation,
        json!({"answers": [{"question": "first_pet", "answer": "Biscuit"}, {"question": "first_school", "answer": "St Mary's"}]}),
    );
    call(app, "PUT", "/v1/account/acceptable-use-policy", &activation, json!({"accepted": true}));
    call(app, "PUT", "/v1/account/directory-visibility", &activation, json!({"mobile_visible": true})).1["session"]
        .clone()
}

#[test]
fn r_l3_an_old_password_forces_a_change_and_an_expired_temporary_password_is_refused() {
    on_each_backend(|app| {
        let (_, members) = provisioned(app);
        activate(app, &members[0], false);
        app.clock.advance(Duration::days(91));
        let (status, session) = sign_in(app, &members[0].username, NEW_PASSWORD);
        assert_eq!((status, session["scope"].as_str()), (201, Some("password_change")), "{session:#}");
        assert_eq!(session["required_actions"], json!(["change_password"]));
        let (status, problem) = call(app, "GET", "/v1/account/me", &token(&session), json!({}));
        assert_problem(status, &problem, 403, "forbidden");
        assert_eq!(problem["code"], "password_change_required");
        let (status, state) = call(
            app,
            "PUT",
            "/v1/account/password",
            &token(&session),
            json!({"current_password": NEW_PASSWORD, "new_password": "gorse lantern quibble forty"}),
        );
        assert_eq!((status, state["session"]["scope"].as_str()), (200, Some("full")));
        assert_eq!(call(app, "GET", "/v1/account/me", &token(&state["session"]), json!({})).0, 200);

        // 91 days on, the other members' temporary passwords (14 days) have long expired.
        let (status, problem) = sign_in(app, &members[1].username, &members[1].temporary);
        assert_problem(status, &problem, 401, "unauthorized");
        assert_eq!(problem["code"], "temporary_password_expired");
        let (status, problem) = sign_in(app, &members[1].username, "wrong guess entirely");
        assert_eq!(
            (status, problem["code"].as_str()),
            (401, Some("invalid_credentials")),
            "only the real password reveals the expiry"
        );
    });
}

#[test]
fn r_l7_self_service_reset_with_a_code_and_a_security_answer() {
    on_each_backend(|app| {
        let (_, members) = provisioned(app);
        let david = &members[0];
        let old_session = activate(app, david, false);
        let before = app.outbox().len();
        let (status, started) = send(app.post("/v1/account/password-resets").json(&json!({"username": "David.Smith"})));
        assert_eq!(status, 202, "{started:#}");
        let question = started["security_question"]["code"].as_str().unwrap().to_owned();
        assert!(["first_pet", "first_school"].contains(&question.as_str()));
        let sms = app.wait_for_message(before, |m| m["template"] == "password_reset_code_sms");
        assert_eq!(sms["to"], david.mobile);
        let body = sms["content"]["body"].as_str().unwrap();
        let code = &body[body.find("code is ").unwrap() + 8..][..8];
        let answer = if question == "first_pet" { "biscuit" } else { "ST MARY'S" };
        let reset = started["reset_id"].as_str().unwrap();
        let complete = |code: &str, answer: &str| {
            send(
                app.post(&format!("/v1/account/password-resets/{reset}/completion"))
                    .json(&json!({"code": code, "answer": answer, "new_password": "gorse lantern quibble forty"})),
            )
        };

        let (status, problem) = complete("00000000", answer);
        assert_problem(status, &problem, 422, "verification-failed");
        assert_eq!(field_errors(&problem)[0].1, "reset_code_or_answer_incorrect");
        assert_eq!(problem["attempts_remaining"], 4);
        let (status, problem) = complete(code, "wrong answer");
        assert_eq!((status, problem["attempts_remaining"].as_i64()), (422, Some(3)));
        let (status, done) = complete(code, answer);
        assert_eq!(status, 200, "{done:#}");
        assert_eq!(complete(code, answer).0, 422, "a reset works once");
        assert_eq!(call(app, "GET", "/v1/account/me", &token(&old_session), json!({})).0, 401, "every session ended");
        assert_eq!(sign_in(app, &david.username, NEW_PASSWORD).0, 401);
        assert_eq!(sign_in(app, &david.username, "gorse lantern quibble forty").0, 201);

        // An expired code.
        let before = app.outbox().len();
        let (_, started) = send(app.post("/v1/account/password-resets").json(&json!({"username": david.username})));
        let sms = app.wait_for_message(before, |m| m["template"] == "password_reset_code_sms");
        let body = sms["content"]["body"].as_str().unwrap().to_owned();
        let code = &body[body.find("code is ").unwrap() + 8..][..8];
        app.clock.advance(Duration::minutes(16));
        let (status, problem) = send(
            app.post(&format!("/v1/account/password-resets/{}/completion", started["reset_id"].as_str().unwrap()))
                .json(&json!({"code": code, "answer": "biscuit", "new_password": "yet another long passphrase"})),
        );
        assert_problem(status, &problem, 422, "verification-failed");
        assert_eq!(field_errors(&problem)[0].1, "reset_expired");

        // An unknown username gets the same answer and no message is queued for anyone.
        let db = app.database();
        let mut conn = db.get().unwrap();
        let codes = persistence::outbox::count_by_template(&mut conn, "password_reset_code_sms").unwrap();
        let (status, fake) = send(app.post("/v1/account/password-resets").json(&json!({"username": "nobody.here"})));
        assert_eq!(status, 202);
        assert!(fake["reset_id"].is_string() && fake["security_question"]["text"].is_string());
        let (_, again) = send(app.post("/v1/account/password-resets").json(&json!({"username": "nobody.here"})));
        assert_eq!(again["security_question"], fake["security_question"], "stable, like a real account's");
        assert_eq!(persistence::outbox::count_by_template(&mut conn, "password_reset_code_sms").unwrap(), codes);
    });
}

#[test]
fn r_l7_concurrent_guesses_at_a_reset_never_exceed_its_attempts() {
    on_each_backend(|app| {
        let (_, members) = provisioned(app);
        activate(app, &members[0], false);
        let before = app.outbox().len();
        let (status, started) = send(app.post("/v1/account/password-resets").json(&json!({"username": "david.smith"})));
        assert_eq!(status, 202, "{started:#}");
        let sms = app.wait_for_message(before, |m| m["template"] == "password_reset_code_sms");
        let body = sms["content"]["body"].as_str().unwrap().to_owned();
        let code = body[body.find("code is ").unwrap() + 8..][..8].to_owned();
        let path = format!("/v1/account/password-resets/{}/completion", started["reset_id"].as_str().unwrap());
        let url = app.url(&path);
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(12));
        let results: Vec<(u16, Value)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..12)
                .map(|i| {
                    let (barrier, url) = (barrier.clone(), url.clone());
                    scope.spawn(move || {
                        let client = reqwest::blocking::Client::new();
                        barrier.wait();
                        send(client.post(&url).json(&json!({"code": format!("{:08}", 11_111_111 * (i % 9)), "answer": "wrong", "new_password": "gorse lantern quibble forty"})))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let checked = results.iter().filter(|(_, p)| field_errors(p)[0].1 == "reset_code_or_answer_incorrect").count();
        assert!(results.iter().all(|(status, _)| *status == 422), "{results:#?}");
        assert!(checked <= 5, "R-L7: {checked} guesses were checked, more than the 5 attempts");
        // The right code and answer no longer work: the attempts are spent.
        let (status, problem) = send(
            app.post(&path)
                .json(&json!({"code": code, "answer": "biscuit", "new_password": "gorse lantern quibble forty"})),
        );
        assert_problem(status, &problem, 422, "verification-failed");
        assert_eq!(field_errors(&problem)[0].1, "reset_expired");
    });
}

#[test]
fn r_l7_the_helpdesk_resets_a_password_after_the_owners_confirmation_without_seeing_it() {
    on_each_backend(|app| {
        let (helpdesk, members) = provisioned(app);
        let (david, sarah) = (&members[0], &members[1]);
        let session = activate(app, sarah, true);
        let path = format!("/v1/admin/accounts/{}/password-reset", sarah.id);
        let (status, problem) = call(
            app,
            "POST",
            &path,
            &helpdesk,
            json!({"confirmed_by_owner": members[2].username, "confirmed_mobile": "07700 900000"}),
        );
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(
            field_errors(&problem),
            [
                ("/confirmed_by_owner".to_owned(), "not_an_owner".to_owned()),
                ("/confirmed_mobile".to_owned(), "mobile_does_not_match".to_owned())
            ]
        );
        let before = app.outbox().len();
        let (status, done) = call(
            app,
            "POST",
            &path,
            &helpdesk,
            json!({"confirmed_by_owner": "david.smith", "confirmed_mobile": "07888 888888"}),
        );
        assert_eq!(status, 202, "{done:#}");
        assert_eq!(done["sent_to"], "the registered mobile ending 888");
        let sms = app.wait_for_message(before, |m| {
            m["template"] == "temporary_password_sms" && m["to"] == sarah.mobile.as_str()
        });
        let temporary = temporary_password(&[sms], &sarah.mobile);
        assert!(!done.to_string().contains(&temporary), "the helpdesk never sees the password");
        assert_eq!(call(app, "GET", "/v1/account/me", &token(&session), json!({})).0, 401, "her sessions ended");
        let (status, new_session) = sign_in(app, &sarah.username, &temporary);
        assert_eq!((status, new_session["scope"].as_str()), (201, Some("password_change")));
        let _ = david;
    });
}

#[test]
fn tokens_die_on_logout_password_change_and_disabling_and_refresh_rotates() {
    on_each_backend(|app| {
        let (helpdesk, members) = provisioned(app);
        let david = &members[0];
        let session = activate(app, david, false);
        let access = token(&session);
        let refresh = session["refresh_token"].as_str().unwrap().to_owned();
        let (status, renewed) = send(app.post("/v1/account/sessions/refresh").json(&json!({"refresh_token": refresh})));
        assert_eq!(status, 200, "{renewed:#}");
        assert_ne!(renewed["refresh_token"], refresh);
        // The replaced refresh token ends the session (it may have been stolen).
        assert_eq!(send(app.post("/v1/account/sessions/refresh").json(&json!({"refresh_token": refresh}))).0, 401);
        assert_eq!(call(app, "GET", "/v1/account/me", &token(&renewed), json!({})).0, 401);
        assert_eq!(call(app, "GET", "/v1/account/me", &access, json!({})).0, 401);

        // Logout.
        let (_, session) = sign_in(app, &david.username, NEW_PASSWORD);
        assert_eq!(call(app, "DELETE", "/v1/account/sessions/current", &token(&session), json!({})).0, 204);
        assert_eq!(call(app, "GET", "/v1/account/me", &token(&session), json!({})).0, 401);
        assert_eq!(
            send(app.post("/v1/account/sessions/refresh").json(&json!({"refresh_token": session["refresh_token"]}))).0,
            401
        );

        // A password change ends every other session.
        let (_, first) = sign_in(app, &david.username, NEW_PASSWORD);
        let (_, second) = sign_in(app, &david.username, NEW_PASSWORD);
        let (status, _) = call(
            app,
            "PUT",
            "/v1/account/password",
            &token(&second),
            json!({"current_password": NEW_PASSWORD, "new_password": "gorse lantern quibble forty"}),
        );
        assert_eq!(status, 200);
        assert_eq!(call(app, "GET", "/v1/account/me", &token(&first), json!({})).0, 401);

        // Disabling ends everything and refuses sign-in; enabling restores it.
        let (_, live) = sign_in(app, &david.username, "gorse lantern quibble forty");
        let (status, disabled) = call(
            app,
            "POST",
            &format!("/v1/admin/accounts/{}/disable", david.id),
            &helpdesk,
            json!({"reason": "Left the practice"}),
        );
        assert_eq!((status, disabled["status"].as_str()), (200, Some("disabled")));
        let response = app.get("/v1/account/me").bearer_auth(token(&live)).send().unwrap();
        assert_problem(response.status().as_u16(), &json_body(response), 401, "unauthorized");
        assert_eq!(sign_in(app, &david.username, "gorse lantern quibble forty").1["code"], "invalid_credentials");
        assert_eq!(
            call(app, "POST", &format!("/v1/admin/accounts/{}/enable", david.id), &helpdesk, Value::Null).1["status"],
            "active"
        );
        assert_eq!(sign_in(app, &david.username, "gorse lantern quibble forty").0, 201);
        // Account tokens do not open helpdesk endpoints, nor helpdesk tokens account ones.
        assert_eq!(call(app, "GET", "/v1/admin/applications", &token(&live), json!({})).0, 401);
        assert_eq!(call(app, "GET", "/v1/account/me", &helpdesk, json!({})).0, 401);
    });
}

#[test]
fn r_l9_hidden_mobiles_are_never_shown_to_anyone_else() {
    on_each_backend(|app| {
        let (_, members) = provisioned(app);
        let david = token(&activate(app, &members[0], false));
        let sarah = token(&activate(app, &members[1], true));
        let (status, people) = call(app, "GET", "/v1/directory/people?q=nhs.net", &sarah, json!({}));
        assert_eq!(status, 200, "{people:#}");
        let find = |people: &Value, username: &str| {
            people["items"].as_array().unwrap().iter().find(|p| p["username"] == username).cloned().unwrap()
        };
        assert!(find(&people, "david.smith@nhs.net")["mobile"].is_null(), "David hid his mobile");
        assert_eq!(find(&people, "sarah.jones@nhs.net")["mobile"], "+447888888888");
        assert!(
            people["items"].as_array().unwrap().iter().all(|p| p["username"] != members[2].username),
            "accounts not yet active are not listed"
        );
        let (_, people) = call(app, "GET", "/v1/directory/people?q=smith", &david, json!({}));
        assert_eq!(find(&people, "david.smith@nhs.net")["mobile"], "+447912345678", "his own number");
        assert_eq!(find(&people, "david.smith@nhs.net")["practice_name"], "BRIGHT SMILE DENTAL PRACTICE");
        assert!(!people.to_string().contains("7912345678") || people["items"].as_array().unwrap().len() == 1);
        let (_, people) = call(app, "GET", "/v1/directory/people?q=david", &sarah, json!({}));
        assert!(!people.to_string().contains("7912345678"));

        // Changing the choice later is honoured at once.
        assert_eq!(
            call(app, "PUT", "/v1/account/directory-visibility", &sarah, json!({"mobile_visible": false})).0,
            200
        );
        let (_, people) = call(app, "GET", "/v1/directory/people?q=jones", &david, json!({}));
        assert!(find(&people, "sarah.jones@nhs.net")["mobile"].is_null());

        let (status, mailboxes) = call(app, "GET", "/v1/directory/mailboxes?q=bright", &david, json!({}));
        assert_eq!(status, 200);
        assert_eq!(mailboxes["items"][0]["address"], "nhsdental.leeds.brightsmiledentalpracticev00101@nhs.net");
        assert!(mailboxes["next_cursor"].is_null());
        // Wildcards in the search text are taken literally.
        for wild in ["%25%25", "__", "%25mith"] {
            let (status, page) = call(app, "GET", &format!("/v1/directory/people?q={wild}"), &david, json!({}));
            assert_eq!((status, page["items"].as_array().map(Vec::len)), (200, Some(0)), "q={wild}: {page:#}");
        }
        let (status, problem) = call(app, "GET", "/v1/directory/people?q=a&limit=0&cursor=%%%", &david, json!({}));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(
            field_errors(&problem),
            [
                ("/query/q".to_owned(), "query_too_short".to_owned()),
                ("/query/limit".to_owned(), "out_of_range".to_owned()),
                ("/query/cursor".to_owned(), "cursor_invalid".to_owned())
            ]
        );
    });
}

#[test]
fn r_l9_people_are_found_by_name_username_or_practice_as_the_contract_says() {
    on_each_backend(|app| {
        let (_, members) = provisioned(app);
        let david = token(&activate(app, &members[0], false));
        activate(app, &members[1], false);
        let usernames = |q: &str| {
            let (status, page) = call(app, "GET", &format!("/v1/directory/people?q={q}"), &david, json!({}));
            assert_eq!(status, 200, "{page:#}");
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["username"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        let both = ["david.smith@nhs.net", "sarah.jones@nhs.net"];
        assert_eq!(usernames("smile%20dental"), both, "by practice name");
        assert_eq!(usernames("sarah%20jones"), ["sarah.jones@nhs.net"], "by name");
        assert_eq!(usernames("david.smith"), ["david.smith@nhs.net"], "by username");
    });
}

#[test]
fn r_l9_the_directory_comes_a_page_at_a_time() {
    on_each_backend(|app| {
        let (_, members) = provisioned(app);
        let mut tokens: Vec<String> = members.iter().map(|m| token(&activate(app, m, true))).collect();
        let reader = tokens.remove(0);
        let mut seen = Vec::new();
        let mut path = "/v1/directory/people?q=nhs.net&limit=2".to_owned();
        loop {
            let (status, page) = call(app, "GET", &path, &reader, json!({}));
            assert_eq!(status, 200, "{page:#}");
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 2);
            seen.extend(items.iter().map(|p| p["username"].as_str().unwrap().to_owned()));
            assert!(seen.len() <= members.len(), "pages repeat entries: {seen:?}");
            match page["next_cursor"].as_str() {
                Some(cursor) => path = format!("/v1/directory/people?q=nhs.net&limit=2&cursor={cursor}"),
                None => break,
            }
        }
        let mut expected: Vec<String> = members.iter().map(|m| m.username.clone()).collect();
        expected.sort();
        assert_eq!(seen, expected, "every active account once, in username order");
    });
}

/// Password hashing waits its turn off the request workers: while a burst of sign-ins queues for
/// the single hasher, health checks and database reads are answered straight away.
#[test]
fn a_burst_of_sign_ins_does_not_hold_up_other_requests() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    const BURST: usize = 24;
    for database in blackbox::test_databases() {
        let app = TestApp::spawn_with(database, |config| {
            config.workers = Some(1);
            config.app.password_hashing_concurrency = 1;
        });
        let finished = Arc::new(AtomicUsize::new(0));
        let burst: Vec<_> = (0..BURST)
            .map(|i| {
                let request = app
                    .post("/v1/account/sessions")
                    .json(&json!({"username": format!("burst.{i}"), "password": "not the password"}));
                let finished = finished.clone();
                std::thread::spawn(move || {
                    let status = request.send().expect("the server answers").status().as_u16();
                    finished.fetch_add(1, Ordering::SeqCst);
                    status
                })
            })
            .collect();
        while finished.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        // The hasher is busy and the queue is long; other requests do not join it.
        assert_eq!(send(app.get("/readyz")).0, 200);
        assert_eq!(send(app.get("/v1/account/security-questions")).0, 200);
        assert_eq!(send(app.get("/v1/account/me").bearer_auth("not a token")).0, 401);
        assert_eq!(send(app.get("/problems")).0, 200);
        let done_meanwhile = finished.load(Ordering::SeqCst);
        assert!(done_meanwhile < BURST, "other requests were answered only after the whole burst ({done_meanwhile})");
        let statuses: Vec<u16> = burst.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(statuses.iter().all(|&s| s == 401), "every sign-in is answered, none fails: {statuses:?}");
    }
}

#[test]
fn sign_ins_without_a_username_or_password_name_both_fields() {
    on_each_backend(|app| {
        for path in ["/v1/account/sessions", "/v1/admin/sessions"] {
            for body in [json!({}), json!({"username": "   ", "password": ""})] {
                let (status, problem) = send(app.post(path).json(&body));
                assert_problem(status, &problem, 422, "validation-failed");
                assert_eq!(
                    field_errors(&problem),
                    [("/username".to_owned(), "required".to_owned()), ("/password".to_owned(), "required".to_owned())],
                    "{path} {body}"
                );
            }
            // A password of spaces is a password (a wrong one), not a missing one.
            let (status, problem) = send(app.post(path).json(&json!({"username": "nobody.here", "password": "   "})));
            assert_problem(status, &problem, 401, "unauthorized");
        }
    });
}

#[test]
fn r_l7_reset_codes_are_limited_per_account_and_requests_per_client() {
    on_each_backend(|app| {
        let (_, members) = provisioned(app);
        let david = &members[0];
        activate(app, david, false);
        let db = app.database();
        let mut conn = db.get().unwrap();
        let codes = |conn: &mut _| persistence::outbox::count_by_template(conn, "password_reset_code_sms").unwrap();
        let start = |username: &str| send(app.post("/v1/account/password-resets").json(&json!({"username": username})));
        let before = codes(&mut conn);
        for n in 1..=4 {
            let (status, body) = start(&david.username);
            assert_eq!(status, 202, "request {n}: the answer never changes: {body:#}");
        }
        assert_eq!(codes(&mut conn) - before, 3, "at most 3 codes an hour for one account");
        for n in 5..=10 {
            assert_eq!(start(&format!("someone.{n}")).0, 202);
        }
        let (status, problem) = start("someone.11");
        assert_problem(status, &problem, 429, "rate-limited");
        app.clock.advance(Duration::minutes(61));
        assert_eq!(start(&david.username).0, 202);
        assert_eq!(codes(&mut conn) - before, 4, "a new hour, a new code");
    });
}

//! Every refusal of the journey, each with its problem type, code and field pointer.
//!
//! Why this file is long: one test per refusal the API promises, each short; split by topic
//! they would repeat the same helpers.

use blackbox::journey::*;
use blackbox::{assert_problem, field_errors, on_each_backend, send};
use serde_json::{Value, json};

fn errors(body: &Value) -> Vec<(String, String)> {
    field_errors(body)
}

fn pair(pointer: &str, code: &str) -> (String, String) {
    (pointer.to_owned(), code.to_owned())
}

#[test]
fn r_e1_r_e2_ineligible_answers_are_refused_with_the_outcome_and_nothing_is_stored() {
    on_each_backend(|app| {
        let mut body = answers(false, "post");
        body["has_nhsmail_account"] = json!(true);
        body["ig_return_submitted"] = json!(false);
        let (status, problem) = send(app.post("/v1/applications").json(&body));
        assert_problem(status, &problem, 422, "not-eligible");
        assert_eq!(
            errors(&problem),
            [
                pair("/has_nhsmail_account", "already_has_nhsmail_account"),
                pair("/ig_return_submitted", "ig_requirement_not_met")
            ]
        );
        assert_eq!(problem["errors"][0]["rule"], "R-E1");
        assert_eq!(problem["eligibility"]["eligible"], false);
        assert_eq!(problem["eligibility"]["next_steps"], json!(["ask_colleague_to_apply", "meet_ig_requirement"]));
        assert!(problem["eligibility"]["reasons"][0]["explanation"].as_str().unwrap().contains("colleague"));
        assert!(problem.get("token").is_none());
    });
}

#[test]
fn unanswered_questions_are_all_listed() {
    on_each_backend(|app| {
        let (status, problem) = send(app.post("/v1/applications").json(&json!({"has_nhsmail_account": false})));
        assert_problem(status, &problem, 422, "validation-failed");
        let pointers: Vec<_> = errors(&problem).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            pointers,
            ["/ig_return_submitted", "/recent_passcode_received", "/knows_cqc_contact_id", "/passcode_channel"]
        );
    });
}

#[test]
fn malformed_oversized_and_mistyped_bodies_are_refused_cleanly() {
    on_each_backend(|app| {
        let (status, problem) = send(
            app.post("/v1/applications")
                .header("Content-Type", "application/json")
                .body("{\"has_nhsmail_account\": fal"),
        );
        assert_problem(status, &problem, 400, "malformed-request");
        let (status, problem) = send(app.post("/v1/applications").header("Content-Type", "text/plain").body("hello"));
        assert_problem(status, &problem, 415, "unsupported-media-type");
        let huge = format!("{{\"padding\": \"{}\"}}", "x".repeat(200 * 1024));
        let (status, problem) =
            send(app.post("/v1/applications").header("Content-Type", "application/json").body(huge));
        assert_problem(status, &problem, 413, "payload-too-large");
        let mut body = answers(false, "post");
        body["has_nhsmail_account"] = json!("no");
        let (status, problem) = send(app.post("/v1/applications").json(&body));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/has_nhsmail_account", "invalid_type")]);
        let mut body = answers(false, "post");
        body["pascode_channel"] = json!("post");
        let (status, problem) = send(app.post("/v1/applications").json(&body));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem)[0].1, "unknown_field");
        let mut body = answers(false, "post");
        body["passcode_channel"] = json!("pigeon");
        let (status, problem) = send(app.post("/v1/applications").json(&body));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem)[0].0, "/passcode_channel");
        // In plain words: the allowed values, never the parser's ("unknown variant …").
        let detail = problem["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains("email") && detail.contains("post") && !detail.contains("variant"), "{detail}");
    });
}

#[test]
fn control_characters_and_overlong_text_are_refused_at_the_boundary_naming_each_field() {
    on_each_backend(|app| {
        // The unauthenticated sign-in: a NUL in the username, a password far too long.
        let (status, problem) = send(
            app.post("/v1/account/sessions")
                .json(&json!({"username": "sarah\u{0}jones", "password": "x".repeat(2000)})),
        );
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/username", "control_characters"), pair("/password", "too_long")]);
        // A member with a NUL in a name, an escape character in the email: each named.
        let journey = Journey::verified_sample_practice(app);
        let mut bad = member("Nul\u{0}l", "Person", 1);
        bad["email"] = json!("a\u{1b}b@example.org");
        let (status, problem) = journey.post("/members", bad);
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/first_name", "control_characters"), pair("/email", "control_characters")]);
        assert_eq!(journey.state()["members"], json!([]), "nothing was stored");
        // Query parameters too.
        let (status, problem) = send(journey.auth(app.get("/v1/practices")).query(&[("postcode", "SW19\u{0}4AB")]));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/query/postcode", "control_characters")]);
        // A NUL in a search filter is refused rather than matching everything.
        let token = app.helpdesk_token();
        let (status, problem) = send(
            app.get("/v1/admin/applications")
                .bearer_auth(&token)
                .query(&[("practice_name", "\u{0}"), ("postcode", "LS1\u{7}4AP")]),
        );
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(
            errors(&problem),
            [pair("/query/practice_name", "control_characters"), pair("/query/postcode", "control_characters")]
        );
    });
}

#[test]
fn text_that_could_deceive_is_refused_and_decomposed_names_are_the_same_name() {
    on_each_backend(|app| {
        // Route B with a right-to-left override in the practice name: refused, the field named.
        let journey = Journey::start(app, answers(false, "post"));
        let (status, problem) = journey.put(
            "/practice",
            json!({"route": "b", "postcode": "SW19 4AB", "practice_name": "Smile \u{202E}latneD",
                   "ods_code": "V81999", "cqc_location_id": SAMPLE_LOCATION}),
        );
        assert_problem(status, &problem, 422, "validation-failed");
        assert!(errors(&problem).contains(&pair("/practice_name", "hidden_characters")), "{problem:#}");
        let detail = problem["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains("U+202E"), "{detail}");
        // A name that is only an invisible filler, a zero-width joiner, a private-use character, and
        // an email with a Kelvin sign that lower-casing would have folded to `k`: each named.
        let journey = Journey::verified_sample_practice(app);
        let mut bad = member("\u{3164}", "Jo\u{200D}nes", 1);
        bad["email"] = json!("\u{212A}elly@example.org");
        let (status, problem) = journey.post("/members", bad);
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(
            errors(&problem),
            [
                pair("/first_name", "hidden_characters"),
                pair("/last_name", "hidden_characters"),
                pair("/email", "email_invalid")
            ]
        );
        let mut bad = member("Ann", "Lee\u{E000}", 2);
        bad["email"] = json!("ann.lee@example.org");
        let (status, problem) = journey.post("/members", bad);
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/last_name", "hidden_characters")]);
        assert_eq!(journey.state()["members"], json!([]), "nothing was stored");
        // `Zoe` + a combining diaeresis is stored, and answered, as `Zoë`.
        let mut zoe = member("Zoe\u{308}", "Brontë", 3);
        zoe["email"] = json!("zoe.bronte@example.org");
        let (status, body) = journey.post("/members", zoe);
        assert_eq!(status, 201, "{body:#}");
        let stored = &journey.state()["members"][0];
        assert_eq!(stored["first_name"], "Zo\u{EB}");
        assert_eq!(stored["last_name"], "Bront\u{EB}");
    });
}

#[test]
fn r_p1_r_p4_bad_postcode_location_id_and_ods_code_are_each_named() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(false, "post"));
        let (status, problem) = send(journey.auth(app.get("/v1/practices")).query(&[("postcode", "SW19")]));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/query/postcode", "postcode_invalid")]);
        assert_eq!(problem["errors"][0]["rule"], "R-P1");

        let (status, problem) = journey.put(
            "/practice",
            json!({"route": "b", "postcode": "not a postcode", "practice_name": "  ", "ods_code": "V1", "cqc_location_id": "1-123"}),
        );
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(
            errors(&problem),
            [
                pair("/postcode", "postcode_invalid"),
                pair("/practice_name", "required"),
                pair("/ods_code", "ods_code_invalid"),
                pair("/cqc_location_id", "cqc_location_id_invalid"),
            ]
        );
        let rules: Vec<_> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["rule"].as_str().unwrap_or("")).collect();
        assert_eq!(rules, ["R-P1", "", "R-P4", "R-P4"]);
    });
}

#[test]
fn route_b_refuses_unknown_non_dental_and_registered_locations() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(false, "post"));
        let identify = |location: &str, postcode: &str| {
            journey.put(
                "/practice",
                json!({"route": "b", "postcode": postcode, "practice_name": "A Practice", "ods_code": "V99999", "cqc_location_id": location}),
            )
        };
        let (status, problem) = identify("1-9999999999", "SW19 4AB");
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/cqc_location_id", "cqc_location_not_found")]);
        assert!(problem["errors"][0]["detail"].as_str().unwrap().contains("0333 200 1133"), "says how to get help");
        let (_, problem) = identify("1-1000000299", "SW19 4AB");
        assert_eq!(errors(&problem), [pair("/cqc_location_id", "cqc_location_not_dental")]);
        let (_, problem) = identify(BRIGHT_SMILE_ID_LOCATION, BRIGHT_SMILE_POSTCODE);
        assert_eq!(errors(&problem), [pair("/cqc_location_id", "practice_in_register")]);
        let (_, problem) = identify(SAMPLE_LOCATION, "SW1A 1AA");
        assert_eq!(errors(&problem), [pair("/postcode", "postcode_does_not_match_cqc")]);
        let (status, problem) =
            journey.put("/practice", json!({"route": "a", "postcode": "SW19 4AB", "practice_id": "nope"}));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/practice_id", "practice_not_found")]);
    });
}

#[test]
fn steps_out_of_order_are_refused_with_the_rule() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(false, "post"));
        let (status, problem) = journey.post("/passcode-requests", json!({}));
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "practice_not_identified");
        journey.identify_sample_practice();
        let (status, problem) = journey.add_member(member("Ann", "Owner", 1));
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "practice_not_authenticated");
        let (status, problem) = journey.put("/town", json!({"town": "wimbledon"}));
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "practice_not_authenticated");
    });
}

#[test]
fn r_o1_a_channel_the_practice_cannot_use_is_refused_never_swapped() {
    on_each_backend(|app| {
        // The questionnaire asked for email; the register holds no email for this practice.
        let journey = Journey::start(app, answers(false, "email"));
        journey.identify_listed_practice(CASTLE_POSTCODE, "CASTLE DENTAL SURGERY");
        assert_eq!(journey.state()["practice"]["passcode_channels"], json!(["post"]));
        let before = app.outbox().len();
        for body in [json!({"channel": "email"}), json!({})] {
            let (status, problem) = journey.post("/passcode-requests", body);
            assert_problem(status, &problem, 422, "validation-failed");
            assert_eq!(errors(&problem), [pair("/channel", "passcode_email_not_on_record")]);
            assert_eq!(problem["errors"][0]["rule"], "R-O1");
            assert!(problem["errors"][0]["detail"].as_str().unwrap().contains("post"), "names the channel available");
        }
        app.dispatch();
        assert_eq!(app.outbox().len(), before, "nothing was sent by another channel");
        // Nothing was spent of the practice's allowance (R-O5): the post request gets all three.
        let (status, issued) = journey.post("/passcode-requests", json!({"channel": "post"}));
        assert_eq!(status, 202, "{issued:#}");
        assert_eq!(issued["passcodes_remaining"], 2);
    });
}

#[test]
fn r_o3_r_o6_wrong_expired_and_reused_passcodes_are_refused() {
    on_each_backend(|app| {
        let first = Journey::start(app, answers(false, "post"));
        first.identify_sample_practice();
        let (_, passcode) = first.request_passcode(json!({}));

        // Wrong: counted, with attempts remaining.
        let (status, problem) = first.verify_with_passcode(SAMPLE_LOCATION, "ZZZZ-ZZZZ");
        assert_problem(status, &problem, 422, "verification-failed");
        assert_eq!(errors(&problem), [pair("/passcode", "passcode_incorrect")]);
        assert_eq!(problem["attempts_remaining"], 4);

        // A location id that is not the practice's counts as a failure too.
        let (status, problem) = first.verify_with_passcode("1-1000000201", &passcode);
        assert_problem(status, &problem, 422, "verification-failed");
        assert_eq!(errors(&problem), [pair("/cqc_location_id", "cqc_location_id_does_not_match")]);
        assert_eq!(problem["attempts_remaining"], 3);

        // Used: the first application verifies, then withdraws, releasing the practice.
        let (status, _) = first.verify_with_passcode(SAMPLE_LOCATION, &passcode);
        assert_eq!(status, 200);
        let (status, _) = first.delete("");
        assert_eq!(status, 204);
        let second = Journey::start(app, answers(true, "post"));
        second.identify_sample_practice();
        let (status, problem) = second.verify_with_passcode(SAMPLE_LOCATION, &passcode);
        assert_problem(status, &problem, 422, "verification-failed");
        assert_eq!(errors(&problem), [pair("/passcode", "passcode_already_used")]);
        assert_eq!(problem["errors"][0]["rule"], "R-O3");

        // Expired: 14 days later.
        let (_, fresh) = second.request_passcode(json!({}));
        app.clock.advance(chrono::Duration::days(14) + chrono::Duration::seconds(1));
        let (status, problem) = second.verify_with_passcode(SAMPLE_LOCATION, &fresh);
        assert_problem(status, &problem, 422, "verification-failed");
        assert_eq!(errors(&problem), [pair("/passcode", "passcode_expired")]);

        // No method, no credential, or the credential of the other method.
        let (status, problem) = second.post("/verification", json!({"cqc_location_id": SAMPLE_LOCATION}));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/method", "required")]);
        let (status, problem) =
            second.post("/verification", json!({"method": "passcode", "cqc_location_id": SAMPLE_LOCATION}));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/passcode", "required")]);
        let (status, problem) = second.post(
            "/verification",
            json!({"method": "passcode", "cqc_location_id": SAMPLE_LOCATION, "cqc_contact_id": "X"}),
        );
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/passcode", "required"), pair("/cqc_contact_id", "unknown_field")]);
        let (status, problem) = second.post(
            "/verification",
            json!({"method": "cqc_contact_id", "cqc_location_id": SAMPLE_LOCATION, "cqc_contact_id": "X"}),
        );
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "contact_id_not_available");
    });
}

#[test]
fn r_o6_five_failures_lock_verification_with_a_countdown_then_it_reopens() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(true, "email"));
        journey.identify_listed_practice(BRIGHT_SMILE_POSTCODE, "BRIGHT SMILE DENTAL PRACTICE");
        let attempt = |contact: &str| {
            journey
                .post("/verification", json!({"method": "cqc_contact_id", "cqc_location_id": BRIGHT_SMILE_ID_LOCATION, "cqc_contact_id": contact}))
        };
        for remaining in (0..5).rev() {
            let (status, problem) = attempt("WRONG");
            assert_problem(status, &problem, 422, "verification-failed");
            assert_eq!(errors(&problem), [pair("/cqc_contact_id", "cqc_contact_id_incorrect")]);
            assert_eq!(problem["attempts_remaining"], remaining);
        }
        // Locked: even the right contact id is not checked.
        let response = journey
            .auth(app.post(&journey.path("/verification")))
            .json(&json!({"method": "cqc_contact_id", "cqc_location_id": BRIGHT_SMILE_ID_LOCATION, "cqc_contact_id": BRIGHT_SMILE_CONTACT_ID}))
            .send()
            .unwrap();
        let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((800..=900).contains(&retry_after), "{retry_after}");
        let problem = blackbox::json_body(response);
        assert_problem(429, &problem, 429, "verification-locked");
        assert_eq!(problem["attempts_remaining"], 0);
        assert!(problem["locked_until"].is_string());

        app.clock.advance(chrono::Duration::minutes(16));
        let (status, state) = attempt(BRIGHT_SMILE_CONTACT_ID);
        assert_eq!(status, 200, "{state:#}");
    });
}

#[test]
fn r_o5_a_fourth_passcode_in_fourteen_days_is_refused_with_the_next_time() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(false, "post"));
        journey.identify_sample_practice();
        for remaining in [2, 1, 0] {
            let (status, issued) = journey.post("/passcode-requests", json!({}));
            assert_eq!(status, 202, "{issued:#}");
            assert_eq!(issued["passcodes_remaining"], remaining);
        }
        let response = journey.auth(app.post(&journey.path("/passcode-requests"))).send().unwrap();
        assert!(response.headers().contains_key("retry-after"));
        let problem = blackbox::json_body(response);
        assert_problem(429, &problem, 429, "rate-limited");
        assert_eq!(problem["code"], "passcode_limit_reached");
        assert_eq!(problem["rule"], "R-O5");
        assert!(problem["next_request_allowed_at"].is_string());
        app.clock.advance(chrono::Duration::days(14));
        let (status, _) = journey.post("/passcode-requests", json!({}));
        assert_eq!(status, 202);
    });
}

#[test]
fn r_r1_an_eleventh_member_is_refused() {
    on_each_backend(|app| {
        let journey = Journey::verified_sample_practice(app);
        for n in 0..10 {
            let (status, body) = journey.add_member(member("Staff", "Member", n));
            assert_eq!(status, 201, "{body:#}");
        }
        let (status, problem) = journey.add_member(member("Staff", "Member", 10));
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "roster_full");
        assert_eq!(problem["rule"], "R-R1");
        assert!(!journey.state()["allowed_actions"].as_array().unwrap().contains(&json!("add_member")));
    });
}

#[test]
fn r_r2_r_r8_a_third_owner_and_removing_the_only_owner_are_refused() {
    on_each_backend(|app| {
        let journey = Journey::verified_sample_practice(app);
        let (_, first) = journey.add_member(member("Ann", "Owner", 1));
        let mut second = member("Bob", "Owner", 2);
        second["is_owner"] = json!(true);
        let (status, _) = journey.add_member(second);
        assert_eq!(status, 201);
        let mut third = member("Cat", "Owner", 3);
        third["is_owner"] = json!(true);
        let (status, problem) = journey.add_member(third);
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/is_owner", "too_many_owners")]);
        assert_eq!(problem["errors"][0]["rule"], "R-R2");

        let solo = Journey::verified_listed_practice(
            app,
            BRIGHT_SMILE_POSTCODE,
            "BRIGHT SMILE DENTAL PRACTICE",
            BRIGHT_SMILE_ID_LOCATION,
            BRIGHT_SMILE_CONTACT_ID,
        );
        let (_, only) = solo.add_member(member("Dee", "Owner", 4));
        let only_id = only["member"]["id"].as_str().unwrap();
        let (status, problem) = solo.delete(&format!("/members/{only_id}"));
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "only_owner");
        assert_eq!(problem["rule"], "R-R8");
        // R-R8: the same violation gets the same answer whichever operation causes it, and a change
        // points at the field it sent.
        let (status, problem) = solo.patch(&format!("/members/{only_id}"), json!({"is_owner": false}));
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "only_owner");
        assert_eq!(errors(&problem), [pair("/is_owner", "only_owner")]);
        // R-R2: taking a right from an owner points at the right taken.
        let (status, problem) = solo.patch(&format!("/members/{only_id}"), json!({"has_shared_mailbox_access": false}));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/has_shared_mailbox_access", "owner_has_full_rights")]);
        let (status, _) = journey.delete(&format!("/members/{}", first["member"]["id"].as_str().unwrap()));
        assert_eq!(status, 200, "with a second owner the first can go");
    });
}

#[test]
fn r_r4_r_r5_r_r6_bad_member_fields_are_all_reported() {
    on_each_backend(|app| {
        let journey = Journey::verified_sample_practice(app);
        let (status, problem) = journey.add_member(json!({
            "title": "Sir", "first_name": "J0hn", "email": "john.smith@nhs.net", "mobile": "020 7946 0000", "role": "surgeon"
        }));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(
            errors(&problem),
            [
                pair("/title", "title_invalid"),
                pair("/first_name", "name_invalid_characters"),
                pair("/last_name", "required"),
                pair("/email", "email_is_nhsmail"),
                pair("/mobile", "mobile_not_a_mobile"),
                pair("/role", "role_invalid"),
            ]
        );
        for (mobile, code) in [
            ("07012 345678", "mobile_personal_number"),
            ("07623 123456", "mobile_pager"),
            ("0161 496 0000", "mobile_not_a_mobile"),
        ] {
            let mut body = member("Ann", "Smith", 1);
            body["mobile"] = json!(mobile);
            let (status, problem) = journey.add_member(body);
            assert_problem(status, &problem, 422, "validation-failed");
            assert_eq!(errors(&problem), [pair("/mobile", code)], "{mobile}");
            assert_eq!(problem["errors"][0]["rule"], "R-R6");
        }
        // Duplicates within the roster.
        journey.add_member(member("Ann", "Smith", 1));
        let (status, problem) = journey.add_member(member("Ann", "Smith", 1));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/email", "email_duplicate"), pair("/mobile", "mobile_duplicate")]);
    });
}

#[test]
fn r_t2_an_eleven_letter_town_is_refused_with_a_suggestion() {
    on_each_backend(|app| {
        let journey = Journey::verified_sample_practice(app);
        let (status, problem) = journey.put("/town", json!({"town": "Northampton"}));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/town", "town_too_long")]);
        assert_eq!(problem["errors"][0]["suggestion"], "northampto");
        assert_eq!(problem["errors"][0]["rule"], "R-T2");
        let (status, problem) = journey.put("/town", json!({"town": "  "}));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/town", "required")]);
        assert_eq!(journey.state()["town"], "wimbledon", "the earlier town is kept");
    });
}

#[test]
fn r_s1_a_submission_lists_every_missing_part_at_once() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(false, "post"));
        journey.identify_sample_practice();
        // R-S1: an incomplete application is a state to change first (409), with all it lacks.
        let (status, problem) = send(journey.auth(app.post(&journey.path("/submission"))));
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "practice_not_authenticated");
        assert_eq!(
            errors(&problem),
            [
                pair("/verification", "practice_not_authenticated"),
                pair("/cqc_confirmation", "cqc_details_not_confirmed"),
                pair("/town", "town_required"),
                pair("/members", "roster_too_small"),
                pair("/confirm_data_correct", "confirmation_required"),
            ]
        );

        let verified = Journey::verified_sample_practice(app);
        let (status, _) = verified.put("/cqc-confirmation", json!({"confirmed": false}));
        assert_eq!(status, 200);
        verified.add_member(member("Ann", "Owner", 1));
        let (status, problem) = send(verified.auth(app.post(&verified.path("/submission"))).json(&json!({})));
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "application_incomplete");
        assert_eq!(
            errors(&problem),
            [
                pair("/cqc_confirmation", "cqc_details_not_confirmed"),
                pair("/members", "roster_too_small"),
                pair("/confirm_data_correct", "confirmation_required")
            ]
        );
        assert_eq!(verified.state()["status"], "draft");
    });
}

#[test]
fn r_p5_a_second_live_application_for_a_practice_is_pointed_at_the_first() {
    on_each_backend(|app| {
        let first = Journey::verified_sample_practice(app);
        let second = Journey::start(app, answers(false, "post"));
        let (status, problem) = second.put(
            "/practice",
            json!({"route": "b", "postcode": "SW19 4AB", "practice_name": "SAMPLE DENTAL CARE", "ods_code": "V12345", "cqc_location_id": SAMPLE_LOCATION}),
        );
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "practice_has_live_application");
        assert_eq!(problem["rule"], "R-P5");
        assert_eq!(problem["existing_application"]["status"], "draft");
        assert!(problem["detail"].as_str().unwrap().contains("Resume it"));
        // Withdrawing the first frees the practice.
        assert_eq!(first.delete("").0, 204);
        assert_eq!(second.identify_sample_practice()["practice"]["route"], "b");
    });
}

#[test]
fn r_s3_a_submitted_application_is_read_only_and_replays_return_the_original_receipt() {
    on_each_backend(|app| {
        let journey = Journey::verified_sample_practice(app);
        journey.add_member(member("Ann", "Owner", 1));
        journey.add_member(member("Bob", "Nurse", 2));
        let (status, receipt) = journey.submit(Some("attempt-1"));
        assert_eq!(status, 200, "{receipt:#}");
        let response = journey
            .auth(app.post(&journey.path("/submission")))
            .header("Idempotency-Key", "attempt-1")
            .json(&json!({"confirm_data_correct": true}))
            .send()
            .unwrap();
        assert_eq!(response.headers()["idempotent-replayed"], "true");
        assert_eq!(blackbox::json_body(response), receipt);
        let (status, problem) = journey.submit(Some("attempt-2"));
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "application_read_only");
        assert_eq!(problem["rule"], "R-S3");
        let (status, problem) = journey.add_member(member("Cat", "Late", 3));
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "application_read_only");
        let (status, _) = journey.put("/town", json!({"town": "london"}));
        assert_eq!(status, 409);
        let (status, _) = journey.delete("");
        assert_eq!(status, 409);
        let (status, problem) = send(
            journey.auth(app.post(&journey.path("/submission"))).header("Idempotency-Key", "bad key").json(&json!({})),
        );
        assert_problem(status, &problem, 400, "malformed-request");
    });
}

#[test]
fn r_r7_a_mobile_already_submitted_elsewhere_is_refused_at_entry() {
    on_each_backend(|app| {
        let first = Journey::verified_sample_practice(app);
        first.add_member(member("Ann", "Owner", 1));
        first.add_member(member("Bob", "Nurse", 2));
        assert_eq!(first.submit(None).0, 200);
        let other = Journey::verified_listed_practice(
            app,
            BRIGHT_SMILE_POSTCODE,
            "BRIGHT SMILE DENTAL PRACTICE",
            BRIGHT_SMILE_ID_LOCATION,
            BRIGHT_SMILE_CONTACT_ID,
        );
        let mut same_person = member("Robert", "Nurse", 9);
        same_person["mobile"] = json!("+44 7700 900002");
        let (status, problem) = other.add_member(same_person);
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(errors(&problem), [pair("/mobile", "mobile_already_registered")]);
        assert_eq!(problem["errors"][0]["rule"], "R-R7");
    });
}

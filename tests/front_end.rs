//! The journey as a front end sees it: what the API says is what it does, and every refusal is
//! one the applicant can act on (PRODUCT.md §2, §3.1, §5).

use blackbox::journey::*;
use blackbox::{TestApp, assert_problem, field_errors, on_each_backend, send};
use chrono::Duration;
use serde_json::{Value, json};

fn upload(app: &TestApp, dataset: &str, csv: &str) -> (u16, Value) {
    let token = app.helpdesk_token();
    send(
        app.put(&format!("/v1/admin/reference-data/{dataset}"))
            .bearer_auth(&token)
            .header("Content-Type", "text/csv")
            .body(csv.to_owned()),
    )
}

fn pairs(problem: &Value) -> Vec<(String, String)> {
    field_errors(problem)
}

fn pair(pointer: &str, code: &str) -> (String, String) {
    (pointer.to_owned(), code.to_owned())
}

/// Route B to verified and confirmed, for a CQC location the test loaded.
fn verified_route_b<'a>(app: &'a TestApp, name: &str, ods: &str, location: &str, postcode: &str) -> Journey<'a> {
    let journey = Journey::start(app, answers(false, "post"));
    let (status, body) = journey.put(
        "/practice",
        json!({"route": "b", "postcode": postcode, "practice_name": name, "ods_code": ods, "cqc_location_id": location}),
    );
    assert_eq!(status, 200, "{body:#}");
    let (status, issued) = journey.post("/passcode-requests", json!({}));
    assert_eq!(status, 202, "{issued:#}");
    let letter = app.wait_for_message(0, |m| {
        m["template"] == "passcode_letter"
            && m["content"]["body"].as_str().is_some_and(|b| b.contains(&format!("CQC location ID {location}")))
    });
    let text = letter["content"]["body"].as_str().unwrap();
    let start = text.find("passcode is: ").unwrap() + "passcode is: ".len();
    let (status, body) = journey.verify_with_passcode(location, &text[start..start + 9]);
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(journey.put("/cqc-confirmation", json!({"confirmed": true})).0, 200);
    journey
}

#[test]
fn r_p3_r_q4_the_ways_to_prove_a_practice_are_the_ones_the_service_accepts() {
    on_each_backend(|app| {
        // The applicant knows a contact id, but route B practices never have one on record.
        let journey = Journey::start(app, answers(true, "post"));
        let state = journey.identify_sample_practice();
        assert_eq!(state["practice"]["authentication_methods"], json!(["passcode"]));
        assert_eq!(state["eligibility"]["authentication_methods"], json!(["passcode"]));
        assert_eq!(state["eligibility"]["next_steps"], json!(["request_passcode", "enter_passcode"]));
        let (status, problem) = journey.post(
            "/verification",
            json!({"method": "cqc_contact_id", "cqc_location_id": SAMPLE_LOCATION, "cqc_contact_id": "CON-DEMO-0101"}),
        );
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "contact_id_not_available");

        // The applicant does not know the contact id, but the register holds one: both are open,
        // the passcode (the questionnaire's choice) first, and both are accepted.
        let journey = Journey::start(app, answers(false, "post"));
        let state = journey.identify_listed_practice(BRIGHT_SMILE_POSTCODE, "BRIGHT SMILE DENTAL PRACTICE");
        assert_eq!(state["practice"]["authentication_methods"], json!(["passcode", "cqc_contact_id"]));
        let (status, body) = journey.post(
            "/verification",
            json!({"method": "cqc_contact_id", "cqc_location_id": BRIGHT_SMILE_ID_LOCATION, "cqc_contact_id": BRIGHT_SMILE_CONTACT_ID}),
        );
        assert_eq!(status, 200, "{body:#}");
        assert_eq!(body["eligibility"]["next_steps"], json!([]), "verified: the open actions guide from here");
    });
}

#[test]
fn r_p2_r_p3_every_failing_field_of_an_identification_is_reported_at_once() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(false, "post"));
        let (status, problem) = journey.put(
            "/practice",
            json!({"route": "b", "postcode": "SW19 4AB", "practice_name": "  ", "ods_code": "V1", "cqc_location_id": "1-9999999999"}),
        );
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(
            pairs(&problem),
            [
                pair("/practice_name", "required"),
                pair("/ods_code", "ods_code_invalid"),
                pair("/cqc_location_id", "cqc_location_not_found")
            ]
        );
        let (status, problem) = journey.put(
            "/practice",
            json!({"route": "a", "postcode": "nope", "practice_id": "00000000-0000-0000-0000-000000000000"}),
        );
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(pairs(&problem), [pair("/postcode", "postcode_invalid")]);
        let (status, problem) = journey.put(
            "/practice",
            json!({"route": "a", "postcode": BRIGHT_SMILE_POSTCODE, "practice_id": "00000000-0000-0000-0000-000000000000"}),
        );
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(pairs(&problem), [pair("/practice_id", "practice_not_found")]);
    });
}

#[test]
fn r_s3_every_write_returns_the_application_as_stored_after_it() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(false, "post"));
        let created = journey.state();
        app.clock.advance(Duration::minutes(5));
        let written = journey.identify_sample_practice();
        assert_ne!(written["updated_at"], created["updated_at"], "the write moved updated_at");
        assert_eq!(written, journey.state(), "what the write answered is what is stored");
        app.clock.advance(Duration::minutes(5));
        let (_, written) = journey.put("/cqc-confirmation", json!({"confirmed": true}));
        assert_eq!(written, journey.state());
        // Reading keeps a draft alive but is no change.
        app.clock.advance(Duration::hours(2));
        let read = journey.state();
        assert_eq!(read["updated_at"], written["updated_at"]);
        assert_ne!(read["expires_at"], written["expires_at"], "reading counts as activity");
    });
}

#[test]
fn r_m1_r_m2_a_mailbox_address_another_practice_holds_is_caught_where_the_applicant_can_act() {
    on_each_backend(|app| {
        // "Coll Dental" X12345 and "Coll Dentalx" 12345 both give nhsdental.leeds.colldentalx12345@…
        let directory = "Name,Address,Postcode,Service types,CQC Location ID (for office use only)\n\
            COLL DENTAL,\"1 COLL STREET, HEADINGLEY, LEEDS\",LS6 1AA,Dental service,1-7000000001\n\
            COLL DENTALX,\"2 COLL STREET, HEADINGLEY, LEEDS\",LS6 1AA,Dental service,1-7000000002\n";
        assert_eq!(upload(app, "cqc-locations", directory).0, 200);
        let first = verified_route_b(app, "Coll Dental", "X12345", "1-7000000001", "LS6 1AA");
        let second = verified_route_b(app, "Coll Dentalx", "12345", "1-7000000002", "LS6 1AA");
        for journey in [&first, &second] {
            let (status, body) = journey.put("/town", json!({"town": "Leeds"}));
            assert_eq!(status, 200, "{body:#}");
            assert_eq!(body["shared_mailbox_address"], "nhsdental.leeds.colldentalx12345@nhs.net");
        }
        first.add_member(member("Ann", "Owner", 1));
        first.add_member(member("Bob", "Nurse", 2));
        assert_eq!(first.submit(None).0, 200, "the first to submit reserves the address");

        // The second practice is told at submission, with a town that works, and can act on it.
        second.add_member(member("Cat", "Owner", 3));
        second.add_member(member("Dan", "Nurse", 4));
        let (status, problem) = second.submit(None);
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(pairs(&problem), [pair("/town", "mailbox_address_taken")]);
        assert_eq!(problem["errors"][0]["suggestion"], "headingley");
        assert_eq!(problem["errors"][0]["rule"], "R-M2");
        // And at the town step, in the preview and the choice.
        let (status, problem) =
            send(second.auth(app.get(&second.path("/mailbox-preview"))).query(&[("town", "Leeds")]));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(pairs(&problem), [pair("/query/town", "mailbox_address_taken")]);
        let (status, problem) = second.put("/town", json!({"town": "Leeds"}));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(second.put("/town", json!({"town": "Headingley"})).0, 200);
        let (status, receipt) = second.submit(None);
        assert_eq!(status, 200, "{receipt:#}");

        // Approval cannot fail on the address now.
        let token = app.helpdesk_token();
        for journey in [&first, &second] {
            let approval = app.post(&format!("/v1/admin/applications/{}/approval", journey.id)).bearer_auth(&token);
            let (status, body) = send(approval);
            assert_eq!(status, 200, "{body:#}");
        }
    });
}

#[test]
fn repeated_helpdesk_actions_answer_with_the_state_or_say_why_never_404() {
    on_each_backend(|app| {
        let token = app.helpdesk_token();
        let journey = Journey::verified_listed_practice(
            app,
            BRIGHT_SMILE_POSTCODE,
            "BRIGHT SMILE DENTAL PRACTICE",
            BRIGHT_SMILE_ID_LOCATION,
            BRIGHT_SMILE_CONTACT_ID,
        );
        journey.add_member(member("Ann", "Owner", 1));
        journey.add_member(member("Bob", "Nurse", 2));
        assert_eq!(journey.submit(None).0, 200);
        let approve = || send(app.post(&format!("/v1/admin/applications/{}/approval", journey.id)).bearer_auth(&token));
        let (status, view) = approve();
        assert_eq!(status, 200, "{view:#}");
        let (status, problem) = approve();
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "application_not_submitted");
        assert!(problem["detail"].as_str().unwrap().contains("approved"), "it says why: {problem:#}");

        // Enabling an account that is not disabled answers with its status.
        let account = view["accounts"][0]["id"].as_str().unwrap();
        let enable = || send(app.post(&format!("/v1/admin/accounts/{account}/enable")).bearer_auth(&token));
        let (status, state) = enable();
        assert_eq!((status, state["status"].as_str()), (200, Some("pending_activation")), "{state:#}");
        let disable = app.post(&format!("/v1/admin/accounts/{account}/disable")).bearer_auth(&token);
        assert_eq!(send(disable.json(&json!({"reason": "Testing"}))).0, 200);
        assert_eq!(enable().1["status"], "pending_activation");
        assert_eq!(enable().1["status"], "pending_activation", "and again");
    });
}

#[test]
fn r_t1_r_t2_town_suggestions_are_towns_and_say_when_they_were_shortened() {
    on_each_backend(|app| {
        let register = "ods_code,name,address_line_1,address_line_2,town,county,postcode,cqc_location_id,cqc_contact_id\n\
            T00001,TETTENHALL DENTAL,1 HIGH STREET,TETTENHALL,WOLVERHAMPTON,WEST MIDLANDS,WV6 8QA,1-6000000001,CON-TOWN-1\n";
        assert_eq!(upload(app, "practices", register).0, 200);
        let journey = Journey::start(app, answers(true, "post"));
        journey.identify_listed_practice("WV6 8QA", "TETTENHALL DENTAL");
        let (status, suggestions) = journey.get("/town-suggestions");
        assert_eq!(status, 200, "{suggestions:#}");
        let towns: Vec<(&str, Option<&str>)> = suggestions["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["town"].as_str().unwrap(), s["shortened_from"].as_str()))
            .collect();
        assert_eq!(towns, [("tettenhall", None), ("wolverhamp", Some("WOLVERHAMPTON"))], "never the county");
    });
}

#[test]
fn details_are_plain_language_and_numbers_agree_with_their_nouns() {
    on_each_backend(|app| {
        // Not JSON: no parser wording.
        let (status, problem) =
            send(app.post("/v1/applications").header("Content-Type", "application/json").body("{\"has_nhsmail"));
        assert_problem(status, &problem, 400, "malformed-request");
        let detail = problem["detail"].as_str().unwrap();
        assert!(!detail.contains("EOF") && !detail.contains("while parsing"), "{detail}");
        // A value of the wrong type.
        let mut body = answers(false, "post");
        body["has_nhsmail_account"] = json!("no");
        let (status, problem) = send(app.post("/v1/applications").json(&body));
        assert_problem(status, &problem, 422, "validation-failed");
        let detail = problem["errors"][0]["detail"].as_str().unwrap();
        assert!(!detail.contains("invalid type") && !detail.contains("expected"), "{detail}");

        // "1 attempt remains", not "1 attempts remain".
        let journey = Journey::start(app, answers(false, "post"));
        journey.identify_sample_practice();
        let mut last = Value::Null;
        for _ in 0..4 {
            last = journey.verify_with_passcode(SAMPLE_LOCATION, "ZZZZ-ZZZZ").1;
        }
        assert_eq!(last["attempts_remaining"], 1);
        assert!(last["detail"].as_str().unwrap().ends_with("1 attempt remains."), "{last:#}");

        // A query parameter that cannot be read is named.
        let token = app.helpdesk_token();
        let (status, problem) = send(app.get("/v1/admin/applications").bearer_auth(&token).query(&[("limit", "abc")]));
        assert_problem(status, &problem, 400, "malformed-request");
        assert_eq!(pairs(&problem), [pair("/query/limit", "invalid_type")]);
        // The CSV upload names the media type it takes.
        let (status, problem) =
            send(app.put("/v1/admin/reference-data/practices").bearer_auth(&token).json(&json!({"rows": []})));
        assert_problem(status, &problem, 415, "unsupported-media-type");
        assert!(problem["detail"].as_str().unwrap().contains("text/csv"));
        assert!(!problem["title"].as_str().unwrap().contains("JSON"), "the title does not claim JSON");
    });
}

#[test]
fn reference_data_is_taken_as_published_and_other_layouts_are_told_what_is_missing() {
    on_each_backend(|app| {
        // The CQC's file: a title block, a byte-order mark, Windows line endings, extra columns.
        let published = "\u{feff}Care directory with filters,,,,,,\r\n\
            Data as at 28 November 2026,,,,,,\r\n\
            ,,,,,,\r\n\
            Name,Address,Postcode,Phone number,Service types,CQC Location ID (for office use only),Region\r\n\
            PUBLISHED DENTAL,\"4 CHAPEL ROAD, LEEDS\",LS7 3AA,0113 000 0000,Dental service,1-5000000001,Yorkshire\r\n";
        let (status, report) = upload(app, "cqc-locations", published);
        assert_eq!(status, 200, "{report:#}");
        assert_eq!((report["rows"].as_u64(), report["created"].as_u64()), (Some(1), Some(1)));
        assert_eq!(report["ignored_columns"], json!(["Phone number", "Region"]), "reported, not silently dropped");

        // Another layout: the missing headings, and where they were looked for.
        let (status, problem) = upload(app, "cqc-locations", "Location,Where\nX,Y\n");
        assert_problem(status, &problem, 422, "validation-failed");
        let missing: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
        assert_eq!(
            missing,
            ["/1/CQC Location ID (for office use only)", "/1/Name", "/1/Address", "/1/Postcode", "/1/Service types"]
        );
        assert!(problem["errors"][0]["detail"].as_str().unwrap().contains("line 1"));
        assert_eq!(problem["report"]["errors_total"], 5, "each missing heading reported once");

        // A refused file still says how many rows it read.
        let bad = "Name,Address,Postcode,Service types,CQC Location ID (for office use only)\n\
            GOOD DENTAL,\"1 A ROAD, LEEDS\",LS7 3AB,Dental service,1-5000000002\n\
            BAD DENTAL,\"1 A ROAD, LEEDS\",NOPE,Dental service,1-5000000003\n";
        let (status, problem) = upload(app, "cqc-locations", bad);
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(problem["report"]["rows"], 2);
        assert_eq!(problem["report"]["applied"], false);
    });
}

#[test]
fn r_p5_a_registered_practice_and_one_in_progress_are_told_apart() {
    on_each_backend(|app| {
        // In progress: another applicant has verified the practice.
        let holder = Journey::verified_listed_practice(
            app,
            BRIGHT_SMILE_POSTCODE,
            "BRIGHT SMILE DENTAL PRACTICE",
            BRIGHT_SMILE_ID_LOCATION,
            BRIGHT_SMILE_CONTACT_ID,
        );
        let second = Journey::start(app, answers(true, "post"));
        let (status, search) =
            send(second.auth(app.get("/v1/practices")).query(&[("postcode", BRIGHT_SMILE_POSTCODE)]));
        assert_eq!(status, 200);
        let id = search["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "BRIGHT SMILE DENTAL PRACTICE")
            .unwrap()["id"]
            .clone();
        let identify =
            || second.put("/practice", json!({"route": "a", "postcode": BRIGHT_SMILE_POSTCODE, "practice_id": id}));
        let (status, problem) = identify();
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "practice_has_live_application");
        assert_eq!(problem["existing_application"]["status"], "draft");
        let in_progress = problem["detail"].as_str().unwrap().to_owned();

        // Registered: the first application is approved.
        holder.add_member(member("Ann", "Owner", 1));
        holder.add_member(member("Bob", "Nurse", 2));
        assert_eq!(holder.submit(None).0, 200);
        let token = app.helpdesk_token();
        let (status, _) = send(app.post(&format!("/v1/admin/applications/{}/approval", holder.id)).bearer_auth(&token));
        assert_eq!(status, 200);
        let (status, problem) = identify();
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "practice_already_registered");
        assert_eq!(problem["existing_application"]["status"], "approved");
        assert_ne!(problem["detail"].as_str().unwrap(), in_progress, "a different message for a different case");
    });
}

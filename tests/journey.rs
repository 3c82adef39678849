//! The registration journey end to end, as the seed guide walks it.

use blackbox::journey::*;
use blackbox::{on_each_backend, send};
use serde_json::json;

fn seed_roster(journey: &Journey<'_>) {
    let members = [
        json!({"first_name": "David", "last_name": "Smith", "email": "dsmith@businessemail.com", "mobile": "07912345678", "role": "dentist"}),
        json!({"first_name": "Monika", "last_name": "Patel", "email": "mpatel@blackpooldentists.net", "mobile": "07998765432", "role": "dentist", "is_mailbox_admin": true}),
        json!({"first_name": "Efan", "last_name": "Williamson", "email": "ewilliamson@domaim.com", "mobile": "07777777777", "role": "administration_and_clerical", "has_shared_mailbox_access": true}),
        json!({"first_name": "Sarah", "last_name": "Jones", "email": "sarahj@emaildomain.co.uk", "mobile": "07888888888", "role": "dental_nurse"}),
    ];
    for (n, member) in members.into_iter().enumerate() {
        let (status, body) = journey.add_member(member);
        assert_eq!(status, 201, "{body:#}");
        assert_eq!(body["counts"]["summary"], format!("{} of 10 specified (2 required)", n + 1));
    }
}

#[test]
fn the_guides_route_b_example_goes_from_questionnaire_to_submission() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(false, "post"));
        let state = journey.state();
        assert_eq!(state["status"], "draft");
        assert_eq!(state["allowed_actions"], json!(["identify_practice", "withdraw"]));
        assert_eq!(state["eligibility"]["next_steps"], json!(["identify_practice"]));

        // Postcode search finds no registered practice: route B.
        let (status, search) = send(journey.auth(app.get("/v1/practices")).query(&[("postcode", "sw194ab")]));
        assert_eq!(status, 200);
        assert_eq!(search["route"], "b");
        assert_eq!(search["postcode"], "SW19 4AB");

        // R-P3: the CQC details to confirm.
        let state = journey.identify_sample_practice();
        let details = &state["practice"]["cqc_details"];
        assert_eq!(details["location_id"], SAMPLE_LOCATION);
        assert_eq!(details["name"], "SAMPLE DENTAL CARE");
        assert_eq!(details["address"], "123 ROAD NAME, WIMBLEDON, LONDON, SW19 4AB");
        assert_eq!(state["practice"]["passcode_channels"], json!(["post"]));
        assert_eq!(state["practice"]["authentication_methods"], json!(["passcode"]));
        assert_eq!(state["eligibility"]["next_steps"], json!(["request_passcode", "enter_passcode"]));

        // R-O1: the passcode goes by post to the CQC registered address.
        let (letter, passcode) = journey.request_passcode(json!({}));
        assert_eq!(letter["channel"], "letter");
        assert_eq!(letter["template"], "passcode_letter");
        assert_eq!(
            letter["content"]["address_lines"],
            json!(["SAMPLE DENTAL CARE", "123 ROAD NAME", "WIMBLEDON", "LONDON", "SW19 4AB"])
        );
        let (status, verified) =
            journey.verify_with_passcode(SAMPLE_LOCATION, &passcode.to_lowercase().replace('-', " "));
        assert_eq!(status, 200, "{verified:#}");
        assert_eq!(verified["practice"]["verified"], true);

        let (status, _) = journey.put("/cqc-confirmation", json!({"confirmed": true}));
        assert_eq!(status, 200);

        // R-T1, R-T2, R-M1: suggestions with a live preview, then the choice.
        let (status, suggestions) = journey.get("/town-suggestions");
        assert_eq!(status, 200);
        assert_eq!(suggestions["suggestions"][0]["town"], "wimbledon");
        assert_eq!(suggestions["suggestions"][1]["town"], "london");
        let (status, preview) =
            send(journey.auth(app.get(&journey.path("/mailbox-preview"))).query(&[("town", "Wimbledon")]));
        assert_eq!(status, 200);
        assert_eq!(preview["shared_mailbox_address"], "nhsdental.wimbledon.sampledentalcarev12345@nhs.net");
        let (status, state) = journey.put("/town", json!({"town": "Wimbledon"}));
        assert_eq!(status, 200);
        assert_eq!(state["town"], "wimbledon");
        assert_eq!(state["shared_mailbox_address"], "nhsdental.wimbledon.sampledentalcarev12345@nhs.net");

        seed_roster(&journey);
        let state = journey.state();
        let rights: Vec<_> = state["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["first_name"].as_str().unwrap().to_owned(),
                    m["is_owner"] == true,
                    m["is_mailbox_admin"] == true,
                    m["has_shared_mailbox_access"] == true,
                )
            })
            .collect();
        assert_eq!(
            rights,
            [
                ("David".to_owned(), true, true, true),
                ("Monika".to_owned(), false, true, true),
                ("Efan".to_owned(), false, false, true),
                ("Sarah".to_owned(), false, false, false),
            ]
        );
        assert_eq!(state["members"][0]["mobile"], "+447912345678");
        assert_eq!(state["member_counts"]["summary"], "4 of 10 specified (2 required)");
        assert_eq!(state["missing"], json!([]));

        let (status, receipt) = journey.submit(Some("seed-example-1"));
        assert_eq!(status, 200, "{receipt:#}");
        assert_eq!(receipt["status"], "submitted");
        assert_eq!(receipt["members"], 4);
        assert_eq!(receipt["shared_mailbox_address"], "nhsdental.wimbledon.sampledentalcarev12345@nhs.net");

        // R-S3: read-only now.
        let state = journey.state();
        assert_eq!(state["status"], "submitted");
        assert_eq!(state["allowed_actions"], json!([]));
        assert!(state["expires_at"].is_null());
    });
}

#[test]
fn a_route_a_practice_is_verified_with_its_contact_id() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(true, "email"));
        assert_eq!(journey.state()["eligibility"]["authentication_methods"], json!(["cqc_contact_id"]));
        let (status, search) = send(journey.auth(app.get("/v1/practices")).query(&[("postcode", "ls14ap")]));
        assert_eq!(status, 200);
        assert_eq!(search["route"], "a");
        let names: Vec<_> =
            search["candidates"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["BRIGHT SMILE DENTAL PRACTICE", "LEEDS CITY DENTAL CARE"]);
        // The location id is part of the proof: never offered before verification.
        assert!(search["candidates"][0].get("cqc_location_id").is_none());

        let state = journey.identify_listed_practice(BRIGHT_SMILE_POSTCODE, "BRIGHT SMILE DENTAL PRACTICE");
        assert_eq!(state["practice"]["route"], "a");
        assert!(state["practice"]["cqc_location_id"].is_null());
        assert_eq!(state["practice"]["registered_manager_email_on_record"], true);
        assert_eq!(state["practice"]["passcode_channels"], json!(["email", "post"]));

        let (status, state) = journey.post(
            "/verification",
            json!({"method": "cqc_contact_id", "cqc_location_id": BRIGHT_SMILE_ID_LOCATION, "cqc_contact_id": " con-demo-0101 "}),
        );
        assert_eq!(status, 200, "{state:#}");
        assert_eq!(state["practice"]["verified"], true);
        assert_eq!(state["practice"]["cqc_location_id"], BRIGHT_SMILE_ID_LOCATION);
        assert!(!state["allowed_actions"].as_array().unwrap().contains(&json!("confirm_cqc_details")));

        let (status, _) = journey.put("/town", json!({"town": "Leeds"}));
        assert_eq!(status, 200);
        journey.add_member(member("Ann", "Owner", 1));
        journey.add_member(member("Bob", "Nurse", 2));
        let (status, receipt) = journey.submit(None);
        assert_eq!(status, 200, "{receipt:#}");
        assert_eq!(receipt["shared_mailbox_address"], "nhsdental.leeds.brightsmiledentalpracticev00101@nhs.net");
    });
}

#[test]
fn a_route_a_passcode_goes_to_the_registered_managers_email_on_record() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(false, "email"));
        journey.identify_listed_practice(BRIGHT_SMILE_POSTCODE, "BRIGHT SMILE DENTAL PRACTICE");
        let already = app.outbox().len();
        let (status, issued) = journey.post("/passcode-requests", json!({}));
        assert_eq!(status, 202, "{issued:#}");
        assert_eq!(issued["channel"], "email");
        assert_eq!(issued["sent_to"], "the registered manager's email address on record (m***@brightsmile.example)");
        assert_eq!(issued["passcodes_remaining"], 2);
        let email = app.wait_for_message(already, |m| m["template"] == "passcode_email");
        assert_eq!(email["to"], "manager@brightsmile.example");
        assert_eq!(email["template"], "passcode_email");
        assert!(email["content"]["subject"].as_str().unwrap().contains("one-time passcode"));
        assert!(email["content"]["body"].as_str().unwrap().contains("BRIGHT SMILE DENTAL PRACTICE"));
    });
}

#[test]
fn the_questionnaire_outcome_is_available_without_starting_an_application() {
    on_each_backend(|app| {
        let (status, outcome) = send(app.post("/v1/eligibility").json(&answers(true, "email")));
        assert_eq!(status, 200);
        assert_eq!(outcome["eligible"], true);
        assert_eq!(outcome["authentication_methods"], json!(["cqc_contact_id"]));
        let mut refused = answers(false, "post");
        refused["ig_return_submitted"] = json!(false);
        let (status, outcome) = send(app.post("/v1/eligibility").json(&refused));
        assert_eq!(status, 200);
        assert_eq!(outcome["eligible"], false);
        assert_eq!(outcome["reasons"][0]["code"], "ig_requirement_not_met");
        assert_eq!(outcome["reasons"][0]["rule"], "R-E2");
        assert_eq!(outcome["next_steps"], json!(["meet_ig_requirement"]));
    });
}

#[test]
fn members_can_be_edited_and_removed_with_counts() {
    on_each_backend(|app| {
        let journey = Journey::verified_sample_practice(app);
        let (_, owner) = journey.add_member(member("Ann", "Owner", 1));
        let (_, second) = journey.add_member(member("Bob", "Nurse", 2));
        let second_id = second["member"]["id"].as_str().unwrap().to_owned();
        let (status, edited) = journey.patch(
            &format!("/members/{second_id}"),
            json!({"last_name": "Nurse-Smith", "title": "Mr", "is_mailbox_admin": true}),
        );
        assert_eq!(status, 200, "{edited:#}");
        assert_eq!(edited["member"]["last_name"], "Nurse-Smith");
        assert_eq!(edited["member"]["title"], "Mr");
        assert_eq!(edited["member"]["email"], second["member"]["email"]);
        assert_eq!(edited["member"]["has_shared_mailbox_access"], true, "admin implies access (R-R3)");
        let (status, edited) =
            journey.patch(&format!("/members/{second_id}"), json!({"has_shared_mailbox_access": false, "title": null}));
        assert_eq!(status, 200);
        assert_eq!(edited["member"]["is_mailbox_admin"], false, "removing access removes admin (R-R3)");
        assert!(edited["member"]["title"].is_null());
        let (status, list) = journey.delete(&format!("/members/{second_id}"));
        assert_eq!(status, 200);
        assert_eq!(list["counts"]["summary"], "1 of 10 specified (2 required)");
        assert_eq!(list["members"][0]["id"], owner["member"]["id"]);
        let (status, list) = journey.get("/members");
        assert_eq!(status, 200);
        assert_eq!(list["members"].as_array().unwrap().len(), 1);
    });
}

//! The application token opens its own application only; secrets are hashed at rest, erased
//! from delivered messages and never returned; every change is audited.

use blackbox::journey::*;
use blackbox::{assert_problem, json_body, on_each_backend, send};
use serde_json::json;

#[test]
fn a_token_opens_only_its_own_application() {
    on_each_backend(|app| {
        let mine = Journey::verified_sample_practice(app);
        let theirs = Journey::start(app, answers(true, "email"));
        let intruder = Journey { app, id: theirs.id.clone(), token: mine.token.clone() };
        let attempts = [
            intruder.get(""),
            intruder.get("/members"),
            intruder.put("/practice", json!({"route": "b"})),
            intruder.post("/members", member("Eve", "Intruder", 1)),
            intruder.post("/submission", json!({"confirm_data_correct": true})),
            intruder.delete(""),
        ];
        for (status, problem) in attempts {
            assert_problem(status, &problem, 404, "not-found");
        }
        assert_eq!(theirs.state()["status"], "draft", "nothing changed");
    });
}

#[test]
fn missing_malformed_and_unknown_tokens_are_401() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(false, "post"));
        let path = journey.path("");
        let response = app.get(&path).send().unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert_problem(401, &json_body(response), 401, "unauthorized");
        for token in ["nonsense", "dat_doesnotexist", &journey.token[..journey.token.len() - 1]] {
            let (status, problem) = send(app.get(&path).bearer_auth(token));
            assert_problem(status, &problem, 401, "unauthorized");
        }
        let (status, problem) = send(app.get(&path).header("Authorization", format!("Basic {}", journey.token)));
        assert_problem(status, &problem, 401, "unauthorized");
    });
}

#[test]
fn secrets_are_hashed_at_rest_never_returned_and_erased_after_delivery() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(false, "post"));
        journey.identify_sample_practice();
        let (status, issued) = journey.post("/passcode-requests", json!({}));
        assert_eq!(status, 202);
        let letter = app.wait_for_message(0, |m| m["template"] == "passcode_letter");
        let body = letter["content"]["body"].as_str().unwrap();
        let start = body.find("passcode is: ").unwrap() + 13;
        let passcode = &body[start..start + 9];
        let compact = passcode.replace('-', "");
        assert!(!issued.to_string().contains(&compact) && !issued.to_string().contains(passcode));
        assert!(!journey.state().to_string().contains(&compact));

        let db = app.database();
        let mut conn = db.get().unwrap();
        let application = persistence::applications::get(&mut conn, &journey.id).unwrap();
        assert_ne!(application.token_hash, journey.token);
        assert!(!application.token_hash.contains(&journey.token[4..]));
        let practice =
            persistence::reference::practice_by_location(&mut conn, BRIGHT_SMILE_ID_LOCATION).unwrap().unwrap();
        let contact_hash = practice.record.cqc_contact_id_hash.unwrap();
        assert_eq!(contact_hash.len(), 64);
        assert!(!contact_hash.to_uppercase().contains("CON-DEMO"));

        // The delivered letter's content is erased from the outbox table.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let messages = persistence::outbox::for_subject(&mut conn, "application", &journey.id).unwrap();
            let message = &messages[0];
            if message.status == "sent" {
                assert!(
                    !message.payload.contains(&compact) && !message.payload.contains(passcode),
                    "{}",
                    message.payload
                );
                assert!(message.payload.contains("redacted"));
                assert_eq!(message.template, "passcode_letter");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "not delivered: {message:?}");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }

        // The audit log never holds the passcode or a contact id.
        let events = persistence::audit::for_object(&mut conn, "application", &journey.id).unwrap();
        for event in &events {
            assert!(!event.details.contains(&compact) && !event.details.contains("CON-DEMO"), "{event:?}");
        }
    });
}

#[test]
fn every_change_of_state_is_audited_with_who_and_from_where() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(false, "post"));
        journey.identify_sample_practice();
        let (_, passcode) = journey.request_passcode(json!({}));
        journey.verify_with_passcode(SAMPLE_LOCATION, "0000-0000");
        journey.verify_with_passcode(SAMPLE_LOCATION, &passcode);
        journey.put("/cqc-confirmation", json!({"confirmed": true}));
        journey.put("/town", json!({"town": "wimbledon"}));
        let (_, added) = journey.add_member(member("Ann", "Owner", 1));
        journey.add_member(member("Bob", "Nurse", 2));
        let (_, extra) = journey.add_member(member("Cat", "Extra", 3));
        journey.patch(&format!("/members/{}", added["member"]["id"].as_str().unwrap()), json!({"title": "Dr"}));
        journey.delete(&format!("/members/{}", extra["member"]["id"].as_str().unwrap()));
        journey.submit(Some("k"));

        let db = app.database();
        let mut conn = db.get().unwrap();
        let events = persistence::audit::for_object(&mut conn, "application", &journey.id).unwrap();
        let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "application.started",
                "application.practice_identified",
                "passcode.issued",
                "application.verification_failed",
                "application.verified",
                "application.cqc_details_confirmed",
                "application.town_set",
                "application.member_added",
                "application.member_added",
                "application.member_added",
                "application.member_edited",
                "application.member_removed",
                "application.submitted",
            ]
        );
        for event in &events {
            assert_eq!(event.actor_type, "applicant");
            assert_eq!(event.actor_id.as_deref(), Some(journey.id.as_str()));
            assert_eq!(event.client_address.as_deref(), Some("127.0.0.1"));
            assert!(event.request_id.as_deref().is_some_and(|id| id.len() == 36));
            assert!(
                !event.details.contains("@example.com") && !event.details.contains("+447"),
                "no personal data: {event:?}"
            );
        }
    });
}

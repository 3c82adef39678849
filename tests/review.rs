//! Review and provisioning: approval creates the mailbox, accounts and messages; rejection
//! tells the owners why; the IG status of record decides automatically where it can.

use blackbox::journey::*;
use blackbox::{TestApp, assert_problem, field_errors, on_each_backend, send, test_databases};
use serde_json::{Value, json};

fn admin_get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    send(app.get(path).bearer_auth(token))
}

fn admin_post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    send(app.post(path).bearer_auth(token).json(&body))
}

/// Approval takes no body.
fn approve(app: &TestApp, token: &str, id: &str) -> (u16, Value) {
    send(app.post(&format!("/v1/admin/applications/{id}/approval")).bearer_auth(token))
}

/// A submitted route B application with the guide's four members.
fn submitted_sample(app: &TestApp) -> Journey<'_> {
    let journey = Journey::verified_sample_practice(app);
    for member in [
        json!({"first_name": "David", "last_name": "Smith", "email": "dsmith@businessemail.com", "mobile": "07912345678", "role": "dentist"}),
        json!({"first_name": "Monika", "last_name": "Patel", "email": "mpatel@blackpooldentists.net", "mobile": "07998765432", "role": "dentist", "is_mailbox_admin": true}),
        json!({"first_name": "Efan", "last_name": "Williamson", "email": "ewilliamson@domaim.com", "mobile": "07777777777", "role": "administration_and_clerical", "has_shared_mailbox_access": true}),
        json!({"first_name": "Sarah", "last_name": "Jones", "email": "sarahj@emaildomain.co.uk", "mobile": "07888888888", "role": "dental_nurse"}),
    ] {
        assert_eq!(journey.add_member(member).0, 201);
    }
    assert_eq!(journey.submit(None).0, 200);
    journey
}

#[test]
fn r_a1_r_a2_r_a4_approval_creates_the_mailbox_accounts_rights_and_messages() {
    on_each_backend(|app| {
        let token = app.helpdesk_token();
        let journey = submitted_sample(app);
        assert_eq!(journey.state()["status"], "submitted", "route B has no IG status of record: the helpdesk decides");
        let before = app.outbox().len();

        let (status, view) = approve(app, &token, &journey.id);
        assert_eq!(status, 200, "{view:#}");
        assert_eq!(view["status"], "approved");
        assert_eq!(view["shared_mailbox_address"], "nhsdental.wimbledon.sampledentalcarev12345@nhs.net");
        let accounts: Vec<_> = view["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["username"].as_str().unwrap().to_owned(),
                    a["is_owner"] == true,
                    a["is_mailbox_admin"] == true,
                    a["has_shared_mailbox_access"] == true,
                    a["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            accounts,
            [
                ("david.smith@nhs.net".to_owned(), true, true, true, "pending_activation".to_owned()),
                ("monika.patel@nhs.net".to_owned(), false, true, true, "pending_activation".to_owned()),
                ("efan.williamson@nhs.net".to_owned(), false, false, true, "pending_activation".to_owned()),
                ("sarah.jones@nhs.net".to_owned(), false, false, false, "pending_activation".to_owned()),
            ]
        );
        assert_eq!(journey.state()["status"], "approved", "the applicant sees the decision");

        // R-A4: each member gets their username by email and a temporary password by SMS.
        let delivered = app.wait_for_new_messages(before, 8);
        let emails: Vec<_> = delivered.iter().filter(|m| m["template"] == "username_email").collect();
        let texts: Vec<_> = delivered.iter().filter(|m| m["template"] == "temporary_password_sms").collect();
        assert_eq!((emails.len(), texts.len()), (4, 4), "{delivered:#?}");
        let david = emails.iter().find(|m| m["to"] == "dsmith@businessemail.com").unwrap();
        assert!(david["content"]["body"].as_str().unwrap().contains("Enter the username: david.smith@nhs.net"));
        let text =
            texts.iter().find(|m| m["to"] == "+447912345678").unwrap()["content"]["body"].as_str().unwrap().to_owned();
        assert!(text.contains("temporary password is "));

        // The helpdesk sees every message's status, never a secret.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let (_, view) = admin_get(app, &token, &format!("/v1/admin/applications/{}", journey.id));
            let messages = view["messages"].as_array().unwrap().clone();
            let templates: Vec<_> = messages.iter().map(|m| m["template"].as_str().unwrap()).collect();
            assert!(templates.contains(&"passcode_letter") && templates.contains(&"temporary_password_sms"));
            assert!(
                !view.to_string().contains(&text[text.find("is ").unwrap() + 3..][..19]),
                "no temporary password in the helpdesk view"
            );
            assert!(messages.iter().all(|m| m.get("payload").is_none() && m.get("content").is_none()));
            if messages.iter().all(|m| m["status"] == "sent") {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{messages:#?}");
            std::thread::sleep(std::time::Duration::from_millis(30));
        }

        // The mobiles now belong to accounts (R-R7): a new application cannot use them.
        let other = Journey::verified_listed_practice(
            app,
            BRIGHT_SMILE_POSTCODE,
            "BRIGHT SMILE DENTAL PRACTICE",
            BRIGHT_SMILE_ID_LOCATION,
            BRIGHT_SMILE_CONTACT_ID,
        );
        let mut reuse = member("Dave", "Smith", 1);
        reuse["mobile"] = json!("07912 345678");
        let (status, problem) = other.add_member(reuse);
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem)[0].1, "mobile_already_registered");

        // Approval happens once.
        let (status, problem) = approve(app, &token, &journey.id);
        assert_problem(status, &problem, 409, "conflict");
        assert_eq!(problem["code"], "application_not_submitted");
    });
}

#[test]
fn r_a2_a_username_already_issued_gets_the_next_number() {
    on_each_backend(|app| {
        let token = app.helpdesk_token();
        let first = Journey::verified_listed_practice(
            app,
            BRIGHT_SMILE_POSTCODE,
            "BRIGHT SMILE DENTAL PRACTICE",
            BRIGHT_SMILE_ID_LOCATION,
            BRIGHT_SMILE_CONTACT_ID,
        );
        first.add_member(member("Joe", "Bloggs", 1));
        first.add_member(member("Joe", "Bloggs", 2));
        assert_eq!(first.submit(None).0, 200);
        let (_, view) = approve(app, &token, &first.id);
        let names: Vec<_> =
            view["accounts"].as_array().unwrap().iter().map(|a| a["username"].as_str().unwrap().to_owned()).collect();
        assert_eq!(names, ["joe.bloggs@nhs.net", "joe.bloggs1@nhs.net"]);

        let second = Journey::verified_listed_practice(
            app,
            "LS1 4AP",
            "LEEDS CITY DENTAL CARE",
            "1-1000000104",
            "CON-DEMO-0104",
        );
        second.add_member(member("Joe", "Bloggs", 3));
        let mut zoe = member("Zoe", "Obrien", 4);
        zoe["first_name"] = json!("Zoë");
        zoe["last_name"] = json!("O'Brien");
        assert_eq!(second.add_member(zoe).0, 201);
        assert_eq!(second.submit(None).0, 200);
        let (_, view) = approve(app, &token, &second.id);
        let names: Vec<_> =
            view["accounts"].as_array().unwrap().iter().map(|a| a["username"].as_str().unwrap().to_owned()).collect();
        assert_eq!(names, ["joe.bloggs2@nhs.net", "zoe.obrien@nhs.net"]);
    });
}

#[test]
fn r_v1_rejection_tells_the_owners_why_and_releases_the_practice_and_mobiles() {
    on_each_backend(|app| {
        let token = app.helpdesk_token();
        let journey = submitted_sample(app);
        let (status, problem) = admin_post(
            app,
            &token,
            &format!("/v1/admin/applications/{}/rejection", journey.id),
            json!({"reason": "  "}),
        );
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem), [("/reason".to_owned(), "required".to_owned())]);

        let before = app.outbox().len();
        let reason = "The CQC registration could not be matched to the practice details given.";
        let (status, view) = admin_post(
            app,
            &token,
            &format!("/v1/admin/applications/{}/rejection", journey.id),
            json!({"reason": reason}),
        );
        assert_eq!(status, 200, "{view:#}");
        assert_eq!(view["status"], "rejected");
        assert_eq!(view["decision_reason"], reason);
        assert_eq!(view["accounts"], json!([]));
        let email = app.wait_for_message(before, |m| m["template"] == "rejection_email");
        assert_eq!(email["template"], "rejection_email");
        assert_eq!(email["to"], "dsmith@businessemail.com", "to the shared mailbox owner");
        assert!(email["content"]["body"].as_str().unwrap().contains(reason));

        // A new application may register the practice, with the same people.
        let again = Journey::verified_sample_practice(app);
        let mut david = member("David", "Smith", 1);
        david["mobile"] = json!("07912345678");
        assert_eq!(again.add_member(david).0, 201);
        again.add_member(member("Ann", "Nurse", 2));
        assert_eq!(again.submit(None).0, 200);
    });
}

#[test]
fn r_v1_r_e2_the_ig_status_of_record_approves_or_rejects_automatically() {
    for database in test_databases() {
        let app = TestApp::spawn_with(database, |config| config.app.auto_approve = true);
        // Satisfactory (IGT level 2): approved at submission.
        let good = Journey::verified_listed_practice(
            &app,
            BRIGHT_SMILE_POSTCODE,
            "BRIGHT SMILE DENTAL PRACTICE",
            BRIGHT_SMILE_ID_LOCATION,
            BRIGHT_SMILE_CONTACT_ID,
        );
        good.add_member(member("Ann", "Owner", 1));
        good.add_member(member("Bob", "Nurse", 2));
        // R-V1: the receipt says what happened, not just that it was sent.
        let (status, approved) = good.submit(Some("k1"));
        assert_eq!((status, approved["status"].as_str()), (200, Some("approved")), "{approved:#}");
        assert!(approved["decision_reason"].is_null());
        assert!(approved["next_steps"].as_str().unwrap().starts_with("Approved"));
        let state = good.state();
        assert_eq!(state["status"], "approved");
        assert!(state["decided_at"].is_string());
        let (_, replay) = good.submit(Some("k1"));
        assert_eq!(replay["status"], "approved", "a replay says where it stands now");

        // IG Toolkit level 1: rejected with that reason.
        let failing =
            Journey::verified_listed_practice(&app, "YO21 1AA", "HARBOUR VIEW DENTAL", "1-1000000103", "CON-DEMO-0103");
        failing.add_member(member("Cat", "Owner", 3));
        failing.add_member(member("Dan", "Nurse", 4));
        let before = app.outbox().len();
        let (status, receipt) = failing.submit(None);
        assert_eq!((status, receipt["status"].as_str()), (200, Some("rejected")), "{receipt:#}");
        let reason = receipt["decision_reason"].as_str().unwrap();
        assert!(reason.contains("IG Toolkit level 1"), "R-E2: the reason is given: {reason}");
        assert!(receipt["next_steps"].as_str().unwrap().starts_with("Rejected"));
        let state = failing.state();
        assert_eq!(state["status"], "rejected");
        assert_eq!(state["decision_reason"], receipt["decision_reason"]);
        let email = app.wait_for_message(before, |m| m["template"] == "rejection_email");
        assert_eq!(email["template"], "rejection_email");
        assert!(email["content"]["body"].as_str().unwrap().contains("IG Toolkit level 1"), "{email:#}");

        // Route B has no status of record: the helpdesk decides.
        let journey = Journey::verified_sample_practice(&app);
        journey.add_member(member("Eve", "Owner", 5));
        journey.add_member(member("Fay", "Nurse", 6));
        assert_eq!(journey.submit(None).0, 200);
        assert_eq!(journey.state()["status"], "submitted");
        // A replay still returns the original receipt.
        assert_eq!(good.submit(Some("k1")), (200, approved));
    }
}

#[test]
fn the_helpdesk_lists_filters_and_pages_applications() {
    on_each_backend(|app| {
        let token = app.helpdesk_token();
        let first = Journey::verified_sample_practice(app);
        let second = Journey::verified_listed_practice(
            app,
            BRIGHT_SMILE_POSTCODE,
            "BRIGHT SMILE DENTAL PRACTICE",
            BRIGHT_SMILE_ID_LOCATION,
            BRIGHT_SMILE_CONTACT_ID,
        );
        let third = Journey::verified_listed_practice(
            app,
            "LS1 4AP",
            "LEEDS CITY DENTAL CARE",
            "1-1000000104",
            "CON-DEMO-0104",
        );
        for journey in [&second, &third] {
            journey.add_member(member("Ann", "Owner", if journey.id == second.id { 1 } else { 3 }));
            journey.add_member(member("Bob", "Nurse", if journey.id == second.id { 2 } else { 4 }));
            assert_eq!(journey.submit(None).0, 200);
        }
        let (status, page) = admin_get(app, &token, "/v1/admin/applications?limit=2");
        assert_eq!(status, 200, "{page:#}");
        let ids: Vec<_> =
            page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect();
        assert_eq!(ids, [third.id.clone(), second.id.clone()], "newest first");
        let cursor = page["next_cursor"].as_str().unwrap();
        let (_, page) =
            send(app.get("/v1/admin/applications").bearer_auth(&token).query(&[("limit", "2"), ("cursor", cursor)]));
        assert_eq!(page["items"][0]["id"], first.id);
        assert!(page["next_cursor"].is_null());

        let (_, page) = admin_get(app, &token, "/v1/admin/applications?status=submitted");
        assert_eq!(page["items"].as_array().unwrap().len(), 2);
        let (_, page) = send(
            app.get("/v1/admin/applications")
                .bearer_auth(&token)
                .query(&[("postcode", "ls14ap"), ("practice_name", "city")]),
        );
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        assert_eq!(page["items"][0]["ods_code"], "V00104");
        let (status, problem) = admin_get(app, &token, "/v1/admin/applications?limit=0&cursor=bogus");
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem).len(), 2);
        // A status that does not exist is named, with the ones that do.
        let (status, problem) = admin_get(app, &token, "/v1/admin/applications?status=pending");
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem), [("/query/status".to_owned(), "invalid_value".to_owned())]);
        assert!(problem["errors"][0]["detail"].as_str().unwrap().contains("submitted"), "{problem:#}");
        // A page size that is not a number cannot be read: 400, naming the parameter.
        let (status, problem) = admin_get(app, &token, "/v1/admin/applications?limit=abc");
        assert_problem(status, &problem, 400, "malformed-request");
        assert_eq!(field_errors(&problem), [("/query/limit".to_owned(), "invalid_type".to_owned())]);

        let (status, view) = admin_get(app, &token, &format!("/v1/admin/applications/{}", second.id));
        assert_eq!(status, 200);
        assert_eq!(view["ig_status_of_record"]["satisfactory"], true);
        assert_eq!(view["members"].as_array().unwrap().len(), 2);
        let (status, _) = admin_get(app, &token, "/v1/admin/applications/no-such-id");
        assert_eq!(status, 404);
    });
}

#[test]
fn applicants_and_anonymous_callers_cannot_reach_review_endpoints() {
    on_each_backend(|app| {
        let journey = submitted_sample(app);
        let paths = [
            ("GET", "/v1/admin/applications".to_owned()),
            ("GET", format!("/v1/admin/applications/{}", journey.id)),
            ("POST", format!("/v1/admin/applications/{}/approval", journey.id)),
            ("POST", format!("/v1/admin/applications/{}/rejection", journey.id)),
        ];
        for (method, path) in &paths {
            for token in [Some(journey.token.as_str()), None] {
                let mut request =
                    if *method == "GET" { app.get(path) } else { app.post(path).json(&json!({"reason": "x"})) };
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                let (status, problem) = send(request);
                assert_problem(status, &problem, 401, "unauthorized");
            }
        }
        assert_eq!(journey.state()["status"], "submitted");
    });
}

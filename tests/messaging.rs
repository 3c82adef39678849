//! Messages reach their providers: a real SMTP server, and GOV.UK Notify as it documents its
//! API. Failures are retried with backoff; nothing is delivered twice.

use blackbox::journey::*;
use blackbox::notify::FakeNotify;
use blackbox::smtp::SmtpSink;
use blackbox::{TestApp, assert_problem, on_each_backend, send, test_databases};
use chrono::Duration;
use serde_json::json;

/// Waits (up to 10 s) until `check` holds, failing with `what`.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !check() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
}

fn messages(app: &TestApp, kind: &str, id: &str) -> Vec<persistence::outbox::MessageRow> {
    let db = app.database();
    let mut conn = db.get().unwrap();
    persistence::outbox::for_subject(&mut conn, kind, id).unwrap()
}

/// Submits a route A application with two members and approves it; returns its id.
fn approved_route_a(app: &TestApp) -> String {
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
    assert_eq!(journey.submit(None).0, 200);
    let (status, view) = send(app.post(&format!("/v1/admin/applications/{}/approval", journey.id)).bearer_auth(token));
    assert_eq!(status, 200, "{view:#}");
    journey.id
}

#[test]
fn a_real_smtp_server_receives_the_username_emails() {
    let smtp = SmtpSink::start();
    for database in test_databases() {
        let before = smtp.received().len();
        let app = TestApp::spawn_with(database, |config| {
            config.app.messaging.email = app::settings::ProviderChoice::Smtp;
            config.app.messaging.smtp = Some(app::settings::SmtpSettings {
                host: "127.0.0.1".to_owned(),
                port: smtp.port,
                security: app::settings::SmtpSecurity::None,
                credentials: None,
                from: "NHSmail <noreply@nhs.example>".to_owned(),
            });
        });
        approved_route_a(&app);
        let received = smtp.wait_for(before + 2)[before..].to_vec();
        let david = received.iter().find(|m| m.to == ["dsmith@businessemail.com"]).expect("David's email");
        assert_eq!(david.from, "noreply@nhs.example");
        assert!(david.data.contains("Subject: Welcome to NHSmail"), "{}", david.data);
        assert!(david.data.contains("Enter the username: david.smith@nhs.net"));
        assert!(david.data.contains("Message-ID: <"));
        let sarah = received.iter().find(|m| m.to == ["sarahj@emaildomain.co.uk"]).expect("Sarah's email");
        assert!(sarah.data.contains("sarah.jones@nhs.net"));
        // Text messages still go through their own provider (development here).
        eventually("the SMS are written to the development outbox", || {
            app.outbox().iter().filter(|m| m["channel"] == "sms").count() == 2
        });
    }
}

#[test]
fn notify_receives_every_channel_signed_and_shaped_as_documented_once_each() {
    for database in test_databases() {
        let notify = FakeNotify::start();
        let app = TestApp::spawn_with(database, |config| notify.route_all(&mut config.app.messaging));
        // A letter (route B passcode), an email (route A passcode), then approval's emails and SMS.
        let route_b = Journey::start(&app, answers(false, "post"));
        route_b.identify_sample_practice();
        assert_eq!(route_b.post("/passcode-requests", json!({})).0, 202);
        let route_a = Journey::start(&app, answers(false, "email"));
        route_a.identify_listed_practice("LS1 4AP", "LEEDS CITY DENTAL CARE");
        assert_eq!(route_a.post("/passcode-requests", json!({})).0, 202);
        let approved = approved_route_a(&app);

        eventually("Notify accepts 6 notifications", || notify.accepted().len() >= 6);
        assert_eq!(notify.refused(), Vec::<String>::new(), "every request had a good token and body");
        let accepted = notify.accepted();
        let kinds: Vec<_> = {
            let mut k: Vec<_> = accepted.iter().map(|a| a.kind.clone()).collect();
            k.sort();
            k
        };
        assert_eq!(kinds, ["email", "email", "email", "letter", "sms", "sms"]);
        let letter = accepted.iter().find(|a| a.kind == "letter").unwrap();
        assert_eq!(letter.body["personalisation"]["address_line_1"], "SAMPLE DENTAL CARE");
        assert_eq!(letter.body["personalisation"]["address_line_5"], "SW19 4AB");
        assert!(letter.body["personalisation"]["body"].as_str().unwrap().contains("one-time passcode is"));
        let sms = accepted.iter().find(|a| a.kind == "sms" && a.body["phone_number"] == "+447912345678").unwrap();
        assert!(sms.body["personalisation"]["body"].as_str().unwrap().contains("temporary password"));

        // Each reference is one of our messages, accepted once; our records name Notify's id.
        let mut references: Vec<_> = accepted.iter().map(|a| a.reference.clone()).collect();
        references.sort();
        references.dedup();
        assert_eq!(references.len(), accepted.len(), "no duplicates");
        let db = app.database();
        let mut conn = db.get().unwrap();
        eventually("every message is marked sent", || {
            accepted
                .iter()
                .all(|a| persistence::outbox::get(&mut conn, &a.reference).unwrap().is_some_and(|m| m.status == "sent"))
        });
        for a in &accepted {
            let row = persistence::outbox::get(&mut conn, &a.reference).unwrap().unwrap();
            assert_eq!(
                (row.provider.as_deref(), row.provider_reference.as_deref()),
                (Some("notify"), Some(a.id.as_str()))
            );
            if row.contains_secret {
                assert!(row.payload.contains("redacted"), "{}", row.payload);
            }
        }
        let _ = approved;
    }
}

#[test]
fn a_notify_500_then_success_delivers_once_and_a_429_is_retried_later() {
    for database in test_databases() {
        let notify = FakeNotify::start();
        let app = TestApp::spawn_with(database, |config| notify.route_all(&mut config.app.messaging));
        notify.fail_next(&[500, 429]);
        let journey = Journey::start(&app, answers(false, "post"));
        journey.identify_sample_practice();
        assert_eq!(journey.post("/passcode-requests", json!({})).0, 202);

        eventually("the first attempt fails", || {
            messages(&app, "application", &journey.id).first().is_some_and(|m| m.attempts == 1 && m.status == "pending")
        });
        let message = messages(&app, "application", &journey.id).remove(0);
        assert!(message.last_error.as_deref().unwrap_or("").contains("500"), "{message:?}");
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert_eq!(notify.posts(), 1, "nothing is retried before its backoff");

        app.clock.advance(Duration::seconds(31));
        eventually("the 429 is recorded", || {
            messages(&app, "application", &journey.id)[0].last_error.as_deref().is_some_and(|e| e.contains("429"))
        });
        assert_eq!(messages(&app, "application", &journey.id)[0].status, "pending");

        app.clock.advance(Duration::seconds(61));
        eventually("the third attempt succeeds", || messages(&app, "application", &journey.id)[0].status == "sent");
        let row = messages(&app, "application", &journey.id).remove(0);
        assert_eq!(row.attempts, 3);
        assert!(row.last_error.is_none());
        assert_eq!(notify.accepted().len(), 1, "delivered once");
        assert_eq!(notify.posts(), 3);
    }
}

#[test]
fn while_the_provider_is_down_messages_wait_and_go_once_it_is_back() {
    for database in test_databases() {
        let notify = FakeNotify::start();
        let app = TestApp::spawn_with(database, |config| notify.route_all(&mut config.app.messaging));
        notify.set_down(true);
        let journey = Journey::start(&app, answers(false, "post"));
        journey.identify_sample_practice();
        for _ in 0..3 {
            assert_eq!(journey.post("/passcode-requests", json!({})).0, 202);
        }
        eventually("all three have been tried", || {
            messages(&app, "application", &journey.id).iter().all(|m| m.attempts >= 1 && m.status == "pending")
        });
        for _ in 0..3 {
            app.clock.advance(Duration::minutes(5));
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert!(notify.accepted().is_empty());
        assert!(
            messages(&app, "application", &journey.id)
                .iter()
                .all(|m| m.status == "pending" && m.last_error.as_deref().is_some_and(|e| e.contains("503")))
        );

        notify.set_down(false);
        app.clock.advance(Duration::hours(1));
        eventually("all three are sent", || {
            messages(&app, "application", &journey.id).iter().all(|m| m.status == "sent")
        });
        let mut references: Vec<_> = notify.accepted().iter().map(|a| a.reference.clone()).collect();
        references.sort();
        references.dedup();
        assert_eq!(references.len(), 3);
        assert_eq!(notify.accepted().len(), 3, "each exactly once");
    }
}

#[test]
fn notify_delivery_receipts_are_recorded_and_need_the_callback_token() {
    for database in test_databases() {
        let notify = FakeNotify::start();
        let app = TestApp::spawn_with(database, |config| notify.route_all(&mut config.app.messaging));
        let journey = Journey::start(&app, answers(false, "post"));
        journey.identify_sample_practice();
        journey.post("/passcode-requests", json!({}));
        eventually("the letter is sent", || {
            messages(&app, "application", &journey.id).first().is_some_and(|m| m.status == "sent")
        });
        let message = messages(&app, "application", &journey.id).remove(0);
        let receipt = json!({"id": message.provider_reference, "reference": message.id, "to": "x", "status": "delivered",
                             "created_at": "2026-11-21T10:15:00.000000Z", "completed_at": "2026-11-21T10:16:00.000000Z", "notification_type": "letter"});
        let (status, problem) = send(app.post("/v1/notify/delivery-receipts").bearer_auth("wrong").json(&receipt));
        assert_eq!(status, 401, "{problem:#}");
        assert_eq!(messages(&app, "application", &journey.id)[0].status, "sent");
        let (status, _) =
            send(app.post("/v1/notify/delivery-receipts").bearer_auth("callback-token-for-tests").json(&receipt));
        assert_eq!(status, 204);
        let row = messages(&app, "application", &journey.id).remove(0);
        assert_eq!((row.status.as_str(), row.delivery_status.as_deref()), ("delivered", Some("delivered")));
        assert!(row.delivered_at.is_some());
        let mut unknown = receipt.clone();
        unknown["reference"] = json!("no-such-message");
        unknown["id"] = json!("no-such-id");
        assert_eq!(
            send(app.post("/v1/notify/delivery-receipts").bearer_auth("callback-token-for-tests").json(&unknown)).0,
            404
        );
        // A receipt naming neither of our ids matches nothing (on PostgreSQL this once asked the
        // database to compare with a NUL and failed with 500).
        for (reference, id) in [(json!(null), json!("no-such-id")), (json!("no-such-message"), json!(null))] {
            let mut partial = receipt.clone();
            partial["reference"] = reference;
            partial["id"] = id;
            let (status, problem) =
                send(app.post("/v1/notify/delivery-receipts").bearer_auth("callback-token-for-tests").json(&partial));
            assert_eq!(status, 404, "{problem:#}");
        }
    }
}

#[test]
fn testers_read_the_development_outbox_and_only_in_development() {
    on_each_backend(|app| {
        let journey = Journey::verified_sample_practice(app);
        journey.add_member(member("Sarah", "Jones", 1));
        // The passcode letter that verified the practice is listed under its postcode, content included.
        let (status, page) = send(app.get("/v1/development/messages").query(&[("to", "sw19 4ab"), ("limit", "5")]));
        assert_eq!(status, 200, "{page:#}");
        let letter = &page["items"][0];
        assert_eq!((letter["channel"].as_str(), letter["to"].as_str()), (Some("letter"), Some("SW19 4AB")));
        assert!(letter["body"].as_str().unwrap().contains("passcode is: "), "{letter:#}");
        let (_, nobody) = send(app.get("/v1/development/messages").query(&[("to", "nobody@example.org")]));
        assert_eq!(nobody["items"], json!([]));
    });
    for database in test_databases() {
        let notify = FakeNotify::start();
        let app = TestApp::spawn_with(database, |config| notify.route_all(&mut config.app.messaging));
        let (status, problem) = send(app.get("/v1/development/messages"));
        assert_problem(status, &problem, 404, "not-found");
    }
}

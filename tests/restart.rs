//! The process killed while messages are queued or half sent: after a restart, every message
//! reaches the provider exactly once per reference. Runs the real binary as a child process.

use blackbox::notify::FakeNotify;
use blackbox::process::Service;
use blackbox::send;
use blackbox::test_databases;
use serde_json::json;
use std::time::Duration;

fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn after_a_crash_every_queued_message_reaches_notify_exactly_once() {
    for database in test_databases() {
        let notify = FakeNotify::start();
        let outbox = std::env::temp_dir().join(format!("restart-outbox-{}.jsonl", uuid::Uuid::new_v4().simple()));
        // Notify will accept the first message and then not answer: the process dies before it
        // knows the message went.
        notify.set_hold(Duration::from_secs(60));
        let mut first = Service::start(&database.url, &notify, &outbox);
        let client = reqwest::blocking::Client::new();
        let (status, created) = send(
            client.post(format!("{}/v1/applications", first.base_url)).json(&blackbox::journey::answers(false, "post")),
        );
        assert_eq!(status, 201, "{created:#}");
        let (id, token) =
            (created["application"]["id"].as_str().unwrap().to_owned(), created["token"].as_str().unwrap().to_owned());
        let (status, _) = send(client.put(format!("{}/v1/applications/{id}/practice", first.base_url)).bearer_auth(&token).json(&json!({
            "route": "b", "postcode": "SW19 4AB", "practice_name": "SAMPLE DENTAL CARE", "ods_code": "V12345", "cqc_location_id": "1-1002733005"
        })));
        assert_eq!(status, 200);
        for _ in 0..3 {
            let (status, _) = send(
                client.post(format!("{}/v1/applications/{id}/passcode-requests", first.base_url)).bearer_auth(&token),
            );
            assert_eq!(status, 202);
        }
        eventually("Notify has accepted the first letter", || notify.accepted().len() == 1);
        first.kill();

        notify.set_hold(Duration::ZERO);
        std::thread::sleep(Duration::from_millis(1500));
        let second = Service::start(&database.url, &notify, &outbox);
        let url = persistence::DatabaseUrl::parse(&database.url).unwrap();
        let db = persistence::Database::connect(&url, persistence::PoolOptions { max_size: 1, ..Default::default() })
            .unwrap();
        let mut conn = db.get().unwrap();
        eventually("all three letters are marked sent", || {
            let rows = persistence::outbox::for_subject(&mut conn, "application", &id).unwrap();
            rows.len() == 3 && rows.iter().all(|m| m.status == "sent")
        });
        let rows = persistence::outbox::for_subject(&mut conn, "application", &id).unwrap();
        let mut ours: Vec<_> = rows.iter().map(|m| m.id.clone()).collect();
        let mut theirs: Vec<_> = notify.accepted().iter().map(|a| a.reference.clone()).collect();
        ours.sort();
        theirs.sort();
        assert_eq!(theirs, ours, "{}: each message exactly once per reference", database.backend_name());
        let accepted_ids: Vec<_> = notify.accepted().iter().map(|a| a.id.clone()).collect();
        assert!(rows.iter().all(|m| m.provider_reference.as_ref().is_some_and(|r| accepted_ids.contains(r))));
        drop(second);
        let _ = std::fs::remove_file(&outbox);
    }
}

//! Two server processes on one database, as two replicas behind a load balancer: each message is
//! sent exactly once even with a provider slower than the dispatch lease, submissions racing
//! across the two over shared mobiles never deadlock into a 5xx, and each scheduled job runs once
//! when due however many schedulers look for it.

use blackbox::journey::*;
use blackbox::notify::FakeNotify;
use blackbox::process::Service;
use blackbox::{TestApp, send, test_databases};
use persistence::outbox::{self, NewMessage};
use persistence::{Database, DatabaseUrl, PoolOptions};
use serde_json::json;
use std::collections::HashSet;
use std::sync::{Arc, Barrier};
use std::time::Duration;

fn outbox_file() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("replicas-outbox-{}.jsonl", uuid::Uuid::new_v4().simple()))
}

fn database(url: &str) -> Database {
    Database::connect(&DatabaseUrl::parse(url).unwrap(), PoolOptions { max_size: 2, ..Default::default() }).unwrap()
}

#[test]
fn two_replicas_and_a_provider_slower_than_the_lease_send_each_message_exactly_once() {
    for database_under_test in test_databases() {
        let url = database_under_test.url.clone();
        let notify = FakeNotify::start();
        // Each send takes longer than the 1 s lease the services run with.
        notify.set_hold(Duration::from_millis(1300));
        let file = outbox_file();
        let first = Service::start(&url, &notify, &file);
        let second = Service::start(&url, &notify, &file);
        let db = database(&url);
        let mut conn = db.get().unwrap();
        let body = serde_json::to_string(&json!({"kind": "sms", "body": "A test message."})).unwrap();
        let mut ours = HashSet::new();
        for i in 0..8 {
            let recipient = format!("+4477009001{i:02}");
            let message = NewMessage {
                channel: "sms",
                template: "temporary_password_sms",
                recipient: &recipient,
                subject_type: Some("test"),
                subject_id: Some("replicas"),
                payload: body.clone(),
                contains_secret: false,
            };
            ours.insert(outbox::enqueue(&mut conn, &message, chrono::Utc::now()).unwrap());
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let rows = outbox::for_subject(&mut conn, "test", "replicas").unwrap();
            if rows.iter().all(|m| m.status == "sent") {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "not every message was sent: {rows:#?}");
            std::thread::sleep(Duration::from_millis(100));
        }
        let references: Vec<String> = notify.accepted().iter().map(|a| a.reference.clone()).collect();
        let distinct: HashSet<String> = references.iter().cloned().collect();
        assert_eq!(
            references.len(),
            distinct.len(),
            "{}: a message reached the provider twice: {references:?}",
            database_under_test.backend_name()
        );
        assert_eq!(distinct, ours, "every message once");
        drop((first, second));
        let _ = std::fs::remove_file(&file);
    }
}

/// The sample register's route A practices: (postcode, name, location, contact id).
const LISTED: [(&str, &str, &str, &str); 4] = [
    ("LS1 4AP", "BRIGHT SMILE DENTAL PRACTICE", "1-1000000101", "CON-DEMO-0101"),
    ("LS1 4AP", "LEEDS CITY DENTAL CARE", "1-1000000104", "CON-DEMO-0104"),
    ("NE1 3DX", "RIVERSIDE DENTAL PRACTICE", "1-1000000105", "CON-DEMO-0105"),
    ("SY1 2BQ", "CASTLE DENTAL SURGERY", "1-1000000102", "CON-DEMO-0102"),
];

#[test]
fn r_r7_submissions_racing_across_two_replicas_over_shared_mobiles_never_fail_with_5xx() {
    for database in test_databases() {
        let app = TestApp::spawn(database);
        let notify = FakeNotify::start();
        let file = outbox_file();
        let replica = Service::start(app.database_url(), &notify, &file);
        let shared = ["07700 900701", "07700 900702", "07700 900703"];
        let journeys: Vec<_> = LISTED
            .iter()
            .enumerate()
            .map(|(i, (postcode, name, location, contact))| {
                let journey = Journey::verified_listed_practice(&app, postcode, name, location, contact);
                let n = u32::try_from(i).unwrap();
                journey.add_member(member("Owner", "Person", 800 + n));
                // The same mobiles, each application listing them in another order.
                for k in 0..shared.len() {
                    let mut person = member("Shared", "Person", 900 + n * 10 + u32::try_from(k).unwrap());
                    person["mobile"] = json!(shared[(k + i) % shared.len()]);
                    let (status, body) = journey.add_member(person);
                    assert_eq!(status, 201, "{body:#}");
                }
                journey
            })
            .collect();
        let barrier = Arc::new(Barrier::new(journeys.len()));
        let client = reqwest::blocking::Client::new();
        let results: Vec<(u16, serde_json::Value)> = std::thread::scope(|scope| {
            let handles: Vec<_> = journeys
                .iter()
                .enumerate()
                .map(|(i, journey)| {
                    let (barrier, client) = (barrier.clone(), client.clone());
                    // Half go to each replica.
                    let base = if i % 2 == 0 { app.base_url.clone() } else { replica.base_url.clone() };
                    let (path, token) = (journey.path("/submission"), journey.token.clone());
                    scope.spawn(move || {
                        barrier.wait();
                        send(
                            client
                                .post(format!("{base}{path}"))
                                .bearer_auth(token)
                                .json(&json!({"confirm_data_correct": true})),
                        )
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (status, body) in &results {
            assert!(*status < 500, "{}: a submission got {status}: {body:#}", app.backend);
        }
        let won = results.iter().filter(|(status, _)| *status == 200).count();
        assert_eq!(won, 1, "{}: exactly one submission holds the shared mobiles: {results:#?}", app.backend);
        for (status, body) in results.iter().filter(|(status, _)| *status != 200) {
            assert_eq!(*status, 422, "{body:#}");
            assert!(body["errors"].as_array().unwrap().iter().all(|e| e["code"] == "mobile_already_registered"));
        }
        drop(replica);
        let _ = std::fs::remove_file(&file);
    }
}

#[test]
fn two_replicas_ticking_every_second_run_each_due_job_once() {
    for database_under_test in test_databases() {
        let url = database_under_test.url.clone();
        let notify = FakeNotify::start();
        let file = outbox_file();
        let first = Service::start(&url, &notify, &file);
        let second = Service::start(&url, &notify, &file);
        let db = database(&url);
        let mut conn = db.get().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let mut runs = Vec::new();
        // Both schedulers tick every second; keep watching for a few ticks after the first runs.
        let mut quiet_ticks = 0;
        while quiet_ticks < 4 {
            std::thread::sleep(Duration::from_secs(1));
            runs = persistence::jobs::runs_page(&mut conn, None, None, 100).unwrap();
            if runs.len() >= app::scheduler::Job::ALL.len() {
                quiet_ticks += 1;
            }
            assert!(std::time::Instant::now() < deadline, "the schedulers ran nothing: {runs:#?}");
        }
        let mut jobs: Vec<&str> = runs.iter().map(|run| run.job.as_str()).collect();
        jobs.sort_unstable();
        assert_eq!(
            jobs,
            [
                "account_inactivity",
                "expire_drafts",
                "passcode_mailshots",
                "prune_attempts",
                "prune_messages",
                "prune_personal_data"
            ],
            "{}: each job ran once, by one of the two: {runs:#?}",
            database_under_test.backend_name()
        );
        assert!(runs.iter().all(|run| run.outcome == "succeeded"), "{runs:#?}");
        drop((first, second));
        let _ = std::fs::remove_file(&file);
    }
}

//! Invariants under concurrent requests: the database decides, exactly one request wins, and
//! nobody gets a 5xx.

use blackbox::journey::*;
use blackbox::{TestApp, field_errors, on_each_backend, send};
use serde_json::{Value, json};
use std::sync::{Arc, Barrier};

/// Runs each closure on its own thread, released together.
fn race<T: Send + 'static>(jobs: Vec<Box<dyn FnOnce() -> T + Send>>) -> Vec<T> {
    let barrier = Arc::new(Barrier::new(jobs.len()));
    let handles: Vec<_> = jobs
        .into_iter()
        .map(|job| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                job()
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().expect("racer panicked")).collect()
}

fn assert_no_server_errors(results: &[(u16, Value)]) {
    for (status, body) in results {
        assert!(*status < 500, "a racer got {status}: {body:#}");
    }
}

/// The sample register's route A practices: (postcode, name, location, contact id).
const LISTED: [(&str, &str, &str, &str); 4] = [
    ("LS1 4AP", "BRIGHT SMILE DENTAL PRACTICE", "1-1000000101", "CON-DEMO-0101"),
    ("LS1 4AP", "LEEDS CITY DENTAL CARE", "1-1000000104", "CON-DEMO-0104"),
    ("NE1 3DX", "RIVERSIDE DENTAL PRACTICE", "1-1000000105", "CON-DEMO-0105"),
    ("SY1 2BQ", "CASTLE DENTAL SURGERY", "1-1000000102", "CON-DEMO-0102"),
];

fn submit_request(app: &TestApp, journey: &Journey<'_>) -> blackbox::Call {
    journey.auth(app.post(&journey.path("/submission"))).json(&json!({"confirm_data_correct": true}))
}

#[test]
fn r_r7_racing_submissions_sharing_a_mobile_exactly_one_wins() {
    on_each_backend(|app| {
        let shared_mobile = "07700 900555";
        let journeys: Vec<_> = LISTED
            .iter()
            .enumerate()
            .map(|(i, (postcode, name, location, contact))| {
                let journey = Journey::verified_listed_practice(app, postcode, name, location, contact);
                let n = u32::try_from(i).unwrap() * 10;
                journey.add_member(member("Owner", "Person", n + 1));
                let mut shared = member("Shared", "Person", n + 2);
                shared["mobile"] = json!(shared_mobile);
                let (status, body) = journey.add_member(shared);
                assert_eq!(status, 201, "drafts may share a mobile until one is submitted: {body:#}");
                journey
            })
            .collect();
        let results = race(
            journeys
                .iter()
                .map(|journey| {
                    let request = submit_request(app, journey);
                    Box::new(move || send(request)) as Box<dyn FnOnce() -> (u16, Value) + Send>
                })
                .collect(),
        );
        assert_no_server_errors(&results);
        let winners = results.iter().filter(|(status, _)| *status == 200).count();
        assert_eq!(winners, 1, "{results:#?}");
        for (status, body) in results.iter().filter(|(status, _)| *status != 200) {
            assert_eq!(*status, 422, "{body:#}");
            assert_eq!(field_errors(body), [("/members/1/mobile".to_owned(), "mobile_already_registered".to_owned())]);
        }
        let submitted = journeys.iter().filter(|j| j.state()["status"] == "submitted").count();
        assert_eq!(submitted, 1);
    });
}

#[test]
fn r_p5_racing_verifications_of_one_practice_exactly_one_holds_it() {
    on_each_backend(|app| {
        let (postcode, name, location, contact) = LISTED[1];
        let journeys: Vec<_> = (0..3)
            .map(|_| {
                let journey = Journey::start(app, answers(true, "email"));
                journey.identify_listed_practice(postcode, name);
                journey
            })
            .collect();
        let results = race(
            journeys
                .iter()
                .map(|journey| {
                    let request = journey.auth(app.post(&journey.path("/verification"))).json(
                        &json!({"method": "cqc_contact_id", "cqc_location_id": location, "cqc_contact_id": contact}),
                    );
                    Box::new(move || send(request)) as Box<dyn FnOnce() -> (u16, Value) + Send>
                })
                .collect(),
        );
        assert_no_server_errors(&results);
        assert_eq!(results.iter().filter(|(s, _)| *s == 200).count(), 1, "{results:#?}");
        for (status, body) in results.iter().filter(|(s, _)| *s != 200) {
            assert_eq!(*status, 409, "{body:#}");
            assert_eq!(body["code"], "practice_has_live_application");
        }
    });
}

#[test]
fn r_r1_racing_adds_never_exceed_ten_members() {
    on_each_backend(|app| {
        let journey = Journey::verified_sample_practice(app);
        for n in 0..8 {
            assert_eq!(journey.add_member(member("Staff", "Member", n)).0, 201);
        }
        let results = race(
            (8..12)
                .map(|n| {
                    let request = journey.auth(app.post(&journey.path("/members"))).json(&member("Staff", "Member", n));
                    Box::new(move || send(request)) as Box<dyn FnOnce() -> (u16, Value) + Send>
                })
                .collect(),
        );
        assert_no_server_errors(&results);
        assert_eq!(results.iter().filter(|(s, _)| *s == 201).count(), 2, "{results:#?}");
        assert!(results.iter().filter(|(s, _)| *s != 201).all(|(s, body)| *s == 409 && body["code"] == "roster_full"));
        assert_eq!(journey.state()["member_counts"]["specified"], 10);
    });
}

#[test]
fn r_o5_racing_passcode_requests_never_exceed_the_limit() {
    on_each_backend(|app| {
        let journey = Journey::start(app, answers(false, "post"));
        journey.identify_sample_practice();
        let results = race(
            (0..6)
                .map(|_| {
                    let request = journey.auth(app.post(&journey.path("/passcode-requests")));
                    Box::new(move || send(request)) as Box<dyn FnOnce() -> (u16, Value) + Send>
                })
                .collect(),
        );
        assert_no_server_errors(&results);
        assert_eq!(results.iter().filter(|(s, _)| *s == 202).count(), 3, "{results:#?}");
        assert_eq!(results.iter().filter(|(s, _)| *s == 429).count(), 3);
    });
}

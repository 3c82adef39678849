//! Unsubmitted applications expire after their period of inactivity, and their personal data is
//! removed; activity keeps them alive; submitted applications do not expire.

use blackbox::journey::*;
use blackbox::{TestApp, on_each_backend, test_databases};
use chrono::Duration;
use serde_json::json;

fn member_rows(app: &TestApp, application_id: &str) -> usize {
    let db = app.database();
    let mut conn = db.get().unwrap();
    persistence::applications::members(&mut conn, application_id).unwrap().len()
}

#[test]
fn an_inactive_draft_expires_its_personal_data_is_removed_and_its_practice_released() {
    on_each_backend(|app| {
        let journey = Journey::verified_sample_practice(app);
        journey.add_member(member("Ann", "Owner", 1));
        journey.add_member(member("Bob", "Nurse", 2));
        assert_eq!(member_rows(app, &journey.id), 2);

        app.clock.advance(Duration::days(27));
        assert_eq!(journey.state()["status"], "draft", "resumable for at least 28 days");
        app.clock.advance(Duration::days(28) + Duration::seconds(1));
        let state = journey.state();
        assert_eq!(state["status"], "expired");
        assert_eq!(state["members"], json!([]));
        assert!(state["town"].is_null());
        assert_eq!(state["allowed_actions"], json!([]));
        assert_eq!(member_rows(app, &journey.id), 0, "personal data is deleted, not hidden");
        let (status, problem) = journey.add_member(member("Cat", "Late", 3));
        assert_eq!(status, 409);
        assert_eq!(problem["code"], "application_closed");

        // The practice is free for a new application.
        let again = Journey::start(app, answers(false, "post"));
        assert_eq!(again.identify_sample_practice()["practice"]["route"], "b");
    });
}

#[test]
fn activity_keeps_a_draft_alive_and_submitted_applications_never_expire() {
    on_each_backend(|app| {
        let journey = Journey::verified_sample_practice(app);
        app.clock.advance(Duration::days(20));
        journey.add_member(member("Ann", "Owner", 1));
        app.clock.advance(Duration::days(20));
        journey.add_member(member("Bob", "Nurse", 2));
        assert_eq!(journey.state()["status"], "draft");
        assert_eq!(journey.submit(None).0, 200);
        app.clock.advance(Duration::days(400));
        let state = journey.state();
        assert_eq!(state["status"], "submitted");
        assert_eq!(state["members"].as_array().unwrap().len(), 2);
    });
}

#[test]
fn the_sweep_expires_drafts_nobody_looks_at() {
    for database in test_databases() {
        let app = TestApp::spawn_with(database, |config| config.scheduler_tick = std::time::Duration::from_millis(50));
        let journey = Journey::verified_sample_practice(&app);
        journey.add_member(member("Ann", "Owner", 1));
        app.clock.advance(Duration::days(29));
        let db = app.database();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let mut conn = db.get().unwrap();
            let row = persistence::applications::get(&mut conn, &journey.id).unwrap();
            if row.status == domain::journey::ApplicationStatus::Expired {
                assert!(row.claimed_location_id.is_none());
                assert_eq!(member_rows(&app, &journey.id), 0);
                let events = persistence::audit::for_object(&mut conn, "application", &journey.id).unwrap();
                assert_eq!(events.last().unwrap().action, "application.expired");
                assert_eq!(events.last().unwrap().actor_type, "system");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{}: the sweep did not expire the draft", app.backend);
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

//! Passcode mailshots (R-O7): the helpdesk sends passcodes to 100 practices at once; the job sends
//! each practice one, by email where a manager's address is on record and by post otherwise, and
//! the report names every practice; a practice past its limit (R-O5) is refused with when the
//! next can go; unknown codes are reported, not dropped. However many replicas and runners work
//! one mailshot at once, each practice is sent one passcode.

use crate::account_life::run_job;
use app::scheduler::Job;
use blackbox::notify::FakeNotify;
use blackbox::process::Service;
use blackbox::{TestApp, assert_problem, field_errors, on_each_backend, send, test_databases};
use serde_json::{Value, json};

const HEADER: &str = "ods_code,name,address_line_1,address_line_2,town,county,postcode,cqc_location_id,cqc_contact_id,registered_manager_email,ig_toolkit,ig_status,ig_assessed_on";

/// A register of `n` practices, every other one with a manager's email on record.
fn register(n: usize) -> String {
    let mut csv = format!("{HEADER}\n");
    for i in 0..n {
        let email = if i % 2 == 0 { format!("manager{i}@practice{i}.example") } else { String::new() };
        csv.push_str(&format!(
            "M{i:05},MAILSHOT DENTAL {i},{i} HIGH STREET,,ROUNDHAY,,LS8 2AA,1-3{i:09},,{email},DSPT,Standards Met,2026-03-31\n"
        ));
    }
    csv
}

fn start(app: &TestApp, token: &str, practices: Value) -> (u16, Value) {
    send(app.post("/v1/admin/passcode-mailshots").bearer_auth(token).json(&json!({"practices": practices})))
}

#[test]
fn r_o7_a_mailshot_to_100_practices_reports_every_practice() {
    on_each_backend(|app| {
        let token = app.helpdesk_token();
        let (status, report) = send(
            app.put("/v1/admin/reference-data/practices")
                .bearer_auth(&token)
                .header("Content-Type", "text/csv")
                .body(register(100)),
        );
        assert_eq!(status, 200, "{report:#}");
        let mut codes: Vec<Value> = (0..100).map(|i| json!(format!("M{i:05}"))).collect();
        codes.push(json!("ZZZ999"));
        codes.push(json!("m00000"));
        let (status, started) = start(app, &token, json!(codes));
        assert_eq!(status, 202, "{started:#}");
        assert_eq!((started["total"].as_u64(), started["pending"].as_u64()), (Some(101), Some(100)), "repeats once");
        assert_eq!(started["not_found"], 1);
        assert!(started["finished_at"].is_null());

        run_job(app, Job::PasscodeMailshots);
        let id = started["id"].as_str().unwrap();
        let (status, done) = send(app.get(&format!("/v1/admin/passcode-mailshots/{id}")).bearer_auth(&token));
        assert_eq!(status, 200, "{done:#}");
        assert_eq!((done["sent"].as_u64(), done["pending"].as_u64()), (Some(100), Some(0)), "{done:#}");
        assert!(done["finished_at"].is_string());
        let items = done["items"].as_array().unwrap();
        assert_eq!(items[0]["detail"], "By email to the registered manager's address on record.");
        assert_eq!(items[1]["detail"], "By post to the registered address.");
        assert_eq!(items[100]["outcome"], "not_found");
        // Each practice once, by its channel: as queued, and as delivered.
        let mut conn = app.database().get().unwrap();
        let queued = persistence::outbox::for_subject(&mut conn, "mailshot", id).unwrap();
        let count = |template: &str| queued.iter().filter(|m| m.template == template).count();
        assert_eq!((count("passcode_email"), count("passcode_letter")), (50, 50));
        let delivered = || {
            let outbox = app.outbox();
            let count = |template: &str| outbox.iter().filter(|m| m["template"] == template).count();
            (count("passcode_email"), count("passcode_letter"))
        };
        let deadline = std::time::Instant::now() + blackbox::DELIVERY_WAIT;
        while delivered() != (50, 50) && std::time::Instant::now() < deadline {
            app.dispatch();
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert_eq!(delivered(), (50, 50), "every message reaches the development outbox, none lost");

        // Repeating is safe: the practice's limit (R-O5) holds, and says when the next can go.
        for _ in 0..2 {
            let (_, again) = start(app, &token, json!(["M00001"]));
            run_job(app, Job::PasscodeMailshots);
            let path = format!("/v1/admin/passcode-mailshots/{}", again["id"].as_str().unwrap());
            assert_eq!(send(app.get(&path).bearer_auth(&token)).1["sent"], 1);
        }
        let (_, refused) = start(app, &token, json!(["M00001"]));
        run_job(app, Job::PasscodeMailshots);
        let path = format!("/v1/admin/passcode-mailshots/{}", refused["id"].as_str().unwrap());
        let (_, refused) = send(app.get(&path).bearer_auth(&token));
        assert_eq!(refused["items"][0]["outcome"], "refused", "{refused:#}");
        assert!(refused["items"][0]["detail"].as_str().unwrap().contains("next can go"), "{refused:#}");

        // By a filter on the register: every practice in the town.
        let by_filter = |filter: Value| {
            send(app.post("/v1/admin/passcode-mailshots").bearer_auth(&token).json(&json!({"filter": filter})))
        };
        let (status, by_town) = by_filter(json!({"town": "roundhay"}));
        assert_eq!(status, 202, "{by_town:#}");
        assert_eq!(by_town["total"], 100, "every practice of the register in Roundhay");
        assert_eq!(by_filter(json!({"postcode_district": "ls8"})).1["total"], 100, "by postcode district");
        let (status, none) = by_filter(json!({"town": "roundhay", "postcode_district": "LS1"}));
        assert_eq!((status, none["total"].as_u64()), (202, Some(0)), "{none:#}");

        // What the contract refuses, the service refuses: a one-character district, a short code.
        let (status, problem) = by_filter(json!({"postcode_district": "0", "town": "Leeds"}));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem)[0].0, "/filter/postcode_district");
        let (status, problem) = start(app, &token, json!(["AB"]));
        assert_problem(status, &problem, 422, "validation-failed");
        assert_eq!(field_errors(&problem)[0].0, "/practices/0");

        let (status, problem) = start(app, &token, json!([]));
        assert_problem(status, &problem, 422, "validation-failed");
        let pointers: Vec<String> = field_errors(&problem).into_iter().map(|(pointer, _)| pointer).collect();
        assert_eq!(pointers, ["/practices"]);
        let (status, problem) = send(app.get("/v1/admin/passcode-mailshots/nope").bearer_auth(&token));
        assert_problem(status, &problem, 404, "not-found");
    });
}

#[test]
fn r_o7_two_replicas_and_extra_runners_working_one_mailshot_send_each_practice_once() {
    for database in test_databases() {
        let app = TestApp::spawn(database);
        let token = app.helpdesk_token();
        let (status, report) = send(
            app.put("/v1/admin/reference-data/practices")
                .bearer_auth(&token)
                .header("Content-Type", "text/csv")
                .body(register(60)),
        );
        assert_eq!(status, 200, "{report:#}");
        let codes: Vec<Value> = (0..60).map(|i| json!(format!("M{i:05}"))).collect();
        let (status, started) = start(&app, &token, json!(codes));
        assert_eq!(status, 202, "{started:#}");
        let id = started["id"].as_str().unwrap().to_owned();

        // Two server processes whose schedulers find the job due at once, and two more runners
        // of the job itself here, past the scheduler's once-per-minute guard.
        let notify = FakeNotify::start();
        let file = std::env::temp_dir().join(format!("mailshot-outbox-{}.jsonl", uuid::Uuid::new_v4().simple()));
        let replicas =
            [Service::start(app.database_url(), &notify, &file), Service::start(app.database_url(), &notify, &file)];
        let use_cases = app.use_cases();
        std::thread::scope(|scope| {
            for _ in 0..2 {
                scope.spawn(|| {
                    let runtime = actix_web::rt::System::new();
                    for _ in 0..5 {
                        runtime.block_on(app::mailshots::run(&use_cases)).unwrap();
                    }
                });
            }
        });
        let path = format!("/v1/admin/passcode-mailshots/{id}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let done = loop {
            let (status, done) = send(app.get(&path).bearer_auth(&token));
            assert_eq!(status, 200, "{done:#}");
            if done["finished_at"].is_string() {
                break done;
            }
            assert!(std::time::Instant::now() < deadline, "the mailshot did not finish: {done:#}");
            std::thread::sleep(std::time::Duration::from_millis(200));
        };
        assert_eq!((done["sent"].as_u64(), done["pending"].as_u64()), (Some(60), Some(0)), "{done:#}");
        let mut conn = app.database().get().unwrap();
        let queued = persistence::outbox::for_subject(&mut conn, "mailshot", &id).unwrap();
        let count = |template: &str| queued.iter().filter(|m| m.template == template).count();
        assert_eq!(
            (count("passcode_email"), count("passcode_letter")),
            (30, 30),
            "{}: each practice one passcode, whoever ran the job",
            app.backend
        );
        let mut emailed: Vec<&str> =
            queued.iter().filter(|m| m.template == "passcode_email").map(|m| m.recipient.as_str()).collect();
        emailed.sort_unstable();
        emailed.dedup();
        assert_eq!(emailed.len(), 30, "thirty managers, each once");
        drop(replicas);
        let _ = std::fs::remove_file(&file);
    }
}

//! Running it in production (issue 16): the metrics endpoint, signing-key rotation and the JSON
//! log format. The replicas-behind-a-proxy topology is in `topology.rs`.

use api::config::MetricsConfig;
use app::clock::Clock;
use app::settings::{Secret, SigningKeys};
use blackbox::journey::{Journey, member};
use blackbox::{TestApp, logs, on_each_backend, send, test_databases};
use serde_json::Value;
use std::time::Duration;

const METRICS_TOKEN: &str = "metrics-token-for-the-scraper";

fn with_metrics(app: &mut api::config::Config) {
    app.metrics = Some(MetricsConfig {
        bind_address: "127.0.0.1:0".parse().unwrap(),
        token: Some(Secret::new(METRICS_TOKEN.to_owned())),
    });
    app.scheduler_tick = Duration::from_secs(1);
}

/// The value of the first sample of `name` whose labels include every one of `labels`.
fn sample(metrics: &str, name: &str, labels: &[&str]) -> Option<f64> {
    metrics
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| line.starts_with(&format!("{name}{{")) || line.starts_with(&format!("{name} ")))
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

fn scrape(url: &str, token: Option<&str>) -> (u16, String) {
    let mut request = reqwest::blocking::Client::new().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().unwrap();
    (response.status().as_u16(), response.text().unwrap())
}

#[test]
fn metrics_show_requests_the_pool_the_outbox_hashing_and_jobs_to_the_token_holder_only() {
    for database in test_databases() {
        let app = TestApp::spawn_with(database, with_metrics);
        let url = app.metrics_url.clone().expect("metrics are served");
        assert!(!url.starts_with(&app.base_url), "metrics have a listener of their own");
        // Not on the API's listener.
        assert_eq!(reqwest::blocking::get(app.url("/metrics")).unwrap().status(), 404);
        for token in [None, Some("wrong-token-of-the-same-size!")] {
            let (status, body) = scrape(&url, token);
            assert_eq!(status, 401, "{token:?}: {body}");
            assert!(!body.contains("http_requests_total"));
        }

        let journey = Journey::verified_sample_practice(&app);
        let (status, body) = journey.add_member(member("Metric", "Watcher", 1));
        assert_eq!(status, 201, "{body}");
        let (status, _) = send(app.get("/v1/applications/not-a-real-id"));
        assert!(status >= 400);
        // A sign-in: its password check goes through the hashing queue.
        assert!(!app.helpdesk_token().is_empty());

        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let metrics = loop {
            let (status, metrics) = scrape(&url, Some(METRICS_TOKEN));
            assert_eq!(status, 200, "{metrics}");
            let ready = sample(&metrics, "outbox_sends_total", &["outcome=\"sent\""]).is_some()
                && sample(&metrics, "scheduled_job_runs_total", &["outcome=\"succeeded\""]).is_some();
            if ready || std::time::Instant::now() > deadline {
                break metrics;
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        let created = sample(
            &metrics,
            "http_requests_total",
            &["method=\"POST\"", "route=\"/v1/applications/{id}/members\"", "status=\"201\""],
        );
        assert!(created.is_some_and(|n| n >= 1.0), "requests by route template:\n{metrics}");
        assert!(
            sample(
                &metrics,
                "http_request_duration_seconds_bucket",
                &["route=\"/v1/applications/{id}\"", "le=\"0.1\""]
            )
            .is_some(),
            "a latency histogram by route:\n{metrics}"
        );
        assert!(!metrics.contains("not-a-real-id"), "ids never become labels");
        for (name, labels) in [
            ("db_pool_max_connections", &[][..]),
            ("db_pool_connections", &["state=\"idle\""][..]),
            ("db_pool_connections", &["state=\"in_use\""][..]),
            ("db_pool_waiting", &[][..]),
            ("outbox_messages", &["status=\"sent\"", "channel="][..]),
            ("outbox_oldest_pending_age_seconds", &[][..]),
            ("outbox_sends_total", &["provider=\"development\"", "outcome=\"sent\""][..]),
            ("password_hashing_queue_depth", &[][..]),
            ("scheduled_job_runs_total", &["outcome=\"succeeded\""][..]),
        ] {
            assert!(sample(&metrics, name, labels).is_some(), "{name} {labels:?} is missing:\n{metrics}");
        }
        // No label holds a person's value: none of the members' names or addresses appear.
        for value in ["Metric", "Watcher", "@"] {
            assert!(!metrics.contains(value), "{value} appears in the metrics");
        }
        blackbox::privacy::assert_log_holds_no_personal_values(&app.database(), &[metrics]);

        // A letter queued for an hour from now reads as pending; once it is sent and no letter
        // waits, the gauge reads zero again rather than the last count it had.
        let pending_letters = || {
            let (_, metrics) = scrape(&url, Some(METRICS_TOKEN));
            sample(&metrics, "outbox_messages", &["status=\"pending\"", "channel=\"letter\""])
        };
        let later = app.clock.now() + chrono::Duration::hours(1);
        let letter = persistence::outbox::NewMessage {
            channel: "letter",
            template: "passcode_letter",
            recipient: "LS1 4AP",
            subject_type: Some("test"),
            subject_id: Some("metrics"),
            payload: serde_json::json!({"kind": "letter", "address_lines": ["A PRACTICE", "LS1 4AP"], "body": "A test letter."}).to_string(),
            contains_secret: false,
        };
        persistence::outbox::enqueue(&mut app.database().get().unwrap(), &letter, later).unwrap();
        assert_eq!(pending_letters(), Some(1.0));
        app.clock.advance(chrono::Duration::hours(2));
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while pending_letters() != Some(0.0) && std::time::Instant::now() < deadline {
            app.dispatch();
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(pending_letters(), Some(0.0), "{}: the gauge reads zero once none waits", app.backend);
    }
}

fn keys(current: &str, previous: &[&str], until: Option<chrono::DateTime<chrono::Utc>>) -> SigningKeys {
    let secret = |text: &str| Secret::new(text.as_bytes().to_vec());
    SigningKeys {
        current: secret(current),
        previous: previous.iter().map(|p| secret(p)).collect(),
        previous_until: until,
    }
}

fn key_id(token: &str) -> String {
    use base64::Engine;
    let header = token.split('.').next().unwrap();
    let header: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    header["kid"].as_str().expect("every token names its key").to_owned()
}

#[test]
fn a_rotated_signing_key_keeps_everyone_signed_in_until_the_overlap_ends() {
    const OLD: &str = "the signing key before the rotation, 32+ bytes";
    const NEW: &str = "the signing key after the rotation, also 32+ bytes";
    for database in test_databases() {
        let before = TestApp::spawn_with(database, |config| config.app.jwt = keys(OLD, &[], None));
        let old_token = before.helpdesk_token();
        let overlap_ends = before.clock.now() + chrono::Duration::minutes(10);
        // The replica after the rotation: signs with the new key, still reads the old one.
        let after = before.sibling(|config| config.app.jwt = keys(NEW, &[OLD], Some(overlap_ends)));
        let (status, body) = send(after.get("/v1/admin/applications").bearer_auth(&old_token));
        assert_eq!(status, 200, "a token signed before the rotation still works: {body}");
        let (status, session) = send(after.post("/v1/admin/sessions").json(&serde_json::json!({
            "username": blackbox::ADMIN_USERNAME, "password": blackbox::ADMIN_PASSWORD
        })));
        assert_eq!(status, 201, "{session}");
        let new_token = session["access_token"].as_str().unwrap().to_owned();
        assert_ne!(key_id(&old_token), key_id(&new_token), "the token names the key that signed it");
        assert!(!key_id(&new_token).contains("signing"), "the key id is not the key");
        let (status, _) = send(after.get("/v1/admin/applications").bearer_auth(&new_token));
        assert_eq!(status, 200);
        // A replica that never heard of the new key refuses what it signed.
        let (status, body) = send(before.get("/v1/admin/applications").bearer_auth(&new_token));
        assert_eq!(status, 401, "{body}");

        // After the overlap (the tokens themselves last 30 minutes), the old key opens nothing.
        before.clock.advance(chrono::Duration::minutes(11));
        let (status, body) = send(after.get("/v1/admin/applications").bearer_auth(&old_token));
        assert_eq!(status, 401, "the retired key is refused after the overlap: {body}");
        let (status, body) = send(after.get("/v1/admin/applications").bearer_auth(&new_token));
        assert_eq!(status, 200, "{body}");
    }
}

#[test]
fn the_json_log_is_one_object_per_line_with_the_request_fields_and_nothing_personal() {
    on_each_backend(|app| {
        logs::capture();
        let mark = logs::mark();
        let journey = Journey::verified_sample_practice(app);
        let (status, body) = journey.add_member(member("Logan", "Quietly", 2));
        assert_eq!(status, 201, "{body}");
        let request_id = "log-check-request-1";
        let (status, _) = send(
            app.get(&format!("/v1/applications/{}", journey.id))
                .bearer_auth(&journey.token)
                .header("X-Request-Id", request_id),
        );
        assert_eq!(status, 200);
        let lines = logs::since(mark);
        let objects: Vec<Value> = lines
            .iter()
            .map(|line| {
                assert!(!line.contains('\n'), "one line per record: {line}");
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
            })
            .collect();
        for object in &objects {
            for field in ["time", "level", "target", "message"] {
                assert!(object[field].is_string(), "{field} missing: {object}");
            }
        }
        let access = objects
            .iter()
            .find(|o| o["target"] == "access" && o["request_id"] == request_id)
            .unwrap_or_else(|| panic!("the request is logged: {lines:#?}"));
        assert_eq!(access["method"], "GET");
        assert_eq!(access["route"], "/v1/applications/{id}", "the route template, never the id");
        assert_eq!(access["status"], 200);
        assert!(access["duration_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{access}");
        assert!(!lines.iter().any(|line| line.contains(&journey.token)), "tokens are never logged");
        blackbox::privacy::assert_log_holds_no_personal_values(&app.database(), &lines);
    });
}

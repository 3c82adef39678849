//! Hostile clients: throttles per client address across usernames and applications, forwarding
//! headers believed only from trusted proxies, and failed attempts that store a bounded number
//! of bytes whatever was sent.

use blackbox::journey::answers;
use blackbox::{TestApp, assert_problem, send, test_databases};
use serde_json::json;

#[test]
fn one_client_cannot_try_sign_ins_across_many_usernames_or_start_applications_without_end() {
    for database in test_databases() {
        let app = TestApp::spawn_with(database, |config| {
            config.app.throttles.sign_in_failures_per_client.max = 5;
            config.app.throttles.applications_per_client.max = 3;
        });
        for n in 0..5 {
            let (status, _) = send(
                app.post("/v1/account/sessions")
                    .json(&json!({"username": format!("someone.{n}"), "password": "guess"})),
            );
            assert_eq!(status, 401);
        }
        // A sixth username, and the helpdesk's sign-in too: the client is throttled.
        for path in ["/v1/account/sessions", "/v1/admin/sessions"] {
            let reply = app.post(path).json(&json!({"username": "someone.else", "password": "guess"})).send().unwrap();
            assert_eq!(reply.status().as_u16(), 429, "{path}");
            assert!(reply.headers().contains_key("retry-after"));
            let problem = reply.json();
            assert_problem(429, &problem, 429, "rate-limited");
            assert_eq!(problem["code"], "too_many_from_client");
        }
        for _ in 0..3 {
            assert_eq!(send(app.post("/v1/applications").json(&answers(false, "post"))).0, 201);
        }
        let (status, problem) = send(app.post("/v1/applications").json(&answers(false, "post")));
        assert_problem(status, &problem, 429, "rate-limited");
        assert_eq!(problem["code"], "too_many_from_client");
    }
}

#[test]
fn forwarding_headers_are_believed_only_from_trusted_proxies_read_from_the_right() {
    for database in test_databases() {
        // The test client connects from 127.0.0.1: here, a trusted proxy.
        let app = TestApp::spawn_with(database, |config| {
            config.trusted_proxies = api::proxies::TrustedProxies::parse("127.0.0.1, ::1").unwrap();
            config.app.throttles.applications_per_client.max = 2;
        });
        // A client forging a new leftmost address each time is still one client.
        for n in 0..2 {
            let forged = format!("198.51.100.{n}, 203.0.113.9");
            let reply = app.post("/v1/applications").header("X-Forwarded-For", forged).json(&answers(false, "post"));
            assert_eq!(send(reply).0, 201);
        }
        let forged = app.post("/v1/applications").header("X-Forwarded-For", "198.51.100.77, 203.0.113.9");
        assert_eq!(send(forged.json(&answers(false, "post"))).0, 429, "the forged address did not escape the limit");
        // Another real client behind the same proxy is another client.
        let other = app.post("/v1/applications").header("X-Forwarded-For", "203.0.113.10");
        assert_eq!(send(other.json(&answers(false, "post"))).0, 201);

        // The audit log records the client the proxy saw, never the forged entry.
        let db = app.database();
        let mut conn = db.get().unwrap();
        let addresses = persistence::audit::client_addresses(&mut conn, "application.started").unwrap();
        assert!(addresses.iter().any(|a| a.as_deref() == Some("203.0.113.9")), "{addresses:?}");
        assert!(addresses.iter().all(|a| !a.as_deref().unwrap_or_default().starts_with("198.51.100")), "{addresses:?}");
    }
}

#[test]
fn a_failed_sign_in_stores_a_bounded_number_of_bytes_whatever_was_sent() {
    for database in test_databases() {
        let app = TestApp::spawn(database);
        for n in 0..3 {
            let username = format!("{}{n}", "x".repeat(250));
            let (status, _) =
                send(app.post("/v1/account/sessions").json(&json!({"username": username, "password": "guess"})));
            assert_eq!(status, 401);
        }
        let db = app.database();
        let mut conn = db.get().unwrap();
        let longest = persistence::attempts::longest_subject(&mut conn).unwrap();
        assert_eq!(longest, 64, "attempts store a fixed-size pseudonym, not what was typed");
        // Longer than any username: refused before anything is stored.
        let (status, problem) =
            send(app.post("/v1/account/sessions").json(&json!({"username": "y".repeat(300), "password": "guess"})));
        assert_problem(status, &problem, 422, "validation-failed");
    }
}

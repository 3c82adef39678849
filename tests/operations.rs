//! Health, readiness, request ids, error responses and CORS.

use blackbox::{TestApp, assert_problem, on_each_backend, send, test_databases};

#[test]
fn healthz_answers_without_touching_the_database() {
    on_each_backend(|app| {
        let (status, body) = send(app.get("/healthz"));
        assert_eq!(status, 200);
        assert_eq!(body["status"], "ok");
    });
}

#[test]
fn readyz_reports_the_backend_and_a_current_schema() {
    on_each_backend(|app| {
        let (status, body) = send(app.get("/readyz"));
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "ready");
        assert_eq!(body["database"], app.backend);
        assert_eq!(body["pending_migrations"], 0);
    });
}

#[test]
fn every_response_carries_a_request_id_and_a_callers_id_is_kept() {
    on_each_backend(|app| {
        let response = app.get("/healthz").send().unwrap();
        let generated = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(generated.len(), 36, "a UUID: {generated}");

        let response = app.get("/healthz").header("X-Request-Id", "trace-abc.123").send().unwrap();
        assert_eq!(response.headers()["x-request-id"], "trace-abc.123");

        // A header that could forge log lines is replaced, not echoed.
        let response = app.get("/healthz").header("X-Request-Id", "a b c").send().unwrap();
        assert_ne!(response.headers()["x-request-id"], "a b c");
    });
}

#[test]
fn unknown_paths_are_404_problems_that_quote_the_request_id() {
    on_each_backend(|app| {
        let response = app.get("/v1/nothing-here?postcode=SW19").header("X-Request-Id", "req-404").send().unwrap();
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let (status, body) = (response.status().as_u16(), blackbox::json_body(response));
        assert_problem(status, &body, 404, "not-found");
        assert_eq!(body["request_id"], "req-404");
    });
}

#[test]
fn a_wrong_method_on_a_known_path_is_a_405_problem() {
    on_each_backend(|app| {
        let (status, body) = send(app.delete("/readyz"));
        assert_problem(status, &body, 405, "method-not-allowed");
    });
}

#[test]
fn every_problem_type_is_documented_at_its_own_uri() {
    on_each_backend(|app| {
        let (status, all) = send(app.get("/problems"));
        assert_eq!(status, 200);
        let all = all.as_array().unwrap().clone();
        assert!(all.len() >= 10);
        for problem in all {
            let uri = problem["type"].as_str().unwrap();
            let (status, doc) = send(app.get(uri));
            assert_eq!(status, 200, "{uri}");
            assert_eq!(doc, problem);
            assert!(!doc["description"].as_str().unwrap().is_empty());
        }
        let (status, body) = send(app.get("/problems/no-such-problem"));
        assert_problem(status, &body, 404, "not-found");
    });
}

#[test]
fn cors_allows_only_configured_origins() {
    for database in test_databases() {
        let app = TestApp::spawn_with(database, |config| {
            config.cors_allowed_origins = vec!["https://register.example.nhs.uk".to_owned()];
        });
        let preflight = |origin: &str| {
            app.request(reqwest::Method::OPTIONS, "/healthz")
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "GET")
                .send()
                .unwrap()
        };
        let allowed = preflight("https://register.example.nhs.uk");
        assert_eq!(
            allowed.headers()["access-control-allow-origin"],
            "https://register.example.nhs.uk",
            "{}",
            app.backend
        );
        let refused = preflight("https://evil.example");
        assert!(refused.headers().get("access-control-allow-origin").is_none(), "{}", app.backend);
        assert!(refused.status().is_client_error());
    }
}

/// An orchestrator's probe gives up after a few seconds: with the database unreachable the answer
/// must come well inside that (about a second), not after the 5 s connection wait requests get.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

#[test]
fn readyz_answers_503_quickly_while_postgres_is_unreachable_and_recovers_without_a_restart() {
    let Some(base) = persistence::testing::postgres_url() else {
        eprintln!("PostgreSQL is not configured (TEST_POSTGRES_URL): SQLite is embedded and cannot become unreachable");
        return;
    };
    let database = persistence::testing::TestDatabase::postgres(&base);
    let authority = base.split_once("://").unwrap().1.split('/').next().unwrap();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let target = std::net::ToSocketAddrs::to_socket_addrs(host_port).unwrap().next().unwrap();
    let line = blackbox::forwarder::Forwarder::start(target);
    let through = line.url_through(&database.url);
    let app = TestApp::spawn_with(database, |config| {
        config.app.database.url = persistence::DatabaseUrl::parse(&through).unwrap();
    });
    let probe = reqwest::blocking::Client::builder().timeout(PROBE_TIMEOUT).build().unwrap();
    let (status, body) = send(probe.get(app.url("/readyz")));
    assert_eq!(status, 200, "{body}");

    line.cut();
    for _ in 0..3 {
        let response = probe.get(app.url("/readyz")).send().expect("readiness answers before the probe gives up");
        assert!(response.headers().contains_key("retry-after"), "a 503 says when to try again");
        let (status, body) = send(probe.get(app.url("/readyz")));
        assert_problem(status, &body, 503, "service-unavailable");
        assert_eq!(body["code"], "database_unavailable");
    }
    // Liveness never touches the database.
    assert_eq!(send(probe.get(app.url("/healthz"))).0, 200);

    line.restore();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (status, body) = send(probe.get(app.url("/readyz")));
        if status == 200 {
            assert_eq!(body["database"], "postgres");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "readiness did not recover: {status} {body}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

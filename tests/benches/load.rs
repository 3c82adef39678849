//! A load generator against the real server: `cargo bench -p blackbox` (optimised build).
//! Runs on SQLite, and on PostgreSQL too when `TEST_POSTGRES_URL` is set, and prints
//! throughput and latency percentiles; it asserts nothing about speed.
//!
//! - starting applications (the questionnaire, one database write each) from 8 clients;
//! - a burst of sign-ins from 16 clients, each an argon2id verification (19 MiB, t=2), while
//!   one more client keeps reading an application: the reads should not queue behind the hashes;
//! - the peak resident memory of the process (server and clients together).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use blackbox::bench::{quantile, run_clients};
use blackbox::{TestApp, send, test_databases};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const QUESTIONNAIRE: &str = r#"{"has_nhsmail_account": false, "ig_return_submitted": true,
    "recent_passcode_received": false, "knows_cqc_contact_id": false, "passcode_channel": "post"}"#;

fn main() {
    for database in test_databases() {
        let app = TestApp::spawn_with(database, |config| config.app.load_sample_data = false);
        println!(
            "== {} ({} workers, {} password hashes at once)",
            app.backend,
            workers(&app),
            app.config.app.password_hashing_concurrency
        );
        start_applications(&app, 400, 8);
        sign_in_burst(&app, 64, 16);
    }
    println!("peak resident memory: {}", peak_memory());
}

fn workers(app: &TestApp) -> String {
    app.config.workers.map_or_else(|| "one per core".to_owned(), |n| n.to_string())
}

fn start_applications(app: &TestApp, total: usize, clients: usize) {
    let started = Instant::now();
    let latencies = run_clients(clients, total / clients, |_, _| {
        let (status, _) =
            send(app.post("/v1/applications").header("Content-Type", "application/json").body(QUESTIONNAIRE));
        assert_eq!(status, 201);
    });
    report("start application", &latencies, started.elapsed());
}

fn sign_in_burst(app: &TestApp, total: usize, clients: usize) {
    let (_, created) =
        send(app.post("/v1/applications").header("Content-Type", "application/json").body(QUESTIONNAIRE));
    let path = format!("/v1/applications/{}", created["application"]["id"].as_str().unwrap());
    let token = created["token"].as_str().unwrap().to_owned();
    let done = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let (signed_in, reads) = std::thread::scope(|scope| {
        let probe = scope.spawn(|| {
            let mut latencies = Vec::new();
            while !done.load(Ordering::SeqCst) {
                let at = Instant::now();
                assert_eq!(send(app.get(&path).bearer_auth(&token)).0, 200);
                latencies.push(at.elapsed());
            }
            latencies
        });
        let signed_in = run_clients(clients, total / clients, |client, n| {
            let (status, _) = send(
                app.post("/v1/account/sessions")
                    .json(&json!({"username": format!("load.{client}.{n}"), "password": "not the password"})),
            );
            assert_eq!(status, 401);
        });
        done.store(true, Ordering::SeqCst);
        (signed_in, probe.join().unwrap())
    });
    report("sign-in (argon2id verify)", &signed_in, started.elapsed());
    report("  application read meanwhile", &reads, started.elapsed());
}

fn report(what: &str, latencies: &[Duration], elapsed: Duration) {
    let at = |q: f64| quantile(latencies, q);
    println!(
        "{what:<32} {:>5} requests  {:>7.1}/s  p50 {:>7.1?}  p95 {:>7.1?}  p99 {:>7.1?}  max {:>7.1?}",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.50),
        at(0.95),
        at(0.99),
        at(1.0),
    );
}

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l[6..].trim().to_owned()))
        .unwrap_or_else(|| "unknown (no /proc)".to_owned())
}

//! Reads against their anchor, measured in the same run: `cargo bench -p blackbox --bench
//! fast_paths` (optimised build). Runs on SQLite, and on PostgreSQL too when `TEST_POSTGRES_URL`
//! is set. The anchor is a bare actix-web server in this process doing only a primary-key select
//! through the same kind of pool (persistence's r2d2 pool, one blocking hop) on the same
//! database; the measure is the service's `GET /v1/applications/{id}` (authenticate the token,
//! load the application with its practice and members, build the state). Both are driven by the
//! same clients; the ratio (service / anchor requests per second) is what to compare across
//! changes. It asserts nothing about speed. `FAST_PATHS_REQUESTS` sets the requests per measure
//! (default 4000); CI runs a smoke of a few hundred so the benchmark cannot rot.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use blackbox::bench::{Anchor, CLIENTS, throughput};
use blackbox::journey::{Journey, member};
use blackbox::{TestApp, test_databases};

fn main() {
    let requests: usize = std::env::var("FAST_PATHS_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(4000);
    for database in test_databases() {
        let app = TestApp::spawn(database);
        let journey = Journey::verified_sample_practice(&app);
        for (n, last) in ["Alpha", "Bravo", "Charlie"].into_iter().enumerate() {
            let (status, body) = journey.add_member(member("Bench", last, n as u32 + 1));
            assert_eq!(status, 201, "{body}");
        }
        let anchor = Anchor::start(app.database());
        println!("== {} ({CLIENTS} clients, {requests} requests per measure)", app.backend);
        let client = reqwest::blocking::Client::new();
        let bare = throughput(requests, || {
            let response = client.get(format!("{}/anchor/{}", anchor.base_url, journey.id)).send().unwrap();
            assert_eq!(response.status(), 200);
            response.bytes().unwrap();
        });
        let service = throughput(requests, || {
            let response = client
                .get(app.url(&format!("/v1/applications/{}", journey.id)))
                .bearer_auth(&journey.token)
                .send()
                .unwrap();
            assert_eq!(response.status(), 200);
            response.bytes().unwrap();
        });
        println!("{:<44} {bare:>9.0}/s", "anchor: primary-key select, one hop");
        println!("{:<44} {service:>9.0}/s  ratio {:.2}", "GET /v1/applications/{id}", service / bare);
        anchor.stop();
    }
}

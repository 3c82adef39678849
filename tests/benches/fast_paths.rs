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

use actix_web::{App, HttpResponse, HttpServer, web};
use blackbox::journey::{Journey, member};
use blackbox::{TestApp, test_databases};
use std::time::{Duration, Instant};

const CLIENTS: usize = 8;

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

/// Requests per second over `total` calls of `each` from `CLIENTS` threads, after a warm-up.
fn throughput(total: usize, each: impl Fn() + Sync) -> f64 {
    for _ in 0..50 {
        each();
    }
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..CLIENTS {
            scope.spawn(|| {
                for _ in 0..total / CLIENTS {
                    each();
                }
            });
        }
    });
    let elapsed: Duration = started.elapsed();
    (total / CLIENTS * CLIENTS) as f64 / elapsed.as_secs_f64()
}

struct Anchor {
    base_url: String,
    handle: actix_web::dev::ServerHandle,
    thread: std::thread::JoinHandle<()>,
}

impl Anchor {
    fn start(db: persistence::Database) -> Self {
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    App::new().app_data(web::Data::new(db.clone())).route(
                        "/anchor/{id}",
                        web::get().to(|db: web::Data<persistence::Database>, id: web::Path<String>| async move {
                            let id = id.into_inner();
                            let row = web::block(move || {
                                let mut conn = db.get().unwrap();
                                persistence::applications::get(&mut conn, &id).unwrap()
                            })
                            .await
                            .unwrap();
                            HttpResponse::Ok().json(serde_json::json!({"id": row.id, "status": row.status.code()}))
                        }),
                    )
                })
                .workers(2)
                .bind("127.0.0.1:0")
                .unwrap();
                let address = server.addrs()[0];
                let server = server.run();
                tx.send((format!("http://{address}"), server.handle())).unwrap();
                server.await.unwrap();
            });
        });
        let (base_url, handle) = rx.recv().unwrap();
        Self { base_url, handle, thread }
    }

    fn stop(self) {
        actix_web::rt::System::new().block_on(self.handle.stop(true));
        self.thread.join().unwrap();
    }
}

//! What the benchmarks share: the anchor server (a bare actix-web app doing only the database
//! work, through the same kind of pool, one blocking hop), client loops that measure throughput
//! and latency, and a latency summary. Benchmarks print figures and assert nothing about speed.

use actix_web::{App, HttpResponse, HttpServer, web};
use diesel::RunQueryDsl;
use std::time::{Duration, Instant};

/// Concurrent clients of the throughput measures.
pub const CLIENTS: usize = 8;

/// Requests per second over `total` calls of `each` from [`CLIENTS`] threads, after a warm-up.
pub fn throughput(total: usize, each: impl Fn() + Sync) -> f64 {
    for _ in 0..50.min(total) {
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
    (total / CLIENTS * CLIENTS) as f64 / started.elapsed().as_secs_f64()
}

/// Runs `each(client, n)` `per_client` times on each of `clients` threads; returns every latency.
pub fn run_clients(clients: usize, per_client: usize, each: impl Fn(usize, usize) + Sync) -> Vec<Duration> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|client| {
                let each = &each;
                scope.spawn(move || {
                    (0..per_client)
                        .map(|n| {
                            let at = Instant::now();
                            each(client, n);
                            at.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    })
}

/// The latency at quantile `q` (0 to 1) of `latencies`, which need not be sorted.
pub fn quantile(latencies: &[Duration], q: f64) -> Duration {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    sorted.get(((sorted.len().max(1) - 1) as f64 * q).round() as usize).copied().unwrap_or_default()
}

/// A bare actix-web server on the service's database: `GET /anchor/{id}` selects one application
/// by primary key; `POST /anchor/write` inserts one row and then ten rows in one write
/// transaction (tables of its own, made on start).
pub struct Anchor {
    pub base_url: String,
    handle: actix_web::dev::ServerHandle,
    thread: std::thread::JoinHandle<()>,
}

const ANCHOR_TABLES: [&str; 2] = [
    "CREATE TABLE IF NOT EXISTS bench_anchor_parents (id VARCHAR(36) PRIMARY KEY, name VARCHAR(200) NOT NULL, created_at VARCHAR(40) NOT NULL)",
    "CREATE TABLE IF NOT EXISTS bench_anchor_children (id VARCHAR(36) PRIMARY KEY, parent_id VARCHAR(36) NOT NULL REFERENCES bench_anchor_parents (id), position INTEGER NOT NULL, payload VARCHAR(400) NOT NULL)",
];

fn read_one(db: &persistence::Database, id: &str) -> serde_json::Value {
    let mut conn = db.get().unwrap();
    let row = persistence::applications::get(&mut conn, id).unwrap();
    serde_json::json!({"id": row.id, "status": row.status.code()})
}

/// One parent row and ten child rows (about a member's size each), in one write transaction.
fn write_eleven(db: &persistence::Database) -> String {
    let mut conn = db.get().unwrap();
    let parent = uuid::Uuid::new_v4().to_string();
    let now = chrono::Utc::now().to_rfc3339();
    let children = (0..10)
        .map(|n| {
            let payload = format!("Firstname Lastname firstname.lastname{n}@example.com 07700900{n:03} dental_nurse");
            format!("('{}', '{parent}', {n}, '{payload}')", uuid::Uuid::new_v4())
        })
        .collect::<Vec<_>>()
        .join(", ");
    persistence::write_transaction(&mut conn, |conn| {
        diesel::sql_query(format!(
            "INSERT INTO bench_anchor_parents (id, name, created_at) VALUES ('{parent}', 'BENCH PRACTICE', '{now}')"
        ))
        .execute(conn)?;
        diesel::sql_query(format!(
            "INSERT INTO bench_anchor_children (id, parent_id, position, payload) VALUES {children}"
        ))
        .execute(conn)?;
        Ok::<_, persistence::StoreError>(())
    })
    .unwrap();
    parent
}

impl Anchor {
    pub fn start(db: persistence::Database) -> Self {
        {
            let mut conn = db.get().unwrap();
            for table in ANCHOR_TABLES {
                diesel::sql_query(table).execute(&mut conn).unwrap();
            }
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(web::Data::new(db.clone()))
                        .route(
                            "/anchor/{id}",
                            web::get().to(|db: web::Data<persistence::Database>, id: web::Path<String>| async move {
                                let row = web::block(move || read_one(&db, &id)).await.unwrap();
                                HttpResponse::Ok().json(row)
                            }),
                        )
                        .route(
                            "/anchor/write",
                            web::post().to(|db: web::Data<persistence::Database>| async move {
                                let id = web::block(move || write_eleven(&db)).await.unwrap();
                                HttpResponse::Created().json(serde_json::json!({"id": id}))
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

    pub fn stop(self) {
        actix_web::rt::System::new().block_on(self.handle.stop(true));
        self.thread.join().unwrap();
    }
}

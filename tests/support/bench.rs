//! What the benchmarks share: the anchor server (a bare actix-web app doing only the database
//! work, through the same kind of pool, one blocking hop), client loops that measure throughput
//! and latency, a latency summary, and route A journeys on a register of practices of their
//! own. Benchmarks print figures and assert nothing about speed.

use actix_web::{App, HttpResponse, HttpServer, web};
use diesel::RunQueryDsl;
use reqwest::blocking::Client;
use serde_json::{Value, json};
use std::sync::Mutex;
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

/// Streams `file` to the CQC directory upload (no client timeout: large files take a while);
/// returns the status and body.
pub fn upload_cqc_file(base: &str, token: &str, file: &std::path::Path) -> (u16, String) {
    let size = std::fs::metadata(file).unwrap().len();
    let response = Client::builder()
        .timeout(None)
        .build()
        .unwrap()
        .put(format!("{base}/v1/admin/reference-data/cqc-locations"))
        .bearer_auth(token)
        .header("Content-Type", "text/csv")
        .body(reqwest::blocking::Body::sized(std::fs::File::open(file).unwrap(), size))
        .send()
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().unwrap())
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

const REGISTER_HEADER: &str = "ods_code,name,address_line_1,address_line_2,town,county,postcode,cqc_location_id,cqc_contact_id,registered_manager_email,ig_toolkit,ig_status,ig_assessed_on";
const NAMES: [&str; 10] = ["Amira", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Hugo", "Isla", "Jonah"];
const LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
/// A practice register of `count` route A practices, each at a postcode of its own.
pub fn upload_register(base: &str, admin: &str, count: usize) {
    let mut csv = format!("{REGISTER_HEADER}\n");
    for i in 0..count {
        let p = Practice(i);
        csv.push_str(&format!(
            "V{:05},{},1 BENCH STREET,,LEEDS,WEST YORKSHIRE,{},{},{},manager@v{i}.example,DSPT,Standards Met,2025-06-30\n",
            80_000 + i,
            p.name(),
            p.postcode(),
            p.location(),
            p.contact()
        ));
    }
    let response = Client::new()
        .put(format!("{base}/v1/admin/reference-data/practices"))
        .bearer_auth(admin)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().unwrap());
}

/// The `i`th practice of the benchmark's register.
pub struct Practice(pub usize);

impl Practice {
    /// The practice's own client address (10.x.y.z).
    pub fn address(&self) -> String {
        let i = self.0;
        format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)
    }

    pub fn name(&self) -> String {
        format!("BENCH DENTAL {}", self.0)
    }
    pub fn postcode(&self) -> String {
        let i = self.0;
        let rest = i / 28 / 10;
        let letter = |n: usize| LETTERS[n % LETTERS.len()] as char;
        format!("LS{} {}{}{}", i % 28 + 1, i / 28 % 10, letter(rest), letter(rest / LETTERS.len()))
    }
    pub fn location(&self) -> String {
        format!("1-{:010}", 7_000_000_000 + self.0)
    }
    pub fn contact(&self) -> String {
        format!("CON-BENCH-{}", self.0)
    }
    /// Member `k` (0–9): a name, email and mobile of their own.
    pub fn member(&self, k: usize) -> Value {
        let surname: String = format!("{:03}", self.0).bytes().map(|d| (b'a' + d - b'0') as char).collect::<String>();
        let n = self.0 * 10 + k;
        json!({
            "first_name": NAMES[k],
            "last_name": format!("Bench{surname}"),
            "email": format!("{}.bench{n}@example.com", NAMES[k].to_lowercase()),
            "mobile": format!("07700 9{n:05}"),
            "role": "dental_nurse",
        })
    }
}

/// One application as a front end holds it.
pub struct Draft {
    pub practice: Practice,
    pub id: String,
    pub token: String,
    candidate: String,
}

impl Draft {
    pub fn new(i: usize) -> Self {
        Self { practice: Practice(i), id: String::new(), token: String::new(), candidate: String::new() }
    }
}

/// The steps of a whole journey, in order; [`step`] runs one.
pub const STEPS: [&str; 9] =
    ["questionnaire", "search", "practice", "verification", "town", "member 1", "member 2", "member 3", "submission"];

/// Sends one request; panics unless the status is `expected`.
pub fn call(request: reqwest::blocking::RequestBuilder, expected: u16) -> Value {
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().unwrap_or(Value::Null);
    assert_eq!(status, expected, "{body:#}");
    body
}

/// Runs step `n` of [`STEPS`] (members beyond the third: `n` up to 14) on `draft`.
pub fn step(base: &str, client: &Client, draft: &mut Draft, n: usize) {
    let path = |rest: &str| format!("{base}/v1/applications/{}{rest}", draft.id);
    let p = &draft.practice;
    match n {
        0 => {
            let answers = json!({"has_nhsmail_account": false, "ig_return_submitted": true,
                "recent_passcode_received": false, "knows_cqc_contact_id": true, "passcode_channel": "email"});
            // Each practice from an address of its own, as the service sees them behind its
            // proxy (a server that trusts none ignores the header).
            let start = client.post(format!("{base}/v1/applications")).header("X-Forwarded-For", p.address());
            let body = call(start.json(&answers), 201);
            draft.id = body["application"]["id"].as_str().unwrap().to_owned();
            draft.token = body["token"].as_str().unwrap().to_owned();
        }
        1 => {
            let search = client.get(format!("{base}/v1/practices")).query(&[("postcode", p.postcode())]);
            let body = call(search.bearer_auth(&draft.token), 200);
            let found = body["candidates"].as_array().unwrap().iter().find(|c| c["name"] == p.name().as_str());
            draft.candidate = found.unwrap()["id"].as_str().unwrap().to_owned();
        }
        2 => {
            let body = json!({"route": "a", "postcode": p.postcode(), "practice_id": draft.candidate});
            call(client.put(path("/practice")).bearer_auth(&draft.token).json(&body), 200);
        }
        3 => {
            let body =
                json!({"method": "cqc_contact_id", "cqc_location_id": p.location(), "cqc_contact_id": p.contact()});
            call(client.post(path("/verification")).bearer_auth(&draft.token).json(&body), 200);
        }
        4 => {
            call(client.put(path("/town")).bearer_auth(&draft.token).json(&json!({"town": "leeds"})), 200);
        }
        8 => {
            let body = json!({"confirm_data_correct": true});
            call(client.post(path("/submission")).bearer_auth(&draft.token).json(&body), 200);
        }
        member => {
            let k = if member < 8 { member - 5 } else { member - 6 };
            let body = p.member(k);
            call(client.post(path("/members")).bearer_auth(&draft.token).json(&body), 201);
        }
    }
}

/// Takes each draft through `steps`, the drafts shared among [`CLIENTS`] threads.
pub fn run_steps(base: &str, client: &Client, drafts: &mut [Draft], steps: &[usize]) -> Duration {
    let started = Instant::now();
    let queue = Mutex::new(drafts.iter_mut());
    std::thread::scope(|scope| {
        for _ in 0..CLIENTS {
            scope.spawn(|| {
                while let Some(draft) = { queue.lock().unwrap().next() } {
                    for &n in steps {
                        step(base, client, draft, n);
                    }
                }
            });
        }
    });
    started.elapsed()
}

//! Writes, provisioning, sign-in and whole journeys against their anchors, measured in the same
//! run: `cargo bench -p blackbox --bench journeys` (optimised build). Runs on SQLite, and on
//! PostgreSQL too when `TEST_POSTGRES_URL` is set. Each line prints the service's rate, the
//! anchor's and their ratio; nothing about speed is asserted.
//!
//! - **add a member** (`POST …/members`, 8 clients) / a bare write transaction inserting one row
//!   and then ten rows, through the same kind of pool, one blocking hop, on the same database;
//! - **approve a 10-member practice**, one approval after another as a helpdesk officer works /
//!   the argon2 limit: the same hashing settings and threads hashing ten passwords at once
//!   (the ten temporary passwords are the approval's irreducible cost);
//! - **sign in** (16 clients, each an argon2id verification) / the same threads verifying;
//!   meanwhile one client polls `GET /healthz`, whose p99 is printed;
//! - **whole journeys** (questionnaire, practice search, practice, contact-id verification, town,
//!   three members, submission), 8 clients each taking journeys from start to end / the ceiling
//!   from per-request costs: the journeys per second if the search cost what the anchor's
//!   primary-key select does and each of the eight writes what its 1 + 10-row insert
//!   transaction does. The same requests are also run phase by phase (each kind on its own, on
//!   other journeys), which shows what mixing them costs.
//!
//! `JOURNEY_BENCH_PRACTICES` (default 320) sets the journeys per measure; the other measures
//! scale with it. CI runs a smoke of a few so the benchmark cannot rot.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use blackbox::bench::{Anchor, CLIENTS, quantile, run_clients, throughput};
use blackbox::{TestApp, test_databases};
use reqwest::blocking::Client;
use serde_json::{Value, json};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const REGISTER_HEADER: &str = "ods_code,name,address_line_1,address_line_2,town,county,postcode,cqc_location_id,cqc_contact_id,registered_manager_email,ig_toolkit,ig_status,ig_assessed_on";
const NAMES: [&str; 10] = ["Amira", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Hugo", "Isla", "Jonah"];
const LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

fn main() {
    let journeys: usize = std::env::var("JOURNEY_BENCH_PRACTICES").ok().and_then(|v| v.parse().ok()).unwrap_or(320);
    let journeys = journeys.max(CLIENTS);
    let adding = journeys.div_ceil(8); // applications receiving eight members each
    let approvals = (journeys / 16).max(2);
    let sign_ins = (journeys / 2).max(16);
    for database in test_databases() {
        let app = TestApp::spawn(database);
        let admin = app.helpdesk_token();
        let practices = 2 * journeys + adding + approvals;
        upload_register(&app, &admin, practices);
        println!(
            "== {} ({} clients, {} hashing threads, {journeys} journeys per measure)",
            app.backend, CLIENTS, app.config.app.password_hashing_concurrency
        );
        let client = Client::new();
        let mut next = 0..practices;
        let mut take = |n: usize| next.by_ref().take(n).map(Draft::new).collect::<Vec<_>>();
        add_members(&app, &client, take(adding));
        approve(&app, &client, &admin, take(approvals));
        sign_in(&app, &client, sign_ins);
        whole_journeys(&app, &client, take(journeys), take(journeys));
    }
}

/// A practice register of `count` route A practices, each at a postcode of its own.
fn upload_register(app: &TestApp, admin: &str, count: usize) {
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
        .put(app.url("/v1/admin/reference-data/practices"))
        .bearer_auth(admin)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().unwrap());
}

/// The `i`th practice of the benchmark's register.
struct Practice(usize);

impl Practice {
    fn name(&self) -> String {
        format!("BENCH DENTAL {}", self.0)
    }
    fn postcode(&self) -> String {
        let i = self.0;
        let rest = i / 28 / 10;
        let letter = |n: usize| LETTERS[n % LETTERS.len()] as char;
        format!("LS{} {}{}{}", i % 28 + 1, i / 28 % 10, letter(rest), letter(rest / LETTERS.len()))
    }
    fn location(&self) -> String {
        format!("1-{:010}", 7_000_000_000 + self.0)
    }
    fn contact(&self) -> String {
        format!("CON-BENCH-{}", self.0)
    }
    /// Member `k` (0–9): a name, email and mobile of their own.
    fn member(&self, k: usize) -> Value {
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
struct Draft {
    practice: Practice,
    id: String,
    token: String,
    candidate: String,
}

impl Draft {
    fn new(i: usize) -> Self {
        Self { practice: Practice(i), id: String::new(), token: String::new(), candidate: String::new() }
    }
}

/// The steps of a whole journey, in order; [`step`] runs one.
const STEPS: [&str; 9] =
    ["questionnaire", "search", "practice", "verification", "town", "member 1", "member 2", "member 3", "submission"];

/// Sends one request; panics unless the status is `expected`.
fn call(request: reqwest::blocking::RequestBuilder, expected: u16) -> Value {
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().unwrap_or(Value::Null);
    assert_eq!(status, expected, "{body:#}");
    body
}

/// Runs step `n` of [`STEPS`] (members beyond the third: `n` up to 14) on `draft`.
fn step(app: &TestApp, client: &Client, draft: &mut Draft, n: usize) {
    let path = |rest: &str| app.url(&format!("/v1/applications/{}{rest}", draft.id));
    let p = &draft.practice;
    match n {
        0 => {
            let answers = json!({"has_nhsmail_account": false, "ig_return_submitted": true,
                "recent_passcode_received": false, "knows_cqc_contact_id": true, "passcode_channel": "email"});
            let body = call(client.post(app.url("/v1/applications")).json(&answers), 201);
            draft.id = body["application"]["id"].as_str().unwrap().to_owned();
            draft.token = body["token"].as_str().unwrap().to_owned();
        }
        1 => {
            let search = client.get(app.url("/v1/practices")).query(&[("postcode", p.postcode())]);
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
fn run_steps(app: &TestApp, client: &Client, drafts: &mut [Draft], steps: &[usize]) -> Duration {
    let started = Instant::now();
    let queue = Mutex::new(drafts.iter_mut());
    std::thread::scope(|scope| {
        for _ in 0..CLIENTS {
            scope.spawn(|| {
                while let Some(draft) = { queue.lock().unwrap().next() } {
                    for &n in steps {
                        step(app, client, draft, n);
                    }
                }
            });
        }
    });
    started.elapsed()
}

fn line(what: &str, rate: f64, unit: &str, anchor_what: &str, anchor: f64) {
    println!("{what:<40} {rate:>8.1} {unit}  {anchor_what} {anchor:>8.1} {unit}  ratio {:.2}", rate / anchor);
}

/// Adds eight members to each of `drafts` (made ready for members first, unmeasured), against
/// as many anchor write transactions.
fn add_members(app: &TestApp, client: &Client, mut drafts: Vec<Draft>) {
    run_steps(app, client, &mut drafts, &[0, 1, 2, 3, 4]);
    let adds = drafts.len() * 8;
    let members: Vec<usize> = vec![5, 6, 7, 9, 10, 11, 12, 13];
    let elapsed = run_steps(app, client, &mut drafts, &members);
    let service = adds as f64 / elapsed.as_secs_f64();
    let anchor_server = Anchor::start(app.database());
    let write = format!("{}/anchor/write", anchor_server.base_url);
    let anchor = throughput(adds, || {
        call(client.post(&write), 201);
    });
    anchor_server.stop();
    line("add a member (POST …/members)", service, "/s", "anchor: 1 + 10-row insert", anchor);
}

/// Approves 10-member practices one after another, against hashing ten passwords at once.
fn approve(app: &TestApp, client: &Client, admin: &str, mut drafts: Vec<Draft>) {
    let all: Vec<usize> = (0..=4).chain(5..8).chain(9..16).chain([8]).collect();
    run_steps(app, client, &mut drafts, &all);
    let started = Instant::now();
    for draft in &drafts {
        let url = app.url(&format!("/v1/admin/applications/{}/approval", draft.id));
        let body = call(client.post(url).bearer_auth(admin), 200);
        assert_eq!(body["accounts"].as_array().map(Vec::len), Some(10), "{body:#}");
    }
    let service = drafts.len() as f64 / started.elapsed().as_secs_f64();
    let passwords = hashing(app);
    let runtime = actix_web::rt::System::new();
    let started = Instant::now();
    for n in 0..drafts.len() {
        let ten = (0..10).map(|k| format!("Temporary-{n}-{k}-password")).collect();
        runtime.block_on(passwords.hash_all(ten)).unwrap();
    }
    let limit = drafts.len() as f64 / started.elapsed().as_secs_f64();
    line("approve a 10-member practice", service, "/s", "argon2 limit: 10 hashes", limit);
}

/// The service's hashing, rebuilt here with its settings and threads.
fn hashing(app: &TestApp) -> app::passwords::Passwords {
    let settings = &app.config.app;
    app::passwords::Passwords::new(settings.argon2, settings.password_hashing_concurrency).unwrap()
}

/// Sign-ins of unknown users from 16 clients (each a full verification) while one client polls
/// `/healthz`; against verifications on as many threads as the service hashes with.
fn sign_in(app: &TestApp, client: &Client, total: usize) {
    let done = AtomicBool::new(false);
    let sessions = app.url("/v1/account/sessions");
    let started = Instant::now();
    let health = std::thread::scope(|scope| {
        let probe = scope.spawn(|| {
            let mut latencies = Vec::new();
            while !done.load(Ordering::SeqCst) {
                let at = Instant::now();
                call(client.get(app.url("/healthz")), 200);
                latencies.push(at.elapsed());
                std::thread::sleep(Duration::from_millis(2));
            }
            latencies
        });
        run_clients(16, total / 16, |c, n| {
            let body = json!({"username": format!("nobody.{c}.{n}@nhs.net"), "password": "not the password"});
            call(client.post(&sessions).json(&body), 401);
        });
        done.store(true, Ordering::SeqCst);
        probe.join().unwrap()
    });
    let service = (total / 16 * 16) as f64 / started.elapsed().as_secs_f64();
    let passwords = hashing(app);
    let hash = passwords.hash_blocking("the right password").unwrap();
    let threads = app.config.app.password_hashing_concurrency;
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..total / threads {
                    assert!(!passwords.verify_blocking("not the password", &hash));
                }
            });
        }
    });
    let limit = (total / threads * threads) as f64 / started.elapsed().as_secs_f64();
    line("sign in (16 clients)", service, "/s", "argon2 limit: verifications", limit);
    println!(
        "{:<40} p50 {:>6.2?}  p99 {:>6.2?}  max {:>6.2?}  ({} polls)",
        "  GET /healthz meanwhile",
        quantile(&health, 0.5),
        quantile(&health, 0.99),
        quantile(&health, 1.0),
        health.len()
    );
}

/// Whole journeys against the ceiling from per-request costs: journeys per second if each of
/// their requests cost what its anchor does (the practice search a primary-key select, each of
/// the eight writes the 1 + 10-row insert transaction), both measured now. Also shown: the same
/// requests run phase by phase (each kind on its own) on other journeys, which tells whether
/// mixing them costs anything.
fn whole_journeys(app: &TestApp, client: &Client, mut phased: Vec<Draft>, mut whole: Vec<Draft>) {
    let all: Vec<usize> = (0..STEPS.len()).collect();
    let service = whole.len() as f64 / run_steps(app, client, &mut whole, &all).as_secs_f64();
    let anchor_server = Anchor::start(app.database());
    let (read, write) = (
        format!("{}/anchor/{}", anchor_server.base_url, whole[0].id),
        format!("{}/anchor/write", anchor_server.base_url),
    );
    let requests = whole.len() * STEPS.len();
    let reads = throughput(requests, || {
        call(client.get(&read), 200);
    });
    let writes = throughput(requests, || {
        call(client.post(&write), 201);
    });
    anchor_server.stop();
    let ceiling = 1.0 / (1.0 / reads + (STEPS.len() - 1) as f64 / writes);
    line("whole journeys (9 requests each)", service, "/s", "ceiling: anchors' costs", ceiling);
    let mut phases = Duration::ZERO;
    let mut slowest = (Duration::ZERO, "");
    for (n, what) in STEPS.iter().enumerate() {
        let took = run_steps(app, client, &mut phased, &[n]);
        phases += took;
        slowest = slowest.max((took, what));
    }
    let by_phase = phased.len() as f64 / phases.as_secs_f64();
    line("  the same requests phase by phase", by_phase, "/s", "whole journeys", service);
    println!("{:<40} {} ({:.0} ms of {:.0} ms)", "  the costliest phase", slowest.1, ms(slowest.0), ms(phases));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

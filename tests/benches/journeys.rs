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
//! scale with it; `JOURNEY_BENCH_ONLY` (add, approve, sign-in, journeys or memory) runs one
//! measure alone, to profile it; `JOURNEY_BENCH_STATEMENTS` lists the statements prepared again
//! on every run instead of being taken from the statement cache. CI runs a smoke of a few so the
//! benchmark cannot rot.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use blackbox::bench::{
    Anchor, CLIENTS, Draft, STEPS, call, quantile, run_clients, run_steps, throughput, upload_register,
};
use blackbox::notify::FakeNotify;
use blackbox::process::Service;
use blackbox::{TestApp, test_databases};
use reqwest::blocking::Client;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn main() {
    let journeys: usize = std::env::var("JOURNEY_BENCH_PRACTICES").ok().and_then(|v| v.parse().ok()).unwrap_or(320);
    let journeys = journeys.max(CLIENTS);
    // One measure alone (add, approve, sign-in, journeys or memory), to profile it.
    let only = std::env::var("JOURNEY_BENCH_ONLY").ok();
    // Lists the statements the service prepared again on every run (slows every measure).
    let watch = std::env::var_os("JOURNEY_BENCH_STATEMENTS").is_some();
    if watch {
        persistence::testing::watch_statements();
    }
    let adding = journeys.div_ceil(8); // applications receiving eight members each
    let approvals = (journeys / 16).max(2);
    let sign_ins = (journeys / 2).max(16);
    for database in test_databases() {
        // Behind a proxy of its own, so that each practice starts from its own address and the
        // per-address limit on new applications counts one practice's starts, not everyone's.
        let app = TestApp::spawn_with(database, |config| {
            config.trusted_proxies = api::proxies::TrustedProxies::parse("127.0.0.1/32").unwrap();
        });
        let admin = app.helpdesk_token();
        let practices = 3 * journeys + adding + approvals;
        upload_register(&app.base_url, &admin, practices);
        println!(
            "== {} ({} clients, {} hashing threads, {journeys} journeys per measure)",
            app.backend, CLIENTS, app.config.app.password_hashing_concurrency
        );
        let client = Client::new();
        let mut next = 0..practices;
        let mut take = |n: usize| next.by_ref().take(n).map(Draft::new).collect::<Vec<_>>();
        let wanted = |measure: &str| only.as_deref().is_none_or(|only| only == measure);
        if wanted("add") {
            add_members(&app, &client, take(adding));
        }
        if wanted("approve") {
            approve(&app, &client, &admin, take(approvals));
        }
        if wanted("sign-in") {
            sign_in(&app, &client, sign_ins);
        }
        if wanted("journeys") {
            whole_journeys(&app, &client, take(journeys), take(journeys));
        }
        if wanted("memory") {
            memory(&app, &client, take(journeys), sign_ins);
        }
        if watch {
            println!("statements prepared again on every run (runs, SQL):");
            for (runs, sql) in persistence::testing::uncached_statements().into_iter().take(40) {
                println!("{runs:>8}  {}", sql.chars().take(160).collect::<String>());
            }
        }
    }
}

fn line(what: &str, rate: f64, unit: &str, anchor_what: &str, anchor: f64) {
    println!("{what:<40} {rate:>8.1} {unit}  {anchor_what} {anchor:>8.1} {unit}  ratio {:.2}", rate / anchor);
}

/// Adds eight members to each of `drafts` (made ready for members first, unmeasured), against
/// as many anchor write transactions.
fn add_members(app: &TestApp, client: &Client, mut drafts: Vec<Draft>) {
    run_steps(&app.base_url, client, &mut drafts, &[0, 1, 2, 3, 4]);
    let adds = drafts.len() * 8;
    let members: Vec<usize> = vec![5, 6, 7, 9, 10, 11, 12, 13];
    let elapsed = run_steps(&app.base_url, client, &mut drafts, &members);
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
    run_steps(&app.base_url, client, &mut drafts, &all);
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
    let service = whole.len() as f64 / run_steps(&app.base_url, client, &mut whole, &all).as_secs_f64();
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
        let took = run_steps(&app.base_url, client, &mut phased, &[n]);
        phases += took;
        slowest = slowest.max((took, what));
    }
    let by_phase = phased.len() as f64 / phases.as_secs_f64();
    line("  the same requests phase by phase", by_phase, "/s", "whole journeys", service);
    println!("{:<40} {} ({:.0} ms of {:.0} ms)", "  the costliest phase", slowest.1, ms(slowest.0), ms(phases));
}

/// The service binary's resident memory (its own process, on this database): idle after start,
/// and the peak while 8 clients take whole journeys and then 16 sign in at once; with what
/// the idle figure is made of (mapped code and data of the binary, the heap and stacks).
fn memory(app: &TestApp, client: &Client, mut drafts: Vec<Draft>, sign_ins: usize) {
    if !blackbox::process::built() {
        println!("memory: the service binary is not built; `cargo build --release -p api` first");
        return;
    }
    let notify = FakeNotify::start();
    let outbox = std::env::temp_dir().join(format!("bench-outbox-{}.jsonl", uuid::Uuid::new_v4().simple()));
    let threads = app.config.app.password_hashing_concurrency.to_string();
    // One client address here stands for many practices: no per-client limits.
    let settings = [
        ("PASSWORD_HASHING_CONCURRENCY", threads.as_str()),
        ("SIGN_IN_FAILURES_PER_CLIENT", "1000000"),
        ("APPLICATIONS_PER_CLIENT", "1000000"),
        ("TRUSTED_PROXIES", "127.0.0.1/32"),
    ];
    let service = Service::start_with(app.database_url(), &notify, &outbox, &settings);
    call(client.get(format!("{}/readyz", service.base_url)), 200);
    std::thread::sleep(Duration::from_secs(1));
    let idle = status(service.pid());
    let rollup = std::fs::read_to_string(format!("/proc/{}/smaps_rollup", service.pid())).unwrap_or_default();
    let kib = |key: &str| {
        rollup.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
    };
    run_steps(&service.base_url, client, &mut drafts, &(0..STEPS.len()).collect::<Vec<_>>());
    let after_journeys = status(service.pid());
    run_clients(16, sign_ins / 16, |c, n| {
        let body = json!({"username": format!("memory.{c}.{n}@nhs.net"), "password": "not the password"});
        call(client.post(format!("{}/v1/account/sessions", service.base_url)).json(&body), 401);
    });
    let after = status(service.pid());
    let mb = |kib: Option<f64>| kib.map_or_else(|| "?".to_owned(), |k| format!("{:.1} MB", k / 1024.0));
    println!(
        "{:<40} idle {}  (code and data mapped from files {}, heap and stacks {}; {} threads)",
        "memory of the service process",
        mb(idle.get("VmRSS").copied()),
        mb(kib("Rss:").zip(kib("Anonymous:")).map(|(r, a)| r - a)),
        mb(kib("Anonymous:")),
        idle.get("Threads").copied().unwrap_or_default() as u64,
    );
    println!(
        "{:<40} peak {} after {} journeys, {} after {} sign-ins (now {})",
        "",
        mb(after_journeys.get("VmHWM").copied()),
        drafts.len(),
        mb(after.get("VmHWM").copied()),
        sign_ins / 16 * 16,
        mb(after.get("VmRSS").copied()),
    );
    let _ = std::fs::remove_file(&outbox);
}

/// The `/proc/<pid>/status` figures (memory in KiB, `Threads` a count).
fn status(pid: u32) -> std::collections::HashMap<&'static str, f64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let mut found = std::collections::HashMap::new();
    for key in ["VmRSS", "VmHWM", "Threads"] {
        let value = text
            .lines()
            .find(|l| l.starts_with(&format!("{key}:")))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok());
        if let Some(value) = value {
            found.insert(key, value);
        }
    }
    found
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

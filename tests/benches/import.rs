//! A CQC directory import against its anchor, the database's own bulk loader, measured in the same
//! run: `cargo bench -p blackbox --bench import` (optimised build). Runs on SQLite, and on
//! PostgreSQL too when `TEST_POSTGRES_URL` is set. A directory of `IMPORT_BENCH_ROWS` rows (default
//! 60,000) in the published format is written to a file; the anchor loads that file into a table
//! of its columns with the same keys (`sqlite3 DB ".import --csv"`, `psql -c "\copy"`), the
//! measure is the helpdesk's upload of the same file to the service (spooled, every row checked,
//! written, made live), both timed from file to table, each alone. It prints rows per second of
//! each and their ratio (service / anchor), then the same for a second file changing every row.
//! A third file, changing every row again, is imported while another client starts applications
//! (`POST /v1/applications`, a journey write) one after another: the longest of those writes is
//! how long the import made an applicant wait. It asserts nothing about speed. Without the
//! `sqlite3` or `psql` command the anchor is skipped, with a note.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use blackbox::bench::upload_cqc_file;
use blackbox::{TestApp, test_databases};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const QUESTIONNAIRE: &str = r#"{"has_nhsmail_account": false, "ig_return_submitted": true,
    "recent_passcode_received": false, "knows_cqc_contact_id": false, "passcode_channel": "post"}"#;

const HEADINGS: &str = "Name,Address,Postcode,Phone number,Service types,CQC Location ID (for office use only)";

fn main() {
    let rows: u64 = std::env::var("IMPORT_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(60_000);
    let dir = std::env::temp_dir().join(format!("import-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let first = write_directory(&dir.join("directory.csv"), rows, "");
    let changed = write_directory(&dir.join("changed.csv"), rows, " CHANGED");
    let again = write_directory(&dir.join("again.csv"), rows, " AGAIN");
    for database in test_databases() {
        let app = TestApp::spawn_with(database, |config| {
            config.app.load_sample_data = false;
            config.max_upload_bytes = usize::MAX;
        });
        let token = app.helpdesk_token();
        let size = std::fs::metadata(&first).unwrap().len() as f64 / 1_048_576.0;
        println!("== {}: a CQC directory of {rows} rows ({size:.1} MB)", app.backend);
        let anchor = anchor(&app, &dir, &first);
        measure(&app, &token, "import (every row new)", &first, rows, anchor, false);
        measure(&app, &token, "import (every row changed)", &changed, rows, anchor, false);
        measure(&app, &token, "the same, journey writes meanwhile", &again, rows, anchor, true);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Writes a directory of `rows` dental locations, `suffix` added to every name.
fn write_directory(path: &Path, rows: u64, suffix: &str) -> PathBuf {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "{HEADINGS}").unwrap();
    for i in 0..rows {
        // Location ids in no particular order, as in the published file.
        let id = 8_000_000_000u64 + (i * 7_919) % 1_000_000_000;
        writeln!(
            out,
            "BENCH DENTAL PRACTICE {i}{suffix},\"{i} LONG STREET NAME, SOME DISTRICT, LEEDS\",LS{} {}AB,0113 496 0000,Dental service,1-{id:010}",
            i % 30 + 1,
            i % 9 + 1
        )
        .unwrap();
    }
    out.flush().unwrap();
    path.to_owned()
}

/// The bulk loader's time for the file, into a table of its columns keyed and indexed as the
/// service's table is; `None` (with a note) when the loader's command is missing.
fn anchor(app: &TestApp, dir: &Path, file: &Path) -> Option<Duration> {
    let columns = "name TEXT NOT NULL, address TEXT NOT NULL, postcode TEXT NOT NULL, phone TEXT, \
                   service_types TEXT NOT NULL, location_id TEXT PRIMARY KEY";
    let index = "CREATE INDEX anchor_postcode_idx ON anchor (postcode)";
    let (what, elapsed) = if app.backend == "sqlite" {
        let db = dir.join("anchor.db");
        let db = db.to_str().unwrap();
        let setup = format!("PRAGMA journal_mode = WAL; CREATE TABLE anchor ({columns}); {index};");
        if !run("sqlite3", &[db, &setup]) {
            return None;
        }
        let load = format!(".import --csv --skip 1 {} anchor", file.display());
        let started = Instant::now();
        assert!(run("sqlite3", &[db, "PRAGMA synchronous = NORMAL", &load]), "sqlite3 .import failed");
        ("sqlite3 .import --csv", started.elapsed())
    } else {
        let url = app.database_url();
        if !run(
            "psql",
            &[url, "-q", "-v", "ON_ERROR_STOP=1", "-c", &format!("CREATE TABLE anchor ({columns}); {index};")],
        ) {
            return None;
        }
        let copy = format!("\\copy anchor FROM '{}' WITH (FORMAT csv, HEADER true)", file.display());
        let started = Instant::now();
        assert!(run("psql", &[url, "-q", "-v", "ON_ERROR_STOP=1", "-c", &copy]), "psql \\copy failed");
        ("psql \\copy", started.elapsed())
    };
    let rows = count_lines(file) - 1;
    println!(
        "{:<40} {:>9.0} rows/s  ({:.3} s)",
        format!("anchor: {what}"),
        rows as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    Some(elapsed)
}

/// Runs a command, true when it succeeds; false with a note when the command is not installed.
fn run(program: &str, args: &[&str]) -> bool {
    match Command::new(program).args(args).output() {
        Ok(output) if output.status.success() => true,
        Ok(output) => panic!("{program} failed: {}", String::from_utf8_lossy(&output.stderr)),
        Err(error) => {
            println!("anchor skipped: cannot run {program} ({error}); install it to compare");
            false
        }
    }
}

fn count_lines(file: &Path) -> u64 {
    std::fs::read(file).unwrap().iter().filter(|b| **b == b'\n').count() as u64
}

/// Uploads `file`, alone (as the anchor ran) or while another client starts applications one
/// after another; prints the upload's rows per second, its ratio to the anchor, and how long
/// those writes took meanwhile.
fn measure(app: &TestApp, token: &str, what: &str, file: &Path, rows: u64, anchor: Option<Duration>, writes: bool) {
    let client = reqwest::blocking::Client::new();
    let writes_before = if writes { journey_writes(&client, app, 50) } else { Vec::new() };
    let done = AtomicBool::new(false);
    let (elapsed, during) = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let mut latencies = Vec::new();
            while writes && !done.load(Ordering::SeqCst) {
                latencies.extend(journey_writes(&client, app, 1));
                // A write every few milliseconds: often enough to meet every pause, without
                // taking a core from the import.
                std::thread::sleep(Duration::from_millis(5));
            }
            latencies
        });
        // Let the writer get going first.
        std::thread::sleep(Duration::from_millis(50));
        let started = Instant::now();
        let (status, body) = upload_cqc_file(&app.base_url, token, file);
        let elapsed = started.elapsed();
        done.store(true, Ordering::SeqCst);
        assert_eq!(status, 200, "{what}: {}", &body[..body.len().min(500)]);
        (elapsed, writer.join().unwrap())
    });
    let rate = rows as f64 / elapsed.as_secs_f64();
    let ratio = anchor
        .map_or_else(|| "no anchor".to_owned(), |a| format!("ratio {:.2}", a.as_secs_f64() / elapsed.as_secs_f64()));
    println!("{:<40} {rate:>9.0} rows/s  ({:.3} s)  {ratio}", format!("service: {what}"), elapsed.as_secs_f64());
    let stats = |latencies: &[Duration]| {
        let mut sorted = latencies.to_vec();
        sorted.sort();
        let at = |q: f64| sorted[((sorted.len() as f64 - 1.0) * q).round() as usize];
        format!(
            "{:>4} writes, p50 {:>7.1?}, p99 {:>7.1?}, max {:>7.1?}",
            sorted.len(),
            at(0.5),
            at(0.99),
            sorted[sorted.len() - 1]
        )
    };
    if writes {
        println!("{:<40} {}", "  journey writes before the import", stats(&writes_before));
        println!("{:<40} {}", "  journey writes during the import", stats(&during));
    }
}

/// Starts `count` applications one after another, returning how long each took (the contract
/// is not checked here: only the server's time is wanted).
fn journey_writes(client: &reqwest::blocking::Client, app: &TestApp, count: usize) -> Vec<Duration> {
    (0..count)
        .map(|_| {
            let started = Instant::now();
            let response = client
                .post(app.url("/v1/applications"))
                .header("Content-Type", "application/json")
                .body(QUESTIONNAIRE)
                .send()
                .unwrap();
            assert_eq!(response.status().as_u16(), 201);
            response.bytes().unwrap();
            started.elapsed()
        })
        .collect()
}

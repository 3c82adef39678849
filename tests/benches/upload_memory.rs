//! Memory of a large reference-data upload, against the file's own size as the anchor:
//! `cargo bench -p blackbox --bench upload_memory` (optimised build). Runs on SQLite, and on
//! PostgreSQL too when `TEST_POSTGRES_URL` is set. For each, a CQC directory of
//! `UPLOAD_BENCH_MB` megabytes (default 30) is uploaded twice: once with a bad row at the end
//! (checked whole, then refused) and once good (checked, then applied in one transaction). It
//! prints how far the process's peak resident memory rose during each upload as a fraction of
//! the file size; a server that held the file, or its rows, would show a ratio near or above 1.
//! It asserts nothing about memory or speed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use blackbox::bench::upload_cqc_file;
use blackbox::{TestApp, test_databases};
use std::io::Write;
use std::time::Instant;

fn main() {
    let megabytes: u64 = std::env::var("UPLOAD_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let dir = std::env::temp_dir().join(format!("upload-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = write_directory(&dir.join("bad.csv"), megabytes, true);
    let good = write_directory(&dir.join("good.csv"), megabytes, false);
    for database in test_databases() {
        let app = TestApp::spawn_with(database, |config| {
            config.app.load_sample_data = false;
            config.max_upload_bytes = usize::MAX;
        });
        let token = app.helpdesk_token();
        println!("== {}: a CQC directory of {:.1} MB, {} rows", app.backend, mb(file_size(&good.0)), good.1);
        measure(&app, &token, "refused (one bad row, last)", &bad, 422);
        measure(&app, &token, "applied", &good, 200);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

type Directory = (std::path::PathBuf, u64);

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

fn file_size(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

/// Writes a directory of about `megabytes` MB, returning its path and its number of rows.
fn write_directory(path: &std::path::Path, megabytes: u64, last_row_bad: bool) -> (std::path::PathBuf, u64) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "Name,Address,Postcode,Phone number,Service types,CQC Location ID (for office use only)").unwrap();
    let target = megabytes * 1_048_576;
    let mut written = 0u64;
    let mut i = 0u64;
    while written < target {
        let line = format!(
            "BENCH DENTAL PRACTICE {i},\"{i} LONG STREET NAME, SOME DISTRICT, LEEDS\",LS7 3AB,0113 496 0000,Dental service,1-{:010}\n",
            8_000_000_000u64 + i
        );
        written += line.len() as u64;
        out.write_all(line.as_bytes()).unwrap();
        i += 1;
    }
    if last_row_bad {
        writeln!(out, "BAD,\"1 A ROAD, LEEDS\",NOPE,0113 496 0000,Dental service,1-7999999999").unwrap();
    }
    out.flush().unwrap();
    (path.to_owned(), i + u64::from(last_row_bad))
}

/// Resets the process's peak resident memory to its current value (Linux 4.0 and later).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn memory_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l[field.len()..].trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn measure(app: &TestApp, token: &str, what: &str, (file, rows): &Directory, expected: u16) {
    let size = file_size(file);
    reset_peak();
    let before = memory_kib("VmRSS:");
    let started = Instant::now();
    let (status, body) = upload_cqc_file(&app.base_url, token, file);
    let elapsed = started.elapsed();
    assert_eq!(status, expected, "{what}: {}", &body[..body.len().min(500)]);
    let growth = memory_kib("VmHWM:").saturating_sub(before) * 1024;
    println!(
        "{what:>28}: peak memory +{:.1} MB = {:.3} of the file, in {:.1} s ({:.0} rows/s), answer {} bytes",
        mb(growth),
        growth as f64 / size as f64,
        elapsed.as_secs_f64(),
        *rows as f64 / elapsed.as_secs_f64(),
        body.len()
    );
}

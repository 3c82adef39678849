//! The service binary as a child process of its own: for tests of crashes and of two replicas on
//! one database.

use crate::notify::{EMAIL_TEMPLATE, FakeNotify, LETTER_TEMPLATE, SMS_TEMPLATE};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The service binary, built next to this test binary by `cargo test --workspace`.
fn binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().and_then(|deps| deps.parent()).unwrap().join("nhsmail-dental");
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --workspace`, which builds it",
        path.display()
    );
    path
}

/// Whether the service binary has been built next to this executable (a benchmark in the
/// release profile needs `cargo build --release -p api` first).
pub fn built() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().and_then(|deps| deps.parent()).map(|dir| dir.join("nhsmail-dental").exists()))
        .unwrap_or(false)
}

pub struct Service {
    child: Child,
    pub base_url: String,
    /// What the process has written to standard error (its log), line by line.
    log: Arc<Mutex<Vec<String>>>,
}

impl Service {
    /// Starts the binary on `database_url`, sending every channel through `notify`.
    pub fn start(database_url: &str, notify: &FakeNotify, outbox: &std::path::Path) -> Self {
        Self::start_with(database_url, notify, outbox, &[])
    }

    /// As [`Self::start`], with further settings (`(variable, value)`), later ones winning.
    pub fn start_with(
        database_url: &str,
        notify: &FakeNotify,
        outbox: &std::path::Path,
        settings: &[(&str, &str)],
    ) -> Self {
        let mut child = Command::new(binary())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs([
                ("APP_ENV", "development"),
                ("DATABASE_URL", database_url),
                ("BIND_ADDRESS", "127.0.0.1:0"),
                ("WORKERS", "2"),
                ("LOAD_SAMPLE_DATA", "true"),
                ("EMAIL_PROVIDER", "notify"),
                ("SMS_PROVIDER", "notify"),
                ("LETTER_PROVIDER", "notify"),
                ("NOTIFY_API_KEY", notify.api_key.as_str()),
                ("NOTIFY_BASE_URL", notify.base_url.as_str()),
                ("NOTIFY_EMAIL_TEMPLATE_ID", EMAIL_TEMPLATE),
                ("NOTIFY_SMS_TEMPLATE_ID", SMS_TEMPLATE),
                ("NOTIFY_LETTER_TEMPLATE_ID", LETTER_TEMPLATE),
                ("DISPATCH_INTERVAL_MILLIS", "50"),
                ("OUTBOX_LEASE_SECONDS", "1"),
                ("SCHEDULER_TICK_SECONDS", "1"),
                ("PASSWORD_HASHING_CONCURRENCY", "1"),
                ("RUST_LOG", "info"),
            ])
            .env("OUTBOX_FILE", outbox)
            .envs(settings.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(address) = line.split("listening on http://").nth(1) {
                    let address = address.split(['"', ' ']).next().unwrap_or_default();
                    let _ = tx.send(format!("http://{address}"));
                }
                kept.lock().unwrap().push(line);
            }
        });
        let base_url = rx.recv_timeout(Duration::from_secs(30)).expect("the service starts and says where it listens");
        Self { child, base_url, log }
    }

    /// The lines the process has logged so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The process id, to read its memory from `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

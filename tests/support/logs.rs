//! The log, as an operator's collector would read it: every record the servers in this test
//! process write is formatted by the service's JSON log format and kept, so tests can check what
//! the log holds (each line an object with the fields the runbook promises, none holding a
//! person's values). The service's own formatter is used, so what is checked is what ships.

use std::sync::{Mutex, Once};

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let line = api::logging::json_line(record);
            LINES.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(line);
        }
    }

    fn flush(&self) {}
}

/// Starts keeping the log (once per process).
pub fn capture() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        if log::set_logger(&Capture).is_ok() {
            log::set_max_level(log::LevelFilter::Info);
        }
    });
}

/// Where the log stands now, to read what comes after.
pub fn mark() -> usize {
    LINES.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len()
}

/// The lines written since `mark` (by every server in the process, this test's among them).
pub fn since(mark: usize) -> Vec<String> {
    LINES.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[mark..].to_vec()
}

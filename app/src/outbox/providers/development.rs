//! The development provider writes each message to a local JSON-lines file (where a person can
//! read a passcode and finish the journey) and notes the delivery, without its content, in the
//! log.

use super::{Outgoing, Provider, SendError};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

pub struct DevelopmentProvider {
    file: PathBuf,
    lock: Mutex<()>,
}

impl DevelopmentProvider {
    pub fn new(file: PathBuf) -> Self {
        Self { file, lock: Mutex::new(()) }
    }
}

impl Provider for DevelopmentProvider {
    fn name(&self) -> &'static str {
        "development"
    }

    fn send(&self, message: &Outgoing) -> Result<String, SendError> {
        let line = serde_json::json!({
            "message_id": message.id,
            "channel": message.channel,
            "template": message.template,
            "to": message.recipient,
            "content": message.payload,
        });
        let _guard = self.lock.lock().map_err(|_| SendError::Temporary("outbox file lock poisoned".to_owned()))?;
        if let Some(parent) = self.file.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| SendError::Temporary(e.to_string()))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
            .map_err(|e| SendError::Temporary(format!("cannot open {}: {e}", self.file.display())))?;
        // One write of the whole line, newline included: the file is opened for appending, so
        // writers in other processes (another replica, a test's dispatcher) cannot land between
        // a line and its newline, as they could between `writeln!`'s separate writes.
        let mut record = line.to_string();
        record.push('\n');
        file.write_all(record.as_bytes()).map_err(|e| SendError::Temporary(e.to_string()))?;
        log::info!(
            target: "outbox",
            "development provider wrote message_id={} template={} channel={} to {}",
            message.id,
            message.template,
            message.channel,
            self.file.display()
        );
        Ok(format!("dev-{}", message.id))
    }

    fn find(&self, message: &Outgoing) -> Result<Option<String>, SendError> {
        let Ok(content) = std::fs::read_to_string(&self.file) else {
            return Ok(None);
        };
        let needle = format!("\"message_id\":\"{}\"", message.id);
        Ok(content.lines().any(|line| line.contains(&needle)).then(|| format!("dev-{}", message.id)))
    }
}

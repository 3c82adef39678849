//! Delivery providers. The development provider writes each message to a local JSON-lines file
//! (where a person can read a passcode and finish the journey) and notes the delivery, without
//! its content, in the log.

use super::Payload;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

/// A message on its way to a provider.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: String,
    pub channel: String,
    pub template: String,
    pub recipient: String,
    pub payload: Payload,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later (provider down, rate limited, 5xx).
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// Will never succeed (bad recipient, rejected by the provider).
    #[error("permanent failure: {0}")]
    Permanent(String),
}

pub trait Provider: Send + Sync {
    fn name(&self) -> &'static str;
    /// Delivers the message; returns the provider's reference for it.
    fn send(&self, message: &Outgoing) -> Result<String, SendError>;
    /// Whether the provider already accepted this message (an earlier send whose outcome was
    /// lost, e.g. the process died): the provider's reference if so. Providers that cannot tell
    /// answer `None`, and a lost send may then be repeated.
    fn find(&self, _message: &Outgoing) -> Result<Option<String>, SendError> {
        Ok(None)
    }
}

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
        writeln!(file, "{line}").map_err(|e| SendError::Temporary(e.to_string()))?;
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

/// The provider for each channel, as configured.
#[derive(Clone)]
pub struct Providers {
    pub email: std::sync::Arc<dyn Provider>,
    pub sms: std::sync::Arc<dyn Provider>,
    pub letter: std::sync::Arc<dyn Provider>,
}

impl Providers {
    pub fn from_settings(settings: &crate::settings::MessagingSettings) -> anyhow::Result<Self> {
        use crate::settings::ProviderChoice;
        use std::sync::Arc;
        let development: Arc<dyn Provider> = Arc::new(DevelopmentProvider::new(settings.outbox_file.clone()));
        let notify: Option<Arc<dyn Provider>> = match &settings.notify {
            Some(notify) => Some(Arc::new(super::notify::NotifyProvider::new(notify)?)),
            None => None,
        };
        let pick = |choice: ProviderChoice| -> anyhow::Result<Arc<dyn Provider>> {
            Ok(match choice {
                ProviderChoice::Development => development.clone(),
                ProviderChoice::Notify => notify.clone().ok_or_else(|| anyhow::anyhow!("Notify is not configured"))?,
                ProviderChoice::Smtp => {
                    let smtp = settings.smtp.as_ref().ok_or_else(|| anyhow::anyhow!("SMTP is not configured"))?;
                    Arc::new(super::smtp::SmtpProvider::new(smtp)?)
                }
            })
        };
        Ok(Self { email: pick(settings.email)?, sms: pick(settings.sms)?, letter: pick(settings.letter)? })
    }

    pub fn for_channel(&self, channel: &str) -> &std::sync::Arc<dyn Provider> {
        match channel {
            "email" => &self.email,
            "sms" => &self.sms,
            _ => &self.letter,
        }
    }
}

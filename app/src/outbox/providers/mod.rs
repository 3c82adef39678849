//! Delivery providers behind one small trait ([`Provider`]): the development provider
//! ([`development`]), SMTP for email ([`smtp`]) and GOV.UK Notify for email, text messages and
//! letters ([`notify`]). [`Providers`] picks one per channel from the settings.

pub mod development;
pub mod notify;
pub mod smtp;

use super::Payload;
use development::DevelopmentProvider;

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
            Some(notify) => Some(Arc::new(notify::NotifyProvider::new(notify)?)),
            None => None,
        };
        let pick = |choice: ProviderChoice| -> anyhow::Result<Arc<dyn Provider>> {
            Ok(match choice {
                ProviderChoice::Development => development.clone(),
                ProviderChoice::Notify => notify.clone().ok_or_else(|| anyhow::anyhow!("Notify is not configured"))?,
                ProviderChoice::Smtp => {
                    let smtp = settings.smtp.as_ref().ok_or_else(|| anyhow::anyhow!("SMTP is not configured"))?;
                    Arc::new(smtp::SmtpProvider::new(smtp)?)
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

//! Email through an SMTP server (lettre). Each message carries its outbox id as `Message-ID`,
//! so a receiving system can recognise the rare repeat after a crash.

use super::{Outgoing, Provider, SendError};
use crate::outbox::Payload;
use crate::settings::{SmtpSecurity, SmtpSettings};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use std::time::Duration;

pub struct SmtpProvider {
    transport: SmtpTransport,
    from: Mailbox,
}

impl SmtpProvider {
    pub fn new(settings: &SmtpSettings) -> anyhow::Result<Self> {
        let builder = match settings.security {
            SmtpSecurity::None => SmtpTransport::builder_dangerous(&settings.host),
            SmtpSecurity::Starttls => SmtpTransport::starttls_relay(&settings.host)?,
            SmtpSecurity::Tls => SmtpTransport::relay(&settings.host)?,
        };
        let mut builder = builder.port(settings.port).timeout(Some(Duration::from_secs(30)));
        if let Some((user, password)) = &settings.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().clone()));
        }
        let from = settings
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("SMTP_FROM `{}` is not an address: {e}", settings.from))?;
        Ok(Self { transport: builder.build(), from })
    }
}

impl Provider for SmtpProvider {
    fn name(&self) -> &'static str {
        "smtp"
    }

    fn send(&self, message: &Outgoing) -> Result<String, SendError> {
        let Payload::Email { subject, body } = &message.payload else {
            return Err(SendError::Permanent(format!("SMTP carries email only, not {}", message.channel)));
        };
        let to: Mailbox = message.recipient.parse().map_err(|e| SendError::Permanent(format!("bad recipient: {e}")))?;
        let message_id = format!("<{}@nhsmail-dental>", message.id);
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject.clone())
            .message_id(Some(message_id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(body.clone())
            .map_err(|e| SendError::Permanent(format!("cannot build the email: {e}")))?;
        match self.transport.send(&email) {
            Ok(_) => Ok(message_id),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Temporary(e.to_string())),
        }
    }
}

//! Outgoing messages. Every message is written to the outbox in the same transaction as the
//! change that causes it; the [`dispatcher`] delivers it later through a [`providers::Provider`].
//! Payloads hold the rendered message; those with secrets are erased once delivered.

pub mod development;
pub mod dispatcher;
pub mod providers;
pub mod receipts;

use crate::Error;
use chrono::{DateTime, Utc};
use domain::messages::{EmailMessage, LetterMessage};
use persistence::DbConnection;
use persistence::outbox::{self, NewMessage};
use serde::{Deserialize, Serialize};

/// Template names, as stored and shown to the helpdesk.
pub mod templates {
    pub const PASSCODE_EMAIL: &str = "passcode_email";
    pub const PASSCODE_LETTER: &str = "passcode_letter";
    pub const USERNAME_EMAIL: &str = "username_email";
    pub const TEMPORARY_PASSWORD_SMS: &str = "temporary_password_sms";
    pub const REJECTION_EMAIL: &str = "rejection_email";
    pub const WELCOME_EMAIL: &str = "welcome_email";
    pub const PASSWORD_RESET_CODE_SMS: &str = "password_reset_code_sms";
    pub const INACTIVITY_WARNING_EMAIL: &str = "inactivity_warning_email";
    pub const ACCOUNT_INACTIVE_EMAIL: &str = "account_inactive_email";
    pub const DELETION_WARNING_EMAIL: &str = "deletion_warning_email";
    pub const MAILBOX_ACCESS_EMAIL: &str = "mailbox_access_email";
    pub const LEAVER_EMAIL: &str = "leaver_email";
}

/// A rendered message, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payload {
    Email {
        subject: String,
        body: String,
    },
    Sms {
        body: String,
    },
    Letter {
        address_lines: Vec<String>,
        body: String,
    },
    /// What remains of a message with a secret once it has been delivered.
    Redacted {
        note: String,
    },
}

impl Payload {
    pub fn redacted() -> Self {
        Self::Redacted { note: "Content removed after delivery because it contained a secret.".to_owned() }
    }
}

/// What the outbox row is about, for the helpdesk's view of an application.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    pub kind: &'a str,
    pub id: &'a str,
}

impl Payload {
    /// The channel a payload goes by.
    pub fn channel(&self) -> &'static str {
        match self {
            Self::Email { .. } => "email",
            Self::Sms { .. } => "sms",
            Self::Letter { .. } | Self::Redacted { .. } => "letter",
        }
    }
}

/// The outbox row for `payload`, to queue alone ([`enqueue`]) or with others ([`enqueue_all`]).
pub fn new_message<'a>(
    template: &'a str,
    recipient: &'a str,
    about: About<'a>,
    payload: &Payload,
    contains_secret: bool,
) -> Result<NewMessage<'a>, Error> {
    Ok(NewMessage {
        channel: payload.channel(),
        template,
        recipient,
        subject_type: Some(about.kind),
        subject_id: Some(about.id),
        payload: serde_json::to_string(payload).map_err(Error::internal)?,
        contains_secret,
    })
}

fn enqueue(
    conn: &mut DbConnection,
    template: &str,
    recipient: &str,
    about: About<'_>,
    payload: &Payload,
    contains_secret: bool,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    Ok(outbox::enqueue(conn, &new_message(template, recipient, about, payload, contains_secret)?, now)?)
}

/// Queues the messages in one statement (many accounts created at once); returns their ids.
pub fn enqueue_all(
    conn: &mut DbConnection,
    messages: &[NewMessage<'_>],
    now: DateTime<Utc>,
) -> Result<Vec<String>, Error> {
    Ok(outbox::enqueue_all(conn, messages, now)?)
}

pub fn enqueue_email(
    conn: &mut DbConnection,
    template: &str,
    to: &str,
    about: About<'_>,
    email: EmailMessage,
    contains_secret: bool,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    let payload = Payload::Email { subject: email.subject, body: email.body };
    enqueue(conn, template, to, about, &payload, contains_secret, now)
}

pub fn enqueue_letter(
    conn: &mut DbConnection,
    template: &str,
    about: About<'_>,
    letter: LetterMessage,
    contains_secret: bool,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    // A letter is listed by its postcode (the last line); the whole address travels in the payload.
    let recipient = letter.address_lines.last().cloned().unwrap_or_default();
    let payload = Payload::Letter { address_lines: letter.address_lines, body: letter.body };
    enqueue(conn, template, &recipient, about, &payload, contains_secret, now)
}

pub fn enqueue_sms(
    conn: &mut DbConnection,
    template: &str,
    to: &str,
    about: About<'_>,
    sms: domain::messages::SmsMessage,
    contains_secret: bool,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    enqueue(conn, template, to, about, &Payload::Sms { body: sms.body }, contains_secret, now)
}

/// An outgoing message: where and how it went, never its content. Codes are as stored.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: String,
    pub channel: String,
    pub template: String,
    pub recipient: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub provider: Option<String>,
    pub provider_reference: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivery_status: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// What the helpdesk sees of a stored message.
pub(crate) fn message(row: &persistence::outbox::MessageRow) -> Message {
    Message {
        id: row.id.clone(),
        channel: row.channel.clone(),
        template: row.template.clone(),
        recipient: row.recipient.clone(),
        status: row.status.clone(),
        attempts: row.attempts,
        last_error: row.last_error.clone(),
        provider: row.provider.clone(),
        provider_reference: row.provider_reference.clone(),
        created_at: persistence::time::from_db(row.created_at),
        sent_at: row.sent_at.map(persistence::time::from_db),
        delivery_status: row.delivery_status.clone(),
        delivered_at: row.delivered_at.map(persistence::time::from_db),
    }
}

//! Operations: liveness and readiness, the problem-type catalogue, GOV.UK Notify's delivery
//! receipts and the development outbox.

use crate::models::problem::Problem;
use crate::wire::ProblemType;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    pub status: crate::wire::HealthStatus,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "ready", "database": "sqlite", "pending_migrations": 0}))]
pub struct Readiness {
    pub status: crate::wire::ReadinessStatus,
    pub database: crate::wire::DatabaseBackend,
    /// Migrations not yet applied (always 0 when ready).
    #[schema(minimum = 0, maximum = 0)]
    pub pending_migrations: u32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"type": "/problems/rate-limited", "title": "Too many attempts", "status": 429, "description": "Too many attempts in a short time. Wait for the number of seconds in `Retry-After` (also `retry_after_seconds`) before trying again."}))]
pub struct ProblemTypeDoc {
    /// The `type` value problem documents carry.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    /// The HTTP status that goes with it.
    pub status: u16,
    /// What it means and what a client should do.
    pub description: String,
}

impl From<ProblemType> for ProblemTypeDoc {
    fn from(problem: ProblemType) -> Self {
        Self {
            problem_type: problem.uri(),
            title: problem.title().to_owned(),
            status: problem.status().as_u16(),
            description: problem.description().to_owned(),
        }
    }
}

/// Not GOV.UK Notify: no bearer token, a wrong one, or no callback token configured.
#[derive(utoipa::ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/unauthorized", "title": "Authentication is required", "status": 401, "detail": "The callback token is not valid.", "request_id": "0b6f4c1e-5d0c-4b8e-9d7e-3f1a2b3c4d5e"})
)]
pub struct NotifyCallbackUnauthorized(pub Problem);

/// A delivery receipt as Notify sends it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": "7c1b2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e", "to": "+447912345678",
    "status": "delivered", "created_at": "2026-11-21T10:15:00.000000Z", "completed_at": "2026-11-21T10:15:09.000000Z", "sent_at": "2026-11-21T10:15:01.000000Z", "notification_type": "sms"}))]
pub struct DeliveryReceipt {
    /// Notify's id for the message.
    #[schema(max_length = 100)]
    pub id: Option<String>,
    /// Our message id, given to Notify as the reference.
    #[schema(max_length = 100)]
    pub reference: Option<String>,
    #[schema(max_length = 254)]
    pub to: Option<String>,
    /// `delivered`, `permanent-failure`, `temporary-failure` or `technical-failure`.
    #[schema(min_length = 1, max_length = 64)]
    pub status: String,
    #[schema(max_length = 64)]
    pub created_at: Option<String>,
    #[schema(max_length = 64)]
    pub completed_at: Option<String>,
    #[schema(max_length = 64)]
    pub sent_at: Option<String>,
    #[schema(max_length = 32)]
    pub notification_type: Option<String>,
}

impl From<DeliveryReceipt> for app::outbox::receipts::Receipt {
    fn from(receipt: DeliveryReceipt) -> Self {
        Self { reference: receipt.reference, provider_id: receipt.id, status: receipt.status }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only messages to this recipient: an email address, a mobile in E.164 (`+447…`) or a
    /// postcode (letters), as the outbox holds them. Any case; empty means everyone.
    #[param(max_length = 254, example = "+447888888888")]
    pub to: Option<String>,
    /// How many messages, newest first (1 to 100, default 20).
    #[param(minimum = 1, maximum = 100, example = 5)]
    pub limit: Option<i64>,
}

/// A message as the development provider wrote it, content included.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"message_id": "7c1b2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e", "channel": "sms", "template": "temporary_password_sms",
    "to": "+447888888888", "subject": null, "body": "Your NHSmail temporary password is Kp7r-Xm3q-Tz8w-Ab2c. …"}))]
pub struct OutboxMessage {
    #[schema(format = Uuid)]
    pub message_id: String,
    pub channel: crate::wire::MessageChannel,
    pub template: crate::wire::MessageTemplate,
    /// The recipient: an email address, a mobile number, or the postcode of a letter.
    pub to: String,
    /// The subject of an email; null for text messages and letters.
    pub subject: Option<String>,
    pub body: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"message_id": "7c1b2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e", "channel": "letter", "template": "passcode_letter",
    "to": "SW19 4AB", "subject": null, "body": "You asked for a one-time passcode to register SAMPLE DENTAL CARE … Your one-time passcode is: 7KQ4-M2XD …"}]}))]
pub struct OutboxPage {
    /// Newest first.
    #[schema(max_items = 100)]
    pub items: Vec<OutboxMessage>,
}

impl OutboxMessage {
    /// The message as the contract shows it; `None` for a channel or template it does not name.
    pub fn from_written(written: app::outbox::development::Written) -> Option<Self> {
        Some(Self {
            message_id: written.message_id,
            channel: crate::wire::from_code(&written.channel)?,
            template: crate::wire::from_code(&written.template)?,
            to: written.to,
            subject: written.subject,
            body: written.body,
        })
    }
}

//! Joiners (R-L6) as the contract shows them.

use crate::schemas;
use crate::wire::{JoinerStatus, Role, Title};
use app::joiners::{JoinerRequest, Outcome};
use app::registration::members::MemberInput;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new member of staff for the practice (R-L6), with the fields and rules of a registration's
/// members (R-R4–R-R7). They get access to the shared mailbox, and admin rights if asked.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"first_name": "Nia", "last_name": "Evans", "email": "nia.evans@example.com", "mobile": "07700 900461", "role": "receptionist"}))]
pub struct NewJoiner {
    #[serde(default)]
    #[schema(value_type = Title, nullable = false)]
    pub title: Option<String>,
    /// 1 to 50 letters, spaces, hyphens and apostrophes (R-R4).
    #[serde(default)]
    #[schema(schema_with = schemas::person_name, required = true)]
    pub first_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::person_name, required = true)]
    pub last_name: Option<String>,
    /// A business or personal address, not on NHSmail (R-R5).
    #[serde(default)]
    #[schema(schema_with = schemas::email, required = true)]
    pub email: Option<String>,
    /// A UK mobile not yet used anywhere in the service (R-R6, R-R7).
    #[serde(default)]
    #[schema(schema_with = schemas::mobile, required = true)]
    pub mobile: Option<String>,
    #[serde(default)]
    #[schema(value_type = Role, required = true)]
    pub role: Option<String>,
    /// Give admin rights over the shared mailbox too (default `false`).
    #[serde(default)]
    #[schema(nullable = false)]
    pub is_admin: Option<bool>,
}

impl NewJoiner {
    pub fn into_parts(self) -> (MemberInput, Option<bool>) {
        let input = MemberInput {
            title: self.title.map(Some),
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            mobile: self.mobile,
            role: self.role,
            ..MemberInput::default()
        };
        (input, self.is_admin)
    }
}

/// A joiner request waiting for the helpdesk.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct JoinerRequestView {
    pub id: String,
    pub shared_mailbox_id: String,
    /// Left out when none was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub title: Option<Title>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// E.164, as stored.
    pub mobile: String,
    pub role: Role,
    pub is_admin: bool,
    pub requested_at: DateTime<Utc>,
}

impl From<JoinerRequest> for JoinerRequestView {
    fn from(request: JoinerRequest) -> Self {
        Self {
            id: request.id,
            shared_mailbox_id: request.mailbox_id,
            title: request.title.map(Into::into),
            first_name: request.first_name,
            last_name: request.last_name,
            email: request.email,
            mobile: request.mobile,
            role: request.role.into(),
            is_admin: request.is_admin,
            requested_at: request.requested_at,
        }
    }
}

/// What became of a joiner request: `waiting` for the helpdesk (`request`), or `created` (the
/// account, whose username and temporary password are on their way to the joiner, R-A4).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "waiting", "request": {"id": "0d9f3c2b-1a4e-4b5c-8d7e-6f5a4b3c2d1e", "shared_mailbox_id": "3f6d2a1b-8c4e-4f5a-9b6c-7d8e9f0a1b2c", "first_name": "Nia", "last_name": "Evans",
    "email": "nia.evans@example.com", "mobile": "+447700900461", "role": "receptionist", "is_admin": false, "requested_at": "2026-11-30T10:00:00Z"}}))]
pub struct JoinerOutcome {
    pub status: JoinerStatus,
    /// The waiting request (`waiting` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub request: Option<JoinerRequestView>,
    /// The new account (`created` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub account_id: Option<String>,
    /// Its username (`created` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub username: Option<String>,
}

impl From<Outcome> for JoinerOutcome {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Waiting(request) => {
                Self { status: JoinerStatus::Waiting, request: Some(request.into()), account_id: None, username: None }
            }
            Outcome::Created { account_id, username } => Self {
                status: JoinerStatus::Created,
                request: None,
                account_id: Some(account_id),
                username: Some(username),
            },
        }
    }
}

/// The joiner requests waiting for the helpdesk, oldest first (at most 100).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"id": "0d9f3c2b-1a4e-4b5c-8d7e-6f5a4b3c2d1e", "shared_mailbox_id": "3f6d2a1b-8c4e-4f5a-9b6c-7d8e9f0a1b2c", "first_name": "Nia", "last_name": "Evans",
    "email": "nia.evans@example.com", "mobile": "+447700900461", "role": "receptionist", "is_admin": false, "requested_at": "2026-11-30T10:00:00Z"}]}))]
pub struct JoinerRequestList {
    pub items: Vec<JoinerRequestView>,
}

/// An existing account to take on as a joiner, by username (R-L6).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "efan.williamson"}))]
pub struct TakeOnAccount {
    #[schema(value_type = String, required = true, min_length = 1, max_length = 254)]
    pub username: Option<String>,
}

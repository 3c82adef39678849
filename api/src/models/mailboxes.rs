//! Shared mailbox management (R-B1, R-B2) as the contract shows it.

use app::accounts::mailboxes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Someone with access to the shared mailbox, with their rights.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MailboxMember {
    #[schema(example = "9d2c1f0e-6a4b-4c3d-8e7f-1a2b3c4d5e6f")]
    pub account_id: String,
    #[schema(example = "sarah.jones@nhs.net")]
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub status: crate::wire::AccountStatus,
    /// Owners always have admin rights and access (R-R2).
    pub is_owner: bool,
    /// Admins manage who has access (R-B2).
    pub is_admin: bool,
}

/// A shared mailbox, as those with access see it (R-B1).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "3f6d2a1b-8c4e-4f5a-9b6c-7d8e9f0a1b2c", "address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net", "practice_name": "SAMPLE DENTAL CARE", "ods_code": "V12345",
    "is_owner": true, "is_admin": true,
    "members": [{"account_id": "5b0f1a52-3f2e-4a7b-9a57-8f4f2f0d7c11", "username": "david.smith@nhs.net", "first_name": "David", "last_name": "Smith", "status": "active", "is_owner": true, "is_admin": true},
                {"account_id": "9d2c1f0e-6a4b-4c3d-8e7f-1a2b3c4d5e6f", "username": "sarah.jones@nhs.net", "first_name": "Sarah", "last_name": "Jones", "status": "active", "is_owner": false, "is_admin": false}], "needs_owner": false}))]
pub struct SharedMailbox {
    pub id: String,
    pub address: String,
    pub practice_name: String,
    pub ods_code: String,
    /// Whether you are an owner.
    pub is_owner: bool,
    /// Whether you may change who has access.
    pub is_admin: bool,
    /// Everyone with access: owners first, then by username.
    pub members: Vec<MailboxMember>,
    /// No owner is left (the only one left the practice); the helpdesk assigns one (R-L5).
    pub needs_owner: bool,
}

impl From<mailboxes::MailboxView> for SharedMailbox {
    fn from(view: mailboxes::MailboxView) -> Self {
        Self {
            id: view.id,
            address: view.address,
            practice_name: view.practice_name,
            ods_code: view.ods_code,
            is_owner: view.is_owner,
            is_admin: view.is_admin,
            needs_owner: view.needs_owner,
            members: view
                .members
                .into_iter()
                .map(|m| MailboxMember {
                    account_id: m.account_id,
                    username: m.username,
                    first_name: m.first_name,
                    last_name: m.last_name,
                    status: m.status.into(),
                    is_owner: m.is_owner,
                    is_admin: m.is_admin,
                })
                .collect(),
        }
    }
}

/// An account of this service to give access to (R-B2).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "sarah.jones@nhs.net", "is_admin": false}))]
pub struct LinkAccount {
    /// The account's username (its NHSmail address).
    #[schema(value_type = String, required = true, min_length = 1, max_length = 254)]
    pub username: Option<String>,
    /// Give admin rights too (default `false`).
    #[serde(default)]
    pub is_admin: Option<bool>,
}

/// New rights for an account with access: either or both (R-B2, R-R2).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"is_owner": true}))]
pub struct ChangeRights {
    /// Grant (`true`) or revoke admin rights. An owner's cannot be revoked.
    #[serde(default)]
    pub is_admin: Option<bool>,
    /// Nominate as owner (`true`, owners only, at most 2) or take owner rights away (`false`,
    /// owners only, never from the last owner; admin rights stay).
    #[serde(default)]
    pub is_owner: Option<bool>,
}

impl From<ChangeRights> for mailboxes::RightsChange {
    fn from(body: ChangeRights) -> Self {
        Self { is_admin: body.is_admin, is_owner: body.is_owner }
    }
}

/// An account, by id: someone of the practice to mark as a leaver, or to make owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"account_id": "9d2c1f0e-6a4b-4c3d-8e7f-1a2b3c4d5e6f"}))]
pub struct AccountRef {
    #[schema(value_type = String, required = true, min_length = 1, max_length = 64)]
    pub account_id: Option<String>,
}

/// An account marked as having left its practice (R-L5).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "9d2c1f0e-6a4b-4c3d-8e7f-1a2b3c4d5e6f", "username": "efan.williamson", "leaver_since": "2026-11-30T10:00:00Z", "deleted_after": "2026-12-30T10:00:00Z"}))]
pub struct LeaverView {
    pub id: String,
    pub username: String,
    /// When it was first marked.
    pub leaver_since: chrono::DateTime<chrono::Utc>,
    /// When it is deleted and erased, unless another practice takes it on as a joiner first.
    pub deleted_after: chrono::DateTime<chrono::Utc>,
}

impl From<app::helpdesk::leavers::Leaver> for LeaverView {
    fn from(leaver: app::helpdesk::leavers::Leaver) -> Self {
        Self {
            id: leaver.id,
            username: leaver.username,
            leaver_since: leaver.leaver_since,
            deleted_after: leaver.deleted_after,
        }
    }
}

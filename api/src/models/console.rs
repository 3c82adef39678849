//! The helpdesk's console (issue 14.6) as the contract shows it: an account search sent in the
//! body, and one account in full.

use crate::models::helpdesk::MessageView;
use crate::wire::AccountStatus;
use app::helpdesk::console;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What to look for; every part given must match. Sent in the body, so that no one's name or
/// username is ever in a URL.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "jones", "practice_name": "bright smile", "status": "active", "limit": 20}))]
pub struct AccountSearch {
    /// Part of a first name, last name, "first last" or username, any case (2 characters or more).
    #[serde(default)]
    #[schema(min_length = 2, max_length = 100, nullable = false)]
    pub text: Option<String>,
    /// Part of the practice name, any case (2 characters or more).
    #[serde(default)]
    #[schema(min_length = 2, max_length = 100, nullable = false)]
    pub practice_name: Option<String>,
    /// The practice's ODS code, exactly (any case).
    #[serde(default)]
    #[schema(min_length = 3, max_length = 10, pattern = r"^[A-Za-z0-9]+$", nullable = false)]
    pub ods_code: Option<String>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub status: Option<AccountStatus>,
    /// Only leavers (`true`), or only those who are not (`false`).
    #[serde(default)]
    #[schema(nullable = false)]
    pub leaver: Option<bool>,
    /// `next_cursor` from the previous page.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 400, pattern = r"^[A-Za-z0-9_-]+$", nullable = false)]
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100, nullable = false)]
    pub limit: Option<i64>,
}

impl From<AccountSearch> for console::Query {
    fn from(search: AccountSearch) -> Self {
        Self {
            text: search.text,
            practice_name: search.practice_name,
            ods_code: search.ods_code,
            status: search.status.map(Into::into),
            leaver: search.leaver,
            cursor: search.cursor,
            limit: search.limit,
        }
    }
}

/// An account found.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountSummaryView {
    pub id: String,
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub status: AccountStatus,
    pub practice_name: Option<String>,
    pub ods_code: Option<String>,
    /// When it was marked as a leaver (R-L5); null if it is not one.
    pub leaver_since: Option<DateTime<Utc>>,
}

impl From<console::AccountSummary> for AccountSummaryView {
    fn from(a: console::AccountSummary) -> Self {
        Self {
            id: a.id,
            username: a.username,
            first_name: a.first_name,
            last_name: a.last_name,
            status: a.status.into(),
            practice_name: a.practice_name,
            ods_code: a.ods_code,
            leaver_since: a.leaver_since,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"id": "9d2c1f0e-6a4b-4c3d-8e7f-1a2b3c4d5e6f", "username": "sarah.jones", "first_name": "Sarah", "last_name": "Jones", "status": "active",
    "practice_name": "BRIGHT SMILE DENTAL PRACTICE", "ods_code": "V00101", "leaver_since": null}], "next_cursor": null}))]
pub struct AccountSearchPage {
    /// By username.
    pub items: Vec<AccountSummaryView>,
    /// Send as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

impl From<console::Page> for AccountSearchPage {
    fn from(page: console::Page) -> Self {
        Self { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }
    }
}

/// A shared mailbox the account has access to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountMembershipView {
    pub shared_mailbox_id: String,
    pub address: String,
    pub practice_name: String,
    pub is_owner: bool,
    pub is_admin: bool,
}

/// One event of the audit trail: ids and kinds of change only.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEventView {
    pub occurred_at: DateTime<Utc>,
    /// e.g. `account.created`, `account.password_changed`, `account.marked_leaver`.
    pub action: String,
    /// `account`, `admin` or `system`.
    pub actor_type: String,
    pub actor_id: Option<String>,
}

/// One account in full, for the helpdesk.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"account": {"id": "9d2c1f0e-6a4b-4c3d-8e7f-1a2b3c4d5e6f", "username": "sarah.jones", "first_name": "Sarah", "last_name": "Jones", "status": "active",
    "practice_name": "BRIGHT SMILE DENTAL PRACTICE", "ods_code": "V00101", "leaver_since": null}, "email": "sarahj@emaildomain.co.uk", "mobile": "+447888888888",
    "created_at": "2026-11-30T10:00:00Z", "last_signed_in_at": "2026-11-30T10:05:00Z", "inactive_since": null,
    "memberships": [{"shared_mailbox_id": "3f6d2a1b-8c4e-4f5a-9b6c-7d8e9f0a1b2c", "address": "nhsdental.leeds.brightsmiledentalpracticev00101@nhs.net", "practice_name": "BRIGHT SMILE DENTAL PRACTICE", "is_owner": false, "is_admin": false}],
    "messages": [], "audit": [{"occurred_at": "2026-11-30T10:00:00Z", "action": "account.created", "actor_type": "admin", "actor_id": "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"}]}))]
pub struct AccountDetailView {
    pub account: AccountSummaryView,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_signed_in_at: Option<DateTime<Utc>>,
    /// When it became inactive (R-L4); null if it is not.
    pub inactive_since: Option<DateTime<Utc>>,
    pub memberships: Vec<AccountMembershipView>,
    /// Messages sent about it and their delivery, oldest first (kept MESSAGE_RETENTION_DAYS).
    pub messages: Vec<MessageView>,
    /// Its audit trail, oldest first.
    pub audit: Vec<AuditEventView>,
}

impl TryFrom<console::AccountDetail> for AccountDetailView {
    type Error = app::Error;

    fn try_from(detail: console::AccountDetail) -> Result<Self, app::Error> {
        Ok(Self {
            account: detail.summary.into(),
            email: detail.email,
            mobile: detail.mobile,
            created_at: detail.created_at,
            last_signed_in_at: detail.last_signed_in_at,
            inactive_since: detail.inactive_since,
            memberships: detail
                .memberships
                .into_iter()
                .map(|m| AccountMembershipView {
                    shared_mailbox_id: m.shared_mailbox_id,
                    address: m.address,
                    practice_name: m.practice_name,
                    is_owner: m.is_owner,
                    is_admin: m.is_admin,
                })
                .collect(),
            messages: detail.messages.iter().map(MessageView::try_from).collect::<Result<_, _>>()?,
            audit: detail
                .audit
                .into_iter()
                .map(|e| AuditEventView {
                    occurred_at: e.occurred_at,
                    action: e.action,
                    actor_type: e.actor_type,
                    actor_id: e.actor_id,
                })
                .collect(),
        })
    }
}

//! What the helpdesk sends and receives: sessions, the review queue and one application in
//! full, account support, and reference-data reports.

use crate::models::application::{ApplicationStatus, MemberView, PracticeRoute};
use crate::models::problem::Problem;
use crate::wire::{
    AccountStatus, IgAssessmentKind, MessageChannel, MessageProvider, MessageStatus, MessageTemplate, from_code,
};
use app::helpdesk::accounts::AccountStatusChange;
use app::review::queue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToResponse, ToSchema};

/// No valid helpdesk access token.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/unauthorized", "title": "Authentication is required", "status": 401, "detail": "Sign in as a helpdesk administrator; the access token is missing, not valid or has expired."})
)]
pub struct NoHelpdeskToken(pub Problem);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "helpdesk.jane", "password": "correct horse battery staple"}))]
pub struct SignInRequest {
    #[serde(default)]
    #[schema(schema_with = crate::schemas::username, required = true)]
    pub username: Option<String>,
    #[serde(default)]
    #[schema(schema_with = crate::schemas::password, required = true)]
    pub password: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJuaHNtYWlsLWRlbnRhbCJ9.c2lnbmF0dXJl", "token_type": "Bearer", "expires_at": "2026-11-21T10:45:00Z",
    "refresh_token": "drt_0b6f4c1e-5d0c-4b8e-9d7e-3f1a2b3c4d5e.Q2hhbmdlIG1lIGJlZm9yZSB1c2U", "session_expires_at": "2026-11-21T18:15:00Z"}))]
pub struct AccessToken {
    /// Send as `Authorization: Bearer <token>`. Short-lived; refresh it before it expires.
    pub access_token: String,
    pub token_type: crate::wire::TokenType,
    pub expires_at: DateTime<Utc>,
    /// Exchange at `POST /v1/admin/sessions/refresh` for new tokens; works once.
    pub refresh_token: String,
    /// When the session ends and a new sign-in is needed (ADMIN_SESSION_HOURS after sign-in).
    pub session_expires_at: DateTime<Utc>,
}

impl From<app::helpdesk::AccessToken> for AccessToken {
    fn from(token: app::helpdesk::AccessToken) -> Self {
        Self {
            access_token: token.access_token,
            token_type: crate::wire::TokenType::Bearer,
            expires_at: token.expires_at,
            refresh_token: token.refresh_token,
            session_expires_at: token.session_expires_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationQuery {
    /// Only applications in this status.
    pub status: Option<ApplicationStatus>,
    /// The practice postcode, any case and spacing. Empty filters are ignored.
    #[param(example = "SW19 4AB", max_length = 16, pattern = r"^[A-Za-z0-9 ]*$")]
    pub postcode: Option<String>,
    #[param(example = "V12345", max_length = 20)]
    pub ods_code: Option<String>,
    #[param(example = "1-1002733005", max_length = 24)]
    pub cqc_location_id: Option<String>,
    /// Part of the practice name, any case.
    #[param(example = "dental", max_length = 100)]
    pub practice_name: Option<String>,
    /// `next_cursor` from the previous page.
    #[param(min_length = 1, max_length = 200, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
}

impl From<ApplicationQuery> for queue::Filter {
    fn from(query: ApplicationQuery) -> Self {
        Self {
            status: query.status.map(Into::into),
            postcode: query.postcode,
            ods_code: query.ods_code,
            cqc_location_id: query.cqc_location_id,
            practice_name: query.practice_name,
            cursor: query.cursor,
            limit: query.limit,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "3f9a2c1e-7b4d-4e8f-a1b2-c3d4e5f6a7b8", "status": "submitted", "practice_name": "SAMPLE DENTAL CARE", "ods_code": "V12345",
    "cqc_location_id": "1-1002733005", "postcode": "SW19 4AB", "route": "b", "created_at": "2026-11-21T09:00:00Z", "submitted_at": "2026-11-21T10:15:00Z"}))]
pub struct ApplicationSummary {
    #[schema(format = Uuid)]
    pub id: String,
    pub status: ApplicationStatus,
    pub practice_name: Option<String>,
    pub ods_code: Option<String>,
    pub cqc_location_id: Option<String>,
    pub postcode: Option<String>,
    /// Left out until the practice is identified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub route: Option<PracticeRoute>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = crate::examples::application_page)]
pub struct ApplicationPage {
    pub items: Vec<ApplicationSummary>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl From<&queue::Summary> for ApplicationSummary {
    fn from(summary: &queue::Summary) -> Self {
        Self {
            id: summary.id.clone(),
            status: summary.status.into(),
            practice_name: summary.practice_name.clone(),
            ods_code: summary.ods_code.clone(),
            cqc_location_id: summary.cqc_location_id.clone(),
            postcode: summary.postcode.clone(),
            route: summary.route.map(Into::into),
            created_at: summary.created_at,
            submitted_at: summary.submitted_at,
        }
    }
}

impl From<&queue::Page> for ApplicationPage {
    fn from(page: &queue::Page) -> Self {
        Self { items: page.items.iter().map(Into::into).collect(), next_cursor: page.next_cursor.clone() }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"assessment": "igt", "value": "2", "assessed_on": "2018-03-31", "satisfactory": true, "description": "IG Toolkit level 2 (2018-03-31)"}))]
pub struct IgStatusView {
    pub assessment: IgAssessmentKind,
    pub value: Option<String>,
    pub assessed_on: Option<chrono::NaiveDate>,
    pub satisfactory: bool,
    pub description: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(example = "david.smith@nhs.net")]
    pub username: String,
    pub status: AccountStatus,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub is_owner: bool,
    pub is_mailbox_admin: bool,
    pub has_shared_mailbox_access: bool,
}

/// An outgoing message as the helpdesk sees it: where and how it went, never its content.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "7c1b2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e", "channel": "sms", "template": "temporary_password_sms", "recipient": "+447912345678",
    "status": "sent", "attempts": 1, "last_error": null, "provider": "notify", "provider_reference": "740e5834-3a29-46b4-9a6f-16142fde533a",
    "created_at": "2026-11-21T10:15:00Z", "sent_at": "2026-11-21T10:15:02Z", "delivery_status": "delivered", "delivered_at": "2026-11-21T10:15:09Z"}))]
pub struct MessageView {
    #[schema(format = Uuid)]
    pub id: String,
    pub channel: MessageChannel,
    pub template: MessageTemplate,
    /// The email address, mobile number or postcode the message went to.
    pub recipient: String,
    pub status: MessageStatus,
    #[schema(minimum = 0)]
    pub attempts: i32,
    pub last_error: Option<String>,
    /// The provider that took it; left out until one has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub provider: Option<MessageProvider>,
    pub provider_reference: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// What the provider reported after accepting it, e.g. `delivered` or `permanent-failure`.
    pub delivery_status: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl TryFrom<&queue::Message> for MessageView {
    type Error = app::Error;

    fn try_from(message: &queue::Message) -> Result<Self, app::Error> {
        let stored = |what: &str| app::Error::internal(format!("stored message {what} is not known"));
        Ok(Self {
            id: message.id.clone(),
            channel: from_code(&message.channel).ok_or_else(|| stored("channel"))?,
            template: from_code(&message.template).ok_or_else(|| stored("template"))?,
            recipient: message.recipient.clone(),
            status: from_code(&message.status).ok_or_else(|| stored("status"))?,
            attempts: message.attempts,
            last_error: message.last_error.clone(),
            provider: message
                .provider
                .as_deref()
                .map(|p| from_code(p).ok_or_else(|| stored("provider")))
                .transpose()?,
            provider_reference: message.provider_reference.clone(),
            created_at: message.created_at,
            sent_at: message.sent_at,
            delivery_status: message.delivery_status.clone(),
            delivered_at: message.delivered_at,
        })
    }
}

/// An application in full, as the helpdesk sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = crate::examples::admin_application_view)]
pub struct AdminApplicationView {
    #[schema(format = Uuid)]
    pub id: String,
    pub status: ApplicationStatus,
    pub practice_name: Option<String>,
    pub ods_code: Option<String>,
    pub cqc_location_id: Option<String>,
    pub postcode: Option<String>,
    /// Left out until the practice is identified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub route: Option<PracticeRoute>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    /// The IG status the register holds for the practice (route A); left out on route B.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub ig_status_of_record: Option<IgStatusView>,
    pub address_lines: Vec<String>,
    pub town: Option<String>,
    pub shared_mailbox_address: Option<String>,
    pub members: Vec<MemberView>,
    /// Accounts created on approval.
    pub accounts: Vec<AccountView>,
    /// Every message about this application and its accounts, oldest first.
    pub messages: Vec<MessageView>,
}

impl TryFrom<&queue::Reviewed> for AdminApplicationView {
    type Error = app::Error;

    fn try_from(reviewed: &queue::Reviewed) -> Result<Self, app::Error> {
        let summary = ApplicationSummary::from(&reviewed.summary);
        let ig = reviewed.ig_of_record.as_ref().map(|ig| IgStatusView {
            assessment: from_code(&ig.assessment).unwrap_or(IgAssessmentKind::None),
            value: ig.value.clone(),
            assessed_on: ig.assessed_on,
            satisfactory: ig.status.is_satisfactory(),
            description: ig.status.to_string(),
        });
        let accounts = reviewed
            .accounts
            .iter()
            .map(|a| AccountView {
                id: a.id.clone(),
                username: a.username.clone(),
                status: a.status.into(),
                first_name: a.first_name.clone(),
                last_name: a.last_name.clone(),
                is_owner: a.is_owner,
                is_mailbox_admin: a.is_mailbox_admin,
                has_shared_mailbox_access: a.has_shared_mailbox_access,
            })
            .collect();
        Ok(Self {
            id: summary.id,
            status: summary.status,
            practice_name: summary.practice_name,
            ods_code: summary.ods_code,
            cqc_location_id: summary.cqc_location_id,
            postcode: summary.postcode,
            route: summary.route,
            created_at: summary.created_at,
            submitted_at: summary.submitted_at,
            decided_at: reviewed.decided_at,
            decision_reason: reviewed.decision_reason.clone(),
            ig_status_of_record: ig,
            address_lines: reviewed.address_lines.clone(),
            town: reviewed.town.clone(),
            shared_mailbox_address: reviewed.shared_mailbox_address.clone(),
            members: reviewed.members.iter().map(MemberView::from).collect(),
            accounts,
            messages: reviewed.messages.iter().map(MessageView::try_from).collect::<Result<_, _>>()?,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The practice's IG Toolkit return shows level 1; level 2 is required."}))]
pub struct RejectionRequest {
    /// Why, in words the applicant will read in the rejection email.
    #[serde(default)]
    #[schema(schema_with = crate::schemas::reason, required = true)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"confirmed_by_owner": "david.smith@nhs.net", "confirmed_mobile": "07888 888888"}))]
pub struct HelpdeskReset {
    /// Username of the practice's shared mailbox owner who confirmed the person.
    #[serde(default)]
    #[schema(schema_with = crate::schemas::username, required = true)]
    pub confirmed_by_owner: Option<String>,
    /// The mobile number the owner confirmed; it must be the account's.
    #[serde(default)]
    #[schema(schema_with = crate::schemas::mobile, required = true)]
    pub confirmed_mobile: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "temporary_password_sent", "sent_to": "the registered mobile ending 888"}))]
pub struct HelpdeskResetDone {
    pub status: crate::wire::PasswordOutcome,
    pub sent_to: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Left the practice"}))]
pub struct DisableRequest {
    /// Why, for the audit log.
    #[serde(default)]
    #[schema(schema_with = crate::schemas::reason, required = true)]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "5b0f1a52-3f2e-4a7b-9a57-8f4f2f0d7c11", "username": "sarah.jones@nhs.net", "status": "disabled"}))]
pub struct AccountStatusView {
    #[schema(format = Uuid)]
    pub id: String,
    pub username: String,
    pub status: crate::wire::AccountStatus,
}

impl From<AccountStatusChange> for AccountStatusView {
    fn from(change: AccountStatusChange) -> Self {
        Self { id: change.id, username: change.username, status: change.status.into() }
    }
}

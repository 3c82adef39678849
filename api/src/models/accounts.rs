//! What account holders send and receive: sessions and their scopes, activation steps,
//! passwords and resets, their profile and the directory.

use crate::models::problem::Problem;
use crate::schemas;
use crate::wire::{AccountStatus as WireAccountStatus, PasswordOutcome, Role, SecurityQuestionCode, Title, TokenType};
use app::accounts::{self, profile, resets};
use chrono::{DateTime, Utc};
use domain::account::SecurityQuestion;
use serde::{Deserialize, Serialize};
use utoipa::{ToResponse, ToSchema};

pub use crate::wire::SessionScope as Scope;

/// No valid account access token.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/unauthorized", "title": "Authentication is required", "status": 401, "detail": "Sign in; the access token is missing, not valid or has expired."})
)]
pub struct NoAccountToken(pub Problem);

/// The session's scope does not allow this yet (activation or a password change comes first).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/forbidden", "title": "You are not allowed to do this", "status": 403, "code": "activation_required", "rule": "R-L1", "detail": "Complete the account's activation first: see `required_actions`."})
)]
pub struct ScopeTooNarrow(pub Problem);

/// Tokens for a session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJuaHNtYWlsLWRlbnRhbCJ9.c2ln", "token_type": "Bearer",
    "expires_at": "2026-11-21T10:30:00Z", "refresh_token": "drt_0b6f4c1e-5d0c-4b8e-9d7e-3f1a2b3c4d5e.Q2hhbmdlIG1lIGJlZm9yZSB1c2U", "session_expires_at": "2026-11-21T22:15:00Z",
    "scope": "full", "required_actions": []}))]
pub struct Session {
    pub access_token: String,
    pub token_type: TokenType,
    /// When the access token stops working; refresh before then.
    pub expires_at: DateTime<Utc>,
    /// Only for full sessions: exchange at `POST /v1/account/sessions/refresh` for new tokens.
    /// Each use replaces it.
    pub refresh_token: Option<String>,
    /// When the session ends and a new sign-in is needed.
    pub session_expires_at: DateTime<Utc>,
    pub scope: Scope,
    /// What must be done before anything else, in order (R-L1).
    pub required_actions: Vec<crate::wire::RequiredAction>,
}

impl From<accounts::Session> for Session {
    fn from(session: accounts::Session) -> Self {
        Self {
            access_token: session.access_token,
            token_type: TokenType::Bearer,
            expires_at: session.expires_at,
            refresh_token: session.refresh_token,
            session_expires_at: session.session_expires_at,
            scope: session.scope.into(),
            required_actions: session.required_actions.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "david.smith", "password": "Kp7r-Xm3q-Tz8w-Ab2c"}))]
pub struct SignIn {
    /// The NHSmail username; `@nhs.net` may be left off.
    #[serde(default)]
    #[schema(schema_with = schemas::username, required = true)]
    pub username: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::password, required = true)]
    pub password: Option<String>,
}

/// A refresh token as issued (`drt_…`).
fn refresh_token_schema() -> utoipa::openapi::schema::Object {
    schemas::text(512)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "drt_0b6f4c1e-5d0c-4b8e-9d7e-3f1a2b3c4d5e.Q2hhbmdlIG1lIGJlZm9yZSB1c2U"}))]
pub struct RefreshRequest {
    #[serde(default)]
    #[schema(schema_with = refresh_token_schema, required = true)]
    pub refresh_token: Option<String>,
}

/// Where an account stands in its activation, and a new session when the change replaced it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "pending_activation", "required_actions": ["set_security_questions", "accept_acceptable_use_policy", "choose_directory_visibility"]}))]
pub struct AccountState {
    pub status: WireAccountStatus,
    /// What must still be done, in order (R-L1).
    pub required_actions: Vec<crate::wire::RequiredAction>,
    /// Present when the change ended the previous session (a password change, or activation
    /// completed): use these tokens from now on. Left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub session: Option<Session>,
}

impl From<accounts::AccountState> for AccountState {
    fn from(state: accounts::AccountState) -> Self {
        Self {
            status: state.status.into(),
            required_actions: state.required_actions.into_iter().map(Into::into).collect(),
            session: state.session.map(Into::into),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "Kp7r-Xm3q-Tz8w-Ab2c", "new_password": "plinth marmalade oboe lantern"}))]
pub struct PasswordChange {
    #[serde(default)]
    #[schema(schema_with = schemas::password, required = true)]
    pub current_password: Option<String>,
    /// At least 10 characters, not common, not containing your names, not one of your last 4 (R-L2).
    #[serde(default)]
    #[schema(schema_with = schemas::password, required = true)]
    pub new_password: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityAnswerInput {
    /// A question code from `GET /v1/account/security-questions`.
    #[serde(default)]
    #[schema(value_type = SecurityQuestionCode, required = true, example = "first_pet")]
    pub question: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::security_answer, required = true)]
    pub answer: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"answers": [{"question": "first_pet", "answer": "Biscuit"}, {"question": "first_school", "answer": "St Mary's"}]}))]
pub struct SecurityAnswers {
    /// Two different questions with their answers (stored hashed).
    #[serde(default)]
    #[schema(required = true, min_items = 2, max_items = 2)]
    pub answers: Vec<SecurityAnswerInput>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"code": "first_pet", "text": "What was the name of your first pet?"}))]
pub struct QuestionView {
    pub code: SecurityQuestionCode,
    pub text: String,
}

impl From<SecurityQuestion> for QuestionView {
    fn from(question: SecurityQuestion) -> Self {
        Self { code: question.into(), text: question.text().to_owned() }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"accepted": true}))]
pub struct AcceptableUse {
    /// Must be true: the NHSmail Acceptable Use Policy is accepted.
    #[serde(default)]
    #[schema(value_type = bool, required = true)]
    pub accepted: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mobile_visible": false}))]
pub struct DirectoryVisibility {
    /// Whether others can see your mobile number in the directory (R-L9).
    #[serde(default)]
    #[schema(value_type = bool, required = true)]
    pub mobile_visible: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PracticeMembership {
    /// The shared mailbox's id: see and manage it at `/v1/account/mailboxes/{id}` (with access).
    #[schema(example = "3f6d2a1b-8c4e-4f5a-9b6c-7d8e9f0a1b2c")]
    pub shared_mailbox_id: String,
    #[schema(example = "SAMPLE DENTAL CARE")]
    pub practice_name: String,
    #[schema(example = "V12345")]
    pub ods_code: String,
    #[schema(example = "nhsdental.wimbledon.sampledentalcarev12345@nhs.net")]
    pub shared_mailbox_address: String,
    pub is_owner: bool,
    pub is_mailbox_admin: bool,
    pub has_shared_mailbox_access: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "5b0f1a52-3f2e-4a7b-9a57-8f4f2f0d7c11", "username": "david.smith@nhs.net", "status": "active", "title": "Dr", "first_name": "David", "last_name": "Smith",
    "email": "dsmith@businessemail.com", "mobile": "+447912345678", "mobile_visible": false, "role": "dentist", "password_expires_at": "2027-02-19T10:00:00Z",
    "practices": [{"shared_mailbox_id": "3f6d2a1b-8c4e-4f5a-9b6c-7d8e9f0a1b2c", "practice_name": "SAMPLE DENTAL CARE", "ods_code": "V12345", "shared_mailbox_address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net", "is_owner": true, "is_mailbox_admin": true, "has_shared_mailbox_access": true}]}))]
pub struct Me {
    #[schema(format = Uuid)]
    pub id: String,
    pub username: String,
    pub status: WireAccountStatus,
    /// Left out when the holder has no title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub title: Option<Title>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub mobile_visible: bool,
    /// Left out when no role is on record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub role: Option<Role>,
    /// When the password must be changed by (R-L3).
    pub password_expires_at: Option<DateTime<Utc>>,
    pub practices: Vec<PracticeMembership>,
}

impl From<profile::Profile> for Me {
    fn from(me: profile::Profile) -> Self {
        Self {
            id: me.id,
            username: me.username,
            status: me.status.into(),
            title: me.title.map(Into::into),
            first_name: me.first_name,
            last_name: me.last_name,
            email: me.email,
            mobile: me.mobile,
            mobile_visible: me.mobile_visible,
            role: me.role.map(Into::into),
            password_expires_at: me.password_expires_at,
            practices: me
                .practices
                .into_iter()
                .map(|m| PracticeMembership {
                    shared_mailbox_id: m.shared_mailbox_id,
                    practice_name: m.practice_name,
                    ods_code: m.ods_code,
                    shared_mailbox_address: m.shared_mailbox_address,
                    is_owner: m.is_owner,
                    is_mailbox_admin: m.is_mailbox_admin,
                    has_shared_mailbox_access: m.has_shared_mailbox_access,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "david.smith"}))]
pub struct ResetRequest {
    #[serde(default)]
    #[schema(schema_with = schemas::username, required = true)]
    pub username: Option<String>,
}

/// The answer to any reset request, whether or not the account exists.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"reset_id": "9d2f0c7a-1b3e-4c5d-8e9f-0a1b2c3d4e5f", "security_question": {"code": "first_pet", "text": "What was the name of your first pet?"},
    "expires_at": "2026-11-21T10:30:00Z", "detail": "If the account exists and has a registered mobile, a code has been sent to it by text message."}))]
pub struct ResetStarted {
    #[schema(format = Uuid)]
    pub reset_id: String,
    /// Answer this with the code.
    pub security_question: QuestionView,
    pub expires_at: DateTime<Utc>,
    pub detail: String,
}

impl From<resets::ResetStarted> for ResetStarted {
    fn from(started: resets::ResetStarted) -> Self {
        Self {
            reset_id: started.reset_id,
            security_question: started.security_question.into(),
            expires_at: started.expires_at,
            detail: started.detail,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "4821 0937", "answer": "Biscuit", "new_password": "plinth marmalade oboe lantern"}))]
pub struct ResetCompletion {
    /// The code from the text message.
    #[serde(default)]
    #[schema(schema_with = schemas::reset_code, required = true)]
    pub code: Option<String>,
    /// The answer to the security question given when the reset started.
    #[serde(default)]
    #[schema(schema_with = schemas::security_answer, required = true)]
    pub answer: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::password, required = true)]
    pub new_password: Option<String>,
}

impl From<ResetCompletion> for resets::ResetCompletion {
    fn from(body: ResetCompletion) -> Self {
        Self { code: body.code, answer: body.answer, new_password: body.new_password }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "password_changed", "detail": "Sign in with the new password."}))]
pub struct ResetDone {
    pub status: PasswordOutcome,
    pub detail: String,
}

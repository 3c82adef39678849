//! Helpdesk work on accounts: a password reset after the practice's shared mailbox owner has
//! confirmed the person and their mobile (R-L7), and disabling or re-enabling an account (every
//! session ends on disabling; later work for leavers and deletion builds on it).

use crate::account;
use crate::admin::Admin;
use crate::extract::Json;
use crate::journey::RequestOrigin;
use crate::problem::{ApiError, FieldError, NotFoundForCaller, Problem, Validator};
use crate::routes::admin::NoHelpdeskToken;
use crate::state::AppState;
use actix_web::{HttpResponse, post, web};
use app::outbox::{self, About, templates};
use app::secrets::new_temporary_password;
use domain::ProblemCode;
use domain::account::AccountStatus as Status;
use domain::contact::UkMobile;
use domain::messages;
use persistence::accounts::{self, AccountRow};
use persistence::audit::{self, AuditEntry, Origin};
use persistence::{DbConnection, account_life, admins, write_transaction};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

fn not_found() -> ApiError {
    ApiError::not_found()
}

fn record(
    conn: &mut DbConnection,
    admin: &Admin,
    origin: &Origin,
    action: &str,
    account_id: &str,
    details: serde_json::Value,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        &AuditEntry {
            actor: &admin.actor(),
            origin,
            action,
            object_type: "account",
            object_id: Some(account_id),
            details,
        },
        now,
    )?;
    Ok(())
}

/// Is `owner` an owner of the shared mailbox of `account`'s practice?
fn confirms(conn: &mut DbConnection, account: &AccountRow, owner: &AccountRow) -> Result<bool, ApiError> {
    let Some(mailbox) = account_life::practice_mailbox(conn, account)? else { return Ok(false) };
    Ok(accounts::mailbox_members(conn, &mailbox.id)?
        .iter()
        .any(|(member, is_owner, _)| *is_owner && member.id == owner.id))
}

/// Reset a password for someone who cannot use self-service (R-L7)
///
/// Reset a password for someone who cannot use self-service (R-L7): the shared mailbox owner has
/// confirmed the person and their mobile number. A new temporary password goes by text message to
/// the registered mobile; the helpdesk never sees it. Every session of the account ends.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "helpdeskPasswordReset",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Account id")),
    request_body = HelpdeskReset,
    responses(
        (status = 202, description = "The temporary password is on its way.", body = HelpdeskResetDone),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
        (status = 422, description = "The confirmation does not hold: not an owner of the practice's mailbox, or not the account's mobile.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/confirmed_mobile", "code": "mobile_does_not_match", "rule": "R-L7", "detail": "This is not the mobile number registered for the account."}]})),
    )
)]
#[post("/v1/admin/accounts/{id}/password-reset")]
pub async fn reset_password(
    state: web::Data<AppState>,
    admin: Admin,
    origin: RequestOrigin,
    path: web::Path<String>,
    body: Json<HelpdeskReset>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::new();
    let owner_name = body
        .0
        .confirmed_by_owner
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| account::normalise_username(o, state.config.app.mail_domain.as_str()));
    if owner_name.is_none() {
        v.push(FieldError::new(
            "/confirmed_by_owner",
            ProblemCode::Required,
            Some("R-L7"),
            "Name the shared mailbox owner who confirmed the person.",
        ));
    }
    let mobile = v.check("/confirmed_mobile", UkMobile::parse(body.0.confirmed_mobile.as_deref().unwrap_or_default()));
    let (owner_name, mobile) = v.finish(|| Some((owner_name?, mobile?)))?;
    let id = path.into_inner();
    let lookup = id.clone();
    let (account, owner, confirmed) = state
        .db(move |conn| {
            let account = accounts::account(conn, &lookup)?.filter(|a| a.status != "deleted").ok_or_else(not_found)?;
            let owner = accounts::account_by_username(conn, &owner_name)?;
            let confirmed = match &owner {
                Some(owner) => confirms(conn, &account, owner)?,
                None => false,
            };
            Ok((account, owner, confirmed))
        })
        .await?;
    let mut errors = Vec::new();
    if !confirmed {
        errors.push(FieldError::new(
            "/confirmed_by_owner",
            ProblemCode::NotAnOwner,
            Some("R-L7"),
            "This is not an owner of the shared mailbox of the account's practice.",
        ));
    }
    if account.mobile.as_deref() != Some(mobile.as_str()) {
        errors.push(FieldError::new(
            "/confirmed_mobile",
            ProblemCode::MobileDoesNotMatch,
            Some("R-L7"),
            "This is not the mobile number registered for the account.",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let temporary = new_temporary_password()?;
    let hash = state.app.passwords().hash(temporary.expose_secret().to_owned()).await?;
    let now = state.app.now();
    let valid_until = now + state.config.app.temporary_password_lifetime;
    let owner_id = owner.map(|o| o.id).unwrap_or_default();
    let last_digits = mobile.last_digits().to_owned();
    state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                account_life::set_password(conn, &account, &hash, true, valid_until, now)?;
                admins::revoke_all(conn, "account", &account.id, now)?;
                let sms = messages::temporary_password_sms(
                    temporary.expose_secret(),
                    (valid_until - chrono::Duration::seconds(1)).date_naive(),
                );
                outbox::enqueue_sms(
                    conn,
                    templates::TEMPORARY_PASSWORD_SMS,
                    mobile.as_str(),
                    About { kind: "account", id: &account.id },
                    sms,
                    true,
                    now,
                )?;
                record(
                    conn,
                    &admin,
                    &origin.0,
                    "account.password_reset_by_helpdesk",
                    &account.id,
                    serde_json::json!({"confirmed_by_owner": owner_id, "mobile_confirmed": true}),
                    now,
                )
            })
        })
        .await?;
    Ok(HttpResponse::Accepted().json(HelpdeskResetDone {
        status: crate::wire::PasswordOutcome::TemporaryPasswordSent,
        sent_to: format!("the registered mobile ending {last_digits}"),
    }))
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

/// Disable an account
///
/// The account can no longer sign in and every session ends at once; the reason is audited.
/// Enable it again with `POST /v1/admin/accounts/{id}/enable`.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "disableAccount",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Account id")),
    request_body = DisableRequest,
    responses(
        (status = 200, description = "Disabled.", body = AccountStatusView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
        (status = 422, description = "No reason given.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/reason", "code": "required", "detail": "Say why the account is disabled."}]})),
    )
)]
#[post("/v1/admin/accounts/{id}/disable")]
pub async fn disable_account(
    state: web::Data<AppState>,
    admin: Admin,
    origin: RequestOrigin,
    path: web::Path<String>,
    body: Json<DisableRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason =
        body.0.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned).ok_or_else(|| {
            ApiError::validation(vec![FieldError::new(
                "/reason",
                ProblemCode::Required,
                None,
                "Say why the account is disabled.",
            )])
        })?;
    let id = path.into_inner();
    let now = state.app.now();
    let status = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let account = accounts::account(conn, &id)?.filter(|a| a.status != "deleted").ok_or_else(not_found)?;
                account_life::set_status(conn, &account.id, Status::Disabled, Some(&reason), now)?;
                let ended = admins::revoke_all(conn, "account", &account.id, now)?;
                record(
                    conn,
                    &admin,
                    &origin.0,
                    "account.disabled",
                    &account.id,
                    serde_json::json!({"reason": reason, "sessions_ended": ended}),
                    now,
                )?;
                Ok(AccountStatusView { id: account.id, username: account.username, status: Status::Disabled.into() })
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(status))
}

/// Enable a disabled account again
///
/// Enable a disabled account again (active if it had been activated, otherwise pending activation).
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "enableAccount",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 200, description = "Enabled.", body = AccountStatusView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, description = "No such disabled account.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/not-found", "title": "Not found", "status": 404, "detail": "There is nothing here, or nothing you may see."})),
    )
)]
#[post("/v1/admin/accounts/{id}/enable")]
pub async fn enable_account(
    state: web::Data<AppState>,
    admin: Admin,
    origin: RequestOrigin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let now = state.app.now();
    let status = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let account =
                    accounts::account(conn, &id)?.filter(|a| a.status() == Status::Disabled).ok_or_else(not_found)?;
                let next = Status::on_enabling(&crate::account::progress(&account));
                account_life::set_status(conn, &account.id, next, None, now)?;
                record(
                    conn,
                    &admin,
                    &origin.0,
                    "account.enabled",
                    &account.id,
                    serde_json::json!({"status": next.code()}),
                    now,
                )?;
                Ok(AccountStatusView { id: account.id, username: account.username, status: next.into() })
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(status))
}

//! Helpdesk work on accounts: a password reset confirmed by the practice's shared mailbox owner
//! (R-L7), and disabling or re-enabling an account.

use crate::http::caller::Caller;
use crate::http::extract::Json;
use crate::http::problem::NotFoundForCaller;
use crate::http::problem::{ApiError, Problem};
use crate::models::helpdesk::{AccountStatusView, DisableRequest, HelpdeskReset, HelpdeskResetDone, NoHelpdeskToken};
use crate::state::AppState;
use actix_web::{HttpResponse, post, web};
use app::helpdesk::accounts;

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
    caller: Caller,
    path: web::Path<String>,
    body: Json<HelpdeskReset>,
) -> Result<HttpResponse, ApiError> {
    let (owner, mobile) = (body.0.confirmed_by_owner.as_deref(), body.0.confirmed_mobile.as_deref());
    let sent = accounts::reset_password(&state.app, &caller, &path, owner, mobile).await?;
    Ok(HttpResponse::Accepted()
        .json(HelpdeskResetDone { status: crate::wire::PasswordOutcome::TemporaryPasswordSent, sent_to: sent.sent_to }))
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
    caller: Caller,
    path: web::Path<String>,
    body: Json<DisableRequest>,
) -> Result<HttpResponse, ApiError> {
    let disabled = accounts::disable(&state.app, &caller, &path, body.0.reason.as_deref()).await?;
    Ok(HttpResponse::Ok().json(AccountStatusView::from(disabled)))
}

/// Enable a disabled account, or reactivate an inactive one
///
/// Enable a disabled account again, or reactivate one made inactive for not being used (R-L4: its
/// idle period starts again and its deletion is called off). It becomes active if it had been
/// activated, otherwise pending activation. Safe to repeat: any other account is left as it is
/// and its status returned.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "enableAccount",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 200, description = "Enabled or reactivated, or neither disabled nor inactive in the first place: the account's status.", body = AccountStatusView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, description = "No such account.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/not-found", "title": "Not found", "status": 404, "detail": "There is nothing here, or nothing you may see."})),
    )
)]
#[post("/v1/admin/accounts/{id}/enable")]
pub async fn enable_account(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let enabled = accounts::enable(&state.app, &caller, &path).await?;
    Ok(HttpResponse::Ok().json(AccountStatusView::from(enabled)))
}

/// Lift an account's sign-in lock
///
/// After repeated failed sign-ins a username is locked for a while (R-L8); the helpdesk lifts the
/// lock once it knows the holder is who they say. The hourly cap on failures still holds. Safe to
/// repeat.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "unlockAccount",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 200, description = "Unlocked: the account's status.", body = AccountStatusView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
    )
)]
#[post("/v1/admin/accounts/{id}/unlock")]
pub async fn unlock_account(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(AccountStatusView::from(accounts::unlock(&state.app, &caller, &path).await?)))
}

/// Send a new temporary password to an account not yet activated
///
/// When a new account's temporary password expired or was lost (R-A3): a new one goes by text
/// message to the registered mobile, the old one stops working, and the helpdesk never sees it.
/// An activated account's password is reset with the owner's confirmation instead (R-L7).
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "reissueTemporaryPassword",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 202, description = "The temporary password is on its way.", body = HelpdeskResetDone),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "The account is activated (`already_activated`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "already_activated", "rule": "R-A3", "detail": "The account is activated: reset its password with the owner's confirmation (R-L7)."})),
    )
)]
#[post("/v1/admin/accounts/{id}/temporary-password")]
pub async fn reissue_temporary_password(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let sent = accounts::reissue_temporary_password(&state.app, &caller, &path).await?;
    Ok(HttpResponse::Accepted()
        .json(HelpdeskResetDone { status: crate::wire::PasswordOutcome::TemporaryPasswordSent, sent_to: sent.sent_to }))
}

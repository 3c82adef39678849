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

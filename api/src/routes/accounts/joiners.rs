//! Joiners (R-L6) for a shared mailbox's owners: ask for an account for a new member of staff, or
//! take on an existing one.

use crate::http::caller::Caller;
use crate::http::extract::Json;
use crate::http::problem::{ApiError, NotFoundForCaller, Problem};
use crate::models::accounts::NoAccountToken;
use crate::models::joiners::{JoinerOutcome, NewJoiner, TakeOnAccount};
use crate::models::mailboxes::SharedMailbox;
use crate::state::AppState;
use actix_web::{HttpResponse, post, web};
use app::joiners;

/// Ask for an account for a new member of staff
///
/// Owners only (R-L6). The same fields and rules as a registration's members (R-R4–R-R7; the
/// mobile must not be used anywhere in the service). The request waits for the helpdesk (`202`,
/// `status: waiting`); with AUTO_APPROVE_JOINERS the account is made at once (`201`,
/// `status: created`). Either way the joiner's username and temporary password go out as at
/// registration (R-A4) once the account exists, and they activate as everyone else does.
#[utoipa::path(
    tag = "accounts",
    operation_id = "requestJoiner",
    security(("account_token" = [])),
    params(("id" = String, Path, description = "Shared mailbox id")),
    request_body = NewJoiner,
    responses(
        (status = 201, description = "The account was made at once (AUTO_APPROVE_JOINERS).", body = JoinerOutcome),
        (status = 202, description = "Waiting for the helpdesk.", body = JoinerOutcome),
        (status = 401, response = NoAccountToken),
        (status = 403, description = "Not an owner of the mailbox (`mailbox_owner_required`), or the session's scope does not allow this yet.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/forbidden", "title": "You are not allowed to do this", "status": 403, "code": "mailbox_owner_required", "rule": "R-B2", "detail": "Only an owner can nominate an owner or change an owner's rights."})),
        (status = 404, response = NotFoundForCaller),
        (status = 422, description = "Every bad field, each with its rule; a mobile used elsewhere is `mobile_already_registered`.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/mobile", "code": "mobile_already_registered", "rule": "R-R7", "detail": "This mobile number is registered already: each person's mobile is used once across the service."}]})),
    )
)]
#[post("/v1/account/mailboxes/{id}/joiners")]
pub async fn request_joiner(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<NewJoiner>,
) -> Result<HttpResponse, ApiError> {
    let (input, is_admin) = body.0.into_parts();
    let outcome = JoinerOutcome::from(joiners::request(&state.app, &caller, &path, input, is_admin).await?);
    Ok(match outcome.status {
        crate::wire::JoinerStatus::Created => HttpResponse::Created().json(outcome),
        crate::wire::JoinerStatus::Waiting => HttpResponse::Accepted().json(outcome),
    })
}

/// Take on an existing account as a joiner
///
/// Owners only (R-L6): an account of this service, by username — a leaver within its grace period
/// (its deletion is called off) or someone of another practice (whose access there ends). Its
/// home becomes this practice and it gets access to this mailbox; its holder is told by email.
#[utoipa::path(
    tag = "accounts",
    operation_id = "takeOnAccount",
    security(("account_token" = [])),
    params(("id" = String, Path, description = "Shared mailbox id")),
    request_body = TakeOnAccount,
    responses(
        (status = 200, description = "Taken on; the mailbox as it now is.", body = SharedMailbox),
        (status = 401, response = NoAccountToken),
        (status = 403, description = "Not an owner of the mailbox (`mailbox_owner_required`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/forbidden", "title": "You are not allowed to do this", "status": 403, "code": "mailbox_owner_required", "rule": "R-B2", "detail": "Only an owner can nominate an owner or change an owner's rights."})),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Already a member of this practice (`already_exists`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "already_exists", "rule": "R-B2", "detail": "This account has access to the shared mailbox already."})),
        (status = 422, description = "No account of this service has the username.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/username", "code": "not_found", "rule": "R-L6", "detail": "No account of this service has this username."}]})),
    )
)]
#[post("/v1/account/mailboxes/{id}/transfers")]
pub async fn take_on_account(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<TakeOnAccount>,
) -> Result<HttpResponse, ApiError> {
    let view = joiners::take_on(&state.app, &caller, &path, body.0.username).await?;
    Ok(HttpResponse::Ok().json(SharedMailbox::from(view)))
}

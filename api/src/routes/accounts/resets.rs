//! Self-service password reset (R-L7): a code by text message and a security question.

use crate::http::caller::Caller;
use crate::http::extract::Json;
use crate::http::problem::{ApiError, Problem};
use crate::models::accounts::{ResetCompletion, ResetDone, ResetRequest, ResetStarted};
use crate::state::AppState;
use crate::wire::PasswordOutcome;
use actix_web::{HttpResponse, post, web};
use app::accounts::resets;

/// Start a self-service password reset (R-L7)
///
/// Start a self-service password reset (R-L7): a code goes by text message to the registered
/// mobile; answer it together with a security question. The answer is the same whether or not the
/// username exists.
#[utoipa::path(
    tag = "accounts",
    operation_id = "startPasswordReset",
    request_body = ResetRequest,
    responses(
        (status = 202, description = "If the account exists, a code is on its way.", body = ResetStarted),
        (status = 422, description = "No username given.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/username", "code": "required", "rule": "R-L7", "detail": "Enter the username."}]})),
        (status = 429, description = "Too many requests from this client.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/rate-limited", "title": "Too many attempts", "status": 429, "code": "reset_limit_reached", "rule": "R-L7", "detail": "Too many reset requests; try again later.", "retry_after_seconds": 3600})),
    )
)]
#[post("/v1/account/password-resets")]
pub async fn start_password_reset(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<ResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let started = resets::start(&state.app, &caller, body.0.username.as_deref()).await?;
    Ok(HttpResponse::Accepted().json(ResetStarted::from(started)))
}

/// Finish a self-service password reset (R-L7)
///
/// Finish a self-service reset with the code, the security answer and a new password (R-L7). Every
/// session of the account ends.
#[utoipa::path(
    tag = "accounts",
    operation_id = "completePasswordReset",
    params(("reset_id" = String, Path, description = "From the start of the reset")),
    request_body = ResetCompletion,
    responses(
        (status = 200, description = "The password is changed.", body = ResetDone),
        (status = 422, description = "A wrong code or answer (with `attempts_remaining`), an expired or spent reset, or a new password that breaks the policy.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/verification-failed", "title": "The practice could not be verified", "status": 422, "detail": "The code or the answer is not right.", "attempts_remaining": 4,
                "errors": [{"pointer": "/code", "code": "reset_code_or_answer_incorrect", "rule": "R-L7", "detail": "The code or the answer is not right."}]})),
    )
)]
#[post("/v1/account/password-resets/{reset_id}/completion")]
pub async fn complete_password_reset(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<ResetCompletion>,
) -> Result<HttpResponse, ApiError> {
    resets::complete(&state.app, &caller, &path, body.0.into()).await?;
    Ok(HttpResponse::Ok().json(ResetDone {
        status: PasswordOutcome::PasswordChanged,
        detail: "Sign in with the new password.".to_owned(),
    }))
}

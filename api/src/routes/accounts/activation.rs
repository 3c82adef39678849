//! Activation (R-L1) and passwords (R-L2, R-L3): change the password, set security questions,
//! accept the acceptable use policy, choose directory visibility.

use crate::http::caller::Caller;
use crate::http::extract::Json;
use crate::http::problem::{ApiError, Problem};
use crate::models::accounts::{
    AcceptableUse, AccountState, DirectoryVisibility, NoAccountToken, PasswordChange, QuestionView, ScopeTooNarrow,
    SecurityAnswers,
};
use crate::state::AppState;
use actix_web::{HttpResponse, get, put, web};
use app::accounts::activation;
use domain::account::SecurityQuestion;

/// Change the password (R-L2)
///
/// Change the password (R-L2): the first step of activation (R-L1), the way out of an expired or
/// reset password (R-L3, R-L7), or a change at any time. Every session of the account ends; the
/// response carries a new one.
#[utoipa::path(
    tag = "accounts",
    operation_id = "changePassword",
    security(("account_token" = [])),
    request_body = PasswordChange,
    responses(
        (status = 200, description = "Changed; use the new session.", body = AccountState),
        (status = 401, response = NoAccountToken),
        (status = 409, description = "Out of order during activation.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "required_action_done", "rule": "R-L1", "detail": "This has already been done."})),
        (status = 422, description = "Wrong current password, or the new one breaks the policy.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "2 fields are not valid.",
                "errors": [{"pointer": "/new_password", "code": "password_too_short", "rule": "R-L2", "detail": "Enter a password of at least 10 characters."},
                           {"pointer": "/new_password", "code": "password_contains_name", "rule": "R-L2", "detail": "A password must not contain your name or username."}]})),
    )
)]
#[put("/v1/account/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let changed = activation::change_password(&state.app, &caller, body.current_password, body.new_password).await?;
    Ok(HttpResponse::Ok().json(AccountState::from(changed)))
}

/// The security questions to choose from
///
/// The questions an account holder picks two of during activation (R-L1); one of them is asked
/// in a self-service password reset (R-L7). Public: the list is the same for everyone.
#[utoipa::path(
    tag = "accounts",
    operation_id = "listSecurityQuestions",
    responses((status = 200, description = "The questions.", body = Vec<QuestionView>))
)]
#[get("/v1/account/security-questions")]
pub async fn list_security_questions() -> HttpResponse {
    HttpResponse::Ok().json(SecurityQuestion::ALL.into_iter().map(QuestionView::from).collect::<Vec<_>>())
}

/// Set the security questions (R-L1, R-L7)
///
/// Two different questions with their answers, used to confirm a self-service password reset.
/// Answers are stored hashed and compared without regard to case or spacing.
#[utoipa::path(
    tag = "accounts",
    operation_id = "setSecurityQuestions",
    security(("account_token" = [])),
    request_body = SecurityAnswers,
    responses(
        (status = 200, description = "Set.", body = AccountState),
        (status = 401, response = NoAccountToken),
        (status = 403, response = ScopeTooNarrow),
        (status = 409, description = "Out of order during activation (R-L1).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "required_action_out_of_order", "rule": "R-L1", "detail": "Do this first: change password."})),
        (status = 422, description = "Not two different known questions, or an answer too short.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/answers/1/answer", "code": "answer_too_short", "rule": "R-L1", "detail": "An answer must be at least 3 characters."}]})),
    )
)]
#[put("/v1/account/security-questions")]
pub async fn set_security_questions(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<SecurityAnswers>,
) -> Result<HttpResponse, ApiError> {
    let answers: Vec<_> = body.0.answers.into_iter().map(|a| (a.question, a.answer)).collect();
    let set = activation::set_security_questions(&state.app, &caller, &answers).await?;
    Ok(HttpResponse::Ok().json(AccountState::from(set)))
}

/// Accept the acceptable use policy (R-L1)
///
/// The third step of activation: `accepted` must be true.
#[utoipa::path(
    tag = "accounts",
    operation_id = "acceptAcceptableUsePolicy",
    security(("account_token" = [])),
    request_body = AcceptableUse,
    responses(
        (status = 200, description = "Accepted.", body = AccountState),
        (status = 401, response = NoAccountToken),
        (status = 403, response = ScopeTooNarrow),
        (status = 409, description = "Out of order during activation (R-L1).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "required_action_out_of_order", "rule": "R-L1", "detail": "Do this first: set security questions."})),
        (status = 422, description = "`accepted` is not true.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/accepted", "code": "must_accept", "rule": "R-L1", "detail": "The acceptable use policy must be accepted to use NHSmail."}]})),
    )
)]
#[put("/v1/account/acceptable-use-policy")]
pub async fn accept_acceptable_use(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<AcceptableUse>,
) -> Result<HttpResponse, ApiError> {
    let accepted = activation::accept_acceptable_use(&state.app, &caller, body.0.accepted).await?;
    Ok(HttpResponse::Ok().json(AccountState::from(accepted)))
}

/// Choose whether the mobile number is visible in the directory (R-L9)
///
/// During activation this is the last required action: the account becomes active and a full
/// session is returned.
#[utoipa::path(
    tag = "accounts",
    operation_id = "setDirectoryVisibility",
    security(("account_token" = [])),
    request_body = DirectoryVisibility,
    responses(
        (status = 200, description = "Set (and the account activated, with a new session, if this completed activation).", body = AccountState),
        (status = 401, response = NoAccountToken),
        (status = 403, response = ScopeTooNarrow),
        (status = 409, description = "Out of order during activation (R-L1).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "required_action_out_of_order", "rule": "R-L1", "detail": "Do this first: accept acceptable use policy."})),
        (status = 422, description = "`mobile_visible` missing.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/mobile_visible", "code": "required", "rule": "R-L9", "detail": "Say whether the mobile number is visible."}]})),
    )
)]
#[put("/v1/account/directory-visibility")]
pub async fn set_directory_visibility(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<DirectoryVisibility>,
) -> Result<HttpResponse, ApiError> {
    let chosen = activation::set_directory_visibility(&state.app, &caller, body.0.mobile_visible).await?;
    Ok(HttpResponse::Ok().json(AccountState::from(chosen)))
}

//! The questionnaire outcome and the application resource: start, read, withdraw.

use crate::http::caller::Caller;
use crate::http::extract::Json;
use crate::http::problem::{ApiError, NoApplicationToken, NotFoundForCaller, Problem};
use crate::models::application::{ApplicationView, CreatedApplication, Eligibility, QuestionnaireAnswers};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use app::registration::application;

/// Assess the questionnaire without starting an application
///
/// Assess the questionnaire without starting an application: whether the applicant may apply, why
/// not, how they can prove they act for the practice, and what to do next.
#[utoipa::path(
    tag = "registration",
    operation_id = "assessEligibility",
    request_body = QuestionnaireAnswers,
    responses(
        (status = 200, description = "The outcome, eligible or not.", body = Eligibility),
        (status = 422, description = "A question is unanswered.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/passcode_channel", "code": "required", "rule": "R-Q5", "detail": "Choose email or post."}]})),
    )
)]
#[post("/v1/eligibility")]
pub async fn assess_eligibility(body: Json<QuestionnaireAnswers>) -> Result<HttpResponse, ApiError> {
    let outcome = application::assess(&body.0.into())?;
    Ok(HttpResponse::Ok().json(Eligibility::from(&outcome)))
}

/// Start an application with the questionnaire answers
///
/// Returns the application and its token; the token is never shown again. Answers that rule the
/// applicant out are refused with the full outcome, and nothing is stored.
#[utoipa::path(
    tag = "registration",
    operation_id = "createApplication",
    request_body = QuestionnaireAnswers,
    responses(
        (status = 201, description = "Started. `Location` names the application.", body = CreatedApplication,
            headers(("Location" = String, description = "The application's URL"))),
        (status = 422, description = "Not eligible (`not-eligible`, with the outcome), or a question is unanswered (`validation-failed`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/not-eligible", "title": "You cannot apply", "status": 422,
                "detail": "These answers mean you cannot apply; see `eligibility` for why and what to do.",
                "errors": [{"pointer": "/has_nhsmail_account", "code": "already_has_nhsmail_account", "rule": "R-E1", "detail": "You already have an NHSmail account, so you must not register: a duplicate account confuses colleagues. Ask a colleague at the practice who does not have an NHSmail account to apply. Once the shared mailbox exists, its owner can link your existing account to it."}],
                "eligibility": {"eligible": false, "reasons": [{"code": "already_has_nhsmail_account", "rule": "R-E1", "explanation": "You already have an NHSmail account, so you must not register…"}], "authentication_methods": [], "passcode_channel": "post", "next_steps": ["ask_colleague_to_apply"]}})),
        (status = 400, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/malformed-request", "title": "The request could not be read", "status": 400, "detail": "The body is not valid JSON: it ends before the JSON is complete."})),
        (status = 413, description = "The body is too large.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/payload-too-large", "title": "The request body is too large", "status": 413, "detail": "The body must be at most 65536 bytes."})),
        (status = 429, description = "Too many applications started from this network address (APPLICATIONS_PER_CLIENT an hour).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/rate-limited", "title": "Too many attempts", "status": 429, "code": "too_many_from_client",
                "detail": "Too many attempts from this network address in a short time. Try again later.", "retry_after_seconds": 1800})),
    )
)]
#[post("/v1/applications")]
pub async fn create_application(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<QuestionnaireAnswers>,
) -> Result<HttpResponse, ApiError> {
    let started = application::start(&state.app, &caller, &body.0.into()).await?;
    let view = ApplicationView::from(&started.application);
    Ok(HttpResponse::Created().insert_header((header::LOCATION, format!("/v1/applications/{}", view.id))).json(
        CreatedApplication { token: started.token, token_type: crate::wire::TokenType::Bearer, application: view },
    ))
}

/// The whole application
///
/// The whole application: status, eligibility, practice, town, mailbox address, members with
/// counts, what is missing and which actions are open. A front end can render any step from it.
#[utoipa::path(
    tag = "registration",
    operation_id = "getApplication",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "The application.", body = ApplicationView),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
    )
)]
#[get("/v1/applications/{id}")]
pub async fn get_application(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let application = application::get(&state.app, &caller, &path).await?;
    Ok(HttpResponse::Ok().json(ApplicationView::from(&application)))
}

/// Withdraw a draft
///
/// Withdraw a draft: it ends at once, its members' personal data is deleted and the practice is
/// released for another application.
#[utoipa::path(
    tag = "registration",
    operation_id = "withdrawApplication",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 204, description = "Withdrawn."),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Already submitted (R-S3) or ended.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "application_read_only", "rule": "R-S3", "detail": "This application has been submitted and can no longer be changed."})),
    )
)]
#[delete("/v1/applications/{id}")]
pub async fn withdraw_application(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    application::withdraw(&state.app, &caller, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}

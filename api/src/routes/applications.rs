//! The questionnaire outcome and the application resource: start, read, withdraw.

use crate::extract::Json;
use crate::journey::{Applicant, Context, RequestOrigin, audit, in_draft};
use crate::problem::{ApiError, FieldError, NoApplicationToken, NotFoundForCaller, Problem, ProblemType};
use crate::state::AppState;
use crate::views::{ApplicationView, Eligibility, QuestionnaireAnswers};
use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use app::secrets::new_application_token;
use domain::eligibility::{self, Ineligibility};
use persistence::applications::{self, NewApplication};
use persistence::write_transaction;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new application and the token that gives access to it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = crate::examples::created_application)]
pub struct CreatedApplication {
    /// Bearer token for this application only. Shown once: keep it to resume the application
    /// (it works for at least 28 days of inactivity).
    #[schema(example = "dat_Q2hhbmdlIG1lIGJlZm9yZSB1c2UgaW4gcHJvZHVjdGlvbi4")]
    pub token: String,
    #[schema(example = "Bearer")]
    pub token_type: crate::wire::TokenType,
    pub application: ApplicationView,
}

/// The problem for answers that rule an applicant out (R-E1, R-E2).
fn not_eligible(outcome: &eligibility::EligibilityOutcome) -> ApiError {
    let errors = outcome
        .reasons
        .iter()
        .map(|reason| {
            let pointer = match reason {
                Ineligibility::AlreadyHasNhsmailAccount => "/has_nhsmail_account",
                Ineligibility::IgRequirementNotMet => "/ig_return_submitted",
            };
            FieldError::from_violation(pointer, reason)
        })
        .collect();
    ApiError::new(ProblemType::NotEligible)
        .detail("These answers mean you cannot apply; see `eligibility` for why and what to do.")
        .with_errors(errors)
        .eligibility(outcome.clone())
}

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
    let answers = body.0.try_into_domain()?;
    Ok(HttpResponse::Ok().json(Eligibility::from(&eligibility::assess(&answers))))
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
            example = json!({"type": "/problems/malformed-request", "title": "The request could not be read", "status": 400, "detail": "The body is not valid JSON: EOF while parsing an object at line 1 column 1"})),
        (status = 413, description = "The body is too large.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/payload-too-large", "title": "The request body is too large", "status": 413, "detail": "The body must be at most 65536 bytes."})),
    )
)]
#[post("/v1/applications")]
pub async fn create_application(
    state: web::Data<AppState>,
    origin: RequestOrigin,
    body: Json<QuestionnaireAnswers>,
) -> Result<HttpResponse, ApiError> {
    let answers = body.0.try_into_domain()?;
    let outcome = eligibility::assess(&answers);
    if !outcome.eligible {
        return Err(not_eligible(&outcome));
    }
    let token = new_application_token()?;
    let token_hash = state.app.hasher().application_token(&token);
    let now = state.app.now();
    let expires_at = now + state.config.app.application_inactivity;
    let id = uuid::Uuid::new_v4().to_string();
    let config = state.config.clone();
    let view = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                applications::insert(
                    conn,
                    &NewApplication {
                        id: &id,
                        token_hash: &token_hash,
                        has_nhsmail_account: answers.has_nhsmail_account,
                        ig_return_submitted: answers.ig_return_submitted,
                        recent_passcode_received: answers.recent_passcode_received,
                        knows_cqc_contact_id: answers.knows_cqc_contact_id,
                        passcode_channel: answers.passcode_channel.as_str(),
                        now,
                        expires_at,
                    },
                )?;
                audit(
                    conn,
                    &Applicant { application_id: id.clone() },
                    &origin,
                    "application.started",
                    serde_json::json!({"passcode_channel": answers.passcode_channel.as_str()}),
                    now,
                )?;
                let ctx = Context::load(conn, &id)?;
                ApplicationView::build(&ctx, &config.app.mail_domain, &config.app.support_contact)
            })
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/applications/{}", view.id)))
        .json(CreatedApplication { token, token_type: crate::wire::TokenType::Bearer, application: view }))
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
    applicant: Applicant,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = applicant.owns(&path)?;
    let config = state.config.clone();
    let now = state.app.now();
    let view = state
        .db(move |conn| {
            let ctx = Context::load(conn, &id)?;
            // Reading counts as activity, at most once an hour, so an applicant waiting for a
            // letter keeps the application alive.
            if ctx.application.status == "draft"
                && now - persistence::time::from_db(ctx.application.last_activity_at) > chrono::Duration::hours(1)
            {
                applications::touch(conn, &id, now, now + config.app.application_inactivity)?;
            }
            ApplicationView::build(&ctx, &config.app.mail_domain, &config.app.support_contact)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
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
    applicant: Applicant,
    origin: RequestOrigin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = applicant.owns(&path)?;
    in_draft(
        &state,
        &applicant,
        &origin,
        domain::journey::Action::Withdraw,
        "application.withdrawn",
        move |conn, _, now| {
            applications::end_draft(conn, &id, "withdrawn", now)?;
            Ok(((), serde_json::json!({})))
        },
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

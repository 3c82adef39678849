//! The town that starts the shared mailbox name: suggestions from the address on record, a live
//! preview of the mailbox address, and the choice itself (R-T1, R-T2, R-M1).

use crate::extract::Json;
use crate::journey::{Applicant, Context, RequestOrigin, in_draft, view};
use crate::problem::{ApiError, FieldError, NoApplicationToken, NotFoundForCaller, Problem, ProblemType};
use crate::state::AppState;
use crate::views::ApplicationView;
use actix_web::{HttpResponse, get, put, web};
use domain::ProblemCode;
use domain::journey::Action;
use domain::town::{Town, TownError};
use persistence::applications;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"town": "wimbledon", "shared_mailbox_address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net"}))]
pub struct MailboxPreview {
    /// The town as it will appear in the name (lower-case letters, at most 10).
    pub town: String,
    /// The shared mailbox address this town gives (R-M1).
    pub shared_mailbox_address: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"max_length": 10, "suggestions": [
    {"town": "wimbledon", "shared_mailbox_address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net"},
    {"town": "london", "shared_mailbox_address": "nhsdental.london.sampledentalcarev12345@nhs.net"}]}))]
pub struct TownSuggestions {
    /// Longest town accepted (R-T2).
    pub max_length: usize,
    /// Towns from the practice's address on record, abbreviated where long, with the address each gives.
    pub suggestions: Vec<MailboxPreview>,
}

/// The field error for a town that is refused, with a suggestion when it is too long (R-T2).
fn town_error(pointer: &str, error: &TownError) -> FieldError {
    let field = FieldError::from_violation(pointer, error);
    match error {
        TownError::TooLong { suggestion, .. } => field.with_suggestion(suggestion.as_str()),
        _ => field,
    }
}

fn not_identified() -> ApiError {
    ApiError::new(ProblemType::Conflict)
        .with_code(ProblemCode::PracticeNotIdentified, Some("R-M1"))
        .detail("Identify the practice first: its name and ODS code make up the rest of the mailbox name.")
}

fn preview(ctx: &Context, town: &Town, state: &AppState) -> Result<MailboxPreview, ApiError> {
    let address = ctx.mailbox_address_with(town, &state.config.app.mail_domain).ok_or_else(not_identified)?;
    Ok(MailboxPreview { town: town.as_str().to_owned(), shared_mailbox_address: address.as_str().to_owned() })
}

/// Town suggestions (R-T1, R-T2)
///
/// Towns to choose from, taken from the practice's address on record (R-T1), abbreviated to at most
/// 10 letters (R-T2), each with the mailbox address it gives.
#[utoipa::path(
    tag = "registration",
    operation_id = "suggestTowns",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "Suggestions.", body = TownSuggestions),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "The practice is not identified yet.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "practice_not_identified", "rule": "R-M1", "detail": "Identify the practice first: its name and ODS code make up the rest of the mailbox name."})),
    )
)]
#[get("/v1/applications/{id}/town-suggestions")]
pub async fn suggest_towns(
    state: web::Data<AppState>,
    applicant: Applicant,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = applicant.owns(&path)?;
    let ctx = state.db(move |conn| Context::load(conn, &id)).await?;
    if ctx.route().is_none() {
        return Err(not_identified());
    }
    let suggestions =
        ctx.town_suggestions().iter().map(|town| preview(&ctx, town, &state)).collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(TownSuggestions { max_length: Town::MAX_LENGTH, suggestions }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// The town as typed.
    #[param(required = true, example = "Wimbledon", min_length = 1, max_length = 100)]
    pub town: Option<String>,
}

/// Preview the shared mailbox address for a town (R-M1)
///
/// Preview the shared mailbox address for a town as the applicant types it, without saving anything
/// (R-M1). A refused town comes back with the reason and, when too long, a suggestion.
#[utoipa::path(
    tag = "registration",
    operation_id = "previewMailbox",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id"), PreviewQuery),
    responses(
        (status = 200, description = "The address this town gives.", body = MailboxPreview),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "The practice is not identified yet.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "practice_not_identified", "rule": "R-M1", "detail": "Identify the practice first: its name and ODS code make up the rest of the mailbox name."})),
        (status = 422, description = "The town is refused (R-T1, R-T2).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/query/town", "code": "town_too_long", "rule": "R-T2", "detail": "The town must be at most 10 letters; it is 11. Try `northampto`.", "suggestion": "northampto"}]})),
    )
)]
#[get("/v1/applications/{id}/mailbox-preview")]
pub async fn preview_mailbox(
    state: web::Data<AppState>,
    applicant: Applicant,
    path: web::Path<String>,
    query: crate::extract::Query<PreviewQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = applicant.owns(&path)?;
    let town = Town::parse(query.town.as_deref().unwrap_or_default())
        .map_err(|e| ApiError::validation(vec![town_error("/query/town", &e)]))?;
    let ctx = state.db(move |conn| Context::load(conn, &id)).await?;
    Ok(HttpResponse::Ok().json(preview(&ctx, &town, &state)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"town": "Wimbledon"}))]
pub struct TownChoice {
    /// A suggested town or one typed in (R-T1); normalised to at most 10 lower-case letters (R-T2).
    #[serde(default)]
    #[schema(schema_with = crate::schemas::town, required = true)]
    pub town: Option<String>,
}

/// Choose the town (R-T1, R-T2)
///
/// The shared mailbox address follows (R-M1).
#[utoipa::path(
    tag = "registration",
    operation_id = "setTown",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = TownChoice,
    responses(
        (status = 200, description = "The application with its town and mailbox address.", body = ApplicationView),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "The practice is not verified yet, or the application is submitted.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "practice_not_authenticated", "rule": "R-S1", "detail": "Prove you act for the practice before adding its town and members."})),
        (status = 422, description = "The town is refused (R-T1, R-T2).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/town", "code": "town_too_long", "rule": "R-T2", "detail": "The town must be at most 10 letters; it is 11. Try `northampto`.", "suggestion": "northampto"}]})),
    )
)]
#[put("/v1/applications/{id}/town")]
pub async fn set_town(
    state: web::Data<AppState>,
    applicant: Applicant,
    origin: RequestOrigin,
    path: web::Path<String>,
    body: Json<TownChoice>,
) -> Result<HttpResponse, ApiError> {
    let id = applicant.owns(&path)?;
    let town = Town::parse(body.0.town.as_deref().unwrap_or_default())
        .map_err(|e| ApiError::validation(vec![town_error("/town", &e)]))?;
    let config = state.config.clone();
    let view = in_draft(&state, &applicant, &origin, Action::SetTown, "application.town_set", move |conn, _, _| {
        applications::set_town(conn, &id, town.as_str())?;
        Ok((view(conn, &id, &config)?, serde_json::json!({"town": town.as_str()})))
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

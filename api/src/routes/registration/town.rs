//! The town that starts the shared mailbox name: suggestions from the address on record, a live
//! preview of the mailbox address, and the choice itself (R-T1, R-T2, R-M1).

use crate::http::caller::Caller;
use crate::http::extract::{Json, Query};
use crate::http::problem::{ApiError, NoApplicationToken, NotFoundForCaller, Problem};
use crate::models::application::ApplicationView;
use crate::models::practice::{MailboxPreview, PreviewQuery, TownChoice, TownSuggestions};
use crate::state::AppState;
use actix_web::{HttpResponse, get, put, web};
use app::registration::town;
use domain::town::Town;

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
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let suggestions = town::suggestions(&state.app, &caller, &path).await?;
    let suggestions = suggestions.into_iter().map(MailboxPreview::from).collect();
    Ok(HttpResponse::Ok().json(TownSuggestions { max_length: Town::MAX_LENGTH, suggestions }))
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
    caller: Caller,
    path: web::Path<String>,
    query: Query<PreviewQuery>,
) -> Result<HttpResponse, ApiError> {
    let preview = town::preview_mailbox(&state.app, &caller, &path, query.town.as_deref()).await?;
    Ok(HttpResponse::Ok().json(MailboxPreview::from(preview)))
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
    caller: Caller,
    path: web::Path<String>,
    body: Json<TownChoice>,
) -> Result<HttpResponse, ApiError> {
    let application = town::set(&state.app, &caller, &path, body.0.town.as_deref()).await?;
    Ok(HttpResponse::Ok().json(ApplicationView::from(&application)))
}

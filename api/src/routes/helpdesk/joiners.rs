//! The helpdesk's side of joiners (R-L6): the waiting requests, approval and rejection.

use crate::http::caller::Caller;
use crate::http::problem::{ApiError, NotFoundForCaller, Problem};
use crate::models::helpdesk::NoHelpdeskToken;
use crate::models::joiners::{JoinerOutcome, JoinerRequestList};
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use app::joiners;

/// Joiner requests waiting for a decision
///
/// Owners' requests for accounts for new members of staff (R-L6), oldest first (at most 100).
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "listJoinerRequests",
    security(("helpdesk_token" = [])),
    responses((status = 200, description = "The waiting requests.", body = JoinerRequestList), (status = 401, response = NoHelpdeskToken))
)]
#[get("/v1/admin/joiner-requests")]
pub async fn list_joiner_requests(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let items = joiners::waiting(&state.app, &caller).await?.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(JoinerRequestList { items }))
}

/// Approve a joiner request
///
/// Makes the account (R-L6): a username by R-A2, access to the practice's shared mailbox (and
/// admin rights if asked), and the username email and temporary password text as at registration
/// (R-A4). The request is then gone.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "approveJoiner",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Joiner request id")),
    responses(
        (status = 201, description = "The account was made.", body = JoinerOutcome),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
        (status = 422, description = "The mobile has been registered since the request (`mobile_already_registered`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/mobile", "code": "mobile_already_registered", "rule": "R-R7", "detail": "This mobile number is registered already: each person's mobile is used once across the service."}]})),
    )
)]
#[post("/v1/admin/joiner-requests/{id}/approval")]
pub async fn approve_joiner(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(JoinerOutcome::from(joiners::approve(&state.app, &caller, &path).await?)))
}

/// Reject a joiner request
///
/// The request, and what it held of the person, is deleted.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "rejectJoiner",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Joiner request id")),
    responses((status = 204, description = "Rejected and deleted."), (status = 401, response = NoHelpdeskToken), (status = 404, response = NotFoundForCaller))
)]
#[post("/v1/admin/joiner-requests/{id}/rejection")]
pub async fn reject_joiner(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    joiners::reject(&state.app, &caller, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}

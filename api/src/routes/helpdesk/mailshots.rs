//! Passcode mailshots (R-O7).

use crate::http::caller::Caller;
use crate::http::extract::Json;
use crate::http::problem::{ApiError, NotFoundForCaller, Problem};
use crate::models::helpdesk::NoHelpdeskToken;
use crate::models::mailshots::{MailshotView, NewMailshot};
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use app::mailshots;

/// Send passcodes to many practices
///
/// A mailshot (R-O7) to practices named by ODS code or CQC location id, and/or those of the
/// register in a town or postcode district, so that a practice can already hold a passcode when
/// it starts. It runs as the `passcode_mailshots` job (every minute):
/// each practice once, within its limit (R-O5), by email to the registered manager's address on
/// record or else by post (R-O1). Follow it at `GET /v1/admin/passcode-mailshots/{id}`. Repeating
/// it is safe: a practice already sent its allowance is refused, with when the next can go.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "startMailshot",
    security(("helpdesk_token" = [])),
    request_body = NewMailshot,
    responses(
        (status = 202, description = "Started: every practice pending, or not found in the reference data.", body = MailshotView),
        (status = 401, response = NoHelpdeskToken),
        (status = 422, description = "No practices and no filter, or more than 2000 practices.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/practices", "code": "required", "rule": "R-O7", "detail": "Give 1 to 2000 ODS codes or CQC location ids, or a filter with a town or postcode district."}]})),
    )
)]
#[post("/v1/admin/passcode-mailshots")]
pub async fn start_mailshot(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewMailshot>,
) -> Result<HttpResponse, ApiError> {
    let NewMailshot { practices, filter } = body.0;
    let started = mailshots::start(&state.app, &caller, practices, filter.map(Into::into)).await?;
    Ok(HttpResponse::Accepted().json(MailshotView::from(started)))
}

/// A mailshot's progress and report
///
/// Per practice: `pending`, `sent` (and how), `refused` (and when the next can go) or `not_found`.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "getMailshot",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Mailshot id")),
    responses(
        (status = 200, description = "The mailshot.", body = MailshotView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
    )
)]
#[get("/v1/admin/passcode-mailshots/{id}")]
pub async fn get_mailshot(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(MailshotView::from(mailshots::get(&state.app, &caller, &path).await?)))
}

//! Helpdesk review: list and search applications, see one in full (with what approval created
//! and the status of every message), approve or reject with a reason (R-V1).

use crate::http::caller::Caller;
use crate::http::extract::{Json, Query};
use crate::http::problem::NotFoundForCaller;
use crate::http::problem::{ApiError, Problem};
use crate::models::helpdesk::{
    AdminApplicationView, ApplicationPage, ApplicationQuery, NoHelpdeskToken, RejectionRequest,
};
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use app::review;

/// List and search applications
///
/// Applications, newest first, filtered by status, postcode, ODS code, CQC location ID or part of
/// the practice name, a page at a time (`next_cursor`).
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "listApplications",
    security(("helpdesk_token" = [])),
    params(ApplicationQuery),
    responses(
        (status = 200, description = "A page of applications.", body = ApplicationPage),
        (status = 401, response = NoHelpdeskToken),
        (status = 422, description = "A bad filter or cursor.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/query/limit", "code": "out_of_range", "detail": "Give a page size from 1 to 100."}]})),
    )
)]
#[get("/v1/admin/applications")]
pub async fn list_applications(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ApplicationQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = review::queue::list(&state.app, &caller, query.0.into()).await?;
    Ok(HttpResponse::Ok().json(ApplicationPage::from(&page)))
}

/// One application in full
///
/// One application in full: practice and IG status of record, members, and once approved the
/// accounts created and the status of every message sent.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "getApplicationForReview",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "The application.", body = AdminApplicationView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
    )
)]
#[get("/v1/admin/applications/{id}")]
pub async fn get_application(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reviewed = review::queue::view(&state.app, &caller, &path).await?;
    Ok(HttpResponse::Ok().json(AdminApplicationView::try_from(&reviewed)?))
}

/// Approve a submitted application
///
/// Approve a submitted application: the shared mailbox, accounts and messages are created in one
/// transaction (R-A1–R-A4).
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "approveApplication",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "Approved and provisioned.", body = AdminApplicationView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Not a submitted application (already decided, or still a draft).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "application_not_submitted", "rule": "R-V1", "detail": "Only a submitted application can be decided; this one is approved."})),
    )
)]
#[post("/v1/admin/applications/{id}/approval")]
pub async fn approve_application(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reviewed = review::approve(&state.app, &caller, &path).await?;
    Ok(HttpResponse::Ok().json(AdminApplicationView::try_from(&reviewed)?))
}

/// Reject a submitted application with a reason
///
/// Reject a submitted application with a reason; the shared mailbox owners are told by email
/// (R-V1). The practice and the members' mobiles are released.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "rejectApplication",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = RejectionRequest,
    responses(
        (status = 200, description = "Rejected; the rejection email is queued.", body = AdminApplicationView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Not a submitted application.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "application_not_submitted", "rule": "R-V1", "detail": "Only a submitted application can be decided; this one is draft."})),
        (status = 422, description = "No reason given.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/reason", "code": "required", "rule": "R-V1", "detail": "Give the reason the applicant will be told."}]})),
    )
)]
#[post("/v1/admin/applications/{id}/rejection")]
pub async fn reject_application(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<RejectionRequest>,
) -> Result<HttpResponse, ApiError> {
    let reviewed = review::reject(&state.app, &caller, &path, body.0.reason.as_deref()).await?;
    Ok(HttpResponse::Ok().json(AdminApplicationView::try_from(&reviewed)?))
}

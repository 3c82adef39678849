//! Identifying the practice: search the register by postcode (route A), or describe a practice
//! the register does not hold and confirm its CQC details (route B).

use crate::http::caller::Caller;
use crate::http::extract::{Json, Query};
use crate::http::problem::{ApiError, NoApplicationToken, NotFoundForCaller, Problem};
use crate::models::application::ApplicationView;
use crate::models::practice::{CqcConfirmation, PracticeIdentification, PracticeQuery, PracticeSearch};
use crate::state::AppState;
use actix_web::{HttpResponse, get, put, web};
use app::registration::practice;

/// Find the practice by postcode
///
/// Find the practice by postcode: route A candidates from the register, or route B when the
/// register holds no practice there. A practice that is not listed can still be described (route
/// B).
#[utoipa::path(
    tag = "registration",
    operation_id = "searchPractices",
    security(("application_token" = [])),
    params(PracticeQuery),
    responses(
        (status = 200, description = "Candidates at the postcode.", body = PracticeSearch),
        (status = 401, response = NoApplicationToken),
        (status = 422, description = "The postcode is missing or not a UK postcode.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/query/postcode", "code": "postcode_invalid", "rule": "R-P1", "detail": "Enter a real UK postcode, like SW19 4AB."}]})),
    )
)]
#[get("/v1/practices")]
pub async fn search_practices(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<PracticeQuery>,
) -> Result<HttpResponse, ApiError> {
    let found = practice::search(&state.app, &caller, query.postcode.as_deref()).await?;
    Ok(HttpResponse::Ok().json(PracticeSearch::from(found)))
}

/// Identify the practice
///
/// Route A chooses a practice from the postcode search; route B describes one the register does not
/// hold, which must be in the CQC directory, and returns its CQC details for confirmation. The
/// practice can be changed until it is verified.
#[utoipa::path(
    tag = "registration",
    operation_id = "identifyPractice",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = PracticeIdentification,
    responses(
        (status = 200, description = "The application with its practice.", body = ApplicationView),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Another application holds this practice (R-P5), or the practice is already verified.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "practice_has_live_application", "rule": "R-P5",
                "detail": "An application for this practice was started on 2 November 2026 and is still in progress. Resume it with the token you were given when it was started; if no one at the practice has it, contact dentistadmin@nhs.net or 0333 200 1133.",
                "existing_application": {"status": "draft", "started_at": "2026-11-02T09:30:00Z"}})),
        (status = 422, description = "Every invalid or unknown field, e.g. a bad postcode, ODS code or CQC location id.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "2 fields are not valid.",
                "errors": [{"pointer": "/postcode", "code": "postcode_invalid", "rule": "R-P1", "detail": "Enter a real UK postcode, like SW19 4AB."},
                           {"pointer": "/cqc_location_id", "code": "cqc_location_id_invalid", "rule": "R-P4", "detail": "A CQC location ID is 1- followed by 8 to 11 digits, like 1-1002733005."}]})),
    )
)]
#[put("/v1/applications/{id}/practice")]
pub async fn identify_practice(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<PracticeIdentification>,
) -> Result<HttpResponse, ApiError> {
    let application = practice::identify(&state.app, &caller, &path, body.0.into()).await?;
    Ok(HttpResponse::Ok().json(ApplicationView::from(&application)))
}

/// Confirm the CQC registration details (R-P3)
///
/// Route B: confirm (or not) that the CQC registration details shown are the practice's (R-P3). If
/// they are not, check the CQC location ID or contact support.
#[utoipa::path(
    tag = "registration",
    operation_id = "confirmCqcDetails",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = CqcConfirmation,
    responses(
        (status = 200, description = "The application with the confirmation recorded.", body = ApplicationView),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Not a route B application, or already submitted.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "not_route_b", "rule": "R-P3", "detail": "Only practices found through the CQC directory (route B) have CQC details to confirm."})),
        (status = 422, description = "`confirmed` is missing.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/confirmed", "code": "required", "rule": "R-P3", "detail": "Say whether these are your practice's CQC registration details."}]})),
    )
)]
#[put("/v1/applications/{id}/cqc-confirmation")]
pub async fn confirm_cqc_details(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<CqcConfirmation>,
) -> Result<HttpResponse, ApiError> {
    let application = practice::confirm_cqc_details(&state.app, &caller, &path, body.0.confirmed).await?;
    Ok(HttpResponse::Ok().json(ApplicationView::from(&application)))
}

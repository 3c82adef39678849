//! Confirm and finish: submission checks everything at once (R-S1), reserves every member's
//! mobile across the service (R-R7), is idempotent (R-S2) and leaves the application read-only
//! for the applicant (R-S3).

use crate::http::caller::Caller;
use crate::http::extract::JsonOrEmpty;
use crate::http::problem::ProblemType;
use crate::http::problem::{ApiError, NoApplicationToken, NotFoundForCaller, Problem};
use crate::models::application::{IDEMPOTENCY_HEADER, SubmissionReceipt, SubmissionRequest};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, post, web};
use app::registration::submission;

/// The `Idempotency-Key` header, if sent: 1 to 200 visible ASCII characters.
fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::new(ProblemType::MalformedRequest)
            .detail(format!("`{IDEMPOTENCY_HEADER}` must be 1 to 200 visible ASCII characters, e.g. a UUID.")));
    }
    Ok(Some(key.to_owned()))
}

/// Confirm and submit (R-S1–R-S3)
///
/// Everything missing is listed at once. Send an `Idempotency-Key` header: a retry with the same
/// key returns the original receipt (with `Idempotent-Replayed: true`) and never submits twice.
#[utoipa::path(
    tag = "registration",
    operation_id = "submitApplication",
    security(("application_token" = [])),
    params(
        ("id" = String, Path, description = "Application id"),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, pattern = r"^[!-~]+$", nullable = false,
            description = "Any unique value of 1 to 200 visible ASCII characters (e.g. a UUID) identifying this submission attempt (R-S2)."),
    ),
    request_body = Option<SubmissionRequest>,
    responses(
        (status = 200, description = "Submitted (or the original receipt, for a replay).", body = SubmissionReceipt,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is a replayed submission"))),
        (status = 400, description = "A malformed `Idempotency-Key` or body.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/malformed-request", "title": "The request could not be read", "status": 400, "detail": "`Idempotency-Key` must be 1 to 200 visible ASCII characters, e.g. a UUID."})),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Already submitted with another key, or ended (R-S3).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "application_read_only", "rule": "R-S3", "detail": "This application has been submitted and can no longer be changed."})),
        (status = 422, description = "Everything missing or in conflict, at once: each pointer names the part of the application (e.g. `/town`, `/members`, `/members/2/mobile`) or the request (`/confirm_data_correct`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "3 fields are not valid.",
                "errors": [{"pointer": "/town", "code": "town_required", "rule": "R-T1", "detail": "Select or enter the town for the shared mailbox name."},
                           {"pointer": "/members", "code": "roster_too_small", "rule": "R-R1", "detail": "At least 2 members are required; 1 specified."},
                           {"pointer": "/confirm_data_correct", "code": "confirmation_required", "rule": "R-S1", "detail": "Confirm that all the data entered is correct to the best of your knowledge."}]})),
    )
)]
#[post("/v1/applications/{id}/submission")]
pub async fn submit_application(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonOrEmpty<SubmissionRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let confirmed = body.0.confirm_data_correct == Some(true);
    let receipt = submission::submit(&state.app, &caller, &path, key, confirmed).await?;
    let mut response = HttpResponse::Ok();
    if receipt.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(response.json(SubmissionReceipt::from(&receipt)))
}

//! Proving the applicant acts for the practice: ask for a one-time passcode (by email to the
//! registered manager on record, or by post to the CQC registered address), then verify with the
//! CQC location id and the passcode or the CQC contact id.

use crate::http::caller::Caller;
use crate::http::extract::{Json, JsonOrEmpty};
use crate::http::problem::{ApiError, NoApplicationToken, NotFoundForCaller, Problem};
use crate::models::application::ApplicationView;
use crate::models::practice::{PasscodeIssued, PasscodeRequest, Verification};
use crate::state::AppState;
use actix_web::{HttpResponse, post, web};
use app::registration::verification;

/// Send a one-time passcode for the practice (R-O1)
///
/// Send a one-time passcode for the practice (R-O1): by email to the registered manager's address
/// on record, or by post to the CQC registered address. Never to an address the applicant typed.
/// Limited per practice and per client (R-O5).
#[utoipa::path(
    tag = "registration",
    operation_id = "requestPasscode",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = Option<PasscodeRequest>,
    responses(
        (status = 202, description = "The passcode is on its way.", body = PasscodeIssued),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "The practice is not identified yet, or is already verified.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "practice_not_identified", "rule": "R-P2", "detail": "Identify the practice first."})),
        (status = 422, description = "Email asked for but no email on record (R-O1).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/channel", "code": "passcode_email_not_on_record", "rule": "R-O1", "detail": "There is no registered manager email address on record for this practice, so the passcode can only be sent by post."}]})),
        (status = 429, description = "Too many passcodes for this practice or from this client (R-O5).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/rate-limited", "title": "Too many attempts", "status": 429, "code": "passcode_limit_reached", "rule": "R-O5",
                "detail": "No more passcodes can be sent for this practice just now. The next one can be requested from 5 December 2026 10:00 UTC.", "retry_after_seconds": 1209600, "next_request_allowed_at": "2026-12-05T10:00:00+00:00"})),
    )
)]
#[post("/v1/applications/{id}/passcode-requests")]
pub async fn request_passcode(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonOrEmpty<PasscodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let channel = body.0.channel.map(Into::into);
    let issued = verification::request_passcode(&state.app, &caller, &path, channel).await?;
    Ok(HttpResponse::Accepted().json(PasscodeIssued::from(issued)))
}

/// Verify the practice with a passcode or its CQC contact ID
///
/// Verify the practice with its CQC location ID and a passcode or the CQC contact ID. On success
/// the practice is held by this application (R-P5). Failures say how many attempts remain; repeated
/// failures lock verification for a while (R-O6).
#[utoipa::path(
    tag = "registration",
    operation_id = "verifyPractice",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = Verification,
    responses(
        (status = 200, description = "Verified: the application, now able to take a town and members.", body = ApplicationView),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Not ready to verify, already verified, contact ID not available for this practice, or another application holds the practice (R-P5).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "contact_id_not_available", "rule": "R-P3", "detail": "This practice can only be verified with a one-time passcode."})),
        (status = 422, description = "Malformed values (`validation-failed`), or a value that does not match, or a passcode that expired or was used (`verification-failed`, with `attempts_remaining`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/verification-failed", "title": "The practice could not be verified", "status": 422, "detail": "The passcode is not right for this practice. 4 attempts remain.",
                "attempts_remaining": 4, "errors": [{"pointer": "/passcode", "code": "passcode_incorrect", "rule": "R-O6", "detail": "The passcode is not right for this practice."}]})),
        (status = 429, description = "Locked after repeated failures (R-O6).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/verification-locked", "title": "Too many failed verification attempts", "status": 429, "code": "verification_locked", "rule": "R-O6",
                "detail": "Too many failed attempts for this practice or application. Try again after 21 November 2026 18:45 UTC.", "retry_after_seconds": 900, "locked_until": "2026-11-21T18:45:00+00:00", "attempts_remaining": 0})),
    )
)]
#[post("/v1/applications/{id}/verification")]
pub async fn verify_practice(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<Verification>,
) -> Result<HttpResponse, ApiError> {
    let application = verification::verify(&state.app, &caller, &path, &body.0.into()).await?;
    Ok(HttpResponse::Ok().json(ApplicationView::from(&application)))
}

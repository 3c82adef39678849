//! The problem document (RFC 9457) as clients receive it, with the field errors it lists, and
//! the standard responses the contract refers to.

use crate::models::application::Eligibility;
pub use crate::models::field_error::FieldErrorView;
use crate::models::reference::ImportReportView;
use crate::wire::{ApplicationStatus, Code, ProblemTypeUri};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{ToResponse, ToSchema};

/// Where another application holds the practice (R-P5): enough to tell the applicant what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ExistingApplication {
    pub status: ApplicationStatus,
    pub started_at: DateTime<Utc>,
}

/// An RFC 9457 problem document, as sent to clients. Members beyond the standard ones are sent
/// only where they apply, and each is listed here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation-failed",
    "title": "Some of the information given is not valid",
    "status": 422,
    "detail": "2 fields are not valid.",
    "instance": "/v1/applications/5b0f1a52-3f2e-4a7b-9a57-8f4f2f0d7c11/practice",
    "request_id": "0b6f4c1e-5d0c-4b8e-9d7e-3f1a2b3c4d5e",
    "errors": [
        {"pointer": "/postcode", "code": "postcode_invalid", "rule": "R-P1", "detail": "Enter a real UK postcode, like SW19 4AB."},
        {"pointer": "/ods_code", "code": "required", "rule": "R-P4", "detail": "Enter the practice's ODS code."}
    ]
}))]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: ProblemTypeUri,
    /// Short summary of the problem type; the same for every occurrence.
    pub title: String,
    /// The HTTP status code.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// Explanation of this occurrence, for people.
    pub detail: String,
    /// The path of the request this answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, format = "uri-reference", max_length = 2048)]
    pub instance: Option<String>,
    /// Identifier of this request (also in the `X-Request-Id` header), to quote to the support team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, max_length = 64)]
    pub request_id: Option<String>,
    /// Stable reason within the type, where the type covers several (e.g. which rule refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub code: Option<Code>,
    /// The rule of the service that applies, e.g. `R-P5`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, pattern = r"^R-[A-Z]+[0-9]+$", example = "R-P5")]
    pub rule: Option<String>,
    /// Every failing field (all at once), for `validation-failed` and the problems that point at
    /// a value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldErrorView>,
    /// Seconds to wait before trying again (as in the `Retry-After` header); 429 and 503.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, minimum = 1)]
    pub retry_after_seconds: Option<u64>,
    /// Tries left before verification or a reset locks (R-O6, R-L7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub attempts_remaining: Option<u32>,
    /// When a lock ends (R-O6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub locked_until: Option<DateTime<Utc>>,
    /// When the next passcode can be sent (R-O5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_request_allowed_at: Option<DateTime<Utc>>,
    /// `not-eligible`: the questionnaire's full outcome, with explanations and next steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub eligibility: Option<Eligibility>,
    /// `practice_has_live_application`: the application holding the practice (R-P5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub existing_application: Option<ExistingApplication>,
    /// A refused reference-data file: what was read and every bad row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub report: Option<ImportReportView>,
}

/// No application token, or one that is not valid.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/unauthorized", "title": "Authentication is required", "status": 401, "detail": "The application token is not valid.", "request_id": "0b6f4c1e-5d0c-4b8e-9d7e-3f1a2b3c4d5e"})
)]
pub struct NoApplicationToken(pub Problem);

/// Nothing here that this caller may see: another application's id, or no such object.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/not-found", "title": "Not found", "status": 404, "detail": "There is nothing here, or nothing you may see.", "request_id": "0b6f4c1e-5d0c-4b8e-9d7e-3f1a2b3c4d5e"})
)]
pub struct NotFoundForCaller(pub Problem);

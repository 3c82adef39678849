//! The error policy: how every failure becomes an HTTP response. All error responses are
//! RFC 9457 `application/problem+json`.
//!
//! - `type` is a stable relative URI, `/problems/<slug>`, and that path serves the type's
//!   documentation. Clients match on `type`, never on `title` or `detail`.
//! - Unreadable input (malformed JSON, wrong content type, oversized body): 400, 415, 413.
//! - Readable but invalid input: 422 with `errors`, one `{pointer, code, rule, detail}` per
//!   failing field, all fields at once.
//! - A rule that forbids the action in the current state: 409 (or the rule's own status).
//! - Missing, unknown or someone else's object: 404. We never confirm that an object exists to
//!   a caller who may not see it.
//! - Too many attempts: 429 with `Retry-After`.
//! - Database down, locked or out of connections: 503 with `Retry-After`.
//! - Anything else: the cause is logged with the request id; the client gets an opaque 500.
//!
//! Every problem carries the `request_id` the support team can search the logs for.

use crate::http::request_id;
use crate::models::application::Eligibility;
use crate::models::helpdesk::ImportReportView;
use crate::wire::{ApplicationStatus, Code, ProblemTypeUri};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use app::ErrorKind;
pub use app::error::pointer;
pub use app::{FieldError, Validator};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use persistence::StoreError;
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::{ToResponse, ToSchema};

/// Problem types: stable identifiers for every kind of error the API returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemType {
    MalformedRequest,
    UnsupportedMediaType,
    PayloadTooLarge,
    ValidationFailed,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    RateLimited,
    ServiceUnavailable,
    InternalError,
    NotEligible,
    VerificationFailed,
    VerificationLocked,
}

impl ProblemType {
    pub const ALL: [ProblemType; 15] = [
        Self::MalformedRequest,
        Self::UnsupportedMediaType,
        Self::PayloadTooLarge,
        Self::ValidationFailed,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::RateLimited,
        Self::ServiceUnavailable,
        Self::InternalError,
        Self::NotEligible,
        Self::VerificationFailed,
        Self::VerificationLocked,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::MalformedRequest => "malformed-request",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::PayloadTooLarge => "payload-too-large",
            Self::ValidationFailed => "validation-failed",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Conflict => "conflict",
            Self::RateLimited => "rate-limited",
            Self::ServiceUnavailable => "service-unavailable",
            Self::InternalError => "internal-error",
            Self::NotEligible => "not-eligible",
            Self::VerificationFailed => "verification-failed",
            Self::VerificationLocked => "verification-locked",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::MalformedRequest => "The request could not be read",
            Self::UnsupportedMediaType => "The request body must be JSON",
            Self::PayloadTooLarge => "The request body is too large",
            Self::ValidationFailed => "Some of the information given is not valid",
            Self::Unauthorized => "Authentication is required",
            Self::Forbidden => "You are not allowed to do this",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "This method is not allowed here",
            Self::Conflict => "This conflicts with the current state",
            Self::RateLimited => "Too many attempts",
            Self::ServiceUnavailable => "The service is temporarily unavailable",
            Self::InternalError => "Something went wrong on our side",
            Self::NotEligible => "You cannot apply",
            Self::VerificationFailed => "The practice could not be verified",
            Self::VerificationLocked => "Too many failed verification attempts",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::MalformedRequest => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            Self::NotEligible => StatusCode::UNPROCESSABLE_ENTITY,
            Self::VerificationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            Self::VerificationLocked => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// What the problem means and what a client should do, served at the type's URI.
    pub fn description(self) -> &'static str {
        match self {
            Self::MalformedRequest => {
                "The body is not well-formed JSON, or a path or query parameter could not be read. Fix the request; retrying it unchanged will fail again."
            }
            Self::UnsupportedMediaType => "Request bodies must be sent with `Content-Type: application/json`.",
            Self::PayloadTooLarge => "The request body is larger than the service accepts.",
            Self::ValidationFailed => {
                "The request was readable but some values break the rules. `errors` lists every failing field as a JSON pointer into the request, with a stable `code`, the specification `rule` id where there is one, and a `detail` to show to people."
            }
            Self::Unauthorized => {
                "No credentials, or credentials that are invalid or expired, were given. Send a valid bearer token in the `Authorization` header."
            }
            Self::Forbidden => "The credentials are valid but do not allow this action.",
            Self::NotFound => "There is nothing here, or nothing the caller may see.",
            Self::MethodNotAllowed => "The resource exists but does not support this HTTP method.",
            Self::Conflict => {
                "A rule of the service forbids this action in the current state. `code` and `rule` say which; `detail` says what to do."
            }
            Self::RateLimited => {
                "Too many attempts in a short time. Wait for the number of seconds in `Retry-After` (also `retry_after_seconds`) before trying again."
            }
            Self::ServiceUnavailable => {
                "The service cannot reach its database or is overloaded. Retry after the number of seconds in `Retry-After`."
            }
            Self::InternalError => {
                "An unexpected error. It has been logged; quote the `request_id` to the support team."
            }
            Self::NotEligible => {
                "The questionnaire answers rule out an application (R-E1, R-E2). `errors` points at each answer that does, and `eligibility` holds the full outcome with explanations and next steps to show."
            }
            Self::VerificationFailed => {
                "The CQC location ID, passcode or CQC contact ID did not match, or the passcode has expired or was used already. `errors` points at the value and says which; `attempts_remaining` says how many more tries are allowed before a lock (R-O6)."
            }
            Self::VerificationLocked => {
                "Verification for this practice or application is locked after repeated failures (R-O6). No attempt is checked until `locked_until`; `Retry-After` gives the seconds to wait."
            }
        }
    }

    /// The kind of use-case error of the same meaning (for refusals the HTTP layer makes itself).
    pub fn kind(self) -> ErrorKind {
        match self {
            Self::MalformedRequest | Self::UnsupportedMediaType | Self::PayloadTooLarge | Self::ValidationFailed => {
                ErrorKind::Invalid
            }
            Self::Unauthorized => ErrorKind::Unauthorized,
            Self::Forbidden => ErrorKind::Forbidden,
            Self::NotFound => ErrorKind::NotFound,
            Self::MethodNotAllowed | Self::Conflict => ErrorKind::Conflict,
            Self::RateLimited => ErrorKind::RateLimited,
            Self::ServiceUnavailable => ErrorKind::Unavailable,
            Self::InternalError => ErrorKind::Internal,
            Self::NotEligible => ErrorKind::NotEligible,
            Self::VerificationFailed => ErrorKind::VerificationFailed,
            Self::VerificationLocked => ErrorKind::VerificationLocked,
        }
    }

    pub fn uri(self) -> String {
        format!("/problems/{}", self.slug())
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.slug() == slug)
    }
}

/// One failing field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = FieldError, example = json!({"pointer": "/members/0/mobile", "code": "mobile_pager", "rule": "R-R6", "detail": "076 numbers are pagers, not mobiles; enter a UK mobile number."}))]
pub struct FieldErrorView {
    /// JSON pointer (RFC 6901) to the failing value in the request, e.g. `/members/0/mobile`;
    /// for a query parameter, `/query/<name>`; for a header, `/header/<name>`; empty for the
    /// request as a whole.
    #[schema(max_length = 200)]
    pub pointer: String,
    pub code: Code,
    /// The rule of the service this enforces, where there is one, e.g. `R-R6`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, pattern = r"^R-[A-Z]+[0-9]+$", example = "R-R6")]
    pub rule: Option<String>,
    /// Explanation for people.
    pub detail: String,
    /// A value that would be accepted, where the service can propose one (e.g. a shortened town).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub suggestion: Option<String>,
}

impl From<&FieldError> for FieldErrorView {
    fn from(error: &FieldError) -> Self {
        Self {
            pointer: error.pointer.clone(),
            code: Code(error.code),
            rule: error.rule.clone(),
            detail: error.detail.clone(),
            suggestion: error.suggestion.clone(),
        }
    }
}

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

/// An error on its way to becoming a problem response: a use case's [`app::Error`] with the
/// problem type it maps to, or a refusal of the HTTP layer itself (an unreadable body, a method
/// the path does not take).
#[derive(Debug)]
pub struct ApiError {
    problem_type: ProblemType,
    error: app::Error,
    /// The `Allow` header of a 405.
    allow: Option<String>,
}

impl ApiError {
    pub fn new(problem_type: ProblemType) -> Self {
        Self { problem_type, error: app::Error::new(problem_type.kind()), allow: None }
    }

    fn map(mut self, f: impl FnOnce(app::Error) -> app::Error) -> Self {
        self.error = f(self.error);
        self
    }

    pub fn detail(self, detail: impl Into<String>) -> Self {
        self.map(|e| e.detail(detail))
    }

    pub fn with_code(self, code: ProblemCode, rule: Option<&str>) -> Self {
        self.map(|e| e.with_code(code, rule))
    }

    pub fn with_errors(self, errors: Vec<FieldError>) -> Self {
        self.map(|e| e.with_errors(errors))
    }

    pub fn retry_after(self, seconds: u64) -> Self {
        self.map(|e| e.retry_after(seconds))
    }

    pub fn attempts_remaining(self, remaining: u32) -> Self {
        self.map(|e| e.attempts_remaining(remaining))
    }

    pub fn locked_until(self, until: DateTime<Utc>) -> Self {
        self.map(|e| e.locked_until(until))
    }

    pub fn next_request_allowed_at(self, at: DateTime<Utc>) -> Self {
        self.map(|e| e.next_request_allowed_at(at))
    }

    pub fn eligibility(self, outcome: domain::eligibility::EligibilityOutcome) -> Self {
        self.map(|e| e.eligibility(outcome))
    }

    pub fn existing_application(self, existing: app::ExistingApplication) -> Self {
        self.map(|e| e.existing_application(existing))
    }

    pub fn refused(violation: &dyn domain::Violation) -> Self {
        app::Error::refused(violation).into()
    }

    pub fn unavailable(cause: impl Into<String>) -> Self {
        app::Error::unavailable(cause).into()
    }

    /// The methods a path takes, for a 405.
    pub fn allow(mut self, methods: &str) -> Self {
        self.allow = Some(methods.to_owned());
        self
    }

    pub fn problem_type(&self) -> ProblemType {
        self.problem_type
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        app::Error::validation(errors).into()
    }

    pub fn not_found() -> Self {
        app::Error::not_found().into()
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        app::Error::unauthorized(detail).into()
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        app::Error::internal(cause).into()
    }

    pub fn to_problem(&self) -> Problem {
        let error = &self.error;
        let extras = error.extras();
        Problem {
            problem_type: ProblemTypeUri(self.problem_type),
            title: self.problem_type.title().to_owned(),
            status: self.problem_type.status().as_u16(),
            detail: error.detail_text().map_or_else(|| self.problem_type.title().to_owned(), str::to_owned),
            instance: request_id::current_path(),
            request_id: request_id::current(),
            code: error.code().map(Code),
            rule: error.rule().map(str::to_owned),
            errors: error.errors().iter().map(FieldErrorView::from).collect(),
            retry_after_seconds: error.retry_after_seconds(),
            attempts_remaining: extras.attempts_remaining,
            locked_until: extras.locked_until,
            next_request_allowed_at: extras.next_request_allowed_at,
            eligibility: extras.eligibility.as_ref().map(Eligibility::from),
            existing_application: extras
                .existing_application
                .map(|e| ExistingApplication { status: e.status.into(), started_at: e.started_at }),
            report: extras.report.as_ref().map(ImportReportView::from),
        }
    }
}

impl From<app::Error> for ApiError {
    fn from(error: app::Error) -> Self {
        let problem_type = match error.kind() {
            ErrorKind::Invalid => ProblemType::ValidationFailed,
            ErrorKind::NotEligible => ProblemType::NotEligible,
            ErrorKind::VerificationFailed => ProblemType::VerificationFailed,
            ErrorKind::VerificationLocked => ProblemType::VerificationLocked,
            ErrorKind::Unauthorized => ProblemType::Unauthorized,
            ErrorKind::Forbidden => ProblemType::Forbidden,
            ErrorKind::NotFound => ProblemType::NotFound,
            ErrorKind::Conflict => ProblemType::Conflict,
            ErrorKind::RateLimited => ProblemType::RateLimited,
            ErrorKind::Unavailable => ProblemType::ServiceUnavailable,
            ErrorKind::Internal => ProblemType::InternalError,
        };
        Self { problem_type, error, allow: None }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.problem_type.slug(), self.error)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.problem_type.status()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            log::error!(
                "request_id={} problem={} cause={}",
                request_id::current().unwrap_or_default(),
                self.problem_type.slug(),
                self.error.cause_text().unwrap_or("-")
            );
        }
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        if let Some(seconds) = self.error.retry_after_seconds() {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if let Some(methods) = &self.allow {
            response.insert_header((header::ALLOW, methods.as_str()));
        }
        if self.problem_type == ProblemType::Unauthorized {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.body(serde_json::to_string(&self.to_problem()).unwrap_or_default())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        app::Error::from(error).into()
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        app::Error::unavailable(format!("blocking pool: {error}")).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::postcode::Postcode;

    #[test]
    fn every_problem_type_has_a_distinct_slug_and_an_error_status() {
        let mut slugs: Vec<_> = ProblemType::ALL.iter().map(|p| p.slug()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), ProblemType::ALL.len());
        for problem in ProblemType::ALL {
            assert!(problem.status().is_client_error() || problem.status().is_server_error());
            assert_eq!(ProblemType::from_slug(problem.slug()), Some(problem));
        }
    }

    #[test]
    fn a_validation_error_becomes_a_422_naming_every_field() {
        let mut v = Validator::new();
        let a = v.check("/a", Postcode::parse("nope"));
        let b = v.check("/b", Postcode::parse(""));
        let error: ApiError = v.finish(|| Some((a?, b?))).unwrap_err().into();
        let problem = error.to_problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.problem_type.0.uri(), "/problems/validation-failed");
        let pointers: Vec<_> = problem.errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/a", "/b"]);
        assert_eq!(problem.errors[0].rule.as_deref(), Some("R-P1"));
    }

    #[test]
    fn internal_errors_never_reveal_their_cause() {
        let problem = ApiError::internal("password=hunter2 at db.rs:42").to_problem();
        let body = serde_json::to_string(&problem).unwrap();
        assert!(!body.contains("hunter2"));
        assert_eq!(problem.status, 500);
    }
}

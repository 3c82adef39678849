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

use crate::reference_import::ImportReport;
use crate::request_id;
use crate::views::Eligibility;
use crate::wire::{ApplicationStatus, Code, ProblemTypeUri};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use domain::Violation;
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

    pub fn uri(self) -> String {
        format!("/problems/{}", self.slug())
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.slug() == slug)
    }
}

/// One failing field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"pointer": "/members/0/mobile", "code": "mobile_pager", "rule": "R-R6", "detail": "076 numbers are pagers, not mobiles; enter a UK mobile number."}))]
pub struct FieldError {
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

impl FieldError {
    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }

    pub fn new(pointer: impl Into<String>, code: ProblemCode, rule: Option<&str>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            code: Code(code),
            rule: rule.map(str::to_owned),
            detail: detail.into(),
            suggestion: None,
        }
    }

    pub fn from_violation(pointer: impl Into<String>, violation: &dyn Violation) -> Self {
        Self::new(pointer, violation.code(), violation.rule(), violation.to_string())
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
    pub errors: Vec<FieldError>,
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
    pub report: Option<ImportReport>,
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

/// Members of a problem that only some problems carry.
#[derive(Debug, Default)]
struct Extras {
    attempts_remaining: Option<u32>,
    locked_until: Option<DateTime<Utc>>,
    next_request_allowed_at: Option<DateTime<Utc>>,
    eligibility: Option<Eligibility>,
    existing_application: Option<ExistingApplication>,
    report: Option<ImportReport>,
}

/// An error on its way to becoming a problem response (boxed: errors travel through every
/// `Result` in the API, so they must stay small).
#[derive(Debug)]
pub struct ApiError(Box<ErrorParts>);

#[derive(Debug)]
struct ErrorParts {
    problem_type: ProblemType,
    detail: Option<String>,
    code: Option<ProblemCode>,
    rule: Option<String>,
    errors: Vec<FieldError>,
    extras: Extras,
    retry_after_seconds: Option<u64>,
    /// The `Allow` header of a 405.
    allow: Option<String>,
    /// Logged, never sent.
    cause: Option<String>,
}

impl ApiError {
    pub fn new(problem_type: ProblemType) -> Self {
        Self(Box::new(ErrorParts {
            problem_type,
            detail: None,
            code: None,
            rule: None,
            errors: Vec::new(),
            extras: Extras::default(),
            retry_after_seconds: None,
            allow: None,
            cause: None,
        }))
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.0.detail = Some(detail.into());
        self
    }

    pub fn with_code(mut self, code: ProblemCode, rule: Option<&str>) -> Self {
        self.0.code = Some(code);
        self.0.rule = rule.map(str::to_owned);
        self
    }

    pub fn attempts_remaining(mut self, remaining: u32) -> Self {
        self.0.extras.attempts_remaining = Some(remaining);
        self
    }

    pub fn locked_until(mut self, until: DateTime<Utc>) -> Self {
        self.0.extras.locked_until = Some(until);
        self
    }

    pub fn next_request_allowed_at(mut self, at: DateTime<Utc>) -> Self {
        self.0.extras.next_request_allowed_at = Some(at);
        self
    }

    pub fn eligibility(mut self, eligibility: Eligibility) -> Self {
        self.0.extras.eligibility = Some(eligibility);
        self
    }

    pub fn existing_application(mut self, existing: ExistingApplication) -> Self {
        self.0.extras.existing_application = Some(existing);
        self
    }

    pub fn report(mut self, report: ImportReport) -> Self {
        self.0.extras.report = Some(report);
        self
    }

    /// The methods a path takes, for a 405.
    pub fn allow(mut self, methods: &str) -> Self {
        self.0.allow = Some(methods.to_owned());
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.0.retry_after_seconds = Some(seconds.max(1));
        self
    }

    /// Field errors on a problem of another type than `validation-failed`.
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.0.errors = errors;
        self
    }

    fn cause(mut self, cause: impl Into<String>) -> Self {
        self.0.cause = Some(cause.into());
        self
    }

    pub fn problem_type(&self) -> ProblemType {
        self.0.problem_type
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => "1 field is not valid.".to_owned(),
            n => format!("{n} fields are not valid."),
        };
        let mut error = Self::new(ProblemType::ValidationFailed).detail(detail);
        error.0.errors = errors;
        error
    }

    pub fn not_found() -> Self {
        Self::new(ProblemType::NotFound).detail("There is nothing here, or nothing you may see.")
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Unauthorized).detail(detail)
    }

    /// A rule refuses the action: 409 naming the rule.
    pub fn refused(violation: &dyn Violation) -> Self {
        Self::new(ProblemType::Conflict).with_code(violation.code(), violation.rule()).detail(violation.to_string())
    }

    pub fn unavailable(cause: impl Into<String>) -> Self {
        Self::new(ProblemType::ServiceUnavailable)
            .detail("The service is busy or cannot reach its database; please try again shortly.")
            .retry_after(5)
            .cause(cause)
    }

    /// An unexpected failure: the cause is logged, the client sees an opaque 500.
    pub fn internal(cause: impl fmt::Display) -> Self {
        Self::new(ProblemType::InternalError)
            .detail("An unexpected error occurred. It has been logged.")
            .cause(cause.to_string())
    }

    pub fn to_problem(&self) -> Problem {
        let parts = &self.0;
        let extras = &parts.extras;
        Problem {
            problem_type: ProblemTypeUri(parts.problem_type),
            title: parts.problem_type.title().to_owned(),
            status: parts.problem_type.status().as_u16(),
            detail: parts.detail.clone().unwrap_or_else(|| parts.problem_type.title().to_owned()),
            instance: request_id::current_path(),
            request_id: request_id::current(),
            code: parts.code.map(Code),
            rule: parts.rule.clone(),
            errors: parts.errors.clone(),
            retry_after_seconds: parts.retry_after_seconds,
            attempts_remaining: extras.attempts_remaining,
            locked_until: extras.locked_until,
            next_request_allowed_at: extras.next_request_allowed_at,
            eligibility: extras.eligibility.clone(),
            existing_application: extras.existing_application.clone(),
            report: extras.report.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.problem_type.slug())?;
        if let Some(cause) = &self.0.cause {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.problem_type.status()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            log::error!(
                "request_id={} problem={} cause={}",
                request_id::current().unwrap_or_default(),
                self.0.problem_type.slug(),
                self.0.cause.as_deref().unwrap_or("-")
            );
        }
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        if let Some(seconds) = self.0.retry_after_seconds {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if let Some(methods) = &self.0.allow {
            response.insert_header((header::ALLOW, methods.as_str()));
        }
        if self.0.problem_type == ProblemType::Unauthorized {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.body(serde_json::to_string(&self.to_problem()).unwrap_or_default())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::not_found(),
            StoreError::Conflict(conflict) => Self::refused(&conflict),
            StoreError::Unavailable(cause) => Self::unavailable(cause),
            other => Self::internal(other),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::unavailable(format!("blocking pool: {error}"))
    }
}

/// Collects every field error of a request, then builds the domain value only if there are none.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value, or records the violation at `pointer`.
    pub fn check<T, E: Violation>(&mut self, pointer: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(violation) => {
                self.errors.push(FieldError::from_violation(pointer, &violation));
                None
            }
        }
    }

    /// Records a field error directly.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Err` listing every recorded error, or the value `build` makes from the checked fields.
    /// `build` returns `None` only if a field was skipped without recording why, which is a bug.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
        if !self.errors.is_empty() {
            return Err(ApiError::validation(self.errors));
        }
        build().ok_or_else(|| ApiError::internal("validator: a field failed without an error"))
    }
}

/// A JSON pointer (RFC 6901) from path segments.
pub fn pointer<'a>(segments: impl IntoIterator<Item = &'a str>) -> String {
    segments.into_iter().map(|segment| format!("/{}", segment.replace('~', "~0").replace('/', "~1"))).collect()
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
    fn the_validator_reports_every_failing_field() {
        let mut v = Validator::new();
        let a = v.check("/a", Postcode::parse("nope"));
        let b = v.check("/b", Postcode::parse(""));
        let c = v.check("/c", Postcode::parse("sw194ab"));
        assert!(c.is_some());
        let error = v.finish(|| Some((a?, b?, c?))).unwrap_err();
        let problem = error.to_problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.problem_type.0.uri(), "/problems/validation-failed");
        let pointers: Vec<_> = problem.errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/a", "/b"]);
        assert_eq!(problem.errors[0].rule.as_deref(), Some("R-P1"));
    }

    #[test]
    fn pointers_escape_special_characters() {
        assert_eq!(pointer(["members", "0", "mobile"]), "/members/0/mobile");
        assert_eq!(pointer(["a/b", "c~d"]), "/a~1b/c~0d");
    }

    #[test]
    fn internal_errors_never_reveal_their_cause() {
        let problem = ApiError::internal("password=hunter2 at db.rs:42").to_problem();
        let body = serde_json::to_string(&problem).unwrap();
        assert!(!body.contains("hunter2"));
        assert_eq!(problem.status, 500);
    }
}

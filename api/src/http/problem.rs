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
pub use crate::models::problem::{ExistingApplication, FieldErrorView, NoApplicationToken, NotFoundForCaller, Problem};
use crate::models::reference::ImportReportView;
pub use crate::wire::ProblemType;
use crate::wire::{Code, ProblemTypeUri};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use app::ErrorKind;
pub use app::error::pointer;
pub use app::{FieldError, Validator};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use std::fmt;

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

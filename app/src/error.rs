//! The one error of the use cases. It says what kind of refusal or failure happened, in terms a
//! person or a client program can act on, and carries what goes with it (the failing fields,
//! the rule, when to try again); it knows nothing of HTTP. The API maps each kind to a status
//! and a problem type in one place.

use chrono::{DateTime, Utc};
use domain::eligibility::EligibilityOutcome;
use domain::journey::ApplicationStatus;
use domain::{ProblemCode, Violation};
use persistence::StoreError;
use std::fmt;

/// What went wrong, as a client must understand it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Values break the rules; `errors` lists every failing field.
    Invalid,
    /// The questionnaire rules the applicant out (R-E1, R-E2).
    NotEligible,
    /// A passcode, contact ID or reset code did not match, or no longer works.
    VerificationFailed,
    /// Verification is locked after repeated failures (R-O6).
    VerificationLocked,
    /// No credentials, or credentials that do not (or no longer) work.
    Unauthorized,
    /// Valid credentials that do not allow this (yet).
    Forbidden,
    /// Nothing here the caller may see.
    NotFound,
    /// A rule forbids this in the current state.
    Conflict,
    /// Too many attempts; try again later.
    RateLimited,
    /// The database (or another dependency) cannot be reached; try again shortly.
    Unavailable,
    /// A fault of ours; the cause is logged, never shown.
    Internal,
}

/// One failing field of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// JSON pointer (RFC 6901) to the failing value, e.g. `/members/0/mobile`; `/query/<name>`
    /// for a query parameter; empty for the request as a whole.
    pub pointer: String,
    pub code: ProblemCode,
    /// The rule of the service this enforces, e.g. `R-R6`.
    pub rule: Option<String>,
    /// For people.
    pub detail: String,
    /// A value that would be accepted, where the service can propose one.
    pub suggestion: Option<String>,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, code: ProblemCode, rule: Option<&str>, detail: impl Into<String>) -> Self {
        Self { pointer: pointer.into(), code, rule: rule.map(str::to_owned), detail: detail.into(), suggestion: None }
    }

    pub fn from_violation(pointer: impl Into<String>, violation: &dyn Violation) -> Self {
        Self::new(pointer, violation.code(), violation.rule(), violation.to_string())
    }

    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }
}

/// The application that holds a practice (R-P5), for the applicant who finds it taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExistingApplication {
    pub status: ApplicationStatus,
    pub started_at: DateTime<Utc>,
}

/// What some refusals carry besides their words.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub attempts_remaining: Option<u32>,
    pub locked_until: Option<DateTime<Utc>>,
    pub next_request_allowed_at: Option<DateTime<Utc>>,
    pub eligibility: Option<EligibilityOutcome>,
    pub existing_application: Option<ExistingApplication>,
    pub report: Option<crate::reference::ImportReport>,
}

/// A refusal or failure (boxed: errors travel through every `Result`, so they stay small).
#[derive(Debug)]
pub struct Error(Box<Parts>);

#[derive(Debug)]
struct Parts {
    kind: ErrorKind,
    detail: Option<String>,
    code: Option<ProblemCode>,
    rule: Option<String>,
    errors: Vec<FieldError>,
    extras: Extras,
    retry_after_seconds: Option<u64>,
    /// Logged, never shown.
    cause: Option<String>,
    /// Transactions collided; running the work again may succeed.
    contention: bool,
}

impl Error {
    pub fn new(kind: ErrorKind) -> Self {
        Self(Box::new(Parts {
            kind,
            detail: None,
            code: None,
            rule: None,
            errors: Vec::new(),
            extras: Extras::default(),
            retry_after_seconds: None,
            cause: None,
            contention: false,
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

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.0.errors = errors;
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.0.retry_after_seconds = Some(seconds.max(1));
        self
    }

    /// Seconds until `until`, at least one.
    pub fn retry_at(self, until: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        self.retry_after(u64::try_from((until - now).num_seconds()).unwrap_or(1))
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

    pub fn eligibility(mut self, outcome: EligibilityOutcome) -> Self {
        self.0.extras.eligibility = Some(outcome);
        self
    }

    pub fn existing_application(mut self, existing: ExistingApplication) -> Self {
        self.0.extras.existing_application = Some(existing);
        self
    }

    pub fn report(mut self, report: crate::reference::ImportReport) -> Self {
        self.0.extras.report = Some(report);
        self
    }

    fn cause(mut self, cause: impl Into<String>) -> Self {
        self.0.cause = Some(cause.into());
        self
    }

    /// Every failing field at once.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => "1 field is not valid.".to_owned(),
            n => format!("{n} fields are not valid."),
        };
        Self::new(ErrorKind::Invalid).detail(detail).with_errors(errors)
    }

    /// One failing field.
    pub fn field(pointer: impl Into<String>, violation: &dyn Violation) -> Self {
        Self::validation(vec![FieldError::from_violation(pointer, violation)])
    }

    pub fn not_found() -> Self {
        Self::new(ErrorKind::NotFound).detail("There is nothing here, or nothing you may see.")
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized).detail(detail)
    }

    /// A rule refuses the action now.
    pub fn refused(violation: &dyn Violation) -> Self {
        Self::new(ErrorKind::Conflict).with_code(violation.code(), violation.rule()).detail(violation.to_string())
    }

    pub fn unavailable(cause: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable)
            .detail("The service is busy or cannot reach its database; please try again shortly.")
            .retry_after(5)
            .cause(cause)
    }

    /// A fault of ours: the cause is logged, never shown.
    pub fn internal(cause: impl fmt::Display) -> Self {
        Self::new(ErrorKind::Internal)
            .detail("An unexpected error occurred. It has been logged.")
            .cause(cause.to_string())
    }

    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    pub fn detail_text(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }

    pub fn code(&self) -> Option<ProblemCode> {
        self.0.code
    }

    pub fn rule(&self) -> Option<&str> {
        self.0.rule.as_deref()
    }

    pub fn errors(&self) -> &[FieldError] {
        &self.0.errors
    }

    pub fn extras(&self) -> &Extras {
        &self.0.extras
    }

    pub fn retry_after_seconds(&self) -> Option<u64> {
        self.0.retry_after_seconds
    }

    /// Whether concurrent transactions collided (a deadlock or serialization failure).
    pub fn is_contention(&self) -> bool {
        self.0.contention
    }

    pub fn cause_text(&self) -> Option<&str> {
        self.0.cause.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0.kind)?;
        if let Some(detail) = &self.0.detail {
            write!(f, ": {detail}")?;
        }
        if let Some(cause) = &self.0.cause {
            write!(f, " ({cause})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::not_found(),
            StoreError::Conflict(conflict) => Self::refused(&conflict),
            StoreError::Unavailable(cause) => Self::unavailable(cause),
            StoreError::Contention(cause) => {
                let mut error = Self::unavailable(cause);
                error.0.contention = true;
                error
            }
            other => Self::internal(other),
        }
    }
}

/// Collects every field error of a request, then builds the value only if there are none.
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

    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Err` listing every recorded error, or the value `build` makes from the checked fields.
    /// `build` returns `None` only if a field was skipped without recording why, which is a bug.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, Error> {
        if !self.errors.is_empty() {
            return Err(Error::validation(self.errors));
        }
        build().ok_or_else(|| Error::internal("validator: a field failed without an error"))
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
    fn the_validator_reports_every_failing_field() {
        let mut v = Validator::new();
        let a = v.check("/a", Postcode::parse("nope"));
        let b = v.check("/b", Postcode::parse(""));
        let c = v.check("/c", Postcode::parse("sw194ab"));
        assert!(c.is_some());
        let error = v.finish(|| Some((a?, b?, c?))).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Invalid);
        let pointers: Vec<_> = error.errors().iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/a", "/b"]);
        assert_eq!(error.errors()[0].rule.as_deref(), Some("R-P1"));
    }

    #[test]
    fn pointers_escape_special_characters() {
        assert_eq!(pointer(["members", "0", "mobile"]), "/members/0/mobile");
        assert_eq!(pointer(["a/b", "c~d"]), "/a~1b/c~0d");
    }

    #[test]
    fn internal_errors_keep_their_cause_apart_from_their_words() {
        let error = Error::internal("password=hunter2 at db.rs:42");
        assert!(!error.detail_text().unwrap().contains("hunter2"));
        assert_eq!(error.cause_text(), Some("password=hunter2 at db.rs:42"));
    }
}

//! The problem types: stable identifiers for every kind of error the API returns, each with its
//! URI, title, HTTP status and meaning. The catalogue is served at `/problems`.

use actix_web::http::StatusCode;
use app::ErrorKind;

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
            Self::UnsupportedMediaType => "The request body is not in a format this operation takes",
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
            Self::UnsupportedMediaType => {
                "Send JSON bodies with `Content-Type: application/json`, and reference-data files with `Content-Type: text/csv`; `detail` says which this operation takes."
            }
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

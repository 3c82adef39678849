//! One failing field of a request, as problem documents and the application's `missing` list
//! carry it.

use crate::wire::Code;
use app::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

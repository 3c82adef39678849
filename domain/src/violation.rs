//! The common face of every broken rule, so the API can report any of them the same way.

/// A rule broken by a value or an action: a stable machine-readable `code`, the id of the rule in
/// the product specification (`R-…`) where there is one, and a sentence for people (`Display`).
pub trait Violation: std::fmt::Display {
    /// Stable, machine-readable identifier of the failure, from the catalogue.
    fn code(&self) -> crate::ProblemCode;
    /// The specification rule this enforces, e.g. `R-R6`.
    fn rule(&self) -> Option<&'static str>;
}

/// Implements [`Violation`] for an error enum from a table of `Variant => (ProblemCode variant, rule)`.
/// Variants may carry data (`Self::V { .. }` matches every variant kind); the data feeds `Display`.
#[macro_export]
macro_rules! violation {
    ($ty:ty { $($variant:ident => ($code:ident, $rule:expr)),+ $(,)? }) => {
        impl $crate::Violation for $ty {
            fn code(&self) -> $crate::ProblemCode {
                match self { $(Self::$variant { .. } => $crate::ProblemCode::$code),+ }
            }
            fn rule(&self) -> Option<&'static str> {
                match self { $(Self::$variant { .. } => $rule),+ }
            }
        }
    };
}

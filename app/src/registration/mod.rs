//! The registration journey (§2 of the specification): the questionnaire, identifying and
//! verifying the practice, the town, the members and the submission, for the applicant holding
//! the application's token.

pub mod context;

pub use context::{Context, member_from_row, requirement_errors, requirement_pointer};

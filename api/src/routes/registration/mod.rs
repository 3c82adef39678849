//! The registration journey, for applicants holding an application token.

pub mod applications;
pub mod members;
pub mod practices;
pub mod submission;
pub mod town;
pub mod verification;

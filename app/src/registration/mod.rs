//! The registration journey (§2 of the specification): the questionnaire, identifying and
//! verifying the practice, the town, the members and the submission, for the applicant holding
//! the application's token.
//!
//! Every use case takes the [`Caller`](crate::Caller) and authenticates it in the same database
//! round trip as its work ([`access`]); changes run in one write transaction that also checks the
//! action is open now, counts as activity and writes the audit record.

mod access;
pub mod application;
pub mod members;
pub mod practice;
pub mod snapshot;
pub mod submission;
pub mod town;
pub mod verification;

pub use crate::application::{Context, Member, Members, member_from_row};
pub use snapshot::{Application, CqcDetails, Practice};

//! Business rules and value types of the NHSmail dental practice registration service.
//!
//! Every value that has a rule is a type that cannot hold an invalid value: constructors parse and
//! normalise input and return a typed error ("parse, don't validate"). Rules that span values
//! (the roster, the mailbox address, attempt limits) are functions on those types.
//!
//! Nothing here performs I/O or reads the clock: time, randomness and configuration (the mail
//! domain, policy periods) are arguments, so every rule is testable without sleeping.
//! Rule ids (R-…) from the product specification are cited where a rule is enforced.

pub mod account;
pub mod attempts;
pub mod conflict;
pub mod contact;
pub mod eligibility;
pub mod identifiers;
pub mod ig_status;
pub mod inactivity;
pub mod journey;
pub mod mailbox;
pub mod mailbox_access;
pub mod member;
pub mod messages;
pub mod passcode;
pub mod password;
pub mod postcode;
pub mod practice;
pub mod problem_code;
pub mod review;
pub mod roster;
pub mod text;
pub mod town;
pub mod username;
pub mod violation;

pub use problem_code::ProblemCode;
pub use violation::Violation;

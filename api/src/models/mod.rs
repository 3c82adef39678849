//! Request and response types, with their OpenAPI schemas, apart from the handlers that use
//! them: what the contract says, mapped to and from the use cases' own types. They are not the
//! database rows and not the domain types.

pub mod accounts;
pub mod application;
pub mod helpdesk;
pub mod members;
pub mod operations;
pub mod practice;

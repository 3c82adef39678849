//! HTTP plumbing shared by every handler: extractors that read requests (never the database),
//! the request-id middleware, and the one mapping from use-case errors to problem responses.

pub mod caller;
pub mod enforce;
pub mod extract;
pub mod problem;
pub mod request_id;
pub mod validators;

//! The HTTP API of the NHSmail dental practice registration service: configuration, the error
//! policy, request handling, the OpenAPI contract and the server.

pub mod clock;
pub mod config;
pub mod extract;
pub mod openapi;
pub mod problem;
pub mod request_id;
pub mod routes;
pub mod server;
pub mod state;

//! The HTTP API of the NHSmail dental practice registration service: configuration, the error
//! policy, request handling, the OpenAPI contract and the server.

pub mod account;
pub mod admin;
pub mod clock;
pub mod config;
pub mod examples;
pub mod expiry;
pub mod extract;
pub mod journey;
pub mod limits;
pub mod messaging;
pub mod openapi;
pub mod paging;
pub mod passwords;
pub mod problem;
pub mod provisioning;
pub mod reference_import;
pub mod request_id;
pub mod routes;
pub mod schemas;
pub mod security;
pub mod server;
pub mod state;
pub mod tokens;
pub mod views;
pub mod wire;

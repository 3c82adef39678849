//! The HTTP API of the NHSmail dental practice registration service: configuration, the error
//! policy, request handling, the OpenAPI contract and the server.

pub mod account;
pub mod admin;
pub mod config;
pub mod examples;
pub mod extract;
pub mod journey;
pub mod openapi;
pub mod problem;
pub mod request_id;
pub mod routes;
pub mod schemas;
pub mod server;
pub mod state;
pub mod views;
pub mod wire;

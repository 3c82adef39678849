//! The HTTP API of the NHSmail dental practice registration service: configuration, the error
//! policy, request handling, the OpenAPI contract and the server.

pub mod config;
pub mod examples;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod models;
pub mod openapi;
pub mod proxies;
pub mod routes;
pub mod schemas;
pub mod server;
pub mod state;
pub mod wire;

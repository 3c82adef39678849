//! HTTP handlers, registered through `utoipa-actix-web` so that every one of them appears in the
//! OpenAPI document (only `.service(...)` registrations are collected; never use `.route(...)`).

pub mod health;
pub mod problems;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented endpoint.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(problems::list_problem_types)
        .service(problems::get_problem_type);
}

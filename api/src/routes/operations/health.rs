//! Liveness and readiness, for load balancers and orchestrators.

use crate::http::problem::{ApiError, Problem};
use crate::models::operations::{Health, Readiness};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};

/// Liveness: the process is up and answering
///
/// Never touches the database.
#[utoipa::path(
    tag = "operations",
    operation_id = "healthz",
    responses((status = 200, description = "The process is up.", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: crate::wire::HealthStatus::Ok })
}

/// Readiness: the database answers and every migration is applied
///
/// Take the instance out of the load balancer while this fails.
#[utoipa::path(
    tag = "operations",
    operation_id = "readyz",
    responses(
        (status = 200, description = "Ready to serve.", body = Readiness),
        (status = 503, description = "The database cannot be reached or its schema is not current.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/service-unavailable", "title": "The service is temporarily unavailable", "status": 503, "detail": "The database cannot be reached.", "request_id": "0b6f4c1e-5d0c-4b8e-9d7e-3f1a2b3c4d5e", "retry_after_seconds": 5})),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let backend = state.app.readiness().await?;
    Ok(HttpResponse::Ok().json(Readiness {
        status: crate::wire::ReadinessStatus::Ready,
        database: crate::wire::from_code(backend.as_str())
            .ok_or_else(|| ApiError::internal("the database backend has no wire name"))?,
        pending_migrations: 0,
    }))
}

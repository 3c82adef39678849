//! Documentation of every problem `type`, served at the type's own URI.

use crate::http::problem::{ApiError, Problem, ProblemType};
use crate::models::operations::ProblemTypeDoc;
use actix_web::{HttpResponse, get, web};

/// Every problem type the API can return
///
/// Each `type` a problem document can carry, with its title, status and what it means.
#[utoipa::path(
    tag = "operations",
    operation_id = "listProblemTypes",
    responses((status = 200, description = "All problem types.", body = Vec<ProblemTypeDoc>))
)]
#[get("/problems")]
pub async fn list_problem_types() -> HttpResponse {
    let all: Vec<ProblemTypeDoc> = ProblemType::ALL.into_iter().map(Into::into).collect();
    HttpResponse::Ok().json(all)
}

/// One problem type
///
/// What the problem means and what to do about it; every problem `type` is a link here.
#[utoipa::path(
    tag = "operations",
    operation_id = "getProblemType",
    params(("slug" = String, Path, max_length = 64, pattern = r"^[a-z-]+$", description = "The last part of the problem `type`, e.g. `validation-failed`.", example = "validation-failed")),
    responses(
        (status = 200, description = "The problem type.", body = ProblemTypeDoc),
        (status = 404, description = "No such problem type.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/not-found", "title": "Not found", "status": 404, "detail": "There is nothing here, or nothing you may see.", "request_id": "0b6f4c1e-5d0c-4b8e-9d7e-3f1a2b3c4d5e"})),
    )
)]
#[get("/problems/{slug}")]
pub async fn get_problem_type(slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let problem = ProblemType::from_slug(&slug).ok_or_else(ApiError::not_found)?;
    Ok(HttpResponse::Ok().json(ProblemTypeDoc::from(problem)))
}

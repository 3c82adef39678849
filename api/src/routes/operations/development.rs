//! The development outbox, for testers: what the development message provider "sent" (passcodes,
//! temporary passwords, reset codes), so a journey can be finished from Postman or a script. It
//! answers only in development mode with a channel on the development provider; otherwise it is
//! not there (404), and production mode refuses the development provider anyway.

use crate::http::extract::Query;
use crate::http::problem::{ApiError, Problem};
use crate::models::operations::{OutboxMessage, OutboxPage, OutboxQuery};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};

/// Messages the development provider sent (development only)
///
/// For testers: the newest messages the development message provider wrote, content included, so
/// a passcode, temporary password or reset code can be read without a real inbox or phone. Only
/// in development mode with a channel on the development provider; otherwise 404.
#[utoipa::path(
    tag = "development",
    operation_id = "listDevelopmentMessages",
    params(OutboxQuery),
    responses(
        (status = 200, description = "The newest messages, content included.", body = OutboxPage),
        (status = 404, description = "Not in development mode, or no channel uses the development provider.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/not-found", "title": "Not found", "status": 404, "detail": "There is no development outbox on this instance."})),
        (status = 422, description = "A bad page size.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/query/limit", "code": "out_of_range", "detail": "This must be at most 100."}]})),
    )
)]
#[get("/v1/development/messages")]
pub async fn list_messages(state: web::Data<AppState>, query: Query<OutboxQuery>) -> Result<HttpResponse, ApiError> {
    let written = app::outbox::development::recent(&state.app, query.to.as_deref(), query.limit).await?;
    let items = written.into_iter().filter_map(OutboxMessage::from_written).collect();
    Ok(HttpResponse::Ok().json(OutboxPage { items }))
}

//! GOV.UK Notify's delivery receipts: what happened to a message after Notify accepted it.

use crate::http::caller::bearer_token;
use crate::http::extract::Json;
use crate::http::problem::{ApiError, Problem};
use crate::models::operations::{DeliveryReceipt, NotifyCallbackUnauthorized};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, post, web};

/// Records a Notify delivery receipt
///
/// Notify authenticates with the bearer token configured as NOTIFY_CALLBACK_TOKEN.
#[utoipa::path(
    tag = "operations",
    operation_id = "notifyDeliveryReceipt",
    security(("notify_callback_token" = [])),
    request_body = DeliveryReceipt,
    responses(
        (status = 204, description = "Recorded."),
        (status = 401, response = NotifyCallbackUnauthorized),
        (status = 404, description = "No message with this reference.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/not-found", "title": "Not found", "status": 404, "detail": "There is nothing here, or nothing you may see."})),
    )
)]
#[post("/v1/notify/delivery-receipts")]
pub async fn delivery_receipt(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<DeliveryReceipt>,
) -> Result<HttpResponse, ApiError> {
    app::outbox::receipts::record(&state.app, bearer_token(&req).as_deref(), body.0.into()).await?;
    Ok(HttpResponse::NoContent().finish())
}

//! GOV.UK Notify's delivery receipts: what happened to a message after Notify accepted it.

use crate::problem::{ApiError, Problem, ProblemType};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use app::secrets::digests_equal;
use persistence::outbox;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Not GOV.UK Notify: no bearer token, a wrong one, or no callback token configured.
#[derive(utoipa::ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/unauthorized", "title": "Authentication is required", "status": 401, "detail": "The callback token is not valid.", "request_id": "0b6f4c1e-5d0c-4b8e-9d7e-3f1a2b3c4d5e"})
)]
pub struct NotifyCallbackUnauthorized(pub Problem);

/// A delivery receipt as Notify sends it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": "7c1b2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e", "to": "+447912345678",
    "status": "delivered", "created_at": "2026-11-21T10:15:00.000000Z", "completed_at": "2026-11-21T10:15:09.000000Z", "sent_at": "2026-11-21T10:15:01.000000Z", "notification_type": "sms"}))]
pub struct DeliveryReceipt {
    /// Notify's id for the message.
    #[schema(max_length = 100)]
    pub id: Option<String>,
    /// Our message id, given to Notify as the reference.
    #[schema(max_length = 100)]
    pub reference: Option<String>,
    #[schema(max_length = 254)]
    pub to: Option<String>,
    /// `delivered`, `permanent-failure`, `temporary-failure` or `technical-failure`.
    #[schema(min_length = 1, max_length = 64)]
    pub status: String,
    #[schema(max_length = 64)]
    pub created_at: Option<String>,
    #[schema(max_length = 64)]
    pub completed_at: Option<String>,
    #[schema(max_length = 64)]
    pub sent_at: Option<String>,
    #[schema(max_length = 32)]
    pub notification_type: Option<String>,
}

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
    body: crate::extract::Json<DeliveryReceipt>,
) -> Result<HttpResponse, ApiError> {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    let authorised = state
        .config
        .app
        .messaging
        .notify_callback_token
        .as_ref()
        .is_some_and(|expected| digests_equal(expected.expose(), &given));
    if !authorised {
        return Err(ApiError::new(ProblemType::Unauthorized).detail("The callback token is not valid."));
    }
    let receipt = body.0;
    let now = state.app.now();
    let delivered = receipt.status == "delivered";
    let found = state
        .db(move |conn| {
            Ok(outbox::record_delivery(
                conn,
                receipt.reference.as_deref(),
                receipt.id.as_deref(),
                &receipt.status,
                delivered,
                now,
            )?)
        })
        .await?;
    if found { Ok(HttpResponse::NoContent().finish()) } else { Err(ApiError::not_found()) }
}

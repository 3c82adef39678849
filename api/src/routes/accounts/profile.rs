//! The account holder's own profile.

use crate::http::caller::Caller;
use crate::http::problem::ApiError;
use crate::models::accounts::{Me, NoAccountToken, ScopeTooNarrow};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use app::accounts::profile;

/// Your own profile
///
/// The signed-in account holder's details, and the practices and shared mailboxes they belong to
/// with their rights there.
#[utoipa::path(
    tag = "accounts",
    operation_id = "getMe",
    security(("account_token" = [])),
    responses((status = 200, description = "Your account.", body = Me), (status = 401, response = NoAccountToken), (status = 403, response = ScopeTooNarrow))
)]
#[get("/v1/account/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(Me::from(profile::me(&state.app, &caller).await?)))
}

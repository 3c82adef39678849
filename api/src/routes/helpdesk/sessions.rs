//! Helpdesk sign-in and sign-out.

use crate::http::caller::Caller;
use crate::http::extract::Json;
use crate::http::problem::{ApiError, Problem};
use crate::models::accounts::RefreshRequest;
use crate::models::helpdesk::{AccessToken, NoHelpdeskToken, SignInRequest};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, post, web};
use app::helpdesk;

/// Sign in as a helpdesk administrator for a short-lived access token
///
/// An unknown username and a wrong password get the same answer; repeated failures lock the
/// username for a while (R-L8).
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "helpdeskSignIn",
    request_body = SignInRequest,
    responses(
        (status = 201, description = "Signed in.", body = AccessToken),
        (status = 401, description = "The username or password is not right.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/unauthorized", "title": "Authentication is required", "status": 401, "code": "invalid_credentials", "rule": "R-L8", "detail": "The username or password is not right."})),
        (status = 422, description = "Username or password missing.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/password", "code": "required", "detail": "Enter the password."}]})),
        (status = 429, description = "Too many failures for this username (R-L8, `sign_in_locked`), or from this network address across usernames (`too_many_from_client`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/rate-limited", "title": "Too many attempts", "status": 429, "code": "sign_in_locked", "rule": "R-L8", "detail": "Too many failed sign-ins. Try again later.", "retry_after_seconds": 900})),
    )
)]
#[post("/v1/admin/sessions")]
pub async fn sign_in(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<SignInRequest>,
) -> Result<HttpResponse, ApiError> {
    let signed_in = helpdesk::sign_in(&state.app, &caller, body.0.username, body.0.password).await?;
    Ok(HttpResponse::Created().json(AccessToken::from(signed_in)))
}

/// New tokens for a helpdesk session
///
/// Exchanges the refresh token for a new access token and a new refresh token, until
/// ADMIN_SESSION_HOURS after sign-in. Each refresh token works once; presenting a used one ends
/// the session, as a stolen token would.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "helpdeskRefresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens.", body = AccessToken),
        (status = 401, description = "Not a live session's current refresh token.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/unauthorized", "title": "Authentication is required", "status": 401, "detail": "The refresh token is not valid, was used already, or its session has ended."})),
    )
)]
#[post("/v1/admin/sessions/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let tokens = helpdesk::refresh(&state.app, &caller, body.0.refresh_token).await?;
    Ok(HttpResponse::Ok().json(AccessToken::from(tokens)))
}

/// Sign out as a helpdesk administrator
///
/// The session ends: its access token stops working at once.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "helpdeskSignOut",
    security(("helpdesk_token" = [])),
    responses(
        (status = 204, description = "Signed out."),
        (status = 401, response = NoHelpdeskToken),
    )
)]
#[delete("/v1/admin/sessions/current")]
pub async fn sign_out(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    helpdesk::sign_out(&state.app, &caller).await?;
    Ok(HttpResponse::NoContent().finish())
}

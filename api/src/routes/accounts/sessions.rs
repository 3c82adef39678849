//! Signing in and out as an account holder, and refreshing a full session (R-L8).

use crate::http::caller::Caller;
use crate::http::extract::Json;
use crate::http::problem::{ApiError, Problem};
use crate::models::accounts::{NoAccountToken, RefreshRequest, Session, SignIn};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, post, web};
use app::accounts::sessions;

/// Sign in as an account holder
///
/// Sign in with the username and password (or the temporary password, which gives a session that
/// can only complete activation). Unknown usernames and wrong passwords get the same answer (R-L8);
/// repeated failures lock the username for a while.
#[utoipa::path(
    tag = "accounts",
    operation_id = "accountSignIn",
    request_body = SignIn,
    responses(
        (status = 201, description = "Signed in. `scope` and `required_actions` say what the session may do.", body = Session),
        (status = 401, description = "Wrong username or password (`invalid_credentials`), or an expired temporary password (`temporary_password_expired`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/unauthorized", "title": "Authentication is required", "status": 401, "code": "invalid_credentials", "rule": "R-L8", "detail": "The username or password is not right."})),
        (status = 422, description = "Username or password missing.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/password", "code": "required", "detail": "Enter the password."}]})),
        (status = 429, description = "Locked after repeated failures for the username (R-L8, `sign_in_locked`), or too many failures from this network address across usernames (`too_many_from_client`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/rate-limited", "title": "Too many attempts", "status": 429, "code": "sign_in_locked", "rule": "R-L8", "detail": "Too many failed sign-ins. Try again later.", "retry_after_seconds": 900})),
    )
)]
#[post("/v1/account/sessions")]
pub async fn sign_in(state: web::Data<AppState>, caller: Caller, body: Json<SignIn>) -> Result<HttpResponse, ApiError> {
    let session = sessions::sign_in(&state.app, &caller, body.0.username, body.0.password).await?;
    Ok(HttpResponse::Created().json(Session::from(session)))
}

/// New tokens for a full session; the refresh token is replaced each time
///
/// Using a replaced refresh token ends the session.
#[utoipa::path(
    tag = "accounts",
    operation_id = "accountRefresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens.", body = Session),
        (status = 401, description = "The refresh token is not valid, was replaced, or the session ended.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/unauthorized", "title": "Authentication is required", "status": 401, "detail": "The refresh token is not valid; sign in again."})),
    )
)]
#[post("/v1/account/sessions/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let session = sessions::refresh(&state.app, &caller, body.0.refresh_token).await?;
    Ok(HttpResponse::Ok().json(Session::from(session)))
}

/// Sign out as an account holder
///
/// The session ends: its access token and refresh token stop working at once.
#[utoipa::path(
    tag = "accounts",
    operation_id = "accountSignOut",
    security(("account_token" = [])),
    responses((status = 204, description = "Signed out."), (status = 401, response = NoAccountToken))
)]
#[delete("/v1/account/sessions/current")]
pub async fn sign_out(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    sessions::sign_out(&state.app, &caller).await?;
    Ok(HttpResponse::NoContent().finish())
}

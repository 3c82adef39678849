//! Helpdesk administrators managed by the helpdesk: list, create, disable.

use crate::http::caller::Caller;
use crate::http::extract::Json;
use crate::http::problem::{ApiError, NotFoundForCaller, Problem};
use crate::models::administrators::{AdministratorList, AdministratorView, NewAdministrator};
use crate::models::helpdesk::NoHelpdeskToken;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use app::helpdesk::administrators;

/// The helpdesk's administrators
///
/// Every administrator, by username, with when they were created and, if so, disabled.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "listAdministrators",
    security(("helpdesk_token" = [])),
    responses((status = 200, description = "Every administrator, by username.", body = AdministratorList), (status = 401, response = NoHelpdeskToken))
)]
#[get("/v1/admin/administrators")]
pub async fn list_administrators(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let items = administrators::list(&state.app, &caller).await?.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(AdministratorList { items }))
}

/// Create an administrator
///
/// The password is held to the policy (R-L2) and never returned; pass it on by a separate channel.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "createAdministrator",
    security(("helpdesk_token" = [])),
    request_body = NewAdministrator,
    responses(
        (status = 201, description = "Created.", body = AdministratorView),
        (status = 401, response = NoHelpdeskToken),
        (status = 409, description = "The username is taken (`already_exists`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "already_exists", "detail": "An administrator with this username exists already."})),
        (status = 422, description = "A bad username or name, or a password the policy refuses.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/password", "code": "password_too_short", "rule": "R-L2", "detail": "Use at least 10 characters."}]})),
    )
)]
#[post("/v1/admin/administrators")]
pub async fn create_administrator(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewAdministrator>,
) -> Result<HttpResponse, ApiError> {
    let NewAdministrator { username, display_name, password } = body.0;
    let created = administrators::create(&state.app, &caller, username, display_name, password).await?;
    Ok(HttpResponse::Created().json(AdministratorView::from(created)))
}

/// Disable an administrator
///
/// They can no longer sign in, and their sessions end at once. Nobody disables themselves. Safe
/// to repeat.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "disableAdministrator",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Administrator id")),
    responses(
        (status = 200, description = "Disabled.", body = AdministratorView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Yourself (`admin_cannot_disable_self`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "admin_cannot_disable_self", "detail": "You cannot disable yourself: ask another administrator."})),
    )
)]
#[post("/v1/admin/administrators/{id}/disable")]
pub async fn disable_administrator(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(AdministratorView::from(administrators::disable(&state.app, &caller, &path).await?)))
}

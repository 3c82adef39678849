//! The helpdesk's console (issue 14.6): account search and one account in full.

use crate::http::caller::Caller;
use crate::http::extract::Json;
use crate::http::problem::{ApiError, NotFoundForCaller, Problem};
use crate::models::console::{AccountDetailView, AccountSearch, AccountSearchPage};
use crate::models::helpdesk::NoHelpdeskToken;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use app::helpdesk::console;

/// Search accounts
///
/// By part of a name or username, part of the practice name, the practice's ODS code, status, or
/// being a leaver; every part given must match. By username, a page at a time. The search is the
/// request body (this creates nothing), so no one's name is ever in a URL that reaches a log.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "searchAccounts",
    security(("helpdesk_token" = [])),
    request_body = AccountSearch,
    responses(
        (status = 200, description = "A page of accounts.", body = AccountSearchPage),
        (status = 401, response = NoHelpdeskToken),
        (status = 422, description = "A part too short, a page size out of range, or a cursor not from this service.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/text", "code": "too_short", "detail": "This must be at least 2 characters long."}]})),
    )
)]
#[post("/v1/admin/account-searches")]
pub async fn search_accounts(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<AccountSearch>,
) -> Result<HttpResponse, ApiError> {
    let page = console::search(&state.app, &caller, body.0.into()).await?;
    Ok(HttpResponse::Ok().json(AccountSearchPage::from(page)))
}

/// One account in full
///
/// Its status, practice, memberships and rights, last sign-in, the messages sent about it with
/// their delivery, and its audit trail.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "getAccount",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 200, description = "The account.", body = AccountDetailView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
    )
)]
#[get("/v1/admin/accounts/{id}")]
pub async fn get_account(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let detail = console::account(&state.app, &caller, &path).await?;
    Ok(HttpResponse::Ok().json(AccountDetailView::try_from(detail)?))
}

//! The directory (R-L9): account holders look up people and shared mailboxes, a page at a time.

use crate::http::caller::Caller;
use crate::http::extract::Query;
use crate::http::problem::{ApiError, Problem};
use crate::models::accounts::{NoAccountToken, ScopeTooNarrow};
use crate::models::directory::{DirectoryQuery, MailboxPage, PeoplePage};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use app::accounts::directory;

/// Search the directory of people (R-L9)
///
/// Activated account holders whose name, username or practice name contains the search text.
/// Mobile numbers appear only where their owners allowed.
#[utoipa::path(
    tag = "accounts",
    operation_id = "searchPeople",
    security(("account_token" = [])),
    params(DirectoryQuery),
    responses(
        (status = 200, description = "A page of people.", body = PeoplePage,
            example = json!({"items": [{"username": "david.smith@nhs.net", "first_name": "David", "last_name": "Smith", "role": "dentist", "practice_name": "SAMPLE DENTAL CARE", "mobile": null}], "next_cursor": null})),
        (status = 401, response = NoAccountToken),
        (status = 403, response = ScopeTooNarrow),
        (status = 422, description = "A search shorter than 2 characters, a bad page size or cursor.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/query/q", "code": "query_too_short", "rule": "R-L9", "detail": "Search with at least 2 characters."}]})),
    )
)]
#[get("/v1/directory/people")]
pub async fn search_people(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<DirectoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = directory::people(&state.app, &caller, query.0.into()).await?;
    Ok(HttpResponse::Ok().json(PeoplePage::from(page)))
}

/// Search the directory of shared mailboxes (R-L9)
///
/// Shared mailboxes whose address or practice name contains the search text.
#[utoipa::path(
    tag = "accounts",
    operation_id = "searchMailboxes",
    security(("account_token" = [])),
    params(DirectoryQuery),
    responses(
        (status = 200, description = "A page of shared mailboxes.", body = MailboxPage,
            example = json!({"items": [{"address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net", "practice_name": "SAMPLE DENTAL CARE", "ods_code": "V12345", "owners": ["david.smith@nhs.net"]}], "next_cursor": null})),
        (status = 401, response = NoAccountToken),
        (status = 403, response = ScopeTooNarrow),
        (status = 422, description = "A search shorter than 2 characters, a bad page size or cursor.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/query/limit", "code": "out_of_range", "detail": "Give a page size from 1 to 100."}]})),
    )
)]
#[get("/v1/directory/mailboxes")]
pub async fn search_mailboxes(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<DirectoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = directory::mailboxes(&state.app, &caller, query.0.into()).await?;
    Ok(HttpResponse::Ok().json(MailboxPage::from(page)))
}

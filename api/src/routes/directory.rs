//! The directory (R-L9): account holders look up people and shared mailboxes, a page at a time.
//! A mobile number is shown only where its owner allowed it, or to its owner.

use crate::account::{AccountHolder, Scope};
use crate::problem::{ApiError, FieldError, Problem, Validator};
use crate::routes::account::{NoAccountToken, ScopeTooNarrow};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use app::paging;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::ProblemCode;
use persistence::account_life;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// At least 2 characters of a name, username, address or practice, any case.
    #[param(required = true, example = "smith", min_length = 2, max_length = 100)]
    pub q: Option<String>,
    /// `next_cursor` from the previous page.
    #[param(min_length = 1, max_length = 200, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
}

/// A checked directory query: the search text, the page size and where the page starts.
struct Search {
    text: String,
    limit: i64,
    after: Option<String>,
}

impl DirectoryQuery {
    /// Checks every parameter, reporting all that fail at once.
    fn check(&self) -> Result<Search, ApiError> {
        let mut v = Validator::new();
        let text = self.q.as_deref().map(str::trim).unwrap_or_default().to_owned();
        if text.chars().count() < 2 {
            v.push(FieldError::new(
                "/query/q",
                ProblemCode::QueryTooShort,
                Some("R-L9"),
                "Search with at least 2 characters.",
            ));
        }
        let limit = paging::limit(&mut v, self.limit);
        let after = paging::after(&mut v, self.cursor.as_deref(), decode_cursor);
        Ok(v.finish(|| Some(Search { text, limit, after }))?)
    }
}

/// A cursor is the sort key of the last entry shown: a username or a mailbox address.
fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

fn decode_cursor(cursor: &str) -> Option<String> {
    String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok().filter(|key| !key.is_empty())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"username": "david.smith@nhs.net", "first_name": "David", "last_name": "Smith", "role": "dentist", "practice_name": "SAMPLE DENTAL CARE", "mobile": null}))]
pub struct PersonEntry {
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Left out when no role is on record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub role: Option<crate::wire::Role>,
    pub practice_name: Option<String>,
    /// Shown only if its owner allowed it (R-L9), or to its owner.
    pub mobile: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PeoplePage {
    /// By username.
    pub items: Vec<PersonEntry>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net", "practice_name": "SAMPLE DENTAL CARE", "ods_code": "V12345"}))]
pub struct MailboxEntry {
    pub address: String,
    pub practice_name: String,
    pub ods_code: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MailboxPage {
    /// By address.
    pub items: Vec<MailboxEntry>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Search the directory of people (R-L9)
///
/// Active account holders whose name or username contains the search text. Mobile numbers
/// appear only where their owners allowed.
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
    holder: AccountHolder,
    query: crate::extract::Query<DirectoryQuery>,
) -> Result<HttpResponse, ApiError> {
    holder.require(&[Scope::Full])?;
    let search = query.check()?;
    let page = state
        .db(move |conn| {
            let mut found = account_life::search_people(conn, &search.text, search.after.as_deref(), search.limit + 1)?;
            let next_cursor = paging::cut(&mut found, search.limit, |person| encode_cursor(&person.username));
            let mut items = Vec::with_capacity(found.len());
            for person in found {
                let practice_name = account_life::practice_mailbox(conn, &person)?.map(|m| m.practice_name);
                let mobile =
                    (person.mobile_visible || person.id == holder.account_id).then(|| person.mobile.clone()).flatten();
                items.push(PersonEntry {
                    username: person.username,
                    first_name: person.first_name,
                    last_name: person.last_name,
                    role: person.role.as_deref().and_then(|r| domain::member::Role::parse(r).ok()).map(Into::into),
                    practice_name,
                    mobile,
                });
            }
            Ok(PeoplePage { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
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
            example = json!({"items": [{"address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net", "practice_name": "SAMPLE DENTAL CARE", "ods_code": "V12345"}], "next_cursor": null})),
        (status = 401, response = NoAccountToken),
        (status = 403, response = ScopeTooNarrow),
        (status = 422, description = "A search shorter than 2 characters, a bad page size or cursor.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/query/limit", "code": "out_of_range", "detail": "Give a page size from 1 to 100."}]})),
    )
)]
#[get("/v1/directory/mailboxes")]
pub async fn search_mailboxes(
    state: web::Data<AppState>,
    holder: AccountHolder,
    query: crate::extract::Query<DirectoryQuery>,
) -> Result<HttpResponse, ApiError> {
    holder.require(&[Scope::Full])?;
    let search = query.check()?;
    let page = state
        .db(move |conn| {
            let mut found =
                account_life::search_mailboxes(conn, &search.text, search.after.as_deref(), search.limit + 1)?;
            let next_cursor = paging::cut(&mut found, search.limit, |mailbox| encode_cursor(&mailbox.address));
            let items = found
                .into_iter()
                .map(|m| MailboxEntry { address: m.address, practice_name: m.practice_name, ods_code: m.ods_code })
                .collect();
            Ok(MailboxPage { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

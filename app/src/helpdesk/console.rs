//! The helpdesk's console (issue 14.6): find accounts by name or username, practice, ODS code,
//! status or being a leaver, a page at a time; and one account in full, with its memberships, the
//! messages sent about it and their delivery, and its audit trail. Searches are sent in a request
//! body, so no one's name ever sits in a URL that could reach a log.

use super::as_admin;
use crate::outbox::{Message, message};
use crate::{App, Caller};
use crate::{Error, FieldError, Validator, paging};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use domain::account::AccountStatus;
use persistence::account_search::{self, AccountFilter};
use persistence::time::from_db;
use persistence::{account_life, accounts, audit, outbox};

/// A search as sent; every part is checked.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub text: Option<String>,
    pub practice_name: Option<String>,
    pub ods_code: Option<String>,
    pub status: Option<AccountStatus>,
    pub leaver: Option<bool>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// An account in the search results.
#[derive(Debug, Clone)]
pub struct AccountSummary {
    pub id: String,
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub status: AccountStatus,
    pub practice_name: Option<String>,
    pub ods_code: Option<String>,
    pub leaver_since: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<AccountSummary>,
    pub next_cursor: Option<String>,
}

/// A shared mailbox the account has access to, with its rights.
#[derive(Debug, Clone)]
pub struct Membership {
    pub shared_mailbox_id: String,
    pub address: String,
    pub practice_name: String,
    pub is_owner: bool,
    pub is_admin: bool,
}

/// One event of the account's audit trail (ids and kinds of change only).
#[derive(Debug, Clone)]
pub struct Event {
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub actor_type: String,
    pub actor_id: Option<String>,
}

/// One account in full.
#[derive(Debug, Clone)]
pub struct AccountDetail {
    pub summary: AccountSummary,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_signed_in_at: Option<DateTime<Utc>>,
    pub inactive_since: Option<DateTime<Utc>>,
    pub memberships: Vec<Membership>,
    pub messages: Vec<Message>,
    pub audit: Vec<Event>,
}

fn summary(row: accounts::AccountRow, practice_name: Option<String>, ods_code: Option<String>) -> AccountSummary {
    AccountSummary {
        status: row.status(),
        leaver_since: row.leaver_since.map(from_db),
        id: row.id,
        username: row.username,
        first_name: row.first_name,
        last_name: row.last_name,
        practice_name,
        ods_code,
    }
}

fn decode_cursor(cursor: &str) -> Option<String> {
    String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok().filter(|key| !key.is_empty())
}

impl Query {
    fn check(self) -> Result<(AccountFilter, Option<String>, i64), Error> {
        let mut v = Validator::new();
        let trimmed = |text: Option<String>| text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        let (text, practice_name) = (trimmed(self.text), trimmed(self.practice_name));
        for (pointer, given) in [("/text", &text), ("/practice_name", &practice_name)] {
            if given.as_ref().is_some_and(|t| t.chars().count() < 2) {
                v.push(FieldError::new(
                    pointer,
                    ProblemCode::QueryTooShort,
                    None,
                    "Search with at least 2 characters.",
                ));
            }
        }
        // Paging is in the body too (a cursor holds a username), so the pointers are the body's.
        let limit = self.limit.unwrap_or(paging::DEFAULT_LIMIT);
        if !(1..=paging::MAX_LIMIT).contains(&limit) {
            v.push(FieldError::new("/limit", ProblemCode::OutOfRange, None, "Give a page size from 1 to 100."));
        }
        let after = self.cursor.as_deref().and_then(|cursor| {
            let decoded = decode_cursor(cursor);
            if decoded.is_none() {
                let detail = "This cursor is not one this service gave out; start again from the first page.";
                v.push(FieldError::new("/cursor", ProblemCode::CursorInvalid, None, detail));
            }
            decoded
        });
        let ods_code = trimmed(self.ods_code);
        if ods_code
            .as_deref()
            .is_some_and(|o| !(3..=10).contains(&o.len()) || !o.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            let detail = "An ODS code is 3 to 10 letters and digits.";
            v.push(FieldError::new("/ods_code", ProblemCode::OdsCodeInvalid, Some("R-P4"), detail));
        }
        let filter = AccountFilter {
            text,
            practice_name,
            ods_code: ods_code.map(|o| o.to_ascii_uppercase()),
            status: self.status,
            leaver: self.leaver,
        };
        v.finish(|| Some((filter, after, limit)))
    }
}

/// Accounts matching every part of the query, by username, a page at a time.
pub async fn search(app: &App, caller: &Caller, query: Query) -> Result<Page, Error> {
    let checked = query.check();
    as_admin(app, caller, move |conn, _, _| {
        let (filter, after, limit) = checked?;
        let mut found = account_search::search(conn, &filter, after.as_deref(), limit + 1)?;
        let next_cursor = paging::cut(&mut found, limit, |(row, _, _)| URL_SAFE_NO_PAD.encode(&row.username));
        let items = found.into_iter().map(|(row, name, ods)| summary(row, name, ods)).collect();
        Ok(Page { items, next_cursor })
    })
    .await
}

/// One account in full.
pub async fn account(app: &App, caller: &Caller, id: &str) -> Result<AccountDetail, Error> {
    let id = id.to_owned();
    as_admin(app, caller, move |conn, _, _| {
        let row = accounts::account(conn, &id)?.ok_or_else(Error::not_found)?;
        let practice = account_life::practice_mailbox(conn, &row)?;
        let memberships = account_life::memberships(conn, &row.id)?
            .into_iter()
            .map(|(mailbox, is_owner, is_admin)| Membership {
                shared_mailbox_id: mailbox.id,
                address: mailbox.address,
                practice_name: mailbox.practice_name,
                is_owner,
                is_admin,
            })
            .collect();
        let messages = outbox::for_subject(conn, "account", &row.id)?.iter().map(message).collect();
        let audit = audit::for_object(conn, "account", &row.id)?
            .into_iter()
            .map(|e| Event {
                occurred_at: from_db(e.occurred_at),
                action: e.action,
                actor_type: e.actor_type,
                actor_id: e.actor_id,
            })
            .collect();
        Ok(AccountDetail {
            email: row.email.clone(),
            mobile: row.mobile.clone(),
            created_at: from_db(row.created_at),
            last_signed_in_at: row.last_signed_in_at.map(from_db),
            inactive_since: row.inactive_since.map(from_db),
            summary: summary(row, practice.as_ref().map(|m| m.practice_name.clone()), practice.map(|m| m.ods_code)),
            memberships,
            messages,
            audit,
        })
    })
    .await
}

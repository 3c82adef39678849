//! The helpdesk's account search (issue 14.6): by name or username, practice, ODS code and
//! status, a page at a time in username order, with each account's practice.

use crate::accounts::AccountRow;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{accounts, shared_mailboxes};
use crate::search::{ESCAPE, coalesce, contains_pattern, lower};
use diesel::prelude::*;
use domain::account::AccountStatus;

/// What to look for; every part given must match.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Part of the first name, last name or "first last", or of the username, any case.
    pub text: Option<String>,
    /// Part of the practice name, any case.
    pub practice_name: Option<String>,
    /// The practice's ODS code, exactly (upper case).
    pub ods_code: Option<String>,
    pub status: Option<AccountStatus>,
    /// Only leavers (`true`) or only others (`false`).
    pub leaver: Option<bool>,
}

/// An account found, with its practice's name and ODS code when it has one.
pub type Found = (AccountRow, Option<String>, Option<String>);

/// Accounts matching `filter` by username, after `after`, at most `limit`, each with its
/// practice's name and ODS code when it has one.
pub fn search(
    conn: &mut DbConnection,
    filter: &AccountFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Found>, StoreError> {
    let mut query = accounts::table
        .left_join(shared_mailboxes::table.on(shared_mailboxes::application_id.nullable().eq(accounts::application_id)))
        .select((
            AccountRow::as_select(),
            shared_mailboxes::practice_name.nullable(),
            shared_mailboxes::ods_code.nullable(),
        ))
        .into_boxed();
    if let Some(text) = &filter.text {
        let pattern = contains_pattern(text);
        let name = coalesce(accounts::first_name, "").concat(" ").concat(coalesce(accounts::last_name, ""));
        query = query.filter(
            lower(accounts::username).like(pattern.clone()).escape(ESCAPE).or(lower(name).like(pattern).escape(ESCAPE)),
        );
    }
    if let Some(practice) = &filter.practice_name {
        let pattern = contains_pattern(practice);
        query =
            query.filter(lower(coalesce(shared_mailboxes::practice_name.nullable(), "")).like(pattern).escape(ESCAPE));
    }
    if let Some(ods) = &filter.ods_code {
        query = query.filter(shared_mailboxes::ods_code.nullable().eq(ods.clone()));
    }
    if let Some(status) = filter.status {
        query = query.filter(accounts::status.eq(status.code()));
    }
    match filter.leaver {
        Some(true) => query = query.filter(accounts::leaver_since.is_not_null()),
        Some(false) => query = query.filter(accounts::leaver_since.is_null()),
        None => {}
    }
    if let Some(after) = after {
        query = query.filter(accounts::username.gt(after.to_owned()));
    }
    Ok(query.order(accounts::username.asc()).limit(limit).load(conn)?)
}

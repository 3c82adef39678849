//! What approval creates: the shared mailbox, accounts and mailbox memberships (R-A1–R-A3).

use crate::codes::Stored;
use crate::db::{DbConnection, insert_rows};
use crate::error::StoreError;
use crate::schema::{accounts, mailbox_memberships, mobile_reservations, shared_mailboxes};
use crate::time::to_db;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::account::AccountStatus;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = shared_mailboxes)]
pub struct MailboxRow {
    pub id: String,
    pub address: String,
    pub practice_name: String,
    pub ods_code: String,
    pub cqc_location_id: String,
    pub application_id: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: String,
    pub username: String,
    #[diesel(deserialize_as = Stored<AccountStatus>)]
    pub status: AccountStatus,
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub role: Option<String>,
    pub password_hash: Option<String>,
    pub password_is_temporary: bool,
    pub password_expires_at: Option<NaiveDateTime>,
    pub password_changed_at: Option<NaiveDateTime>,
    pub mobile_visible: bool,
    pub aup_accepted_at: Option<NaiveDateTime>,
    pub last_signed_in_at: Option<NaiveDateTime>,
    pub application_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub security_questions_set_at: Option<NaiveDateTime>,
    pub mobile_visibility_chosen_at: Option<NaiveDateTime>,
    pub disabled_reason: Option<String>,
    /// The last sign-in or reactivation (R-L4); creation for an account never used.
    pub last_used_at: Option<NaiveDateTime>,
    pub inactive_since: Option<NaiveDateTime>,
    pub inactivity_warned_at: Option<NaiveDateTime>,
    pub deletion_warned_at: Option<NaiveDateTime>,
    /// When the account was marked as having left its practice (R-L5).
    pub leaver_since: Option<NaiveDateTime>,
}

impl AccountRow {
    pub fn status(&self) -> AccountStatus {
        self.status
    }
}

pub fn insert_mailbox(
    conn: &mut DbConnection,
    id: &str,
    address: &str,
    practice: (&str, &str, &str),
    application_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (practice_name, ods_code, cqc_location_id) = practice;
    conn.transaction(|conn| {
        diesel::insert_into(shared_mailboxes::table)
            .values((
                shared_mailboxes::id.eq(id),
                shared_mailboxes::address.eq(address),
                shared_mailboxes::practice_name.eq(practice_name),
                shared_mailboxes::ods_code.eq(ods_code),
                shared_mailboxes::cqc_location_id.eq(cqc_location_id),
                shared_mailboxes::application_id.eq(application_id),
                shared_mailboxes::created_at.eq(to_db(now)),
            ))
            .execute(conn)
            .map(|_| ())
            .map_err(StoreError::from)
    })
}

/// Every username issued that starts with one of `bases` (R-A2: the candidates for a new
/// account are `base@…`, `base1@…`, …), in one query whatever their number.
pub fn usernames_starting(conn: &mut DbConnection, bases: &[&str]) -> Result<Vec<String>, StoreError> {
    if bases.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = accounts::table.select(accounts::username).into_boxed();
    for base in bases {
        let mut pattern = String::new();
        for c in base.chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        query = query.or_filter(accounts::username.like(pattern).escape(crate::search::ESCAPE));
    }
    Ok(query.load(conn)?)
}

/// A new account's details; the username is chosen by [`insert_accounts`].
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub id: &'a str,
    pub title: Option<&'a str>,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub mobile: &'a str,
    pub role: &'a str,
    pub temporary_password_hash: &'a str,
    pub temporary_password_expires_at: DateTime<Utc>,
    pub application_id: Option<&'a str>,
}

/// Inserts the accounts, each with its username, in one statement inside a savepoint:
/// `Conflict::UsernameTaken` if another request took one of the usernames first (the unique
/// constraint decides), and then none of them is inserted and nothing else is undone.
pub fn insert_accounts(
    conn: &mut DbConnection,
    accounts: &[(NewAccount<'_>, &str)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = to_db(now);
    let rows: Vec<_> = accounts
        .iter()
        .map(|(account, username)| {
            (
                accounts::id.eq(account.id),
                accounts::username.eq(*username),
                accounts::status.eq(AccountStatus::PendingActivation.code()),
                accounts::title.eq(account.title),
                accounts::first_name.eq(account.first_name),
                accounts::last_name.eq(account.last_name),
                accounts::email.eq(account.email),
                accounts::mobile.eq(account.mobile),
                accounts::role.eq(account.role),
                accounts::password_hash.eq(account.temporary_password_hash),
                accounts::password_is_temporary.eq(true),
                accounts::password_expires_at.eq(Some(to_db(account.temporary_password_expires_at))),
                accounts::mobile_visible.eq(false),
                accounts::application_id.eq(account.application_id),
                (accounts::created_at.eq(now), accounts::updated_at.eq(now), accounts::last_used_at.eq(Some(now))),
            )
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    conn.transaction(|conn| insert_rows!(conn, accounts::table, &rows).map(|_| ()).map_err(StoreError::from))
}

/// One account's rights on a shared mailbox.
#[derive(Debug, Clone, Copy)]
pub struct NewMembership<'a> {
    pub mailbox_id: &'a str,
    pub account_id: &'a str,
    pub is_owner: bool,
    pub is_admin: bool,
}

/// Gives each account its rights on its mailbox, in one statement.
pub fn add_memberships(
    conn: &mut DbConnection,
    memberships: &[NewMembership<'_>],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = to_db(now);
    let rows: Vec<_> = memberships
        .iter()
        .map(|m| {
            (
                mailbox_memberships::mailbox_id.eq(m.mailbox_id),
                mailbox_memberships::account_id.eq(m.account_id),
                mailbox_memberships::is_owner.eq(m.is_owner),
                mailbox_memberships::is_admin.eq(m.is_admin),
                mailbox_memberships::created_at.eq(now),
            )
        })
        .collect();
    if !rows.is_empty() {
        insert_rows!(conn, mailbox_memberships::table, &rows)?;
    }
    Ok(())
}

pub fn add_membership(
    conn: &mut DbConnection,
    mailbox_id: &str,
    account_id: &str,
    is_owner: bool,
    is_admin: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    add_memberships(conn, &[NewMembership { mailbox_id, account_id, is_owner, is_admin }], now)
}

/// R-R7: the account takes over the mobile its application reserved.
pub fn transfer_mobile_reservation(conn: &mut DbConnection, mobile: &str, account_id: &str) -> Result<(), StoreError> {
    diesel::update(mobile_reservations::table.find(mobile))
        .set((
            mobile_reservations::account_id.eq(Some(account_id)),
            mobile_reservations::application_id.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Releases an application's reservations (on rejection).
pub fn release_mobile_reservations(conn: &mut DbConnection, application_id: &str) -> Result<usize, StoreError> {
    Ok(diesel::delete(mobile_reservations::table.filter(mobile_reservations::application_id.eq(application_id)))
        .execute(conn)?)
}

pub fn mailbox_for_application(
    conn: &mut DbConnection,
    application_id: &str,
) -> Result<Option<MailboxRow>, StoreError> {
    Ok(shared_mailboxes::table
        .filter(shared_mailboxes::application_id.eq(application_id))
        .select(MailboxRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// A mailbox's members with their rights, oldest first.
pub fn mailbox_members(conn: &mut DbConnection, mailbox_id: &str) -> Result<Vec<(AccountRow, bool, bool)>, StoreError> {
    Ok(mailbox_memberships::table
        .inner_join(accounts::table)
        .filter(mailbox_memberships::mailbox_id.eq(mailbox_id))
        .order((mailbox_memberships::created_at.asc(), accounts::username.asc()))
        .select((AccountRow::as_select(), mailbox_memberships::is_owner, mailbox_memberships::is_admin))
        .load(conn)?)
}

/// Accounts created from an application, oldest first.
pub fn accounts_for_application(conn: &mut DbConnection, application_id: &str) -> Result<Vec<AccountRow>, StoreError> {
    Ok(accounts::table
        .filter(accounts::application_id.eq(application_id))
        .order((accounts::created_at.asc(), accounts::id.asc()))
        .select(AccountRow::as_select())
        .load(conn)?)
}

pub fn account(conn: &mut DbConnection, id: &str) -> Result<Option<AccountRow>, StoreError> {
    Ok(accounts::table.find(id).select(AccountRow::as_select()).get_result(conn).optional()?)
}

pub fn account_by_username(conn: &mut DbConnection, username: &str) -> Result<Option<AccountRow>, StoreError> {
    Ok(accounts::table
        .filter(accounts::username.eq(username))
        .select(AccountRow::as_select())
        .get_result(conn)
        .optional()?)
}

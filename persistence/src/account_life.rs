//! Account life after provisioning: passwords and their history, security answers, activation
//! steps, status, self-service reset codes, memberships and the directory (R-L1–R-L3, R-L7, R-L9).

use crate::accounts::{AccountRow, MailboxRow};
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{
    accounts, mailbox_memberships, password_history, password_resets, security_answers, shared_mailboxes,
};
use crate::search::{ESCAPE, coalesce, contains_pattern, lower};
use crate::time::to_db;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::account::AccountStatus;

/// Replaces the password; the old hash goes into the history. `expires_at` is the temporary
/// password's end, or the end of the password's allowed age.
pub fn set_password(
    conn: &mut DbConnection,
    account: &AccountRow,
    new_hash: &str,
    temporary: bool,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let Some(old) = &account.password_hash {
        diesel::insert_into(password_history::table)
            .values((
                password_history::id.eq(uuid::Uuid::new_v4().to_string()),
                password_history::account_id.eq(&account.id),
                password_history::password_hash.eq(old),
                password_history::created_at.eq(to_db(now)),
            ))
            .execute(conn)?;
    }
    diesel::update(accounts::table.find(&account.id))
        .set((
            accounts::password_hash.eq(Some(new_hash)),
            accounts::password_is_temporary.eq(temporary),
            accounts::password_expires_at.eq(Some(to_db(expires_at))),
            accounts::password_changed_at.eq(Some(to_db(now))),
            accounts::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The most recent earlier password hashes, newest first.
pub fn previous_passwords(conn: &mut DbConnection, account_id: &str, limit: i64) -> Result<Vec<String>, StoreError> {
    Ok(password_history::table
        .filter(password_history::account_id.eq(account_id))
        .order((password_history::created_at.desc(), password_history::id.desc()))
        .limit(limit)
        .select(password_history::password_hash)
        .load(conn)?)
}

/// Replaces the account's security answers (question code, answer hash).
pub fn set_security_answers(
    conn: &mut DbConnection,
    account_id: &str,
    answers: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::delete(security_answers::table.filter(security_answers::account_id.eq(account_id))).execute(conn)?;
    for (question, hash) in answers {
        diesel::insert_into(security_answers::table)
            .values((
                security_answers::account_id.eq(account_id),
                security_answers::question.eq(question),
                security_answers::answer_hash.eq(hash),
                security_answers::created_at.eq(to_db(now)),
            ))
            .execute(conn)?;
    }
    diesel::update(accounts::table.find(account_id))
        .set((accounts::security_questions_set_at.eq(Some(to_db(now))), accounts::updated_at.eq(to_db(now))))
        .execute(conn)?;
    Ok(())
}

/// The questions an account answered, with their answer hashes.
pub fn security_answers(conn: &mut DbConnection, account_id: &str) -> Result<Vec<(String, String)>, StoreError> {
    Ok(security_answers::table
        .filter(security_answers::account_id.eq(account_id))
        .order(security_answers::question.asc())
        .select((security_answers::question, security_answers::answer_hash))
        .load(conn)?)
}

pub fn accept_acceptable_use(conn: &mut DbConnection, account_id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    diesel::update(accounts::table.find(account_id))
        .set((accounts::aup_accepted_at.eq(Some(to_db(now))), accounts::updated_at.eq(to_db(now))))
        .execute(conn)?;
    Ok(())
}

/// R-L9: whether the mobile number is shown in the directory.
pub fn set_mobile_visibility(
    conn: &mut DbConnection,
    account_id: &str,
    visible: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(accounts::table.find(account_id))
        .set((
            accounts::mobile_visible.eq(visible),
            accounts::mobile_visibility_chosen_at.eq(Some(to_db(now))),
            accounts::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets the status (e.g. `active`, `disabled`), with a reason for `disabled`.
pub fn set_status(
    conn: &mut DbConnection,
    account_id: &str,
    status: AccountStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(accounts::table.find(account_id))
        .set((
            accounts::status.eq(status.code()),
            accounts::disabled_reason.eq(reason),
            accounts::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn record_sign_in(conn: &mut DbConnection, account_id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    diesel::update(accounts::table.find(account_id))
        .set((
            accounts::last_signed_in_at.eq(Some(to_db(now))),
            accounts::last_used_at.eq(Some(to_db(now))),
            accounts::inactivity_warned_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = password_resets)]
pub struct ResetRow {
    pub id: String,
    pub account_id: String,
    pub code_hash: String,
    pub question: String,
    pub failed_attempts: i32,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

pub fn insert_reset(
    conn: &mut DbConnection,
    id: &str,
    account_id: &str,
    code_hash: &str,
    question: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::id.eq(id),
            password_resets::account_id.eq(account_id),
            password_resets::code_hash.eq(code_hash),
            password_resets::question.eq(question),
            password_resets::failed_attempts.eq(0),
            password_resets::created_at.eq(to_db(now)),
            password_resets::expires_at.eq(to_db(expires_at)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn reset(conn: &mut DbConnection, id: &str) -> Result<Option<ResetRow>, StoreError> {
    Ok(password_resets::table.find(id).select(ResetRow::as_select()).get_result(conn).optional()?)
}

/// Takes one of a reset's attempts before its code and answer are checked (R-L7), in one
/// statement, so that concurrent guesses cannot take more than `max`: false when the reset is
/// used, expired or out of attempts.
pub fn take_reset_attempt(conn: &mut DbConnection, id: &str, max: i32, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let updated = diesel::update(
        password_resets::table
            .find(id)
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(to_db(now)))
            .filter(password_resets::failed_attempts.lt(max)),
    )
    .set(password_resets::failed_attempts.eq(password_resets::failed_attempts + 1))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Uses a reset once: true only for the call that used it.
pub fn use_reset(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let updated = diesel::update(password_resets::table.find(id).filter(password_resets::used_at.is_null()))
        .set(password_resets::used_at.eq(Some(to_db(now))))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Resets requested for an account since `since` (rate limiting).
pub fn resets_since(
    conn: &mut DbConnection,
    account_id: &str,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, StoreError> {
    let times: Vec<NaiveDateTime> = password_resets::table
        .filter(password_resets::account_id.eq(account_id))
        .filter(password_resets::created_at.gt(to_db(since)))
        .select(password_resets::created_at)
        .load(conn)?;
    Ok(times.into_iter().map(crate::time::from_db).collect())
}

/// The shared mailboxes an account can use, with its rights there.
pub fn memberships(conn: &mut DbConnection, account_id: &str) -> Result<Vec<(MailboxRow, bool, bool)>, StoreError> {
    Ok(mailbox_memberships::table
        .inner_join(shared_mailboxes::table)
        .filter(mailbox_memberships::account_id.eq(account_id))
        .order(shared_mailboxes::address.asc())
        .select((MailboxRow::as_select(), mailbox_memberships::is_owner, mailbox_memberships::is_admin))
        .load(conn)?)
}

/// The shared mailbox created with the application an account came from (its practice).
pub fn practice_mailbox(conn: &mut DbConnection, account: &AccountRow) -> Result<Option<MailboxRow>, StoreError> {
    match &account.application_id {
        Some(application) => crate::accounts::mailbox_for_application(conn, application),
        None => Ok(None),
    }
}

/// The practice names of the mailboxes created with `application_ids`, in one query (for a page
/// of the directory), keyed by application id.
pub fn practice_names_for(
    conn: &mut DbConnection,
    application_ids: &[String],
) -> Result<std::collections::HashMap<String, String>, StoreError> {
    let rows: Vec<(String, String)> = shared_mailboxes::table
        .filter(shared_mailboxes::application_id.eq_any(application_ids))
        .select((shared_mailboxes::application_id, shared_mailboxes::practice_name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Activated accounts whose name, username or practice (the name on its shared mailbox)
/// contains `query`, by username: at most `limit` of them, starting after the username `after`.
pub fn search_people(
    conn: &mut DbConnection,
    query: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<AccountRow>, StoreError> {
    let pattern = contains_pattern(query);
    let name = coalesce(accounts::first_name, "").concat(" ").concat(coalesce(accounts::last_name, ""));
    Ok(accounts::table
        .left_join(shared_mailboxes::table.on(shared_mailboxes::application_id.nullable().eq(accounts::application_id)))
        .filter(accounts::username.gt(after.unwrap_or_default()))
        .filter(accounts::status.eq_any(AccountStatus::ACTIVATED.map(AccountStatus::code)))
        .filter(
            lower(accounts::username)
                .like(pattern.clone())
                .escape(ESCAPE)
                .or(lower(name).like(pattern.clone()).escape(ESCAPE))
                .or(lower(coalesce(shared_mailboxes::practice_name.nullable(), "")).like(pattern).escape(ESCAPE)),
        )
        .order(accounts::username.asc())
        .limit(limit)
        .select(AccountRow::as_select())
        .load(conn)?)
}

/// Shared mailboxes whose address or practice name contains `query`, by address: at most
/// `limit` of them, starting after the address `after`.
pub fn search_mailboxes(
    conn: &mut DbConnection,
    query: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<MailboxRow>, StoreError> {
    let pattern = contains_pattern(query);
    Ok(shared_mailboxes::table
        .filter(shared_mailboxes::address.gt(after.unwrap_or_default()))
        .filter(
            lower(shared_mailboxes::address).like(pattern.clone()).escape(ESCAPE).or(lower(
                shared_mailboxes::practice_name,
            )
            .like(pattern)
            .escape(ESCAPE)),
        )
        .order(shared_mailboxes::address.asc())
        .limit(limit)
        .select(MailboxRow::as_select())
        .load(conn)?)
}

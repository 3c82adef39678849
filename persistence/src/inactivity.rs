//! Inactivity and deletion (R-L4): the accounts due each step, the steps themselves, and erasure
//! of a deleted account's personal data from every table.

use crate::accounts::AccountRow;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{
    accounts, audit_events, mailbox_memberships, members, mobile_reservations, outbox_messages, password_history,
    password_resets, retired_usernames, security_answers, sessions,
};
use crate::time::to_db;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::account::AccountStatus;

/// Accounts in use (pending activation or active) that have not been used since `before`;
/// with `unwarned`, only those not yet warned in this idle period. Oldest first, `limit` at most.
pub fn unused_since(
    conn: &mut DbConnection,
    before: DateTime<Utc>,
    unwarned: bool,
    limit: i64,
) -> Result<Vec<AccountRow>, StoreError> {
    let in_use = AccountStatus::IN_USE.map(AccountStatus::code);
    let mut query = accounts::table
        .filter(accounts::status.eq_any(in_use))
        .filter(accounts::last_used_at.le(to_db(before)))
        .select(AccountRow::as_select())
        .into_boxed();
    if unwarned {
        query = query.filter(accounts::inactivity_warned_at.is_null());
    }
    Ok(query.order((accounts::last_used_at.asc(), accounts::id.asc())).limit(limit).load(conn)?)
}

/// Inactive accounts inactive since `before`; with `unwarned`, only those not yet warned of
/// deletion. Oldest first, `limit` at most.
pub fn inactive_since(
    conn: &mut DbConnection,
    before: DateTime<Utc>,
    unwarned: bool,
    limit: i64,
) -> Result<Vec<AccountRow>, StoreError> {
    let mut query = accounts::table
        .filter(accounts::status.eq(AccountStatus::Inactive.code()))
        .filter(accounts::inactive_since.le(to_db(before)))
        .select(AccountRow::as_select())
        .into_boxed();
    if unwarned {
        query = query.filter(accounts::deletion_warned_at.is_null());
    }
    Ok(query.order((accounts::inactive_since.asc(), accounts::id.asc())).limit(limit).load(conn)?)
}

/// Notes that the holder was warned of inactivity in this idle period; false if another runner
/// did first.
pub fn mark_inactivity_warned(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let changed = diesel::update(accounts::table.find(id).filter(accounts::inactivity_warned_at.is_null()))
        .set(accounts::inactivity_warned_at.eq(Some(to_db(now))))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Notes that the holder was warned of deletion; false if another runner did first.
pub fn mark_deletion_warned(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let changed = diesel::update(accounts::table.find(id).filter(accounts::deletion_warned_at.is_null()))
        .set(accounts::deletion_warned_at.eq(Some(to_db(now))))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Makes an account in use inactive from `now`; false if it is no longer in use.
pub fn make_inactive(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let in_use = AccountStatus::IN_USE.map(AccountStatus::code);
    let now = to_db(now);
    let changed = diesel::update(accounts::table.find(id).filter(accounts::status.eq_any(in_use)))
        .set((
            accounts::status.eq(AccountStatus::Inactive.code()),
            accounts::inactive_since.eq(Some(now)),
            accounts::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Reactivates an inactive account as `status`: the clock starts again and no warning is owed.
pub fn reactivate(
    conn: &mut DbConnection,
    id: &str,
    status: AccountStatus,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = to_db(now);
    let never: Option<chrono::NaiveDateTime> = None;
    diesel::update(accounts::table.find(id))
        .set((
            accounts::status.eq(status.code()),
            accounts::last_used_at.eq(Some(now)),
            accounts::inactive_since.eq(never),
            accounts::inactivity_warned_at.eq(never),
            accounts::deletion_warned_at.eq(never),
            accounts::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether a username (by its keyed hash) belonged to a deleted account.
pub fn is_retired(conn: &mut DbConnection, username_hash: &str) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(retired_usernames::table.find(username_hash))).get_result(conn)?)
}

/// Which of these keyed username hashes belonged to deleted accounts, in one query.
pub fn retired_among(conn: &mut DbConnection, username_hashes: &[String]) -> Result<Vec<String>, StoreError> {
    Ok(retired_usernames::table
        .filter(retired_usernames::username_hash.eq_any(username_hashes))
        .select(retired_usernames::username_hash)
        .load(conn)?)
}

/// Erases a deleted account: its row and everything that names the person (memberships,
/// security answers, password history, resets, sessions, reserved mobile, the messages sent to
/// them, their entry in the application's roster, and the details of audit events about the
/// account, which keep ids only). The username is retired as a keyed hash. Run inside a write
/// transaction.
pub fn erase(
    conn: &mut DbConnection,
    account: &AccountRow,
    username_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let id = account.id.as_str();
    if !is_retired(conn, username_hash)? {
        diesel::insert_into(retired_usernames::table)
            .values((retired_usernames::username_hash.eq(username_hash), retired_usernames::retired_at.eq(to_db(now))))
            .execute(conn)?;
    }
    diesel::delete(mailbox_memberships::table.filter(mailbox_memberships::account_id.eq(id))).execute(conn)?;
    diesel::delete(security_answers::table.filter(security_answers::account_id.eq(id))).execute(conn)?;
    diesel::delete(password_history::table.filter(password_history::account_id.eq(id))).execute(conn)?;
    diesel::delete(password_resets::table.filter(password_resets::account_id.eq(id))).execute(conn)?;
    diesel::delete(sessions::table.filter(sessions::subject_type.eq("account")).filter(sessions::subject_id.eq(id)))
        .execute(conn)?;
    diesel::delete(mobile_reservations::table.filter(mobile_reservations::account_id.eq(id))).execute(conn)?;
    let addresses: Vec<&str> = [account.email.as_deref(), account.mobile.as_deref(), Some(account.username.as_str())]
        .into_iter()
        .flatten()
        .collect();
    diesel::delete(
        outbox_messages::table.filter(
            outbox_messages::recipient
                .eq_any(&addresses)
                .or(outbox_messages::subject_type.eq("account").and(outbox_messages::subject_id.eq(id))),
        ),
    )
    .execute(conn)?;
    if let (Some(application), Some(mobile)) = (&account.application_id, &account.mobile) {
        diesel::delete(
            members::table.filter(members::application_id.eq(application)).filter(members::mobile.eq(mobile)),
        )
        .execute(conn)?;
    }
    diesel::update(
        audit_events::table.filter(audit_events::object_type.eq("account")).filter(audit_events::object_id.eq(id)),
    )
    .set(audit_events::details.eq("{}"))
    .execute(conn)?;
    diesel::delete(accounts::table.find(id)).execute(conn)?;
    Ok(())
}

/// After erasing: on SQLite, copies the write-ahead log into the database and truncates it, so
/// that earlier images of erased rows do not linger in the log file (`secure_delete` has already
/// zeroed them in the database file). On PostgreSQL, dead row versions stay in their pages until
/// VACUUM reclaims them, which autovacuum does on its own schedule (see the README).
pub fn flush_erasures(conn: &mut DbConnection) -> Result<(), StoreError> {
    if let DbConnection::Sqlite(sqlite) = conn {
        diesel::connection::SimpleConnection::batch_execute(sqlite, "PRAGMA wal_checkpoint(TRUNCATE);")?;
    }
    Ok(())
}

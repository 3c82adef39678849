//! Leavers (R-L5): accounts marked as having left their practice, deleted after a grace period
//! unless another practice takes them on first.

use crate::accounts::AccountRow;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{accounts, mailbox_memberships};
use crate::time::to_db;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

/// Marks the account a leaver and takes away its access to every shared mailbox (with any owner
/// or admin rights). Returns whether this call marked it (`false`: a leaver already).
pub fn mark(conn: &mut DbConnection, account_id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let marked = diesel::update(accounts::table.find(account_id).filter(accounts::leaver_since.is_null()))
        .set((accounts::leaver_since.eq(Some(to_db(now))), accounts::updated_at.eq(to_db(now))))
        .execute(conn)?;
    diesel::delete(mailbox_memberships::table.filter(mailbox_memberships::account_id.eq(account_id))).execute(conn)?;
    Ok(marked == 1)
}

/// Leavers marked at or before `marked_before`, oldest first, at most `limit`.
pub fn due(conn: &mut DbConnection, marked_before: DateTime<Utc>, limit: i64) -> Result<Vec<AccountRow>, StoreError> {
    Ok(accounts::table
        .filter(accounts::leaver_since.le(to_db(marked_before)))
        .order(accounts::leaver_since.asc())
        .limit(limit)
        .select(AccountRow::as_select())
        .load(conn)?)
}

/// Takes the account on as a joiner of the practice made from `application_id` (R-L6): it is no
/// longer a leaver (its deletion is called off), the practice becomes its home, and its access to
/// other practices' mailboxes ends.
pub fn take_on(
    conn: &mut DbConnection,
    account_id: &str,
    application_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(accounts::table.find(account_id))
        .set((
            accounts::leaver_since.eq(None::<chrono::NaiveDateTime>),
            accounts::application_id.eq(Some(application_id)),
            accounts::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    diesel::delete(mailbox_memberships::table.filter(mailbox_memberships::account_id.eq(account_id))).execute(conn)?;
    Ok(())
}

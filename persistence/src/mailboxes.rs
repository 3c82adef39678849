//! Access to shared mailboxes after they are created (R-B1, R-B2): one membership row per
//! account with access, flagged owner and admin.

use crate::accounts::MailboxRow;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{accounts, mailbox_memberships, shared_mailboxes};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

pub fn mailbox(conn: &mut DbConnection, id: &str) -> Result<Option<MailboxRow>, StoreError> {
    Ok(shared_mailboxes::table.find(id).select(MailboxRow::as_select()).get_result(conn).optional()?)
}

/// Takes the mailbox's row lock for the rest of the transaction, so that concurrent changes to
/// its owners are made one after the other (SQLite's write transactions already are).
pub fn lock(conn: &mut DbConnection, id: &str) -> Result<MailboxRow, StoreError> {
    let updated = diesel::update(shared_mailboxes::table.find(id))
        .set(shared_mailboxes::id.eq(shared_mailboxes::id))
        .execute(conn)?;
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    mailbox(conn, id)?.ok_or(StoreError::NotFound)
}

/// The account's rights over the mailbox as `(owner, admin)`; `None` without access.
pub fn rights(conn: &mut DbConnection, mailbox_id: &str, account_id: &str) -> Result<Option<(bool, bool)>, StoreError> {
    Ok(mailbox_memberships::table
        .find((mailbox_id, account_id))
        .select((mailbox_memberships::is_owner, mailbox_memberships::is_admin))
        .get_result(conn)
        .optional()?)
}

pub fn count_owners(conn: &mut DbConnection, mailbox_id: &str) -> Result<usize, StoreError> {
    let owners: i64 = mailbox_memberships::table
        .filter(mailbox_memberships::mailbox_id.eq(mailbox_id))
        .filter(mailbox_memberships::is_owner.eq(true))
        .count()
        .get_result(conn)?;
    Ok(usize::try_from(owners).unwrap_or_default())
}

/// Sets the account's rights: `None` removes its access, otherwise `(owner, admin)`.
pub fn set_rights(
    conn: &mut DbConnection,
    mailbox_id: &str,
    account_id: &str,
    rights: Option<(bool, bool)>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let row = mailbox_memberships::table.find((mailbox_id, account_id));
    match rights {
        None => {
            diesel::delete(row).execute(conn)?;
        }
        Some((owner, admin)) => {
            let updated = diesel::update(row)
                .set((mailbox_memberships::is_owner.eq(owner), mailbox_memberships::is_admin.eq(admin)))
                .execute(conn)?;
            if updated == 0 {
                crate::accounts::add_membership(conn, mailbox_id, account_id, owner, admin, now)?;
            }
        }
    }
    Ok(())
}

/// The usernames of each mailbox's owners, for a page of the directory: `(mailbox id, username)`
/// in username order.
pub fn owners_of(conn: &mut DbConnection, mailbox_ids: &[String]) -> Result<Vec<(String, String)>, StoreError> {
    Ok(mailbox_memberships::table
        .inner_join(accounts::table)
        .filter(mailbox_memberships::mailbox_id.eq_any(mailbox_ids))
        .filter(mailbox_memberships::is_owner.eq(true))
        .order(accounts::username.asc())
        .select((mailbox_memberships::mailbox_id, accounts::username))
        .load(conn)?)
}

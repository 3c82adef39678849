//! Passcode mailshots (R-O7): a list of practices the helpdesk sends passcodes to, worked through
//! by the scheduled job, each practice once, with what happened to each.

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{mailshot_items, mailshots};
use crate::time::to_db;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = mailshots)]
pub struct MailshotRow {
    pub id: String,
    pub requested_by: String,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = mailshot_items)]
pub struct ItemRow {
    pub mailshot_id: String,
    pub position: i32,
    /// The ODS code or CQC location id as the helpdesk gave it.
    pub requested: String,
    /// The practice's CQC location, once found.
    pub cqc_location_id: Option<String>,
    /// `pending`, `sent`, `refused` or `not_found`.
    pub outcome: String,
    pub detail: Option<String>,
}

pub fn insert(
    conn: &mut DbConnection,
    id: &str,
    requested_by: &str,
    items: &[ItemRow],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(mailshots::table)
        .values((mailshots::id.eq(id), mailshots::requested_by.eq(requested_by), mailshots::created_at.eq(to_db(now))))
        .execute(conn)?;
    // One row at a time: multi-row inserts are not available through the multi-backend
    // connection, and a mailshot is written once.
    for item in items {
        diesel::insert_into(mailshot_items::table).values(item).execute(conn)?;
    }
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<(MailshotRow, Vec<ItemRow>)>, StoreError> {
    let Some(mailshot) = mailshots::table.find(id).select(MailshotRow::as_select()).get_result(conn).optional()? else {
        return Ok(None);
    };
    let items = mailshot_items::table
        .filter(mailshot_items::mailshot_id.eq(id))
        .order(mailshot_items::position.asc())
        .select(ItemRow::as_select())
        .load(conn)?;
    Ok(Some((mailshot, items)))
}

/// Up to `limit` items still to send, oldest mailshot first.
pub fn pending(conn: &mut DbConnection, limit: i64) -> Result<Vec<ItemRow>, StoreError> {
    Ok(mailshot_items::table
        .inner_join(mailshots::table)
        .filter(mailshot_items::outcome.eq("pending"))
        .order((mailshots::created_at.asc(), mailshot_items::mailshot_id.asc(), mailshot_items::position.asc()))
        .limit(limit)
        .select(ItemRow::as_select())
        .load(conn)?)
}

/// Records what happened to a pending item; `false` if another runner did already.
pub fn settle(
    conn: &mut DbConnection,
    item: &ItemRow,
    outcome: &str,
    detail: Option<&str>,
) -> Result<bool, StoreError> {
    Ok(diesel::update(
        mailshot_items::table.find((&item.mailshot_id, item.position)).filter(mailshot_items::outcome.eq("pending")),
    )
    .set((mailshot_items::outcome.eq(outcome), mailshot_items::detail.eq(detail)))
    .execute(conn)?
        == 1)
}

/// Says how a sent item went.
pub fn set_detail(conn: &mut DbConnection, item: &ItemRow, detail: &str) -> Result<(), StoreError> {
    diesel::update(mailshot_items::table.find((&item.mailshot_id, item.position)))
        .set(mailshot_items::detail.eq(Some(detail)))
        .execute(conn)?;
    Ok(())
}

/// Marks finished the mailshots with nothing left to send; returns how many.
pub fn finish_done(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let busy = mailshot_items::table.filter(mailshot_items::outcome.eq("pending")).select(mailshot_items::mailshot_id);
    Ok(diesel::update(mailshots::table.filter(mailshots::finished_at.is_null()).filter(mailshots::id.ne_all(busy)))
        .set(mailshots::finished_at.eq(Some(to_db(now))))
        .execute(conn)?)
}

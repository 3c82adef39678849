//! Joiner requests (R-L6): an owner's request for an account for a new member of staff, kept
//! only while it waits for the helpdesk.

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{joiner_requests, mobile_reservations};
use crate::time::to_db;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = joiner_requests)]
pub struct JoinerRow {
    pub id: String,
    pub mailbox_id: String,
    pub requested_by: String,
    pub title: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub mobile: String,
    pub role: String,
    pub is_admin: bool,
    pub created_at: NaiveDateTime,
}

/// Stores a request; `Conflict::MobileAlreadyRegistered` if another waiting request has the mobile.
pub fn insert(conn: &mut DbConnection, row: &JoinerRow) -> Result<(), StoreError> {
    conn.transaction(|conn| diesel::insert_into(joiner_requests::table).values(row).execute(conn).map(|_| ()))
        .map_err(StoreError::from)
}

/// Whether an application or account holds the mobile already (R-R7).
pub fn mobile_taken(conn: &mut DbConnection, mobile: &str) -> Result<bool, StoreError> {
    let held: i64 =
        mobile_reservations::table.filter(mobile_reservations::mobile.eq(mobile)).count().get_result(conn)?;
    Ok(held > 0)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<JoinerRow>, StoreError> {
    Ok(joiner_requests::table.find(id).select(JoinerRow::as_select()).get_result(conn).optional()?)
}

/// Waiting requests, oldest first, at most `limit`.
pub fn waiting(conn: &mut DbConnection, limit: i64) -> Result<Vec<JoinerRow>, StoreError> {
    Ok(joiner_requests::table
        .order((joiner_requests::created_at.asc(), joiner_requests::id.asc()))
        .limit(limit)
        .select(JoinerRow::as_select())
        .load(conn)?)
}

/// Removes a decided request; whether it was still there (so a decision is taken once).
pub fn remove(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(joiner_requests::table.find(id)).execute(conn)? == 1)
}

pub fn created(now: DateTime<Utc>) -> NaiveDateTime {
    to_db(now)
}

//! One-time passcodes: only their keyed hashes are stored (R-O4).

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::passcodes;
use crate::time::{from_db, to_db};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = passcodes)]
pub struct PasscodeRow {
    pub id: String,
    pub cqc_location_id: String,
    pub code_hash: String,
    pub channel: String,
    pub issued_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub used_by_application_id: Option<String>,
    pub requested_by_application_id: Option<String>,
    pub batch_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewPasscode<'a> {
    pub id: &'a str,
    pub cqc_location_id: &'a str,
    pub code_hash: &'a str,
    pub channel: &'a str,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub requested_by_application_id: Option<&'a str>,
    pub batch_id: Option<&'a str>,
}

pub fn insert(conn: &mut DbConnection, new: &NewPasscode<'_>) -> Result<(), StoreError> {
    diesel::insert_into(passcodes::table)
        .values((
            passcodes::id.eq(new.id),
            passcodes::cqc_location_id.eq(new.cqc_location_id),
            passcodes::code_hash.eq(new.code_hash),
            passcodes::channel.eq(new.channel),
            passcodes::issued_at.eq(to_db(new.issued_at)),
            passcodes::expires_at.eq(to_db(new.expires_at)),
            passcodes::requested_by_application_id.eq(new.requested_by_application_id),
            passcodes::batch_id.eq(new.batch_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// The passcode with this hash for this practice, if any.
pub fn find(conn: &mut DbConnection, location_id: &str, code_hash: &str) -> Result<Option<PasscodeRow>, StoreError> {
    Ok(passcodes::table
        .filter(passcodes::cqc_location_id.eq(location_id))
        .filter(passcodes::code_hash.eq(code_hash))
        .select(PasscodeRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Uses a passcode once (R-O3): true only for the call that used it.
pub fn mark_used(
    conn: &mut DbConnection,
    id: &str,
    application_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let updated = diesel::update(passcodes::table.find(id).filter(passcodes::used_at.is_null()))
        .set((passcodes::used_at.eq(Some(to_db(now))), passcodes::used_by_application_id.eq(Some(application_id))))
        .execute(conn)?;
    Ok(updated == 1)
}

/// When passcodes were issued for a practice since `since` (R-O5).
pub fn issued_since(
    conn: &mut DbConnection,
    location_id: &str,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, StoreError> {
    let times: Vec<NaiveDateTime> = passcodes::table
        .filter(passcodes::cqc_location_id.eq(location_id))
        .filter(passcodes::issued_at.gt(to_db(since)))
        .select(passcodes::issued_at)
        .load(conn)?;
    Ok(times.into_iter().map(from_db).collect())
}

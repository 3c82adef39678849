//! Erasing personal data the service no longer needs once its retention period has ended: the
//! members of rejected applications and the client addresses in old audit events. (Messages are
//! pruned by the outbox, accounts by the inactivity rules.)

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{applications, audit_events, members, mobile_reservations};
use crate::time::to_db;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::journey::ApplicationStatus;

/// Deletes the members (and any mobile reservations left) of applications rejected at or before
/// `decided_before`. The application keeps its practice, decision and reason. Returns how many
/// members were erased; repeating it erases nothing more.
pub fn erase_rejected_members(conn: &mut DbConnection, decided_before: DateTime<Utc>) -> Result<usize, StoreError> {
    let rejected = || {
        applications::table
            .filter(applications::status.eq(ApplicationStatus::Rejected.code()))
            .filter(applications::decided_at.le(to_db(decided_before)))
            .select(applications::id)
    };
    conn.transaction(|conn| {
        let erased = diesel::delete(members::table.filter(members::application_id.eq_any(rejected()))).execute(conn)?;
        diesel::delete(
            mobile_reservations::table.filter(mobile_reservations::application_id.eq_any(rejected().nullable())),
        )
        .execute(conn)?;
        Ok(erased)
    })
}

/// Erases the client address of audit events that occurred at or before `before`; the events
/// themselves (ids and kinds of change) stay. Returns how many events changed.
pub fn forget_client_addresses(conn: &mut DbConnection, before: DateTime<Utc>) -> Result<usize, StoreError> {
    Ok(diesel::update(
        audit_events::table
            .filter(audit_events::occurred_at.le(to_db(before)))
            .filter(audit_events::client_address.is_not_null()),
    )
    .set(audit_events::client_address.eq(None::<String>))
    .execute(conn)?)
}

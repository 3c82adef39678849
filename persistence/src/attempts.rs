//! Times of rate-limited events per scope and subject, shared by every replica. [`lock_subject`]
//! serialises concurrent checks of one subject so that a limit cannot be overrun by a burst of
//! parallel requests.

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::fixed::changed;
use crate::schema::{attempt_subjects, attempts};
use crate::time::{from_db, to_db};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

/// Takes the subject's lock for the rest of the transaction (creating its row on first use).
pub fn lock_subject(conn: &mut DbConnection, scope: &str, subject: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    let touch = |conn: &mut DbConnection| {
        let touched = diesel::update(attempt_subjects::table.find((scope, subject)))
            .set(attempt_subjects::touched_at.eq(to_db(now)))
            .returning(attempt_subjects::scope);
        changed(conn, touched)
    };
    if touch(conn)? == 1 {
        return Ok(());
    }
    // First use. A concurrent first use may insert the row first; then ours fails inside its
    // savepoint and the update below waits for, then takes, the lock.
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(attempt_subjects::table)
            .values((
                attempt_subjects::scope.eq(scope),
                attempt_subjects::subject.eq(subject),
                attempt_subjects::touched_at.eq(to_db(now)),
            ))
            .execute(conn)
            .map_err(StoreError::from)
    });
    match inserted {
        Ok(_) => Ok(()),
        Err(StoreError::Conflict(_)) => touch(conn).map(|_| ()).map_err(StoreError::from),
        Err(other) => Err(other),
    }
}

/// Records an event; returns its id.
pub fn record(
    conn: &mut DbConnection,
    scope: &str,
    subject: &str,
    outcome: &str,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(attempts::table)
        .values((
            attempts::id.eq(&id),
            attempts::scope.eq(scope),
            attempts::subject.eq(subject),
            attempts::outcome.eq(outcome),
            attempts::occurred_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Changes a recorded event's outcome (an attempt counted as a failure until it succeeds).
pub fn set_outcome(conn: &mut DbConnection, id: &str, outcome: &str) -> Result<(), StoreError> {
    changed(conn, diesel::update(attempts::table.find(id)).set(attempts::outcome.eq(outcome)).returning(attempts::id))?;
    Ok(())
}

/// Times of `outcome` events for the subject after `since`.
pub fn times_since(
    conn: &mut DbConnection,
    scope: &str,
    subject: &str,
    outcome: &str,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, StoreError> {
    let times: Vec<NaiveDateTime> = attempts::table
        .filter(attempts::scope.eq(scope))
        .filter(attempts::subject.eq(subject))
        .filter(attempts::outcome.eq(outcome))
        .filter(attempts::occurred_at.gt(to_db(since)))
        .select(attempts::occurred_at)
        .load(conn)?;
    Ok(times.into_iter().map(from_db).collect())
}

/// The latest `outcome` event for the subject, if any.
pub fn latest(
    conn: &mut DbConnection,
    scope: &str,
    subject: &str,
    outcome: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let latest: Option<NaiveDateTime> = attempts::table
        .filter(attempts::scope.eq(scope))
        .filter(attempts::subject.eq(subject))
        .filter(attempts::outcome.eq(outcome))
        .select(diesel::dsl::max(attempts::occurred_at))
        .get_result(conn)?;
    Ok(latest.map(from_db))
}

/// Forgets events older than `before`, and the subjects untouched since (housekeeping: no
/// limit looks further back than its window). Returns how many events went.
pub fn prune(conn: &mut DbConnection, before: DateTime<Utc>) -> Result<usize, StoreError> {
    let events = diesel::delete(attempts::table.filter(attempts::occurred_at.lt(to_db(before)))).execute(conn)?;
    diesel::delete(attempt_subjects::table.filter(attempt_subjects::touched_at.lt(to_db(before)))).execute(conn)?;
    Ok(events)
}

/// The longest subject stored, in characters (for the tests that bound what a failure stores).
pub fn longest_subject(conn: &mut DbConnection) -> Result<i32, StoreError> {
    let longest: Option<i32> =
        attempts::table.select(diesel::dsl::max(crate::search::length(attempts::subject))).get_result(conn)?;
    let subjects: Option<i32> = attempt_subjects::table
        .select(diesel::dsl::max(crate::search::length(attempt_subjects::subject)))
        .get_result(conn)?;
    Ok(longest.unwrap_or(0).max(subjects.unwrap_or(0)))
}

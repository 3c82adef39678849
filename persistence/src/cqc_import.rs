//! Writing the CQC directory a generation at a time, so that an import of any size never holds
//! the database's write lock for long and is still seen whole or not at all. An import claims the
//! directory, writes the locations it adds or changes as rows of the next generation (invisible:
//! readers see rows at or below `reference_imports.live_generation`) in short transactions, then
//! makes that generation live with one small update, and finally deletes the rows it replaced.
//! An import that is refused or fails deletes its rows; one that died leaves its claim without a
//! heartbeat, and the next import takes the claim over and deletes them.

use crate::db::{DbConnection, write_transaction};
use crate::error::StoreError;
use crate::reference::{CQC_LOCATIONS, CqcLocationRecord, CqcLocationRow, UpsertCounts};
use crate::schema::{cqc_locations, reference_imports};
use crate::time::to_db;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use std::collections::HashMap;

/// A claim without a heartbeat for this long belongs to an import that died.
const STALE_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// Rows per SQLite INSERT statement: 12 values each, within its 32,766 bound parameters.
const ROWS_PER_STATEMENT: usize = 2000;

/// How long a batch waits, at most, for this process's other writers to take SQLite's write lock
/// first (they look again at most every 100 ms).
const LET_IN_AT_MOST: std::time::Duration = std::time::Duration::from_millis(150);

/// Rows deleted per transaction when an import tidies up.
const DELETE_BATCH: i64 = 2000;

/// One import's hold on the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    token: String,
    /// The generation readers see while the import runs.
    live: i32,
    /// The generation the import writes.
    pub generation: i32,
}

#[derive(Insertable)]
#[diesel(table_name = cqc_locations, treat_none_as_default_value = false)]
struct Version<'a> {
    location_id: &'a str,
    generation: i32,
    name: &'a str,
    address_line_1: &'a str,
    address_line_2: Option<&'a str>,
    town: &'a str,
    county: Option<&'a str>,
    postcode: &'a str,
    registration_status: &'a str,
    service_types: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Claims the directory for one import; `None` while another import holds it. A claim left
/// without a heartbeat is taken over, and the rows of the import that left it are deleted.
pub fn claim(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<Option<Claim>, StoreError> {
    let token = uuid::Uuid::new_v4().to_string();
    let claimed = write_transaction(conn, |conn| {
        let (live, holder, heartbeat): (i32, Option<String>, Option<NaiveDateTime>) = reference_imports::table
            .find(CQC_LOCATIONS)
            .select((
                reference_imports::live_generation,
                reference_imports::import_token,
                reference_imports::import_heartbeat,
            ))
            .get_result(conn)?;
        let stale = to_db(now - STALE_AFTER);
        if holder.is_some() && heartbeat.is_some_and(|beat| beat >= stale) {
            return Ok::<_, StoreError>(None);
        }
        // Conditional, so that of two imports claiming at once (on PostgreSQL, where the read
        // above locks nothing) only the first gets the claim, and on the generation read.
        let claimed = diesel::update(
            reference_imports::table.find(CQC_LOCATIONS).filter(reference_imports::live_generation.eq(live)).filter(
                reference_imports::import_token
                    .is_null()
                    .or(reference_imports::import_heartbeat.is_null())
                    .or(reference_imports::import_heartbeat.lt(stale)),
            ),
        )
        .set((reference_imports::import_token.eq(&token), reference_imports::import_heartbeat.eq(to_db(now))))
        .execute(conn)?;
        Ok((claimed == 1).then(|| (Claim { token: token.clone(), live, generation: live + 1 }, holder.is_some())))
    })?;
    let Some((claim, taken_over)) = claimed else { return Ok(None) };
    if taken_over {
        log::warn!("taking over the claim of a CQC directory import that stopped; deleting its rows");
        delete_rows_above(conn, claim.live)?;
    }
    Ok(Some(claim))
}

/// Writes the records that add or change a location as rows of the claim's generation, in one
/// short transaction that also renews the claim's heartbeat (`at`). Counts what each record does.
pub fn write_batch(
    conn: &mut DbConnection,
    claim: &Claim,
    records: &[CqcLocationRecord],
    now: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<UpsertCounts, StoreError> {
    let ids: Vec<&str> = records.iter().map(|r| r.location_id.as_str()).collect();
    // Read outside the write transaction: only imports write these rows, one at a time.
    let mut current: HashMap<String, (i32, CqcLocationRow)> = HashMap::with_capacity(records.len());
    for (generation, row) in cqc_locations::table
        .filter(cqc_locations::location_id.eq_any(&ids))
        .filter(cqc_locations::generation.le(claim.live))
        .select((cqc_locations::generation, CqcLocationRow::as_select()))
        .load::<(i32, CqcLocationRow)>(conn)?
    {
        let newer = current.get(&row.record.location_id).is_none_or(|(seen, _)| generation > *seen);
        if newer {
            current.insert(row.record.location_id.clone(), (generation, row));
        }
    }
    let mut counts = UpsertCounts::default();
    let now = to_db(now);
    let mut versions = Vec::with_capacity(records.len());
    for record in records {
        let created_at = match current.get(&record.location_id) {
            Some((_, row)) if row.record == *record => {
                counts.unchanged += 1;
                continue;
            }
            Some((_, row)) => {
                counts.updated += 1;
                row.created_at
            }
            None => {
                counts.created += 1;
                now
            }
        };
        versions.push(Version {
            location_id: &record.location_id,
            generation: claim.generation,
            name: &record.name,
            address_line_1: &record.address_line_1,
            address_line_2: record.address_line_2.as_deref(),
            town: &record.town,
            county: record.county.as_deref(),
            postcode: &record.postcode,
            registration_status: &record.registration_status,
            service_types: &record.service_types,
            created_at,
            updated_at: now,
        });
    }
    if batches_need_pauses(conn) {
        crate::db::let_waiting_writers_in(LET_IN_AT_MOST);
    }
    write_transaction(conn, |conn| {
        heartbeat(conn, claim, at)?;
        insert(conn, &versions)
    })?;
    Ok(counts)
}

/// Whether batches written back to back would keep other writers waiting. SQLite has one write
/// lock for the whole database, and a writer waiting for it only looks again after growing pauses
/// (its busy timeout, 1 ms at first, 25 ms and more after 50 ms): the pause between two batches
/// must be long enough for it to see the lock free. PostgreSQL locks rows, and nobody else writes
/// these.
pub fn batches_need_pauses(conn: &DbConnection) -> bool {
    matches!(conn, DbConnection::Sqlite(_))
}

/// Inserts rows in bulk, each backend its own way (diesel's bulk inserts need the backend's own
/// connection): PostgreSQL's binary COPY, SQLite's multi-row INSERTs.
fn insert(conn: &mut DbConnection, versions: &[Version<'_>]) -> Result<(), StoreError> {
    if versions.is_empty() {
        return Ok(());
    }
    match conn {
        DbConnection::Postgres(pg) => {
            diesel::copy_from(cqc_locations::table).from_insertable(versions).execute(pg)?;
        }
        DbConnection::Sqlite(sqlite) => {
            for statement in versions.chunks(ROWS_PER_STATEMENT) {
                diesel::insert_into(cqc_locations::table).values(statement).execute(sqlite)?;
            }
        }
    }
    Ok(())
}

fn heartbeat(conn: &mut DbConnection, claim: &Claim, at: DateTime<Utc>) -> Result<(), StoreError> {
    let renewed = diesel::update(
        reference_imports::table.find(CQC_LOCATIONS).filter(reference_imports::import_token.eq(&claim.token)),
    )
    .set(reference_imports::import_heartbeat.eq(to_db(at)))
    .execute(conn)?;
    if renewed == 0 {
        return Err(lost());
    }
    Ok(())
}

fn lost() -> StoreError {
    StoreError::Unavailable("another import took over this import of the CQC directory".to_owned())
}

/// Makes the claim's generation the one readers see, and releases the claim. Run it in the write
/// transaction that records the import, so both happen or neither.
pub fn make_live(conn: &mut DbConnection, claim: &Claim) -> Result<(), StoreError> {
    let switched = diesel::update(
        reference_imports::table.find(CQC_LOCATIONS).filter(reference_imports::import_token.eq(&claim.token)),
    )
    .set((
        reference_imports::live_generation.eq(claim.generation),
        reference_imports::import_token.eq(None::<String>),
        reference_imports::import_heartbeat.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    if switched == 0 {
        return Err(lost());
    }
    Ok(())
}

/// After [`make_live`]: deletes the rows the claim's generation replaced, a batch at a time.
pub fn delete_replaced(conn: &mut DbConnection, claim: &Claim) -> Result<(), StoreError> {
    delete_in_batches(conn, Doomed::ReplacedBy(claim.generation))
}

/// Gives a claim up without making it live: its rows are deleted, a batch at a time, and the
/// directory is free for the next import.
pub fn abandon(conn: &mut DbConnection, claim: &Claim) -> Result<(), StoreError> {
    delete_rows_above(conn, claim.live)?;
    diesel::update(
        reference_imports::table.find(CQC_LOCATIONS).filter(reference_imports::import_token.eq(&claim.token)),
    )
    .set((
        reference_imports::import_token.eq(None::<String>),
        reference_imports::import_heartbeat.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}

/// Deletes the rows of generations above `live`, which no reader sees.
fn delete_rows_above(conn: &mut DbConnection, live: i32) -> Result<(), StoreError> {
    delete_in_batches(conn, Doomed::Above(live))
}

/// Rows an import deletes.
#[derive(Debug, Clone, Copy)]
enum Doomed {
    /// Those a generation replaced: older rows of the locations it wrote.
    ReplacedBy(i32),
    /// Those of generations above the live one.
    Above(i32),
}

/// Deletes `doomed` rows a batch at a time, each batch in its own short write transaction (on
/// SQLite letting this process's waiting writers in first). Each batch is found after the last
/// location seen, in the key's order: without a sort and without reading again the rows before it.
fn delete_in_batches(conn: &mut DbConnection, doomed: Doomed) -> Result<(), StoreError> {
    let mut after = String::new();
    loop {
        let locations = cqc_locations::table
            .filter(cqc_locations::location_id.gt(&after))
            .order(cqc_locations::location_id.asc())
            .limit(DELETE_BATCH)
            .select(cqc_locations::location_id);
        let ids: Vec<String> = match doomed {
            Doomed::ReplacedBy(generation) => locations.filter(cqc_locations::generation.eq(generation)).load(conn)?,
            Doomed::Above(live) => locations.filter(cqc_locations::generation.gt(live)).load(conn)?,
        };
        let Some(last) = ids.last().cloned() else { return Ok(()) };
        if batches_need_pauses(conn) {
            crate::db::let_waiting_writers_in(LET_IN_AT_MOST);
        }
        write_transaction(conn, |conn| {
            let rows = cqc_locations::table.filter(cqc_locations::location_id.eq_any(&ids));
            match doomed {
                Doomed::ReplacedBy(generation) => {
                    diesel::delete(rows.filter(cqc_locations::generation.lt(generation))).execute(conn)
                }
                Doomed::Above(live) => diesel::delete(rows.filter(cqc_locations::generation.gt(live))).execute(conn),
            }
            .map_err(StoreError::from)
        })?;
        after = last;
    }
}

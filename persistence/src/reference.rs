//! Reference data: the practice register (route A) and the CQC directory (route B). Practice
//! imports upsert by CQC location id inside the caller's transaction, so a file applies whole or
//! not at all; the CQC directory is written a generation at a time (see [`crate::cqc_import`])
//! and read here as its live generation.

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{cqc_locations, practices, reference_imports};
use crate::time::to_db;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::conflict::Conflict;

/// A practice in the register.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = practices)]
pub struct PracticeRow {
    pub id: String,
    #[diesel(embed)]
    pub record: PracticeRecord,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What an import says about one practice.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = practices, treat_none_as_null = true)]
pub struct PracticeRecord {
    pub ods_code: String,
    pub name: String,
    pub address_line_1: String,
    pub address_line_2: Option<String>,
    pub town: String,
    pub county: Option<String>,
    pub postcode: String,
    pub cqc_location_id: String,
    pub cqc_contact_id_hash: Option<String>,
    pub registered_manager_email: Option<String>,
    pub ig_assessment: String,
    pub ig_value: Option<String>,
    pub ig_assessed_on: Option<NaiveDate>,
}

impl PracticeRecord {
    /// Address lines for display and letters, without empty parts.
    pub fn address_lines(&self) -> Vec<String> {
        address_lines([&self.address_line_1, &self.town, &self.postcode], [&self.address_line_2, &self.county])
    }
}

/// The dataset name of the CQC directory in `reference_imports`.
pub const CQC_LOCATIONS: &str = "cqc-locations";

/// A location in the CQC directory.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = cqc_locations)]
pub struct CqcLocationRow {
    #[diesel(embed)]
    pub record: CqcLocationRecord,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What an import says about one CQC location.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = cqc_locations)]
pub struct CqcLocationRecord {
    pub location_id: String,
    pub name: String,
    pub address_line_1: String,
    pub address_line_2: Option<String>,
    pub town: String,
    pub county: Option<String>,
    pub postcode: String,
    pub registration_status: String,
    pub service_types: String,
}

impl CqcLocationRecord {
    /// Address lines as the CQC registers them, without empty parts.
    pub fn address_lines(&self) -> Vec<String> {
        address_lines([&self.address_line_1, &self.town, &self.postcode], [&self.address_line_2, &self.county])
    }
}

/// Line 1, line 2, town, county, postcode, leaving out the optional and empty parts.
fn address_lines([line_1, town, postcode]: [&String; 3], [line_2, county]: [&Option<String>; 2]) -> Vec<String> {
    [Some(line_1), line_2.as_ref(), Some(town), county.as_ref(), Some(postcode)]
        .into_iter()
        .flatten()
        .filter(|line| !line.trim().is_empty())
        .cloned()
        .collect()
}

/// Outcome of an import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Inserts or updates each practice by CQC location id. Run inside a write transaction. The
/// `Err` lists (by position) the records whose ODS code belongs to another practice: the unique
/// constraint decides, and the caller should roll the transaction back.
pub fn upsert_practices(
    conn: &mut DbConnection,
    records: &[PracticeRecord],
    now: DateTime<Utc>,
) -> Result<Result<UpsertCounts, Vec<usize>>, StoreError> {
    let mut counts = UpsertCounts::default();
    let mut ods_taken = Vec::new();
    let now = to_db(now);
    for (position, record) in records.iter().enumerate() {
        let existing = practices::table
            .filter(practices::cqc_location_id.eq(&record.cqc_location_id))
            .select(PracticeRow::as_select())
            .get_result(conn)
            .optional()?;
        // Each write in a savepoint, so that a clash is reported and the rest still checked.
        let written = conn.transaction(|conn| match &existing {
            Some(row) if row.record == *record => Ok(&mut counts.unchanged),
            Some(row) => diesel::update(practices::table.find(&row.id))
                .set((record, practices::updated_at.eq(now)))
                .execute(conn)
                .map(|_| &mut counts.updated),
            None => diesel::insert_into(practices::table)
                .values((
                    practices::id.eq(uuid::Uuid::new_v4().to_string()),
                    record,
                    practices::created_at.eq(now),
                    practices::updated_at.eq(now),
                ))
                .execute(conn)
                .map(|_| &mut counts.created),
        });
        match written.map_err(StoreError::from) {
            Ok(count) => *count += 1,
            Err(StoreError::Conflict(Conflict::OdsCodeTaken)) => ods_taken.push(position),
            Err(other) => return Err(other),
        }
    }
    Ok(if ods_taken.is_empty() { Ok(counts) } else { Err(ods_taken) })
}

pub fn practices_at_postcode(conn: &mut DbConnection, postcode: &str) -> Result<Vec<PracticeRow>, StoreError> {
    Ok(practices::table
        .filter(practices::postcode.eq(postcode))
        .order(practices::name.asc())
        .select(PracticeRow::as_select())
        .load(conn)?)
}

pub fn practice(conn: &mut DbConnection, id: &str) -> Result<Option<PracticeRow>, StoreError> {
    Ok(practices::table.find(id).select(PracticeRow::as_select()).get_result(conn).optional()?)
}

pub fn practice_by_location(conn: &mut DbConnection, location_id: &str) -> Result<Option<PracticeRow>, StoreError> {
    Ok(practices::table
        .filter(practices::cqc_location_id.eq(location_id))
        .select(PracticeRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// The CQC location ids of register practices in `town` (any case) and/or the postcode district
/// `district` (the outward code, e.g. `LS1`), by ODS code, at most `limit`.
pub fn locations_matching(
    conn: &mut DbConnection,
    town: Option<&str>,
    district: Option<&str>,
    limit: i64,
) -> Result<Vec<String>, StoreError> {
    let mut query = practices::table.select(practices::cqc_location_id).into_boxed();
    if let Some(town) = town {
        query = query.filter(crate::search::lower(practices::town).eq(town.to_lowercase()));
    }
    if let Some(district) = district {
        query = query.filter(practices::postcode.like(format!("{} %", district.to_uppercase())));
    }
    Ok(query.order(practices::ods_code.asc()).limit(limit).load(conn)?)
}

pub fn practice_by_ods(conn: &mut DbConnection, ods_code: &str) -> Result<Option<PracticeRow>, StoreError> {
    Ok(practices::table
        .filter(practices::ods_code.eq(ods_code))
        .select(PracticeRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// The generation of the CQC directory readers see (a subquery).
macro_rules! live_generation {
    () => {
        reference_imports::table
            .filter(reference_imports::dataset.eq(CQC_LOCATIONS))
            .select(reference_imports::live_generation)
            .single_value()
            .assume_not_null()
    };
}

/// A location as the live generation of the directory has it: its newest row at or below it.
pub fn cqc_location(conn: &mut DbConnection, location_id: &str) -> Result<Option<CqcLocationRow>, StoreError> {
    // Joined to the live generation rather than compared with a sub-select, and with no `LIMIT`
    // (a location keeps a row for at most two generations): diesel writes both with `LIMIT ?`,
    // which SQLite plans with the bound value, so every run would prepare the statement again.
    let live = reference_imports::table.on(reference_imports::dataset
        .eq(CQC_LOCATIONS)
        .and(cqc_locations::generation.le(reference_imports::live_generation)));
    Ok(cqc_locations::table
        .inner_join(live)
        .filter(cqc_locations::location_id.eq(location_id))
        .order(cqc_locations::generation.desc())
        .select(CqcLocationRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn count_practices(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(practices::table.count().get_result(conn)?)
}

pub fn count_cqc_locations(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(cqc_locations::table
        .filter(cqc_locations::generation.le(live_generation!()))
        .select(diesel::dsl::count(cqc_locations::location_id).aggregate_distinct())
        .get_result(conn)?)
}

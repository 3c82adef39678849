//! Loading reference data from CSV: the practice register (route A) and the CQC directory
//! (route B). Every bad row is reported with its line number (the first 100 errors listed and
//! all counted) and then nothing is applied. A register file is read twice, a row at a time:
//! first checked whole, then upserted in batches inside one transaction. The directory, much
//! larger, is read once and written in short transactions as a new generation that becomes live
//! at once when the whole file has proved good (`directory`). CQC contact ids are hashed before
//! they are stored. The formats are documented in the README.

mod directory;
mod parse;
mod reader;

pub use parse::{CqcLocations, Practices};
pub use reader::{Findings, Format, MAX_LISTED_ERRORS, Parsed, parse};

use crate::Error;
use crate::audit::By;
use crate::secrets::Hasher;
use chrono::{DateTime, Utc};
use persistence::reference::{self, UpsertCounts};
use persistence::{DbConnection, write_transaction};
use std::io::Read;
use std::path::{Path, PathBuf};

/// How many rows are written at a time while a checked file is applied.
const BATCH_ROWS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    Practices,
    CqcLocations,
}

impl Dataset {
    pub fn name(self) -> &'static str {
        match self {
            Self::Practices => "practices",
            Self::CqcLocations => "cqc-locations",
        }
    }
}

/// One bad row (or the header, line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Line in the file, counting the header as line 1.
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

/// What an import did, or why it did nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub dataset: Dataset,
    /// Data rows read (header excluded).
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// False when any row was bad: then nothing was changed.
    pub applied: bool,
    /// The first [`MAX_LISTED_ERRORS`] errors, in file order.
    pub errors: Vec<RowError>,
    /// Every error found, listed or not.
    pub errors_total: usize,
    /// Headings of the file this format does not use; their columns were not read.
    pub ignored_columns: Vec<String>,
}

impl ImportReport {
    fn new(dataset: Dataset, scan: reader::Scan, counts: UpsertCounts, findings: Findings) -> Self {
        Self {
            dataset,
            rows: scan.rows,
            created: counts.created,
            updated: counts.updated,
            unchanged: counts.unchanged,
            applied: findings.is_empty(),
            errors: findings.listed,
            errors_total: findings.total,
            ignored_columns: scan.ignored_columns,
        }
    }
}

/// Where a file is read from: twice, once to check it and once to apply it, so that only one
/// row at a time is held in memory.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
}

impl Source<'_> {
    fn open(&self) -> Result<Box<dyn Read + '_>, Error> {
        match self {
            Self::Bytes(bytes) => Ok(Box::new(*bytes)),
            Self::File(path) => std::fs::File::open(path)
                .map(|file| Box::new(file) as Box<dyn Read>)
                .map_err(|e| Error::internal(format!("cannot open {}: {e}", path.display()))),
        }
    }
}

fn unreadable(error: std::io::Error) -> Error {
    Error::internal(format!("reading an uploaded file: {error}"))
}

/// Why a checked file was not applied: rows that clash with the data of record (the transaction
/// is rolled back), or the database.
enum Refused {
    Rows,
    Failed(Error),
}

impl From<persistence::StoreError> for Refused {
    fn from(error: persistence::StoreError) -> Self {
        Self::Failed(error.into())
    }
}

impl From<Error> for Refused {
    fn from(error: Error) -> Self {
        Self::Failed(error)
    }
}

impl From<std::io::Error> for Refused {
    fn from(error: std::io::Error) -> Self {
        Self::Failed(unreadable(error))
    }
}

/// Writes one batch of checked records; a clash with the data of record is added to `findings`.
trait Apply: Format {
    fn write(
        conn: &mut DbConnection,
        lines: &[u64],
        records: &[Self::Record],
        now: DateTime<Utc>,
        findings: &mut Findings,
    ) -> Result<UpsertCounts, persistence::StoreError>;
}

impl Apply for Practices {
    fn write(
        conn: &mut DbConnection,
        lines: &[u64],
        records: &[Self::Record],
        now: DateTime<Utc>,
        findings: &mut Findings,
    ) -> Result<UpsertCounts, persistence::StoreError> {
        match reference::upsert_practices(conn, records, now)? {
            Ok(counts) => Ok(counts),
            Err(taken) => {
                for at in taken {
                    let record = &records[at];
                    findings.push(RowError {
                        line: lines[at],
                        column: Some("ods_code".to_owned()),
                        message: format!(
                            "ODS code {} belongs to another practice in the register; one practice per ODS code.",
                            record.ods_code
                        ),
                    });
                }
                Ok(UpsertCounts::default())
            }
        }
    }
}

/// Audits an applied import (an operator's import from the command line has `by` too; only the
/// sample data loads without one).
fn record_import(
    conn: &mut DbConnection,
    by: Option<&By>,
    dataset: Dataset,
    rows: usize,
    counts: &UpsertCounts,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let Some(by) = by else { return Ok(()) };
    let details = serde_json::json!({"rows": rows, "created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged});
    crate::audit::record(conn, by, "reference_data.imported", ("reference_data", dataset.name()), details, now)?;
    Ok(())
}

fn add(total: &mut UpsertCounts, counts: UpsertCounts) {
    total.created += counts.created;
    total.updated += counts.updated;
    total.unchanged += counts.unchanged;
}

/// Checks a whole register file, then applies it in batches inside one transaction (with its
/// audit record), or not at all.
fn import_as<F: Apply>(
    conn: &mut DbConnection,
    dataset: Dataset,
    source: Source<'_>,
    hasher: &Hasher,
    now: DateTime<Utc>,
    by: Option<&By>,
) -> Result<ImportReport, Error> {
    let mut findings = Findings::default();
    let scan = reader::check::<F, _>(source.open()?, hasher, &mut findings).map_err(unreadable)?;
    if !findings.is_empty() {
        return Ok(ImportReport::new(dataset, scan, UpsertCounts::default(), findings));
    }
    let applied = write_transaction(conn, |conn| {
        let mut counts = UpsertCounts::default();
        let (mut lines, mut batch) = (Vec::with_capacity(BATCH_ROWS), Vec::with_capacity(BATCH_ROWS));
        let mut flush =
            |conn: &mut DbConnection, lines: &mut Vec<u64>, batch: &mut Vec<F::Record>, findings: &mut Findings| {
                let written = F::write(conn, lines, batch, now, findings);
                lines.clear();
                batch.clear();
                written.map(|written| add(&mut counts, written))
            };
        reader::scan::<F, _, Refused>(source.open()?, hasher, &mut findings, None, |line, record, findings| {
            lines.push(line);
            batch.push(record);
            if batch.len() == BATCH_ROWS {
                flush(conn, &mut lines, &mut batch, findings)?;
            }
            Ok(())
        })?;
        flush(conn, &mut lines, &mut batch, &mut findings)?;
        if !findings.is_empty() {
            return Err(Refused::Rows);
        }
        record_import(conn, by, dataset, scan.rows, &counts, now)?;
        Ok(counts)
    });
    match applied {
        Ok(counts) => Ok(ImportReport::new(dataset, scan, counts, Findings::default())),
        Err(Refused::Rows) => Ok(ImportReport::new(dataset, scan, UpsertCounts::default(), findings)),
        Err(Refused::Failed(error)) => Err(error),
    }
}

/// Checks a whole file, then applies it in one transaction (with its audit record), or not at all.
pub fn import(
    conn: &mut DbConnection,
    dataset: Dataset,
    source: Source<'_>,
    hasher: &Hasher,
    now: DateTime<Utc>,
    by: Option<&By>,
) -> Result<ImportReport, Error> {
    match dataset {
        Dataset::Practices => import_as::<Practices>(conn, dataset, source, hasher, now, by),
        Dataset::CqcLocations => directory::import(conn, source, hasher, now, by),
    }
}

/// An operator's import from the command line: the report, whether the file was applied or not.
pub fn import_file(app: &crate::App, by: &By, dataset: Dataset, file: &Path) -> Result<ImportReport, Error> {
    let mut conn = app.database().get()?;
    import(&mut conn, dataset, Source::File(file), app.hasher(), app.now(), Some(by))
}

/// A helpdesk upload (§5), spooled to `file` by the caller: the whole file applied, or the bad
/// rows reported (the first [`MAX_LISTED_ERRORS`], with the total) and nothing changed.
pub async fn upload(
    app: &crate::App,
    caller: &crate::Caller,
    dataset: Dataset,
    file: PathBuf,
) -> Result<ImportReport, Error> {
    let report = crate::helpdesk::as_admin(app, caller, move |conn, app, admin| {
        import(conn, dataset, Source::File(&file), app.hasher(), app.now(), Some(&admin.by()))
    })
    .await?;
    if report.applied {
        return Ok(report);
    }
    let errors = report
        .errors
        .iter()
        .map(|e| {
            crate::FieldError::new(
                format!("/{}/{}", e.line, e.column.as_deref().unwrap_or("").replace('~', "~0").replace('/', "~1")),
                domain::ProblemCode::InvalidRow,
                None,
                e.message.clone(),
            )
        })
        .collect();
    let detail = if report.errors_total > report.errors.len() {
        format!(
            "The file has {} errors; the first {} are listed. Nothing was changed.",
            report.errors_total,
            report.errors.len()
        )
    } else {
        format!("The file has {}. Nothing was changed.", domain::text::quantity(report.errors_total as u64, "error"))
    };
    Err(Error::validation(errors).detail(detail).report(report))
}

pub const SAMPLE_PRACTICES: &str = include_str!("../../sample-data/practices.csv");
pub const SAMPLE_CQC_LOCATIONS: &str = include_str!("../../sample-data/cqc-locations.csv");

/// Loads the sample register and CQC directory into an empty database (development start).
pub fn load_sample_if_empty(
    conn: &mut DbConnection,
    hasher: &Hasher,
    now: DateTime<Utc>,
) -> Result<Option<(ImportReport, ImportReport)>, Error> {
    if reference::count_practices(conn)? > 0 || reference::count_cqc_locations(conn)? > 0 {
        return Ok(None);
    }
    let practices = import(conn, Dataset::Practices, Source::Bytes(SAMPLE_PRACTICES.as_bytes()), hasher, now, None)?;
    let locations =
        import(conn, Dataset::CqcLocations, Source::Bytes(SAMPLE_CQC_LOCATIONS.as_bytes()), hasher, now, None)?;
    Ok(Some((practices, locations)))
}

#[cfg(test)]
mod tests;

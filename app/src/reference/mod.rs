//! Loading reference data from CSV: the practice register (route A) and the CQC directory
//! (route B). A file is checked whole first: every bad row is reported with its line number and
//! nothing is applied; a good file is upserted in one transaction. CQC contact ids are hashed
//! before they are stored. The formats are documented in the README.

mod parse;

pub use parse::{Parsed, parse_cqc_locations, parse_practices};

use crate::Error;
use crate::audit::By;
use crate::secrets::Hasher;
use chrono::{DateTime, Utc};
use persistence::reference::{self, PracticeRecord, UpsertCounts};
use persistence::{DbConnection, write_transaction};

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
    pub errors: Vec<RowError>,
    /// Headings of the file this format does not use; their columns were not read.
    pub ignored_columns: Vec<String>,
}

fn report<T>(dataset: Dataset, parsed: &Parsed<T>, counts: UpsertCounts, errors: Vec<RowError>) -> ImportReport {
    ImportReport {
        dataset,
        rows: parsed.rows,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        applied: errors.is_empty(),
        errors,
        ignored_columns: parsed.ignored_columns.clone(),
    }
}

/// Why a checked file was not applied: rows that clash with the data of record (the transaction
/// is rolled back), or the database.
enum Refused {
    Rows(Vec<RowError>),
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

fn ods_code_taken(line: u64, record: &PracticeRecord) -> RowError {
    RowError {
        line,
        column: Some("ods_code".to_owned()),
        message: format!(
            "ODS code {} belongs to another practice in the register; one practice per ODS code.",
            record.ods_code
        ),
    }
}
/// Checks a whole file, then applies it in one transaction (with its audit record), or not at all.
pub fn import(
    conn: &mut DbConnection,
    dataset: Dataset,
    bytes: &[u8],
    hasher: &Hasher,
    now: DateTime<Utc>,
    by: Option<&By>,
) -> Result<ImportReport, Error> {
    let audit = |conn: &mut DbConnection, rows: usize, counts: UpsertCounts| -> Result<(), Error> {
        let Some(by) = by else { return Ok(()) };
        let details = serde_json::json!({"rows": rows, "created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged});
        crate::audit::record(conn, by, "reference_data.imported", ("reference_data", dataset.name()), details, now)
    };
    match dataset {
        Dataset::Practices => {
            let mut parsed = parse_practices(bytes, hasher);
            if !parsed.errors.is_empty() {
                let errors = std::mem::take(&mut parsed.errors);
                return Ok(report(dataset, &parsed, UpsertCounts::default(), errors));
            }
            let (lines, records): (Vec<u64>, Vec<PracticeRecord>) =
                std::mem::take(&mut parsed.records).into_iter().unzip();
            let applied = write_transaction(conn, |conn| {
                let counts = reference::upsert_practices(conn, &records, now)?.map_err(|taken| {
                    Refused::Rows(taken.into_iter().map(|at| ods_code_taken(lines[at], &records[at])).collect())
                })?;
                audit(conn, records.len(), counts)?;
                Ok(counts)
            });
            match applied {
                Ok(counts) => Ok(report(dataset, &parsed, counts, Vec::new())),
                Err(Refused::Rows(errors)) => Ok(report(dataset, &parsed, UpsertCounts::default(), errors)),
                Err(Refused::Failed(error)) => Err(error),
            }
        }
        Dataset::CqcLocations => {
            let mut parsed = parse_cqc_locations(bytes);
            if !parsed.errors.is_empty() {
                let errors = std::mem::take(&mut parsed.errors);
                return Ok(report(dataset, &parsed, UpsertCounts::default(), errors));
            }
            let records = std::mem::take(&mut parsed.records);
            let counts = write_transaction(conn, |conn| {
                let counts = reference::upsert_cqc_locations(conn, &records, now)?;
                audit(conn, records.len(), counts)?;
                Ok::<_, Error>(counts)
            })?;
            Ok(report(dataset, &parsed, counts, Vec::new()))
        }
    }
}

/// An operator's import from the command line: the report, whether the file was applied or not.
pub fn import_file(app: &crate::App, by: &By, dataset: Dataset, bytes: &[u8]) -> Result<ImportReport, Error> {
    let mut conn = app.database().get()?;
    import(&mut conn, dataset, bytes, app.hasher(), app.now(), Some(by))
}

/// A helpdesk upload (§5): the whole file applied, or every bad row reported and nothing changed.
pub async fn upload(
    app: &crate::App,
    caller: &crate::Caller,
    dataset: Dataset,
    bytes: Vec<u8>,
) -> Result<ImportReport, Error> {
    let report = crate::helpdesk::as_admin(app, caller, move |conn, app, admin| {
        import(conn, dataset, &bytes, app.hasher(), app.now(), Some(&admin.by()))
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
                format!("/{}/{}", e.line, e.column.as_deref().unwrap_or("")),
                domain::ProblemCode::InvalidRow,
                None,
                e.message.clone(),
            )
        })
        .collect();
    Err(Error::validation(errors).report(report))
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
    let practices = import(conn, Dataset::Practices, SAMPLE_PRACTICES.as_bytes(), hasher, now, None)?;
    let locations = import(conn, Dataset::CqcLocations, SAMPLE_CQC_LOCATIONS.as_bytes(), hasher, now, None)?;
    Ok(Some((practices, locations)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Secret;

    fn hasher() -> Hasher {
        Hasher::new(&Secret::new(b"test-secret-key-of-a-good-length-here".to_vec()))
    }

    #[test]
    fn the_sample_files_are_valid() {
        let parsed = parse_practices(SAMPLE_PRACTICES.as_bytes(), &hasher());
        assert!(parsed.errors.is_empty() && parsed.ignored_columns.is_empty(), "{:?}", parsed.errors);
        let practices = parsed.records;
        assert_eq!(practices.len(), 5);
        assert_eq!(practices.iter().map(|(line, _)| *line).collect::<Vec<_>>(), [2, 3, 4, 5, 6]);
        assert!(practices.iter().all(|(_, p)| p.cqc_contact_id_hash.as_deref().is_some_and(|h| h.len() == 64)));
        assert!(practices.iter().any(|(_, p)| p.registered_manager_email.is_none()));
        let locations = parse_cqc_locations(SAMPLE_CQC_LOCATIONS.as_bytes()).records;
        let sample = locations.iter().find(|l| l.location_id == "1-1002733005").unwrap();
        assert_eq!(sample.name, "SAMPLE DENTAL CARE");
        assert_eq!(sample.address_line_1, "123 ROAD NAME");
        assert_eq!(sample.address_line_2.as_deref(), Some("WIMBLEDON"));
        assert_eq!(sample.town, "LONDON");
        assert_eq!(sample.postcode, "SW19 4AB");
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let csv = "ods_code,name,address_line_1,town,postcode,cqc_location_id,ig_toolkit,ig_status\n\
                   V1,Good Practice,1 Street,Leeds,LS1 4AP,1-1000000001,IGT,2\n\
                   V2,,1 Street,Leeds,NOPE,1-10,IGT,9\n\
                   V1,Copy,1 Street,Leeds,LS1 4AP,1-1000000001,XYZ,\n";
        let parsed = parse_practices(csv.as_bytes(), &hasher());
        assert_eq!(parsed.rows, 3, "the rows read are counted even when the file is refused");
        let errors = parsed.errors;
        let at: Vec<_> = errors.iter().map(|e| (e.line, e.column.clone().unwrap_or_default())).collect();
        assert!(at.contains(&(3, "ods_code".into())), "{at:?}");
        assert!(at.contains(&(3, "name".into())));
        assert!(at.contains(&(3, "postcode".into())));
        assert!(at.contains(&(3, "cqc_location_id".into())));
        assert!(at.contains(&(3, "ig_status".into())));
        assert!(at.contains(&(4, "cqc_location_id".into())), "duplicate location: {at:?}");
        assert!(at.contains(&(4, "ig_toolkit".into())));
    }

    #[test]
    fn missing_headings_are_named_with_the_line_where_they_were_looked_for() {
        let errors = parse_cqc_locations(b"Name,Postcode\nX,SW19 4AB\n").errors;
        assert!(errors.iter().all(|e| e.line == 1));
        let missing: Vec<_> = errors.iter().filter_map(|e| e.column.as_deref()).collect();
        assert_eq!(missing, ["CQC Location ID (for office use only)", "Address", "Service types"]);
        assert!(errors[0].message.contains("line 1"), "{}", errors[0].message);
    }

    #[test]
    fn the_cqc_directory_is_read_as_published() {
        // A title block above the headings, a byte-order mark, Windows line endings and columns
        // this service does not use, as in the file the CQC publishes.
        let file = "\u{feff}Care directory with filters,,,,,,\r\n\
                    Data as at 28 November 2026,,,,,,\r\n\
                    ,,,,,,\r\n\
                    Name,Address,Postcode,Phone number,Service types,CQC Location ID (for office use only),Region\r\n\
                    SAMPLE DENTAL CARE,\"123 ROAD NAME, WIMBLEDON, LONDON\",SW19 4AB,020 7946 0000,Dental service,1-1002733005,London\r\n";
        let parsed = parse_cqc_locations(file.as_bytes());
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.rows, 1);
        assert_eq!(parsed.records[0].location_id, "1-1002733005");
        assert_eq!(parsed.records[0].town, "LONDON");
        assert_eq!(parsed.ignored_columns, ["Phone number", "Region"], "unknown columns are reported");
    }
}

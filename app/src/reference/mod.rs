//! Loading reference data from CSV: the practice register (route A) and the CQC directory
//! (route B). A file is checked whole first: every bad row is reported with its line number and
//! nothing is applied; a good file is upserted in one transaction. CQC contact ids are hashed
//! before they are stored. The formats are documented in the README.

mod parse;

pub use parse::{parse_cqc_locations, parse_practices};

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
}

fn report(dataset: Dataset, rows: usize, counts: UpsertCounts, errors: Vec<RowError>) -> ImportReport {
    ImportReport {
        dataset,
        rows,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        applied: errors.is_empty(),
        errors,
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
        Dataset::Practices => match parse_practices(bytes, hasher) {
            Err(errors) => Ok(report(dataset, 0, UpsertCounts::default(), errors)),
            Ok(parsed) => {
                let (lines, records): (Vec<u64>, Vec<PracticeRecord>) = parsed.into_iter().unzip();
                let applied = write_transaction(conn, |conn| {
                    let counts = reference::upsert_practices(conn, &records, now)?.map_err(|taken| {
                        Refused::Rows(taken.into_iter().map(|at| ods_code_taken(lines[at], &records[at])).collect())
                    })?;
                    audit(conn, records.len(), counts)?;
                    Ok(counts)
                });
                match applied {
                    Ok(counts) => Ok(report(dataset, records.len(), counts, Vec::new())),
                    Err(Refused::Rows(errors)) => Ok(report(dataset, 0, UpsertCounts::default(), errors)),
                    Err(Refused::Failed(error)) => Err(error),
                }
            }
        },
        Dataset::CqcLocations => match parse_cqc_locations(bytes) {
            Err(errors) => Ok(report(dataset, 0, UpsertCounts::default(), errors)),
            Ok(records) => {
                let counts = write_transaction(conn, |conn| {
                    let counts = reference::upsert_cqc_locations(conn, &records, now)?;
                    audit(conn, records.len(), counts)?;
                    Ok::<_, Error>(counts)
                })?;
                Ok(report(dataset, records.len(), counts, Vec::new()))
            }
        },
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
        let practices = parse_practices(SAMPLE_PRACTICES.as_bytes(), &hasher()).unwrap();
        assert_eq!(practices.len(), 5);
        assert_eq!(practices.iter().map(|(line, _)| *line).collect::<Vec<_>>(), [2, 3, 4, 5, 6]);
        assert!(practices.iter().all(|(_, p)| p.cqc_contact_id_hash.as_deref().is_some_and(|h| h.len() == 64)));
        assert!(practices.iter().any(|(_, p)| p.registered_manager_email.is_none()));
        let locations = parse_cqc_locations(SAMPLE_CQC_LOCATIONS.as_bytes()).unwrap();
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
        let errors = parse_practices(csv.as_bytes(), &hasher()).unwrap_err();
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
    fn missing_columns_are_reported_on_the_header_line() {
        let errors = parse_cqc_locations(b"Name,Postcode\nX,SW19 4AB\n").unwrap_err();
        assert!(errors.iter().all(|e| e.line == 1));
        assert_eq!(errors.len(), 3);
    }
}

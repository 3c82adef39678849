//! Reading the two CSV formats: columns matched by name in any order and case, every value
//! checked by the domain's rules, every bad row reported with its line number.

use super::RowError;
use crate::secrets::Hasher;
use chrono::NaiveDate;
use domain::contact::Email;
use domain::identifiers::{CqcContactId, CqcLocationId, OdsCode, PracticeName};
use domain::ig_status::DsptStatus;
use domain::postcode::Postcode;
use persistence::reference::{CqcLocationRecord, PracticeRecord};
use std::collections::{HashMap, HashSet};

/// Headings are looked for in the first lines of a file, below any title block a publisher
/// puts above them (the CQC's directory has one).
const HEADING_SEARCH_LINES: usize = 20;

/// A column a format knows: the name reports use, the headings that mean it (compared in lower
/// case, with spaces collapsed), and whether a file must have it.
struct Column {
    name: &'static str,
    headings: &'static [&'static str],
    required: bool,
}

/// A file read against a format: the heading line found, the columns it names, the data rows,
/// and any headings the format does not know (reported, not silently dropped).
struct Table {
    columns: HashMap<&'static str, usize>,
    rows: Vec<(u64, csv::StringRecord)>,
    ignored_columns: Vec<String>,
}

/// What a parse gives: the records of a good file, or every error of a bad one; with how many
/// data rows were read and the columns that were not used.
pub struct Parsed<T> {
    pub records: Vec<T>,
    pub rows: usize,
    pub ignored_columns: Vec<String>,
    pub errors: Vec<RowError>,
}

fn heading(cell: &str) -> String {
    cell.trim_start_matches('\u{feff}').split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Reads a CSV file (UTF-8, with or without a byte-order mark, any line endings), finds the line
/// of headings and the data rows below it.
fn read(bytes: &[u8], layout: &[Column]) -> Result<Table, Vec<RowError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).trim(csv::Trim::All).flexible(true).from_reader(bytes);
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => records.push((record.position().map_or(0, csv::Position::line), record)),
            Err(e) => errors.push(RowError {
                line: e.position().map_or(0, csv::Position::line),
                column: None,
                message: match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text; save the file as UTF-8 CSV".to_owned(),
                    _ => "cannot be read as CSV".to_owned(),
                },
            }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let required: Vec<&Column> = layout.iter().filter(|c| c.required).collect();
    let found = |record: &csv::StringRecord, column: &Column| {
        record.iter().position(|cell| column.headings.contains(&heading(cell).as_str()))
    };
    let score = |record: &csv::StringRecord| required.iter().filter(|c| found(record, c).is_some()).count();
    let searched = records.iter().take(HEADING_SEARCH_LINES);
    let Some(at) = searched.clone().position(|(_, record)| score(record) == required.len()) else {
        // Report against the line that comes closest, naming every heading it lacks.
        let best = searched.max_by_key(|(line, record)| (score(record), std::cmp::Reverse(*line)));
        let line = best.map_or(1, |(line, _)| *line);
        return Err(required
            .iter()
            .filter(|c| best.is_none_or(|(_, record)| found(record, c).is_none()))
            .map(|c| RowError {
                line,
                column: Some(c.name.to_owned()),
                message: format!(
                    "the heading `{}` is missing: headings are looked for in the first {HEADING_SEARCH_LINES} lines, and line {line} has the most of them",
                    c.name
                ),
            })
            .collect());
    };
    let header = &records[at].1;
    let columns = layout.iter().filter_map(|c| found(header, c).map(|index| (c.name, index))).collect();
    let ignored_columns = header
        .iter()
        .filter(|cell| !cell.trim().is_empty())
        .filter(|cell| !layout.iter().any(|c| c.headings.contains(&heading(cell).as_str())))
        .map(|cell| cell.trim_start_matches('\u{feff}').trim().to_owned())
        .collect();
    let rows =
        records.into_iter().skip(at + 1).filter(|(_, record)| record.iter().any(|field| !field.is_empty())).collect();
    Ok(Table { columns, rows, ignored_columns })
}

impl Table {
    fn column(&self, name: &str) -> Option<usize> {
        self.columns.get(name).copied()
    }

    fn parsed<T>(self, records: Vec<T>, errors: Vec<RowError>) -> Parsed<T> {
        Parsed { rows: self.rows.len(), ignored_columns: self.ignored_columns, records, errors }
    }
}

/// A parse that failed before any row: every error, nothing read.
fn unreadable<T>(errors: Vec<RowError>) -> Parsed<T> {
    Parsed { records: Vec::new(), rows: 0, ignored_columns: Vec::new(), errors }
}

/// Collects the errors of one row.
struct Row<'a> {
    line: u64,
    record: &'a csv::StringRecord,
    errors: &'a mut Vec<RowError>,
}

impl Row<'_> {
    fn text(&self, index: Option<usize>) -> Option<String> {
        index.and_then(|i| self.record.get(i)).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    fn fail(&mut self, column: &str, message: impl Into<String>) {
        self.errors.push(RowError { line: self.line, column: Some(column.to_owned()), message: message.into() });
    }

    fn required(&mut self, column: &str, index: usize) -> Option<String> {
        let value = self.text(Some(index));
        if value.is_none() {
            self.fail(column, "is required");
        }
        value
    }

    fn parsed<T, E: std::fmt::Display>(
        &mut self,
        column: &str,
        index: usize,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<T> {
        let value = self.text(Some(index)).unwrap_or_default();
        match parse(&value) {
            Ok(parsed) => Some(parsed),
            Err(e) => {
                self.fail(column, e.to_string());
                None
            }
        }
    }
}

fn duplicates(errors: &mut Vec<RowError>, seen: &mut HashSet<String>, line: u64, column: &str, value: &str) {
    if !seen.insert(value.to_owned()) {
        errors.push(RowError {
            line,
            column: Some(column.to_owned()),
            message: format!("`{value}` appears more than once in the file"),
        });
    }
}

fn ig_fields(row: &mut Row<'_>, toolkit: Option<String>, status: Option<String>) -> (String, Option<String>) {
    match toolkit.as_deref().map(str::to_ascii_uppercase).as_deref() {
        None | Some("NONE") => ("none".to_owned(), None),
        Some("IGT") => match status.as_deref().and_then(|s| s.parse::<u8>().ok()).filter(|level| *level <= 3) {
            Some(level) => ("igt".to_owned(), Some(level.to_string())),
            None => {
                row.fail("ig_status", "for IGT, the attainment level 0 to 3");
                ("igt".to_owned(), None)
            }
        },
        Some("DSPT") => match status.as_deref().and_then(DsptStatus::parse) {
            Some(dspt) => ("dspt".to_owned(), Some(dspt.code().to_owned())),
            None => {
                row.fail("ig_status", "for DSPT, a published status such as `Standards Met`");
                ("dspt".to_owned(), None)
            }
        },
        Some(other) => {
            row.fail("ig_toolkit", format!("`{other}` is not IGT, DSPT or empty"));
            ("none".to_owned(), None)
        }
    }
}

const PRACTICE_COLUMNS: &[Column] = &[
    Column { name: "ods_code", headings: &["ods_code"], required: true },
    Column { name: "name", headings: &["name"], required: true },
    Column { name: "address_line_1", headings: &["address_line_1"], required: true },
    Column { name: "address_line_2", headings: &["address_line_2"], required: false },
    Column { name: "town", headings: &["town"], required: true },
    Column { name: "county", headings: &["county"], required: false },
    Column { name: "postcode", headings: &["postcode"], required: true },
    Column { name: "cqc_location_id", headings: &["cqc_location_id"], required: true },
    Column { name: "cqc_contact_id", headings: &["cqc_contact_id"], required: false },
    Column { name: "registered_manager_email", headings: &["registered_manager_email"], required: false },
    Column { name: "ig_toolkit", headings: &["ig_toolkit"], required: false },
    Column { name: "ig_status", headings: &["ig_status"], required: false },
    Column { name: "ig_assessed_on", headings: &["ig_assessed_on"], required: false },
];

/// Parses the practice register, each record with its line in the file.
pub fn parse_practices(bytes: &[u8], hasher: &Hasher) -> Parsed<(u64, PracticeRecord)> {
    let table = match read(bytes, PRACTICE_COLUMNS) {
        Ok(table) => table,
        Err(errors) => return unreadable(errors),
    };
    let col = |name: &str| table.column(name);
    let mut errors = Vec::new();
    let mut records = Vec::new();
    let (mut seen_locations, mut seen_ods) = (HashSet::new(), HashSet::new());
    for (line, record) in &table.rows {
        let mut row = Row { line: *line, record, errors: &mut errors };
        let ods = row.parsed("ods_code", col("ods_code").unwrap_or_default(), OdsCode::parse);
        let name = row.parsed("name", col("name").unwrap_or_default(), PracticeName::parse);
        let line_1 = row.required("address_line_1", col("address_line_1").unwrap_or_default());
        let town = row.required("town", col("town").unwrap_or_default());
        let postcode = row.parsed("postcode", col("postcode").unwrap_or_default(), Postcode::parse);
        let location = row.parsed("cqc_location_id", col("cqc_location_id").unwrap_or_default(), CqcLocationId::parse);
        let contact = match row.text(col("cqc_contact_id")) {
            Some(value) => match CqcContactId::parse(&value) {
                Ok(id) => Some(Some(hasher.contact_id(&id))),
                Err(e) => {
                    row.fail("cqc_contact_id", e.to_string());
                    None
                }
            },
            None => Some(None),
        };
        let email = match row.text(col("registered_manager_email")) {
            Some(value) => match Email::parse_address(&value) {
                Ok(email) => Some(Some(email.as_str().to_owned())),
                Err(e) => {
                    row.fail("registered_manager_email", e.to_string());
                    None
                }
            },
            None => Some(None),
        };
        let (toolkit, status) = (row.text(col("ig_toolkit")), row.text(col("ig_status")));
        let (ig_assessment, ig_value) = ig_fields(&mut row, toolkit, status);
        let assessed_on = match row.text(col("ig_assessed_on")) {
            Some(value) => match NaiveDate::parse_from_str(&value, "%Y-%m-%d") {
                Ok(date) => Some(Some(date)),
                Err(_) => {
                    row.fail("ig_assessed_on", "a date as YYYY-MM-DD");
                    None
                }
            },
            None => Some(None),
        };
        let (line_2, county) = (row.text(col("address_line_2")), row.text(col("county")));
        if let Some(location) = &location {
            duplicates(&mut errors, &mut seen_locations, *line, "cqc_location_id", location.as_str());
        }
        if let Some(ods) = &ods {
            duplicates(&mut errors, &mut seen_ods, *line, "ods_code", ods.as_str());
        }
        if let (
            Some(ods),
            Some(name),
            Some(line_1),
            Some(town),
            Some(postcode),
            Some(location),
            Some(contact),
            Some(email),
            Some(assessed_on),
        ) = (ods, name, line_1, town, postcode, location, contact, email, assessed_on)
        {
            records.push((
                *line,
                PracticeRecord {
                    ods_code: ods.as_str().to_owned(),
                    name: name.as_str().to_owned(),
                    address_line_1: line_1,
                    address_line_2: line_2,
                    town,
                    county,
                    postcode: postcode.as_str().to_owned(),
                    cqc_location_id: location.as_str().to_owned(),
                    cqc_contact_id_hash: contact,
                    registered_manager_email: email,
                    ig_assessment,
                    ig_value,
                    ig_assessed_on: assessed_on,
                },
            ));
        }
    }
    table.parsed(records, errors)
}

const CQC_COLUMNS: &[Column] = &[
    Column {
        name: "CQC Location ID (for office use only)",
        headings: &["cqc location id (for office use only)", "location id", "cqc location id"],
        required: true,
    },
    Column { name: "Name", headings: &["name", "location name"], required: true },
    Column { name: "Address", headings: &["address"], required: true },
    Column { name: "Postcode", headings: &["postcode", "location postal code"], required: true },
    Column { name: "Service types", headings: &["service types", "service type"], required: true },
    Column {
        name: "Registration status",
        headings: &["registration status", "location registration status"],
        required: false,
    },
];

/// Parses the CQC care directory as the CQC publishes it (see the README for the columns),
/// title block and all. `Address` is one field, `line 1, [more lines,] town`.
pub fn parse_cqc_locations(bytes: &[u8]) -> Parsed<CqcLocationRecord> {
    let table = match read(bytes, CQC_COLUMNS) {
        Ok(table) => table,
        Err(errors) => return unreadable(errors),
    };
    let column = |name: &str| table.column(name).unwrap_or_default();
    let (id_col, name_col, address_col, postcode_col, services_col) = (
        column("CQC Location ID (for office use only)"),
        column("Name"),
        column("Address"),
        column("Postcode"),
        column("Service types"),
    );
    let status_col = table.column("Registration status");
    let mut errors = Vec::new();
    let mut records = Vec::new();
    let mut seen = HashSet::new();
    for (line, record) in &table.rows {
        let mut row = Row { line: *line, record, errors: &mut errors };
        let location = row.parsed("CQC Location ID (for office use only)", id_col, CqcLocationId::parse);
        let name = row.parsed("Name", name_col, PracticeName::parse);
        let postcode = row.parsed("Postcode", postcode_col, Postcode::parse);
        let services = row.required("Service types", services_col);
        let parts: Vec<String> = row
            .text(Some(address_col))
            .unwrap_or_default()
            .split(',')
            .map(|part| part.trim().to_owned())
            .filter(|part| !part.is_empty())
            .collect();
        if parts.len() < 2 {
            row.fail("Address", "needs at least a street line and a town, separated by commas");
        }
        let status = row.text(status_col).unwrap_or_else(|| "Registered".to_owned());
        if let Some(location) = &location {
            duplicates(&mut errors, &mut seen, *line, "CQC Location ID (for office use only)", location.as_str());
        }
        if let (Some(location), Some(name), Some(postcode), Some(services), true) =
            (location, name, postcode, services, parts.len() >= 2)
        {
            let town = parts[parts.len() - 1].clone();
            let middle = parts[1..parts.len() - 1].join(", ");
            records.push(CqcLocationRecord {
                location_id: location.as_str().to_owned(),
                name: name.as_str().to_owned(),
                address_line_1: parts[0].clone(),
                address_line_2: (!middle.is_empty()).then_some(middle),
                town,
                county: None,
                postcode: postcode.as_str().to_owned(),
                registration_status: status,
                service_types: services,
            });
        }
    }
    table.parsed(records, errors)
}

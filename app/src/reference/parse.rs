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

struct Table {
    columns: HashMap<String, usize>,
    rows: Vec<(u64, csv::StringRecord)>,
}

fn read(bytes: &[u8]) -> Result<Table, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| vec![RowError { line: 1, column: None, message: format!("unreadable header: {e}") }])?
        .clone();
    let columns = header
        .iter()
        .enumerate()
        .map(|(i, name)| (name.trim().trim_start_matches('\u{feff}').to_lowercase(), i))
        .collect();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, csv::Position::line);
                if record.iter().any(|field| !field.is_empty()) {
                    rows.push((line, record));
                }
            }
            Err(e) => errors.push(RowError {
                line: e.position().map_or(0, csv::Position::line),
                column: None,
                message: format!("unreadable row: {e}"),
            }),
        }
    }
    if errors.is_empty() { Ok(Table { columns, rows }) } else { Err(errors) }
}

impl Table {
    /// The index of the first of `names` present, or an error naming the column.
    fn column(&self, names: &[&str]) -> Result<usize, RowError> {
        names.iter().find_map(|n| self.columns.get(*n).copied()).ok_or_else(|| RowError {
            line: 1,
            column: Some(names[0].to_owned()),
            message: format!("required column `{}` is missing", names[0]),
        })
    }

    fn optional_column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.columns.get(*n).copied())
    }
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

/// Parses the practice register, each record with its line in the file.
pub fn parse_practices(bytes: &[u8], hasher: &Hasher) -> Result<Vec<(u64, PracticeRecord)>, Vec<RowError>> {
    let table = read(bytes)?;
    let header_errors: Vec<RowError> = ["ods_code", "name", "address_line_1", "town", "postcode", "cqc_location_id"]
        .iter()
        .filter_map(|c| table.column(&[c]).err())
        .collect();
    if !header_errors.is_empty() {
        return Err(header_errors);
    }
    let col = |name: &str| table.optional_column(&[name]);
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
    if errors.is_empty() { Ok(records) } else { Err(errors) }
}

/// Parses the CQC care directory as the CQC publishes it (see the README for the columns).
/// `Address` is one field, `line 1, [more lines,] town`.
pub fn parse_cqc_locations(bytes: &[u8]) -> Result<Vec<CqcLocationRecord>, Vec<RowError>> {
    let table = read(bytes)?;
    let columns = (
        table.column(&["cqc location id (for office use only)", "location id", "cqc location id"]),
        table.column(&["name", "location name"]),
        table.column(&["address"]),
        table.column(&["postcode", "location postal code"]),
        table.column(&["service types", "service type"]),
    );
    let (Ok(id_col), Ok(name_col), Ok(address_col), Ok(postcode_col), Ok(services_col)) = columns else {
        let (a, b, c, d, e) = columns;
        return Err([a.err(), b.err(), c.err(), d.err(), e.err()].into_iter().flatten().collect());
    };
    let status_col = table.optional_column(&["registration status", "location registration status"]);
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
    if errors.is_empty() { Ok(records) } else { Err(errors) }
}

//! The two CSV formats: the practice register and the CQC directory as published, every value
//! checked by the domain's rules.

use super::reader::{Column, Columns, Format, Row};
use crate::secrets::Hasher;
use chrono::NaiveDate;
use domain::contact::Email;
use domain::identifiers::{CqcContactId, CqcLocationId, OdsCode, PracticeName};
use domain::ig_status::DsptStatus;
use domain::postcode::Postcode;
use persistence::reference::{CqcLocationRecord, PracticeRecord};

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

/// The practice register (route A).
pub struct Practices;

impl Format for Practices {
    type Record = PracticeRecord;
    const COLUMNS: &'static [Column] = PRACTICE_COLUMNS;

    fn record(row: &mut Row<'_>, columns: &Columns, hasher: &Hasher) -> Option<PracticeRecord> {
        let col = |name: &str| columns.get(name);
        let ods = row.parsed("ods_code", columns.required("ods_code"), OdsCode::parse);
        let name = row.parsed("name", columns.required("name"), PracticeName::parse);
        let line_1 = row.required("address_line_1", columns.required("address_line_1"));
        let town = row.required("town", columns.required("town"));
        let postcode = row.parsed("postcode", columns.required("postcode"), Postcode::parse);
        let location = row.parsed("cqc_location_id", columns.required("cqc_location_id"), CqcLocationId::parse);
        if let Some(location) = &location {
            row.unique("cqc_location_id", location.as_str());
        }
        if let Some(ods) = &ods {
            row.unique("ods_code", ods.as_str());
        }
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
        let (ig_assessment, ig_value) = ig_fields(row, toolkit, status);
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
        Some(PracticeRecord {
            ods_code: ods?.as_str().to_owned(),
            name: name?.as_str().to_owned(),
            address_line_1: line_1?,
            address_line_2: line_2,
            town: town?,
            county,
            postcode: postcode?.as_str().to_owned(),
            cqc_location_id: location?.as_str().to_owned(),
            cqc_contact_id_hash: contact?,
            registered_manager_email: email?,
            ig_assessment,
            ig_value,
            ig_assessed_on: assessed_on?,
        })
    }
}

const CQC_COLUMNS: &[Column] = &[
    Column {
        name: CQC_LOCATION_ID,
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

/// The CQC care directory (route B), as the CQC publishes it (see the README for the columns),
/// title block and all. `Address` is one field, `line 1, [more lines,] town`.
pub struct CqcLocations;

const CQC_LOCATION_ID: &str = "CQC Location ID (for office use only)";

impl Format for CqcLocations {
    type Record = CqcLocationRecord;
    const COLUMNS: &'static [Column] = CQC_COLUMNS;

    fn record(row: &mut Row<'_>, columns: &Columns, _: &Hasher) -> Option<CqcLocationRecord> {
        let location = row.parsed(CQC_LOCATION_ID, columns.required(CQC_LOCATION_ID), CqcLocationId::parse);
        if let Some(location) = &location {
            row.unique(CQC_LOCATION_ID, location.as_str());
        }
        let name = row.parsed("Name", columns.required("Name"), PracticeName::parse);
        let postcode = row.parsed("Postcode", columns.required("Postcode"), Postcode::parse);
        let services = row.required("Service types", columns.required("Service types"));
        let parts: Vec<String> = row
            .text(columns.get("Address"))
            .unwrap_or_default()
            .split(',')
            .map(|part| part.trim().to_owned())
            .filter(|part| !part.is_empty())
            .collect();
        if parts.len() < 2 {
            row.fail("Address", "needs at least a street line and a town, separated by commas");
        }
        let status = row.text(columns.get("Registration status")).unwrap_or_else(|| "Registered".to_owned());
        let (location, name, postcode, services) = (location?, name?, postcode?, services?);
        let (first, rest) = parts.split_first()?;
        let (town, middle) = rest.split_last()?;
        let middle = middle.join(", ");
        Some(CqcLocationRecord {
            location_id: location.as_str().to_owned(),
            name: name.as_str().to_owned(),
            address_line_1: first.clone(),
            address_line_2: (!middle.is_empty()).then_some(middle),
            town: town.clone(),
            county: None,
            postcode: postcode.as_str().to_owned(),
            registration_status: status,
            service_types: services,
        })
    }
}

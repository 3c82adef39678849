//! Reading the two reference formats: sample files, bad rows, headings, the CQC layout, text rules.

use super::*;
use crate::settings::Secret;

fn hasher() -> Hasher {
    Hasher::new(&Secret::new(b"test-secret-key-of-a-good-length-here".to_vec()))
}

#[test]
fn the_sample_files_are_valid() {
    let parsed = parse::<Practices>(SAMPLE_PRACTICES.as_bytes(), &hasher());
    assert!(parsed.errors.is_empty() && parsed.ignored_columns.is_empty(), "{:?}", parsed.errors);
    let practices = parsed.records;
    assert_eq!(practices.len(), 5);
    assert_eq!(practices.iter().map(|(line, _)| *line).collect::<Vec<_>>(), [2, 3, 4, 5, 6]);
    assert!(practices.iter().all(|(_, p)| p.cqc_contact_id_hash.as_deref().is_some_and(|h| h.len() == 64)));
    assert!(practices.iter().any(|(_, p)| p.registered_manager_email.is_none()));
    let locations = parse::<CqcLocations>(SAMPLE_CQC_LOCATIONS.as_bytes(), &hasher()).records;
    let sample = locations.iter().map(|(_, l)| l).find(|l| l.location_id == "1-1002733005").unwrap();
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
    let parsed = parse::<Practices>(csv.as_bytes(), &hasher());
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
fn values_that_hide_characters_are_row_errors_and_the_rest_are_stored_in_nfc() {
    let csv = "ods_code,name,address_line_1,town,postcode,cqc_location_id,unused\n\
               V01,Cafe\u{301} Dental,1 High St\u{202E}reet,Leeds\u{0},LS1 4AP,1-1000000001,\u{E000}\n\
               V02,Zoe\u{308} Dental,2 Street,Leeds,LS1 4AP,1-1000000002,x\n";
    let parsed = parse::<Practices>(csv.as_bytes(), &hasher());
    let at: Vec<_> = parsed.errors.iter().map(|e| (e.line, e.column.clone().unwrap_or_default())).collect();
    assert_eq!(at, [(2, "address_line_1".into()), (2, "town".into())], "ignored columns are not checked");
    assert!(parsed.errors[0].message.contains("U+202E"), "{}", parsed.errors[0].message);
    assert!(parsed.errors[1].message.contains("U+0000"), "{}", parsed.errors[1].message);
    let names: Vec<_> = parsed.records.iter().map(|(_, p)| p.name.as_str()).collect();
    assert!(names.contains(&"Zo\u{EB} Dental"), "{names:?}");
    assert!(names.contains(&"Caf\u{E9} Dental"), "{names:?}");
}

#[test]
fn missing_headings_are_named_with_the_line_where_they_were_looked_for() {
    let errors = parse::<CqcLocations>(b"Name,Postcode\nX,SW19 4AB\n", &hasher()).errors;
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
    let parsed = parse::<CqcLocations>(file.as_bytes(), &hasher());
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(parsed.rows, 1);
    assert_eq!(parsed.records[0].1.location_id, "1-1002733005");
    assert_eq!(parsed.records[0].1.town, "LONDON");
    assert_eq!(parsed.ignored_columns, ["Phone number", "Region"], "unknown columns are reported");
}

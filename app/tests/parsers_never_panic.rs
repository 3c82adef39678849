//! Reference-data files and access tokens from outside never panic whatever their bytes: a CSV
//! file of arbitrary bytes, or of rows built from quotes, separators, line breaks, byte-order
//! marks and invalid UTF-8 under real headings, is either read or refused with its errors; a
//! token of arbitrary text, or a real token with bytes changed, is refused.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::reference::{CqcLocations, Practices, parse};
use app::secrets::Hasher;
use app::settings::Secret;
use app::tokens::{ACCOUNT_AUDIENCE, HELPDESK_AUDIENCE, Tokens};
use chrono::{Duration, Utc};
use proptest::prelude::*;

const PRACTICE_HEADINGS: &str = "ods_code,name,address_line_1,address_line_2,town,county,postcode,cqc_location_id,cqc_contact_id,registered_manager_email,ig_toolkit,ig_status,ig_assessed_on";
const CQC_HEADINGS: &str =
    "Name,Address,Postcode,Service types,CQC Location ID (for office use only),Registration status";

fn hasher() -> Hasher {
    Hasher::new(&Secret::new(b"property-test-key-of-a-good-length".to_vec()))
}

/// The bytes a CSV file is made of, the troublesome ones often.
fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        any::<u8>().prop_map(|b| vec![b]),
        "[A-Za-z0-9 -]{1,8}".prop_map(String::into_bytes),
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xFF\xFE".to_vec()),
        Just(b"\0".to_vec()),
        Just(b"1-1000000001".to_vec()),
        Just(b"SW19 4AB".to_vec()),
        Just(b"DSPT".to_vec()),
        Just(b"IGT".to_vec()),
    ];
    proptest::collection::vec(piece, 0..120).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn any_bytes_are_read_or_refused_with_errors_never_a_panic(body in csv_bytes(), raw in proptest::collection::vec(any::<u8>(), 0..400)) {
        let hasher = hasher();
        for (headings, bytes) in [(PRACTICE_HEADINGS, &body), (CQC_HEADINGS, &body), ("", &raw)] {
            let mut file = headings.as_bytes().to_vec();
            file.push(b'\n');
            file.extend_from_slice(bytes);
            let practices = parse::<Practices>(&file, &hasher);
            prop_assert!(practices.errors.is_empty() || practices.records.is_empty(), "a refused file yields no records");
            prop_assert!(practices.records.len() <= practices.rows);
            let locations = parse::<CqcLocations>(&file, &hasher);
            prop_assert!(locations.errors.is_empty() || locations.records.is_empty());
            prop_assert!(locations.records.len() <= locations.rows);
            for (line, _) in &locations.records {
                prop_assert!(*line >= 2, "data rows come after the headings");
            }
        }
    }

    #[test]
    fn tokens_of_any_text_or_with_any_byte_changed_are_refused(text in any::<String>(), at in any::<usize>(), byte in any::<u8>()) {
        let tokens = Tokens::new(&app::settings::SigningKeys::single(Secret::new(b"property-test-signing-key-32-bytes!".to_vec())));
        let now = Utc::now();
        prop_assert!(tokens.verify(&text, ACCOUNT_AUDIENCE, now).is_err());
        let real = tokens.issue(HELPDESK_AUDIENCE, "subject", "session", now, now + Duration::minutes(5)).unwrap();
        prop_assert!(tokens.verify(&real, HELPDESK_AUDIENCE, now).is_ok());
        let mut changed = real.clone().into_bytes();
        let at = at % changed.len();
        if changed[at] != byte {
            changed[at] = byte;
            let changed = String::from_utf8_lossy(&changed).into_owned();
            // Base64url may decode two spellings of the last character alike; anything else
            // must be refused.
            if tokens.verify(&changed, HELPDESK_AUDIENCE, now).is_ok() {
                prop_assert_eq!(at, real.len() - 1, "only the last character has spare bits");
            }
        }
    }
}

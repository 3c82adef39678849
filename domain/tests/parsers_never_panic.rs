//! Every parser and normaliser takes any text without panicking: arbitrary Unicode, arbitrary
//! bytes read as UTF-8 the way a request body is, and text built from the characters that
//! trouble parsers (combining marks, direction controls, wide and zero-width characters, digits
//! of other scripts). Where a parse succeeds, what it gives must parse again to itself.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use domain::account::{ResetCode, SecurityAnswer};
use domain::contact::{Email, UkMobile};
use domain::identifiers::{CqcContactId, CqcLocationId, OdsCode, PracticeName};
use domain::mailbox::{MailDomain, SharedMailboxAddress};
use domain::member::{PersonName, Role, Title};
use domain::passcode::{Passcode, PasscodeChannel};
use domain::postcode::Postcode;
use domain::town::Town;
use domain::username::{AdminUsername, Username};
use proptest::prelude::*;

/// Text of the kinds that break parsers, mixed with ordinary letters, digits and punctuation.
fn awkward() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        any::<char>().prop_map(String::from),
        "[A-Za-z0-9 ,.'@+()-]{1,4}",
        Just("\u{0}".to_owned()),
        Just("\u{202e}".to_owned()),
        Just("\u{200b}".to_owned()),
        Just("\u{3164}".to_owned()),
        Just("\u{301}".to_owned()),
        Just("\u{feff}".to_owned()),
        Just("\u{212a}".to_owned()),
        Just("\u{0661}\u{0662}".to_owned()),
        Just("ß".to_owned()),
        Just("İ".to_owned()),
        Just("\u{1F9B7}".to_owned()),
        Just("\r\n".to_owned()),
        Just("@@".to_owned()),
        Just("+44".to_owned()),
    ];
    proptest::collection::vec(pieces, 0..40).prop_map(|parts| parts.concat())
}

/// Arbitrary bytes, decoded as a lenient reader would.
fn bytes_as_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<u8>(), 0..300).prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), awkward(), bytes_as_text()]
}

fn domain() -> MailDomain {
    MailDomain::parse("nhs.net").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn identifiers_and_addresses_never_panic_and_round_trip(input in any_text()) {
        if let Ok(postcode) = Postcode::parse(&input) {
            prop_assert_eq!(Postcode::parse(postcode.as_str()).unwrap(), postcode);
        }
        if let Ok(mobile) = UkMobile::parse(&input) {
            prop_assert_eq!(UkMobile::parse(mobile.as_str()).unwrap(), mobile);
        }
        if let Ok(email) = Email::parse_address(&input) {
            prop_assert_eq!(Email::parse_address(email.as_str()).unwrap(), email);
        }
        let _ = Email::parse(&input, &domain());
        if let Ok(ods) = OdsCode::parse(&input) {
            prop_assert_eq!(OdsCode::parse(ods.as_str()).unwrap(), ods);
        }
        if let Ok(location) = CqcLocationId::parse(&input) {
            prop_assert_eq!(CqcLocationId::parse(location.as_str()).unwrap(), location);
        }
        let _ = CqcContactId::parse(&input);
        let _ = MailDomain::parse(&input);
        let _ = Passcode::parse(&input);
        let _ = PasscodeChannel::parse(&input);
        let _ = ResetCode::parse(&input);
        let _ = Role::parse(&input);
        let _ = Title::parse(&input);
    }

    #[test]
    fn names_towns_and_free_text_never_panic(input in any_text(), other in any_text()) {
        if let Ok(name) = PracticeName::parse(&input) {
            prop_assert_eq!(PracticeName::parse(name.as_str()).unwrap(), name);
        }
        if let Ok(town) = Town::parse(&input) {
            prop_assert_eq!(Town::parse(town.as_str()).unwrap(), town);
        }
        let _ = Town::suggest(&input);
        let _ = SecurityAnswer::parse(&input);
        let _ = AdminUsername::parse(&input);
        let _ = AdminUsername::normalise(&input);
        if let (Ok(first), Ok(last)) = (PersonName::parse(&input), PersonName::parse(&other)) {
            let base = Username::base(&first, &last);
            let _ = Username::candidate(&base, 2, &domain());
        }
        if let (Ok(town), Ok(practice), Ok(ods)) = (Town::parse(&input), PracticeName::parse(&other), OdsCode::parse("V12345")) {
            let mailbox = SharedMailboxAddress::build(&town, &practice, &ods, &domain());
            prop_assert!(mailbox.as_str().ends_with("@nhs.net"));
        }
        let _ = domain::password::check(&input, &[other.as_str()]);
        let _ = domain::text::fold_lower(&input);
        let _ = domain::text::alphanumeric_lower(&input);
        let _ = domain::text::collapse_whitespace(&input);
        let _ = domain::text::truncate_chars(&input, other.len() % 50);
    }
}

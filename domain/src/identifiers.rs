//! Practice identifiers (R-P4) and the practice name: validated by shape, stored normalised.

use crate::text::{HiddenCharacter, alphanumeric_lower, collapse_whitespace, visible_text};
use std::fmt;

/// A CQC location id: `1-` followed by 8 to 11 digits, e.g. `1-1002733005`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CqcLocationId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CqcLocationIdError {
    #[error("Enter the practice's CQC location ID.")]
    Missing,
    #[error("A CQC location ID is 1- followed by 8 to 11 digits, like 1-1002733005.")]
    InvalidFormat,
}

crate::violation!(CqcLocationIdError {
    Missing => (Required, Some("R-P4")),
    InvalidFormat => (CqcLocationIdInvalid, Some("R-P4")),
});

impl CqcLocationId {
    pub fn parse(input: &str) -> Result<Self, CqcLocationIdError> {
        let trimmed = input.trim_matches(' ');
        if trimmed.is_empty() {
            return Err(CqcLocationIdError::Missing);
        }
        let digits = trimmed.strip_prefix("1-").ok_or(CqcLocationIdError::InvalidFormat)?;
        if (8..=11).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err(CqcLocationIdError::InvalidFormat)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CqcLocationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ODS code: 3 to 10 letters and digits, held in upper case. Dental practices usually have
/// `V` + 5 digits, but the rule does not assume it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OdsCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OdsCodeError {
    #[error("Enter the practice's ODS code.")]
    Missing,
    #[error("An ODS code is 3 to 10 letters and digits, like V12345.")]
    InvalidFormat,
}

crate::violation!(OdsCodeError {
    Missing => (Required, Some("R-P4")),
    InvalidFormat => (OdsCodeInvalid, Some("R-P4")),
});

impl OdsCode {
    pub fn parse(input: &str) -> Result<Self, OdsCodeError> {
        let trimmed = input.trim_matches(' ');
        if trimmed.is_empty() {
            return Err(OdsCodeError::Missing);
        }
        if (3..=10).contains(&trimmed.len()) && trimmed.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Self(trimmed.to_ascii_uppercase()))
        } else {
            Err(OdsCodeError::InvalidFormat)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OdsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The CQC contact id (registered manager id): an opaque secret the service compares and never
/// displays. Normalised (white space removed, upper case) so that a re-typed id still matches.
/// It has no `Display` and its `Debug` is redacted, so it cannot leak into logs by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct CqcContactId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CqcContactIdError {
    #[error("Enter the practice's CQC contact ID.")]
    Missing,
    #[error("A CQC contact ID is at most {max} characters.", max = CqcContactId::MAX_LENGTH)]
    TooLong,
    #[error("A CQC contact ID contains only letters, digits and punctuation.")]
    InvalidCharacters,
}

crate::violation!(CqcContactIdError {
    Missing => (Required, Some("R-P4")),
    TooLong => (TooLong, Some("R-P4")),
    InvalidCharacters => (CqcContactIdInvalid, Some("R-P4")),
});

impl CqcContactId {
    pub const MAX_LENGTH: usize = 64;

    pub fn parse(input: &str) -> Result<Self, CqcContactIdError> {
        let compact: String = input.chars().filter(|c| *c != ' ').collect();
        if compact.is_empty() {
            return Err(CqcContactIdError::Missing);
        }
        if compact.chars().count() > Self::MAX_LENGTH {
            return Err(CqcContactIdError::TooLong);
        }
        if !compact.chars().all(|c| c.is_ascii_graphic()) {
            return Err(CqcContactIdError::InvalidCharacters);
        }
        Ok(Self(compact.to_ascii_uppercase()))
    }

    /// The normalised secret, for hashing only.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CqcContactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CqcContactId(<redacted>)")
    }
}

/// A dental practice's name as the applicant or the register gives it: trimmed, white space
/// collapsed, 1 to 100 characters, with at least one letter or digit (it feeds the mailbox name).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PracticeName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PracticeNameError {
    #[error("Enter the practice name.")]
    Missing,
    #[error("The practice name must be at most {max} characters.", max = PracticeName::MAX_LENGTH)]
    TooLong,
    #[error("The practice name must contain letters or digits.")]
    NoLettersOrDigits,
    #[error(transparent)]
    Hidden(#[from] HiddenCharacter),
}

crate::violation!(PracticeNameError {
    Missing => (Required, None),
    TooLong => (TooLong, None),
    NoLettersOrDigits => (PracticeNameInvalid, Some("R-M1")),
    Hidden => (HiddenCharacters, None),
});

impl PracticeName {
    pub const MAX_LENGTH: usize = 100;

    pub fn parse(input: &str) -> Result<Self, PracticeNameError> {
        let name = visible_text(&collapse_whitespace(input))?;
        if name.is_empty() {
            return Err(PracticeNameError::Missing);
        }
        if name.chars().count() > Self::MAX_LENGTH {
            return Err(PracticeNameError::TooLong);
        }
        if alphanumeric_lower(&name).is_empty() {
            return Err(PracticeNameError::NoLettersOrDigits);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PracticeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Violation;
    use proptest::prelude::*;

    #[test]
    fn r_p4_cqc_location_ids_have_eight_to_eleven_digits() {
        assert_eq!(CqcLocationId::parse(" 1-1002733005 ").unwrap().as_str(), "1-1002733005");
        assert!(CqcLocationId::parse("1-12345678").is_ok());
        assert!(CqcLocationId::parse("1-12345678901").is_ok());
        assert_eq!(CqcLocationId::parse(""), Err(CqcLocationIdError::Missing));
        for bad in ["1-1234567", "1-123456789012", "2-1002733005", "11002733005", "1-10027330O5", "1 - 100273300"] {
            let error = CqcLocationId::parse(bad).unwrap_err();
            assert_eq!(error, CqcLocationIdError::InvalidFormat, "{bad}");
            assert_eq!(error.rule(), Some("R-P4"));
        }
    }

    #[test]
    fn r_p4_ods_codes_are_three_to_ten_alphanumerics_upper_cased() {
        assert_eq!(OdsCode::parse("v12345").unwrap().as_str(), "V12345");
        assert_eq!(OdsCode::parse("DODSB1").unwrap().as_str(), "DODSB1");
        assert_eq!(OdsCode::parse("abc").unwrap().as_str(), "ABC");
        assert_eq!(OdsCode::parse(" "), Err(OdsCodeError::Missing));
        for bad in ["AB", "ABCDEFGHIJK", "V123-45", "V12 345", "VÉ1234"] {
            assert_eq!(OdsCode::parse(bad), Err(OdsCodeError::InvalidFormat), "{bad}");
        }
    }

    #[test]
    fn r_p4_contact_ids_are_opaque_normalised_and_never_printed() {
        let id = CqcContactId::parse(" con1 234-567 ").unwrap();
        assert_eq!(id.expose_secret(), "CON1234-567");
        assert_eq!(id, CqcContactId::parse("CON1234-567").unwrap());
        assert!(!format!("{id:?}").contains("567"));
        assert_eq!(CqcContactId::parse("  "), Err(CqcContactIdError::Missing));
        assert_eq!(CqcContactId::parse(&"9".repeat(65)), Err(CqcContactIdError::TooLong));
        assert_eq!(CqcContactId::parse("abc\u{7}"), Err(CqcContactIdError::InvalidCharacters));
        assert_eq!(CqcContactId::parse("abcé"), Err(CqcContactIdError::InvalidCharacters));
    }

    #[test]
    fn practice_names_are_trimmed_and_need_a_letter_or_digit() {
        assert_eq!(PracticeName::parse("  Sample   Dental Care ").unwrap().as_str(), "Sample Dental Care");
        assert_eq!(PracticeName::parse(""), Err(PracticeNameError::Missing));
        assert_eq!(PracticeName::parse("&&&"), Err(PracticeNameError::NoLettersOrDigits));
        for hidden in ["Smile \u{202E}latneD", "Smile\u{200D}Dental", "Smile \u{E000}", "Smile\u{0}"] {
            let error = PracticeName::parse(hidden).unwrap_err();
            assert!(matches!(error, PracticeNameError::Hidden(_)), "{hidden:?}: {error:?}");
        }
        assert_eq!(PracticeName::parse("Cafe\u{301} Dental").unwrap().as_str(), "Café Dental");
        assert_eq!(PracticeName::parse(&"a".repeat(101)), Err(PracticeNameError::TooLong));
    }

    proptest! {
        #[test]
        fn r_p4_valid_location_ids_round_trip(digits in "[0-9]{8,11}") {
            let id = CqcLocationId::parse(&format!("1-{digits}")).unwrap();
            prop_assert_eq!(CqcLocationId::parse(id.as_str()).unwrap(), id);
        }

        #[test]
        fn r_p4_ods_parsing_is_idempotent(code in "[a-zA-Z0-9]{3,10}") {
            let ods = OdsCode::parse(&code).unwrap();
            prop_assert_eq!(ods.as_str(), code.to_ascii_uppercase());
            prop_assert_eq!(OdsCode::parse(ods.as_str()).unwrap(), ods);
        }

        #[test]
        fn identifier_parsers_never_panic(input in "\\PC{0,40}") {
            let _ = CqcLocationId::parse(&input);
            let _ = OdsCode::parse(&input);
            let _ = CqcContactId::parse(&input);
            let _ = PracticeName::parse(&input);
        }
    }
}

//! UK postcodes (R-P1): accepted in any case and spacing, held in the normalised `SW19 4AB` form.

use std::fmt;

/// A syntactically valid UK postcode in normalised form: upper case, one space before the
/// three-character inward code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Postcode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    #[error("Enter the practice postcode.")]
    Missing,
    #[error("Enter a real UK postcode, like SW19 4AB.")]
    NotAUkPostcode,
}

crate::violation!(PostcodeError {
    Missing => (Required, Some("R-P1")),
    NotAUkPostcode => (PostcodeInvalid, Some("R-P1")),
});

impl Postcode {
    /// The longest entry read, spaces included (the contract's `maxLength` is the same).
    pub const MAX_INPUT_CHARS: usize = 32;

    /// Parses a postcode in any case, with or without spaces: `sw194ab` → `SW19 4AB`.
    pub fn parse(input: &str) -> Result<Self, PostcodeError> {
        if input.chars().count() > Self::MAX_INPUT_CHARS {
            return Err(PostcodeError::NotAUkPostcode);
        }
        // Spaces anywhere are ignored; any other character that is not a letter or digit is refused.
        let compact: String = input.chars().filter(|c| *c != ' ').map(|c| c.to_ascii_uppercase()).collect();
        if compact.is_empty() {
            return Err(PostcodeError::Missing);
        }
        if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
            return Err(PostcodeError::NotAUkPostcode);
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        if compact == "GIR0AA" || (valid_outward(outward) && valid_inward(inward)) {
            Ok(Self(format!("{outward} {inward}")))
        } else {
            Err(PostcodeError::NotAUkPostcode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The outward code (`SW19` of `SW19 4AB`): the postal district.
    pub fn outward(&self) -> &str {
        self.0.split(' ').next().unwrap_or(&self.0)
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// The outward code shapes and the letters each position may hold, as published by Royal Mail
// (BS 7666): A9, A99, AA9, AA99, A9A, AA9A.
fn valid_outward(outward: &str) -> bool {
    let c: Vec<char> = outward.chars().collect();
    let letter = |ch: char, forbidden: &str| ch.is_ascii_uppercase() && !forbidden.contains(ch);
    let first = |ch: char| letter(ch, "QVX");
    let second = |ch: char| letter(ch, "IJZ");
    let digit = |ch: char| ch.is_ascii_digit();
    match c.as_slice() {
        [a, b] => first(*a) && digit(*b),
        [a, b, d] if digit(*b) && digit(*d) => first(*a),
        [a, b, d] if digit(*b) => first(*a) && "ABCDEFGHJKPSTUW".contains(*d),
        [a, b, d] => first(*a) && second(*b) && digit(*d),
        [a, b, d, e] if digit(*e) => first(*a) && second(*b) && digit(*d),
        [a, b, d, e] => first(*a) && second(*b) && digit(*d) && "ABEHMNPRVWXY".contains(*e),
        _ => false,
    }
}

fn valid_inward(inward: &str) -> bool {
    let c: Vec<char> = inward.chars().collect();
    let letter = |ch: char| ch.is_ascii_uppercase() && !"CIKMOV".contains(ch);
    matches!(c.as_slice(), [d, a, b] if d.is_ascii_digit() && letter(*a) && letter(*b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Violation;
    use proptest::prelude::*;

    #[test]
    fn r_p1_postcodes_are_normalised_from_any_case_and_spacing() {
        for (input, expected) in [
            ("sw194ab", "SW19 4AB"),
            ("SW19 4AB", "SW19 4AB"),
            ("  sw1a   1aa ", "SW1A 1AA"),
            ("m11ae", "M1 1AE"),
            ("b338th", "B33 8TH"),
            ("cr2 6xh", "CR2 6XH"),
            ("dn551pt", "DN55 1PT"),
            ("W1A 0AX", "W1A 0AX"),
            ("ec1a1bb", "EC1A 1BB"),
        ] {
            assert_eq!(Postcode::parse(input).unwrap().as_str(), expected, "{input}");
        }
        assert_eq!(Postcode::parse("sw194ab").unwrap().outward(), "SW19");
    }

    #[test]
    fn r_p1_bad_postcodes_are_refused() {
        assert_eq!(Postcode::parse("   "), Err(PostcodeError::Missing));
        for bad in [
            "SW19",
            "12345",
            "SW19 4A",
            "SW19 4ABC",
            "QW1 1AA",
            "AI1 1AA",
            "SW19 4CB",
            "W1Z 1AA",
            "ÉC1 1AA",
            "SW19-4AB",
            "1SW 4AB",
        ] {
            let error = Postcode::parse(bad).unwrap_err();
            assert_eq!(error, PostcodeError::NotAUkPostcode, "{bad}");
            assert_eq!(error.rule(), Some("R-P1"));
        }
    }

    proptest! {
        #[test]
        fn r_p1_parsing_is_idempotent_and_ignores_case_and_spaces(
            area in "[A-PR-UWYZ][A-HK-Y]?", district in "[0-9]{1,2}", sector in "[0-9]", unit in "[ABD-HJLNP-UW-Z]{2}",
            spaces in " {0,3}", lower in any::<bool>()
        ) {
            let raw = format!("{area}{district}{spaces}{sector}{unit}");
            let raw = if lower { raw.to_lowercase() } else { raw };
            let parsed = Postcode::parse(&raw).unwrap();
            prop_assert_eq!(Postcode::parse(parsed.as_str()).unwrap(), parsed.clone());
            prop_assert_eq!(parsed.as_str().len(), raw.trim().replace(' ', "").len() + 1);
        }

        #[test]
        fn r_p1_parser_never_panics(input in ".{0,20}") {
            let _ = Postcode::parse(&input);
        }
    }
}

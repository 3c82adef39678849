//! The town that starts the shared mailbox name (R-T1, R-T2).
//!
//! A town is 1 to 10 lower-case ASCII letters. Entry is forgiving: accents are folded, case,
//! spaces and punctuation removed. A longer entry is refused with a suggested abbreviation;
//! suggestions from an address are abbreviated the same way (first word if it fits, else the
//! first 10 letters).

use crate::text::fold_alphanumeric;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Town(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TownError {
    #[error("Select or enter the town; it starts the shared mailbox name.")]
    Missing,
    #[error("The town may contain only letters (spaces and punctuation are removed).")]
    InvalidCharacters,
    #[error("The town must be at most {max} letters; it is {length}. Try `{suggestion}`.", max = Town::MAX_LENGTH)]
    TooLong { length: usize, suggestion: Town },
}

crate::violation!(TownError {
    Missing => (Required, Some("R-T1")),
    InvalidCharacters => (TownInvalidCharacters, Some("R-T2")),
    TooLong => (TownTooLong, Some("R-T2")),
});

impl Town {
    pub const MAX_LENGTH: usize = 10;

    /// Reads a town as entered (R-T2): `"Saint-Étienne"` → too long, suggest `saint`;
    /// `"St. Albans"` → `stalbans`.
    pub fn parse(input: &str) -> Result<Self, TownError> {
        let normalised = normalise(input)?;
        if normalised.is_empty() {
            return Err(TownError::Missing);
        }
        if normalised.len() > Self::MAX_LENGTH {
            return Err(TownError::TooLong { length: normalised.len(), suggestion: abbreviate(input, &normalised) });
        }
        Ok(Self(normalised))
    }

    /// A suggestion from a place name on record (R-T1), abbreviated when long (R-T2):
    /// `"Newcastle upon Tyne"` → `newcastle`, `"Wolverhampton"` → `wolverhamp`.
    /// `None` when the name holds no usable letters.
    pub fn suggest(place_name: &str) -> Option<Self> {
        match Self::parse(place_name) {
            Ok(town) => Some(town),
            Err(TownError::TooLong { suggestion, .. }) => Some(suggestion),
            Err(_) => None,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Town {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A town suggested from a place name on record (R-T1), with that name when it had to be
/// shortened to fit (R-T2), so the applicant sees why `wolverhamp` is offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub town: Town,
    pub shortened_from: Option<String>,
}

/// Distinct suggestions, in order, from the place names on record: the locality and the town of
/// the address, never the county (whose first word, "West" or "North", is no town).
pub fn suggestions<'a>(place_names: impl IntoIterator<Item = &'a str>) -> Vec<Suggestion> {
    let mut found: Vec<Suggestion> = Vec::new();
    for place in place_names {
        let Some(town) = Town::suggest(place) else { continue };
        if found.iter().any(|s| s.town == town) {
            continue;
        }
        let whole = normalise(place).unwrap_or_default();
        let shortened_from = (whole != town.as_str()).then(|| place.trim().to_owned());
        found.push(Suggestion { town, shortened_from });
    }
    found
}

/// Spaces and punctuation, which are removed (typographic quotes and dashes included).
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || c.is_ascii_punctuation()
        || "\u{2018}\u{2019}\u{201c}\u{201d}\u{2013}\u{2014}\u{b7}".contains(c)
}

/// Letters folded to lower-case ASCII; separators dropped; anything else (digits, symbols) refused.
fn normalise(input: &str) -> Result<String, TownError> {
    let mut letters = String::with_capacity(input.len());
    for c in input.chars().filter(|c| !is_separator(*c)) {
        match fold_alphanumeric(c) {
            Some(folded) if c.is_alphabetic() && folded.chars().all(|f| f.is_ascii_lowercase()) => {
                letters.push_str(&folded)
            }
            _ => return Err(TownError::InvalidCharacters),
        }
    }
    Ok(letters)
}

fn abbreviate(input: &str, normalised: &str) -> Town {
    let first_word =
        input.split(is_separator).map(|word| normalise(word).unwrap_or_default()).find(|word| !word.is_empty());
    match first_word {
        Some(word) if word.len() <= Town::MAX_LENGTH => Town(word),
        _ => Town(normalised.chars().take(Town::MAX_LENGTH).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Violation;
    use proptest::prelude::*;

    #[test]
    fn r_t2_towns_are_normalised_to_lower_case_ascii_letters() {
        for (input, expected) in [
            ("Wimbledon", "wimbledon"),
            ("wimbledon", "wimbledon"),
            (" BIRMINGHAM ", "birmingham"),
            ("St. Albans", "stalbans"),
            ("Ynys Môn", "ynysmon"),
            ("Bognor-Regi", "bognorregi"),
            ("Hay", "hay"),
            ("a", "a"),
        ] {
            assert_eq!(Town::parse(input).unwrap().as_str(), expected, "{input}");
        }
    }

    #[test]
    fn r_t1_r_t2_a_town_is_mandatory_and_letters_only() {
        assert_eq!(Town::parse(""), Err(TownError::Missing));
        assert_eq!(Town::parse(" -. "), Err(TownError::Missing));
        assert_eq!(Town::parse("Town 2"), Err(TownError::InvalidCharacters));
        assert_eq!(Town::parse("Leeds🦷"), Err(TownError::InvalidCharacters));
        assert_eq!(Town::parse("Leeds\u{2019}"), Ok(Town("leeds".to_owned())));
        assert_eq!(Town::parse("").unwrap_err().rule(), Some("R-T1"));
    }

    #[test]
    fn r_t2_an_eleven_letter_town_is_refused_with_a_suggestion() {
        let error = Town::parse("Northampton").unwrap_err();
        assert_eq!(error.rule(), Some("R-T2"));
        assert_eq!(error.code().as_str(), "town_too_long");
        match error {
            TownError::TooLong { length, suggestion } => {
                assert_eq!(length, 11);
                assert_eq!(suggestion.as_str(), "northampto");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(Town::parse("Wimbledonx").is_ok());
    }

    #[test]
    fn r_t2_long_suggestions_take_the_first_word_or_the_first_ten_letters() {
        assert_eq!(Town::suggest("Newcastle upon Tyne").unwrap().as_str(), "newcastle");
        assert_eq!(Town::suggest("Stoke-on-Trent").unwrap().as_str(), "stoke");
        assert_eq!(Town::suggest("Wolverhampton").unwrap().as_str(), "wolverhamp");
        assert_eq!(Town::suggest("Kingston upon Hull").unwrap().as_str(), "kingston");
        assert_eq!(Town::suggest("LONDON").unwrap().as_str(), "london");
        assert_eq!(Town::suggest("12"), None);
    }

    #[test]
    fn r_t1_suggestions_are_distinct_and_in_order() {
        let towns = suggestions(["WIMBLEDON", "London", "wimbledon", "Newcastle upon Tyne", "Wolverhampton"]);
        let names: Vec<_> = towns.iter().map(|s| s.town.as_str()).collect();
        assert_eq!(names, ["wimbledon", "london", "newcastle", "wolverhamp"]);
        let shortened: Vec<_> = towns.iter().map(|s| s.shortened_from.as_deref()).collect();
        assert_eq!(shortened, [None, None, Some("Newcastle upon Tyne"), Some("Wolverhampton")], "R-T2: says so");
    }

    proptest! {
        #[test]
        fn r_t2_parsed_towns_are_short_lower_ascii_and_stable(input in "[A-Za-zÀ-ÿ .'-]{0,30}") {
            if let Ok(town) = Town::parse(&input) {
                prop_assert!((1..=10).contains(&town.as_str().len()));
                prop_assert!(town.as_str().chars().all(|c| c.is_ascii_lowercase()));
                prop_assert_eq!(Town::parse(town.as_str()).unwrap(), town);
            }
            if let Some(suggestion) = Town::suggest(&input) {
                prop_assert!(Town::parse(suggestion.as_str()).is_ok());
            }
        }
    }
}

//! Text normalisation shared by the rules that turn people's input into identifiers
//! (town, mailbox address, username): accents folded to ASCII, case and separators removed; and
//! the rule that stored text shows exactly what it says ([`visible_text`]).

use std::fmt;
use unicode_general_category::{GeneralCategory, get_general_category};
use unicode_normalization::UnicodeNormalization;
use unicode_security::GeneralSecurityProfile;
use unicode_security::general_security_profile::IdentifierType;

/// Why a character would make text look different from what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HiddenKind {
    /// A control character such as NUL or ESC.
    Control,
    /// Shows nothing or changes how the text around it shows: direction controls (U+202E),
    /// zero-width characters, fillers (U+3164), variation selectors, the soft hyphen.
    Invisible,
    /// A private-use code point, whose meaning only its sender knows.
    PrivateUse,
    /// A code point Unicode has not assigned (or a noncharacter).
    Unassigned,
}

impl fmt::Display for HiddenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Control => "a control character",
            Self::Invisible => "an invisible character or one that changes the direction of text",
            Self::PrivateUse => "a private-use character",
            Self::Unassigned => "a code point Unicode has not assigned",
        })
    }
}

/// A character refused by [`visible_text`], named by its code point so people can find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "This contains U+{code:04X}, {kind}, which is not allowed: it could make the text look different from what it is.",
    code = u32::from(*character)
)]
pub struct HiddenCharacter {
    pub character: char,
    pub kind: HiddenKind,
}

impl crate::Violation for HiddenCharacter {
    fn code(&self) -> crate::ProblemCode {
        crate::ProblemCode::HiddenCharacters
    }
    fn rule(&self) -> Option<&'static str> {
        None
    }
}

/// What `c` hides, if anything. Line breaks and tabs are white space here; single-line fields
/// collapse them before they are stored.
pub fn hidden_kind(c: char) -> Option<HiddenKind> {
    if matches!(c, '\n' | '\r' | '\t') {
        return None;
    }
    match get_general_category(c) {
        GeneralCategory::Control => return Some(HiddenKind::Control),
        GeneralCategory::Format | GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => {
            return Some(HiddenKind::Invisible);
        }
        GeneralCategory::PrivateUse => return Some(HiddenKind::PrivateUse),
        GeneralCategory::Unassigned | GeneralCategory::Surrogate => return Some(HiddenKind::Unassigned),
        _ => {}
    }
    // Letters and marks that show nothing (U+3164 HANGUL FILLER, U+FE0F, U+034F) are
    // default-ignorable without being format characters.
    (c.identifier_type() == Some(IdentifierType::Default_Ignorable)).then_some(HiddenKind::Invisible)
}

/// Text that shows exactly what it says, in Unicode normalisation form C (so `Zoe` + U+0308
/// COMBINING DIAERESIS and `Zoë` are the same text). Refuses the first character that
/// [`hidden_kind`] names.
pub fn visible_text(input: &str) -> Result<String, HiddenCharacter> {
    // Printable ASCII and the white space allowed above is already in form C and hides nothing:
    // most text is, and takes this path without the Unicode tables (a 60,000-row CQC directory
    // checks some 400,000 values).
    if input.bytes().all(is_plain_ascii) {
        return Ok(input.to_owned());
    }
    let text: String = input.nfc().collect();
    match text.chars().find_map(|character| hidden_kind(character).map(|kind| HiddenCharacter { character, kind })) {
        Some(hidden) => Err(hidden),
        None => Ok(text),
    }
}

fn is_plain_ascii(byte: u8) -> bool {
    matches!(byte, b' '..=b'~' | b'\n' | b'\r' | b'\t')
}

/// A combining mark (accents written as a separate character, vowel signs of many scripts).
pub fn is_mark(c: char) -> bool {
    matches!(
        get_general_category(c),
        GeneralCategory::NonspacingMark | GeneralCategory::SpacingMark | GeneralCategory::EnclosingMark
    )
}

/// Transliterates to ASCII (`é` → `e`, `ß` → `ss`, `Ø` → `O`) and lower-cases.
pub fn fold_lower(input: &str) -> String {
    deunicode::deunicode(input).to_ascii_lowercase()
}

/// Folds one letter or digit to lower-case ASCII (`É` → `e`, `ß` → `ss`); `None` for anything
/// else. Symbols are not transliterated: deunicode would turn an emoji into its name.
pub fn fold_alphanumeric(c: char) -> Option<String> {
    if !c.is_alphanumeric() {
        return None;
    }
    let folded: String = deunicode::deunicode_char(c)
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (!folded.is_empty()).then_some(folded)
}

/// Lower-case ASCII letters and digits only, after folding accents: `"DENB1 Name"` → `"denb1name"`.
/// Anything that is not a letter or digit is dropped.
pub fn alphanumeric_lower(input: &str) -> String {
    input.chars().filter_map(fold_alphanumeric).collect()
}

/// Trims and collapses runs of white space into one space.
pub fn collapse_whitespace(input: &str) -> String {
    input.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Truncates to at most `max` characters (by char, never splitting one).
pub fn truncate_chars(input: &str, max: usize) -> &str {
    match input.char_indices().nth(max) {
        Some((index, _)) => &input[..index],
        None => input,
    }
}

/// A count with its noun agreeing: `1 attempt`, `2 attempts`, `0 attempts`. For nouns whose
/// plural adds an `s`, which is every noun the service counts.
pub fn quantity(count: impl Into<u64>, noun: &str) -> String {
    let count = count.into();
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_agree_with_their_nouns() {
        assert_eq!(quantity(1u32, "attempt"), "1 attempt");
        assert_eq!(quantity(0u32, "attempt"), "0 attempts");
        assert_eq!(quantity(4u64, "character"), "4 characters");
    }

    #[test]
    fn folding_removes_accents_and_case() {
        assert_eq!(fold_lower("Ystradgynlais ÉCOLE"), "ystradgynlais ecole");
        assert_eq!(alphanumeric_lower("St. Mary's Dental-Care 2"), "stmarysdentalcare2");
        assert_eq!(alphanumeric_lower("Straße"), "strasse");
        assert_eq!(alphanumeric_lower("Smile 😀 Dental"), "smiledental");
        assert_eq!(fold_alphanumeric('🦷'), None);
    }

    #[test]
    fn visible_text_is_nfc_and_refuses_what_cannot_be_seen() {
        assert_eq!(visible_text("Zoe\u{308}").unwrap(), "Zoë");
        assert_eq!(visible_text("Zoë").unwrap(), "Zoë");
        assert_eq!(
            visible_text("Dr Ng's Dental (Leeds) & Co. 2 – 日本 ☺").unwrap(),
            "Dr Ng's Dental (Leeds) & Co. 2 – 日本 ☺"
        );
        assert_eq!(visible_text("line one\nline two").unwrap(), "line one\nline two");
        let kind = |s: &str| visible_text(s).unwrap_err().kind;
        for invisible in [
            "Smile\u{202E}lanted",
            "a\u{200B}b",
            "\u{3164}",
            "a\u{FE0F}",
            "soft\u{AD}hyphen",
            "\u{2066}x",
            "a\u{2028}b",
        ] {
            assert_eq!(kind(invisible), HiddenKind::Invisible, "{invisible:?}");
        }
        assert_eq!(kind("\u{E000}"), HiddenKind::PrivateUse);
        assert_eq!(kind("\u{0378}"), HiddenKind::Unassigned);
        assert_eq!(kind("\u{FFFF}"), HiddenKind::Unassigned);
        assert_eq!(kind("a\u{0}b"), HiddenKind::Control);
        assert_eq!(kind("a\u{1B}b"), HiddenKind::Control);
        let refused = visible_text("Smile\u{202E}").unwrap_err();
        assert_eq!(kind("\u{7F}"), HiddenKind::Control, "DEL is ASCII but not printable");
        assert_eq!(refused.character, '\u{202E}');
        assert!(refused.to_string().contains("U+202E"), "{refused}");
    }

    #[test]
    fn plain_ascii_is_already_visible_text() {
        for byte in (0u8..=127).filter(|b| is_plain_ascii(*b)) {
            let c = char::from(byte);
            assert_eq!(hidden_kind(c), None, "{c:?}");
            assert_eq!(c.to_string().nfc().collect::<String>(), c.to_string(), "{c:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn visible_text_is_idempotent_and_never_keeps_a_hidden_character(input in "\\PC*") {
            if let Ok(text) = visible_text(&input) {
                proptest::prop_assert!(text.chars().all(|c| hidden_kind(c).is_none()));
                proptest::prop_assert_eq!(visible_text(&text).unwrap(), text);
            }
        }

        #[test]
        fn any_text_with_a_hidden_character_is_refused(
            before in "[a-zA-Z ]{0,10}",
            hidden in proptest::sample::select(vec!['\u{202E}', '\u{200D}', '\u{3164}', '\u{E123}', '\u{E0041}', '\u{061C}']),
            after in "[a-zA-Z ]{0,10}",
        ) {
            let refused = visible_text(&format!("{before}{hidden}{after}")).unwrap_err();
            proptest::prop_assert_eq!(refused.character, hidden);
        }
    }

    #[test]
    fn whitespace_is_collapsed_and_truncation_respects_characters() {
        assert_eq!(collapse_whitespace("  a \t b\n c "), "a b c");
        assert_eq!(truncate_chars("ééé", 2), "éé");
        assert_eq!(truncate_chars("ab", 5), "ab");
    }
}

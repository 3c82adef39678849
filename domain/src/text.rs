//! Text normalisation shared by the rules that turn people's input into identifiers
//! (town, mailbox address, username): accents folded to ASCII, case and separators removed.

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
    fn whitespace_is_collapsed_and_truncation_respects_characters() {
        assert_eq!(collapse_whitespace("  a \t b\n c "), "a b c");
        assert_eq!(truncate_chars("ééé", 2), "éé");
        assert_eq!(truncate_chars("ab", 5), "ab");
    }
}

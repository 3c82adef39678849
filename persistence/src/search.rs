//! Case-insensitive "contains" searches that treat the user's text literally.

/// The LIKE pattern for `text` anywhere, lower case, with `%`, `_` and `\` escaped (so a search
/// for `%%` finds a literal `%%`, not everything).
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Follows each `LIKE ?` bound to a [`contains_pattern`], so the escapes are honoured.
pub(crate) const ESCAPE: &str = " ESCAPE '\\'";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_the_text_are_literal() {
        assert_eq!(contains_pattern(" Smith "), "%smith%");
        assert_eq!(contains_pattern("%%"), "%\\%\\%%");
        assert_eq!(contains_pattern("o_b\\"), "%o\\_b\\\\%");
    }
}

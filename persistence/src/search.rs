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

/// The escape character of [`contains_pattern`], given to `LIKE … ESCAPE`.
pub(crate) const ESCAPE: char = '\\';

diesel::define_sql_function! {
    /// SQL `LOWER`, the same on both backends for the ASCII and Latin text searched here.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// SQL `LENGTH` of a text, in characters.
    fn length(text: diesel::sql_types::Text) -> diesel::sql_types::Integer;
}

diesel::define_sql_function! {
    /// SQL `COALESCE` of a nullable text with a default.
    fn coalesce(text: diesel::sql_types::Nullable<diesel::sql_types::Text>, default: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

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

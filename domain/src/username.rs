//! Personal NHSmail usernames (R-A2): `firstname.lastname@<mail domain>`, lower case, letters and
//! hyphens; on collision a number is appended (`joe.bloggs1`, `joe.bloggs2`, …). The store keeps
//! every username ever issued, so none is reused; this module only proposes candidates.

use crate::mailbox::MailDomain;
use crate::member::PersonName;
use crate::text::fold_lower;
use std::fmt;

/// A personal NHSmail username, the account's email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

/// A helpdesk administrator's sign-in name: 3 to 64 letters, digits, dots, hyphens or
/// underscores, compared in lower case without surrounding spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AdminUsername(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The username must be 3 to 64 letters, digits, dots, hyphens or underscores.")]
pub struct AdminUsernameError;

impl crate::Violation for AdminUsernameError {
    fn code(&self) -> crate::ProblemCode {
        crate::ProblemCode::AdminUsernameInvalid
    }
    fn rule(&self) -> Option<&'static str> {
        None
    }
}

impl AdminUsername {
    /// The name as compared: trimmed and in lower case, whatever its shape (for sign-in, where
    /// an unknown name must get the same answer as a wrong password).
    pub fn normalise(input: &str) -> String {
        input.trim().to_lowercase()
    }

    /// A name for a new administrator.
    pub fn parse(input: &str) -> Result<Self, AdminUsernameError> {
        let name = Self::normalise(input);
        let allowed = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
        if (3..=64).contains(&name.len()) && name.chars().all(allowed) {
            Ok(Self(name))
        } else {
            Err(AdminUsernameError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Room left for a collision number; the local part never exceeds 64 characters.
const MAX_BASE_LENGTH: usize = 58;

impl Username {
    /// The collision-free base `first.last` for a person (R-A2). Accents are folded, spaces and
    /// apostrophes dropped, hyphens kept: `Zoë O'Brien-Smith` → `zoe.obrien-smith`.
    pub fn base(first: &PersonName, last: &PersonName) -> String {
        let first = name_part(first.as_str());
        let last = name_part(last.as_str());
        let mut base = format!("{first}.{last}");
        if base.len() > MAX_BASE_LENGTH {
            base.truncate(MAX_BASE_LENGTH);
            base = base.trim_end_matches(['-', '.']).to_owned();
        }
        base
    }

    /// The `n`th candidate: `n = 0` is the base, then `base1`, `base2`, … (R-A2).
    pub fn candidate(base: &str, n: u32, domain: &MailDomain) -> Self {
        if n == 0 { Self(format!("{base}@{domain}")) } else { Self(format!("{base}{n}@{domain}")) }
    }

    /// The first candidate for which `is_taken` says no. The store must still insert it under a
    /// unique constraint, because another request may take it in between.
    pub fn first_available(
        first: &PersonName,
        last: &PersonName,
        domain: &MailDomain,
        mut is_taken: impl FnMut(&Username) -> bool,
    ) -> Self {
        let base = Self::base(first, last);
        (0..)
            .map(|n| Self::candidate(&base, n, domain))
            .find(|candidate| !is_taken(candidate))
            .unwrap_or_else(|| Self::candidate(&base, u32::MAX, domain))
    }

    /// Restores a username read from storage.
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or(&self.0)
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn name_part(name: &str) -> String {
    let mut part = String::with_capacity(name.len());
    for c in fold_lower(name).chars() {
        match c {
            'a'..='z' => part.push(c),
            '-' if !part.is_empty() && !part.ends_with('-') => part.push('-'),
            _ => {}
        }
    }
    let part = part.trim_end_matches('-');
    if part.is_empty() { "x".to_owned() } else { part.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn name(value: &str) -> PersonName {
        PersonName::parse(value).unwrap()
    }

    fn domain() -> MailDomain {
        MailDomain::parse("nhs.net").unwrap()
    }

    #[test]
    fn r_a2_usernames_are_first_dot_last_in_lower_case_letters_and_hyphens() {
        assert_eq!(Username::base(&name("David"), &name("Smith")), "david.smith");
        assert_eq!(Username::base(&name("Zoë"), &name("O'Brien-Smith")), "zoe.obrien-smith");
        assert_eq!(Username::base(&name("Mary Ann"), &name("Van Der Berg")), "maryann.vanderberg");
        assert_eq!(Username::base(&name("Jean--Luc"), &name("Picard-")), "jean-luc.picard");
        let taken: HashSet<&str> = HashSet::new();
        let username =
            Username::first_available(&name("David"), &name("Smith"), &domain(), |u| taken.contains(u.as_str()));
        assert_eq!(username.as_str(), "david.smith@nhs.net");
        assert_eq!(username.local_part(), "david.smith");
    }

    #[test]
    fn helpdesk_usernames_are_short_plain_and_lower_case() {
        assert_eq!(AdminUsername::parse("  Helpdesk.Jane ").unwrap().as_str(), "helpdesk.jane");
        assert_eq!(AdminUsername::parse("ab"), Err(AdminUsernameError));
        assert_eq!(AdminUsername::parse("jane smith"), Err(AdminUsernameError));
        assert_eq!(AdminUsername::parse(&"a".repeat(65)), Err(AdminUsernameError));
        assert!(AdminUsername::parse("it_support-2").is_ok());
    }

    #[test]
    fn r_a2_collisions_get_the_next_number() {
        let taken: HashSet<&str> = ["joe.bloggs@nhs.net", "joe.bloggs1@nhs.net"].into();
        let username =
            Username::first_available(&name("Joe"), &name("Bloggs"), &domain(), |u| taken.contains(u.as_str()));
        assert_eq!(username.as_str(), "joe.bloggs2@nhs.net");
        assert_eq!(Username::candidate("joe.bloggs", 1, &domain()).as_str(), "joe.bloggs1@nhs.net");
    }

    #[test]
    fn r_a2_long_names_keep_the_local_part_within_64_characters() {
        let long = "A".repeat(50);
        let base = Username::base(&name(&long), &name(&long));
        assert!(base.len() <= MAX_BASE_LENGTH);
        let username = Username::candidate(&base, 99_999, &domain());
        assert!(username.local_part().len() <= 64);
    }

    proptest! {
        #[test]
        fn r_a2_usernames_only_hold_lower_case_letters_hyphens_and_one_dot(
            first in "[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ' -]{0,30}", last in "[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ' -]{0,30}"
        ) {
            if let (Ok(first), Ok(last)) = (PersonName::parse(&first), PersonName::parse(&last)) {
                let base = Username::base(&first, &last);
                prop_assert_eq!(base.matches('.').count(), 1);
                prop_assert!(base.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c == '.'));
                prop_assert!(!base.starts_with('-') && !base.ends_with('-'));
                prop_assert!(!base.contains(".-") && !base.contains("-."));
            }
        }
    }
}

//! A member of the practice roster: title, names, role (R-R4), email (R-R5), mobile (R-R6).

use crate::contact::{Email, UkMobile};
use crate::text::{HiddenCharacter, collapse_whitespace, is_mark, visible_text};
use std::fmt;

/// Optional title (R-R4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Title {
    Mr,
    Mrs,
    Miss,
    Ms,
    Mx,
    Dr,
    Prof,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Choose a title from Mr, Mrs, Miss, Ms, Mx, Dr or Prof, or leave it blank.")]
pub struct TitleError;

impl crate::Violation for TitleError {
    fn code(&self) -> crate::ProblemCode {
        crate::ProblemCode::TitleInvalid
    }
    fn rule(&self) -> Option<&'static str> {
        Some("R-R4")
    }
}

impl Title {
    pub const ALL: [Title; 7] = [Self::Mr, Self::Mrs, Self::Miss, Self::Ms, Self::Mx, Self::Dr, Self::Prof];

    /// Accepts any case and a trailing full stop (`dr.`).
    pub fn parse(input: &str) -> Result<Self, TitleError> {
        let wanted = input.trim().trim_end_matches('.');
        Self::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(wanted)).ok_or(TitleError)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mr => "Mr",
            Self::Mrs => "Mrs",
            Self::Miss => "Miss",
            Self::Ms => "Ms",
            Self::Mx => "Mx",
            Self::Dr => "Dr",
            Self::Prof => "Prof",
        }
    }
}

/// A first or last name: 1 to 50 letters, spaces, hyphens and apostrophes, trimmed, with at least
/// one letter (R-R4). Held in Unicode form NFC; typographic apostrophes are stored as `'`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    #[error("Enter the name.")]
    Missing,
    #[error("A name must be at most {max} characters.", max = PersonName::MAX_LENGTH)]
    TooLong,
    #[error("A name may contain only letters, spaces, hyphens and apostrophes, and needs at least one letter.")]
    InvalidCharacters,
    #[error(transparent)]
    Hidden(#[from] HiddenCharacter),
}

crate::violation!(PersonNameError {
    Missing => (Required, Some("R-R4")),
    TooLong => (TooLong, Some("R-R4")),
    InvalidCharacters => (NameInvalidCharacters, Some("R-R4")),
    Hidden => (HiddenCharacters, None),
});

impl PersonName {
    pub const MAX_LENGTH: usize = 50;

    pub fn parse(input: &str) -> Result<Self, PersonNameError> {
        let name = visible_text(&collapse_whitespace(input).replace(['\u{2019}', '\u{2018}'], "'"))?;
        if name.is_empty() {
            return Err(PersonNameError::Missing);
        }
        if name.chars().count() > Self::MAX_LENGTH {
            return Err(PersonNameError::TooLong);
        }
        let allowed = |c: char| c.is_alphabetic() || is_mark(c) || c == ' ' || c == '-' || c == '\'';
        if !name.chars().all(allowed) || !name.chars().any(char::is_alphabetic) {
            return Err(PersonNameError::InvalidCharacters);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A member's job role, from the fixed list (R-R4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Dentist,
    DentalNurse,
    DentalHygienist,
    DentalTherapist,
    OrthodonticTherapist,
    DentalTechnician,
    PracticeManager,
    Receptionist,
    AdministrationAndClerical,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Choose a role from the list.")]
pub struct RoleError;

impl crate::Violation for RoleError {
    fn code(&self) -> crate::ProblemCode {
        crate::ProblemCode::RoleInvalid
    }
    fn rule(&self) -> Option<&'static str> {
        Some("R-R4")
    }
}

impl Role {
    pub const ALL: [Role; 10] = [
        Self::Dentist,
        Self::DentalNurse,
        Self::DentalHygienist,
        Self::DentalTherapist,
        Self::OrthodonticTherapist,
        Self::DentalTechnician,
        Self::PracticeManager,
        Self::Receptionist,
        Self::AdministrationAndClerical,
        Self::Other,
    ];

    /// The stable code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Dentist => "dentist",
            Self::DentalNurse => "dental_nurse",
            Self::DentalHygienist => "dental_hygienist",
            Self::DentalTherapist => "dental_therapist",
            Self::OrthodonticTherapist => "orthodontic_therapist",
            Self::DentalTechnician => "dental_technician",
            Self::PracticeManager => "practice_manager",
            Self::Receptionist => "receptionist",
            Self::AdministrationAndClerical => "administration_and_clerical",
            Self::Other => "other",
        }
    }

    /// The label people read, as on the registration form.
    pub fn label(self) -> &'static str {
        match self {
            Self::Dentist => "Dentist",
            Self::DentalNurse => "Dental nurse",
            Self::DentalHygienist => "Dental hygienist",
            Self::DentalTherapist => "Dental therapist",
            Self::OrthodonticTherapist => "Orthodontic therapist",
            Self::DentalTechnician => "Dental technician",
            Self::PracticeManager => "Practice manager",
            Self::Receptionist => "Receptionist",
            Self::AdministrationAndClerical => "Administration & clerical",
            Self::Other => "Other",
        }
    }

    pub fn parse(code: &str) -> Result<Self, RoleError> {
        Self::ALL.into_iter().find(|r| r.code() == code.trim()).ok_or(RoleError)
    }
}

/// Everything the roster holds about a person, each field already valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberDetails {
    pub title: Option<Title>,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub mobile: UkMobile,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Violation;
    use proptest::prelude::*;

    #[test]
    fn r_r4_titles_are_optional_and_from_the_list() {
        assert_eq!(Title::parse("dr."), Ok(Title::Dr));
        assert_eq!(Title::parse(" PROF "), Ok(Title::Prof));
        assert_eq!(Title::parse("Mx"), Ok(Title::Mx));
        assert_eq!(Title::parse("Sir"), Err(TitleError));
        assert_eq!(Title::parse("Sir").unwrap_err().rule(), Some("R-R4"));
    }

    #[test]
    fn r_r4_names_allow_letters_spaces_hyphens_and_apostrophes() {
        assert_eq!(PersonName::parse("  Efan ").unwrap().as_str(), "Efan");
        assert_eq!(PersonName::parse("O\u{2019}Brien").unwrap().as_str(), "O'Brien");
        assert_eq!(PersonName::parse("Smith-Jones").unwrap().as_str(), "Smith-Jones");
        assert_eq!(PersonName::parse("Mary  Ann").unwrap().as_str(), "Mary Ann");
        assert_eq!(PersonName::parse("Zoë").unwrap().as_str(), "Zoë");
        assert_eq!(PersonName::parse(&"a".repeat(50)).unwrap().as_str().len(), 50);
    }

    #[test]
    fn r_r4_bad_names_are_refused() {
        assert_eq!(PersonName::parse(" "), Err(PersonNameError::Missing));
        assert_eq!(PersonName::parse(&"a".repeat(51)), Err(PersonNameError::TooLong));
        for bad in ["J0hn", "John!", "Jane_Doe", "--", "'", "Ann.", "<script>"] {
            let error = PersonName::parse(bad).unwrap_err();
            assert_eq!(error, PersonNameError::InvalidCharacters, "{bad}");
            assert_eq!(error.rule(), Some("R-R4"));
        }
    }

    #[test]
    fn r_r4_names_are_nfc_visible_and_need_a_letter() {
        let decomposed = PersonName::parse("Zoe\u{308}").unwrap();
        assert_eq!(decomposed, PersonName::parse("Zoë").unwrap());
        assert_eq!(decomposed.as_str(), "Zo\u{EB}");
        assert_eq!(PersonName::parse("नमिता").unwrap().as_str(), "नमिता");
        for hidden in ["\u{3164}", "Ann\u{202E}a", "A\u{200B}nn", "\u{E000}"] {
            let error = PersonName::parse(hidden).unwrap_err();
            assert!(matches!(error, PersonNameError::Hidden(_)), "{hidden:?}: {error:?}");
            assert_eq!(error.code(), crate::ProblemCode::HiddenCharacters);
        }
        for no_letter in ["-", "' -", "\u{308}"] {
            assert_eq!(PersonName::parse(no_letter), Err(PersonNameError::InvalidCharacters), "{no_letter:?}");
        }
    }

    #[test]
    fn r_r4_roles_come_from_the_fixed_list() {
        assert_eq!(Role::ALL.len(), 10);
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Ok(role));
        }
        assert_eq!(Role::parse("administration_and_clerical"), Ok(Role::AdministrationAndClerical));
        assert_eq!(Role::AdministrationAndClerical.label(), "Administration & clerical");
        assert_eq!(Role::parse("surgeon"), Err(RoleError));
        assert_eq!(Role::parse("Dentist"), Err(RoleError));
    }

    proptest! {
        #[test]
        fn r_r4_parsed_names_are_stable(name in "[A-Za-z][A-Za-z '-]{0,49}") {
            if let Ok(parsed) = PersonName::parse(&name) {
                prop_assert_eq!(PersonName::parse(parsed.as_str()).unwrap(), parsed.clone());
                prop_assert!(parsed.as_str().chars().count() <= 50);
                prop_assert_eq!(parsed.as_str().trim(), parsed.as_str());
            }
        }

        #[test]
        fn r_r4_a_name_typed_decomposed_or_composed_is_the_same_name(name in "[A-Za-zéèëöüñçåøÉÖÅ]{1,20}") {
            use unicode_normalization::UnicodeNormalization;
            let decomposed: String = name.nfd().collect();
            prop_assert_eq!(PersonName::parse(&decomposed).unwrap(), PersonName::parse(&name).unwrap());
        }

        #[test]
        fn r_r4_no_name_keeps_a_hidden_character(name in "\\PC{1,50}") {
            if let Ok(parsed) = PersonName::parse(&name) {
                prop_assert!(parsed.as_str().chars().all(|c| crate::text::hidden_kind(c).is_none()));
                prop_assert!(parsed.as_str().chars().any(char::is_alphabetic));
            }
        }
    }
}

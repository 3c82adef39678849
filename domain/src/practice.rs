//! Identifying the practice (R-P2, R-P3): a practice chosen from the register must be one of
//! those at the postcode searched; a practice described on route B must not be in the register
//! and must be a registered dental location in the CQC directory, at the postcode given.

use crate::postcode::Postcode;

/// What the CQC directory says about a location (route B).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CqcEntry<'a> {
    /// The services the CQC lists, e.g. "Dental service".
    pub service_types: &'a str,
    /// "Registered", "Deregistered", …
    pub registration_status: &'a str,
    /// Normalised, as stored.
    pub postcode: &'a str,
}

/// Why a practice cannot be identified as described.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentificationError {
    #[error("This is not one of the practices at that postcode; search again.")]
    NotAtPostcode,
    #[error("This practice is in our register: search by its postcode and choose it from the list (route A).")]
    InRegister,
    #[error("No CQC registered location has this ID. Check it against your CQC registration, or contact {support}.")]
    UnknownLocation { support: String },
    #[error("The CQC does not list a dental service at this location; check the location ID.")]
    NotDental,
    #[error("The CQC lists this location as `{status}`, not registered.")]
    NotRegistered { status: String },
    #[error("This postcode is not the one the CQC holds for this location; check both.")]
    PostcodeDoesNotMatch,
}

crate::violation!(IdentificationError {
    NotAtPostcode => (PracticeNotFound, Some("R-P2")),
    InRegister => (PracticeInRegister, Some("R-P2")),
    UnknownLocation => (CqcLocationNotFound, Some("R-P3")),
    NotDental => (CqcLocationNotDental, Some("R-P3")),
    NotRegistered => (CqcLocationNotRegistered, Some("R-P3")),
    PostcodeDoesNotMatch => (PostcodeDoesNotMatchCqc, Some("R-P3")),
});

impl IdentificationError {
    /// Whether the error is about the postcode given rather than the location.
    pub fn concerns_postcode(&self) -> bool {
        *self == Self::PostcodeDoesNotMatch
    }
}

/// R-P2: a practice chosen on route A is one of those at the postcode searched.
pub fn check_chosen(practice_postcode: &str, searched: &Postcode) -> Result<(), IdentificationError> {
    if practice_postcode == searched.as_str() { Ok(()) } else { Err(IdentificationError::NotAtPostcode) }
}

/// R-P3: a practice described on route B is not in the register and is a registered dental
/// location in the CQC directory; when the postcode is known it must be the CQC's.
pub fn check_described(
    in_register: bool,
    entry: Option<CqcEntry<'_>>,
    postcode: Option<&Postcode>,
    support: &str,
) -> Result<(), IdentificationError> {
    if in_register {
        return Err(IdentificationError::InRegister);
    }
    let entry = entry.ok_or_else(|| IdentificationError::UnknownLocation { support: support.to_owned() })?;
    if !entry.service_types.to_lowercase().contains("dent") {
        return Err(IdentificationError::NotDental);
    }
    if !entry.registration_status.eq_ignore_ascii_case("registered") {
        return Err(IdentificationError::NotRegistered { status: entry.registration_status.to_owned() });
    }
    if postcode.is_some_and(|postcode| postcode.as_str() != entry.postcode) {
        return Err(IdentificationError::PostcodeDoesNotMatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Violation;

    fn entry<'a>(service_types: &'a str, registration_status: &'a str) -> CqcEntry<'a> {
        CqcEntry { service_types, registration_status, postcode: "SW19 4AB" }
    }

    #[test]
    fn r_p2_a_chosen_practice_must_be_at_the_postcode_searched() {
        let searched = Postcode::parse("sw194ab").unwrap();
        assert_eq!(check_chosen("SW19 4AB", &searched), Ok(()));
        assert_eq!(check_chosen("LS1 4AP", &searched), Err(IdentificationError::NotAtPostcode));
    }

    #[test]
    fn r_p3_a_described_practice_must_be_a_registered_dental_location_off_the_register() {
        let here = Postcode::parse("SW19 4AB").unwrap();
        let ok = entry("Dental service, Doctors", "Registered");
        assert_eq!(check_described(false, Some(ok), Some(&here), "support"), Ok(()));
        assert_eq!(check_described(true, Some(ok), Some(&here), "support"), Err(IdentificationError::InRegister));
        let unknown = check_described(false, None, Some(&here), "the helpdesk").unwrap_err();
        assert!(unknown.to_string().contains("the helpdesk"));
        assert_eq!(unknown.rule(), Some("R-P3"));
        assert_eq!(
            check_described(false, Some(entry("Care home", "Registered")), None, "s"),
            Err(IdentificationError::NotDental)
        );
        assert_eq!(
            check_described(false, Some(entry("Dentist", "Deregistered")), None, "s"),
            Err(IdentificationError::NotRegistered { status: "Deregistered".to_owned() })
        );
        let elsewhere = Postcode::parse("LS1 4AP").unwrap();
        let moved = check_described(false, Some(ok), Some(&elsewhere), "s").unwrap_err();
        assert!(moved.concerns_postcode());
    }
}

//! The NHSmail domain and the shared mailbox address (R-M1).
//!
//! `nhsdental.<town>.<practice><ods>@<mail domain>`: the practice part is the practice name in
//! lower-case letters and digits, shortened so the local part stays within 64 characters; the
//! town and ODS code are never shortened.

use crate::identifiers::{OdsCode, PracticeName};
use crate::text::{alphanumeric_lower, truncate_chars};
use crate::town::Town;
use std::fmt;

/// The mail domain of NHSmail accounts and mailboxes (configuration: `nhs.net` in production).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MailDomain(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid mail domain name.")]
pub struct MailDomainError(pub String);

impl MailDomain {
    pub fn parse(input: &str) -> Result<Self, MailDomainError> {
        let domain = input.trim().to_ascii_lowercase();
        if is_valid_domain(&domain) { Ok(Self(domain)) } else { Err(MailDomainError(input.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MailDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A DNS name with at least two labels of letters, digits and inner hyphens, and a top-level
/// label of letters (or an IDN `xn--` label).
pub(crate) fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && label.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|tld| (tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_lowercase())) || tld.starts_with("xn--"));
    domain.len() <= 253 && labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

/// A shared mailbox address built by R-M1.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SharedMailboxAddress(String);

impl SharedMailboxAddress {
    pub const PREFIX: &'static str = "nhsdental";
    pub const LOCAL_PART_MAX: usize = 64;

    /// Builds the address. Always succeeds: every input is already valid, and the longest town
    /// (10) and ODS code (10) leave at least 33 characters for the practice part.
    pub fn build(town: &Town, practice: &PracticeName, ods: &OdsCode, domain: &MailDomain) -> Self {
        let ods = ods.as_str().to_ascii_lowercase();
        let fixed = Self::PREFIX.len() + 1 + town.as_str().len() + 1 + ods.len();
        let practice = alphanumeric_lower(practice.as_str());
        let practice = truncate_chars(&practice, Self::LOCAL_PART_MAX.saturating_sub(fixed));
        Self(format!("{}.{}.{practice}{ods}@{domain}", Self::PREFIX, town.as_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or(&self.0)
    }
}

impl fmt::Display for SharedMailboxAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn address(town: &str, practice: &str, ods: &str, domain: &str) -> SharedMailboxAddress {
        SharedMailboxAddress::build(
            &Town::parse(town).unwrap(),
            &PracticeName::parse(practice).unwrap(),
            &OdsCode::parse(ods).unwrap(),
            &MailDomain::parse(domain).unwrap(),
        )
    }

    #[test]
    fn r_m1_address_follows_the_welcome_email_pattern() {
        assert_eq!(
            address("Birmingham", "DENB1Name", "DODSB1", "nhs.net").as_str(),
            "nhsdental.birmingham.denb1namedodsb1@nhs.net"
        );
        assert_eq!(
            address("wimbledon", "SAMPLE DENTAL CARE", "V12345", "nhs.net").as_str(),
            "nhsdental.wimbledon.sampledentalcarev12345@nhs.net"
        );
        assert_eq!(
            address("leeds", "St. Mary's Dental Practice", "v00001", "test.nhs.example").as_str(),
            "nhsdental.leeds.stmarysdentalpracticev00001@test.nhs.example"
        );
    }

    #[test]
    fn r_m1_long_practice_names_are_shortened_never_town_or_ods() {
        let long = "The Extremely Long Named Family Dental And Implant Practice Of Greater Manchester";
        let built = address("manchester", long, "V1234567AB", "nhs.net");
        assert_eq!(built.local_part().len(), 64);
        assert!(built.local_part().starts_with("nhsdental.manchester.theextremely"));
        assert!(built.local_part().ends_with("v1234567ab"));
    }

    #[test]
    fn mail_domains_must_be_valid_domain_names() {
        assert_eq!(MailDomain::parse(" NHS.net ").unwrap().as_str(), "nhs.net");
        for bad in ["", "nhs", "nhs..net", "-nhs.net", "nhs.net-", "nh s.net", "nhs.n3t"] {
            assert!(MailDomain::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn r_m1_local_part_never_exceeds_64_and_keeps_town_and_ods(
            town in "[a-z]{1,10}", practice in "[A-Za-z0-9 &'-]{0,98}[A-Za-z]", ods in "[A-Z0-9]{3,10}"
        ) {
            let built = address(&town, &practice, &ods, "nhs.net");
            prop_assert!(built.local_part().len() <= 64);
            let expected_start = format!("nhsdental.{town}.");
            let expected_end = ods.to_lowercase();
            prop_assert!(built.local_part().starts_with(&expected_start));
            prop_assert!(built.local_part().ends_with(&expected_end));
            prop_assert!(built.local_part().len() > expected_start.len() + expected_end.len());
            prop_assert!(built.local_part().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.'));
        }
    }
}

//! Contact details of members: email address (R-R5) and UK mobile number (R-R6).

use crate::mailbox::{MailDomain, is_valid_domain};
use std::fmt;

/// A valid email address that is not on the NHSmail domain, held in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address.")]
    Missing,
    #[error("Enter a valid email address, like name@example.com.")]
    Invalid,
    #[error(
        "An email address can have only letters a to z, digits and the usual symbols; this one has `{0}` (U+{code:04X}), which could be mistaken for another character.",
        code = u32::from(*.0)
    )]
    NotPlainCharacter(char),
    #[error(
        "This is an NHSmail address: people who already have NHSmail must not be added; the shared mailbox owner can link their account later."
    )]
    NhsmailAddress,
}

crate::violation!(EmailError {
    Missing => (Required, Some("R-R5")),
    Invalid => (EmailInvalid, Some("R-R5")),
    NotPlainCharacter => (EmailInvalid, Some("R-R5")),
    NhsmailAddress => (EmailIsNhsmail, Some("R-R5")),
});

impl Email {
    pub const MAX_LENGTH: usize = 254;

    /// Parses a business or personal email address (R-R5). Addresses on `nhs.net` or on the
    /// configured mail domain are refused: those people already have an NHSmail account.
    pub fn parse(input: &str, mail_domain: &MailDomain) -> Result<Self, EmailError> {
        let address = Self::plain(input.trim_matches(' '))?.to_ascii_lowercase();
        if address.is_empty() {
            return Err(EmailError::Missing);
        }
        let domain = Self::validate(&address).ok_or(EmailError::Invalid)?;
        if domain == "nhs.net" || domain == mail_domain.as_str() {
            return Err(EmailError::NhsmailAddress);
        }
        Ok(Self(address))
    }

    /// Parses any valid address, NHSmail included (e.g. a registered manager's address on
    /// record, which is a place to send a passcode, not a member to create).
    pub fn parse_address(input: &str) -> Result<Self, EmailError> {
        let address = Self::plain(input.trim())?.to_ascii_lowercase();
        if address.is_empty() {
            return Err(EmailError::Missing);
        }
        Self::validate(&address).ok_or(EmailError::Invalid)?;
        Ok(Self(address))
    }

    /// Refuses rather than folds a character outside ASCII: lower-casing would turn U+212A KELVIN
    /// SIGN into `k` and deliver to an address nobody typed. (NHSmail and this service take no
    /// internationalised addresses.)
    fn plain(address: &str) -> Result<&str, EmailError> {
        match address.chars().find(|c| !c.is_ascii()) {
            Some(c) => Err(EmailError::NotPlainCharacter(c)),
            None => Ok(address),
        }
    }

    /// Checks the shape (dot-atom local part, DNS domain) and returns the domain.
    fn validate(address: &str) -> Option<&str> {
        if address.len() > Self::MAX_LENGTH {
            return None;
        }
        let (local, domain) = address.rsplit_once('@')?;
        let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
        let local_ok =
            (1..=64).contains(&local.len()) && local.split('.').all(|part| !part.is_empty() && part.chars().all(atext));
        (local_ok && is_valid_domain(domain)).then_some(domain)
    }

    /// Restores an address read from storage, where it was checked when written. (Checking it
    /// again against today's mail domain could make stored data unreadable.)
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A UK mobile number held in E.164 form, `+447…` (R-R6).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UkMobile(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MobileError {
    #[error("Enter a mobile phone number.")]
    Missing,
    #[error("Enter a UK mobile number, like 07700 900123 or +44 7700 900123.")]
    Invalid,
    #[error("This is a landline or non-mobile number; enter a UK mobile number starting 07.")]
    NotMobile,
    #[error("070 numbers are personal numbers, not mobiles; enter a UK mobile number.")]
    PersonalNumber,
    #[error("076 numbers are pagers, not mobiles; enter a UK mobile number.")]
    Pager,
}

crate::violation!(MobileError {
    Missing => (Required, Some("R-R6")),
    Invalid => (MobileInvalid, Some("R-R6")),
    NotMobile => (MobileNotAMobile, Some("R-R6")),
    PersonalNumber => (MobilePersonalNumber, Some("R-R6")),
    Pager => (MobilePager, Some("R-R6")),
});

impl UkMobile {
    /// Parses `07…`, `+44 7…`, `0044 7…` and `+44 (0)7…` with spaces, dashes, dots or brackets
    /// (R-R6). Mobile ranges are 071–075, 077–079 and 07624; 070 (personal numbers) and other
    /// 076 numbers (pagers) are refused.
    pub fn parse(input: &str) -> Result<Self, MobileError> {
        let compact: String = input.chars().filter(|c| !" -.()".contains(*c)).collect();
        if compact.is_empty() {
            return Err(MobileError::Missing);
        }
        let national = if let Some(rest) = compact.strip_prefix("+44") {
            rest.strip_prefix('0').unwrap_or(rest)
        } else if let Some(rest) = compact.strip_prefix("0044") {
            rest.strip_prefix('0').unwrap_or(rest)
        } else if let Some(rest) = compact.strip_prefix('0') {
            rest
        } else {
            return Err(MobileError::Invalid);
        };
        if national.len() != 10 || !national.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MobileError::Invalid);
        }
        match &national[..2] {
            "71" | "72" | "73" | "74" | "75" | "77" | "78" | "79" => Ok(Self(format!("+44{national}"))),
            "76" if national.starts_with("7624") => Ok(Self(format!("+44{national}"))),
            "76" => Err(MobileError::Pager),
            "70" => Err(MobileError::PersonalNumber),
            _ => Err(MobileError::NotMobile),
        }
    }

    /// Restores a number read from storage, where it was checked when written.
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }

    /// E.164 form, e.g. `+447912345678`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last three digits, for messages that must not reveal the whole number.
    pub fn last_digits(&self) -> &str {
        self.0.get(self.0.len().saturating_sub(3)..).unwrap_or_default()
    }
}

impl fmt::Display for UkMobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Violation;
    use proptest::prelude::*;

    fn domain() -> MailDomain {
        MailDomain::parse("nhs.net").unwrap()
    }

    #[test]
    fn r_r5_valid_addresses_are_accepted_in_lower_case() {
        for (input, expected) in [
            ("dsmith@businessemail.com", "dsmith@businessemail.com"),
            (" MPatel@BlackpoolDentists.net ", "mpatel@blackpooldentists.net"),
            ("sarah.j+nhs@emaildomain.co.uk", "sarah.j+nhs@emaildomain.co.uk"),
            ("o'brien@example.org", "o'brien@example.org"),
        ] {
            assert_eq!(Email::parse(input, &domain()).unwrap().as_str(), expected);
        }
    }

    #[test]
    fn r_r5_malformed_addresses_are_refused() {
        assert_eq!(Email::parse("  ", &domain()), Err(EmailError::Missing));
        for bad in [
            "dsmith",
            "dsmith@",
            "@example.com",
            "a@b",
            "a..b@example.com",
            ".a@example.com",
            "a@example..com",
            "a b@example.com",
            "a@exa_mple.com",
            "a@-example.com",
            "a@example.c",
            "a@@example.com",
        ] {
            let error = Email::parse(bad, &domain()).unwrap_err();
            assert_eq!(error, EmailError::Invalid, "{bad}");
            assert_eq!(error.rule(), Some("R-R5"));
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert_eq!(Email::parse(&long, &domain()), Err(EmailError::Invalid));
    }

    #[test]
    fn r_r5_addresses_that_normalisation_would_change_are_refused_not_folded() {
        // U+212A KELVIN SIGN lower-cases to `k`; the fullwidth `ａ` folds to `a` under NFKC.
        for (bad, character) in [
            ("\u{212A}elly@example.com", '\u{212A}'),
            ("\u{FF41}nna@example.com", '\u{FF41}'),
            ("é@example.com", 'é'),
            ("anna@exam\u{202E}ple.com", '\u{202E}'),
            ("anna\u{200B}@example.com", '\u{200B}'),
        ] {
            assert_eq!(Email::parse(bad, &domain()), Err(EmailError::NotPlainCharacter(character)), "{bad}");
            assert_eq!(Email::parse_address(bad), Err(EmailError::NotPlainCharacter(character)), "{bad}");
        }
        let error = Email::parse("\u{212A}elly@example.com", &domain()).unwrap_err();
        assert_eq!(error.code(), crate::ProblemCode::EmailInvalid);
        assert!(error.to_string().contains("U+212A"), "{error}");
    }

    #[test]
    fn r_r5_nhsmail_addresses_are_refused_including_the_configured_domain() {
        assert_eq!(Email::parse("joe.bloggs@nhs.net", &domain()), Err(EmailError::NhsmailAddress));
        assert_eq!(Email::parse("Joe.Bloggs@NHS.NET", &domain()), Err(EmailError::NhsmailAddress));
        let test_domain = MailDomain::parse("dev.nhsmail.example").unwrap();
        assert_eq!(Email::parse("joe@dev.nhsmail.example", &test_domain), Err(EmailError::NhsmailAddress));
        assert_eq!(Email::parse("joe@nhs.net", &test_domain), Err(EmailError::NhsmailAddress));
        assert!(Email::parse("joe@nhs.uk", &domain()).is_ok());
        // Contact addresses on record may be NHSmail; only members may not.
        assert_eq!(Email::parse_address("Manager@NHS.net").unwrap().as_str(), "manager@nhs.net");
        assert_eq!(Email::parse_address("nope"), Err(EmailError::Invalid));
    }

    #[test]
    fn r_r6_uk_mobiles_in_any_common_format_become_e164() {
        for (input, expected) in [
            ("07912345678", "+447912345678"),
            ("07912 345678", "+447912345678"),
            ("+44 7912 345678", "+447912345678"),
            ("+447912345678", "+447912345678"),
            ("0044 7912-345-678", "+447912345678"),
            ("+44 (0)7912 345678", "+447912345678"),
            ("(07998) 765432", "+447998765432"),
            ("07777777777", "+447777777777"),
            ("07888888888", "+447888888888"),
            ("07624 123456", "+447624123456"),
            ("07100 000000", "+447100000000"),
            ("07500 900123", "+447500900123"),
        ] {
            assert_eq!(UkMobile::parse(input).unwrap().as_str(), expected, "{input}");
        }
        assert_eq!(UkMobile::parse("07912345678").unwrap().last_digits(), "678");
    }

    #[test]
    fn r_r6_landlines_personal_numbers_pagers_and_junk_are_refused() {
        assert_eq!(UkMobile::parse(" "), Err(MobileError::Missing));
        assert_eq!(UkMobile::parse("020 7946 0000"), Err(MobileError::NotMobile));
        assert_eq!(UkMobile::parse("0161 496 0000"), Err(MobileError::NotMobile));
        assert_eq!(UkMobile::parse("0800 123 4567"), Err(MobileError::NotMobile));
        assert_eq!(UkMobile::parse("07012 345678"), Err(MobileError::PersonalNumber));
        assert_eq!(UkMobile::parse("+44 7012 345678"), Err(MobileError::PersonalNumber));
        assert_eq!(UkMobile::parse("07623 123456"), Err(MobileError::Pager));
        assert_eq!(UkMobile::parse("07600 123456"), Err(MobileError::Pager));
        for bad in ["0791234567", "079123456789", "7912345678", "+33 6 12 34 56 78", "07912 34567x", "447912345678"] {
            assert_eq!(UkMobile::parse(bad), Err(MobileError::Invalid), "{bad}");
        }
        assert_eq!(UkMobile::parse("07012345678").unwrap_err().rule(), Some("R-R6"));
    }

    proptest! {
        #[test]
        fn r_r6_every_spelling_of_a_mobile_gives_the_same_e164(
            second in "[1-57-9]", rest in "[0-9]{8}", style in 0usize..4
        ) {
            let national = format!("7{second}{rest}");
            let written = match style {
                0 => format!("0{national}"),
                1 => format!("+44 {} {}", &national[..4], &national[4..]),
                2 => format!("0044-{national}"),
                _ => format!("(0{}) {}", &national[..4], &national[4..]),
            };
            let mobile = UkMobile::parse(&written).unwrap();
            prop_assert_eq!(mobile.as_str(), format!("+44{national}"));
            prop_assert_eq!(UkMobile::parse(mobile.as_str()).unwrap(), mobile);
        }

        #[test]
        fn r_r5_parsed_emails_are_stable(local in "[a-z0-9]{1,20}(\\.[a-z0-9]{1,10})?", host in "[a-z]{1,20}", tld in "(com|org|co\\.uk|net)") {
            let email = Email::parse(&format!("{local}@{host}.{tld}"), &domain()).unwrap();
            prop_assert_eq!(Email::parse(email.as_str(), &domain()).unwrap(), email);
        }

        #[test]
        fn contact_parsers_never_panic(input in "\\PC{0,40}") {
            let _ = UkMobile::parse(&input);
            let _ = Email::parse(&input, &domain());
        }
    }
}

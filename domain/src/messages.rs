//! The wording of every message the service sends, as pure functions of their facts. The words
//! follow the 2018 registration guide and FAQ. Secrets (passcodes, passwords, codes) appear only
//! in the rendered text, which the outbox erases once the message has been delivered.

use crate::passcode::Passcode;
use chrono::NaiveDate;

/// An email ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailMessage {
    pub subject: String,
    pub body: String,
}

/// A letter ready to print and post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterMessage {
    pub address_lines: Vec<String>,
    pub body: String,
}

/// Facts for a passcode message (R-O1–R-O3).
#[derive(Debug, Clone, Copy)]
pub struct PasscodeFacts<'a> {
    pub practice_name: &'a str,
    pub cqc_location_id: &'a str,
    pub passcode: &'a Passcode,
    /// Last day the passcode can be used (UTC).
    pub valid_until: NaiveDate,
    pub support_contact: &'a str,
}

fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

fn passcode_body(facts: &PasscodeFacts<'_>) -> String {
    format!(
        "You asked for a one-time passcode to register {practice} (CQC location ID {location}) \
for NHSmail through the dentistry registration portal.\n\
\n\
Your one-time passcode is: {code}\n\
\n\
Enter it on the portal together with the practice's CQC location ID. It can be used once, \
and it expires at the end of {until}.\n\
\n\
If you did not ask for this passcode, you can ignore this message. If you need help, contact \
the dentist support team: {support}.\n\
\n\
Regards,\n\
The NHSmail team",
        practice = facts.practice_name,
        location = facts.cqc_location_id,
        code = facts.passcode.grouped(),
        until = long_date(facts.valid_until),
        support = facts.support_contact,
    )
}

/// Passcode sent to the registered manager's email address on record.
pub fn passcode_email(facts: &PasscodeFacts<'_>) -> EmailMessage {
    EmailMessage {
        subject: "Your NHSmail dental registration one-time passcode".to_owned(),
        body: format!("Dear registered manager,\n\n{}", passcode_body(facts)),
    }
}

/// Passcode posted to the practice's CQC registered address.
pub fn passcode_letter(facts: &PasscodeFacts<'_>, address_lines: Vec<String>) -> LetterMessage {
    LetterMessage {
        address_lines,
        body: format!(
            "NHSmail dental practice registration: your one-time passcode\n\nDear practice manager,\n\n{}",
            passcode_body(facts)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(passcode: &Passcode) -> PasscodeFacts<'_> {
        PasscodeFacts {
            practice_name: "SAMPLE DENTAL CARE",
            cqc_location_id: "1-1002733005",
            passcode,
            valid_until: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            support_contact: "dentistadmin@nhs.net or 0333 200 1133",
        }
    }

    #[test]
    fn r_o2_passcode_messages_show_the_code_in_two_groups_with_its_expiry() {
        let code = Passcode::parse("7KQ4M2XD").unwrap();
        let email = passcode_email(&facts(&code));
        assert!(email.subject.contains("one-time passcode"));
        assert!(email.body.contains("7KQ4-M2XD"));
        assert!(email.body.contains("5 December 2026"));
        assert!(email.body.contains("1-1002733005"));
        assert!(email.body.contains("dentistadmin@nhs.net"));
        let letter = passcode_letter(&facts(&code), vec!["SAMPLE DENTAL CARE".into(), "SW19 4AB".into()]);
        assert!(letter.body.contains("7KQ4-M2XD"));
        assert_eq!(letter.address_lines.last().map(String::as_str), Some("SW19 4AB"));
    }
}

//! The wording of every message the service sends, as pure functions of their facts. The words
//! follow the 2018 registration guide and FAQ. Secrets (passcodes, passwords, codes) appear only
//! in the rendered text, which the outbox erases once the message has been delivered.
//!
//! Why this file is long: every message's wording is in one place, so that they read alike.

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

/// A text message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsMessage {
    pub body: String,
}

/// Facts for the messages that follow approval (R-A4).
#[derive(Debug, Clone, Copy)]
pub struct AccountFacts<'a> {
    pub first_name: &'a str,
    pub username: &'a str,
    pub practice_name: &'a str,
    /// Where to sign in, e.g. `https://portal.nhs.net`.
    pub portal_url: &'a str,
    pub support_contact: &'a str,
}

/// To the member's own email address: their username and how to activate (R-A4).
pub fn username_email(facts: &AccountFacts<'_>) -> EmailMessage {
    EmailMessage {
        subject: "Welcome to NHSmail".to_owned(),
        body: format!(
            "Dear {first},\n\n\
Thank you for joining NHSmail. An account has been created for you at {practice}.\n\n\
Shortly you will receive a text message containing your password to the mobile phone you specified when \
registering for an NHSmail account. If you do not receive a password by text message, please contact the \
National Administration Service: {support}.\n\n\
Accessing your NHSmail account\n\n\
1. Go to {portal}\n\
2. Click the 'login' button\n\
3. Enter the username: {username}\n\
4. Enter the password sent to your mobile\n\n\
Once you have logged in you will be asked to change your password and set some security questions. At this \
stage you can also choose to hide the mobile phone number you gave when registering from the NHS directory. \
Please complete these steps as soon as possible so your NHSmail account is activated.\n\n\
The shared mailbox set up for your practice will be sent to your new NHSmail address.\n\n\
Regards,\n\
The NHSmail team",
            first = facts.first_name,
            practice = facts.practice_name,
            support = facts.support_contact,
            portal = facts.portal_url,
            username = facts.username,
        ),
    }
}

/// The temporary password, by text message to the member's mobile (R-A3, R-A4).
pub fn temporary_password_sms(password: &str, valid_until: NaiveDate) -> SmsMessage {
    SmsMessage {
        body: format!(
            "Your NHSmail temporary password is {password} . It can only be used to activate your account and \
expires at the end of {until}. Your username has been emailed to you. NHSmail",
            until = long_date(valid_until),
        ),
    }
}

/// Facts for the welcome email after activation (R-A4).
#[derive(Debug, Clone, Copy)]
pub struct WelcomeFacts<'a> {
    pub first_name: &'a str,
    pub practice_name: &'a str,
    pub ods_code: &'a str,
    pub shared_mailbox: &'a str,
    pub support_contact: &'a str,
}

/// To the new NHSmail address once the account is activated: the practice details and the shared
/// mailbox address (R-A4), as the guide's "Welcome to NHSmail" email.
pub fn welcome_email(facts: &WelcomeFacts<'_>) -> EmailMessage {
    EmailMessage {
        subject: "Welcome to NHSmail: your dental practice shared mailbox".to_owned(),
        body: format!(
            "Dear {first},\n\n\
Thank you for joining NHSmail and for activating your NHSmail account.\n\n\
During activation you accepted the Acceptable Use Policy and chose whether the mobile phone number \
provided for your registration is visible in the NHS directory; you can change that at any time.\n\n\
If you have any issues with accessing your NHSmail account please contact the National Administration \
Service: {support}.\n\n\
Dental Practice Details and Premises Shared Mailbox\n\n\
Name of Dental Practice: {practice}\n\
ODS Code: {ods}\n\
Premises specific shared NHSmail mailbox: {mailbox}\n\n\
If you are a Shared Mailbox Owner you can give other NHSmail users at your practice access to the \
shared mailbox.\n\n\
Regards,\n\
The NHSmail team",
            first = facts.first_name,
            support = facts.support_contact,
            practice = facts.practice_name,
            ods = facts.ods_code,
            mailbox = facts.shared_mailbox,
        ),
    }
}

/// The self-service password reset code, by text message (R-L7).
pub fn password_reset_code_sms(code: &str, minutes: i64) -> SmsMessage {
    SmsMessage {
        body: format!(
            "Your NHSmail password reset code is {code} . It works for {minutes} minutes. If you did not ask to reset \
your password, contact the helpdesk. NHSmail"
        ),
    }
}

/// Facts for a rejection (R-V1).
#[derive(Debug, Clone, Copy)]
pub struct RejectionFacts<'a> {
    pub practice_name: &'a str,
    pub reason: &'a str,
    pub support_contact: &'a str,
}

/// To the shared mailbox owners named in the application: why it was not approved (R-V1).
pub fn rejection_email(facts: &RejectionFacts<'_>) -> EmailMessage {
    EmailMessage {
        subject: "Your NHSmail dental registration was not approved".to_owned(),
        body: format!(
            "Dear shared mailbox owner,\n\n\
The application to register {practice} for NHSmail has not been approved.\n\n\
Reason: {reason}\n\n\
No NHSmail accounts have been created. If you have questions, contact the dentist support team: {support}.\n\n\
Regards,\n\
The NHSmail team",
            practice = facts.practice_name,
            reason = facts.reason,
            support = facts.support_contact,
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

    #[test]
    fn r_a4_the_username_email_says_how_to_activate_without_the_password() {
        let email = username_email(&AccountFacts {
            first_name: "David",
            username: "david.smith@nhs.net",
            practice_name: "SAMPLE DENTAL CARE",
            portal_url: "https://portal.nhs.net",
            support_contact: "dentistadmin@nhs.net",
        });
        assert_eq!(email.subject, "Welcome to NHSmail");
        assert!(email.body.starts_with("Dear David,"));
        assert!(email.body.contains("Enter the username: david.smith@nhs.net"));
        assert!(email.body.contains("text message containing your password"));
        assert!(email.body.contains("security questions"));
    }

    #[test]
    fn r_a3_the_sms_carries_the_temporary_password_and_its_expiry() {
        let sms = temporary_password_sms("Kp7r-Xm3q-Tz8w-Ab2c", NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
        assert!(sms.body.contains("Kp7r-Xm3q-Tz8w-Ab2c"));
        assert!(sms.body.contains("5 December 2026"));
        assert!(sms.body.len() <= 306, "fits in two text messages");
    }

    #[test]
    fn r_a4_the_welcome_email_names_the_practice_and_shared_mailbox() {
        let email = welcome_email(&WelcomeFacts {
            first_name: "David",
            practice_name: "DENB1Name",
            ods_code: "DODSB1",
            shared_mailbox: "nhsdental.birmingham.denb1namedodsb1@nhs.net",
            support_contact: "dentistadmin@nhs.net",
        });
        assert!(email.body.contains("Name of Dental Practice: DENB1Name"));
        assert!(email.body.contains("ODS Code: DODSB1"));
        assert!(email.body.contains("nhsdental.birmingham.denb1namedodsb1@nhs.net"));
        assert!(password_reset_code_sms("12345678", 15).body.contains("12345678"));
    }

    #[test]
    fn r_v1_the_rejection_email_gives_the_reason() {
        let email = rejection_email(&RejectionFacts {
            practice_name: "HARBOUR VIEW DENTAL",
            reason: "IG level 1",
            support_contact: "x",
        });
        assert!(email.body.contains("Reason: IG level 1"));
        assert!(email.body.contains("HARBOUR VIEW DENTAL"));
    }
}

/// Facts for the inactivity notices (R-L4).
#[derive(Debug, Clone, Copy)]
pub struct InactivityFacts<'a> {
    pub first_name: &'a str,
    pub username: &'a str,
    /// The day of the next step: becoming inactive, or deletion.
    pub on: NaiveDate,
    pub portal_url: &'a str,
    pub support_contact: &'a str,
}

/// An inactivity notice: the greeting, `middle` and the sign-off of every NHSmail email.
fn inactivity_email(subject: &str, facts: &InactivityFacts<'_>, middle: &str) -> EmailMessage {
    EmailMessage {
        subject: subject.to_owned(),
        body: format!("Dear {},\n\n{middle}\n\nRegards,\nThe NHSmail team", facts.first_name),
    }
}

/// Before an unused account becomes inactive (R-L4): sign in to keep it.
pub fn inactivity_warning_email(facts: &InactivityFacts<'_>) -> EmailMessage {
    let on = facts.on.format("%-d %B %Y");
    let middle = format!(
        "Your NHSmail account {username} has not been used for some time. If you do not sign in by {on}, it will \
become inactive and, if it is not reactivated, it will later be permanently deleted.\n\n\
To keep your account, sign in at {portal} before {on}.\n\n\
If you have any issues with accessing your NHSmail account please contact the National Administration \
Service: {support}.",
        username = facts.username,
        portal = facts.portal_url,
        support = facts.support_contact,
    );
    inactivity_email("Your NHSmail account will become inactive", facts, &middle)
}

/// When an account has become inactive (R-L4): the helpdesk can reactivate it until deletion.
pub fn account_inactive_email(facts: &InactivityFacts<'_>) -> EmailMessage {
    let on = facts.on.format("%-d %B %Y");
    let middle = format!(
        "Your NHSmail account {username} has become inactive because it was not used, and you can no longer sign in \
with it. It will be permanently deleted on {on}.\n\n\
To keep your account, ask the National Administration Service to reactivate it before {on}: {support}.\n\n\
Shared mailboxes are not deleted.",
        username = facts.username,
        support = facts.support_contact,
    );
    inactivity_email("Your NHSmail account is inactive", facts, &middle)
}

/// Before an inactive account is deleted (R-L4): the last chance to keep it.
pub fn deletion_warning_email(facts: &InactivityFacts<'_>) -> EmailMessage {
    let on = facts.on.format("%-d %B %Y");
    let middle = format!(
        "Your inactive NHSmail account {username} will be permanently deleted on {on}, with its email and personal \
details. Save anything you or your team need before then.\n\n\
To keep your account, ask the National Administration Service to reactivate it before {on}: {support}.",
        username = facts.username,
        support = facts.support_contact,
    );
    inactivity_email("Your NHSmail account will be deleted", facts, &middle)
}

/// Facts for the email telling an account holder their access to a shared mailbox changed (R-B2).
#[derive(Debug, Clone, Copy)]
pub struct MailboxAccessFacts<'a> {
    pub first_name: &'a str,
    pub mailbox_address: &'a str,
    pub practice_name: &'a str,
    pub notice: crate::mailbox_access::Notice,
    pub support_contact: &'a str,
}

/// R-B2: what changed, in the words of the guide, and who to ask if it was not expected.
pub fn mailbox_access_email(facts: &MailboxAccessFacts<'_>) -> EmailMessage {
    use crate::mailbox_access::Notice;
    let (subject, what) = match facts.notice {
        Notice::AccessGiven { admin: false } => {
            ("You have been given access to a shared mailbox", "You now have access to")
        }
        Notice::AccessGiven { admin: true } => {
            ("You have been given access to a shared mailbox", "You now have access and admin rights to")
        }
        Notice::AccessRemoved => ("Your access to a shared mailbox has been removed", "You no longer have access to"),
        Notice::AdminGranted => ("You are now an admin of a shared mailbox", "You now have admin rights to"),
        Notice::AdminRevoked => {
            ("Your admin rights to a shared mailbox have been removed", "You no longer have admin rights to")
        }
        Notice::OwnerNominated => ("You are now an owner of a shared mailbox", "You are now an owner of"),
        Notice::OwnerRemoved => {
            ("You are no longer an owner of a shared mailbox", "You are no longer an owner, and keep admin rights to,")
        }
    };
    EmailMessage {
        subject: subject.to_owned(),
        body: format!(
            "Dear {first_name},\n\n{what} the shared mailbox {address} of {practice}. The change has taken \
effect.\n\nIf you did not expect this, speak to the shared mailbox's owners, or contact the National \
Administration Service: {support}.\n\nRegards,\nThe NHSmail team",
            first_name = facts.first_name,
            address = facts.mailbox_address,
            practice = facts.practice_name,
            support = facts.support_contact,
        ),
    }
}

/// Facts for the notice to someone marked as having left their practice (R-L5).
#[derive(Debug, Clone, Copy)]
pub struct LeaverFacts<'a> {
    pub first_name: &'a str,
    pub username: &'a str,
    pub practice_name: &'a str,
    /// The day the account will be deleted unless another practice takes it on.
    pub deleted_on: NaiveDate,
    pub support_contact: &'a str,
}

/// R-L5: the account is leaving the practice; what happens to it and how to keep it.
pub fn leaver_email(facts: &LeaverFacts<'_>) -> EmailMessage {
    EmailMessage {
        subject: "Your NHSmail account is marked as leaving your practice".to_owned(),
        body: format!(
            "Dear {first_name},\n\nYour NHSmail account {username} has been marked as leaving {practice}. Your access to \
its shared mailbox has ended, and you have been signed out.\n\nYour account will be permanently deleted on {on}, \
with its email and personal details, unless a new practice takes you on as a joiner before then: ask the \
owner of your new practice's shared mailbox to request it. Save anything you need before then.\n\n\
If this is a mistake, contact the National Administration Service: {support}.\n\nRegards,\nThe NHSmail team",
            first_name = facts.first_name,
            username = facts.username,
            practice = facts.practice_name,
            on = facts.deleted_on.format("%-d %B %Y"),
            support = facts.support_contact,
        ),
    }
}

#[cfg(test)]
mod inactivity_notices {
    use super::*;

    #[test]
    fn r_l4_each_notice_names_the_account_the_day_and_how_to_keep_it() {
        let facts = InactivityFacts {
            first_name: "David",
            username: "david.smith@nhs.net",
            on: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap_or_default(),
            portal_url: "https://portal.nhs.net",
            support_contact: "0333 200 1133",
        };
        for email in [inactivity_warning_email(&facts), account_inactive_email(&facts), deletion_warning_email(&facts)]
        {
            assert!(email.body.starts_with("Dear David,"), "{}", email.body);
            assert!(
                email.body.contains("david.smith@nhs.net") && email.body.contains("1 March 2027"),
                "{}",
                email.body
            );
            assert!(email.body.ends_with("The NHSmail team"));
        }
        assert!(inactivity_warning_email(&facts).body.contains("sign in at https://portal.nhs.net"));
        assert!(account_inactive_email(&facts).body.contains("reactivate it before 1 March 2027: 0333 200 1133"));
    }

    #[test]
    fn r_b2_the_access_email_names_the_mailbox_and_what_changed() {
        let email = mailbox_access_email(&MailboxAccessFacts {
            first_name: "Sarah",
            mailbox_address: "nhsdental.leeds.brightsmilev00101@nhs.net",
            practice_name: "BRIGHT SMILE",
            notice: crate::mailbox_access::Notice::AdminGranted,
            support_contact: "0333 200 1133",
        });
        assert_eq!(email.subject, "You are now an admin of a shared mailbox");
        assert!(email.body.starts_with("Dear Sarah,"));
        assert!(email.body.contains(
            "You now have admin rights to the shared mailbox nhsdental.leeds.brightsmilev00101@nhs.net of BRIGHT SMILE."
        ));
        assert!(email.body.contains("0333 200 1133"));
    }

    #[test]
    fn r_l5_the_leaver_notice_names_the_practice_the_deletion_day_and_how_to_keep_the_account() {
        let email = leaver_email(&LeaverFacts {
            first_name: "Efan",
            username: "efan.williamson",
            practice_name: "BRIGHT SMILE DENTAL PRACTICE",
            deleted_on: NaiveDate::from_ymd_opt(2027, 1, 9).unwrap(),
            support_contact: "0333 200 1133",
        });
        assert!(email.body.starts_with("Dear Efan,"));
        assert!(email.body.contains("efan.williamson has been marked as leaving BRIGHT SMILE DENTAL PRACTICE"));
        assert!(email.body.contains("deleted on 9 January 2027"));
        assert!(email.body.contains("joiner"));
    }
}

//! Rules the database enforces under concurrency (unique constraints), as domain errors.
//! The persistence layer translates constraint violations into these; they are never 500s.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error(
        "This mobile number is already used by another submitted application or an NHSmail account; each person needs their own mobile number."
    )]
    MobileAlreadyRegistered,
    #[error("This practice already has an application in progress or is already registered.")]
    PracticeHasLiveApplication,
    #[error("Another member of this application already has this email address.")]
    DuplicateMemberEmail,
    #[error("Another member of this application already has this mobile number.")]
    DuplicateMemberMobile,
    #[error("This username has already been issued.")]
    UsernameTaken,
    #[error("This shared mailbox address has already been issued.")]
    MailboxAddressTaken,
    #[error("This ODS code belongs to another practice in the register.")]
    OdsCodeTaken,
    #[error("This record already exists.")]
    AlreadyExists,
}

crate::violation!(Conflict {
    MobileAlreadyRegistered => (MobileAlreadyRegistered, Some("R-R7")),
    PracticeHasLiveApplication => (PracticeHasLiveApplication, Some("R-P5")),
    DuplicateMemberEmail => (EmailDuplicate, Some("R-R5")),
    DuplicateMemberMobile => (MobileDuplicate, Some("R-R7")),
    UsernameTaken => (UsernameTaken, Some("R-A2")),
    MailboxAddressTaken => (MailboxAddressTaken, Some("R-M2")),
    OdsCodeTaken => (OdsCodeTaken, None),
    AlreadyExists => (AlreadyExists, None),
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Violation;

    #[test]
    fn r_r7_r_p5_conflicts_name_their_rules() {
        assert_eq!(Conflict::MobileAlreadyRegistered.rule(), Some("R-R7"));
        assert_eq!(Conflict::PracticeHasLiveApplication.rule(), Some("R-P5"));
        assert_eq!(Conflict::MailboxAddressTaken.code().as_str(), "mailbox_address_taken");
    }
}

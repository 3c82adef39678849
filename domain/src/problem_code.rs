//! The catalogue of problem codes: every stable, machine-readable reason the service gives for
//! refusing something, with its meaning. A refusal names one of these (as `code` in a problem
//! document or in one of its field errors); clients match on them, never on wording. The API
//! publishes the catalogue as an enumeration in the contract, so nothing raises a code that is
//! not listed here.

use std::fmt;

macro_rules! catalogue {
    ($($variant:ident => ($code:literal, $meaning:literal)),+ $(,)?) => {
        /// A stable reason for a refusal. See the module documentation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ProblemCode { $($variant),+ }

        impl ProblemCode {
            /// Every code, in catalogue order.
            pub const ALL: &'static [ProblemCode] = &[$(Self::$variant),+];

            /// The code as clients see it, e.g. `mobile_pager`.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }

            /// What the code means, for the contract and the problem documentation.
            pub fn meaning(self) -> &'static str {
                match self { $(Self::$variant => $meaning),+ }
            }
        }
    };
}

catalogue! {
    // Reading the request.
    Required => ("required", "A required value is missing."),
    InvalidType => ("invalid_type", "The value is of the wrong JSON type (e.g. a number where text is expected)."),
    UnknownField => ("unknown_field", "The request has a member the operation does not take."),
    InvalidValue => ("invalid_value", "The value is not one of those allowed."),
    TooLong => ("too_long", "The value is longer than allowed."),
    TooShort => ("too_short", "The value is shorter than allowed."),
    ControlCharacters => ("control_characters", "The text contains control characters (such as NUL), which are never accepted."),
    HiddenCharacters => ("hidden_characters", "The text contains a character that is invisible, changes the direction of text, is for private use or is not assigned by Unicode, so it could look different from what it is."),
    OutOfRange => ("out_of_range", "A number is outside the range allowed."),
    CursorInvalid => ("cursor_invalid", "The page cursor is not one this service gave out; start again from the first page."),
    QueryTooShort => ("query_too_short", "A search needs more characters."),
    IdempotencyKeyInvalid => ("idempotency_key_invalid", "The Idempotency-Key header is not a valid key."),
    // Questionnaire (R-E1, R-E2).
    AlreadyHasNhsmailAccount => ("already_has_nhsmail_account", "R-E1: someone who already has NHSmail must not register again."),
    IgRequirementNotMet => ("ig_requirement_not_met", "R-E2: the practice must meet IG Toolkit level 2 or the DSPT."),
    // Identifying the practice (R-P1–R-P5).
    PostcodeInvalid => ("postcode_invalid", "R-P1: not a UK postcode."),
    CqcLocationIdInvalid => ("cqc_location_id_invalid", "R-P4: a CQC location ID is `1-` and 8 to 11 digits."),
    OdsCodeInvalid => ("ods_code_invalid", "R-P4: an ODS code is 3 to 10 letters and digits."),
    CqcContactIdInvalid => ("cqc_contact_id_invalid", "R-P4: the CQC contact ID has characters a contact ID cannot have."),
    PracticeNameInvalid => ("practice_name_invalid", "R-M1: a practice name needs at least one letter or digit."),
    PracticeNotFound => ("practice_not_found", "R-P2: the chosen practice is not one of those at the postcode."),
    PracticeInRegister => ("practice_in_register", "R-P2: the register holds this practice; choose it from the postcode search (route A)."),
    CqcLocationNotFound => ("cqc_location_not_found", "R-P3: no CQC registered location has this ID."),
    CqcLocationNotDental => ("cqc_location_not_dental", "R-P3: the CQC lists no dental service at this location."),
    CqcLocationNotRegistered => ("cqc_location_not_registered", "R-P3: the CQC does not list this location as registered."),
    PostcodeDoesNotMatchCqc => ("postcode_does_not_match_cqc", "R-P3: the postcode is not the one the CQC holds for the location."),
    PracticeHasLiveApplication => ("practice_has_live_application", "R-P5: another application for this practice is in progress; resume that one."),
    PracticeAlreadyRegistered => ("practice_already_registered", "R-P5: the practice is registered already and its shared mailbox exists."),
    // Passcodes and verification (R-O1–R-O6).
    PasscodeInvalid => ("passcode_invalid", "R-O2: a passcode is 8 letters and digits."),
    PasscodeEmailNotOnRecord => ("passcode_email_not_on_record", "R-O1: no registered manager email is on record, so passcodes go by post."),
    PasscodeLimitReached => ("passcode_limit_reached", "R-O5: the practice or this client has been sent as many passcodes as allowed for now."),
    PasscodeIncorrect => ("passcode_incorrect", "R-O6: the passcode does not match."),
    PasscodeExpired => ("passcode_expired", "R-O3: the passcode has expired; ask for a new one."),
    PasscodeAlreadyUsed => ("passcode_already_used", "R-O3: the passcode has been used already; ask for a new one."),
    CqcLocationIdDoesNotMatch => ("cqc_location_id_does_not_match", "R-O6: the CQC location ID is not the identified practice's."),
    CqcContactIdIncorrect => ("cqc_contact_id_incorrect", "R-O6: the CQC contact ID does not match the one on record."),
    OneCredentialRequired => ("one_credential_required", "R-O6: give either the passcode or the CQC contact ID, not both."),
    ContactIdNotAvailable => ("contact_id_not_available", "R-P3: no CQC contact ID is on record for this practice; use a passcode."),
    VerificationLocked => ("verification_locked", "R-O6: verification is locked after repeated failures."),
    // The journey's order (R-S1, R-S3).
    ApplicationReadOnly => ("application_read_only", "R-S3: the application has been submitted and can no longer be changed."),
    ApplicationClosed => ("application_closed", "The application is no longer in progress."),
    PracticeNotIdentified => ("practice_not_identified", "R-P2: identify the practice first."),
    AlreadyAuthenticated => ("already_authenticated", "The practice is verified; it can no longer be changed or verified again."),
    PracticeNotAuthenticated => ("practice_not_authenticated", "R-S1: prove you act for the practice first."),
    NotRouteB => ("not_route_b", "R-P3: only route B practices have CQC details to confirm."),
    CqcDetailsNotConfirmed => ("cqc_details_not_confirmed", "R-P3: the CQC registration details are not confirmed yet."),
    TownRequired => ("town_required", "R-T1: choose the town for the shared mailbox name."),
    ConfirmationRequired => ("confirmation_required", "R-S1: confirm the data is correct before submitting."),
    // Town and mailbox (R-T1, R-T2, R-M1, R-M2).
    TownInvalidCharacters => ("town_invalid_characters", "R-T2: a town needs letters."),
    TownTooLong => ("town_too_long", "R-T2: the town is more than 10 letters once normalised; a suggestion is given."),
    MailboxAddressTaken => ("mailbox_address_taken", "R-M2: the shared mailbox address is already taken."),
    // Members (R-R1–R-R8).
    NameInvalidCharacters => ("name_invalid_characters", "R-R4: names are letters, spaces, hyphens and apostrophes."),
    TitleInvalid => ("title_invalid", "R-R4: the title is not one of those offered."),
    RoleInvalid => ("role_invalid", "R-R4: the role is not one of those offered."),
    EmailInvalid => ("email_invalid", "R-R5: not a valid email address."),
    EmailIsNhsmail => ("email_is_nhsmail", "R-R5: NHSmail addresses belong to people who already have an account."),
    EmailDuplicate => ("email_duplicate", "R-R5: another member has this email address."),
    MobileInvalid => ("mobile_invalid", "R-R6: not a UK telephone number."),
    MobileNotAMobile => ("mobile_not_a_mobile", "R-R6: a UK number, but not a mobile."),
    MobilePersonalNumber => ("mobile_personal_number", "R-R6: 070 numbers are personal numbers, not mobiles."),
    MobilePager => ("mobile_pager", "R-R6: 076 numbers are pagers, not mobiles."),
    MobileDuplicate => ("mobile_duplicate", "R-R7: another member has this mobile number."),
    MobileAlreadyRegistered => ("mobile_already_registered", "R-R7: this mobile number is registered already."),
    RosterFull => ("roster_full", "R-R1: a practice registers at most 10 members."),
    NoMembers => ("no_members", "R-R8: there is no member yet to change or remove."),
    RosterTooSmall => ("roster_too_small", "R-R1: a practice registers at least 2 members."),
    TooManyOwners => ("too_many_owners", "R-R2: there can be at most 2 shared mailbox owners."),
    FirstMemberIsOwner => ("first_member_is_owner", "R-R2: the first member is always an owner."),
    OnlyOwner => ("only_owner", "R-R8: the only owner cannot be removed or demoted."),
    NoOwner => ("no_owner", "R-R2: there must be at least one owner."),
    OwnerHasFullRights => ("owner_has_full_rights", "R-R2: owners always have admin rights and access."),
    AdminRequiresAccess => ("admin_requires_access", "R-R3: admin rights need shared mailbox access."),
    // Shared mailbox management (R-B1, R-B2).
    MailboxAdminRequired => ("mailbox_admin_required", "R-B2: only the shared mailbox's owners and admins can change who has access."),
    MailboxOwnerRequired => ("mailbox_owner_required", "R-B2: only an owner can nominate an owner or change an owner's rights."),
    // Review and provisioning (R-V1, R-A1–R-A4).
    ApplicationIncomplete => ("application_incomplete", "R-S1: the application lacks something it needs before submission; `errors` lists it all."),
    ApplicationNotSubmitted => ("application_not_submitted", "R-V1: only a submitted application can be approved or rejected."),
    UsernameTaken => ("username_taken", "R-A2: the username has been issued already."),
    AdminCannotDisableSelf => ("admin_cannot_disable_self", "An administrator cannot disable themselves; another administrator can."),
    AdminUsernameInvalid => ("admin_username_invalid", "A helpdesk sign-in name is 3 to 64 letters, digits, dots, hyphens or underscores."),
    OdsCodeTaken => ("ods_code_taken", "Another practice in the register has this ODS code."),
    AlreadyExists => ("already_exists", "Something with this identity exists already."),
    NotFound => ("not_found", "There is no such object, or none the caller may see."),
    // Accounts (R-L1–R-L9).
    InvalidCredentials => ("invalid_credentials", "R-L8: the username or password is not right."),
    TemporaryPasswordExpired => ("temporary_password_expired", "R-A3: the temporary password has expired; ask the helpdesk for a new one."),
    AccountInactive => ("account_inactive", "R-L4: the account was not used for the inactivity period; the helpdesk reactivates it."),
    TooManyFromClient => ("too_many_from_client", "Too many attempts from one network address in a short time; wait for `Retry-After`."),
    SignInLocked => ("sign_in_locked", "R-L8: sign-in is locked after repeated failures."),
    AccountDisabled => ("account_disabled", "The account is disabled."),
    ActivationRequired => ("activation_required", "R-L1: the account must complete activation first."),
    AlreadyActivated => ("already_activated", "R-L1: the account is active; this step belongs to activation."),
    PasswordChangeRequired => ("password_change_required", "R-L3: the password must be changed first."),
    RequiredActionOutOfOrder => ("required_action_out_of_order", "R-L1: activation steps are done in order."),
    RequiredActionDone => ("required_action_done", "R-L1: this activation step has been done already."),
    CurrentPasswordIncorrect => ("current_password_incorrect", "R-L2: the current password is not right."),
    PasswordTooShort => ("password_too_short", "R-L2: at least 10 characters."),
    PasswordTooLong => ("password_too_long", "R-L2: at most 1024 characters."),
    PasswordTooCommon => ("password_too_common", "R-L2: too common or too easy to guess."),
    PasswordContainsName => ("password_contains_name", "R-L2: a password must not contain the holder's names or username."),
    PasswordRecentlyUsed => ("password_recently_used", "R-L2: one of the last 4 passwords."),
    AnswerTooShort => ("answer_too_short", "R-L1: a security answer is too short."),
    AnswerTooLong => ("answer_too_long", "R-L1: a security answer is too long."),
    QuestionUnknown => ("question_unknown", "R-L1: not one of the security questions offered."),
    QuestionRepeated => ("question_repeated", "R-L1: choose different questions."),
    AnswersCount => ("answers_count", "R-L1: answer exactly the number of questions asked for."),
    MustAccept => ("must_accept", "R-L1: the acceptable use policy must be accepted."),
    ResetCodeInvalid => ("reset_code_invalid", "R-L7: a reset code is the 8 digits sent by text message."),
    ResetCodeOrAnswerIncorrect => ("reset_code_or_answer_incorrect", "R-L7: the reset code or the security answer does not match."),
    ResetExpired => ("reset_expired", "R-L7: this reset has expired, been used, or had too many wrong tries."),
    ResetLimitReached => ("reset_limit_reached", "R-L7: too many resets asked for; wait before asking again."),
    NotAnOwner => ("not_an_owner", "R-L7: the confirming username is not an owner of the account's shared mailbox."),
    MobileDoesNotMatch => ("mobile_does_not_match", "R-L7: the mobile number confirmed is not the one on record."),
    AccountNotActivated => ("account_not_activated", "The account has not been activated yet."),
    // Reference data.
    DatasetUnknown => ("dataset_unknown", "No such reference dataset."),
    InvalidRow => ("invalid_row", "A row of the file is not valid; nothing was imported."),
    ImportHeadingMissing => ("import_heading_missing", "The file lacks a column heading the dataset needs."),
    // Operations.
    DatabaseUnavailable => ("database_unavailable", "The database cannot be reached."),
    MigrationsPending => ("migrations_pending", "The database schema is not current."),
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ProblemCode {
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_snake_case_and_explained() {
        let mut seen = std::collections::HashSet::new();
        for code in ProblemCode::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} appears twice");
            assert!(text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{text} is not snake_case");
            assert!(!code.meaning().is_empty());
            assert_eq!(ProblemCode::parse(text), Some(*code));
        }
    }
}

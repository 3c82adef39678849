//! Account life (R-L1, R-L3, R-L7): the actions that activate an account, in order; security
//! questions and answers; password age; password reset codes.
//!
//! Why this file is long: the account rules (under 390 lines) and the tests that name each rule
//! live together.

use chrono::{DateTime, Duration, Utc};
use std::fmt;

/// Where an account is in its life (R-A3, R-L1, R-L4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountStatus {
    /// Created at approval; its holder has the temporary password and must activate (R-L1).
    PendingActivation,
    Active,
    /// Not used for the inactivity period (R-L4): no sign-in until the helpdesk reactivates it,
    /// deleted after a further period.
    Inactive,
    /// Stopped by the helpdesk: no sign-in, no sessions.
    Disabled,
}

impl AccountStatus {
    pub const ALL: [AccountStatus; 4] = [Self::PendingActivation, Self::Active, Self::Inactive, Self::Disabled];
    /// Accounts that have been activated and are open: listed in the directory, able to reset
    /// their own password.
    pub const ACTIVATED: [AccountStatus; 2] = [Self::Active, Self::Inactive];
    /// Accounts whose idle time counts towards inactivity (R-L4): open for sign-in.
    pub const IN_USE: [AccountStatus; 2] = [Self::PendingActivation, Self::Active];

    pub fn code(self) -> &'static str {
        match self {
            Self::PendingActivation => "pending_activation",
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether its holder may sign in and keep a session: not once inactive (R-L4, until the
    /// helpdesk reactivates it) or disabled.
    pub fn can_sign_in(self) -> bool {
        Self::IN_USE.contains(&self)
    }

    /// Whether a password given for the account is checked at all: an inactive account's holder
    /// who gives the right one is told the account is inactive; a disabled account answers as
    /// an unknown one.
    pub fn checks_password(self) -> bool {
        self != Self::Disabled
    }

    /// Activated and open (see [`Self::ACTIVATED`]).
    pub fn is_activated(self) -> bool {
        Self::ACTIVATED.contains(&self)
    }

    /// The status a disabled or inactive account returns to when the helpdesk enables it.
    pub fn on_enabling(activation: &ActivationProgress) -> Self {
        if activation.is_complete() { Self::Active } else { Self::PendingActivation }
    }
}

/// What a new account must do before it can do anything else (R-L1), in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequiredAction {
    ChangePassword,
    SetSecurityQuestions,
    AcceptAcceptableUsePolicy,
    ChooseDirectoryVisibility,
}

impl RequiredAction {
    pub const ORDER: [RequiredAction; 4] = [
        Self::ChangePassword,
        Self::SetSecurityQuestions,
        Self::AcceptAcceptableUsePolicy,
        Self::ChooseDirectoryVisibility,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::ChangePassword => "change_password",
            Self::SetSecurityQuestions => "set_security_questions",
            Self::AcceptAcceptableUsePolicy => "accept_acceptable_use_policy",
            Self::ChooseDirectoryVisibility => "choose_directory_visibility",
        }
    }
}

/// What an account has done of its activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActivationProgress {
    pub password_changed: bool,
    pub security_questions_set: bool,
    pub acceptable_use_accepted: bool,
    pub directory_visibility_chosen: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivationError {
    #[error("Do this first: {}.", .expected.code().replace('_', " "))]
    OutOfOrder { expected: RequiredAction },
    #[error("This has already been done.")]
    AlreadyDone,
}

crate::violation!(ActivationError {
    OutOfOrder => (RequiredActionOutOfOrder, Some("R-L1")),
    AlreadyDone => (RequiredActionDone, Some("R-L1")),
});

impl ActivationProgress {
    fn done(&self, action: RequiredAction) -> bool {
        match action {
            RequiredAction::ChangePassword => self.password_changed,
            RequiredAction::SetSecurityQuestions => self.security_questions_set,
            RequiredAction::AcceptAcceptableUsePolicy => self.acceptable_use_accepted,
            RequiredAction::ChooseDirectoryVisibility => self.directory_visibility_chosen,
        }
    }

    /// What is still required, in order. Empty once the account can be activated.
    pub fn required(&self) -> Vec<RequiredAction> {
        RequiredAction::ORDER.into_iter().filter(|a| !self.done(*a)).collect()
    }

    /// R-L1: each action only after the ones before it.
    pub fn check(&self, action: RequiredAction) -> Result<(), ActivationError> {
        if self.done(action) {
            return Err(ActivationError::AlreadyDone);
        }
        match self.required().first() {
            Some(expected) if *expected != action => Err(ActivationError::OutOfOrder { expected: *expected }),
            _ => Ok(()),
        }
    }

    pub fn is_complete(&self) -> bool {
        self.required().is_empty()
    }
}

/// Questions an account holder answers at activation, for self-service reset (R-L7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecurityQuestion {
    FirstSchool,
    ChildhoodStreet,
    FirstPet,
    MothersMaidenName,
    FavouriteTeacher,
    FirstConcert,
}

impl SecurityQuestion {
    pub const ALL: [SecurityQuestion; 6] = [
        Self::FirstSchool,
        Self::ChildhoodStreet,
        Self::FirstPet,
        Self::MothersMaidenName,
        Self::FavouriteTeacher,
        Self::FirstConcert,
    ];
    /// How many distinct questions an account answers.
    pub const REQUIRED: usize = 2;

    pub fn code(self) -> &'static str {
        match self {
            Self::FirstSchool => "first_school",
            Self::ChildhoodStreet => "childhood_street",
            Self::FirstPet => "first_pet",
            Self::MothersMaidenName => "mothers_maiden_name",
            Self::FavouriteTeacher => "favourite_teacher",
            Self::FirstConcert => "first_concert",
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            Self::FirstSchool => "What was the name of your first school?",
            Self::ChildhoodStreet => "What was the name of the street you grew up on?",
            Self::FirstPet => "What was the name of your first pet?",
            Self::MothersMaidenName => "What is your mother's maiden name?",
            Self::FavouriteTeacher => "What was the surname of your favourite teacher?",
            Self::FirstConcert => "Who did you see at the first concert you went to?",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|q| q.code() == code)
    }
}

/// An answer, normalised (case, spaces) so it matches however it is typed later. `Debug` is
/// redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct SecurityAnswer(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecurityAnswerError {
    #[error("An answer must be at least 3 characters.")]
    TooShort,
    #[error("An answer must be at most 100 characters.")]
    TooLong,
}

crate::violation!(SecurityAnswerError {
    TooShort => (AnswerTooShort, Some("R-L1")),
    TooLong => (AnswerTooLong, Some("R-L1")),
});

impl SecurityAnswer {
    pub fn parse(input: &str) -> Result<Self, SecurityAnswerError> {
        // NFC, so an answer typed with a combining accent matches the same answer typed with a
        // precomposed one.
        let normalised = unicode_normalization::UnicodeNormalization::nfc(
            crate::text::collapse_whitespace(input).to_lowercase().as_str(),
        )
        .collect::<String>();
        match normalised.chars().count() {
            0..=2 => Err(SecurityAnswerError::TooShort),
            101.. => Err(SecurityAnswerError::TooLong),
            _ => Ok(Self(normalised)),
        }
    }

    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecurityAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecurityAnswer(<redacted>)")
    }
}

/// R-L3: a password older than `max_age` must be changed at the next sign-in.
pub fn password_expired(changed_at: DateTime<Utc>, max_age: Duration, now: DateTime<Utc>) -> bool {
    now >= changed_at + max_age
}

/// What a session's tokens may do (R-L1, R-L3, R-L7): only a new account's required actions,
/// only a password change, or everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionScope {
    Activation,
    PasswordChange,
    Full,
}

impl SessionScope {
    pub const ALL: [SessionScope; 3] = [Self::Activation, Self::PasswordChange, Self::Full];

    pub fn code(self) -> &'static str {
        match self {
            Self::Activation => "activation",
            Self::PasswordChange => "password_change",
            Self::Full => "full",
        }
    }

    /// `None` for a value this version does not know: such a session grants nothing.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The scope a sign-in gets: a pending account only activates (R-L1); a temporary
    /// (helpdesk-reset) or expired password must be changed first (R-L3, R-L7).
    pub fn at_sign_in(status: AccountStatus, password_is_temporary: bool, password_expired: bool) -> Self {
        if status == AccountStatus::PendingActivation {
            Self::Activation
        } else if password_is_temporary || password_expired {
            Self::PasswordChange
        } else {
            Self::Full
        }
    }

    /// What must be done before anything else, in order.
    pub fn required_actions(self, activation: &ActivationProgress) -> Vec<RequiredAction> {
        match self {
            Self::Activation => activation.required(),
            Self::PasswordChange => vec![RequiredAction::ChangePassword],
            Self::Full => Vec::new(),
        }
    }
}

/// Why a session's scope does not allow something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("Complete the account's activation first: see `required_actions`.")]
    ActivationRequired,
    #[error("Change the password first.")]
    PasswordChangeRequired,
    #[error("This is only for accounts being activated.")]
    AlreadyActivated,
}

crate::violation!(ScopeError {
    ActivationRequired => (ActivationRequired, Some("R-L1")),
    PasswordChangeRequired => (PasswordChangeRequired, Some("R-L1")),
    AlreadyActivated => (AlreadyActivated, Some("R-L1")),
});

impl SessionScope {
    /// R-L1: refuses unless this scope is one of `allowed`, naming what must come first.
    pub fn allows(self, allowed: &[SessionScope]) -> Result<(), ScopeError> {
        if allowed.contains(&self) {
            return Ok(());
        }
        Err(match self {
            Self::Activation => ScopeError::ActivationRequired,
            Self::PasswordChange => ScopeError::PasswordChangeRequired,
            Self::Full => ScopeError::AlreadyActivated,
        })
    }
}

/// Why a self-service password reset can no longer be finished (R-L7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResetError {
    #[error("This reset has expired or was used; start a new one.")]
    Spent,
    #[error("The code or the answer is not right.")]
    Incorrect,
}

crate::violation!(ResetError {
    Spent => (ResetExpired, Some("R-L7")),
    Incorrect => (ResetCodeOrAnswerIncorrect, Some("R-L7")),
});

/// R-L7: a reset works once, until it expires, and for at most [`ResetCode::ATTEMPTS`] wrong
/// tries.
pub fn check_reset_usable(
    used: bool,
    expires_at: DateTime<Utc>,
    failed_attempts: i32,
    now: DateTime<Utc>,
) -> Result<(), ResetError> {
    if used || expires_at <= now || failed_attempts >= ResetCode::ATTEMPTS { Err(ResetError::Spent) } else { Ok(()) }
}

/// A password reset code sent by SMS (R-L7): 8 digits. `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct ResetCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("A reset code is the 8 digits sent to your mobile.")]
pub struct ResetCodeError;

impl crate::Violation for ResetCodeError {
    fn code(&self) -> crate::ProblemCode {
        crate::ProblemCode::ResetCodeInvalid
    }
    fn rule(&self) -> Option<&'static str> {
        Some("R-L7")
    }
}

impl ResetCode {
    /// R-L7: failed code or answer attempts before a reset is spent.
    pub const ATTEMPTS: i32 = 5;
    pub const ENTROPY_BYTES: usize = 8;

    /// From random bytes the caller took from a CSPRNG.
    pub fn from_entropy(bytes: [u8; Self::ENTROPY_BYTES]) -> Self {
        Self(format!("{:08}", u64::from_be_bytes(bytes) % 100_000_000))
    }

    /// Accepts the digits with any spaces or hyphens.
    pub fn parse(input: &str) -> Result<Self, ResetCodeError> {
        let digits: String = input.chars().filter(|c| *c != ' ' && *c != '-').collect();
        if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(ResetCodeError)
        }
    }

    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ResetCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetCode(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Violation;
    use chrono::TimeZone;

    #[test]
    fn r_l1_r_l3_r_l7_the_scope_of_a_sign_in_follows_the_account() {
        use SessionScope::*;
        assert_eq!(SessionScope::at_sign_in(AccountStatus::PendingActivation, true, false), Activation);
        assert_eq!(SessionScope::at_sign_in(AccountStatus::Active, true, false), PasswordChange);
        assert_eq!(SessionScope::at_sign_in(AccountStatus::Active, false, true), PasswordChange);
        assert_eq!(SessionScope::at_sign_in(AccountStatus::Inactive, false, false), Full);
        assert_eq!(Full.allows(&[Full]), Ok(()));
        assert_eq!(Activation.allows(&[Full]), Err(ScopeError::ActivationRequired));
        assert_eq!(PasswordChange.allows(&[Full]), Err(ScopeError::PasswordChangeRequired));
        assert_eq!(Full.allows(&[Activation]), Err(ScopeError::AlreadyActivated));
        for scope in SessionScope::ALL {
            assert_eq!(SessionScope::parse(scope.code()), Some(scope));
        }
        assert_eq!(SessionScope::parse("admin"), None);
        assert_eq!(PasswordChange.required_actions(&ActivationProgress::default()), [RequiredAction::ChangePassword]);
    }

    #[test]
    fn r_l7_a_reset_works_once_until_it_expires_within_its_attempts() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, 0).unwrap();
        let later = now + Duration::minutes(10);
        assert_eq!(check_reset_usable(false, later, 0, now), Ok(()));
        assert_eq!(check_reset_usable(true, later, 0, now), Err(ResetError::Spent));
        assert_eq!(check_reset_usable(false, now, 0, now), Err(ResetError::Spent));
        assert_eq!(check_reset_usable(false, later, ResetCode::ATTEMPTS, now), Err(ResetError::Spent));
        assert_eq!(check_reset_usable(false, later, ResetCode::ATTEMPTS - 1, now), Ok(()));
    }

    #[test]
    fn account_statuses_decide_sign_in_listing_and_enabling() {
        for status in AccountStatus::ALL {
            assert_eq!(AccountStatus::parse(status.code()), Some(status));
        }
        assert_eq!(AccountStatus::parse("deleted"), None);
        assert!(!AccountStatus::Disabled.can_sign_in());
        assert!(AccountStatus::PendingActivation.can_sign_in() && AccountStatus::Active.can_sign_in());
        assert!(!AccountStatus::Inactive.can_sign_in(), "R-L4: not until the helpdesk reactivates it");
        assert!(AccountStatus::Inactive.checks_password() && !AccountStatus::Disabled.checks_password());
        assert!(!AccountStatus::PendingActivation.is_activated() && !AccountStatus::Disabled.is_activated());
        let done = ActivationProgress {
            password_changed: true,
            security_questions_set: true,
            acceptable_use_accepted: true,
            directory_visibility_chosen: true,
        };
        assert_eq!(AccountStatus::on_enabling(&done), AccountStatus::Active);
        let half = ActivationProgress { acceptable_use_accepted: false, ..done };
        assert_eq!(AccountStatus::on_enabling(&half), AccountStatus::PendingActivation);
    }

    #[test]
    fn r_l1_required_actions_come_in_order() {
        let mut progress = ActivationProgress::default();
        assert_eq!(progress.required(), RequiredAction::ORDER);
        let refused = progress.check(RequiredAction::AcceptAcceptableUsePolicy).unwrap_err();
        assert_eq!(refused, ActivationError::OutOfOrder { expected: RequiredAction::ChangePassword });
        assert_eq!(refused.rule(), Some("R-L1"));
        assert!(progress.check(RequiredAction::ChangePassword).is_ok());
        progress.password_changed = true;
        assert_eq!(progress.check(RequiredAction::ChangePassword), Err(ActivationError::AlreadyDone));
        assert!(progress.check(RequiredAction::ChooseDirectoryVisibility).is_err());
        progress.security_questions_set = true;
        progress.acceptable_use_accepted = true;
        assert_eq!(progress.required(), [RequiredAction::ChooseDirectoryVisibility]);
        progress.directory_visibility_chosen = true;
        assert!(progress.is_complete());
    }

    #[test]
    fn r_l7_answers_are_normalised_and_checked() {
        assert_eq!(SecurityAnswer::parse("  St  Mary's  ").unwrap(), SecurityAnswer::parse("st mary's").unwrap());
        assert_eq!(SecurityAnswer::parse("ab"), Err(SecurityAnswerError::TooShort));
        assert_eq!(SecurityAnswer::parse(&"a".repeat(101)), Err(SecurityAnswerError::TooLong));
        assert!(!format!("{:?}", SecurityAnswer::parse("secret answer").unwrap()).contains("secret"));
        assert_eq!(SecurityQuestion::parse("first_pet"), Some(SecurityQuestion::FirstPet));
        assert_eq!(SecurityQuestion::parse("favourite_colour"), None);
    }

    #[test]
    fn r_l3_passwords_expire_after_their_maximum_age() {
        let changed = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert!(!password_expired(changed, Duration::days(90), changed + Duration::days(89)));
        assert!(password_expired(changed, Duration::days(90), changed + Duration::days(90)));
    }

    #[test]
    fn r_l7_reset_codes_are_eight_digits_read_back_forgivingly() {
        let code = ResetCode::from_entropy([255; 8]);
        assert_eq!(code.expose_secret().len(), 8);
        assert_eq!(ResetCode::parse("1234 5678").unwrap().expose_secret(), "12345678");
        assert_eq!(ResetCode::parse("1234-567"), Err(ResetCodeError));
        assert_eq!(ResetCode::parse("abcdefgh"), Err(ResetCodeError));
        assert!(!format!("{code:?}").contains(code.expose_secret()));
    }
}

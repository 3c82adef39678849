//! Where an application stands in the registration journey, what it still needs before it can
//! be submitted (R-S1) and which actions are open now (R-S3 and the order of §2). Front ends
//! render any step from this alone; they never re-derive it.
//!
//! Why this file is long: the journey rules (under 300 lines) and the tests that name each rule
//! live together.

use crate::roster::{RosterCounts, RosterError};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplicationStatus {
    /// Being filled in by the applicant.
    Draft,
    /// Submitted; read-only for the applicant (R-S3), awaiting review.
    Submitted,
    Approved,
    Rejected,
    /// Not submitted within the inactivity period; personal data removed.
    Expired,
    /// Abandoned by the applicant; personal data removed.
    Withdrawn,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 6] =
        [Self::Draft, Self::Submitted, Self::Approved, Self::Rejected, Self::Expired, Self::Withdrawn];

    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Only drafts can be changed by the applicant (R-S3).
    pub fn is_editable(self) -> bool {
        self == Self::Draft
    }

    /// An application that still holds its practice (R-P5): in progress, or registered it.
    pub fn holds_practice(self) -> bool {
        matches!(self, Self::Draft | Self::Submitted | Self::Approved)
    }
}

/// R-S2: a submission retried with the key of the one that submitted the application is a
/// replay, answered with the original receipt; any other request to a submitted application is
/// refused as read-only (R-S3).
pub fn is_submission_replay(submitted: bool, stored_key: Option<&str>, given_key: Option<&str>) -> bool {
    submitted && given_key.is_some() && stored_key == given_key
}

/// How often reading a draft counts as activity that keeps it alive: an applicant waiting for a
/// posted passcode who checks the application now and then does not lose it, and reads do not
/// each cost a write.
pub const READ_ACTIVITY_INTERVAL: chrono::Duration = chrono::Duration::hours(1);

/// Whether reading a draft now should count as activity (see [`READ_ACTIVITY_INTERVAL`]).
pub fn reading_counts_as_activity(
    last_activity: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    now - last_activity > READ_ACTIVITY_INTERVAL
}

/// R-V1: what a status means for the applicant and what comes next, in words a front end can show
/// as they are. `reason` is the decision's, for a rejection.
pub fn status_detail(status: ApplicationStatus, reason: Option<&str>, support: &str) -> String {
    match status {
        ApplicationStatus::Draft => {
            "In progress: `missing` lists what is still needed and `allowed_actions` what can be done now.".to_owned()
        }
        ApplicationStatus::Submitted => "Submitted and waiting for the helpdesk to review it. Once it is approved, each member receives an email with their username and a text message with a temporary password.".to_owned(),
        ApplicationStatus::Approved => "Approved: the shared mailbox has been created and each member has been sent an email with their username and a text message with a temporary password. Each member signs in with them to activate their account.".to_owned(),
        ApplicationStatus::Rejected => format!(
            "Rejected: {} For help, contact {support}.",
            reason.unwrap_or("no reason was recorded.")
        ),
        ApplicationStatus::Expired => format!(
            "Expired: it was not submitted in time, and the members' details have been deleted. Start a new application; for help contact {support}."
        ),
        ApplicationStatus::Withdrawn => "Withdrawn: the members' details have been deleted. A new application can be started at any time.".to_owned(),
    }
}

/// Route A: the practice is in the service's register. Route B: it is not, and the CQC
/// directory identifies it (R-P2, R-P3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    A,
    B,
}

impl Route {
    pub fn code(self) -> &'static str {
        match self {
            Self::A => "a",
            Self::B => "b",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "a" => Some(Self::A),
            "b" => Some(Self::B),
            _ => None,
        }
    }
}

/// The facts about an application that decide what comes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub status: ApplicationStatus,
    pub route: Option<Route>,
    pub authenticated: bool,
    pub cqc_details_confirmed: bool,
    pub town_chosen: bool,
    pub roster: RosterCounts,
    /// What stops the roster from being submitted (R-R1, R-R2).
    pub roster_problems: Vec<RosterError>,
}

/// Something an application lacks before it can be submitted (R-S1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    IdentifyPractice,
    AuthenticatePractice,
    ConfirmCqcDetails,
    ChooseTown,
    Roster(RosterError),
    ConfirmDataCorrect,
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IdentifyPractice => f.write_str("Identify the practice by its postcode."),
            Self::AuthenticatePractice => f.write_str(
                "Prove you act for the practice with its CQC location ID and a one-time passcode or CQC contact ID.",
            ),
            Self::ConfirmCqcDetails => {
                f.write_str("Confirm that the CQC registration details shown are your practice's.")
            }
            Self::ChooseTown => f.write_str("Select or enter the town for the shared mailbox name."),
            Self::Roster(error) => error.fmt(f),
            Self::ConfirmDataCorrect => {
                f.write_str("Confirm that all the data entered is correct to the best of your knowledge.")
            }
        }
    }
}

impl crate::Violation for Requirement {
    fn code(&self) -> crate::ProblemCode {
        match self {
            Self::IdentifyPractice => crate::ProblemCode::PracticeNotIdentified,
            Self::AuthenticatePractice => crate::ProblemCode::PracticeNotAuthenticated,
            Self::ConfirmCqcDetails => crate::ProblemCode::CqcDetailsNotConfirmed,
            Self::ChooseTown => crate::ProblemCode::TownRequired,
            Self::Roster(error) => error.code(),
            Self::ConfirmDataCorrect => crate::ProblemCode::ConfirmationRequired,
        }
    }

    fn rule(&self) -> Option<&'static str> {
        match self {
            Self::ConfirmCqcDetails => Some("R-P3"),
            Self::ChooseTown => Some("R-T1"),
            Self::Roster(error) => error.rule(),
            Self::IdentifyPractice | Self::AuthenticatePractice | Self::ConfirmDataCorrect => Some("R-S1"),
        }
    }
}

/// What the applicant can do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    IdentifyPractice,
    RequestPasscode,
    Verify,
    ConfirmCqcDetails,
    SetTown,
    AddMember,
    EditMember,
    RemoveMember,
    Submit,
    Withdraw,
}

impl Action {
    /// Every action, in journey order.
    pub const ALL: [Action; 10] = [
        Self::IdentifyPractice,
        Self::RequestPasscode,
        Self::Verify,
        Self::ConfirmCqcDetails,
        Self::SetTown,
        Self::AddMember,
        Self::EditMember,
        Self::RemoveMember,
        Self::Submit,
        Self::Withdraw,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::IdentifyPractice => "identify_practice",
            Self::RequestPasscode => "request_passcode",
            Self::Verify => "verify",
            Self::ConfirmCqcDetails => "confirm_cqc_details",
            Self::SetTown => "set_town",
            Self::AddMember => "add_member",
            Self::EditMember => "edit_member",
            Self::RemoveMember => "remove_member",
            Self::Submit => "submit",
            Self::Withdraw => "withdraw",
        }
    }
}

/// Why an action is refused now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("This application has been submitted and can no longer be changed.")]
    ReadOnly,
    #[error("This application is no longer in progress.")]
    Closed,
    #[error("Identify the practice first.")]
    PracticeNotIdentified,
    #[error("The practice has already been verified; it can no longer be changed or verified again.")]
    AlreadyAuthenticated,
    #[error("Prove you act for the practice before adding its town and members.")]
    NotAuthenticated,
    #[error("Only practices found through the CQC directory (route B) have CQC details to confirm.")]
    NotRouteB,
    #[error("A practice can register at most 10 members.")]
    RosterFull,
    #[error("There are no members yet.")]
    NoMembers,
    #[error("The only member is the shared mailbox owner, who cannot be removed; add another owner first.")]
    OnlyOwnerLeft,
    #[error("The application is not complete yet: `errors` lists everything still missing.")]
    Incomplete,
}

crate::violation!(ActionError {
    ReadOnly => (ApplicationReadOnly, Some("R-S3")),
    Closed => (ApplicationClosed, None),
    PracticeNotIdentified => (PracticeNotIdentified, Some("R-P2")),
    AlreadyAuthenticated => (AlreadyAuthenticated, None),
    NotAuthenticated => (PracticeNotAuthenticated, Some("R-S1")),
    NotRouteB => (NotRouteB, Some("R-P3")),
    RosterFull => (RosterFull, Some("R-R1")),
    NoMembers => (NoMembers, Some("R-R8")),
    OnlyOwnerLeft => (OnlyOwner, Some("R-R8")),
    Incomplete => (ApplicationIncomplete, Some("R-S1")),
});

impl Progress {
    /// Whether `action` is open now, and why not.
    pub fn check(&self, action: Action) -> Result<(), ActionError> {
        match self.status {
            ApplicationStatus::Draft => {}
            ApplicationStatus::Submitted | ApplicationStatus::Approved | ApplicationStatus::Rejected => {
                return Err(ActionError::ReadOnly);
            }
            ApplicationStatus::Expired | ApplicationStatus::Withdrawn => return Err(ActionError::Closed),
        }
        match action {
            Action::Withdraw => Ok(()),
            Action::IdentifyPractice if self.authenticated => Err(ActionError::AlreadyAuthenticated),
            Action::IdentifyPractice => Ok(()),
            Action::RequestPasscode | Action::Verify if self.route.is_none() => Err(ActionError::PracticeNotIdentified),
            Action::RequestPasscode | Action::Verify if self.authenticated => Err(ActionError::AlreadyAuthenticated),
            Action::RequestPasscode | Action::Verify => Ok(()),
            Action::ConfirmCqcDetails if self.route != Some(Route::B) => Err(ActionError::NotRouteB),
            Action::ConfirmCqcDetails => Ok(()),
            Action::SetTown | Action::AddMember | Action::EditMember | Action::RemoveMember | Action::Submit
                if !self.authenticated =>
            {
                Err(ActionError::NotAuthenticated)
            }
            Action::AddMember if self.roster.remaining() == 0 => Err(ActionError::RosterFull),
            Action::EditMember | Action::RemoveMember if self.roster.specified == 0 => Err(ActionError::NoMembers),
            // R-R8: only members other than the only owner can be removed.
            Action::RemoveMember if self.roster.specified == self.roster.owners && self.roster.owners < 2 => {
                Err(ActionError::OnlyOwnerLeft)
            }
            Action::Submit if !self.missing().is_empty() => Err(ActionError::Incomplete),
            Action::SetTown | Action::AddMember | Action::EditMember | Action::RemoveMember | Action::Submit => Ok(()),
        }
    }

    /// Every action open now, in journey order: exactly those [`Self::check`] accepts, so what
    /// the application offers and what the service accepts never disagree.
    pub fn allowed_actions(&self) -> Vec<Action> {
        Action::ALL.into_iter().filter(|action| self.check(*action).is_ok()).collect()
    }

    /// What the application lacks before it can be submitted (R-S1), except the applicant's
    /// confirmation, which comes with the submission itself. Empty once complete.
    pub fn missing(&self) -> Vec<Requirement> {
        let mut missing = Vec::new();
        if self.route.is_none() {
            missing.push(Requirement::IdentifyPractice);
        }
        if !self.authenticated {
            missing.push(Requirement::AuthenticatePractice);
        }
        if self.route == Some(Route::B) && !self.cqc_details_confirmed {
            missing.push(Requirement::ConfirmCqcDetails);
        }
        if !self.town_chosen {
            missing.push(Requirement::ChooseTown);
        }
        missing.extend(self.roster_problems.iter().cloned().map(Requirement::Roster));
        missing
    }

    /// Everything that stops a submission (R-S1), all at once.
    pub fn submission_problems(&self, data_confirmed: bool) -> Vec<Requirement> {
        let mut problems = self.missing();
        if !data_confirmed {
            problems.push(Requirement::ConfirmDataCorrect);
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_v1_each_status_says_what_happened_and_what_next() {
        let rejected = status_detail(ApplicationStatus::Rejected, Some("IG level 1 is not enough."), "the helpdesk");
        assert!(rejected.starts_with("Rejected: IG level 1 is not enough.") && rejected.contains("the helpdesk"));
        assert!(status_detail(ApplicationStatus::Submitted, None, "x").contains("waiting for the helpdesk"));
        assert!(status_detail(ApplicationStatus::Approved, None, "x").starts_with("Approved"));
        let all: std::collections::HashSet<_> =
            ApplicationStatus::ALL.into_iter().map(|s| status_detail(s, None, "x")).collect();
        assert_eq!(all.len(), ApplicationStatus::ALL.len(), "every status says something of its own");
    }

    #[test]
    fn r_s2_only_the_same_key_replays_a_submission() {
        assert!(is_submission_replay(true, Some("k1"), Some("k1")));
        assert!(!is_submission_replay(true, Some("k1"), Some("k2")));
        assert!(!is_submission_replay(true, None, None), "no key, no replay");
        assert!(!is_submission_replay(false, Some("k1"), Some("k1")), "nothing submitted yet");
    }
    use crate::Violation;

    fn draft() -> Progress {
        Progress {
            status: ApplicationStatus::Draft,
            route: None,
            authenticated: false,
            cqc_details_confirmed: false,
            town_chosen: false,
            roster: RosterCounts { specified: 0, owners: 0 },
            roster_problems: vec![RosterError::TooFewMembers { specified: 0 }],
        }
    }

    fn complete(route: Route) -> Progress {
        Progress {
            route: Some(route),
            authenticated: true,
            cqc_details_confirmed: route == Route::B,
            town_chosen: true,
            roster: RosterCounts { specified: 2, owners: 1 },
            roster_problems: Vec::new(),
            ..draft()
        }
    }

    #[test]
    fn r_s1_a_new_application_lists_every_missing_part() {
        let problems = draft().submission_problems(false);
        let codes: Vec<_> = problems.iter().map(|p| p.code().as_str()).collect();
        assert_eq!(
            codes,
            [
                "practice_not_identified",
                "practice_not_authenticated",
                "town_required",
                "roster_too_small",
                "confirmation_required"
            ]
        );
        assert_eq!(problems[0].rule(), Some("R-S1"));
    }

    #[test]
    fn r_s1_r_p3_route_b_also_needs_the_cqc_details_confirmed() {
        let progress = Progress { cqc_details_confirmed: false, ..complete(Route::B) };
        assert_eq!(progress.submission_problems(true), [Requirement::ConfirmCqcDetails]);
        assert_eq!(Requirement::ConfirmCqcDetails.rule(), Some("R-P3"));
        assert!(complete(Route::B).submission_problems(true).is_empty());
        assert!(complete(Route::A).submission_problems(true).is_empty());
    }

    #[test]
    fn r_s1_a_complete_application_still_needs_the_confirmation() {
        assert_eq!(complete(Route::A).submission_problems(false), [Requirement::ConfirmDataCorrect]);
        assert!(complete(Route::A).missing().is_empty());
    }

    #[test]
    fn the_journey_opens_steps_in_order() {
        let codes = |p: Progress| p.allowed_actions().into_iter().map(Action::code).collect::<Vec<_>>();
        assert_eq!(codes(draft()), ["identify_practice", "withdraw"]);
        let identified = Progress { route: Some(Route::B), ..draft() };
        assert_eq!(
            codes(identified.clone()),
            ["identify_practice", "request_passcode", "verify", "confirm_cqc_details", "withdraw"]
        );
        let verified = Progress { authenticated: true, ..identified };
        assert_eq!(codes(verified.clone()), ["confirm_cqc_details", "set_town", "add_member", "withdraw"]);
        assert_eq!(verified.check(Action::Submit), Err(ActionError::Incomplete), "R-S1: not offered while incomplete");
        assert_eq!(verified.check(Action::EditMember), Err(ActionError::NoMembers));
        let owner_only = Progress { roster: RosterCounts { specified: 1, owners: 1 }, ..verified.clone() };
        assert_eq!(owner_only.check(Action::RemoveMember), Err(ActionError::OnlyOwnerLeft), "R-R8");
        assert_eq!(owner_only.check(Action::EditMember), Ok(()));
        assert_eq!(
            codes(complete(Route::A)),
            ["set_town", "add_member", "edit_member", "remove_member", "submit", "withdraw"]
        );
        let full = Progress { roster: RosterCounts { specified: 10, owners: 1 }, ..complete(Route::A) };
        assert_eq!(full.check(Action::AddMember), Err(ActionError::RosterFull));
        assert!(!full.allowed_actions().contains(&Action::AddMember));
    }

    #[test]
    fn members_and_town_need_an_authenticated_practice() {
        let identified = Progress { route: Some(Route::A), ..draft() };
        assert_eq!(identified.check(Action::AddMember), Err(ActionError::NotAuthenticated));
        let identified = &identified;
        assert_eq!(identified.check(Action::SetTown), Err(ActionError::NotAuthenticated));
        assert_eq!(draft().check(Action::Verify), Err(ActionError::PracticeNotIdentified));
        let verified = Progress { authenticated: true, ..identified.clone() };
        assert_eq!(verified.check(Action::IdentifyPractice), Err(ActionError::AlreadyAuthenticated));
        assert_eq!(verified.check(Action::Verify), Err(ActionError::AlreadyAuthenticated));
        assert_eq!(verified.check(Action::ConfirmCqcDetails), Err(ActionError::NotRouteB));
    }

    #[test]
    fn r_s3_after_submission_nothing_can_change() {
        for status in [ApplicationStatus::Submitted, ApplicationStatus::Approved, ApplicationStatus::Rejected] {
            let progress = Progress { status, ..complete(Route::A) };
            assert!(progress.allowed_actions().is_empty());
            let refused = progress.check(Action::AddMember).unwrap_err();
            assert_eq!(refused, ActionError::ReadOnly);
            assert_eq!(refused.rule(), Some("R-S3"));
        }
        let expired = Progress { status: ApplicationStatus::Expired, ..complete(Route::A) };
        assert_eq!(expired.check(Action::Submit), Err(ActionError::Closed));
    }

    #[test]
    fn r_p5_statuses_that_hold_a_practice() {
        let holding: Vec<_> = ApplicationStatus::ALL.into_iter().filter(|s| s.holds_practice()).collect();
        assert_eq!(holding, [ApplicationStatus::Draft, ApplicationStatus::Submitted, ApplicationStatus::Approved]);
        for status in ApplicationStatus::ALL {
            assert_eq!(ApplicationStatus::parse(status.code()), Some(status));
        }
    }
}

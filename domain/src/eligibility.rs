//! The pre-requisite questionnaire and its outcome (R-Q1–R-Q5, R-E1, R-E2).
//!
//! The outcome is complete and machine-readable: whether the applicant may go on, why not, which
//! ways of proving the practice's identity are open and what to do next. Front ends render it;
//! they never re-derive it.

use crate::journey::{ApplicationStatus, Progress, Route};
use crate::passcode::PasscodeChannel;
use std::fmt;

/// The five answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Questionnaire {
    /// R-Q1: does the applicant already have an NHSmail account?
    pub has_nhsmail_account: bool,
    /// R-Q2: has the practice submitted a valid IG Toolkit return (level 2) or DSPT?
    pub ig_return_submitted: bool,
    /// R-Q3: received a one-time passcode by email or letter in the last 2 weeks?
    pub recent_passcode_received: bool,
    /// R-Q4: does the applicant know the practice's CQC contact ID?
    pub knows_cqc_contact_id: bool,
    /// R-Q5: how any passcode requested later should be sent.
    pub passcode_channel: PasscodeChannel,
}

/// Why an applicant cannot go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ineligibility {
    /// R-E1: people with NHSmail must not register again.
    AlreadyHasNhsmailAccount,
    /// R-E2: the practice must meet IG Toolkit level 2 or DSPT.
    IgRequirementNotMet,
}

crate::violation!(Ineligibility {
    AlreadyHasNhsmailAccount => (AlreadyHasNhsmailAccount, Some("R-E1")),
    IgRequirementNotMet => (IgRequirementNotMet, Some("R-E2")),
});

impl fmt::Display for Ineligibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::AlreadyHasNhsmailAccount => {
                "You already have an NHSmail account, so you must not register: a duplicate account \
                 confuses colleagues. Ask a colleague at the practice who does not have an NHSmail \
                 account to apply. Once the shared mailbox exists, its owner can link your existing \
                 account to it."
            }
            Self::IgRequirementNotMet => {
                "A practice must have achieved at least level 2 of the Information Governance Toolkit \
                 (version 14.1) or be accredited under the Data Security and Protection Toolkit \
                 before it can apply. Complete that return first, then apply."
            }
        })
    }
}

/// Ways of proving the applicant acts for the practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// CQC location id plus the practice's CQC contact id (route A only).
    CqcContactId,
    /// CQC location id plus a one-time passcode.
    Passcode,
}

impl AuthMethod {
    pub fn code(self) -> &'static str {
        match self {
            Self::CqcContactId => "cqc_contact_id",
            Self::Passcode => "passcode",
        }
    }
}

/// What the applicant can do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NextStep {
    /// Give the practice postcode to find it (route A) or describe it (route B).
    IdentifyPractice,
    /// Enter the passcode already received (R-Q3).
    EnterPasscode,
    /// Ask for a passcode by the chosen channel, once the practice is identified (R-Q5).
    RequestPasscode,
    /// Enter the CQC contact id (R-Q4).
    EnterCqcContactId,
    /// R-E1: a colleague without an account should apply instead.
    AskColleagueToApply,
    /// R-E2: meet the IG requirement first.
    MeetIgRequirement,
}

impl NextStep {
    pub fn code(self) -> &'static str {
        match self {
            Self::IdentifyPractice => "identify_practice",
            Self::EnterPasscode => "enter_passcode",
            Self::RequestPasscode => "request_passcode",
            Self::EnterCqcContactId => "enter_cqc_contact_id",
            Self::AskColleagueToApply => "ask_colleague_to_apply",
            Self::MeetIgRequirement => "meet_ig_requirement",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EligibilityOutcome {
    pub eligible: bool,
    pub reasons: Vec<Ineligibility>,
    /// Ways to authenticate the practice; empty when not eligible.
    pub authentication_methods: Vec<AuthMethod>,
    /// Channel for any passcode requested later (R-Q5).
    pub passcode_channel: PasscodeChannel,
    pub next_steps: Vec<NextStep>,
}

/// Assesses the questionnaire (R-Q1–R-Q5, R-E1, R-E2).
pub fn assess(answers: &Questionnaire) -> EligibilityOutcome {
    let mut reasons = Vec::new();
    if answers.has_nhsmail_account {
        reasons.push(Ineligibility::AlreadyHasNhsmailAccount);
    }
    if !answers.ig_return_submitted {
        reasons.push(Ineligibility::IgRequirementNotMet);
    }
    let eligible = reasons.is_empty();

    let mut methods = Vec::new();
    let mut next_steps = Vec::new();
    if eligible {
        next_steps.push(NextStep::IdentifyPractice);
        if answers.knows_cqc_contact_id {
            methods.push(AuthMethod::CqcContactId);
            next_steps.push(NextStep::EnterCqcContactId);
        }
        if !answers.knows_cqc_contact_id || answers.recent_passcode_received {
            methods.push(AuthMethod::Passcode);
        }
        if answers.recent_passcode_received {
            next_steps.push(NextStep::EnterPasscode);
        } else if !answers.knows_cqc_contact_id {
            next_steps.push(NextStep::RequestPasscode);
        }
    } else {
        for reason in &reasons {
            next_steps.push(match reason {
                Ineligibility::AlreadyHasNhsmailAccount => NextStep::AskColleagueToApply,
                Ineligibility::IgRequirementNotMet => NextStep::MeetIgRequirement,
            });
        }
    }
    EligibilityOutcome {
        eligible,
        reasons,
        authentication_methods: methods,
        passcode_channel: answers.passcode_channel,
        next_steps,
    }
}

/// Methods the service accepts once the practice is known (R-P2, R-P3, R-Q4), the
/// questionnaire's preference first: a passcode always; the CQC contact id only on route A and
/// only when the register holds one for the practice (route B practices never have one).
pub fn methods_for_practice(outcome: &EligibilityOutcome, route: Route, contact_id_on_record: bool) -> Vec<AuthMethod> {
    if !outcome.eligible {
        return Vec::new();
    }
    let contact_id = route == Route::A && contact_id_on_record;
    let prefers_contact_id = outcome.authentication_methods.first() == Some(&AuthMethod::CqcContactId);
    match (contact_id, prefers_contact_id) {
        (false, _) => vec![AuthMethod::Passcode],
        (true, true) => vec![AuthMethod::CqcContactId, AuthMethod::Passcode],
        (true, false) => vec![AuthMethod::Passcode, AuthMethod::CqcContactId],
    }
}

/// What the applicant does next, from where the application stands: identify the practice,
/// then prove they act for it by one of `methods` (entering a passcode first when one arrived
/// recently, R-Q3); after that the open actions and what is missing guide them, so there is no
/// next step here. Nothing once the application is no longer a draft.
pub fn next_steps_for(progress: &Progress, methods: &[AuthMethod], recent_passcode: bool) -> Vec<NextStep> {
    if progress.status != ApplicationStatus::Draft {
        return Vec::new();
    }
    if progress.route.is_none() {
        return vec![NextStep::IdentifyPractice];
    }
    if progress.authenticated {
        return Vec::new();
    }
    let mut steps = Vec::new();
    for method in methods {
        match method {
            AuthMethod::CqcContactId => steps.push(NextStep::EnterCqcContactId),
            AuthMethod::Passcode if recent_passcode => {
                steps.extend([NextStep::EnterPasscode, NextStep::RequestPasscode])
            }
            AuthMethod::Passcode => steps.extend([NextStep::RequestPasscode, NextStep::EnterPasscode]),
        }
    }
    steps
}

/// Why a practice cannot be verified with its CQC contact id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactIdUnavailable {
    #[error(
        "The service holds no CQC contact ID for this practice, so it can only be verified with a one-time passcode."
    )]
    NotOnRecord,
}

crate::violation!(ContactIdUnavailable {
    NotOnRecord => (ContactIdNotAvailable, Some("R-P3")),
});

/// R-P3, R-Q4: verifying with the contact id needs one on record (route A practices only).
pub fn check_contact_id_available(contact_id_on_record: bool) -> Result<(), ContactIdUnavailable> {
    if contact_id_on_record { Ok(()) } else { Err(ContactIdUnavailable::NotOnRecord) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers() -> Questionnaire {
        Questionnaire {
            has_nhsmail_account: false,
            ig_return_submitted: true,
            recent_passcode_received: false,
            knows_cqc_contact_id: false,
            passcode_channel: PasscodeChannel::Post,
        }
    }

    #[test]
    fn r_q4_not_knowing_the_contact_id_offers_a_passcode_by_the_chosen_channel() {
        let outcome = assess(&answers());
        assert!(outcome.eligible);
        assert!(outcome.reasons.is_empty());
        assert_eq!(outcome.authentication_methods, [AuthMethod::Passcode]);
        assert_eq!(outcome.passcode_channel, PasscodeChannel::Post);
        assert_eq!(outcome.next_steps, [NextStep::IdentifyPractice, NextStep::RequestPasscode]);
    }

    #[test]
    fn r_q4_knowing_the_contact_id_offers_it() {
        let outcome = assess(&Questionnaire {
            knows_cqc_contact_id: true,
            passcode_channel: PasscodeChannel::Email,
            ..answers()
        });
        assert_eq!(outcome.authentication_methods, [AuthMethod::CqcContactId]);
        assert_eq!(outcome.next_steps, [NextStep::IdentifyPractice, NextStep::EnterCqcContactId]);
        assert_eq!(outcome.passcode_channel, PasscodeChannel::Email);
    }

    #[test]
    fn r_q3_a_recent_passcode_can_be_used_straight_away() {
        let outcome = assess(&Questionnaire { recent_passcode_received: true, ..answers() });
        assert_eq!(outcome.authentication_methods, [AuthMethod::Passcode]);
        assert_eq!(outcome.next_steps, [NextStep::IdentifyPractice, NextStep::EnterPasscode]);
        let both = assess(&Questionnaire { recent_passcode_received: true, knows_cqc_contact_id: true, ..answers() });
        assert_eq!(both.authentication_methods, [AuthMethod::CqcContactId, AuthMethod::Passcode]);
    }

    #[test]
    fn r_q1_r_e1_an_existing_nhsmail_user_cannot_apply_and_is_told_why() {
        let outcome = assess(&Questionnaire { has_nhsmail_account: true, ..answers() });
        assert!(!outcome.eligible);
        assert_eq!(outcome.reasons, [Ineligibility::AlreadyHasNhsmailAccount]);
        assert_eq!(crate::Violation::rule(&outcome.reasons[0]), Some("R-E1"));
        assert!(outcome.authentication_methods.is_empty());
        assert_eq!(outcome.next_steps, [NextStep::AskColleagueToApply]);
        let text = outcome.reasons[0].to_string();
        assert!(text.contains("colleague") && text.contains("link"));
    }

    #[test]
    fn r_q2_r_e2_without_an_ig_return_the_practice_cannot_apply() {
        let outcome = assess(&Questionnaire { ig_return_submitted: false, ..answers() });
        assert!(!outcome.eligible);
        assert_eq!(outcome.reasons, [Ineligibility::IgRequirementNotMet]);
        assert_eq!(crate::Violation::rule(&outcome.reasons[0]), Some("R-E2"));
        assert_eq!(outcome.next_steps, [NextStep::MeetIgRequirement]);
    }

    #[test]
    fn r_e1_r_e2_every_reason_is_reported_at_once() {
        let outcome = assess(&Questionnaire { has_nhsmail_account: true, ig_return_submitted: false, ..answers() });
        assert_eq!(outcome.reasons, [Ineligibility::AlreadyHasNhsmailAccount, Ineligibility::IgRequirementNotMet]);
        assert_eq!(outcome.next_steps.len(), 2);
    }

    #[test]
    fn r_q5_r_p3_route_b_offers_only_a_passcode() {
        let outcome = assess(&Questionnaire { knows_cqc_contact_id: true, ..answers() });
        assert_eq!(methods_for_practice(&outcome, Route::B, true), [AuthMethod::Passcode]);
        assert_eq!(methods_for_practice(&outcome, Route::A, true), [AuthMethod::CqcContactId, AuthMethod::Passcode]);
        let refused = assess(&Questionnaire { has_nhsmail_account: true, ..answers() });
        assert!(methods_for_practice(&refused, Route::B, true).is_empty());
    }

    #[test]
    fn r_p3_the_contact_id_is_offered_only_when_one_is_on_record() {
        let outcome = assess(&Questionnaire { knows_cqc_contact_id: true, ..answers() });
        assert_eq!(methods_for_practice(&outcome, Route::A, false), [AuthMethod::Passcode]);
        let prefers_passcode = assess(&answers());
        assert_eq!(
            methods_for_practice(&prefers_passcode, Route::A, true),
            [AuthMethod::Passcode, AuthMethod::CqcContactId]
        );
        assert_eq!(check_contact_id_available(true), Ok(()));
        assert_eq!(check_contact_id_available(false), Err(ContactIdUnavailable::NotOnRecord));
    }

    #[test]
    fn r_q3_r_q4_next_steps_follow_the_application_not_the_questionnaire() {
        use crate::roster::RosterCounts;
        let progress = Progress {
            status: ApplicationStatus::Draft,
            route: None,
            authenticated: false,
            cqc_details_confirmed: false,
            town_chosen: false,
            roster: RosterCounts { specified: 0, owners: 0 },
            roster_problems: Vec::new(),
        };
        assert_eq!(next_steps_for(&progress, &[AuthMethod::Passcode], false), [NextStep::IdentifyPractice]);
        let identified = Progress { route: Some(Route::B), ..progress.clone() };
        assert_eq!(
            next_steps_for(&identified, &[AuthMethod::Passcode], true),
            [NextStep::EnterPasscode, NextStep::RequestPasscode]
        );
        let both = [AuthMethod::CqcContactId, AuthMethod::Passcode];
        assert_eq!(
            next_steps_for(&Progress { route: Some(Route::A), ..progress.clone() }, &both, false),
            [NextStep::EnterCqcContactId, NextStep::RequestPasscode, NextStep::EnterPasscode]
        );
        assert!(next_steps_for(&Progress { authenticated: true, ..identified }, &both, false).is_empty());
        let submitted = Progress { status: ApplicationStatus::Submitted, ..progress };
        assert!(next_steps_for(&submitted, &both, false).is_empty());
    }
}

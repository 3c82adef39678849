//! Review of a submitted application (R-V1, R-E2): the IG status of record decides. A practice
//! whose status fails is rejected with that reason; one that passes is approved automatically
//! when the service is configured so; anything else waits for the helpdesk.

use crate::ig_status::IgStatus;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewOutcome {
    Approve,
    Reject(RejectionReason),
    AwaitHelpdesk,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectionReason {
    /// R-E2: the practice does not meet IG Toolkit level 2 or DSPT (status of record given).
    IgRequirementNotMet(IgStatus),
    /// Decided by the helpdesk, in their words.
    Helpdesk(String),
}

/// The longest rejection reason the helpdesk can give (it goes into an email).
pub const MAX_REASON_CHARS: usize = 1000;

/// Why a helpdesk rejection reason is refused (R-V1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("Give the reason the applicant will be told.")]
    Missing,
    #[error("The reason must be at most {MAX_REASON_CHARS} characters.")]
    TooLong,
    #[error(transparent)]
    Hidden(#[from] crate::text::HiddenCharacter),
}

crate::violation!(ReasonError {
    Missing => (Required, Some("R-V1")),
    TooLong => (TooLong, Some("R-V1")),
    Hidden => (HiddenCharacters, None),
});

impl RejectionReason {
    /// R-V1: the helpdesk's reason, in words the applicant will read: not blank, not too long,
    /// nothing hidden (line breaks are kept).
    pub fn from_helpdesk(text: &str) -> Result<Self, ReasonError> {
        let text = crate::text::visible_text(text.trim())?;
        let text = text.as_str();
        if text.is_empty() {
            Err(ReasonError::Missing)
        } else if text.chars().count() > MAX_REASON_CHARS {
            Err(ReasonError::TooLong)
        } else {
            Ok(Self::Helpdesk(text.to_owned()))
        }
    }
}

impl fmt::Display for RejectionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IgRequirementNotMet(status) => write!(
                f,
                "The practice does not meet the minimum requirement for information governance: it must have \
                 achieved at least level 2 of the IG Toolkit or be accredited under the Data Security and \
                 Protection Toolkit, and our record shows {status}. The practice needs to reassess and meet \
                 that requirement, then apply again."
            ),
            Self::Helpdesk(reason) => f.write_str(reason),
        }
    }
}

/// R-V1. `ig_of_record` is `None` for a practice the register does not hold (route B).
pub fn review(ig_of_record: Option<&IgStatus>, auto_approve: bool) -> ReviewOutcome {
    match ig_of_record {
        Some(status) if !status.is_satisfactory() => {
            ReviewOutcome::Reject(RejectionReason::IgRequirementNotMet(*status))
        }
        Some(_) if auto_approve => ReviewOutcome::Approve,
        _ => ReviewOutcome::AwaitHelpdesk,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ig_status::{DsptStatus, IgAssessment};

    fn status(assessment: IgAssessment) -> IgStatus {
        IgStatus { assessment, assessed_on: None }
    }

    #[test]
    fn r_v1_a_satisfactory_status_is_approved_only_when_auto_approval_is_on() {
        let met = status(IgAssessment::Dspt { status: DsptStatus::StandardsMet });
        assert_eq!(review(Some(&met), true), ReviewOutcome::Approve);
        assert_eq!(review(Some(&met), false), ReviewOutcome::AwaitHelpdesk);
    }

    #[test]
    fn r_v1_r_e2_a_failing_status_is_rejected_with_the_reason() {
        let failing = status(IgAssessment::IgToolkit { level: 1 });
        let outcome = review(Some(&failing), true);
        assert_eq!(outcome, ReviewOutcome::Reject(RejectionReason::IgRequirementNotMet(failing)));
        if let ReviewOutcome::Reject(reason) = outcome {
            assert!(reason.to_string().contains("IG Toolkit level 1"));
        }
        assert!(matches!(review(Some(&failing), false), ReviewOutcome::Reject(_)));
    }

    #[test]
    fn r_v1_a_helpdesk_reason_is_given_and_fits_an_email() {
        assert_eq!(
            RejectionReason::from_helpdesk("  IG level 1  "),
            Ok(RejectionReason::Helpdesk("IG level 1".into()))
        );
        assert_eq!(RejectionReason::from_helpdesk(" \t"), Err(ReasonError::Missing));
        assert_eq!(RejectionReason::from_helpdesk(&"é".repeat(MAX_REASON_CHARS)).map(|_| ()), Ok(()));
        assert_eq!(RejectionReason::from_helpdesk(&"a".repeat(MAX_REASON_CHARS + 1)), Err(ReasonError::TooLong));
        assert_eq!(
            RejectionReason::from_helpdesk("Line one.\nLine two."),
            Ok(RejectionReason::Helpdesk("Line one.\nLine two.".into()))
        );
        assert!(matches!(RejectionReason::from_helpdesk("Approved\u{202E}"), Err(ReasonError::Hidden(_))));
    }

    #[test]
    fn r_v1_without_a_status_of_record_the_helpdesk_decides() {
        assert_eq!(review(None, true), ReviewOutcome::AwaitHelpdesk);
    }
}

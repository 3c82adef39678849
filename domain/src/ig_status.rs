//! Information governance status of record (R-E2, R-V1): a practice must meet IG Toolkit level 2
//! (v14.1) or be accredited under the Data Security and Protection Toolkit (DSPT). The
//! applicant's answer is only a claim; this, from the reference data, is the check of record.

use chrono::NaiveDate;
use std::fmt;

/// DSPT publication statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DsptStatus {
    StandardsExceeded,
    StandardsMet,
    ApproachingStandards,
    StandardsNotMet,
    NotPublished,
}

impl DsptStatus {
    pub const ALL: [DsptStatus; 5] = [
        Self::StandardsExceeded,
        Self::StandardsMet,
        Self::ApproachingStandards,
        Self::StandardsNotMet,
        Self::NotPublished,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::StandardsExceeded => "standards_exceeded",
            Self::StandardsMet => "standards_met",
            Self::ApproachingStandards => "approaching_standards",
            Self::StandardsNotMet => "standards_not_met",
            Self::NotPublished => "not_published",
        }
    }

    /// Accepts the code or the published wording, in any case ("Standards Met").
    pub fn parse(value: &str) -> Option<Self> {
        let wanted = value.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL.into_iter().find(|s| s.code() == wanted)
    }
}

/// The assessment the register holds for a practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgAssessment {
    /// IG Toolkit return with its attainment level (0 to 3).
    IgToolkit {
        level: u8,
    },
    Dspt {
        status: DsptStatus,
    },
    /// No assessment on record.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IgStatus {
    pub assessment: IgAssessment,
    pub assessed_on: Option<NaiveDate>,
}

impl IgStatus {
    pub const MIN_IGT_LEVEL: u8 = 2;

    /// R-E2: IGT level 2 or above, or DSPT standards met or exceeded.
    pub fn is_satisfactory(&self) -> bool {
        match self.assessment {
            IgAssessment::IgToolkit { level } => level >= Self::MIN_IGT_LEVEL,
            IgAssessment::Dspt { status } => {
                matches!(status, DsptStatus::StandardsMet | DsptStatus::StandardsExceeded)
            }
            IgAssessment::None => false,
        }
    }
}

impl fmt::Display for IgStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.assessment {
            IgAssessment::IgToolkit { level } => write!(f, "IG Toolkit level {level}")?,
            IgAssessment::Dspt { status } => write!(f, "DSPT {}", status.code().replace('_', " "))?,
            IgAssessment::None => f.write_str("no IG assessment on record")?,
        }
        match self.assessed_on {
            Some(date) => write!(f, " ({date})"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(assessment: IgAssessment) -> IgStatus {
        IgStatus { assessment, assessed_on: NaiveDate::from_ymd_opt(2018, 3, 31) }
    }

    #[test]
    fn r_e2_igt_level_two_or_dspt_met_is_satisfactory() {
        assert!(status(IgAssessment::IgToolkit { level: 2 }).is_satisfactory());
        assert!(status(IgAssessment::IgToolkit { level: 3 }).is_satisfactory());
        assert!(status(IgAssessment::Dspt { status: DsptStatus::StandardsMet }).is_satisfactory());
        assert!(status(IgAssessment::Dspt { status: DsptStatus::StandardsExceeded }).is_satisfactory());
    }

    #[test]
    fn r_e2_lower_levels_unmet_dspt_or_nothing_on_record_fail() {
        assert!(!status(IgAssessment::IgToolkit { level: 1 }).is_satisfactory());
        assert!(!status(IgAssessment::IgToolkit { level: 0 }).is_satisfactory());
        for failing in [DsptStatus::ApproachingStandards, DsptStatus::StandardsNotMet, DsptStatus::NotPublished] {
            assert!(!status(IgAssessment::Dspt { status: failing }).is_satisfactory());
        }
        assert!(!status(IgAssessment::None).is_satisfactory());
        assert_eq!(status(IgAssessment::IgToolkit { level: 1 }).to_string(), "IG Toolkit level 1 (2018-03-31)");
    }

    #[test]
    fn dspt_statuses_parse_from_published_wording() {
        assert_eq!(DsptStatus::parse("Standards Met"), Some(DsptStatus::StandardsMet));
        assert_eq!(DsptStatus::parse("approaching-standards"), Some(DsptStatus::ApproachingStandards));
        assert_eq!(DsptStatus::parse("met"), None);
    }
}

//! Inactivity (R-L4): an account not used for a period becomes inactive, and one inactive for a
//! further period is deleted; its holder is warned before each step. Shared mailboxes are never
//! deleted. The moments are computed here from "now"; the store finds the accounts they select.

use chrono::{DateTime, Duration, Utc};

/// The periods of R-L4 and how long before each step the holder is warned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InactivityPolicy {
    /// Unused for this long, an account becomes inactive (90 days; NHSmail now uses 30).
    pub inactive_after: Duration,
    /// Inactive for this long, an account is deleted (a further 90 days).
    pub deleted_after: Duration,
    /// How long before each step its holder is warned (14 days).
    pub warning: Duration,
}

impl Default for InactivityPolicy {
    fn default() -> Self {
        Self { inactive_after: Duration::days(90), deleted_after: Duration::days(90), warning: Duration::days(14) }
    }
}

impl InactivityPolicy {
    /// A policy whose warnings come before their steps; `None` otherwise.
    pub fn new(inactive_after: Duration, deleted_after: Duration, warning: Duration) -> Option<Self> {
        let valid = warning > Duration::zero() && warning < inactive_after && warning < deleted_after;
        valid.then_some(Self { inactive_after, deleted_after, warning })
    }

    /// Accounts last used at or before this moment are warned of inactivity now.
    pub fn warn_if_unused_since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - (self.inactive_after - self.warning)
    }

    /// Accounts last used at or before this moment become inactive now.
    pub fn inactive_if_unused_since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.inactive_after
    }

    /// Accounts inactive since this moment or before are warned of deletion now.
    pub fn warn_of_deletion_if_inactive_since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - (self.deleted_after - self.warning)
    }

    /// Accounts inactive since this moment or before are deleted now.
    pub fn delete_if_inactive_since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.deleted_after
    }

    /// When an account last used at `last_used` becomes inactive, for the warning.
    pub fn inactive_on(&self, last_used: DateTime<Utc>) -> DateTime<Utc> {
        last_used + self.inactive_after
    }

    /// When an account inactive since `since` is deleted, for the notices.
    pub fn deleted_on(&self, since: DateTime<Utc>) -> DateTime<Utc> {
        since + self.deleted_after
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::days(days)
    }

    #[test]
    fn r_l4_warned_at_76_days_inactive_at_90_warned_again_at_166_deleted_at_180() {
        let policy = InactivityPolicy::default();
        let used = at(0);
        assert!(used <= policy.warn_if_unused_since(at(76)) && used > policy.warn_if_unused_since(at(75)));
        assert!(used <= policy.inactive_if_unused_since(at(90)) && used > policy.inactive_if_unused_since(at(89)));
        assert_eq!(policy.inactive_on(used), at(90));
        let inactive = at(90);
        assert!(inactive <= policy.warn_of_deletion_if_inactive_since(at(166)));
        assert!(inactive > policy.warn_of_deletion_if_inactive_since(at(165)));
        assert!(
            inactive <= policy.delete_if_inactive_since(at(180)) && inactive > policy.delete_if_inactive_since(at(179))
        );
        assert_eq!(policy.deleted_on(inactive), at(180));
    }

    #[test]
    fn r_l4_the_periods_are_configurable_and_warnings_must_come_first() {
        let thirty = InactivityPolicy::new(Duration::days(30), Duration::days(30), Duration::days(7)).unwrap();
        assert_eq!(thirty.inactive_on(at(0)), at(30));
        assert!(InactivityPolicy::new(Duration::days(30), Duration::days(30), Duration::days(30)).is_none());
        assert!(InactivityPolicy::new(Duration::days(30), Duration::days(5), Duration::days(7)).is_none());
        assert!(InactivityPolicy::new(Duration::days(30), Duration::days(30), Duration::zero()).is_none());
    }
}

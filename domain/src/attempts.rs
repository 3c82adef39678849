//! Limits on repeated actions, as pure functions of the times of earlier events.
//!
//! - [`WindowLimit`]: at most `max` events in any rolling `window` (R-O5 passcode issue).
//! - [`LockoutPolicy`]: consecutive failures lock for a while, with a hard cap per period
//!   (R-O6 passcode and contact id verification; R-L8 sign-in).
//!
//! The store keeps the event times; these functions decide. Nothing here reads the clock.

use chrono::{DateTime, Duration, Utc};

/// At most `max` events in any rolling `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowLimit {
    pub max: u32,
    pub window: Duration,
}

impl WindowLimit {
    /// R-O5: at most 3 passcodes per practice in 14 days.
    pub const PASSCODES_PER_PRACTICE: WindowLimit = WindowLimit::new(3, Duration::days(14));
    /// R-O5: at most 10 passcode requests per client a day.
    pub const PASSCODES_PER_CLIENT: WindowLimit = WindowLimit::new(10, Duration::days(1));
    /// R-L7: at most 3 reset codes per account an hour.
    pub const RESETS_PER_ACCOUNT: WindowLimit = WindowLimit::new(3, Duration::hours(1));
    /// R-L7: at most 10 reset requests per client an hour.
    pub const RESETS_PER_CLIENT: WindowLimit = WindowLimit::new(10, Duration::hours(1));

    pub const fn new(max: u32, window: Duration) -> Self {
        Self { max, window }
    }

    fn recent(&self, events: &[DateTime<Utc>], now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        // Events stamped after `now` count too: a request that read the clock and then waited
        // for a lock sees events recorded meanwhile by requests that read it later.
        let mut recent: Vec<_> = events.iter().copied().filter(|t| *t > now - self.window).collect();
        recent.sort_unstable();
        recent
    }

    /// How many more events are allowed now.
    pub fn remaining(&self, events: &[DateTime<Utc>], now: DateTime<Utc>) -> u32 {
        let used = u32::try_from(self.recent(events, now).len()).unwrap_or(u32::MAX);
        self.max.saturating_sub(used)
    }

    /// `None` if another event is allowed now, otherwise the earliest time it will be.
    pub fn next_allowed(&self, events: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let recent = self.recent(events, now);
        let max = usize::try_from(self.max).unwrap_or(usize::MAX);
        if max == 0 {
            // A limit of none allows nothing, ever: say a full window from now.
            return Some(now + self.window);
        }
        if recent.len() < max {
            return None;
        }
        // Enough of the oldest events must leave the window to bring the count below `max`.
        Some(recent[recent.len() - max] + self.window)
    }
}

/// Consecutive failures lock for `lockout`; never more than `cap.max` failures per `cap.window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_consecutive_failures: u32,
    pub lockout: Duration,
    pub cap: WindowLimit,
}

/// What a policy allows at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptState {
    /// Attempts left before a lock (0 while locked).
    pub remaining: u32,
    /// Set while locked: no attempt is checked before this time.
    pub locked_until: Option<DateTime<Utc>>,
}

impl AttemptState {
    pub fn is_locked(&self) -> bool {
        self.locked_until.is_some()
    }

    /// The stricter of two states, for limits that apply at once (per practice and per application).
    pub fn stricter(self, other: Self) -> Self {
        Self { remaining: self.remaining.min(other.remaining), locked_until: self.locked_until.max(other.locked_until) }
    }
}

impl LockoutPolicy {
    /// R-O6 default: 5 failures lock for 15 minutes; at most 100 failures a day.
    pub fn verification() -> Self {
        Self {
            max_consecutive_failures: 5,
            lockout: Duration::minutes(15),
            cap: WindowLimit::new(100, Duration::days(1)),
        }
    }

    /// R-L8 default: 5 failures lock for 15 minutes; at most 100 failures an hour.
    pub fn sign_in() -> Self {
        Self {
            max_consecutive_failures: 5,
            lockout: Duration::minutes(15),
            cap: WindowLimit::new(100, Duration::hours(1)),
        }
    }

    /// Decides from the recorded failures (those within `cap.window` at least) and the last
    /// success. Attempts made while locked are refused unchecked and must not be recorded as
    /// failures; a lock that has run out starts a fresh count.
    pub fn evaluate(
        &self,
        failures: &[DateTime<Utc>],
        last_success: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> AttemptState {
        let mut consecutive: Vec<_> =
            failures.iter().copied().filter(|t| last_success.is_none_or(|s| *t > s)).collect();
        consecutive.sort_unstable();

        let mut count = 0u32;
        let mut locked_until: Option<DateTime<Utc>> = None;
        for failure in consecutive {
            if let Some(until) = locked_until {
                if failure < until {
                    continue;
                }
                locked_until = None;
                count = 0;
            }
            count += 1;
            if count >= self.max_consecutive_failures {
                locked_until = Some(failure + self.lockout);
            }
        }
        let lock = match locked_until {
            Some(until) if until > now => AttemptState { remaining: 0, locked_until: Some(until) },
            Some(_) => AttemptState { remaining: self.max_consecutive_failures, locked_until: None },
            None => AttemptState { remaining: self.max_consecutive_failures.saturating_sub(count), locked_until: None },
        };
        let cap = AttemptState {
            remaining: self.cap.remaining(failures, now),
            locked_until: self.cap.next_allowed(failures, now),
        };
        lock.stricter(cap)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_limit_of_zero_allows_nothing_and_never_panics() {
        let none = WindowLimit::new(0, Duration::hours(1));
        let now = DateTime::<Utc>::UNIX_EPOCH + Duration::days(1);
        assert_eq!(none.next_allowed(&[], now), Some(now + Duration::hours(1)));
        assert_eq!(none.next_allowed(&[now, now - Duration::minutes(5)], now), Some(now + Duration::hours(1)));
        assert_eq!(none.remaining(&[now], now), 0);
    }

    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(minutes)
    }

    #[test]
    fn r_o5_three_issues_per_fourteen_days_then_refused_until_the_oldest_ages_out() {
        let limit = WindowLimit::new(3, Duration::days(14));
        let issued = [t(0), t(60), t(120)];
        assert_eq!(limit.next_allowed(&issued[..2], t(130)), None);
        assert_eq!(limit.remaining(&issued[..2], t(130)), 1);
        assert_eq!(limit.next_allowed(&issued, t(130)), Some(t(0) + Duration::days(14)));
        assert_eq!(limit.remaining(&issued, t(130)), 0);
        assert_eq!(limit.next_allowed(&issued, t(0) + Duration::days(14)), None);
    }

    #[test]
    fn r_o5_r_o6_events_stamped_a_moment_after_now_still_count() {
        let limit = WindowLimit::new(3, Duration::days(14));
        let later = [t(1), t(1), t(1)];
        assert_eq!(limit.remaining(&later, t(0)), 0);
        assert!(limit.next_allowed(&later, t(0)).is_some());
        let policy = LockoutPolicy::verification();
        let failures: Vec<_> = (1..6).map(t).collect();
        assert!(policy.evaluate(&failures, None, t(0)).is_locked());
    }

    #[test]
    fn r_o6_remaining_attempts_count_down_then_lock_for_fifteen_minutes() {
        let policy = LockoutPolicy::verification();
        assert_eq!(policy.evaluate(&[], None, t(0)).remaining, 5);
        let failures: Vec<_> = (0..4).map(t).collect();
        assert_eq!(policy.evaluate(&failures, None, t(4)), AttemptState { remaining: 1, locked_until: None });
        let failures: Vec<_> = (0..5).map(t).collect();
        let locked = policy.evaluate(&failures, None, t(5));
        assert_eq!(locked, AttemptState { remaining: 0, locked_until: Some(t(19)) });
        assert!(locked.is_locked());
        // After the lock ends the count starts again.
        assert_eq!(policy.evaluate(&failures, None, t(19)), AttemptState { remaining: 5, locked_until: None });
        let mut more = failures.clone();
        more.push(t(20));
        assert_eq!(policy.evaluate(&more, None, t(21)).remaining, 4);
    }

    #[test]
    fn r_o6_a_success_resets_the_consecutive_count() {
        let policy = LockoutPolicy::verification();
        let failures: Vec<_> = (0..4).map(t).collect();
        assert_eq!(policy.evaluate(&failures, Some(t(3)), t(5)).remaining, 5);
        assert_eq!(policy.evaluate(&failures, Some(t(2)), t(5)).remaining, 4);
    }

    #[test]
    fn r_o6_never_more_than_one_hundred_failures_a_day() {
        let policy = LockoutPolicy::verification();
        // Bursts of 5 failures every 20 minutes: each burst locks for 15 minutes, then frees.
        let failures: Vec<_> = (0..100).map(|i| t((i / 5) * 20 + i % 5)).collect();
        let after_last_lock = t(19 * 20 + 4 + 16);
        let state = policy.evaluate(&failures, None, after_last_lock);
        assert_eq!(state.remaining, 0);
        assert_eq!(state.locked_until, Some(t(0) + Duration::days(1)));
        // A success does not lift the daily cap.
        let later = after_last_lock + Duration::minutes(1);
        assert!(policy.evaluate(&failures, Some(after_last_lock), later).is_locked());
        // 99 failures leave one attempt.
        assert_eq!(policy.evaluate(&failures[..99], None, after_last_lock).remaining, 1);
    }

    #[test]
    fn r_l8_sign_in_caps_failures_per_hour() {
        let policy = LockoutPolicy::sign_in();
        assert_eq!(policy.cap, WindowLimit::new(100, Duration::hours(1)));
        let failures: Vec<_> = (0..100).map(|i| t(0) + Duration::seconds(i)).collect();
        let state = policy.evaluate(&failures, Some(t(0) + Duration::seconds(100)), t(2));
        assert_eq!(state.locked_until, Some(t(60)));
    }

    proptest! {
        #[test]
        fn r_o6_state_is_never_locked_without_enough_failures(n in 0usize..5, gap in 0i64..30) {
            let policy = LockoutPolicy::verification();
            let failures: Vec<_> = (0..n).map(|i| t(i as i64 * gap)).collect();
            let state = policy.evaluate(&failures, None, t(200));
            prop_assert!(!state.is_locked());
            prop_assert!(state.remaining >= 1);
        }

        #[test]
        fn window_limit_allows_exactly_max_events(max in 1u32..10, spacing in 0i64..10) {
            let limit = WindowLimit::new(max, Duration::hours(1));
            let mut events = Vec::new();
            let mut now = t(0);
            while limit.next_allowed(&events, now).is_none() {
                events.push(now);
                now += Duration::seconds(spacing);
            }
            prop_assert_eq!(events.len() as u32, max);
        }
    }
}

//! One-time passcodes (R-O1–R-O3): how they look, how typed input is read back, where they may be
//! sent and how long they live. Generating the randomness and hashing are the caller's (I/O) job:
//! a passcode is built here from 5 bytes the caller took from a CSPRNG.

use chrono::{DateTime, Duration, Utc};
use std::fmt;

/// Crockford's base-32 alphabet: no I, L, O or U, so nothing is ambiguous to read or type.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a passcode: 8 symbols of 5 bits = 40 bits of entropy (R-O2).
pub const LENGTH: usize = 8;
/// Random bytes needed for one passcode.
pub const ENTROPY_BYTES: usize = 5;

/// A passcode in canonical form (8 upper-case symbols, no separator). `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Passcode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasscodeError {
    #[error("Enter the one-time passcode.")]
    Missing,
    #[error("A one-time passcode is 8 letters and digits, like 7KQ4-M2XD.")]
    InvalidFormat,
}

crate::violation!(PasscodeError {
    Missing => (Required, Some("R-O2")),
    InvalidFormat => (PasscodeInvalid, Some("R-O2")),
});

impl Passcode {
    /// Builds a passcode from 40 random bits (R-O2). The caller supplies bytes from a CSPRNG.
    pub fn from_entropy(bytes: [u8; ENTROPY_BYTES]) -> Self {
        let bits = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let code = (0..LENGTH).rev().map(|i| char::from(ALPHABET[((bits >> (i * 5)) & 0x1f) as usize])).collect();
        Self(code)
    }

    /// Reads a typed passcode, forgiving case, spaces and hyphens, and the look-alikes
    /// O → 0 and I, L → 1 (R-O2).
    pub fn parse(input: &str) -> Result<Self, PasscodeError> {
        let mut code = String::with_capacity(LENGTH);
        for c in input.chars() {
            match c.to_ascii_uppercase() {
                ' ' | '-' => {}
                'O' => code.push('0'),
                'I' | 'L' => code.push('1'),
                c if ALPHABET.contains(&(c as u8)) && c.is_ascii() => code.push(c),
                _ => return Err(PasscodeError::InvalidFormat),
            }
        }
        match code.len() {
            0 => Err(PasscodeError::Missing),
            LENGTH => Ok(Self(code)),
            _ => Err(PasscodeError::InvalidFormat),
        }
    }

    /// The canonical form, for hashing only.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Two groups of four, as printed in letters and emails: `7KQ4-M2XD`.
    pub fn grouped(&self) -> String {
        format!("{}-{}", &self.0[..4], &self.0[4..])
    }
}

/// R-O4: a passcode never appears in logs; the service stores only a keyed hash of it.
impl fmt::Debug for Passcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passcode(<redacted>)")
    }
}

/// How a passcode reaches the practice (R-Q5, R-O1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasscodeChannel {
    /// To the registered manager's email address on record.
    Email,
    /// By letter to the CQC registered postal address.
    Post,
}

impl PasscodeChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Post => "post",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "email" => Some(Self::Email),
            "post" => Some(Self::Post),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    #[error(
        "There is no registered manager email address on record for this practice, so a passcode can only be sent by post: ask again with `\"channel\": \"post\"`. Nothing was sent."
    )]
    NoEmailOnRecord,
}

crate::violation!(ChannelError {
    NoEmailOnRecord => (PasscodeEmailNotOnRecord, Some("R-O1")),
});

/// R-O1: a passcode goes only to contact details on record: email when the register holds the
/// registered manager's address, otherwise the post. Never to an address the applicant typed.
pub fn choose_channel(requested: PasscodeChannel, email_on_record: bool) -> Result<PasscodeChannel, ChannelError> {
    match requested {
        PasscodeChannel::Email if !email_on_record => Err(ChannelError::NoEmailOnRecord),
        channel => Ok(channel),
    }
}

/// R-O1, R-Q5: the channel for a passcode request: the one asked for, else the questionnaire's
/// choice (`default`). A channel the practice cannot use is refused, never swapped for another:
/// the applicant chooses again knowing where the passcode will go.
pub fn channel_for(
    requested: Option<PasscodeChannel>,
    default: PasscodeChannel,
    email_on_record: bool,
) -> Result<PasscodeChannel, ChannelError> {
    choose_channel(requested.unwrap_or(default), email_on_record)
}

/// Channels open for a practice (R-O1).
pub fn available_channels(email_on_record: bool) -> Vec<PasscodeChannel> {
    if email_on_record { vec![PasscodeChannel::Email, PasscodeChannel::Post] } else { vec![PasscodeChannel::Post] }
}

/// How long a passcode lives, per channel (R-O3: 14 days by default, configurable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasscodeLifetimes {
    pub email: Duration,
    pub post: Duration,
}

impl Default for PasscodeLifetimes {
    fn default() -> Self {
        Self { email: Duration::days(14), post: Duration::days(14) }
    }
}

impl PasscodeLifetimes {
    pub fn expiry(&self, channel: PasscodeChannel, issued_at: DateTime<Utc>) -> DateTime<Utc> {
        issued_at
            + match channel {
                PasscodeChannel::Email => self.email,
                PasscodeChannel::Post => self.post,
            }
    }
}

/// Whether a stored passcode can still be used (R-O3: expires, and works once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasscodeState {
    Usable,
    Expired,
    AlreadyUsed,
}

pub fn passcode_state(expires_at: DateTime<Utc>, used_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> PasscodeState {
    if used_at.is_some() {
        PasscodeState::AlreadyUsed
    } else if now >= expires_at {
        PasscodeState::Expired
    } else {
        PasscodeState::Usable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_o1_r_q5_a_channel_the_practice_cannot_use_is_refused_never_swapped() {
        use PasscodeChannel::{Email, Post};
        assert_eq!(channel_for(None, Email, false), Err(ChannelError::NoEmailOnRecord));
        assert_eq!(channel_for(None, Post, false), Ok(Post));
        assert_eq!(channel_for(None, Email, true), Ok(Email));
        assert_eq!(channel_for(Some(Email), Post, false), Err(ChannelError::NoEmailOnRecord));
        assert_eq!(channel_for(Some(Post), Email, true), Ok(Post));
    }
    use crate::Violation;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0).unwrap()
    }

    #[test]
    fn r_o2_passcodes_have_eight_unambiguous_symbols_in_two_groups() {
        let code = Passcode::from_entropy([0xff, 0x00, 0xa5, 0x5a, 0x13]);
        assert_eq!(code.expose_secret().len(), LENGTH);
        assert!(code.expose_secret().bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(code.grouped().len(), 9);
        assert_eq!(&code.grouped()[4..5], "-");
        assert_eq!(Passcode::from_entropy([0; 5]).expose_secret(), "00000000");
        assert_eq!(Passcode::from_entropy([0xff; 5]).expose_secret(), "ZZZZZZZZ");
        assert!(!format!("{code:?}").contains(code.expose_secret()));
    }

    #[test]
    fn r_o2_typed_passcodes_ignore_case_spaces_hyphens_and_lookalikes() {
        let canonical = Passcode::parse("7KQ4M2XD").unwrap();
        for typed in ["7kq4-m2xd", " 7KQ4 M2XD ", "7kq4m2xd", "7-K-Q-4-M-2-X-D"] {
            assert_eq!(Passcode::parse(typed).unwrap(), canonical, "{typed}");
        }
        assert_eq!(Passcode::parse("O1IL-0000").unwrap().expose_secret(), "01110000");
    }

    #[test]
    fn r_o2_malformed_passcodes_are_refused() {
        assert_eq!(Passcode::parse(" - "), Err(PasscodeError::Missing));
        for bad in ["7KQ4M2X", "7KQ4M2XDA", "7KQ4-M2XU", "7KQ4_M2XD", "7KQ4M2XÉ"] {
            let error = Passcode::parse(bad).unwrap_err();
            assert_eq!(error, PasscodeError::InvalidFormat, "{bad}");
            assert_eq!(error.rule(), Some("R-O2"));
        }
    }

    #[test]
    fn r_o1_email_only_when_an_address_is_on_record() {
        assert_eq!(choose_channel(PasscodeChannel::Email, true), Ok(PasscodeChannel::Email));
        assert_eq!(choose_channel(PasscodeChannel::Post, true), Ok(PasscodeChannel::Post));
        assert_eq!(choose_channel(PasscodeChannel::Post, false), Ok(PasscodeChannel::Post));
        let refused = choose_channel(PasscodeChannel::Email, false).unwrap_err();
        assert_eq!(refused.rule(), Some("R-O1"));
        assert_eq!(available_channels(false), vec![PasscodeChannel::Post]);
        assert_eq!(available_channels(true).len(), 2);
    }

    #[test]
    fn r_o3_passcodes_expire_after_fourteen_days_and_work_once() {
        let lifetimes = PasscodeLifetimes::default();
        let expires = lifetimes.expiry(PasscodeChannel::Post, at(1));
        assert_eq!(expires, at(15));
        assert_eq!(passcode_state(expires, None, at(14)), PasscodeState::Usable);
        assert_eq!(passcode_state(expires, None, at(15)), PasscodeState::Expired);
        assert_eq!(passcode_state(expires, Some(at(2)), at(3)), PasscodeState::AlreadyUsed);
        let short = PasscodeLifetimes { email: Duration::days(2), ..lifetimes };
        assert_eq!(short.expiry(PasscodeChannel::Email, at(1)), at(3));
    }

    proptest! {
        #[test]
        fn r_o2_every_generated_passcode_parses_back_to_itself(bytes in any::<[u8; 5]>()) {
            let code = Passcode::from_entropy(bytes);
            prop_assert_eq!(Passcode::parse(&code.grouped()).unwrap(), code.clone());
            prop_assert_eq!(Passcode::parse(&code.expose_secret().to_lowercase()).unwrap(), code);
        }

        #[test]
        fn r_o2_distinct_entropy_gives_distinct_passcodes(a in any::<[u8; 5]>(), b in any::<[u8; 5]>()) {
            prop_assume!(a != b);
            prop_assert_ne!(Passcode::from_entropy(a), Passcode::from_entropy(b));
        }

        #[test]
        fn passcode_parser_never_panics(input in "\\PC{0,20}") {
            let _ = Passcode::parse(&input);
        }
    }
}

//! Password policy for NHSmail accounts (R-L2): at least 10 characters, no composition rules,
//! not a common or easily guessed password, not containing the person's names, not one of the
//! last 4 (checked by the caller against stored hashes, see [`HISTORY_DEPTH`]). Long passwords
//! are accepted in full; nothing is truncated.

use crate::text::fold_lower;
use std::fmt;
use zxcvbn::Score;

pub const MIN_LENGTH: usize = 10;
/// Far beyond any real passphrase; bounds the work an attacker can make hashing do.
pub const MAX_LENGTH: usize = 1024;
/// A new password must differ from this many previous ones (R-L2).
pub const HISTORY_DEPTH: usize = 4;
/// Names shorter than this are too common as substrings to forbid.
const MIN_NAME_LENGTH_TO_CHECK: usize = 3;
/// zxcvbn looks at no more than this much of a password: a longer one is not a common one, and
/// the estimate's cost grows quickly with length (a 114-character patterned password took 0.76 s).
const STRENGTH_CHECK_PREFIX: usize = 64;

/// A password that satisfies the policy. `Debug` is redacted; there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

/// Characters of temporary passwords: upper and lower case letters and digits without the ones
/// easily confused when read from a text message (0/O/o, 1/l/I).
const TEMPORARY_ALPHABET: &[u8; 56] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
/// Random bytes needed for one temporary password.
pub const TEMPORARY_ENTROPY_BYTES: usize = 16;

/// A temporary password sent by text message (R-A3): 16 characters in four groups of four,
/// mixing upper and lower case and digits, about 90 bits of randomness. `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct TemporaryPassword(String);

impl TemporaryPassword {
    /// Builds one from random bytes the caller took from a CSPRNG.
    pub fn from_entropy(bytes: [u8; TEMPORARY_ENTROPY_BYTES]) -> Self {
        let symbols: Vec<char> =
            bytes.iter().map(|b| char::from(TEMPORARY_ALPHABET[usize::from(*b) % TEMPORARY_ALPHABET.len()])).collect();
        let groups: Vec<String> = symbols.chunks(4).map(|chunk| chunk.iter().collect()).collect();
        Self(groups.join("-"))
    }

    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TemporaryPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TemporaryPassword(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Enter a password of at least {MIN_LENGTH} characters.")]
    TooShort,
    #[error("A password can be at most {MAX_LENGTH} characters.")]
    TooLong,
    #[error("This password is too common or too easy to guess; try a longer phrase of unrelated words.")]
    TooCommon,
    #[error("A password must not contain your name or username.")]
    ContainsName,
    #[error("You used this password recently; choose one you have not used for your last {HISTORY_DEPTH} passwords.")]
    RecentlyUsed,
}

crate::violation!(PasswordError {
    TooShort => (PasswordTooShort, Some("R-L2")),
    TooLong => (PasswordTooLong, Some("R-L2")),
    TooCommon => (PasswordTooCommon, Some("R-L2")),
    ContainsName => (PasswordContainsName, Some("R-L2")),
    RecentlyUsed => (PasswordRecentlyUsed, Some("R-L2")),
});

/// Checks a candidate password against the policy (R-L2), reporting every failed rule.
/// `personal` holds the person's first name, last name and username local part.
pub fn check(candidate: &str, personal: &[&str]) -> Result<NewPassword, Vec<PasswordError>> {
    let length = candidate.chars().count();
    if length > MAX_LENGTH {
        return Err(vec![PasswordError::TooLong]);
    }
    let mut errors = Vec::new();
    if length < MIN_LENGTH {
        errors.push(PasswordError::TooShort);
    }
    let folded = fold_lower(candidate);
    let names: Vec<String> = personal
        .iter()
        .flat_map(|value| {
            fold_lower(value).split(|c: char| !c.is_ascii_alphabetic()).map(str::to_owned).collect::<Vec<_>>()
        })
        .filter(|part| part.len() >= MIN_NAME_LENGTH_TO_CHECK)
        .collect();
    if names.iter().any(|name| folded.contains(name.as_str())) {
        errors.push(PasswordError::ContainsName);
    }
    if is_too_common(candidate, personal) {
        errors.push(PasswordError::TooCommon);
    }
    if errors.is_empty() { Ok(NewPassword(candidate.to_owned())) } else { Err(errors) }
}

/// Refuses passwords zxcvbn estimates to fall to fewer than 10^8 guesses (score below 3).
/// Every entry of its bundled lists of the most used and breached passwords (about 30,000,
/// matched allowing for case, l33t spelling, reversal and added digits) scores below that, as do
/// keyboard walks, repeats, sequences, dates and the person's own details.
fn is_too_common(candidate: &str, personal: &[&str]) -> bool {
    let prefix = crate::text::truncate_chars(candidate, STRENGTH_CHECK_PREFIX);
    prefix.is_empty() || zxcvbn::zxcvbn(prefix, personal).score() < Score::Three
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Violation;

    const NAMES: [&str; 3] = ["Sarah", "Jones", "sarah.jones"];

    #[test]
    fn r_l2_long_unusual_passphrases_are_accepted_in_full() {
        for good in ["correct horse battery staple", "Gorse-Lantern-Quibble-48", "plinth marmalade oboe"] {
            assert!(check(good, &NAMES).is_ok(), "{good}");
        }
        let long = "a very long passphrase about teeth, lanterns and the tide ".repeat(3);
        assert!(long.chars().count() > 64);
        assert_eq!(check(&long, &NAMES).unwrap().expose_secret(), long);
    }

    #[test]
    fn r_l2_short_passwords_are_refused() {
        let errors = check("Xq7#pL", &NAMES).unwrap_err();
        assert!(errors.contains(&PasswordError::TooShort));
        assert_eq!(errors[0].rule(), Some("R-L2"));
        assert!(check("", &NAMES).unwrap_err().contains(&PasswordError::TooShort));
    }

    #[test]
    fn r_l2_common_and_breached_passwords_are_refused() {
        for common in [
            "password123",
            "Password1234",
            "qwertyuiop",
            "1234567890",
            "iloveyou12",
            "P@ssw0rd123",
            "letmein2024",
            "aaaaaaaaaaaa",
        ] {
            assert!(check(common, &NAMES).unwrap_err().contains(&PasswordError::TooCommon), "{common}");
        }
    }

    #[test]
    fn r_l2_passwords_containing_the_persons_names_are_refused() {
        let errors = check("lantern-SARAH-quibble", &NAMES).unwrap_err();
        assert_eq!(errors, [PasswordError::ContainsName]);
        assert!(check("quibble jones lantern", &NAMES).unwrap_err().contains(&PasswordError::ContainsName));
        // Very short names are not forbidden as substrings.
        assert!(check("gorse lantern quibble", &["Al", "Wu", "al.wu"]).is_ok());
    }

    #[test]
    fn r_l2_absurdly_long_input_is_refused_before_any_work() {
        assert_eq!(check(&"x".repeat(MAX_LENGTH + 1), &NAMES), Err(vec![PasswordError::TooLong]));
    }

    #[test]
    fn r_a3_temporary_passwords_are_random_mixed_and_pass_the_policy() {
        let mut bytes = [0u8; TEMPORARY_ENTROPY_BYTES];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37).wrapping_add(11);
        }
        let temporary = TemporaryPassword::from_entropy(bytes);
        let text = temporary.expose_secret();
        assert_eq!(text.len(), 19);
        assert_eq!(text.matches('-').count(), 3);
        assert!(text.chars().filter(|c| *c != '-').all(|c| TEMPORARY_ALPHABET.contains(&(c as u8))));
        assert!(check(text, &NAMES).is_ok(), "{text}");
        assert!(!format!("{temporary:?}").contains(text));
        assert_ne!(TemporaryPassword::from_entropy([1; 16]), TemporaryPassword::from_entropy([2; 16]));
    }

    #[test]
    fn password_debug_never_shows_the_secret() {
        let password = check("plinth marmalade oboe", &NAMES).unwrap();
        assert!(!format!("{password:?}").contains("plinth"));
        assert_eq!(HISTORY_DEPTH, 4);
        assert_eq!(PasswordError::RecentlyUsed.rule(), Some("R-L2"));
    }
}

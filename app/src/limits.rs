//! Attempt and issue limits, kept in the database so that every replica sees the same counts.
//! Each check takes the subject's lock first, so parallel requests cannot overrun a limit.

use crate::{Error, ErrorKind};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use domain::attempts::{AttemptState, LockoutPolicy, WindowLimit};
use persistence::{DbConnection, StoreError, attempts, passcodes};

const VERIFY_PRACTICE: &str = "verify_practice";
const VERIFY_APPLICATION: &str = "verify_application";
const PASSCODE_PRACTICE: &str = "passcode_issue_practice";
const PASSCODE_CLIENT: &str = "passcode_issue_client";
const FAILURE: &str = "failure";
const SUCCESS: &str = "success";
const ISSUED: &str = "issued";

fn evaluate(
    conn: &mut DbConnection,
    scope: &str,
    subject: &str,
    policy: &LockoutPolicy,
    now: DateTime<Utc>,
) -> Result<AttemptState, StoreError> {
    let failures = attempts::times_since(conn, scope, subject, FAILURE, now - policy.cap.window)?;
    let last_success = attempts::latest(conn, scope, subject, SUCCESS)?;
    Ok(policy.evaluate(&failures, last_success, now))
}

/// R-O6: the verification state for a practice and an application, the stricter of the two.
/// Locks both subjects (always practice first, so two requests cannot deadlock).
pub fn verification_state(
    conn: &mut DbConnection,
    location: &str,
    application: &str,
    now: DateTime<Utc>,
) -> Result<AttemptState, StoreError> {
    let policy = LockoutPolicy::verification();
    attempts::lock_subject(conn, VERIFY_PRACTICE, location, now)?;
    attempts::lock_subject(conn, VERIFY_APPLICATION, application, now)?;
    let practice = evaluate(conn, VERIFY_PRACTICE, location, &policy, now)?;
    let own = evaluate(conn, VERIFY_APPLICATION, application, &policy, now)?;
    Ok(practice.stricter(own))
}

pub fn record_verification(
    conn: &mut DbConnection,
    location: &str,
    application: &str,
    succeeded: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let outcome = if succeeded { SUCCESS } else { FAILURE };
    attempts::record(conn, VERIFY_PRACTICE, location, outcome, now)?;
    attempts::record(conn, VERIFY_APPLICATION, application, outcome, now)?;
    Ok(())
}

/// R-O5: when the next passcode may be issued for this practice and client (`None`: now).
pub fn passcode_issue_allowed_at(
    conn: &mut DbConnection,
    location: &str,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    attempts::lock_subject(conn, PASSCODE_PRACTICE, location, now)?;
    attempts::lock_subject(conn, PASSCODE_CLIENT, client, now)?;
    let practice = passcodes::issued_since(conn, location, now - WindowLimit::PASSCODES_PER_PRACTICE.window)?;
    let by_client =
        attempts::times_since(conn, PASSCODE_CLIENT, client, ISSUED, now - WindowLimit::PASSCODES_PER_CLIENT.window)?;
    Ok(WindowLimit::PASSCODES_PER_PRACTICE
        .next_allowed(&practice, now)
        .max(WindowLimit::PASSCODES_PER_CLIENT.next_allowed(&by_client, now)))
}

/// R-O5 for a helpdesk mailshot: when the practice may next be sent a passcode (`None`: now).
pub fn practice_passcode_allowed_at(
    conn: &mut DbConnection,
    location: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    attempts::lock_subject(conn, PASSCODE_PRACTICE, location, now)?;
    let practice = passcodes::issued_since(conn, location, now - WindowLimit::PASSCODES_PER_PRACTICE.window)?;
    Ok(WindowLimit::PASSCODES_PER_PRACTICE.next_allowed(&practice, now))
}

/// Passcodes the practice can still be sent in the current window.
pub fn passcodes_remaining(conn: &mut DbConnection, location: &str, now: DateTime<Utc>) -> Result<u32, StoreError> {
    let practice = passcodes::issued_since(conn, location, now - WindowLimit::PASSCODES_PER_PRACTICE.window)?;
    Ok(WindowLimit::PASSCODES_PER_PRACTICE.remaining(&practice, now))
}

pub fn record_passcode_issue(conn: &mut DbConnection, client: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    attempts::record(conn, PASSCODE_CLIENT, client, ISSUED, now).map(|_| ())
}

const SIGN_IN_CLIENT: &str = "sign_in_client";
const APPLICATIONS_CLIENT: &str = "applications_client";

/// A sign-in attempt under way: counted as a failure for the username and the client until
/// [`sign_in_succeeded`] says otherwise.
#[derive(Debug, Clone)]
pub struct SignInAttempt {
    user: String,
    client: String,
}

/// Why a sign-in is refused before its password is looked at.
#[derive(Debug, Clone, Copy)]
pub enum SignInRefusal {
    /// R-L8: the username is locked after failures.
    Locked(DateTime<Utc>),
    /// Too many failures from this client, across usernames.
    ClientThrottled(DateTime<Utc>),
}

/// R-L8: starts a sign-in attempt for `subject` (a pseudonym of the username) in `scope`, and
/// for `client` across usernames, so that parallel guesses cannot overrun either limit.
pub fn begin_sign_in(
    conn: &mut DbConnection,
    (scope, subject): (&str, &str),
    client: &str,
    per_client: WindowLimit,
    now: DateTime<Utc>,
) -> Result<Result<SignInAttempt, SignInRefusal>, StoreError> {
    attempts::lock_subject(conn, SIGN_IN_CLIENT, client, now)?;
    let failures = attempts::times_since(conn, SIGN_IN_CLIENT, client, FAILURE, now - per_client.window)?;
    if let Some(next) = per_client.next_allowed(&failures, now) {
        return Ok(Err(SignInRefusal::ClientThrottled(next)));
    }
    let policy = LockoutPolicy::sign_in();
    attempts::lock_subject(conn, scope, subject, now)?;
    let state = evaluate(conn, scope, subject, &policy, now)?;
    if let Some(until) = state.locked_until {
        return Ok(Err(SignInRefusal::Locked(until)));
    }
    Ok(Ok(SignInAttempt {
        user: attempts::record(conn, scope, subject, FAILURE, now)?,
        client: attempts::record(conn, SIGN_IN_CLIENT, client, FAILURE, now)?,
    }))
}

/// The answer to too many attempts from one client address.
pub fn client_throttled(next: DateTime<Utc>, now: DateTime<Utc>) -> Error {
    Error::new(ErrorKind::RateLimited)
        .with_code(ProblemCode::TooManyFromClient, None)
        .detail("Too many attempts from this network address in a short time. Try again later.")
        .retry_at(next, now)
}

/// When the next application may be started from `client` (`None`: now); records one when it
/// may.
pub fn take_application_start(
    conn: &mut DbConnection,
    client: &str,
    per_client: WindowLimit,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    attempts::lock_subject(conn, APPLICATIONS_CLIENT, client, now)?;
    let started = attempts::times_since(conn, APPLICATIONS_CLIENT, client, ISSUED, now - per_client.window)?;
    if let Some(next) = per_client.next_allowed(&started, now) {
        return Ok(Some(next));
    }
    attempts::record(conn, APPLICATIONS_CLIENT, client, ISSUED, now)?;
    Ok(None)
}

/// The answer to a sign-in while the username is locked (R-L8), with when to try again.
pub fn sign_in_locked(until: DateTime<Utc>, now: DateTime<Utc>) -> Error {
    Error::new(ErrorKind::RateLimited)
        .with_code(ProblemCode::SignInLocked, Some("R-L8"))
        .detail("Too many failed sign-ins. Try again later.")
        .retry_after(u64::try_from((until - now).num_seconds()).unwrap_or(1))
}

/// R-L8: the helpdesk lifts a username's lock: its failures so far stop counting towards a
/// lock, as after a successful sign-in (the hourly cap on failures still holds).
pub fn unlock_sign_in(
    conn: &mut DbConnection,
    scope: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    attempts::lock_subject(conn, scope, subject, now)?;
    attempts::record(conn, scope, subject, SUCCESS, now).map(|_| ())
}

pub fn sign_in_succeeded(conn: &mut DbConnection, attempt: &SignInAttempt) -> Result<(), StoreError> {
    attempts::set_outcome(conn, &attempt.user, SUCCESS)?;
    attempts::set_outcome(conn, &attempt.client, SUCCESS)
}

const RESET_CLIENT: &str = "reset_client";

/// When the next reset request from this client is allowed (`None`: now).
pub fn reset_request_allowed_at(
    conn: &mut DbConnection,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    attempts::lock_subject(conn, RESET_CLIENT, client, now)?;
    let recent =
        attempts::times_since(conn, RESET_CLIENT, client, ISSUED, now - WindowLimit::RESETS_PER_CLIENT.window)?;
    Ok(WindowLimit::RESETS_PER_CLIENT.next_allowed(&recent, now))
}

pub fn record_reset_request(conn: &mut DbConnection, client: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    attempts::record(conn, RESET_CLIENT, client, ISSUED, now).map(|_| ())
}

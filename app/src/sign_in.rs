//! Signing in, the one implementation for both kinds of user (account holders and helpdesk
//! administrators), R-L8: an unknown username, a wrong password and an account that may not sign
//! in get the same answer in comparable time (the password is checked against a dummy hash when
//! there is nothing to check it against), and repeated failures lock the username for a while.

use crate::{App, Error, FieldError, Validator, limits};
use domain::ProblemCode;
use persistence::{DbConnection, write_transaction};

/// The longest username either kind of user has (an email address's limit).
const MAX_USERNAME_CHARS: usize = 254;

/// Someone who can sign in with a username and password.
pub(crate) trait Principal: Sized + Send + 'static {
    /// Names the attempt counter, so that the two kinds of user never share one.
    const LIMIT_SCOPE: &'static str;

    /// The holder of `username` (already normalised), if there is one.
    fn find(conn: &mut DbConnection, username: &str) -> Result<Option<Self>, Error>;

    /// The stored password hash, if this holder may sign in at all.
    fn password_hash(&self) -> Option<String>;
}

/// A holder whose password matched; the attempt is closed by [`succeeded`].
pub(crate) struct Verified<P> {
    pub holder: P,
    attempt: limits::SignInAttempt,
}

/// The username and password of a sign-in, both required (a blank username is missing; a
/// password is never trimmed, so only an empty one is). Reports both at once.
pub(crate) fn credentials(username: Option<String>, password: Option<String>) -> Result<(String, String), Error> {
    let mut v = Validator::new();
    let username = username.filter(|u| !u.trim().is_empty());
    if username.as_ref().is_some_and(|u| u.chars().count() > MAX_USERNAME_CHARS) {
        let detail = "A username is at most 254 characters.";
        return Err(Error::validation(vec![FieldError::new("/username", ProblemCode::TooLong, None, detail)]));
    }
    let password = password.filter(|p| !p.is_empty());
    if username.is_none() {
        v.push(FieldError::new("/username", ProblemCode::Required, None, "Enter the username."));
    }
    if password.is_none() {
        v.push(FieldError::new("/password", ProblemCode::Required, None, "Enter the password."));
    }
    v.finish(|| Some((username?, password?)))
}

pub(crate) fn invalid_credentials() -> Error {
    Error::unauthorized("The username or password is not right.")
        .with_code(ProblemCode::InvalidCredentials, Some("R-L8"))
}

/// Checks a username (already normalised) and password for the caller, within the limits per
/// username (R-L8) and per client address across usernames.
pub(crate) async fn verify<P: Principal>(
    app: &App,
    caller: &crate::Caller,
    username: String,
    password: String,
) -> Result<Verified<P>, Error> {
    let now = app.now();
    // Attempt records name the username and the client only by keyed pseudonyms: bounded in
    // size whatever was typed, and no personal data.
    let subject = app.hasher().subject(P::LIMIT_SCOPE, &username);
    let client = app.hasher().client(caller.origin.client_address.as_deref().unwrap_or("unknown"));
    let per_client = app.settings().throttles.sign_in_failures_per_client;
    let (attempt, holder) = app
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let attempt = limits::begin_sign_in(conn, (P::LIMIT_SCOPE, &subject), &client, per_client, now)?;
                Ok((attempt, P::find(conn, &username)?))
            })
        })
        .await?;
    let attempt = attempt.map_err(|refusal| match refusal {
        limits::SignInRefusal::Locked(until) => limits::sign_in_locked(until, now),
        limits::SignInRefusal::ClientThrottled(next) => limits::client_throttled(next, now),
    })?;
    let hash = holder.as_ref().and_then(P::password_hash);
    let usable = hash.is_some();
    let matches = app.passwords().verify(password, hash).await?;
    match holder {
        Some(holder) if usable && matches => Ok(Verified { holder, attempt }),
        _ => Err(invalid_credentials()),
    }
}

/// Records the successful sign-in (the username's failures are forgotten), in the caller's
/// transaction.
pub(crate) fn succeeded<P>(conn: &mut DbConnection, verified: &Verified<P>) -> Result<(), Error> {
    Ok(limits::sign_in_succeeded(conn, &verified.attempt)?)
}

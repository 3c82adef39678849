//! Signing in, the one implementation for both kinds of user (account holders and helpdesk
//! administrators), R-L8: an unknown username, a wrong password and an account that may not sign
//! in get the same answer in comparable time (the password is checked against a dummy hash when
//! there is nothing to check it against), and repeated failures lock the username for a while.

use crate::{App, Error, FieldError, Validator, limits};
use domain::ProblemCode;
use persistence::{DbConnection, write_transaction};

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
    attempt: String,
}

/// The username and password of a sign-in, both required (a blank username is missing; a
/// password is never trimmed, so only an empty one is). Reports both at once.
pub(crate) fn credentials(username: Option<String>, password: Option<String>) -> Result<(String, String), Error> {
    let mut v = Validator::new();
    let username = username.filter(|u| !u.trim().is_empty());
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

/// Checks a username (already normalised) and password.
pub(crate) async fn verify<P: Principal>(app: &App, username: String, password: String) -> Result<Verified<P>, Error> {
    let now = app.now();
    let (attempt, holder) = app
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let attempt = limits::begin_sign_in(conn, P::LIMIT_SCOPE, &username, now)?;
                Ok((attempt, P::find(conn, &username)?))
            })
        })
        .await?;
    let attempt = attempt.map_err(|until| limits::sign_in_locked(until, now))?;
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

//! Who may touch an application: the holder of its token, and only while the journey allows
//! the action. Every registration use case goes through [`read`] or [`in_draft`], which
//! authenticate the caller in the same database round trip as the work.

use super::Context;
use crate::audit::{self, Actor, By};
use crate::secrets::APPLICATION_TOKEN_PREFIX;
use crate::{App, Caller, Error};
use chrono::{DateTime, Utc};
use domain::journey::{self, Action, ApplicationStatus};
use persistence::applications::{self, ApplicationRow};
use persistence::time::from_db;
use persistence::{DbConnection, write_transaction};

/// The longest application token we issue, with room to spare; longer ones are not ours.
const MAX_TOKEN_LENGTH: usize = 100;

/// The application the caller's token opens. With `application_id`, it must be that one: any
/// other id is "not found", so ids of other applications are never confirmed.
pub(crate) fn authorise(
    conn: &mut DbConnection,
    app: &App,
    caller: &Caller,
    application_id: Option<&str>,
) -> Result<ApplicationRow, Error> {
    if caller.token.is_none() {
        let detail = "Send the application token you were given as `Authorization: Bearer <token>`.";
        return Err(Error::unauthorized(detail));
    }
    let invalid = || Error::unauthorized("The application token is not valid.");
    let hash = token_hash(app, caller).ok_or_else(invalid)?;
    let row = applications::find_by_token_hash(conn, &hash)?.ok_or_else(invalid)?;
    if application_id.is_some_and(|id| id != row.id) {
        return Err(Error::not_found());
    }
    // An inactive draft expires when next seen, even before the sweep gets to it; the expiry
    // commits on its own, whatever the caller does next.
    if row.status == ApplicationStatus::Draft && from_db(row.expires_at) <= app.now() {
        crate::expiry::expire(conn, &row.id, app.now())?;
        return Ok(applications::get(conn, &row.id)?);
    }
    Ok(row)
}

/// The stored hash of the caller's token, if it has the shape of one of ours.
fn token_hash(app: &App, caller: &Caller) -> Option<String> {
    let token = caller.token.as_deref()?;
    let ours = token.starts_with(APPLICATION_TOKEN_PREFIX) && token.len() <= MAX_TOKEN_LENGTH;
    ours.then(|| app.hasher().application_token(token))
}

/// The applicant as the audit trail names them.
pub(crate) fn by(caller: &Caller, application_id: &str) -> By {
    By::new(Actor { kind: "applicant", id: Some(application_id.to_owned()) }, caller.origin.clone())
}

/// Reads the caller's application `id` with everything the rules need.
pub(crate) async fn read<T, F>(app: &App, caller: &Caller, id: &str, work: F) -> Result<T, Error>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection, &App, Context) -> Result<T, Error> + Send + 'static,
{
    let (caller, id) = (caller.clone(), id.to_owned());
    app.run(move |conn, app| {
        let row = authorise(conn, app, &caller, Some(&id))?;
        let ctx = Context::assemble(conn, row)?;
        work(conn, app, ctx)
    })
    .await
}

/// A change to the caller's draft, in one write transaction: authenticates the caller, reports
/// a bad `input` (checked beforehand, so that every field is reported at once), locks the
/// application by counting the change as activity, checks `action` is open now (R-S3 and the
/// order of the journey), applies `change` and records the audit event `event` with the details
/// `change` returns.
pub(crate) async fn in_draft<I, T, F>(
    app: &App,
    caller: &Caller,
    id: &str,
    (action, event): (Action, &'static str),
    input: Result<I, Error>,
    change: F,
) -> Result<T, Error>
where
    I: Send + 'static,
    T: Send + 'static,
    F: FnOnce(&mut DbConnection, &App, &Context, I, DateTime<Utc>) -> Result<(T, serde_json::Value), Error>
        + Send
        + 'static,
{
    let (caller, id) = (caller.clone(), id.to_owned());
    app.run(move |conn, app| {
        let now = app.now();
        let expires_at = now + app.settings().application_inactivity;
        let apply = |conn: &mut DbConnection, ctx: Context, input: I| {
            ctx.progress()?.check(action).map_err(|e| Error::refused(&e))?;
            let (result, details) = change(conn, app, &ctx, input, now)?;
            audit::record(conn, &by(&caller, &id), event, ("application", &id), details, now)?;
            Ok(result)
        };
        // The usual case, a live draft opened by its token, authenticates and locks in one
        // statement inside the transaction; anything else takes the path below, which says why.
        let (input, apply) = match token_hash(app, &caller) {
            None => (input, apply),
            Some(hash) => {
                let fast = write_transaction(conn, |conn| {
                    match applications::touch_live_draft(conn, (&id, &hash), now, expires_at)? {
                        Some(row) => {
                            let ctx = Context::assemble(conn, row)?;
                            apply(conn, ctx, input?).map(Ok)
                        }
                        None => Ok(Err((input, apply))),
                    }
                })?;
                match fast {
                    Ok(result) => return Ok(result),
                    Err(unused) => unused,
                }
            }
        };
        authorise(conn, app, &caller, Some(&id))?;
        let input = input?;
        write_transaction(conn, |conn| {
            // Counting the change as activity locks the application too (one statement, not
            // two), and comes first so that what `change` reads is the application as stored
            // after it. A refused change rolls it back.
            if !applications::touch(conn, &id, now, expires_at)? {
                return Err(Error::not_found());
            }
            let ctx = Context::load(conn, &id)?;
            apply(conn, ctx, input)
        })
    })
    .await
}

/// Counts a read as activity, at most once an hour, so that an applicant waiting for a letter
/// keeps the application alive.
pub(crate) fn note_activity(conn: &mut DbConnection, app: &App, ctx: &mut Context) -> Result<(), Error> {
    let now = app.now();
    let last = from_db(ctx.application.last_activity_at);
    if ctx.status() == ApplicationStatus::Draft && journey::reading_counts_as_activity(last, now) {
        let expires_at = now + app.settings().application_inactivity;
        applications::note_activity(conn, ctx.id(), now, expires_at)?;
        // What the caller sees is what is stored.
        ctx.application.last_activity_at = persistence::time::to_db(now);
        ctx.application.expires_at = persistence::time::to_db(expires_at);
    }
    Ok(())
}

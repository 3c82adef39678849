//! Signing in and out, and refreshing a full session (R-L1, R-L3, R-L8).

use super::{Holder, Session, authenticate, by, load_account, normalise_username, open_session, record, scope_for};
use crate::refresh::Rotation;
use crate::sign_in::{self, Principal};
use crate::tokens::ACCOUNT_AUDIENCE;
use crate::{App, Caller, Error};
use domain::ProblemCode;
use domain::account::{AccountStatus, SessionScope};
use persistence::accounts::{self, AccountRow};
use persistence::time::from_db;
use persistence::{DbConnection, account_life, admins, write_transaction};

impl Principal for AccountRow {
    const LIMIT_SCOPE: &'static str = "account_sign_in";

    fn find(conn: &mut DbConnection, username: &str) -> Result<Option<Self>, Error> {
        Ok(accounts::account_by_username(conn, username)?)
    }

    fn password_hash(&self) -> Option<String> {
        self.password_hash.clone().filter(|_| self.status().checks_password())
    }
}

/// Signs an account holder in (R-L8). A temporary password gives a session that can only
/// complete activation (R-L1); only someone who knows an expired temporary password learns
/// that it has expired (R-A3).
pub async fn sign_in(
    app: &App,
    caller: &Caller,
    username: Option<String>,
    password: Option<String>,
) -> Result<Session, Error> {
    let (username, password) = sign_in::credentials(username, password)?;
    let username = normalise_username(&username, app.settings().mail_domain.as_str());
    let verified = sign_in::verify::<AccountRow>(app, caller, username, password).await?;
    let now = app.now();
    let account = &verified.holder;
    if account.password_is_temporary && account.password_expires_at.is_some_and(|at| from_db(at) <= now) {
        return Err(Error::unauthorized("This temporary password has expired. Ask the helpdesk for a new one.")
            .with_code(ProblemCode::TemporaryPasswordExpired, Some("R-A3")));
    }
    if account.status() == AccountStatus::Inactive {
        return Err(Error::unauthorized(
            "This account is inactive because it was not used for a long time. Ask the helpdesk to reactivate it.",
        )
        .with_code(ProblemCode::AccountInactive, Some("R-L4")));
    }
    let origin = caller.origin.clone();
    app.run(move |conn, app| {
        write_transaction(conn, |conn| {
            sign_in::succeeded(conn, &verified)?;
            let account = &verified.holder;
            account_life::record_sign_in(conn, &account.id, now)?;
            let scope = scope_for(account, app.settings().accounts.password_max_age, now);
            let session = open_session(conn, app, account, scope)?;
            let details = serde_json::json!({"scope": scope.code()});
            record(conn, &by(&account.id, origin), &account.id, "account.signed_in", details, now)?;
            Ok(session)
        })
    })
    .await
}

fn refused() -> Error {
    Error::unauthorized("The refresh token is not valid; sign in again.")
}

/// Replaces the refresh token and issues a new access token; a superseded refresh token ends
/// the whole session.
fn rotate(
    conn: &mut DbConnection,
    app: &App,
    caller: &Caller,
    refresh_token: &str,
) -> Result<Result<Session, Error>, Error> {
    let now = app.now();
    let (session, next) = match crate::refresh::rotate(conn, app, "account", refresh_token, now)? {
        Rotation::Refused => return Ok(Err(refused())),
        Rotation::Reused(session) => {
            let details = serde_json::json!({"session": session.id});
            let by = by(&session.subject_id, caller.origin.clone());
            record(conn, &by, &session.subject_id, "account.refresh_token_reused", details, now)?;
            return Ok(Err(refused()));
        }
        Rotation::Rotated(session, next) => (session, next),
    };
    let Some(account) = accounts::account(conn, &session.subject_id)?.filter(|a| a.status() == AccountStatus::Active)
    else {
        return Ok(Err(refused()));
    };
    let session_expires_at = from_db(session.expires_at);
    let expires_at = (now + app.settings().accounts.access_token_lifetime).min(session_expires_at);
    let access_token = app
        .tokens()
        .issue_scoped(ACCOUNT_AUDIENCE, &account.id, &session.id, Some(SessionScope::Full.code()), now, expires_at)
        .map_err(Error::internal)?;
    Ok(Ok(Session {
        access_token,
        expires_at,
        refresh_token: Some(next),
        session_expires_at,
        scope: SessionScope::Full,
        required_actions: Vec::new(),
    }))
}

/// New tokens for a full session; the refresh token is replaced each time.
pub async fn refresh(app: &App, caller: &Caller, refresh_token: Option<String>) -> Result<Session, Error> {
    let refresh_token = refresh_token.ok_or_else(refused)?;
    let caller = caller.clone();
    // A reused token's revocation must commit although the request is refused.
    app.run(move |conn, app| write_transaction(conn, |conn| rotate(conn, app, &caller, &refresh_token))).await?
}

/// Ends the caller's session: its access and refresh tokens stop working at once.
pub async fn sign_out(app: &App, caller: &Caller) -> Result<(), Error> {
    let caller = caller.clone();
    app.run(move |conn, app| {
        let holder: Holder = authenticate(conn, app, &caller)?;
        let now = app.now();
        write_transaction(conn, |conn| {
            admins::revoke_session(conn, &holder.session_id, now)?;
            record(conn, &holder.by(), &holder.account_id, "account.signed_out", serde_json::json!({}), now)
        })
    })
    .await
}

/// The holder's account, for use cases that check it before they change it.
pub(crate) async fn holder_and_account(app: &App, caller: &Caller) -> Result<(Holder, AccountRow), Error> {
    let caller = caller.clone();
    app.run(move |conn, app| {
        let holder = authenticate(conn, app, &caller)?;
        let account = load_account(conn, &holder.account_id)?;
        Ok((holder, account))
    })
    .await
}

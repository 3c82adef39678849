//! Account holders: sessions with scopes (R-L1, R-L3, R-L7, R-L8), activation and passwords
//! (R-L1, R-L2), self-service resets (R-L7), their own profile and the directory (R-L9).
//!
//! A session's scope says what its tokens may do (`domain::account::SessionScope`). The session
//! row is the authority for scope and revocation; the JWT names the session. Full sessions come
//! with a refresh token that rotates on every use; presenting a superseded refresh token
//! revokes the session (it may have been stolen). Every use case that needs a signed-in holder
//! authenticates the [`Caller`] itself ([`authenticate`]), in its first database round trip.

pub mod activation;
pub mod directory;
pub mod inactivity;
pub mod leavers;
pub mod mailboxes;
pub mod profile;
pub mod resets;
pub mod sessions;

use crate::audit::{self, Actor, By};
use crate::secrets::new_refresh_token;
use crate::tokens::ACCOUNT_AUDIENCE;
use crate::{App, Caller, Error};
use chrono::{DateTime, Duration, Utc};
use domain::Violation;
use domain::account::{AccountStatus, ActivationProgress, RequiredAction, SessionScope, password_expired};
use persistence::accounts::{self, AccountRow};
use persistence::time::from_db;
use persistence::{DbConnection, admins};

/// How long an activation or password-change session lasts.
const NARROW_SESSION: Duration = Duration::minutes(30);

/// Tokens for a session.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    /// When the access token stops working.
    pub expires_at: DateTime<Utc>,
    /// Only for full sessions; each use replaces it.
    pub refresh_token: Option<String>,
    /// When the session ends and a new sign-in is needed.
    pub session_expires_at: DateTime<Utc>,
    pub scope: SessionScope,
    /// What must be done before anything else, in order (R-L1).
    pub required_actions: Vec<RequiredAction>,
}

/// Where an account stands in its activation, and a new session when the change replaced the
/// old one.
#[derive(Debug, Clone)]
pub struct AccountState {
    pub status: AccountStatus,
    pub required_actions: Vec<RequiredAction>,
    pub session: Option<Session>,
}

/// A signed-in account holder with a live session.
#[derive(Debug, Clone)]
pub(crate) struct Holder {
    pub account_id: String,
    pub session_id: String,
    pub scope: SessionScope,
    pub origin: crate::audit::Origin,
}

impl Holder {
    /// Refuses unless the session's scope is one of `allowed` (R-L1).
    pub fn require(&self, allowed: &[SessionScope]) -> Result<(), Error> {
        self.scope
            .allows(allowed)
            .map_err(|e| Error::new(crate::ErrorKind::Forbidden).with_code(e.code(), e.rule()).detail(e.to_string()))
    }

    pub fn by(&self) -> By {
        by(&self.account_id, self.origin.clone())
    }
}

pub(crate) fn by(account_id: &str, origin: crate::audit::Origin) -> By {
    By::new(Actor { kind: "account", id: Some(account_id.to_owned()) }, origin)
}

/// Recognises an account access token: signed by us for accounts, unexpired, its session still
/// open and its account able to sign in. Reads only.
pub(crate) fn authenticate(conn: &mut DbConnection, app: &App, caller: &Caller) -> Result<Holder, Error> {
    let refused = || Error::unauthorized("Sign in; the access token is missing, not valid or has expired.");
    let token = caller.token.as_deref().ok_or_else(refused)?;
    let now = app.now();
    let claims = app.tokens().verify(token, ACCOUNT_AUDIENCE, now).map_err(|_| refused())?;
    let session = admins::session(conn, &claims.jti)?
        .filter(|s| s.subject_type == "account" && s.subject_id == claims.sub && s.is_live(now))
        .ok_or_else(refused)?;
    let open = accounts::account(conn, &claims.sub)?.is_some_and(|a| a.status().can_sign_in());
    let scope = SessionScope::parse(&session.scope).filter(|_| open).ok_or_else(refused)?;
    Ok(Holder { account_id: claims.sub, session_id: session.id, scope, origin: caller.origin.clone() })
}

/// The holder's account, which may have gone since the token was checked.
pub(crate) fn load_account(conn: &mut DbConnection, id: &str) -> Result<AccountRow, Error> {
    accounts::account(conn, id)?.ok_or_else(|| Error::unauthorized("The account is no longer available."))
}

/// R-L1: what an account has done of its activation.
pub(crate) fn progress(account: &AccountRow) -> ActivationProgress {
    ActivationProgress {
        password_changed: !account.password_is_temporary || account.status() != AccountStatus::PendingActivation,
        security_questions_set: account.security_questions_set_at.is_some(),
        acceptable_use_accepted: account.aup_accepted_at.is_some(),
        directory_visibility_chosen: account.mobile_visibility_chosen_at.is_some(),
    }
}

/// The scope a sign-in gets now (R-L1, R-L3, R-L7).
pub(crate) fn scope_for(account: &AccountRow, max_age: Duration, now: DateTime<Utc>) -> SessionScope {
    let changed = account.password_changed_at.map_or_else(|| from_db(account.created_at), from_db);
    SessionScope::at_sign_in(account.status(), account.password_is_temporary, password_expired(changed, max_age, now))
}

pub(crate) fn state_of(account: &AccountRow, scope: SessionScope, session: Option<Session>) -> AccountState {
    AccountState { status: account.status(), required_actions: scope.required_actions(&progress(account)), session }
}

/// Opens a session for an account, inside the caller's transaction.
pub(crate) fn open_session(
    conn: &mut DbConnection,
    app: &App,
    account: &AccountRow,
    scope: SessionScope,
) -> Result<Session, Error> {
    let (now, settings) = (app.now(), app.settings().accounts);
    let session_id = uuid::Uuid::new_v4().to_string();
    let (session_expires_at, refresh_token) = match scope {
        SessionScope::Full => (now + settings.session_lifetime, Some(new_refresh_token(&session_id)?)),
        SessionScope::Activation | SessionScope::PasswordChange => (now + NARROW_SESSION, None),
    };
    let refresh_hash = refresh_token.as_deref().map(|t| app.hasher().refresh_token(t));
    admins::open_scoped_session(
        conn,
        &session_id,
        "account",
        &account.id,
        scope.code(),
        refresh_hash.as_deref(),
        now,
        session_expires_at,
    )?;
    let expires_at = (now + settings.access_token_lifetime).min(session_expires_at);
    let access_token = app
        .tokens()
        .issue_scoped(ACCOUNT_AUDIENCE, &account.id, &session_id, Some(scope.code()), now, expires_at)
        .map_err(Error::internal)?;
    Ok(Session {
        access_token,
        expires_at,
        refresh_token,
        session_expires_at,
        scope,
        required_actions: scope.required_actions(&progress(account)),
    })
}

/// Usernames are compared in lower case; `@<mail domain>` may be left off.
pub fn normalise_username(username: &str, mail_domain: &str) -> String {
    let username = username.trim().to_lowercase();
    if username.contains('@') { username } else { format!("{username}@{mail_domain}") }
}

/// Records an account holder's change to their own account.
pub(crate) fn record(
    conn: &mut DbConnection,
    by: &By,
    account_id: &str,
    action: &str,
    details: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    audit::record(conn, by, action, ("account", account_id), details, now)
}

//! Helpdesk administrators: creation (from the command line), sign-in for a short-lived access
//! token, sign-out, and recognising a live helpdesk session; their work on accounts is in
//! [`accounts`].

pub mod accounts;
pub mod administrators;
pub mod console;
pub mod leavers;

use crate::audit::{self, Actor, By, Origin};
use crate::sign_in::{self, Principal};
use crate::tokens::HELPDESK_AUDIENCE;
use crate::{App, Caller, Error};
use chrono::{DateTime, Utc};
use domain::username::AdminUsername;
use persistence::admins::{self, AdminRow};
use persistence::{DbConnection, write_transaction};

#[derive(Debug, thiserror::Error)]
pub enum CreateAdminError {
    #[error("the username must be 3 to 64 letters, digits, dots, hyphens or underscores")]
    Username,
    #[error("the name must not be empty")]
    Name,
    #[error("the password is not acceptable: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "))]
    Password(Vec<domain::password::PasswordError>),
    #[error("an administrator with this username already exists")]
    Exists,
    #[error("{0}")]
    Failed(String),
}

/// Creates a helpdesk administrator, holding the password to the policy (R-L2).
pub fn create_admin(app: &App, username: &str, display_name: &str, password: &str) -> Result<String, CreateAdminError> {
    let now = app.now();
    let username = AdminUsername::parse(username).map_err(|_| CreateAdminError::Username)?;
    let username = username.as_str();
    let display_name = display_name.trim();
    if display_name.is_empty() {
        return Err(CreateAdminError::Name);
    }
    let names: Vec<&str> = std::iter::once(username).chain(display_name.split_whitespace()).collect();
    domain::password::check(password, &names).map_err(CreateAdminError::Password)?;
    let hash = app.passwords().hash_blocking(password).map_err(|e| CreateAdminError::Failed(e.to_string()))?;
    let id = uuid::Uuid::new_v4().to_string();
    let mut conn = app.database().get().map_err(|e| CreateAdminError::Failed(e.to_string()))?;
    write_transaction(&mut conn, |conn| {
        admins::insert(conn, &id, username, display_name, &hash, now)?;
        audit::record(conn, &By::system(), "admin.created", ("admin", &id), serde_json::json!({}), now)
    })
    .map_err(|e: Error| match e.kind() {
        crate::ErrorKind::Conflict => CreateAdminError::Exists,
        _ => CreateAdminError::Failed(e.to_string()),
    })?;
    Ok(id)
}

impl Principal for AdminRow {
    const LIMIT_SCOPE: &'static str = "admin_sign_in";

    fn find(conn: &mut DbConnection, username: &str) -> Result<Option<Self>, Error> {
        Ok(admins::by_username(conn, username)?)
    }

    fn password_hash(&self) -> Option<String> {
        Some(self.password_hash.clone()).filter(|_| self.disabled_at.is_none())
    }
}

/// Tokens for a helpdesk session.
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    /// Works once, for new tokens; each use replaces it.
    pub refresh_token: String,
    /// When the session ends and a new sign-in is needed.
    pub session_expires_at: DateTime<Utc>,
}

/// An access token for the session, expiring no later than the session.
fn access_token(
    app: &App,
    admin_id: &str,
    session_id: &str,
    session_expires_at: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), Error> {
    let now = app.now();
    let expires_at = (now + app.settings().admin_token_lifetime).min(session_expires_at);
    let token =
        app.tokens().issue(HELPDESK_AUDIENCE, admin_id, session_id, now, expires_at).map_err(Error::internal)?;
    Ok((token, expires_at))
}

/// Signs an administrator in for a short-lived access token (R-L8).
pub async fn sign_in(
    app: &App,
    caller: &Caller,
    username: Option<String>,
    password: Option<String>,
) -> Result<AccessToken, Error> {
    let (username, password) = sign_in::credentials(username, password)?;
    let verified = sign_in::verify::<AdminRow>(app, caller, AdminUsername::normalise(&username), password).await?;
    let origin = caller.origin.clone();
    app.run(move |conn, app| {
        let now = app.now();
        let admin = &verified.holder;
        let session_id = uuid::Uuid::new_v4().to_string();
        let session_expires_at = now + app.settings().admin_session_lifetime;
        let (access_token, expires_at) = access_token(app, &admin.id, &session_id, session_expires_at)?;
        let refresh_token = crate::secrets::new_refresh_token(&session_id)?;
        let refresh_hash = app.hasher().refresh_token(&refresh_token);
        write_transaction(conn, |conn| {
            sign_in::succeeded(conn, &verified)?;
            let (id, subject) = (session_id.as_str(), admin.id.as_str());
            admins::open_scoped_session(
                conn,
                id,
                "admin",
                subject,
                "full",
                Some(&refresh_hash),
                now,
                session_expires_at,
            )?;
            let by = By::new(Actor { kind: "admin", id: Some(admin.id.clone()) }, origin);
            audit::record(conn, &by, "admin.signed_in", ("session", &session_id), serde_json::json!({}), now)
        })?;
        Ok(AccessToken { access_token, expires_at, refresh_token, session_expires_at })
    })
    .await
}

/// New tokens for a helpdesk session, for as long as the session lasts; the refresh token is
/// replaced each time, and one presented again ends the session.
pub async fn refresh(app: &App, caller: &Caller, refresh_token: Option<String>) -> Result<AccessToken, Error> {
    let refused = || Error::unauthorized("The refresh token is not valid, was used already, or its session has ended.");
    let refresh_token = refresh_token.ok_or_else(refused)?;
    let origin = caller.origin.clone();
    let answer = app
        .run(move |conn, app| {
            let now = app.now();
            write_transaction(conn, |conn| {
                let (session, next) = match crate::refresh::rotate(conn, app, "admin", &refresh_token, now)? {
                    crate::refresh::Rotation::Refused => return Ok(None),
                    crate::refresh::Rotation::Reused(session) => {
                        let by = By::new(Actor { kind: "admin", id: Some(session.subject_id.clone()) }, origin.clone());
                        let details = serde_json::json!({"session": session.id});
                        audit::record(conn, &by, "admin.refresh_token_reused", ("session", &session.id), details, now)?;
                        return Ok(None);
                    }
                    crate::refresh::Rotation::Rotated(session, next) => (session, next),
                };
                if admins::get(conn, &session.subject_id)?.is_none_or(|a| a.disabled_at.is_some()) {
                    return Ok(None);
                }
                let session_expires_at = persistence::time::from_db(session.expires_at);
                let (access_token, expires_at) =
                    access_token(app, &session.subject_id, &session.id, session_expires_at)?;
                Ok::<_, Error>(Some(AccessToken { access_token, expires_at, refresh_token: next, session_expires_at }))
            })
        })
        .await?;
    answer.ok_or_else(refused)
}

/// Ends the caller's helpdesk session: its access token stops working at once.
pub async fn sign_out(app: &App, caller: &Caller) -> Result<(), Error> {
    let caller = caller.clone();
    app.run(move |conn, app| {
        let admin = authenticate(conn, app, &caller)?;
        let now = app.now();
        write_transaction(conn, |conn| {
            admins::revoke_session(conn, &admin.session_id, now)?;
            let session = ("session", admin.session_id.as_str());
            audit::record(conn, &admin.by(), "admin.signed_out", session, serde_json::json!({}), now)
        })
    })
    .await
}

/// A signed-in helpdesk administrator with a live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Admin {
    pub id: String,
    pub session_id: String,
    pub origin: Origin,
}

impl Admin {
    /// The administrator as the audit trail names them, acting from where the request came.
    pub fn by(&self) -> By {
        By::new(Actor { kind: "admin", id: Some(self.id.clone()) }, self.origin.clone())
    }
}

/// Recognises a helpdesk access token: signed by us for the helpdesk, unexpired, its session
/// still open and its administrator not disabled. Reads only.
pub(crate) fn authenticate(conn: &mut DbConnection, app: &App, caller: &Caller) -> Result<Admin, Error> {
    let refused = || {
        Error::unauthorized(
            "Sign in as a helpdesk administrator; the access token is missing, not valid or has expired.",
        )
    };
    let token = caller.token.as_deref().ok_or_else(refused)?;
    let now = app.now();
    let claims = app.tokens().verify(token, HELPDESK_AUDIENCE, now).map_err(|_| refused())?;
    let live = admins::session(conn, &claims.jti)?
        .filter(|s| s.subject_type == "admin" && s.subject_id == claims.sub && s.is_live(now))
        .is_some();
    let admin = if live { admins::get(conn, &claims.sub)?.filter(|a| a.disabled_at.is_none()) } else { None };
    let admin = admin.ok_or_else(refused)?;
    Ok(Admin { id: admin.id, session_id: claims.jti, origin: caller.origin.clone() })
}

/// Runs helpdesk work for the caller, once they are recognised as a signed-in administrator.
pub(crate) async fn as_admin<T, F>(app: &App, caller: &Caller, work: F) -> Result<T, Error>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection, &App, &Admin) -> Result<T, Error> + Send + 'static,
{
    let caller = caller.clone();
    app.run(move |conn, app| {
        let admin = authenticate(conn, app, &caller)?;
        work(conn, app, &admin)
    })
    .await
}

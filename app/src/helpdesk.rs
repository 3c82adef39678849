//! Helpdesk administrators: creation (from the command line), sign-in for a short-lived access
//! token, and recognising a live helpdesk session.

use crate::audit::{self, Actor, By};
use crate::limits;
use crate::tokens::HELPDESK_AUDIENCE;
use crate::{App, Error};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use persistence::admins;
use persistence::write_transaction;

const SIGN_IN_SCOPE: &str = "admin_sign_in";

/// Usernames are compared in lower case, without surrounding spaces.
pub fn normalise_username(username: &str) -> String {
    username.trim().to_lowercase()
}

#[derive(Debug, thiserror::Error)]
pub enum CreateAdminError {
    #[error("the username must be 3 to 64 letters, digits, dots, hyphens or underscores")]
    Username,
    #[error("the name must not be empty")]
    Name,
    #[error("the password is not acceptable: {0}")]
    Password(String),
    #[error("an administrator with this username already exists")]
    Exists,
    #[error("{0}")]
    Failed(String),
}

/// Creates a helpdesk administrator, holding the password to the policy (R-L2).
pub fn create_admin(app: &App, username: &str, display_name: &str, password: &str) -> Result<String, CreateAdminError> {
    let now = app.now();
    let username = normalise_username(username);
    if !(3..=64).contains(&username.len()) || !username.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(CreateAdminError::Username);
    }
    let display_name = display_name.trim();
    if display_name.is_empty() {
        return Err(CreateAdminError::Name);
    }
    let names: Vec<&str> = std::iter::once(username.as_str()).chain(display_name.split_whitespace()).collect();
    domain::password::check(password, &names).map_err(|errors| {
        CreateAdminError::Password(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "))
    })?;
    let hash = app.passwords().hash_blocking(password).map_err(|e| CreateAdminError::Failed(e.to_string()))?;
    let id = uuid::Uuid::new_v4().to_string();
    let mut conn = app.database().get().map_err(|e| CreateAdminError::Failed(e.to_string()))?;
    write_transaction(&mut conn, |conn| {
        admins::insert(conn, &id, &username, display_name, &hash, now)?;
        audit::record(
            conn,
            &By::system(),
            "admin.created",
            ("admin", &id),
            serde_json::json!({"username": username}),
            now,
        )
    })
    .map_err(|e: Error| match e.kind() {
        crate::ErrorKind::Conflict => CreateAdminError::Exists,
        _ => CreateAdminError::Failed(e.to_string()),
    })?;
    Ok(id)
}

fn invalid_credentials() -> Error {
    Error::unauthorized("The username or password is not right.")
        .with_code(ProblemCode::InvalidCredentials, Some("R-L8"))
}

/// A successful sign-in.
#[derive(Debug)]
pub struct SignedIn {
    pub admin_id: String,
    pub session_id: String,
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Signs an administrator in (R-L8): the same answer for an unknown username and a wrong
/// password, in comparable time; repeated failures lock the username for a while.
pub async fn sign_in(app: &App, username: &str, password: String) -> Result<SignedIn, Error> {
    let username = normalise_username(username);
    let now = app.now();
    let lookup = username.clone();
    let (attempt, admin) = app
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let attempt = limits::begin_sign_in(conn, SIGN_IN_SCOPE, &lookup, now)?;
                Ok((attempt, admins::by_username(conn, &lookup)?))
            })
        })
        .await?;
    let attempt = attempt.map_err(|until| limits::sign_in_locked(until, now))?;
    let usable = admin.filter(|a| a.disabled_at.is_none());
    let matches = app.passwords().verify(password, usable.as_ref().map(|a| a.password_hash.clone())).await?;
    let Some(admin) = usable.filter(|_| matches) else {
        return Err(invalid_credentials());
    };
    let session_id = uuid::Uuid::new_v4().to_string();
    let expires_at = now + app.settings().admin_token_lifetime;
    let access_token =
        app.tokens().issue(HELPDESK_AUDIENCE, &admin.id, &session_id, now, expires_at).map_err(Error::internal)?;
    let (admin_id, session) = (admin.id.clone(), session_id.clone());
    app.db(move |conn| {
        write_transaction(conn, |conn| {
            limits::sign_in_succeeded(conn, &attempt)?;
            admins::open_session(conn, &session, "admin", &admin_id, now, expires_at)?;
            Ok(())
        })
    })
    .await?;
    Ok(SignedIn { admin_id: admin.id, session_id, access_token, expires_at })
}

/// A signed-in helpdesk administrator with a live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSession {
    pub id: String,
    pub username: String,
    pub session_id: String,
}

impl AdminSession {
    /// The administrator as the audit trail names them.
    pub fn actor(&self) -> Actor {
        Actor { kind: "admin", id: Some(self.id.clone()) }
    }
}

/// Recognises a helpdesk access token: signed by us for the helpdesk, unexpired, its session
/// still open and its administrator not disabled. Reads only.
pub async fn authenticate(app: &App, token: Option<String>) -> Result<AdminSession, Error> {
    let refused = || {
        Error::unauthorized(
            "Sign in as a helpdesk administrator; the access token is missing, not valid or has expired.",
        )
    };
    let token = token.ok_or_else(refused)?;
    let now = app.now();
    let claims = app.tokens().verify(&token, HELPDESK_AUDIENCE, now).map_err(|_| refused())?;
    let admin = app
        .db(move |conn| {
            let live = admins::session(conn, &claims.jti)?
                .filter(|s| s.subject_type == "admin" && s.subject_id == claims.sub && s.is_live(now));
            let admin = match live {
                Some(_) => admins::get(conn, &claims.sub)?.filter(|a| a.disabled_at.is_none()),
                None => None,
            };
            Ok(admin.map(|a| AdminSession { id: a.id, username: a.username, session_id: claims.jti }))
        })
        .await?;
    admin.ok_or_else(refused)
}

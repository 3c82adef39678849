//! Helpdesk administrators: creation (from the command line), sign-in for a short-lived access
//! token, and the extractor that admits only a live helpdesk session.

use crate::limits;
use crate::passwords::Passwords;
use crate::problem::ApiError;
use crate::state::AppState;
use crate::tokens::HELPDESK_AUDIENCE;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use futures_util::future::LocalBoxFuture;
use persistence::admins;
use persistence::audit::Actor;
use persistence::{Database, write_transaction};

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
pub fn create_admin(
    db: &Database,
    passwords: &Passwords,
    username: &str,
    display_name: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<String, CreateAdminError> {
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
    let hash = passwords.hash_blocking(password).map_err(|e| CreateAdminError::Failed(e.to_string()))?;
    let id = uuid::Uuid::new_v4().to_string();
    let mut conn = db.get().map_err(|e| CreateAdminError::Failed(e.to_string()))?;
    write_transaction(&mut conn, |conn| {
        admins::insert(conn, &id, &username, display_name, &hash, now)?;
        persistence::audit::record(
            conn,
            &persistence::audit::AuditEntry {
                actor: &Actor::system(),
                origin: &persistence::audit::Origin::default(),
                action: "admin.created",
                object_type: "admin",
                object_id: Some(&id),
                details: serde_json::json!({"username": username}),
            },
            now,
        )
    })
    .map_err(|e| match e {
        persistence::StoreError::Conflict(_) => CreateAdminError::Exists,
        other => CreateAdminError::Failed(other.to_string()),
    })?;
    Ok(id)
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("The username or password is not right.")
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
pub async fn sign_in(state: &web::Data<AppState>, username: &str, password: String) -> Result<SignedIn, ApiError> {
    let username = normalise_username(username);
    let now = state.clock.now();
    let lookup = username.clone();
    let (attempt, admin) = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let attempt = limits::begin_sign_in(conn, SIGN_IN_SCOPE, &lookup, now)?;
                Ok((attempt, admins::by_username(conn, &lookup)?))
            })
        })
        .await?;
    let attempt = attempt.map_err(|until| limits::sign_in_locked(until, now))?;
    let usable = admin.filter(|a| a.disabled_at.is_none());
    let matches = state.passwords.verify(password, usable.as_ref().map(|a| a.password_hash.clone())).await?;
    let Some(admin) = usable.filter(|_| matches) else {
        return Err(invalid_credentials());
    };
    let session_id = uuid::Uuid::new_v4().to_string();
    let expires_at = now + state.config.admin_token_lifetime;
    let access_token =
        state.tokens.issue(HELPDESK_AUDIENCE, &admin.id, &session_id, now, expires_at).map_err(ApiError::internal)?;
    let (admin_id, session) = (admin.id.clone(), session_id.clone());
    state
        .db(move |conn| {
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
#[derive(Debug, Clone)]
pub struct Admin {
    pub id: String,
    pub username: String,
    pub session_id: String,
}

impl Admin {
    pub fn actor(&self) -> Actor {
        Actor { kind: "admin", id: Some(self.id.clone()) }
    }
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = crate::journey::bearer_token(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let refused = || {
                ApiError::unauthorized(
                    "Sign in as a helpdesk administrator; the access token is missing, not valid or has expired.",
                )
            };
            let token = token.ok_or_else(refused)?;
            let now = state.clock.now();
            let claims = state.tokens.verify(&token, HELPDESK_AUDIENCE, now).map_err(|_| refused())?;
            let admin = state
                .db(move |conn| {
                    let live = admins::session(conn, &claims.jti)?
                        .filter(|s| s.subject_type == "admin" && s.subject_id == claims.sub && s.is_live(now));
                    let admin = match live {
                        Some(_) => admins::get(conn, &claims.sub)?.filter(|a| a.disabled_at.is_none()),
                        None => None,
                    };
                    Ok(admin.map(|a| Admin { id: a.id, username: a.username, session_id: claims.jti }))
                })
                .await?;
            admin.ok_or_else(refused)
        })
    }
}

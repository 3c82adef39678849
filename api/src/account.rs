//! Account holders: sign-in, sessions with scopes, and the password rules (R-L1–R-L3, R-L8).
//!
//! A session's scope says what its tokens may do: `activation` (a new account's required
//! actions only, R-L1), `password_change` (an expired or helpdesk-reset password, R-L3, R-L7) or
//! `full`. The session row is the authority for scope and revocation; the JWT names the session.
//! Full sessions come with a refresh token that rotates on every use; presenting a superseded
//! refresh token revokes the session (it may have been stolen).

use crate::problem::{ApiError, FieldError, ProblemType};
use crate::state::AppState;
use crate::wire::TokenType;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use app::limits;
use app::secrets::{digests_equal, new_refresh_token};
use app::tokens::ACCOUNT_AUDIENCE;
use chrono::{DateTime, Duration, Utc};
use domain::ProblemCode;
use domain::account::{AccountStatus, ActivationProgress, RequiredAction, password_expired};
use domain::password::HISTORY_DEPTH;
use futures_util::future::LocalBoxFuture;
use persistence::accounts::{self, AccountRow};
use persistence::audit::Actor;
use persistence::time::from_db;
use persistence::{DbConnection, account_life, admins, write_transaction};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const SIGN_IN_SCOPE: &str = "account_sign_in";
/// How long an activation or password-change session lasts.
const NARROW_SESSION: Duration = Duration::minutes(30);

pub use crate::wire::SessionScope as Scope;

impl Scope {
    pub fn code(self) -> &'static str {
        match self {
            Self::Activation => "activation",
            Self::PasswordChange => "password_change",
            Self::Full => "full",
        }
    }

    /// `None` for a value this version does not know: such a session grants nothing.
    pub fn parse(code: &str) -> Option<Self> {
        [Self::Activation, Self::PasswordChange, Self::Full].into_iter().find(|s| s.code() == code)
    }
}

/// R-L1: what an account has done of its activation.
pub fn progress(account: &AccountRow) -> ActivationProgress {
    ActivationProgress {
        password_changed: !account.password_is_temporary || account.status() != AccountStatus::PendingActivation,
        security_questions_set: account.security_questions_set_at.is_some(),
        acceptable_use_accepted: account.aup_accepted_at.is_some(),
        directory_visibility_chosen: account.mobile_visibility_chosen_at.is_some(),
    }
}

/// The scope a sign-in gets now.
pub fn scope_for(account: &AccountRow, max_age: Duration, now: DateTime<Utc>) -> Scope {
    if account.status() == AccountStatus::PendingActivation {
        return Scope::Activation;
    }
    let changed = account.password_changed_at.map_or_else(|| from_db(account.created_at), from_db);
    if account.password_is_temporary || password_expired(changed, max_age, now) {
        Scope::PasswordChange
    } else {
        Scope::Full
    }
}

/// What is still required of the account, in order.
pub fn required_actions(account: &AccountRow, scope: Scope) -> Vec<crate::wire::RequiredAction> {
    match scope {
        Scope::Activation => progress(account).required().into_iter().map(Into::into).collect(),
        Scope::PasswordChange => vec![RequiredAction::ChangePassword.into()],
        Scope::Full => Vec::new(),
    }
}

/// Tokens for a session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJuaHNtYWlsLWRlbnRhbCJ9.c2ln", "token_type": "Bearer",
    "expires_at": "2026-11-21T10:30:00Z", "refresh_token": "drt_0b6f4c1e-5d0c-4b8e-9d7e-3f1a2b3c4d5e.Q2hhbmdlIG1lIGJlZm9yZSB1c2U", "session_expires_at": "2026-11-21T22:15:00Z",
    "scope": "full", "required_actions": []}))]
pub struct Session {
    pub access_token: String,
    pub token_type: TokenType,
    /// When the access token stops working; refresh before then.
    pub expires_at: DateTime<Utc>,
    /// Only for full sessions: exchange at `POST /v1/account/sessions/refresh` for new tokens.
    /// Each use replaces it.
    pub refresh_token: Option<String>,
    /// When the session ends and a new sign-in is needed.
    pub session_expires_at: DateTime<Utc>,
    pub scope: Scope,
    /// What must be done before anything else, in order (R-L1).
    pub required_actions: Vec<crate::wire::RequiredAction>,
}

/// Opens a session for an account (inside the caller's transaction).
pub fn open_session(
    conn: &mut DbConnection,
    state: &AppState,
    account: &AccountRow,
    scope: Scope,
    now: DateTime<Utc>,
) -> Result<Session, ApiError> {
    let settings = state.config.app.accounts;
    let session_id = uuid::Uuid::new_v4().to_string();
    let (session_expires_at, refresh_token) = match scope {
        Scope::Full => (now + settings.session_lifetime, Some(new_refresh_token(&session_id)?)),
        Scope::Activation | Scope::PasswordChange => (now + NARROW_SESSION, None),
    };
    let refresh_hash = refresh_token.as_deref().map(|t| state.app.hasher().refresh_token(t));
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
    let access_token = state
        .app
        .tokens()
        .issue_scoped(ACCOUNT_AUDIENCE, &account.id, &session_id, Some(scope.code()), now, expires_at)
        .map_err(ApiError::internal)?;
    Ok(Session {
        access_token,
        token_type: TokenType::Bearer,
        expires_at,
        refresh_token,
        session_expires_at,
        scope,
        required_actions: required_actions(account, scope),
    })
}

/// Usernames are compared in lower case; `@<mail domain>` may be left off.
pub fn normalise_username(username: &str, mail_domain: &str) -> String {
    let username = username.trim().to_lowercase();
    if username.contains('@') { username } else { format!("{username}@{mail_domain}") }
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("The username or password is not right.")
        .with_code(ProblemCode::InvalidCredentials, Some("R-L8"))
}

/// Signs an account holder in (R-L8): one answer for an unknown username, a wrong password or a
/// closed account, in comparable time; repeated failures lock the username.
pub async fn sign_in(state: &web::Data<AppState>, username: &str, password: String) -> Result<Session, ApiError> {
    let username = normalise_username(username, state.config.app.mail_domain.as_str());
    let now = state.app.now();
    let lookup = username.clone();
    let (attempt, account) = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let attempt = limits::begin_sign_in(conn, SIGN_IN_SCOPE, &lookup, now)?;
                Ok((attempt, accounts::account_by_username(conn, &lookup)?))
            })
        })
        .await?;
    let attempt = attempt.map_err(|until| limits::sign_in_locked(until, now))?;
    let usable = account.filter(|a| a.status().can_sign_in());
    let matches = state.app.passwords().verify(password, usable.as_ref().and_then(|a| a.password_hash.clone())).await?;
    let Some(account) = usable.filter(|_| matches) else {
        return Err(invalid_credentials());
    };
    // Only someone who knows the temporary password learns that it has expired.
    if account.password_is_temporary && account.password_expires_at.is_some_and(|at| from_db(at) <= now) {
        return Err(ApiError::unauthorized("This temporary password has expired. Ask the helpdesk for a new one.")
            .with_code(ProblemCode::TemporaryPasswordExpired, Some("R-A3")));
    }
    let worker = state.clone();
    state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                limits::sign_in_succeeded(conn, &attempt)?;
                account_life::record_sign_in(conn, &account.id, now)?;
                let status = account.status().after_sign_in();
                if status != account.status() {
                    account_life::set_status(conn, &account.id, status, None, now)?;
                }
                let scope = scope_for(&account, worker.config.app.accounts.password_max_age, now);
                let session = open_session(conn, &worker, &account, scope, now)?;
                audit(conn, &account.id, "account.signed_in", serde_json::json!({"scope": scope.code()}), now)?;
                Ok(session)
            })
        })
        .await
}

pub fn audit(
    conn: &mut DbConnection,
    account_id: &str,
    action: &str,
    details: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    persistence::audit::record(
        conn,
        &persistence::audit::AuditEntry {
            actor: &Actor { kind: "account", id: Some(account_id.to_owned()) },
            origin: &persistence::audit::Origin { request_id: crate::request_id::current(), client_address: None },
            action,
            object_type: "account",
            object_id: Some(account_id),
            details,
        },
        now,
    )?;
    Ok(())
}

/// Exchanges a refresh token for new tokens; the old refresh token stops working. A superseded
/// token revokes the whole session.
pub async fn refresh(state: &web::Data<AppState>, refresh_token: String) -> Result<Session, ApiError> {
    let refused = || ApiError::unauthorized("The refresh token is not valid; sign in again.");
    let session_id = refresh_token
        .strip_prefix("drt_")
        .and_then(|rest| rest.split_once('.'))
        .map(|(id, _)| id.to_owned())
        .ok_or_else(refused)?;
    let now = state.app.now();
    let presented = state.app.hasher().refresh_token(&refresh_token);
    let worker = state.clone();
    state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let Some(session) = admins::session(conn, &session_id)?.filter(|s| s.subject_type == "account") else {
                    return Ok(Err(refused()));
                };
                if !session.is_live(now) {
                    return Ok(Err(refused()));
                }
                if !session.refresh_hash.as_deref().is_some_and(|h| digests_equal(h, &presented)) {
                    admins::revoke_session(conn, &session.id, now)?;
                    audit(
                        conn,
                        &session.subject_id,
                        "account.refresh_token_reused",
                        serde_json::json!({"session": session.id}),
                        now,
                    )?;
                    return Ok(Err(refused()));
                }
                let Some(account) =
                    accounts::account(conn, &session.subject_id)?.filter(|a| a.status() == AccountStatus::Active)
                else {
                    return Ok(Err(refused()));
                };
                let next = new_refresh_token(&session.id)?;
                if !admins::rotate_refresh(conn, &session.id, &presented, &worker.app.hasher().refresh_token(&next))? {
                    return Ok(Err(refused()));
                }
                let settings = worker.config.app.accounts;
                let expires_at = (now + settings.access_token_lifetime).min(from_db(session.expires_at));
                let access_token = worker
                    .app
                    .tokens()
                    .issue_scoped(ACCOUNT_AUDIENCE, &account.id, &session.id, Some("full"), now, expires_at)
                    .map_err(ApiError::internal)?;
                Ok(Ok(Session {
                    access_token,
                    token_type: TokenType::Bearer,
                    expires_at,
                    refresh_token: Some(next),
                    session_expires_at: from_db(session.expires_at),
                    scope: Scope::Full,
                    required_actions: Vec::new(),
                }))
            })
        })
        .await?
}

/// A signed-in account holder with a live session.
#[derive(Debug, Clone)]
pub struct AccountHolder {
    pub account_id: String,
    pub session_id: String,
    pub scope: Scope,
}

impl AccountHolder {
    /// Refuses unless the session's scope is one of `allowed`: 403 naming what must come first.
    pub fn require(&self, allowed: &[Scope]) -> Result<(), ApiError> {
        if allowed.contains(&self.scope) {
            return Ok(());
        }
        let (code, detail) = match self.scope {
            Scope::Activation => {
                (ProblemCode::ActivationRequired, "Complete the account's activation first: see `required_actions`.")
            }
            Scope::PasswordChange => (ProblemCode::PasswordChangeRequired, "Change the password first."),
            Scope::Full => (ProblemCode::AlreadyActivated, "This is only for accounts being activated."),
        };
        Err(ApiError::new(ProblemType::Forbidden).with_code(code, Some("R-L1")).detail(detail))
    }
}

impl FromRequest for AccountHolder {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = crate::journey::bearer_token(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let refused = || ApiError::unauthorized("Sign in; the access token is missing, not valid or has expired.");
            let token = token.ok_or_else(refused)?;
            let now = state.app.now();
            let claims = state.app.tokens().verify(&token, ACCOUNT_AUDIENCE, now).map_err(|_| refused())?;
            let holder = state
                .db(move |conn| {
                    let Some(session) = admins::session(conn, &claims.jti)?
                        .filter(|s| s.subject_type == "account" && s.subject_id == claims.sub && s.is_live(now))
                    else {
                        return Ok(None);
                    };
                    let open = accounts::account(conn, &claims.sub)?.is_some_and(|a| a.status().can_sign_in());
                    let scope = Scope::parse(&session.scope).filter(|_| open);
                    Ok(scope.map(|scope| AccountHolder { account_id: claims.sub, session_id: session.id, scope }))
                })
                .await?;
            holder.ok_or_else(refused)
        })
    }
}

/// Checks a new password (R-L2): the policy, then the last four passwords. Runs the argon2
/// comparisons on the blocking pool.
pub async fn check_new_password(
    state: &web::Data<AppState>,
    account: &AccountRow,
    candidate: &str,
) -> Result<(), ApiError> {
    let local = account.username.split('@').next().unwrap_or_default().to_owned();
    let personal =
        [account.first_name.clone().unwrap_or_default(), account.last_name.clone().unwrap_or_default(), local];
    let personal: Vec<&str> = personal.iter().map(String::as_str).collect();
    domain::password::check(candidate, &personal).map_err(|errors| {
        ApiError::validation(errors.iter().map(|e| FieldError::from_violation("/new_password", e)).collect())
    })?;
    let account_id = account.id.clone();
    let mut recent = state
        .db(move |conn| {
            Ok(account_life::previous_passwords(conn, &account_id, i64::try_from(HISTORY_DEPTH - 1).unwrap_or(3))?)
        })
        .await?;
    recent.extend(account.password_hash.clone());
    for hash in recent {
        if state.app.passwords().verify(candidate.to_owned(), Some(hash)).await? {
            let error = domain::password::PasswordError::RecentlyUsed;
            return Err(ApiError::validation(vec![FieldError::from_violation("/new_password", &error)]));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_session_scope_grants_nothing() {
        for scope in [Scope::Activation, Scope::PasswordChange, Scope::Full] {
            assert_eq!(Scope::parse(scope.code()), Some(scope));
        }
        assert_eq!(Scope::parse("admin"), None);
        assert_eq!(Scope::parse(""), None);
    }
}

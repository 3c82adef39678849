//! Helpdesk administrators managed by the helpdesk (issue 14.6): list them, create another (with a
//! password held to the policy, R-L2, which the creator passes on by a separate channel), and
//! disable one, whose sessions end at once. Nobody disables themselves, so the helpdesk always
//! keeps someone who can sign in. The command line (`admins create`) remains for the first one.

use super::{CreateAdminError, as_admin, create_admin};
use crate::{App, Caller, Error, ErrorKind, FieldError, audit};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use persistence::admins::{self, AdminRow};
use persistence::time::from_db;
use persistence::write_transaction;

/// A helpdesk administrator, as the helpdesk sees them.
#[derive(Debug, Clone)]
pub struct Administrator {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

fn administrator(row: AdminRow) -> Administrator {
    Administrator {
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        created_at: from_db(row.created_at),
        disabled_at: row.disabled_at.map(from_db),
    }
}

/// Every administrator, by username.
pub async fn list(app: &App, caller: &Caller) -> Result<Vec<Administrator>, Error> {
    as_admin(app, caller, |conn, _, _| Ok(admins::all(conn)?.into_iter().map(administrator).collect())).await
}

/// Creates an administrator; every bad field is named.
pub async fn create(
    app: &App,
    caller: &Caller,
    username: Option<String>,
    display_name: Option<String>,
    password: Option<String>,
) -> Result<Administrator, Error> {
    let creator = as_admin(app, caller, |_, _, admin| Ok(admin.clone())).await?;
    let (username, display_name, password) =
        (username.unwrap_or_default(), display_name.unwrap_or_default(), password.unwrap_or_default());
    let app_for_work = app.clone();
    let made = tokio::task::spawn_blocking(move || create_admin(&app_for_work, &username, &display_name, &password))
        .await
        .map_err(|e| Error::unavailable(format!("blocking pool: {e}")))?;
    let id = made.map_err(|error| match error {
        CreateAdminError::Username => {
            let detail = "A username is 3 to 64 letters, digits, dots, hyphens or underscores.";
            Error::validation(vec![FieldError::new("/username", ProblemCode::AdminUsernameInvalid, None, detail)])
        }
        CreateAdminError::Name => {
            Error::validation(vec![FieldError::new("/display_name", ProblemCode::Required, None, "Give a name.")])
        }
        CreateAdminError::Password(errors) => {
            Error::validation(errors.iter().map(|e| FieldError::from_violation("/password", e)).collect())
        }
        CreateAdminError::Exists => Error::new(ErrorKind::Conflict)
            .with_code(ProblemCode::AlreadyExists, None)
            .detail("An administrator with this username exists already."),
        CreateAdminError::Failed(cause) => Error::unavailable(cause),
    })?;
    as_admin(app, caller, move |conn, app, _| {
        audit::record(conn, &creator.by(), "admin.created_by_admin", ("admin", &id), serde_json::json!({}), app.now())?;
        admins::get(conn, &id)?.map(administrator).ok_or_else(Error::not_found)
    })
    .await
}

/// Disables another administrator: they can no longer sign in, and their sessions end at once.
/// Safe to repeat.
pub async fn disable(app: &App, caller: &Caller, id: &str) -> Result<Administrator, Error> {
    let id = id.to_owned();
    as_admin(app, caller, move |conn, app, admin| {
        if admin.id == id {
            return Err(Error::new(ErrorKind::Conflict)
                .with_code(ProblemCode::AdminCannotDisableSelf, None)
                .detail("You cannot disable yourself: ask another administrator."));
        }
        let now = app.now();
        write_transaction(conn, |conn| {
            let target = admins::get(conn, &id)?.ok_or_else(Error::not_found)?;
            if admins::disable(conn, &target.id, now)? {
                let ended = admins::revoke_all(conn, "admin", &target.id, now)?;
                let details = serde_json::json!({"sessions_ended": ended});
                audit::record(conn, &admin.by(), "admin.disabled", ("admin", &target.id), details, now)?;
            }
            admins::get(conn, &id)?.map(administrator).ok_or_else(Error::not_found)
        })
    })
    .await
}

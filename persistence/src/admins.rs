//! Helpdesk administrators and the sessions behind every access token.

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{admins, sessions};
use crate::time::{from_db, to_db};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::conflict::Conflict;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = admins)]
pub struct AdminRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub created_at: NaiveDateTime,
    pub disabled_at: Option<NaiveDateTime>,
}

/// Creates an administrator; `Conflict::AlreadyExists` if the username is taken.
pub fn insert(
    conn: &mut DbConnection,
    id: &str,
    username: &str,
    display_name: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(admins::table)
        .values((
            admins::id.eq(id),
            admins::username.eq(username),
            admins::display_name.eq(display_name),
            admins::password_hash.eq(password_hash),
            admins::created_at.eq(to_db(now)),
        ))
        .execute(conn)
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict(Conflict::AlreadyExists),
            other => other,
        })?;
    Ok(())
}

pub fn by_username(conn: &mut DbConnection, username: &str) -> Result<Option<AdminRow>, StoreError> {
    Ok(admins::table.filter(admins::username.eq(username)).select(AdminRow::as_select()).get_result(conn).optional()?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<AdminRow>, StoreError> {
    Ok(admins::table.find(id).select(AdminRow::as_select()).get_result(conn).optional()?)
}

/// Every administrator, by username.
pub fn all(conn: &mut DbConnection) -> Result<Vec<AdminRow>, StoreError> {
    Ok(admins::table.order(admins::username.asc()).select(AdminRow::as_select()).load(conn)?)
}

/// Disables an administrator; whether this call did (`false`: disabled already).
pub fn disable(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    Ok(diesel::update(admins::table.find(id).filter(admins::disabled_at.is_null()))
        .set(admins::disabled_at.eq(Some(to_db(now))))
        .execute(conn)?
        == 1)
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub subject_type: String,
    pub subject_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    /// `full`, or a narrower scope such as `activation` or `password_change`.
    pub scope: String,
    pub refresh_hash: Option<String>,
}

impl SessionRow {
    /// Honoured only before it expires and while it is not revoked.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && from_db(self.expires_at) > now
    }
}

pub fn open_session(
    conn: &mut DbConnection,
    id: &str,
    subject_type: &str,
    subject_id: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    open_scoped_session(conn, id, subject_type, subject_id, "full", None, now, expires_at)
}

/// Opens a session with a scope and, for sessions that can be refreshed, the refresh token's hash.
#[allow(clippy::too_many_arguments)]
pub fn open_scoped_session(
    conn: &mut DbConnection,
    id: &str,
    subject_type: &str,
    subject_id: &str,
    scope: &str,
    refresh_hash: Option<&str>,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id),
            sessions::subject_type.eq(subject_type),
            sessions::subject_id.eq(subject_id),
            sessions::scope.eq(scope),
            sessions::refresh_hash.eq(refresh_hash),
            sessions::created_at.eq(to_db(now)),
            sessions::expires_at.eq(to_db(expires_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces a session's refresh token (rotation): only if `old_hash` is still the current one.
pub fn rotate_refresh(conn: &mut DbConnection, id: &str, old_hash: &str, new_hash: &str) -> Result<bool, StoreError> {
    let updated = diesel::update(
        sessions::table.find(id).filter(sessions::refresh_hash.eq(old_hash)).filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::refresh_hash.eq(Some(new_hash)))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn session(conn: &mut DbConnection, id: &str) -> Result<Option<SessionRow>, StoreError> {
    Ok(sessions::table.find(id).select(SessionRow::as_select()).get_result(conn).optional()?)
}

pub fn revoke_session(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let updated = diesel::update(sessions::table.find(id).filter(sessions::revoked_at.is_null()))
        .set(sessions::revoked_at.eq(Some(to_db(now))))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Revokes every live session of a subject (password change, disabled account, leaver).
pub fn revoke_all(
    conn: &mut DbConnection,
    subject_type: &str,
    subject_id: &str,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        sessions::table
            .filter(sessions::subject_type.eq(subject_type))
            .filter(sessions::subject_id.eq(subject_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(Some(to_db(now))))
    .execute(conn)?)
}

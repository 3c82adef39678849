//! Refresh tokens, shared by account holders' and the helpdesk's sessions: each works once and is
//! replaced on use; a superseded one presented again ends its session (it may have been stolen).

use crate::secrets::{digests_equal, new_refresh_token};
use crate::{App, Error};
use chrono::{DateTime, Utc};
use persistence::DbConnection;
use persistence::admins::{self, SessionRow};

/// What a presented refresh token led to.
pub(crate) enum Rotation {
    /// Not a live session of this kind: refuse, change nothing.
    Refused,
    /// A superseded token: the session has been ended; refuse and record it.
    Reused(SessionRow),
    /// The session, and the refresh token that replaces the one presented.
    Rotated(SessionRow, String),
}

/// Rotates `refresh_token` of a live session whose subject is of `subject_type`.
pub(crate) fn rotate(
    conn: &mut DbConnection,
    app: &App,
    subject_type: &str,
    refresh_token: &str,
    now: DateTime<Utc>,
) -> Result<Rotation, Error> {
    let session_id = refresh_token.strip_prefix("drt_").and_then(|rest| rest.split_once('.')).map(|(id, _)| id);
    let Some(session_id) = session_id else { return Ok(Rotation::Refused) };
    let presented = app.hasher().refresh_token(refresh_token);
    let Some(session) = admins::session(conn, session_id)?.filter(|s| s.subject_type == subject_type && s.is_live(now))
    else {
        return Ok(Rotation::Refused);
    };
    if !session.refresh_hash.as_deref().is_some_and(|h| digests_equal(h, &presented)) {
        admins::revoke_session(conn, &session.id, now)?;
        return Ok(Rotation::Reused(session));
    }
    let next = new_refresh_token(&session.id)?;
    if !admins::rotate_refresh(conn, &session.id, &presented, &app.hasher().refresh_token(&next))? {
        return Ok(Rotation::Refused);
    }
    Ok(Rotation::Rotated(session, next))
}

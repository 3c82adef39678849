//! Expiry of inactive drafts: after the inactivity period an unsubmitted application ends, its
//! members' personal data is deleted and its practice is released. Done lazily when the
//! application is next seen, and by a periodic sweep.

use crate::audit::{self, By};
use crate::{App, Error};
use chrono::{DateTime, Utc};
use domain::journey::ApplicationStatus;
use persistence::{DbConnection, applications, write_transaction};

/// Expires one draft if it is still a draft. Returns whether it was expired by this call.
pub fn expire(conn: &mut DbConnection, application_id: &str, now: DateTime<Utc>) -> Result<bool, Error> {
    write_transaction(conn, |conn| {
        let ended = applications::end_draft(conn, application_id, ApplicationStatus::Expired, now)?;
        if ended {
            let details = serde_json::json!({"reason": "inactivity"});
            audit::record(conn, &By::system(), "application.expired", ("application", application_id), details, now)?;
        }
        Ok(ended)
    })
}

/// Expires every draft whose inactivity period has ended. Returns how many were expired.
pub async fn sweep_once(app: &App) -> Result<usize, Error> {
    let now = app.now();
    app.db(move |conn| {
        let mut expired = 0;
        loop {
            let stale = applications::stale_drafts(conn, now, 100)?;
            if stale.is_empty() {
                if expired > 0 {
                    persistence::inactivity::flush_erasures(conn)?;
                }
                return Ok(expired);
            }
            for id in &stale {
                if expire(conn, id, now)? {
                    expired += 1;
                }
            }
            if stale.len() < 100 {
                persistence::inactivity::flush_erasures(conn)?;
                return Ok(expired);
            }
        }
    })
    .await
}

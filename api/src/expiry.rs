//! Expiry of inactive drafts: after the inactivity period an unsubmitted application ends, its
//! members' personal data is deleted and its practice is released. Done lazily when the
//! application is next seen, and by a periodic sweep.

use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::web;
use chrono::{DateTime, Utc};
use persistence::audit::{self, Actor, AuditEntry, Origin};
use persistence::{DbConnection, applications, write_transaction};

/// Expires one draft if it is still a draft. Returns whether it was expired by this call.
pub fn expire(conn: &mut DbConnection, application_id: &str, now: DateTime<Utc>) -> Result<bool, ApiError> {
    write_transaction(conn, |conn| {
        let ended = applications::end_draft(conn, application_id, "expired", now)?;
        if ended {
            audit::record(
                conn,
                &AuditEntry {
                    actor: &Actor::system(),
                    origin: &Origin::default(),
                    action: "application.expired",
                    object_type: "application",
                    object_id: Some(application_id),
                    details: serde_json::json!({"reason": "inactivity"}),
                },
                now,
            )?;
        }
        Ok(ended)
    })
}

/// Expires every draft whose inactivity period has ended. Returns how many were expired.
pub async fn sweep_once(state: &web::Data<AppState>) -> Result<usize, ApiError> {
    let now = state.clock.now();
    state
        .db(move |conn| {
            let mut expired = 0;
            loop {
                let stale = applications::stale_drafts(conn, now, 100)?;
                if stale.is_empty() {
                    return Ok(expired);
                }
                for id in &stale {
                    if expire(conn, id, now)? {
                        expired += 1;
                    }
                }
                if stale.len() < 100 {
                    return Ok(expired);
                }
            }
        })
        .await
}

/// Runs the sweep at the configured interval until the server stops.
pub async fn run(state: web::Data<AppState>) {
    loop {
        actix_web::rt::time::sleep(state.config.expiry_sweep_interval).await;
        match sweep_once(&state).await {
            Ok(0) => {}
            Ok(n) => log::info!("expired {n} inactive applications"),
            Err(error) => log::warn!("expiry sweep failed: {error}"),
        }
    }
}

//! The audit trail: every change of state is recorded, in the transaction that makes it, by
//! [`record`]: who acted, from where, what they did, to which object, with structured facts
//! that never hold a secret.

use crate::Error;
use chrono::{DateTime, Utc};
use persistence::DbConnection;
use persistence::audit::AuditEntry;
pub use persistence::audit::{Actor, Origin};

/// Who acted and from where: the context of a request, or the service itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct By {
    pub actor: Actor,
    pub origin: Origin,
}

impl By {
    pub fn new(actor: Actor, origin: Origin) -> Self {
        Self { actor, origin }
    }

    /// The service acting on its own (a scheduled job, an automatic review).
    pub fn system() -> Self {
        Self { actor: Actor::system(), origin: Origin::default() }
    }
}

/// Records that `by` did `action` to the object `(kind, id)`.
pub fn record(
    conn: &mut DbConnection,
    by: &By,
    action: &str,
    object: (&str, &str),
    details: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    persistence::audit::record(
        conn,
        &AuditEntry {
            actor: &by.actor,
            origin: &by.origin,
            action,
            object_type: object.0,
            object_id: Some(object.1),
            details,
        },
        now,
    )?;
    Ok(())
}

/// Records that `by` did `action` to each object `(kind, id)`, with its details, in one
/// statement (many accounts created at once).
pub fn record_each(
    conn: &mut DbConnection,
    by: &By,
    action: &str,
    objects: Vec<((&str, &str), serde_json::Value)>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let entries: Vec<AuditEntry<'_>> = objects
        .into_iter()
        .map(|((object_type, object_id), details)| AuditEntry {
            actor: &by.actor,
            origin: &by.origin,
            action,
            object_type,
            object_id: Some(object_id),
            details,
        })
        .collect();
    persistence::audit::record_all(conn, &entries, now)?;
    Ok(())
}

//! The audit log: who changed what, when, on which object, from where. Never a secret.

use crate::db::{DbConnection, insert_rows};
use crate::error::StoreError;
use crate::schema::audit_events;
use crate::time::{from_db, to_db};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `applicant`, `account`, `admin` or `system`.
    pub kind: &'static str,
    pub id: Option<String>,
}

impl Actor {
    pub fn system() -> Self {
        Self { kind: "system", id: None }
    }
}

/// Where a request came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub request_id: Option<String>,
    pub client_address: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub actor: &'a Actor,
    pub origin: &'a Origin,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<&'a str>,
    /// Structured facts about the change. Callers must never put secrets or message bodies here.
    pub details: serde_json::Value,
}

/// `None` is stored as NULL (not DEFAULT), which lets SQLite take many rows in one statement.
#[derive(Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
struct NewAuditEvent<'a> {
    id: String,
    occurred_at: NaiveDateTime,
    actor_type: &'a str,
    actor_id: Option<&'a str>,
    action: &'a str,
    object_type: &'a str,
    object_id: Option<&'a str>,
    request_id: Option<&'a str>,
    client_address: Option<&'a str>,
    details: String,
}

fn new_event<'a>(entry: &'a AuditEntry<'_>, now: DateTime<Utc>) -> NewAuditEvent<'a> {
    NewAuditEvent {
        id: uuid::Uuid::new_v4().to_string(),
        occurred_at: to_db(now),
        actor_type: entry.actor.kind,
        actor_id: entry.actor.id.as_deref(),
        action: entry.action,
        object_type: entry.object_type,
        object_id: entry.object_id,
        request_id: entry.origin.request_id.as_deref(),
        client_address: entry.origin.client_address.as_deref(),
        details: entry.details.to_string(),
    }
}

/// Records one event (a single-row statement, which diesel keeps prepared; a multi-row one is
/// prepared afresh each time).
pub fn record(conn: &mut DbConnection, entry: &AuditEntry<'_>, now: DateTime<Utc>) -> Result<(), StoreError> {
    diesel::insert_into(audit_events::table).values(new_event(entry, now)).execute(conn)?;
    Ok(())
}

/// Records the events in one statement, in order.
pub fn record_all(conn: &mut DbConnection, entries: &[AuditEntry<'_>], now: DateTime<Utc>) -> Result<(), StoreError> {
    let rows: Vec<NewAuditEvent<'_>> = entries.iter().map(|entry| new_event(entry, now)).collect();
    if !rows.is_empty() {
        insert_rows!(conn, audit_events::table, &rows)?;
    }
    Ok(())
}

/// A stored audit event.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_type: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub request_id: Option<String>,
    pub client_address: Option<String>,
    pub details: String,
}

impl AuditEvent {
    pub fn occurred_at(&self) -> DateTime<Utc> {
        from_db(self.occurred_at)
    }
}

/// Events about one object, oldest first.
pub fn for_object(conn: &mut DbConnection, object_type: &str, object_id: &str) -> Result<Vec<AuditEvent>, StoreError> {
    Ok(audit_events::table
        .filter(audit_events::object_type.eq(object_type))
        .filter(audit_events::object_id.eq(object_id))
        .order((audit_events::occurred_at.asc(), audit_events::id.asc()))
        .select(AuditEvent::as_select())
        .load(conn)?)
}

/// The client addresses recorded for `action`, oldest first (for tests of what the log holds).
pub fn client_addresses(conn: &mut DbConnection, action: &str) -> Result<Vec<Option<String>>, StoreError> {
    use crate::schema::audit_events;
    Ok(audit_events::table
        .filter(audit_events::action.eq(action))
        .order(audit_events::occurred_at.asc())
        .select(audit_events::client_address)
        .load(conn)?)
}

//! The transactional outbox: messages are inserted in the same transaction as the change that
//! causes them and delivered later by a dispatcher.
//!
//! Claiming is a conditional update (`… WHERE id = ? AND <still claimable>`), so with several
//! replicas exactly one claims a message, on SQLite and PostgreSQL alike; a claim is a lease,
//! so a message whose dispatcher died is claimed again once the lease runs out.

use crate::db::{DbConnection, insert_rows};
use crate::error::StoreError;
use crate::fixed::changed;
use crate::schema::outbox_messages;
use crate::time::{from_db, to_db};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = outbox_messages)]
pub struct MessageRow {
    pub id: String,
    pub created_at: NaiveDateTime,
    pub channel: String,
    pub template: String,
    pub recipient: String,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub payload: String,
    pub contains_secret: bool,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub provider: Option<String>,
    pub provider_reference: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub status_updated_at: NaiveDateTime,
    pub delivery_status: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// `email`, `sms` or `letter`.
    pub channel: &'a str,
    pub template: &'a str,
    /// Email address, E.164 mobile, or the postal address joined by newlines.
    pub recipient: &'a str,
    pub subject_type: Option<&'a str>,
    pub subject_id: Option<&'a str>,
    /// The rendered message as JSON.
    pub payload: String,
    /// Whether the payload holds a secret; it is erased once delivered.
    pub contains_secret: bool,
}

/// Queues a message; returns its id.
/// `None` is stored as NULL (not DEFAULT), which lets SQLite take many rows in one statement.
#[derive(Insertable)]
#[diesel(table_name = outbox_messages, treat_none_as_default_value = false)]
struct QueuedMessage<'a> {
    id: String,
    created_at: NaiveDateTime,
    channel: &'a str,
    template: &'a str,
    recipient: &'a str,
    subject_type: Option<&'a str>,
    subject_id: Option<&'a str>,
    payload: &'a str,
    contains_secret: bool,
    status: &'static str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    status_updated_at: NaiveDateTime,
}

fn queued<'a>(message: &'a NewMessage<'_>, now: DateTime<Utc>) -> QueuedMessage<'a> {
    let now = to_db(now);
    QueuedMessage {
        id: uuid::Uuid::new_v4().to_string(),
        created_at: now,
        channel: message.channel,
        template: message.template,
        recipient: message.recipient,
        subject_type: message.subject_type,
        subject_id: message.subject_id,
        payload: &message.payload,
        contains_secret: message.contains_secret,
        status: "pending",
        attempts: 0,
        next_attempt_at: now,
        status_updated_at: now,
    }
}

/// Queues one message (a single-row statement, which diesel keeps prepared); returns its id.
pub fn enqueue(conn: &mut DbConnection, message: &NewMessage<'_>, now: DateTime<Utc>) -> Result<String, StoreError> {
    let row = queued(message, now);
    diesel::insert_into(outbox_messages::table).values(&row).execute(conn)?;
    Ok(row.id)
}

/// Queues the messages in one statement; returns their ids in order.
pub fn enqueue_all(
    conn: &mut DbConnection,
    messages: &[NewMessage<'_>],
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<QueuedMessage<'_>> = messages.iter().map(|message| queued(message, now)).collect();
    if !rows.is_empty() {
        insert_rows!(conn, outbox_messages::table, &rows)?;
    }
    Ok(rows.into_iter().map(|row| row.id).collect())
}

/// Claims up to `limit` messages that are due (or whose earlier claim lapsed) for `worker`,
/// leased until `now + lease`. Each returned message was claimed by this call alone.
pub fn claim_due(
    conn: &mut DbConnection,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<MessageRow>, StoreError> {
    let now_db = to_db(now);
    let due = outbox_messages::status
        .eq("pending")
        .and(outbox_messages::next_attempt_at.le(now_db))
        .or(outbox_messages::status.eq("sending").and(outbox_messages::claimed_until.lt(now_db)));
    let candidates: Vec<String> = outbox_messages::table
        .filter(due)
        .order(outbox_messages::next_attempt_at.asc())
        .limit(limit)
        .select(outbox_messages::id)
        .load(conn)?;
    let mut claimed = Vec::new();
    for id in candidates {
        let claim = diesel::update(outbox_messages::table.find(&id).filter(due))
            .set((
                outbox_messages::status.eq("sending"),
                outbox_messages::claimed_by.eq(Some(worker)),
                outbox_messages::claimed_until.eq(Some(to_db(now + lease))),
                outbox_messages::attempts.eq(outbox_messages::attempts + 1),
                outbox_messages::status_updated_at.eq(now_db),
            ))
            .returning(outbox_messages::id);
        let updated = changed(conn, claim)?;
        if updated == 1 {
            claimed.push(outbox_messages::table.find(&id).select(MessageRow::as_select()).get_result(conn)?);
        }
    }
    Ok(claimed)
}

/// Extends every claim `worker` holds to `until`: a dispatcher renews its leases while it works
/// through them, so that no other dispatcher takes a message it is still sending.
pub fn renew_claims(conn: &mut DbConnection, worker: &str, until: DateTime<Utc>) -> Result<usize, StoreError> {
    Ok(diesel::update(
        outbox_messages::table
            .filter(outbox_messages::status.eq("sending"))
            .filter(outbox_messages::claimed_by.eq(worker)),
    )
    .set(outbox_messages::claimed_until.eq(Some(to_db(until))))
    .execute(conn)?)
}

/// Confirms, just before sending, that `worker` still holds the claim it made as attempt
/// `token` (the fencing token), and extends it to `until`. False: another dispatcher has it.
pub fn confirm_claim(
    conn: &mut DbConnection,
    id: &str,
    worker: &str,
    token: i32,
    until: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let confirm = diesel::update(
        outbox_messages::table
            .find(id)
            .filter(outbox_messages::status.eq("sending"))
            .filter(outbox_messages::claimed_by.eq(worker))
            .filter(outbox_messages::attempts.eq(token)),
    )
    .set(outbox_messages::claimed_until.eq(Some(to_db(until))))
    .returning(outbox_messages::id);
    let updated = changed(conn, confirm)?;
    Ok(updated == 1)
}

/// Records delivery to the provider. `payload` replaces the stored one (secrets erased).
/// Only the worker holding the claim made as attempt `token` can record it.
pub fn mark_sent(
    conn: &mut DbConnection,
    id: &str,
    (worker, token): (&str, i32),
    provider: &str,
    provider_reference: &str,
    payload: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let sent = diesel::update(
        outbox_messages::table
            .find(id)
            .filter(outbox_messages::status.eq("sending"))
            .filter(outbox_messages::claimed_by.eq(worker))
            .filter(outbox_messages::attempts.eq(token)),
    )
    .set((
        outbox_messages::status.eq("sent"),
        outbox_messages::provider.eq(Some(provider)),
        outbox_messages::provider_reference.eq(Some(provider_reference)),
        outbox_messages::payload.eq(payload),
        outbox_messages::sent_at.eq(Some(to_db(now))),
        outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
        outbox_messages::last_error.eq(None::<String>),
        outbox_messages::status_updated_at.eq(to_db(now)),
    ))
    .returning(outbox_messages::id);
    Ok(changed(conn, sent)? == 1)
}

/// Records a failed attempt: retried at `retry_at`, or failed for good when `retry_at` is None.
pub fn mark_attempt_failed(
    conn: &mut DbConnection,
    id: &str,
    (worker, token): (&str, i32),
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (status, next) = match retry_at {
        Some(at) => ("pending", to_db(at)),
        None => ("failed", to_db(now)),
    };
    let updated = diesel::update(
        outbox_messages::table
            .find(id)
            .filter(outbox_messages::status.eq("sending"))
            .filter(outbox_messages::claimed_by.eq(worker))
            .filter(outbox_messages::attempts.eq(token)),
    )
    .set((
        outbox_messages::status.eq(status),
        outbox_messages::next_attempt_at.eq(next),
        outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
        outbox_messages::last_error.eq(Some(error)),
        outbox_messages::status_updated_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Messages about one object, oldest first.
/// Every message about any of `subject_ids` (of one type), oldest first, in one query.
pub fn for_subjects(
    conn: &mut DbConnection,
    subject_type: &str,
    subject_ids: &[String],
) -> Result<Vec<MessageRow>, StoreError> {
    Ok(outbox_messages::table
        .filter(outbox_messages::subject_type.eq(subject_type))
        .filter(outbox_messages::subject_id.eq_any(subject_ids))
        .order((outbox_messages::created_at.asc(), outbox_messages::id.asc()))
        .select(MessageRow::as_select())
        .load(conn)?)
}

pub fn for_subject(
    conn: &mut DbConnection,
    subject_type: &str,
    subject_id: &str,
) -> Result<Vec<MessageRow>, StoreError> {
    Ok(outbox_messages::table
        .filter(outbox_messages::subject_type.eq(subject_type))
        .filter(outbox_messages::subject_id.eq(subject_id))
        .order((outbox_messages::created_at.asc(), outbox_messages::id.asc()))
        .select(MessageRow::as_select())
        .load(conn)?)
}

/// Records what the provider reported after accepting a message, found by our id (the
/// provider's `reference`) or the provider's own id. Returns whether a message matched.
pub fn record_delivery(
    conn: &mut DbConnection,
    reference: Option<&str>,
    provider_id: Option<&str>,
    delivery_status: &str,
    delivered: bool,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let matching: Vec<String> = match (reference, provider_id) {
        (None, None) => return Ok(false),
        (Some(reference), None) => {
            outbox_messages::table.filter(outbox_messages::id.eq(reference)).select(outbox_messages::id).load(conn)?
        }
        (None, Some(provider_id)) => outbox_messages::table
            .filter(outbox_messages::provider_reference.eq(provider_id))
            .select(outbox_messages::id)
            .load(conn)?,
        (Some(reference), Some(provider_id)) => outbox_messages::table
            .filter(outbox_messages::id.eq(reference).or(outbox_messages::provider_reference.eq(provider_id)))
            .select(outbox_messages::id)
            .load(conn)?,
    };
    let Some(id) = matching.first() else {
        return Ok(false);
    };
    let status = if delivered { "delivered" } else { "failed" };
    diesel::update(outbox_messages::table.find(id))
        .set((
            outbox_messages::status.eq(status),
            outbox_messages::delivery_status.eq(Some(delivery_status)),
            outbox_messages::delivered_at.eq(if delivered { Some(to_db(now)) } else { None }),
            outbox_messages::status_updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Deletes messages finished with (sent, delivered, failed or cancelled) before `before`, with
/// their recipients and text; returns how many.
pub fn prune(conn: &mut DbConnection, before: DateTime<Utc>) -> Result<usize, StoreError> {
    let finished = ["sent", "delivered", "failed", "cancelled"];
    Ok(diesel::delete(
        outbox_messages::table
            .filter(outbox_messages::status.eq_any(finished))
            .filter(outbox_messages::status_updated_at.lt(to_db(before))),
    )
    .execute(conn)?)
}

/// One message by id.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<MessageRow>, StoreError> {
    Ok(outbox_messages::table.find(id).select(MessageRow::as_select()).get_result(conn).optional()?)
}

/// How many messages of a template exist (for checks and reports).
pub fn count_by_template(conn: &mut DbConnection, template: &str) -> Result<i64, StoreError> {
    Ok(outbox_messages::table.filter(outbox_messages::template.eq(template)).count().get_result(conn)?)
}

/// How many messages there are of each status and channel, for metrics.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct StatusCount {
    pub status: String,
    pub channel: String,
    pub count: i64,
}

/// Messages by status and channel, and when the oldest one still to send was queued.
pub fn backlog(conn: &mut DbConnection) -> Result<(Vec<StatusCount>, Option<DateTime<Utc>>), StoreError> {
    let counts = outbox_messages::table
        .group_by((outbox_messages::status, outbox_messages::channel))
        .select((outbox_messages::status, outbox_messages::channel, diesel::dsl::count_star()))
        .load::<StatusCount>(conn)?;
    let oldest: Option<NaiveDateTime> = outbox_messages::table
        .filter(outbox_messages::status.eq_any(["pending", "sending"]))
        .select(diesel::dsl::min(outbox_messages::created_at))
        .get_result(conn)?;
    Ok((counts, oldest.map(from_db)))
}

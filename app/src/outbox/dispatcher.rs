//! Delivers outbox messages: claims due messages (a lease, so a crashed dispatcher's messages
//! are picked up again), sends each through the provider off the async workers, and records the
//! outcome. Temporary failures are retried with exponential backoff; secrets are erased from the
//! stored payload once delivered.

use super::Payload;
use super::providers::{Outgoing, Providers, SendError};
use crate::{App, Error};
use chrono::{DateTime, Duration, Utc};
use persistence::outbox::{self, MessageRow};
use persistence::write_transaction;

const BATCH: i64 = 20;
/// Attempts before a message is given up as failed.
pub const MAX_ATTEMPTS: i32 = 12;

/// Backoff after the `attempt`th failure: 30 s, 1 min, 2 min, … capped at 1 hour.
pub fn backoff(attempt: i32) -> Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1)).unwrap_or(0).min(7);
    Duration::seconds(30 * 2i64.pow(exponent)).min(Duration::hours(1))
}

pub struct Dispatcher {
    pub worker_id: String,
    pub providers: Providers,
}

fn outgoing(row: &MessageRow) -> Result<Outgoing, Error> {
    Ok(Outgoing {
        id: row.id.clone(),
        channel: row.channel.clone(),
        template: row.template.clone(),
        recipient: row.recipient.clone(),
        payload: serde_json::from_str(&row.payload).map_err(Error::internal)?,
    })
}

impl Dispatcher {
    /// One pass: claims due messages and delivers them, renewing the claims while it works so
    /// that no other dispatcher takes a message this one still holds. Returns how many were
    /// delivered.
    pub async fn dispatch_once(&self, app: &App) -> Result<usize, Error> {
        let now = app.now();
        let worker = self.worker_id.clone();
        let lease = app.settings().messaging.lease;
        let claimed = app
            .db(move |conn| Ok(write_transaction(conn, |conn| outbox::claim_due(conn, &worker, now, lease, BATCH))?))
            .await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let heartbeat = tokio::spawn(renew_while_working(app.clone(), self.worker_id.clone(), lease));
        let mut delivered = 0;
        let mut outcome = Ok(());
        for row in claimed {
            match self.deliver(app, row).await {
                Ok(true) => delivered += 1,
                Ok(false) => {}
                Err(error) => {
                    outcome = Err(error);
                    break;
                }
            }
        }
        heartbeat.abort();
        outcome.map(|()| delivered)
    }

    async fn deliver(&self, app: &App, row: MessageRow) -> Result<bool, Error> {
        let message = outgoing(&row)?;
        let (id, token, worker) = (row.id.clone(), row.attempts, self.worker_id.clone());
        let until = app.now() + app.settings().messaging.lease;
        // Fenced: send only while this claim, made as attempt `token`, is still ours.
        let ours = app.db(move |conn| Ok(outbox::confirm_claim(conn, &id, &worker, token, until)?)).await?;
        if !ours {
            log::info!(target: "outbox", "message_id={} is another dispatcher's now; not sent here", row.id);
            return Ok(false);
        }
        let provider = self.providers.for_channel(&row.channel).clone();
        let provider_name = provider.name();
        // A message claimed before may have reached the provider just before its dispatcher
        // died: ask first (by our reference), so that each message is delivered once.
        let claimed_before = row.attempts > 1;
        let result = tokio::task::spawn_blocking(move || match claimed_before {
            true => match provider.find(&message)? {
                Some(reference) => Ok(reference),
                None => provider.send(&message),
            },
            false => provider.send(&message),
        })
        .await
        .map_err(|e| Error::unavailable(format!("blocking pool: {e}")))?;
        let outcome = match &result {
            Ok(_) => "sent",
            Err(SendError::Temporary(_)) => "temporary_failure",
            Err(_) => "permanent_failure",
        };
        metrics::counter!(
            "outbox_sends_total",
            "provider" => provider_name,
            "channel" => row.channel.clone(),
            "outcome" => outcome
        )
        .increment(1);
        let now: DateTime<Utc> = app.now();
        let worker = self.worker_id.clone();
        app.db(move |conn| {
            let recorded = match &result {
                Ok(reference) => {
                    let payload = if row.contains_secret {
                        serde_json::to_string(&Payload::redacted()).map_err(Error::internal)?
                    } else {
                        row.payload.clone()
                    };
                    outbox::mark_sent(conn, &row.id, (&worker, token), provider_name, reference, &payload, now)?
                }
                Err(error) => {
                    let retry_at = match error {
                        SendError::Temporary(_) if row.attempts < MAX_ATTEMPTS => Some(now + backoff(row.attempts)),
                        _ => None,
                    };
                    log::warn!(
                        target: "outbox",
                        "delivery failed message_id={} template={} attempt={} retry={}: {error}",
                        row.id,
                        row.template,
                        row.attempts,
                        retry_at.is_some()
                    );
                    outbox::mark_attempt_failed(conn, &row.id, (&worker, token), &error.to_string(), retry_at, now)?
                }
            };
            if !recorded {
                log::warn!(target: "outbox", "message_id={}: the claim was lost while sending; outcome not recorded", row.id);
            }
            Ok(result.is_ok() && recorded)
        })
        .await
    }

    /// Runs a pass every `interval` until the task is dropped.
    pub async fn run(self, app: App, interval: std::time::Duration) {
        loop {
            if let Err(error) = self.dispatch_once(&app).await {
                log::warn!(target: "outbox", "dispatch pass failed: {error}");
            }
            tokio::time::sleep(interval).await;
        }
    }
}

/// Renews every claim `worker` holds, a third of a lease at a time, until aborted.
async fn renew_while_working(app: App, worker: String, lease: Duration) {
    let every =
        (lease / 3).to_std().unwrap_or(std::time::Duration::from_millis(100)).max(std::time::Duration::from_millis(50));
    loop {
        tokio::time::sleep(every).await;
        let (worker, until) = (worker.clone(), app.now() + lease);
        if let Err(error) = app.db(move |conn| Ok(outbox::renew_claims(conn, &worker, until)?)).await {
            log::warn!(target: "outbox", "cannot renew the dispatcher's claims: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_and_is_capped() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(5), Duration::minutes(8));
        assert_eq!(backoff(40), Duration::hours(1));
    }
}

//! What operators watch, read for the metrics endpoint: the database pool, the outbox backlog
//! and the password hashing queue. Counts and ages only, never a personal value.

use crate::{App, Error};
use persistence::db::PoolState;
use persistence::outbox::{self, StatusCount};

/// The service's vitals at one moment.
#[derive(Debug, Clone)]
pub struct Vitals {
    pub pool: PoolState,
    /// Messages by status and channel (the outbox keeps finished ones for the retention period).
    pub outbox: Vec<StatusCount>,
    /// How long the oldest message still to send has waited; zero when none waits.
    pub oldest_pending: chrono::Duration,
    /// Password hashes waiting for a free hashing thread.
    pub hashing_queue: usize,
}

/// Reads the vitals (one database round trip, for the outbox).
pub async fn read(app: &App) -> Result<Vitals, Error> {
    // Read before the backlog query borrows a connection, so the pool is seen as callers see it.
    let pool = app.database().pool_state();
    let (outbox, oldest) = app.db(|conn| Ok(outbox::backlog(conn)?)).await?;
    let now = app.now();
    Ok(Vitals {
        pool,
        outbox,
        oldest_pending: oldest.map_or(chrono::Duration::zero(), |queued| (now - queued).max(chrono::Duration::zero())),
        hashing_queue: app.passwords().queue_depth(),
    })
}

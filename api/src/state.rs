//! What every handler can reach: configuration, the database pool and the clock.

use crate::clock::Clock;
use crate::config::Config;
use crate::passwords::Passwords;
use crate::problem::ApiError;
use crate::security::Hasher;
use crate::tokens::Tokens;
use actix_web::web;
use persistence::{Database, DbConnection};
use std::sync::Arc;

pub struct AppState {
    pub config: Arc<Config>,
    pub db: Database,
    pub clock: Arc<dyn Clock>,
    pub hasher: Hasher,
    pub passwords: Passwords,
    pub tokens: Tokens,
}

impl AppState {
    /// Runs blocking database work on the blocking thread pool, never on an async worker.
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let db = self.db.clone();
        web::block(move || {
            let mut conn = db.get()?;
            work(&mut conn)
        })
        .await?
    }
}

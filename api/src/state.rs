//! What every handler can reach: the HTTP configuration and the use cases.

use crate::config::Config;
use crate::problem::ApiError;
use app::App;
use persistence::DbConnection;
use std::sync::Arc;

pub struct AppState {
    pub config: Arc<Config>,
    pub app: App,
}

impl AppState {
    /// Runs blocking database work off the async workers.
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        self.app.db(move |conn| Ok(work(conn))).await?
    }
}

//! What every handler can reach: the HTTP configuration and the use cases.

use crate::config::Config;
use app::App;
use std::sync::Arc;

pub struct AppState {
    pub config: Arc<Config>,
    pub app: App,
}

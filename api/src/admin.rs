//! The extractor that admits only a live helpdesk session (it reads, never writes).

use crate::problem::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use app::helpdesk::AdminSession;
use futures_util::future::LocalBoxFuture;

/// A signed-in helpdesk administrator with a live session.
#[derive(Debug, Clone)]
pub struct Admin(pub AdminSession);

impl std::ops::Deref for Admin {
    type Target = AdminSession;

    fn deref(&self) -> &AdminSession {
        &self.0
    }
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = crate::journey::bearer_token(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            Ok(Self(app::helpdesk::authenticate(&state.app, token).await?))
        })
    }
}

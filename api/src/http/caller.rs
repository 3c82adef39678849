//! Who is calling: the bearer token they presented and where the request came from. Handlers
//! pass it to a use case, which decides what the token opens; reading it touches nothing.

use crate::http::problem::ApiError;
use crate::http::request_id;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use app::audit::Origin;
use futures_util::future::{Ready, ready};

/// The token of an `Authorization: Bearer <token>` header (scheme in any case), if there is one.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

/// Where a request came from, for the audit log and per-client limits: the peer address, or the
/// client a trusted proxy reports ([`crate::proxies`]).
pub fn origin(req: &HttpRequest) -> Origin {
    let headers =
        |name: &str| -> Vec<&str> { req.headers().get_all(name).filter_map(|value| value.to_str().ok()).collect() };
    let client_address = req.peer_addr().map(|peer| match req.app_data::<web::Data<AppState>>() {
        Some(state) => {
            state.config.trusted_proxies.client(peer.ip(), &headers("x-forwarded-for"), &headers("forwarded"))
        }
        None => peer.ip(),
    });
    Origin { request_id: request_id::current(), client_address: client_address.map(|a| a.to_string()) }
}

/// The caller of a request, for the use cases.
#[derive(Debug, Clone)]
pub struct Caller(pub app::Caller);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(app::Caller::new(bearer_token(req), origin(req)))))
    }
}

impl std::ops::Deref for Caller {
    type Target = app::Caller;

    fn deref(&self) -> &app::Caller {
        &self.0
    }
}

//! Request ids and the access log.
//!
//! Every request gets an id: the caller's `X-Request-Id` if it is a short token, otherwise a new
//! UUID. It is returned in the `X-Request-Id` response header, put in every problem document,
//! and written on one log line per request with the method, the route pattern (never the query
//! string or raw ids in it), the status and the duration. No personal data is logged.
//!
//! Every API response is also marked `Cache-Control: no-store`: answers carry personal data and
//! secrets (access and application tokens), and no cache may keep them.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

use std::time::Instant;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The request being handled: its id and its path (without the query string).
#[derive(Debug, Clone)]
struct Current {
    id: String,
    path: String,
}

tokio::task_local! {
    static CURRENT: Current;
}

/// The id of the request being handled, if called while handling one.
pub fn current() -> Option<String> {
    CURRENT.try_with(|c| c.id.clone()).ok()
}

/// The path of the request being handled (a problem's `instance`), if called while handling one.
pub fn current_path() -> Option<String> {
    CURRENT.try_with(|c| c.path.clone()).ok()
}

/// The request id, also available to handlers as a request extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

fn acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| acceptable(value))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId(id.clone()));
    let started = Instant::now();
    let method = req.method().clone();
    let current = Current { id: id.clone(), path: req.path().to_owned() };
    // API responses may hold personal data or secrets: no cache keeps them. The offline
    // documentation is static and may be cached.
    let cacheable = req.path() == "/docs" || req.path().starts_with("/docs/");
    // Note: nothing may hold a clone of the request across `next.call`: routing needs the
    // request's shared state to itself.
    CURRENT
        .scope(current, async move {
            let log = |route: &str, status: u16| {
                let seconds = started.elapsed().as_secs_f64();
                crate::metrics::record_request(&method, route, status, seconds);
                let duration_ms = (seconds * 10_000.0).round() / 10.0;
                log::info!(
                    target: "access",
                    request_id = id.as_str(),
                    method = method.as_str(),
                    route,
                    status,
                    duration_ms;
                    "request"
                );
            };
            match next.call(req).await {
                Ok(mut response) => {
                    if let Ok(value) = HeaderValue::from_str(&id) {
                        response.headers_mut().insert(HEADER, value);
                    }
                    if !cacheable {
                        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                    }
                    let route = response.request().match_pattern().unwrap_or_else(|| "<unmatched>".to_owned());
                    log(&route, response.status().as_u16());
                    Ok(response)
                }
                // Raised by middleware before any handler ran (e.g. a CORS refusal).
                Err(error) => {
                    log("<middleware>", error.as_response_error().status_code().as_u16());
                    Err(error)
                }
            }
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_tokens_are_taken_from_callers() {
        assert!(acceptable("0b6f4c1e-5d0c-4b8e-9d7e-3f1a2b3c4d5e"));
        assert!(acceptable("abc_123.x"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(65)));
        assert!(!acceptable("bad id"));
        assert!(!acceptable("inject\nline"));
    }
}

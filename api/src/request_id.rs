//! Request ids and the access log.
//!
//! Every request gets an id: the caller's `X-Request-Id` if it is a short token, otherwise a new
//! UUID. It is returned in the `X-Request-Id` response header, put in every problem document,
//! and written on one log line per request with the method, the route pattern (never the query
//! string or raw ids in it), the status and the duration. No personal data is logged.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

use std::time::Instant;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, if called while handling one.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
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
    // Note: nothing may hold a clone of the request across `next.call`: routing needs the
    // request's shared state to itself.
    REQUEST_ID
        .scope(id.clone(), async move {
            let log = |route: &str, status: u16| {
                log::info!(
                    target: "access",
                    "request_id={id} method={method} route={route} status={status} duration_ms={:.1}",
                    started.elapsed().as_secs_f64() * 1000.0
                );
            };
            match next.call(req).await {
                Ok(mut response) => {
                    if let Ok(value) = HeaderValue::from_str(&id) {
                        response.headers_mut().insert(HEADER, value);
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

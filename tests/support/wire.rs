//! Requests as the tests make them, checked against the contract on the way back: every
//! exchange goes through [`Call::send`], which panics (failing the test that made the call) when
//! the exchange breaks `openapi.yaml`. See [`crate::contract`].

use crate::contract::{CONTRACT, Exchange, query_pairs};
use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

/// A request being built; the same builder methods as reqwest's.
pub struct Call {
    inner: RequestBuilder,
}

impl From<RequestBuilder> for Call {
    fn from(inner: RequestBuilder) -> Self {
        Self { inner }
    }
}

impl Call {
    pub fn new(client: &Client, method: reqwest::Method, url: &str) -> Self {
        Self { inner: client.request(method, url) }
    }

    fn map(self, f: impl FnOnce(RequestBuilder) -> RequestBuilder) -> Self {
        Self { inner: f(self.inner) }
    }

    pub fn json<T: Serialize + ?Sized>(self, body: &T) -> Self {
        self.map(|r| r.json(body))
    }

    pub fn header(self, key: &str, value: impl AsRef<str>) -> Self {
        let name = HeaderName::from_bytes(key.as_bytes()).expect("a valid header name");
        let value = HeaderValue::from_str(value.as_ref()).expect("a valid header value");
        self.map(|r| r.header(name, value))
    }

    pub fn headers(self, headers: HeaderMap) -> Self {
        self.map(|r| r.headers(headers))
    }

    pub fn bearer_auth(self, token: impl std::fmt::Display) -> Self {
        self.map(|r| r.bearer_auth(token))
    }

    pub fn body(self, body: impl Into<reqwest::blocking::Body>) -> Self {
        self.map(|r| r.body(body))
    }

    pub fn query<T: Serialize + ?Sized>(self, query: &T) -> Self {
        self.map(|r| r.query(query))
    }

    pub fn timeout(self, timeout: Duration) -> Self {
        self.map(|r| r.timeout(timeout))
    }

    /// Sends the request, reads the whole answer and checks the exchange against the contract.
    #[track_caller]
    pub fn send(self) -> reqwest::Result<Reply> {
        let (client, request) = self.inner.build_split();
        let request = request?;
        let method = request.method().as_str().to_owned();
        let url = request.url().clone();
        let request_headers = request.headers().clone();
        let request_body = request.body().and_then(|b| b.as_bytes()).map(<[u8]>::to_vec);
        let response = client.execute(request)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes()?.to_vec();
        let exchange = Exchange {
            method: &method,
            path: url.path(),
            query: query_pairs(&url),
            request_headers: &request_headers,
            request_body: request_body.as_deref(),
            status: status.as_u16(),
            response_headers: &headers,
            response_body: &body,
        };
        let violations = CONTRACT.check(&exchange);
        assert!(
            violations.is_empty(),
            "{method} {} answered {} against the contract (openapi.yaml):\n  - {}\nrequest body: {}\nresponse body: {}",
            url.path(),
            status.as_u16(),
            violations.join("\n  - "),
            request_body.as_deref().map(String::from_utf8_lossy).unwrap_or_default(),
            String::from_utf8_lossy(&body),
        );
        Ok(Reply { status, headers, body })
    }
}

/// A response read whole.
#[derive(Debug)]
pub struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub fn bytes(&self) -> &[u8] {
        &self.body
    }

    pub fn text(self) -> Result<String, std::string::FromUtf8Error> {
        String::from_utf8(self.body)
    }

    /// The body as JSON: `Null` when empty, a JSON string when not JSON.
    pub fn json(&self) -> Value {
        let text = String::from_utf8_lossy(&self.body);
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text.into_owned()))
        }
    }
}

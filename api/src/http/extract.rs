//! Request extractors whose failures follow the error policy: a JSON body that is missing,
//! malformed, of the wrong type or too large is answered with a problem document whose pointer
//! names the failing field, never with a bare text error. Bodies and query strings are checked
//! against the contract first ([`RequestRules`]).

use crate::http::enforce::{Checked, RequestRules};
use crate::http::problem::{ApiError, FieldError, ProblemType, pointer};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use domain::ProblemCode;
use futures_util::StreamExt;
use futures_util::future::{LocalBoxFuture, Ready, ready};
use serde::de::DeserializeOwned;

/// Largest body accepted, from configuration (registered as app data).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body.
#[derive(Debug)]
pub struct Json<T>(pub T);

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

/// Converts serde's path (`members[0].mobile`) into a JSON pointer (`/members/0/mobile`).
fn path_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let segments: Vec<String> = path
        .iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.clone()),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect();
    pointer(segments.iter().map(String::as_str))
}

/// Turns a deserialisation failure into a problem: syntax errors are unreadable requests (400);
/// a well-formed document with a wrong type, missing or unknown field is a validation failure
/// (422) pointing at the field.
fn deserialize_error(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let at = path_pointer(error.path());
    let inner = error.into_inner();
    if inner.is_data() {
        let message = inner.to_string();
        let (pointer, code, detail) = match message.strip_prefix("missing field `") {
            Some(rest) => {
                let field = rest.split('`').next().unwrap_or_default();
                (format!("{at}/{field}"), ProblemCode::Required, "This is required.".to_owned())
            }
            None if message.starts_with("unknown field") => {
                (at, ProblemCode::UnknownField, "This field is not part of the request; leave it out.".to_owned())
            }
            None => (at, ProblemCode::InvalidType, format!("This must be {}.", expected(&message))),
        };
        return ApiError::validation(vec![FieldError::new(pointer, code, None, detail)]);
    }
    ApiError::new(ProblemType::MalformedRequest).detail(not_json(&inner))
}

/// What serde expected, in plain words ("invalid type: string, expected u32" → "a whole number").
fn expected(message: &str) -> &'static str {
    let wanted = message.split("expected ").nth(1).unwrap_or_default();
    let is = |words: &[&str]| words.iter().any(|w| wanted.contains(w));
    if is(&["bool"]) {
        "true or false"
    } else if is(&["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "integer"]) {
        "a whole number"
    } else if is(&["f32", "f64", "number"]) {
        "a number"
    } else if is(&["sequence", "array", "list"]) {
        "a list"
    } else if is(&["map", "struct", "object"]) {
        "an object"
    } else if is(&["variant", "one of"]) {
        "one of the values the contract lists"
    } else {
        "text"
    }
}

/// Why a body is not JSON, without the parser's words.
fn not_json(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let place = format!("line {}, column {}", error.line(), error.column());
    match error.classify() {
        Category::Eof => "The body is not valid JSON: it ends before the JSON is complete.".to_owned(),
        Category::Syntax | Category::Data => format!("The body is not valid JSON: look at {place}."),
        Category::Io => "The body could not be read.".to_owned(),
    }
}

/// The operation a request is for, as the contract names it: method and path template.
fn operation(req: &HttpRequest) -> Option<(String, String)> {
    Some((req.method().as_str().to_owned(), req.match_pattern()?))
}

/// Reads and parses a JSON body; `Ok(None)` for an empty body when `allow_empty`.
fn read_json<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    allow_empty: bool,
) -> LocalBoxFuture<'static, Result<Option<T>, ApiError>> {
    let rules = req.app_data::<web::Data<RequestRules>>().cloned();
    let operation = operation(req);
    let limit = req.app_data::<BodyLimit>().map_or(64 * 1024, |l| l.0);
    let json = is_json(req);
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    let mut payload = payload.take();
    Box::pin(async move {
        let too_large =
            || ApiError::new(ProblemType::PayloadTooLarge).detail(format!("The body must be at most {limit} bytes."));
        if declared.is_some_and(|length| length > limit) {
            return Err(too_large());
        }
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::new(ProblemType::MalformedRequest).detail(format!("The body could not be read: {e}"))
            })?;
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return if allow_empty {
                Ok(None)
            } else {
                Err(ApiError::new(ProblemType::MalformedRequest).detail("A JSON body is required."))
            };
        }
        if !json {
            return Err(ApiError::new(ProblemType::UnsupportedMediaType)
                .detail("Send the body as JSON with `Content-Type: application/json`."));
        }
        let document: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| ApiError::new(ProblemType::MalformedRequest).detail(not_json(&e)))?;
        let checked = match (&rules, &operation) {
            (Some(rules), Some((method, template))) => rules.check_body(method, template, &document),
            _ => Checked::default(),
        };
        if checked.hard {
            return Err(ApiError::validation(checked.errors));
        }
        match serde_path_to_error::deserialize(document) {
            Ok(value) => Ok(Some(value)),
            // The contract's words are plainer than the parser's.
            Err(_) if !checked.errors.is_empty() => Err(ApiError::validation(checked.errors)),
            Err(error) => Err(deserialize_error(error)),
        }
    })
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let read = read_json::<T>(req, payload, false);
        Box::pin(async move {
            match read.await? {
                Some(value) => Ok(Json(value)),
                None => Err(ApiError::new(ProblemType::MalformedRequest).detail("A JSON body is required.")),
            }
        })
    }
}

/// A JSON body that may be left out, meaning `T::default()`; a body that is sent must be valid.
#[derive(Debug)]
pub struct JsonOrEmpty<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for JsonOrEmpty<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let read = read_json::<T>(req, payload, true);
        Box::pin(async move { Ok(JsonOrEmpty(read.await?.unwrap_or_default())) })
    }
}

/// A query string, checked against the operation's parameters in the contract, then read into
/// `T`. Text that cannot be read as its type is a 400 naming the parameter; a value that breaks
/// a rule (a range, a length) is a 422.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let checked = match (req.app_data::<web::Data<RequestRules>>(), operation(req)) {
            (Some(rules), Some((method, template))) => rules.check_query(&method, &template, req.query_string()),
            _ => Checked::default(),
        };
        let parsed = web::Query::<T>::from_query(req.query_string());
        if checked.hard || (parsed.is_err() && !checked.errors.is_empty()) {
            let errors = checked.errors;
            let unreadable = errors.iter().any(|e| e.code == ProblemCode::InvalidType);
            let error = if unreadable {
                let detail = match errors.len() {
                    1 => "1 parameter could not be read.".to_owned(),
                    n => format!("{n} parameters could not be read."),
                };
                ApiError::new(ProblemType::MalformedRequest).detail(detail).with_errors(errors)
            } else {
                ApiError::validation(errors)
            };
            return ready(Err(error));
        }
        ready(parsed.map(|q| Query(q.into_inner())).map_err(|_| unreadable_query()))
    }
}

/// Error handler for actix's query string extractor, following the error policy.
pub fn query_error(_error: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    unreadable_query().into()
}

fn unreadable_query() -> ApiError {
    ApiError::new(ProblemType::MalformedRequest)
        .detail("The query string could not be read: check each parameter's name and value against the contract.")
}

/// Error handler for actix's path extractor, following the error policy.
/// A path segment that does not parse (e.g. a malformed id) names nothing that exists: 404.
pub fn path_error(_error: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::not_found().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Member {
        mobile: String,
    }

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        name: String,
        members: Vec<Member>,
    }

    fn error_for(json: &str) -> crate::http::problem::Problem {
        let mut de = serde_json::Deserializer::from_str(json);
        let error = serde_path_to_error::deserialize::<_, Body>(&mut de).unwrap_err();
        deserialize_error(error).to_problem()
    }

    #[test]
    fn wrong_types_point_at_the_field() {
        let problem = error_for(r#"{"name": "x", "members": [{"mobile": 7}]}"#);
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors[0].pointer, "/members/0/mobile");
        assert_eq!(problem.errors[0].code.0.as_str(), "invalid_type");
    }

    #[test]
    fn missing_and_unknown_fields_are_named() {
        let problem = error_for(r#"{"members": []}"#);
        assert_eq!((problem.errors[0].pointer.as_str(), problem.errors[0].code.0.as_str()), ("/name", "required"));
        let problem = error_for(r#"{"name": "x", "members": [], "nmae": 1}"#);
        assert_eq!(problem.errors[0].code.0.as_str(), "unknown_field");
    }

    #[test]
    fn syntax_errors_are_unreadable_requests() {
        let problem = error_for(r#"{"name": "#);
        assert_eq!(problem.status, 400);
        assert_eq!(problem.problem_type.0.uri(), "/problems/malformed-request");
    }
}

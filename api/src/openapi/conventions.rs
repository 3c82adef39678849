//! The conventions every operation of the contract follows, applied once to the generated
//! document instead of being repeated on each handler:
//!
//! - every response declares the headers every response carries: `X-Request-Id` and
//!   `Cache-Control: no-store`;
//! - every operation declares the refusals the service can give it, from what the operation
//!   takes: a body (400, 413, 415, 422), parameters (400), a bearer token (401), a path
//!   parameter (404); a 405 (with `Allow`) for methods the path does not take; 500 and 503
//!   (with `Retry-After`) for every operation that reaches the database;
//! - 401 responses declare `WWW-Authenticate`, 429 and 503 declare `Retry-After`;
//! - public operations say so (`security: []`);
//! - request text refuses control characters (a `pattern`; line breaks are allowed only in
//!   free-text `reason`s), ids in paths are UUIDs;
//! - responses state their bounds: text at most 4096 characters, lists at most 1000 items and
//!   whole numbers 32-bit, unless a schema says less; responses may carry
//!   `Access-Control-Allow-Origin` (for the configured browser origins);
//! - a property a response always sends is `required`: response properties that may be null are
//!   always sent (null when empty), and those that are not nullable but optional are left out
//!   when they do not apply. Request schemas are left as declared.
//!
//! A handler's own declaration of a status wins over the standard one.
//!
//! Why this file is long: each convention is a short function, applied in one pass over the
//! document; together they are the whole contract policy, read in one place.

use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

const PROBLEM: &str = "#/components/schemas/Problem";
const REQUEST_ID_EXAMPLE: &str = "0b6f4c1e-5d0c-4b8e-9d7e-3f1a2b3c4d5e";

/// Operations that never touch the database, so never answer 503.
const NO_DATABASE: [&str; 4] = ["healthz", "listProblemTypes", "getProblemType", "assessEligibility"];

fn problem_response(description: &str, example: Value, extra_headers: &[&str]) -> Value {
    let mut headers = Map::new();
    for name in extra_headers {
        headers.insert((*name).to_owned(), json!({"$ref": format!("#/components/headers/{name}")}));
    }
    json!({
        "description": description,
        "headers": headers,
        "content": {"application/problem+json": {"schema": {"$ref": PROBLEM}, "example": example}},
    })
}

fn example(kind: &str, title: &str, status: u16, detail: &str) -> Value {
    json!({"type": format!("/problems/{kind}"), "title": title, "status": status, "detail": detail,
        "instance": "/v1/applications/5b0f1a52-3f2e-4a7b-9a57-8f4f2f0d7c11", "request_id": REQUEST_ID_EXAMPLE})
}

/// The shared responses, by component name.
fn standard_responses() -> Vec<(&'static str, Value)> {
    vec![
        (
            "MalformedRequest",
            problem_response(
                "The request could not be read: the body is not JSON, or a parameter or header is malformed. `errors` points at a malformed parameter.",
                json!({"type": "/problems/malformed-request", "title": "The request could not be read", "status": 400,
                    "detail": "1 parameter could not be read.", "request_id": REQUEST_ID_EXAMPLE,
                    "errors": [{"pointer": "/query/limit", "code": "invalid_type", "detail": "`limit` must be a whole number."}]}),
                &[],
            ),
        ),
        (
            "MethodNotAllowed",
            problem_response(
                "The path does not take this method; `Allow` lists those it takes.",
                example(
                    "method-not-allowed",
                    "This method is not allowed here",
                    405,
                    "PATCH is not supported here; see Allow.",
                ),
                &["Allow"],
            ),
        ),
        (
            "PayloadTooLarge",
            problem_response(
                "The body is larger than the service accepts.",
                example(
                    "payload-too-large",
                    "The request body is too large",
                    413,
                    "The body must be at most 65536 bytes.",
                ),
                &[],
            ),
        ),
        (
            "UnsupportedMediaType",
            problem_response(
                "The body is not in the media type the operation takes.",
                example(
                    "unsupported-media-type",
                    "The request body is not in a format this operation takes",
                    415,
                    "Send the body as JSON with `Content-Type: application/json`.",
                ),
                &[],
            ),
        ),
        (
            "ValidationFailed",
            problem_response(
                "Some values break the rules: `errors` lists every failing field at once.",
                json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422,
                    "detail": "1 field is not valid.", "request_id": REQUEST_ID_EXAMPLE,
                    "errors": [{"pointer": "/confirm_data_correct", "code": "invalid_type", "detail": "Expected true or false."}]}),
                &[],
            ),
        ),
        (
            "InternalError",
            problem_response(
                "An unexpected error; it has been logged. Quote the `request_id` to the support team.",
                example(
                    "internal-error",
                    "Something went wrong on our side",
                    500,
                    "An unexpected error occurred. It has been logged.",
                ),
                &[],
            ),
        ),
        (
            "ServiceUnavailable",
            problem_response(
                "The database is unreachable or the service is overloaded; retry after `Retry-After` seconds.",
                json!({"type": "/problems/service-unavailable", "title": "The service is temporarily unavailable", "status": 503,
                    "detail": "The service is busy or cannot reach its database; please try again shortly.",
                    "request_id": REQUEST_ID_EXAMPLE, "retry_after_seconds": 5}),
                &["Retry-After"],
            ),
        ),
    ]
}

fn standard_headers() -> Value {
    json!({
        "X-Request-Id": {
            "description": "Identifies the request: the caller's own `X-Request-Id` when it is 1 to 64 letters, digits, `-`, `_` or `.`; otherwise a new UUID. Quote it to the support team.",
            "required": true,
            "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9._-]{1,64}$"},
        },
        "Cache-Control": {
            "description": "Always `no-store`: answers hold personal data or secrets, and no cache may keep them.",
            "required": true,
            "schema": {"type": "string", "enum": ["no-store"]},
        },
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "required": true,
            "schema": {"type": "integer", "format": "int32", "minimum": 1, "maximum": i32::MAX},
        },
        "WWW-Authenticate": {
            "description": "The authentication scheme to use: `Bearer`.",
            "required": true,
            "schema": {"type": "string", "enum": ["Bearer"]},
        },
        "Access-Control-Allow-Origin": {
            "description": "Sent when the request's `Origin` is one of the browser origins the service is configured to allow (`CORS_ALLOWED_ORIGINS`).",
            "required": false,
            "schema": {"type": "string", "maxLength": 2048},
        },
        "Allow": {
            "description": "The methods this path takes, e.g. `GET, DELETE`.",
            "required": true,
            "schema": {"type": "string", "maxLength": 64, "pattern": "^[A-Z]+(, [A-Z]+)*$"},
        },
    })
}

fn header_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/headers/{name}")})
}

/// Adds the headers every response carries, and those its status carries.
fn add_headers(response: &mut Value, status: &str) {
    let Some(response) = response.as_object_mut() else { return };
    if response.contains_key("$ref") {
        return;
    }
    let headers = response.entry("headers").or_insert_with(|| json!({}));
    let Some(headers) = headers.as_object_mut() else { return };
    let mut wanted = vec!["X-Request-Id", "Cache-Control", "Access-Control-Allow-Origin"];
    match status {
        "401" => wanted.push("WWW-Authenticate"),
        "429" | "503" => wanted.push("Retry-After"),
        "405" => wanted.push("Allow"),
        _ => {}
    }
    for name in wanted {
        headers.entry(name.to_owned()).or_insert_with(|| header_ref(name));
    }
    // Handler-declared headers that are always sent are required, and bounded.
    for (name, header) in headers.iter_mut() {
        if let Some(header) = header.as_object_mut() {
            if !header.contains_key("$ref") && name != "Idempotent-Replayed" {
                header.entry("required").or_insert(Value::Bool(true));
            }
            if let Some(schema) = header.get_mut("schema") {
                bound(schema);
            }
        }
    }
}

/// The 401 response for an operation's security scheme.
fn unauthorized_for(security: &[Value]) -> Option<&'static str> {
    let scheme = security.iter().filter_map(Value::as_object).flat_map(|s| s.keys()).next()?;
    Some(match scheme.as_str() {
        "application_token" => "NoApplicationToken",
        "helpdesk_token" => "NoHelpdeskToken",
        "account_token" => "NoAccountToken",
        _ => "NotifyCallbackUnauthorized",
    })
}

/// Applies the conventions to a generated document.
pub fn apply(document: &mut Value) {
    let Some(root) = document.as_object_mut() else { return };
    root.insert(
        "servers".to_owned(),
        json!([{"url": "http://127.0.0.1:8080", "description": "A local instance started with `cargo run`", "x-internal": true}]),
    );
    let components = root.entry("components").or_insert_with(|| json!({}));
    if let Some(components) = components.as_object_mut() {
        let responses = components.entry("responses").or_insert_with(|| json!({}));
        if let Some(responses) = responses.as_object_mut() {
            for (name, response) in standard_responses() {
                responses.entry(name.to_owned()).or_insert(response);
            }
            for (name, response) in responses.iter_mut() {
                let status = match name.as_str() {
                    "NoApplicationToken" | "NoHelpdeskToken" | "NoAccountToken" | "NotifyCallbackUnauthorized" => "401",
                    "ScopeTooNarrow" => "403",
                    "NotFoundForCaller" => "404",
                    "MethodNotAllowed" => "405",
                    "ServiceUnavailable" => "503",
                    _ => "",
                };
                add_headers(response, status);
            }
        }
        components.insert("headers".to_owned(), standard_headers());
    }
    let paths = root.get_mut("paths").and_then(Value::as_object_mut);
    for (path, item) in paths.into_iter().flatten() {
        let path_has_parameters = path.contains('{');
        for (_method, operation) in item.as_object_mut().into_iter().flatten() {
            let Some(operation) = operation.as_object_mut() else { continue };
            let operation_id = operation.get("operationId").and_then(Value::as_str).unwrap_or_default().to_owned();
            unwrap_optional_body(operation);
            let security =
                operation.entry("security").or_insert_with(|| json!([])).as_array().cloned().unwrap_or_default();
            let has_body = operation.contains_key("requestBody");
            let has_parameters = operation
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query" || p["in"] == "header"));
            let mut wanted: Vec<(&str, &str)> = Vec::new();
            if has_body || has_parameters {
                wanted.push(("400", "MalformedRequest"));
            }
            if let Some(unauthorized) = unauthorized_for(&security) {
                wanted.push(("401", unauthorized));
            }
            if path_has_parameters {
                wanted.push(("404", "NotFoundForCaller"));
            }
            wanted.push(("405", "MethodNotAllowed"));
            if has_body {
                wanted.extend([
                    ("413", "PayloadTooLarge"),
                    ("415", "UnsupportedMediaType"),
                    ("422", "ValidationFailed"),
                ]);
            }
            wanted.push(("500", "InternalError"));
            if !NO_DATABASE.contains(&operation_id.as_str()) {
                wanted.push(("503", "ServiceUnavailable"));
            }
            let responses = operation.entry("responses").or_insert_with(|| json!({}));
            let Some(responses) = responses.as_object_mut() else { continue };
            for (status, component) in wanted {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| json!({"$ref": format!("#/components/responses/{component}")}));
            }
            let mut sorted: Vec<(String, Value)> = std::mem::take(responses).into_iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            for (status, mut response) in sorted {
                add_headers(&mut response, &status);
                responses.insert(status, response);
            }
        }
    }
    require_what_responses_always_send(document);
    bound_response_values(document);
    guard_request_text(document);
}

/// Longest text, longest list and largest number a response carries unless its schema says less.
pub const RESPONSE_TEXT_MAX: u64 = 4096;
pub const RESPONSE_ITEMS_MAX: u64 = 1000;

fn bound(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else { return };
    let kinds: Vec<String> = match map.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    };
    if kinds.iter().any(|k| k == "string") && !map.contains_key("enum") && !map.contains_key("maxLength") {
        map.insert("maxLength".to_owned(), Value::from(RESPONSE_TEXT_MAX));
    }
    if kinds.iter().any(|k| k == "array") && !map.contains_key("maxItems") {
        map.insert("maxItems".to_owned(), Value::from(RESPONSE_ITEMS_MAX));
    }
    if kinds.iter().any(|k| k == "integer") {
        map.entry("format").or_insert_with(|| Value::from("int32"));
        map.entry("minimum").or_insert_with(|| Value::from(0));
        map.entry("maximum").or_insert_with(|| Value::from(i32::MAX));
    }
    for key in ["properties"] {
        if let Some(Value::Object(properties)) = map.get_mut(key) {
            properties.values_mut().for_each(bound);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(child) = map.get_mut(key) {
            bound(child);
        }
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(Value::Array(branches)) = map.get_mut(key) {
            branches.iter_mut().for_each(bound);
        }
    }
}

fn bound_response_values(document: &mut Value) {
    let names = response_schemas(document);
    if let Some(schemas) = document.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for name in names {
            if let Some(schema) = schemas.get_mut(&name) {
                bound(schema);
            }
        }
    }
    let paths = document.get_mut("paths").and_then(Value::as_object_mut);
    for item in paths.into_iter().flat_map(|p| p.values_mut()) {
        for operation in item.as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
            let responses = operation.get_mut("responses").and_then(Value::as_object_mut);
            for response in responses.into_iter().flat_map(|r| r.values_mut()) {
                let content = response.get_mut("content").and_then(Value::as_object_mut);
                for media in content.into_iter().flat_map(|c| c.values_mut()) {
                    if let Some(schema) = media.get_mut("schema") {
                        bound(schema);
                    }
                }
            }
        }
    }
}

/// The default largest upload (`MAX_UPLOAD_BYTES`), as the contract states it.
pub const UPLOAD_MAX_BYTES: u64 = 50 * 1024 * 1024;

/// Text without control characters.
pub const SINGLE_LINE: &str = r"^[^\u0000-\u001F\u007F]*$";
/// Text without control characters other than tab and line breaks.
pub const MULTI_LINE: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$";

fn is_string(schema: &Map<String, Value>) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
        _ => false,
    }
}

/// Gives every request string that has no pattern of its own one that refuses control
/// characters (`multi_line` allows line breaks).
fn guard_text(schema: &mut Value, multi_line: bool) {
    let Some(map) = schema.as_object_mut() else { return };
    if is_string(map)
        && !map.contains_key("pattern")
        && !map.contains_key("enum")
        && map.get("format") != Some(&json!("uuid"))
    {
        map.insert("pattern".to_owned(), Value::from(if multi_line { MULTI_LINE } else { SINGLE_LINE }));
    }
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for (name, property) in properties.iter_mut() {
            guard_text(property, name == "reason");
        }
    }
    if let Some(items) = map.get_mut("items") {
        guard_text(items, false);
    }
}

fn guard_request_text(document: &mut Value) {
    let names = request_schemas(document);
    if let Some(schemas) = document.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for name in names {
            if let Some(schema) = schemas.get_mut(&name) {
                guard_text(schema, false);
            }
        }
    }
    let paths = document.get_mut("paths").and_then(Value::as_object_mut);
    for item in paths.into_iter().flat_map(|p| p.values_mut()) {
        for operation in item.as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
            for parameter in operation.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap_or_default().to_owned();
                let located = parameter["in"].as_str().unwrap_or_default().to_owned();
                let Some(schema) = parameter.get_mut("schema") else { continue };
                if located == "path" && (name == "id" || name.ends_with("_id")) {
                    *schema = json!({"type": "string", "format": "uuid", "maxLength": 36});
                }
                guard_text(schema, false);
            }
            if let Some(content) = operation.pointer_mut("/requestBody/content").and_then(Value::as_object_mut) {
                for (kind, media) in content.iter_mut() {
                    let Some(schema) = media.get_mut("schema") else { continue };
                    if kind.contains("json") {
                        guard_text(schema, false);
                    } else if let Some(file) = schema.as_object_mut() {
                        // A file, sent as it is: as large as the default `MAX_UPLOAD_BYTES` allows.
                        file.entry("format").or_insert_with(|| Value::from("binary"));
                        file.entry("contentMediaType").or_insert_with(|| Value::from(kind.as_str()));
                        file.entry("maxLength").or_insert_with(|| Value::from(UPLOAD_MAX_BYTES));
                    }
                }
            }
        }
    }
}

/// An optional request body is left out, never sent as `null`: its schema is the object alone.
fn unwrap_optional_body(operation: &mut Map<String, Value>) {
    let Some(content) =
        operation.get_mut("requestBody").and_then(|b| b.get_mut("content")).and_then(Value::as_object_mut)
    else {
        return;
    };
    for media in content.values_mut() {
        let Some(schema) = media.get_mut("schema") else { continue };
        let branches = schema.get("oneOf").and_then(Value::as_array).cloned().unwrap_or_default();
        if branches.len() == 2 && branches.iter().any(|b| b == &json!({"type": "null"})) {
            if let Some(object) = branches.into_iter().find(|b| b != &json!({"type": "null"})) {
                *schema = object;
            }
        }
    }
}

/// Names of the component schemas a schema refers to, transitively.
fn referenced(schema: &Value, into: &mut BTreeSet<String>, schemas: &Map<String, Value>) {
    match schema {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                if let Some(name) = reference.strip_prefix("#/components/schemas/") {
                    if into.insert(name.to_owned()) {
                        if let Some(target) = schemas.get(name) {
                            referenced(target, into, schemas);
                        }
                    }
                }
            }
            for (key, child) in map {
                if !matches!(key.as_str(), "example" | "examples" | "enum" | "default") {
                    referenced(child, into, schemas);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| referenced(item, into, schemas)),
        _ => {}
    }
}

/// Component schemas used by response bodies (directly or inside another).
pub fn response_schemas(document: &Value) -> BTreeSet<String> {
    let schemas = document["components"]["schemas"].as_object().cloned().unwrap_or_default();
    let mut found = BTreeSet::new();
    let mut roots: Vec<&Value> = Vec::new();
    for item in document["paths"].as_object().into_iter().flat_map(|p| p.values()) {
        for operation in item.as_object().into_iter().flat_map(|o| o.values()) {
            for response in operation["responses"].as_object().into_iter().flat_map(|r| r.values()) {
                roots.push(&response["content"]);
            }
        }
    }
    for response in document["components"]["responses"].as_object().into_iter().flat_map(|r| r.values()) {
        roots.push(&response["content"]);
    }
    for root in roots {
        referenced(root, &mut found, &schemas);
    }
    found
}

/// Component schemas used by request bodies and parameters.
pub fn request_schemas(document: &Value) -> BTreeSet<String> {
    let schemas = document["components"]["schemas"].as_object().cloned().unwrap_or_default();
    let mut found = BTreeSet::new();
    for item in document["paths"].as_object().into_iter().flat_map(|p| p.values()) {
        for operation in item.as_object().into_iter().flat_map(|o| o.values()) {
            referenced(&operation["requestBody"], &mut found, &schemas);
            referenced(&operation["parameters"], &mut found, &schemas);
        }
    }
    found
}

fn allows_null(schema: &Value) -> bool {
    match &schema["type"] {
        Value::Array(types) => types.iter().any(|t| t == "null"),
        Value::String(t) => t == "null",
        _ => ["oneOf", "anyOf"].iter().any(|k| schema[*k].as_array().is_some_and(|bs| bs.iter().any(allows_null))),
    }
}

/// Marks every nullable property of a response schema as required (see the module docs).
fn require_what_responses_always_send(document: &mut Value) {
    let response_schemas = response_schemas(document);
    let Some(schemas) = document.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };
    for name in response_schemas {
        let Some(schema) = schemas.get_mut(&name).and_then(Value::as_object_mut) else { continue };
        let nullable: Vec<String> = schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, property)| allows_null(property))
            .map(|(key, _)| key.clone())
            .collect();
        if nullable.is_empty() {
            continue;
        }
        let present: BTreeSet<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let required: Vec<Value> = schema_property_order(schema)
            .into_iter()
            .filter(|key| present.contains(key) || nullable.contains(key))
            .map(Value::String)
            .collect();
        schema.insert("required".to_owned(), Value::Array(required));
    }
}

fn schema_property_order(schema: &Map<String, Value>) -> Vec<String> {
    schema.get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default()
}

//! The contract, checked on the wire. Every exchange the black-box suite makes is held against
//! `openapi.yaml` (the committed contract, which a test keeps identical to the code's):
//!
//! - the operation exists for the method and path; a known path with another method must be a
//!   405 problem with an `Allow` header naming the path's methods; an unknown path a 404 problem;
//! - the status is declared for the operation;
//! - declared `required` headers are present and their values match their schemas;
//! - the body has a declared media type and matches its schema: required properties, enum
//!   values, formats (`uuid`, `date-time`, `email`), and no undeclared property. Response
//!   objects are open in the published contract (so fields can be added without breaking
//!   clients) but closed here: the server sends exactly what the contract names;
//! - a request the server accepted (2xx) matched the contract: body, path, query and header
//!   parameters. A test may send a request the contract forbids (that is how bad input is
//!   tested), but the server must then refuse it.
//!
//! Non-API paths (the Swagger UI under `/docs` and `/openapi.json`, which serves this document)
//! and CORS preflights are not operations of the contract and are not checked.
//!
//! Why this file is long: a small OpenAPI response checker (statuses, headers, bodies,
//! closed objects) with its own negative tests; it has no parts that stand alone.

use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// One HTTP exchange as the client saw it.
#[derive(Debug)]
pub struct Exchange<'a> {
    pub method: &'a str,
    /// The path, without the query string.
    pub path: &'a str,
    pub query: Vec<(String, String)>,
    pub request_headers: &'a reqwest::header::HeaderMap,
    pub request_body: Option<&'a [u8]>,
    pub status: u16,
    pub response_headers: &'a reqwest::header::HeaderMap,
    pub response_body: &'a [u8],
}

pub struct Contract {
    /// The contract with every object schema closed (see the module documentation).
    document: Value,
    /// Path templates, split into segments (`None` for a `{parameter}`), with their methods.
    templates: Vec<(String, Vec<Option<String>>)>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

/// The contract the suite checks against: the committed `openapi.yaml`, as the code generates it
/// (the drift test keeps the two identical).
pub static CONTRACT: LazyLock<Contract> =
    LazyLock::new(|| Contract::new(serde_json::to_value(api::openapi::document()).expect("the contract is JSON")));

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// JSON pointer escaping of one segment (RFC 6901).
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// Closes every object schema that declares properties and says nothing about others. Branches
/// of `allOf` are left open (closing one would refuse the properties of the others); the schema
/// holding the `allOf` is closed with `unevaluatedProperties` instead.
fn close_objects(schema: &mut Value, inside_all_of: bool) {
    match schema {
        Value::Object(map) => {
            let has_all_of = map.contains_key("allOf");
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    // Literal values, not schemas.
                    "example" | "examples" | "enum" | "const" | "default" => {}
                    "allOf" => {
                        if let Value::Array(branches) = child {
                            for branch in branches {
                                close_objects(branch, true);
                            }
                        }
                    }
                    "properties" => {
                        if let Value::Object(properties) = child {
                            for property in properties.values_mut() {
                                close_objects(property, false);
                            }
                        }
                    }
                    _ => close_objects(child, false),
                }
            }
            let is_object = map.contains_key("properties") || map.get("type") == Some(&Value::from("object"));
            let says_nothing = !map.contains_key("additionalProperties") && !map.contains_key("unevaluatedProperties");
            if says_nothing && !inside_all_of {
                if has_all_of {
                    map.insert("unevaluatedProperties".into(), Value::Bool(false));
                } else if is_object && map.contains_key("properties") {
                    map.insert("additionalProperties".into(), Value::Bool(false));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| close_objects(item, inside_all_of)),
        _ => {}
    }
}

impl Contract {
    pub fn new(mut document: Value) -> Self {
        if let Some(schemas) = document.pointer_mut("/components/schemas") {
            for schema in schemas.as_object_mut().into_iter().flat_map(|m| m.values_mut()) {
                close_objects(schema, false);
            }
        }
        if let Some(paths) = document.get_mut("paths") {
            close_inline_schemas(paths);
        }
        if let Some(responses) = document.pointer_mut("/components/responses") {
            close_inline_schemas(responses);
        }
        let templates = document["paths"]
            .as_object()
            .map(|paths| {
                paths
                    .keys()
                    .map(|template| {
                        let segments = template
                            .split('/')
                            .skip(1)
                            .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_owned()))
                            .collect();
                        (template.clone(), segments)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self { document, templates, validators: Mutex::new(HashMap::new()) }
    }

    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The template a concrete path matches, preferring literal segments over parameters.
    pub fn template_for(&self, path: &str) -> Option<&str> {
        let segments: Vec<&str> = path.split('/').skip(1).collect();
        self.templates
            .iter()
            .filter(|(_, pattern)| {
                pattern.len() == segments.len()
                    && pattern.iter().zip(&segments).all(|(p, s)| match p {
                        Some(literal) => literal == s,
                        None => !s.is_empty(),
                    })
            })
            .max_by_key(|(_, pattern)| pattern.iter().filter(|p| p.is_some()).count())
            .map(|(template, _)| template.as_str())
    }

    fn path_item(&self, template: &str) -> &Value {
        &self.document["paths"][template]
    }

    /// The methods a path template declares, upper case.
    pub fn methods(&self, template: &str) -> Vec<String> {
        let item = self.path_item(template);
        METHODS.iter().filter(|m| item.get(**m).is_some()).map(|m| m.to_ascii_uppercase()).collect()
    }

    /// A validator for the schema at `pointer` in the document (cached).
    pub fn validator(&self, pointer: &str) -> Arc<jsonschema::Validator> {
        if let Some(found) = self.validators.lock().unwrap().get(pointer) {
            return found.clone();
        }
        let mut root = self.document.clone();
        // A JSON pointer in a URI fragment: characters a fragment cannot hold are percent-encoded.
        let fragment = pointer.replace('%', "%25").replace('{', "%7B").replace('}', "%7D").replace(' ', "%20");
        root.as_object_mut().unwrap().insert("$ref".into(), Value::String(format!("#{fragment}")));
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("the contract's schema at {pointer} does not compile: {e}"));
        let validator = Arc::new(validator);
        self.validators.lock().unwrap().insert(pointer.to_owned(), validator.clone());
        validator
    }

    /// Every way `value` breaks the schema at `pointer`.
    pub fn schema_errors(&self, pointer: &str, value: &Value) -> Vec<String> {
        self.validator(pointer).iter_errors(value).map(|e| format!("at `{}`: {e}", e.instance_path())).collect()
    }

    /// Follows a `$ref` to a component (responses, parameters, request bodies), returning the
    /// pointer of the target.
    fn resolve(&self, pointer: String) -> String {
        match self.document.pointer(&pointer).and_then(|v| v["$ref"].as_str()) {
            Some(reference) => reference.trim_start_matches('#').to_owned(),
            None => pointer,
        }
    }

    /// Every way the exchange breaks the contract; empty when it keeps it.
    pub fn check(&self, exchange: &Exchange<'_>) -> Vec<String> {
        let path = exchange.path;
        if path == "/openapi.json" || path == "/docs" || path.starts_with("/docs/") {
            return Vec::new();
        }
        let method = exchange.method.to_ascii_lowercase();
        if method == "options" && exchange.request_headers.contains_key("access-control-request-method") {
            return Vec::new();
        }
        let Some(template) = self.template_for(path) else {
            return self.check_problem(exchange, 404, "an unknown path");
        };
        let operation_pointer = format!("/paths/{}/{method}", escape(template));
        if self.document.pointer(&operation_pointer).is_none() {
            let mut violations = self.check_problem(exchange, 405, "a method the path does not declare");
            let mut allow: Vec<String> = exchange
                .response_headers
                .get("allow")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .split(',')
                .map(|m| m.trim().to_ascii_uppercase())
                .filter(|m| !m.is_empty())
                .collect();
            allow.sort();
            let mut declared = self.methods(template);
            declared.sort();
            if allow != declared {
                violations.push(format!("405 must carry `Allow: {}`; got {allow:?}", declared.join(", ")));
            }
            return violations;
        }
        let mut violations = Vec::new();
        let request_errors = self.request_errors(exchange, template, &operation_pointer);
        if (200..300).contains(&exchange.status) && !request_errors.is_empty() {
            violations.push(format!(
                "the server accepted ({}) a request the contract forbids: {}",
                exchange.status,
                request_errors.join("; ")
            ));
        }
        let responses = format!("{operation_pointer}/responses");
        let declared = [exchange.status.to_string(), "default".to_owned()]
            .into_iter()
            .map(|status| format!("{responses}/{status}"))
            .find(|pointer| self.document.pointer(pointer).is_some());
        let Some(response_pointer) = declared else {
            violations.push(format!("status {} is not declared for {method} {template}", exchange.status));
            return violations;
        };
        violations.extend(self.response_errors(exchange, &self.resolve(response_pointer)));
        violations
    }

    /// A refusal outside any operation must still be a problem document.
    fn check_problem(&self, exchange: &Exchange<'_>, expected: u16, what: &str) -> Vec<String> {
        let mut violations = Vec::new();
        if exchange.status != expected {
            violations.push(format!("{what} must be answered {expected}, not {}", exchange.status));
        }
        violations.extend(self.body_errors(exchange, "application/problem+json", "/components/schemas/Problem"));
        violations
    }

    fn body_errors(&self, exchange: &Exchange<'_>, media: &str, schema_pointer: &str) -> Vec<String> {
        let content_type = exchange
            .response_headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(essence)
            .unwrap_or_default();
        if content_type != media {
            return vec![format!("the body must be `{media}`, not `{content_type}`")];
        }
        match serde_json::from_slice::<Value>(exchange.response_body) {
            Ok(body) => self.schema_errors(schema_pointer, &body),
            Err(e) => vec![format!("the body is not JSON: {e}")],
        }
    }

    fn response_errors(&self, exchange: &Exchange<'_>, response_pointer: &str) -> Vec<String> {
        let response = self.document.pointer(response_pointer).cloned().unwrap_or(Value::Null);
        let mut violations = Vec::new();
        for (name, header) in response["headers"].as_object().into_iter().flatten() {
            let header_pointer = self.resolve(format!("{response_pointer}/headers/{}", escape(name)));
            let header = self.document.pointer(&header_pointer).unwrap_or(header);
            match exchange.response_headers.get(name.as_str()).and_then(|v| v.to_str().ok()) {
                None if header["required"] == Value::Bool(true) => {
                    violations.push(format!("the declared header `{name}` is missing"));
                }
                None => {}
                Some(value) => {
                    let value = typed(value, &header["schema"]);
                    for error in self.schema_errors(&format!("{header_pointer}/schema"), &value) {
                        violations.push(format!("header `{name}`: {error}"));
                    }
                }
            }
        }
        let content = response["content"].as_object().cloned().unwrap_or_default();
        if content.is_empty() {
            if !exchange.response_body.is_empty() {
                violations.push("the contract declares no body, but one was sent".to_owned());
            }
            return violations;
        }
        let content_type = exchange
            .response_headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(essence)
            .unwrap_or_default();
        let Some((media, body)) = content.iter().find(|(media, _)| essence(media) == content_type) else {
            violations.push(format!(
                "the body is `{content_type}`, but the contract declares {:?}",
                content.keys().collect::<Vec<_>>()
            ));
            return violations;
        };
        if body.get("schema").is_none() {
            return violations;
        }
        let schema_pointer = format!("{response_pointer}/content/{}/schema", escape(media));
        if media.contains("json") {
            match serde_json::from_slice::<Value>(exchange.response_body) {
                Ok(value) => violations.extend(self.schema_errors(&schema_pointer, &value)),
                Err(e) => violations.push(format!("the body is not JSON: {e}")),
            }
        } else {
            let text = String::from_utf8_lossy(exchange.response_body).into_owned();
            violations.extend(self.schema_errors(&schema_pointer, &Value::String(text)));
        }
        violations
    }

    /// Every way the request breaks the contract (used only when the server accepted it).
    fn request_errors(&self, exchange: &Exchange<'_>, template: &str, operation_pointer: &str) -> Vec<String> {
        let mut errors = Vec::new();
        let operation = self.document.pointer(operation_pointer).cloned().unwrap_or(Value::Null);
        let path_item = self.path_item(template).clone();
        let parameters: Vec<(String, Value)> =
            [(format!("/paths/{}", escape(template)), &path_item), (operation_pointer.to_owned(), &operation)]
                .iter()
                .flat_map(|(base, holder)| {
                    holder["parameters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .enumerate()
                        .map(move |(i, _)| self.resolve(format!("{base}/parameters/{i}")))
                        .collect::<Vec<_>>()
                })
                .filter_map(|pointer| self.document.pointer(&pointer).cloned().map(|p| (pointer, p)))
                .collect();
        let segments: Vec<&str> = exchange.path.split('/').skip(1).collect();
        let template_segments: Vec<&str> = template.split('/').skip(1).collect();
        for (pointer, parameter) in &parameters {
            let name = parameter["name"].as_str().unwrap_or_default();
            let schema = &parameter["schema"];
            let values: Vec<String> = match parameter["in"].as_str() {
                Some("path") => template_segments
                    .iter()
                    .zip(&segments)
                    .filter(|(t, _)| **t == format!("{{{name}}}"))
                    .map(|(_, s)| percent_decode(s))
                    .collect(),
                Some("query") => exchange.query.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect(),
                Some("header") => exchange
                    .request_headers
                    .get_all(name)
                    .iter()
                    .filter_map(|v| v.to_str().ok().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            };
            if values.is_empty() && parameter["required"] == Value::Bool(true) {
                errors.push(format!("the required parameter `{name}` is missing"));
            }
            for value in values {
                for error in self.schema_errors(&format!("{pointer}/schema"), &typed(&value, schema)) {
                    errors.push(format!("parameter `{name}` = {value:?}: {error}"));
                }
            }
        }
        let body_pointer = self.resolve(format!("{operation_pointer}/requestBody"));
        let request_body = self.document.pointer(&body_pointer).cloned();
        let sent = exchange.request_body.filter(|b| !b.is_empty());
        match (request_body, sent) {
            (None, Some(_)) => errors.push("a body was sent, but the operation takes none".to_owned()),
            (Some(declared), None) if declared["required"] == Value::Bool(true) => {
                errors.push("the operation requires a body".to_owned());
            }
            (Some(declared), Some(bytes)) => {
                let content_type = exchange
                    .request_headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .map(essence)
                    .unwrap_or_default();
                let media = declared["content"].as_object().and_then(|c| c.keys().find(|m| essence(m) == content_type));
                match media {
                    None => {
                        errors.push(format!("the request body is `{content_type}`, which the operation does not take"))
                    }
                    Some(media) if media.contains("json") => match serde_json::from_slice::<Value>(bytes) {
                        Ok(value) => {
                            let pointer = format!("{body_pointer}/content/{}/schema", escape(media));
                            errors
                                .extend(self.schema_errors(&pointer, &value).into_iter().map(|e| format!("body {e}")));
                        }
                        Err(e) => errors.push(format!("the request body is not JSON: {e}")),
                    },
                    Some(_) => {}
                }
            }
            (Some(_), None) | (None, None) => {}
        }
        errors
    }

    /// Checks every `example` in the contract against the schema it illustrates; returns each
    /// mismatch with its location.
    pub fn example_errors(&self) -> Vec<String> {
        let mut found = Vec::new();
        collect_examples(&self.document, String::new(), &mut found);
        let mut errors = Vec::new();
        for (schema_pointer, example) in found {
            for error in self.schema_errors(&schema_pointer, &example) {
                errors.push(format!("the example for {schema_pointer} {error}"));
            }
        }
        errors
    }
}

/// Closes inline schemas (under `schema` keys) of operations and shared responses.
fn close_inline_schemas(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    "schema" => close_objects(child, false),
                    "example" | "examples" => {}
                    _ => close_inline_schemas(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(close_inline_schemas),
        _ => {}
    }
}

/// Finds `(schema pointer, example)` pairs: an `example` on a schema, or on a media type or
/// parameter whose schema sits beside it.
fn collect_examples(value: &Value, pointer: String, found: &mut Vec<(String, Value)>) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            for (i, item) in items.iter().enumerate() {
                collect_examples(item, format!("{pointer}/{i}"), found);
            }
        }
        return;
    };
    if let Some(example) = map.get("example") {
        // A schema's own example, or a media type / parameter example of its sibling schema.
        let schema_pointer = if map.contains_key("schema") { format!("{pointer}/schema") } else { pointer.clone() };
        found.push((schema_pointer, example.clone()));
    }
    if let Some(Value::Array(examples)) = map.get("examples") {
        for example in examples {
            found.push((pointer.clone(), example.clone()));
        }
    }
    if let Some(Value::Object(named)) = map.get("examples") {
        let schema_pointer = format!("{pointer}/schema");
        for example in named.values() {
            if let Some(value) = example.get("value") {
                found.push((schema_pointer.clone(), value.clone()));
            }
        }
    }
    for (key, child) in map {
        if matches!(key.as_str(), "example" | "examples" | "enum" | "const" | "default") {
            continue;
        }
        collect_examples(child, format!("{pointer}/{}", escape(key)), found);
    }
}

/// A parameter or header value as the JSON its schema describes (query strings carry text).
fn typed(value: &str, schema: &Value) -> Value {
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"integer") || types.contains(&"number") {
        if let Ok(number) = value.parse::<i64>() {
            return Value::from(number);
        }
        if let Ok(number) = value.parse::<f64>() {
            return serde_json::Number::from_f64(number).map_or(Value::String(value.to_owned()), Value::Number);
        }
    }
    if types.contains(&"boolean") && (value == "true" || value == "false") {
        return Value::Bool(value == "true");
    }
    Value::String(value.to_owned())
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| segment.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Query pairs of a URL, decoded.
pub fn query_pairs(url: &reqwest::Url) -> Vec<(String, String)> {
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

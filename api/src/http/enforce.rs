//! The contract enforced at the boundary. Every JSON request body and every query string is
//! checked against the schema the published contract gives it before a handler reads it, so the
//! server never accepts what `openapi.yaml` forbids: lengths, patterns (no control characters),
//! enumerations, types, unknown members, array sizes and ranges.
//!
//! Failures are reported all at once, each with a JSON pointer and a catalogued code, in plain
//! words. Some rules are the domain's to explain: a missing member, text too short or of the
//! wrong shape (a postcode, a cursor), a value not in a list (a title, a role), a number out of
//! range (a page size). When those are
//! all that is wrong and the body still reads into the handler's type, the request goes on to
//! the handler, which names them in the words of the rule they break, together with the rules
//! the contract cannot express; this is safe because the domain accepts nothing the schema
//! refuses (the field schemas are property-tested against the domain's parsers). When anything
//! else is wrong (control characters, text too long, a wrong type, an unknown member), the shape
//! is refused here with every shape error at once, before any rule beyond the shape is checked.

use crate::http::problem::FieldError;
use crate::http::validators::compile;
use domain::ProblemCode;
use domain::text::quantity;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The checks for one operation.
struct OperationRules {
    body: Option<BodyRule>,
    query: Option<QueryRule>,
}

enum BodyRule {
    Plain(jsonschema::Validator),
    /// `oneOf` branches chosen by the value of a discriminating member.
    Discriminated {
        property: String,
        branches: Vec<(String, jsonschema::Validator)>,
    },
}

struct QueryRule {
    validator: jsonschema::Validator,
    /// The JSON types each parameter's value is read as.
    types: HashMap<String, Vec<String>>,
}

/// Every operation's request checks, by method and path template.
pub struct RequestRules {
    operations: HashMap<(String, String), OperationRules>,
}

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => document.pointer(pointer).unwrap_or(schema),
        None => schema,
    }
}

fn body_rule(document: &Value, schema: &Value) -> Result<BodyRule, String> {
    let target = resolve(document, schema);
    let property = target["discriminator"]["propertyName"].as_str();
    let mapping = target["discriminator"]["mapping"].as_object();
    if let (Some(property), Some(mapping)) = (property, mapping) {
        let branches = mapping
            .iter()
            .map(|(value, reference)| {
                compile(document, &json!({"$ref": reference})).map(|validator| (value.clone(), validator))
            })
            .collect::<Result<_, _>>()?;
        return Ok(BodyRule::Discriminated { property: property.to_owned(), branches });
    }
    compile(document, schema).map(BodyRule::Plain)
}

fn query_rule(document: &Value, parameters: &[Value]) -> Result<Option<QueryRule>, String> {
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut types = HashMap::new();
    for parameter in parameters.iter().map(|p| resolve(document, p)).filter(|p| p["in"] == "query") {
        let Some(name) = parameter["name"].as_str() else { continue };
        let schema = resolve(document, &parameter["schema"]);
        let kinds = match &schema["type"] {
            Value::String(t) => vec![t.clone()],
            Value::Array(ts) => ts.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        };
        types.insert(name.to_owned(), kinds);
        properties.insert(name.to_owned(), parameter["schema"].clone());
        if parameter["required"] == Value::Bool(true) {
            required.push(Value::String(name.to_owned()));
        }
    }
    if properties.is_empty() {
        return Ok(None);
    }
    let schema = json!({"type": "object", "properties": properties, "required": required});
    Ok(Some(QueryRule { validator: compile(document, &schema)?, types }))
}

impl RequestRules {
    /// Compiles the checks of every operation of the contract.
    pub fn from_document(document: &Value) -> Result<Self, String> {
        let mut operations = HashMap::new();
        for (template, item) in document["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let body = match operation["requestBody"]["content"]["application/json"]["schema"] {
                    Value::Null => None,
                    ref schema => Some(body_rule(document, schema)?),
                };
                let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
                let query = query_rule(document, &parameters)?;
                operations.insert((method.to_ascii_uppercase(), template.clone()), OperationRules { body, query });
            }
        }
        Ok(Self { operations })
    }

    /// Every way a JSON body breaks its schema.
    pub fn check_body(&self, method: &str, template: &str, body: &Value) -> Checked {
        let Some(rule) = self.operations.get(&(method.to_owned(), template.to_owned())).and_then(|o| o.body.as_ref())
        else {
            return Checked::default();
        };
        let errors = match rule {
            BodyRule::Plain(validator) => field_errors(validator, body, ""),
            BodyRule::Discriminated { property, branches } => {
                let chosen = body.get(property).and_then(Value::as_str);
                match branches.iter().find(|(value, _)| Some(value.as_str()) == chosen) {
                    Some((_, validator)) => field_errors(validator, body, ""),
                    None if body.get(property).is_none() && body.is_object() => Vec::new(),
                    None => {
                        let allowed: Vec<&str> = branches.iter().map(|(v, _)| v.as_str()).collect();
                        let error = FieldError::new(
                            format!("/{property}"),
                            ProblemCode::InvalidValue,
                            None,
                            format!("This must be one of: {}.", allowed.join(", ")),
                        );
                        vec![Found { error, soft: false }]
                    }
                }
            }
        };
        Checked::from(errors)
    }

    /// Every way a query string breaks its parameters' schemas (pointers `/query/<name>`).
    pub fn check_query(&self, method: &str, template: &str, query: &str) -> Checked {
        let Some(rule) = self.operations.get(&(method.to_owned(), template.to_owned())).and_then(|o| o.query.as_ref())
        else {
            return Checked::default();
        };
        let mut object = Map::new();
        for (name, value) in url_pairs(query) {
            let Some(kinds) = rule.types.get(&name) else { continue };
            object.insert(name, typed(&value, kinds));
        }
        Checked::from(field_errors(&rule.validator, &Value::Object(object), "/query"))
    }
}

/// The outcome of a check: every failure, and whether any is beyond what the domain explains.
#[derive(Debug, Default)]
pub struct Checked {
    pub errors: Vec<FieldError>,
    /// Some failure must be reported here (see the module documentation).
    pub hard: bool,
}

impl From<Vec<Found>> for Checked {
    fn from(found: Vec<Found>) -> Self {
        let hard = found.iter().any(|f| !f.soft);
        Self { errors: found.into_iter().map(|f| f.error).collect(), hard }
    }
}

/// One failure, and whether the domain explains it better (see the module documentation).
struct Found {
    error: FieldError,
    soft: bool,
}

/// A query value as the JSON its schema describes: a number where a number is expected and the
/// text is one, otherwise the text (which then fails the type check with a pointer).
fn typed(value: &str, kinds: &[String]) -> Value {
    if kinds.iter().any(|k| k == "integer") {
        if let Ok(number) = value.parse::<i64>() {
            return Value::from(number);
        }
    }
    if kinds.iter().any(|k| k == "boolean") && (value == "true" || value == "false") {
        return Value::Bool(value == "true");
    }
    Value::String(value.to_owned())
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// Percent-decoding of a query component (`+` is a space).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => match text.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                Some(byte) => {
                    out.push(byte);
                    i += 3;
                }
                None => {
                    out.push(b'%');
                    i += 1;
                }
            },
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn type_name(kind: &TypeKind) -> String {
    let name = |t: &jsonschema::JsonType| match t {
        jsonschema::JsonType::String => "text",
        jsonschema::JsonType::Integer => "a whole number",
        jsonschema::JsonType::Number => "a number",
        jsonschema::JsonType::Boolean => "true or false",
        jsonschema::JsonType::Array => "a list",
        jsonschema::JsonType::Object => "an object",
        jsonschema::JsonType::Null => "null",
    };
    match kind {
        TypeKind::Single(t) => name(t).to_owned(),
        TypeKind::Multiple(ts) => ts.iter().map(|t| name(&t)).collect::<Vec<_>>().join(" or "),
    }
}

fn has_control_characters(value: &Value) -> bool {
    value.as_str().is_some_and(|s| s.chars().any(char::is_control))
}

/// The plain-language field errors for every way `instance` breaks the validator's schema.
/// At most this many shape errors are listed: a request with thousands of bad list items gets
/// the first of them, not a problem document of unbounded size.
const MAX_SHAPE_ERRORS: usize = 100;

fn field_errors(validator: &jsonschema::Validator, instance: &Value, prefix: &str) -> Vec<Found> {
    let mut errors: Vec<Found> = Vec::new();
    for error in validator.iter_errors(instance) {
        if errors.len() >= MAX_SHAPE_ERRORS {
            break;
        }
        let at = format!("{prefix}{}", error.instance_path());
        let value = error.instance();
        let soft = match error.kind() {
            ValidationErrorKind::Required { .. }
            | ValidationErrorKind::MinLength { .. }
            | ValidationErrorKind::Enum { .. }
            | ValidationErrorKind::Format { .. }
            | ValidationErrorKind::Minimum { .. }
            | ValidationErrorKind::Maximum { .. } => true,
            ValidationErrorKind::Pattern { .. } => !has_control_characters(value),
            _ => false,
        };
        let (pointer, code, detail) = match error.kind() {
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                (
                    format!("{at}{}", crate::http::problem::pointer([name])),
                    ProblemCode::Required,
                    "This is required.".to_owned(),
                )
            }
            ValidationErrorKind::Type { kind } => {
                (at, ProblemCode::InvalidType, format!("This must be {}.", type_name(kind)))
            }
            ValidationErrorKind::MaxLength { limit } => {
                (at, ProblemCode::TooLong, format!("This can be at most {} long.", quantity(*limit, "character")))
            }
            ValidationErrorKind::MinLength { limit } if *limit <= 1 => {
                (at, ProblemCode::Required, "This must not be empty.".to_owned())
            }
            ValidationErrorKind::MinLength { limit } => {
                (at, ProblemCode::TooShort, format!("This must be at least {} long.", quantity(*limit, "character")))
            }
            ValidationErrorKind::Pattern { .. } if has_control_characters(value) => (
                at,
                ProblemCode::ControlCharacters,
                "This contains control characters (such as NUL or a line break), which are not allowed here."
                    .to_owned(),
            ),
            ValidationErrorKind::Pattern { .. } => {
                (at, ProblemCode::InvalidValue, "This contains characters that are not allowed here.".to_owned())
            }
            ValidationErrorKind::Enum { options } => {
                let allowed: Vec<String> = options
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_owned))
                    .collect();
                (at, ProblemCode::InvalidValue, format!("This must be one of: {}.", allowed.join(", ")))
            }
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                for name in unexpected {
                    let error = FieldError::new(
                        format!("{at}{}", crate::http::problem::pointer([name.as_str()])),
                        ProblemCode::UnknownField,
                        None,
                        format!("`{name}` is not something this request takes."),
                    );
                    errors.push(Found { error, soft: false });
                }
                continue;
            }
            ValidationErrorKind::MaxItems { limit } => {
                (at, ProblemCode::InvalidValue, format!("This list can have at most {}.", quantity(*limit, "item")))
            }
            ValidationErrorKind::MinItems { limit } => {
                (at, ProblemCode::InvalidValue, format!("This list needs at least {}.", quantity(*limit, "item")))
            }
            ValidationErrorKind::Minimum { limit } | ValidationErrorKind::ExclusiveMinimum { limit } => {
                (at, ProblemCode::OutOfRange, format!("This must be at least {limit}."))
            }
            ValidationErrorKind::Maximum { limit } | ValidationErrorKind::ExclusiveMaximum { limit } => {
                (at, ProblemCode::OutOfRange, format!("This must be at most {limit}."))
            }
            ValidationErrorKind::Format { format } => {
                (at, ProblemCode::InvalidValue, format!("This is not a valid {}.", format.replace('-', " ")))
            }
            _ => (at, ProblemCode::InvalidValue, "This value is not allowed here.".to_owned()),
        };
        if !errors.iter().any(|f| f.error.pointer == pointer && f.error.code == code) {
            errors.push(Found { error: FieldError::new(pointer, code, None, detail), soft });
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded_and_typed() {
        assert_eq!(
            url_pairs("q=jo%20nes&limit=5"),
            [("q".to_owned(), "jo nes".to_owned()), ("limit".to_owned(), "5".to_owned())]
        );
        assert_eq!(typed("5", &["integer".to_owned()]), json!(5));
        assert_eq!(typed("abc", &["integer".to_owned()]), json!("abc"));
    }
}

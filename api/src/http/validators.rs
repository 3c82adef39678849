//! Validators compiled from the published contract's schemas, each carrying only the component
//! schemas it refers to.

use serde_json::{Map, Value, json};

/// Collects every `#/components/schemas/…` name `value` refers to, directly or through the
/// schemas it names.
fn referenced_schemas(document: &Value, value: &Value, found: &mut std::collections::BTreeSet<String>) {
    match value {
        Value::Object(object) => {
            if let Some(name) = object.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix(SCHEMAS)) {
                if found.insert(name.to_owned()) {
                    referenced_schemas(document, &document["components"]["schemas"][name], found);
                }
            }
            for member in object.values() {
                referenced_schemas(document, member, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| referenced_schemas(document, item, found)),
        _ => {}
    }
}

const SCHEMAS: &str = "#/components/schemas/";

/// A validator for `schema`, carrying only the component schemas it uses (a copy of all of them
/// in each of a hundred validators cost about 80 MB of resident memory).
pub fn compile(document: &Value, schema: &Value) -> Result<jsonschema::Validator, String> {
    let mut names = std::collections::BTreeSet::new();
    referenced_schemas(document, schema, &mut names);
    let schemas: Map<String, Value> =
        names.into_iter().map(|name| (name.clone(), document["components"]["schemas"][&name].clone())).collect();
    let components = json!({ "schemas": schemas });
    let mut root = schema.clone();
    if let Some(object) = root.as_object_mut() {
        object.insert("components".to_owned(), components);
    } else {
        root = json!({"allOf": [schema], "components": components});
    }
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .map_err(|e| e.to_string())
}

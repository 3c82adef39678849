//! The published contract: `openapi.yaml` at the repository root must be exactly what the code
//! generates, `/openapi.json` serves the same document, and `/docs` works without the internet.

use blackbox::{on_each_backend, send};
use std::path::Path;

const REGENERATE: &str = "cargo run -- openapi --output openapi.yaml";

#[test]
fn committed_openapi_yaml_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}; generate it with `{REGENERATE}`", path.display()));
    let generated = api::openapi::to_yaml().unwrap();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "openapi.yaml is out of date with the code (first difference at line {}):\n  committed: {:?}\n  generated: {:?}\nRegenerate it with `{REGENERATE}` and commit it.",
            line + 1,
            committed.lines().nth(line).unwrap_or("<end of file>"),
            generated.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
}

#[test]
fn the_contract_is_openapi_3_1_and_every_operation_documents_its_errors() {
    let document = serde_json::to_value(api::openapi::document()).unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.contains_key("/healthz") && paths.contains_key("/readyz"));
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path} documents no responses");
            assert!(operation["operationId"].is_string(), "{method} {path} has no operationId");
            for (status, response) in responses {
                // Shared responses are components, referenced by `$ref`.
                let response = match response["$ref"].as_str() {
                    Some(reference) => {
                        let name = reference.trim_start_matches("#/components/responses/");
                        &document["components"]["responses"][name]
                    }
                    None => response,
                };
                assert!(response.is_object(), "{method} {path} {status} refers to a missing response");
                let content = response["content"].as_object();
                if status.starts_with('4') || status.starts_with('5') {
                    let problem = content.and_then(|c| c.get("application/problem+json"));
                    assert!(problem.is_some(), "{method} {path} {status} is not a problem document");
                }
                for (media, body) in content.into_iter().flatten() {
                    // An example of the whole body: on the response, or on the schema it names
                    // (or on the item schema of a list).
                    let schema = &body["schema"];
                    let named = schema["$ref"].as_str().or(schema["items"]["$ref"].as_str());
                    let named_has_example = named.is_some_and(|reference| {
                        let name = reference.trim_start_matches("#/components/schemas/");
                        let component = &document["components"]["schemas"][name];
                        component.get("example").is_some() || component.get("examples").is_some()
                    });
                    let has_example = body.get("example").is_some()
                        || body.get("examples").is_some()
                        || schema.get("example").is_some()
                        || named_has_example;
                    assert!(has_example, "{method} {path} {status} {media} has no example of the whole body");
                }
            }
        }
    }
}

#[test]
fn openapi_json_serves_the_same_document() {
    on_each_backend(|app| {
        let (status, served) = send(app.get("/openapi.json"));
        assert_eq!(status, 200);
        assert_eq!(served, serde_json::to_value(api::openapi::document()).unwrap());
    });
}

#[test]
fn swagger_ui_is_served_offline() {
    on_each_backend(|app| {
        let response = app.get("/docs").send().unwrap();
        assert_eq!(response.status().as_u16(), 308);
        assert_eq!(response.headers()["location"], "/docs/");
        for asset in ["/docs/", "/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/swagger-initializer.js"] {
            let response = app.get(asset).send().unwrap();
            assert_eq!(response.status().as_u16(), 200, "{asset}");
            let text = response.text().unwrap();
            assert!(!text.is_empty(), "{asset}");
            if asset.ends_with('/') || asset.ends_with("initializer.js") {
                assert!(
                    !text.contains("https://") && !text.contains("http://unpkg"),
                    "{asset} loads from the internet"
                );
            }
        }
        let initializer = app.get("/docs/swagger-initializer.js").send().unwrap().text().unwrap();
        assert!(initializer.contains("/openapi.json"));
    });
}

#[test]
fn every_example_in_the_contract_matches_its_schema() {
    let errors = blackbox::contract::CONTRACT.example_errors();
    assert!(errors.is_empty(), "{} examples break their schemas:\n{}", errors.len(), errors.join("\n"));
}

/// Every `enum` in the contract, with where it is.
fn enums(value: &serde_json::Value, at: String, found: &mut Vec<(String, serde_json::Value)>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(values) = map.get("enum") {
                found.push((at.clone(), values.clone()));
            }
            for (key, child) in map {
                if !matches!(key.as_str(), "enum" | "example" | "examples") {
                    enums(child, format!("{at}/{key}"), found);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                enums(item, format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn every_enumeration_is_spelled_as_the_server_writes_it() {
    let document = serde_json::to_value(api::openapi::document()).unwrap();
    let catalogue = api::wire::catalogue();
    for entry in &catalogue {
        assert_eq!(
            document["components"]["schemas"][&entry.name]["enum"],
            serde_json::Value::Array(entry.serialized.clone()),
            "the contract's {} and serde disagree",
            entry.name
        );
    }
    let mut found = Vec::new();
    enums(&document, String::new(), &mut found);
    // Headers are not serde values. Every other enumeration is a catalogued component, or an
    // inline choice among one catalogued enumeration's values (a discriminator, a value that may
    // also be null).
    for (at, values) in found.iter().filter(|(at, _)| !at.starts_with("/components/headers/")) {
        let catalogued = at
            .strip_prefix("/components/schemas/")
            .is_some_and(|name| catalogue.iter().any(|entry| entry.name == name));
        let values: Vec<&serde_json::Value> = values.as_array().unwrap().iter().filter(|v| !v.is_null()).collect();
        let subset = catalogue.iter().any(|entry| values.iter().all(|v| entry.serialized.contains(v)));
        assert!(catalogued || subset, "{at} is an enumeration outside api::wire (declare it in the wire_enums! block)");
    }
}

#[test]
fn nothing_is_both_optional_and_nullable_and_no_reference_is_wrapped_in_null() {
    let document = serde_json::to_value(api::openapi::document()).unwrap();
    let text = serde_json::to_string(&document).unwrap();
    assert!(!text.contains(r#"{"type":"null"}"#), "a oneOf/anyOf wraps a reference with null");
    let responses = api::openapi::conventions::response_schemas(&document);
    let requests = api::openapi::conventions::request_schemas(&document);
    // The rule above holds for response objects only, so no object may serve both.
    let both: Vec<_> = responses
        .intersection(&requests)
        .filter(|name| document["components"]["schemas"][name.as_str()]["type"] == "object")
        .collect();
    assert!(both.is_empty(), "object schemas used both in requests and responses: {both:?}");
    for name in &responses {
        let schema = &document["components"]["schemas"][name];
        let required: Vec<&str> =
            schema["required"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
        for (property, definition) in schema["properties"].as_object().into_iter().flatten() {
            let nullable = definition["type"].as_array().is_some_and(|types| types.iter().any(|t| t == "null"));
            assert!(
                !nullable || required.contains(&property.as_str()),
                "{name}.{property} may be null but is not required: a response sends null, it never leaves it out"
            );
        }
    }
}

#[test]
fn the_checker_refuses_what_the_contract_does_not_say() {
    use blackbox::contract::{Contract, Exchange};
    use reqwest::header::{HeaderMap, HeaderValue};
    let contract = Contract::new(serde_json::to_value(api::openapi::document()).unwrap());
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert("x-request-id", HeaderValue::from_static("abc"));
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    let exchange = |status: u16, body: &'static str, headers: &HeaderMap| {
        contract.check(&Exchange {
            method: "GET",
            path: "/healthz",
            query: Vec::new(),
            request_headers: &HeaderMap::new(),
            request_body: None,
            status,
            response_headers: headers,
            response_body: body.as_bytes(),
        })
    };
    assert!(exchange(200, r#"{"status": "ok"}"#, &headers).is_empty(), "the true answer passes");
    assert!(!exchange(200, r#"{"status": "fine"}"#, &headers).is_empty(), "a value outside the enum");
    assert!(!exchange(200, r#"{"status": "ok", "extra": 1}"#, &headers).is_empty(), "an undeclared property");
    assert!(!exchange(200, r#"{}"#, &headers).is_empty(), "a missing required property");
    assert!(!exchange(418, r#"{"status": "ok"}"#, &headers).is_empty(), "an undeclared status");
    let mut bare = headers.clone();
    bare.remove("x-request-id");
    assert!(!exchange(200, r#"{"status": "ok"}"#, &bare).is_empty(), "a missing declared header");
    // A broken contract fails the same true answer.
    let mut broken = serde_json::to_value(api::openapi::document()).unwrap();
    broken["components"]["schemas"]["HealthStatus"]["enum"] = serde_json::json!(["Ok"]);
    let broken = Contract::new(broken);
    let violations = broken.check(&Exchange {
        method: "GET",
        path: "/healthz",
        query: Vec::new(),
        request_headers: &HeaderMap::new(),
        request_body: None,
        status: 200,
        response_headers: &headers,
        response_body: br#"{"status": "ok"}"#,
    });
    assert!(!violations.is_empty(), "a contract that misspells an enum must fail the wire");
}

/// Every string and array a request can carry, with where it is.
fn request_values(
    schema: &serde_json::Value,
    at: String,
    document: &serde_json::Value,
    found: &mut Vec<(String, serde_json::Value)>,
) {
    let schema = match schema["$ref"].as_str() {
        Some(reference) => document.pointer(reference.trim_start_matches('#')).unwrap_or(schema),
        None => schema,
    };
    let kinds: Vec<&str> = match &schema["type"] {
        serde_json::Value::String(t) => vec![t.as_str()],
        serde_json::Value::Array(ts) => ts.iter().filter_map(|t| t.as_str()).collect(),
        _ => Vec::new(),
    };
    if kinds.contains(&"string") || kinds.contains(&"array") {
        found.push((at.clone(), schema.clone()));
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        request_values(property, format!("{at}/{name}"), document, found);
    }
    if schema.get("items").is_some() {
        request_values(&schema["items"], format!("{at}/items"), document, found);
    }
    for branch in schema["oneOf"].as_array().into_iter().flatten() {
        request_values(branch, format!("{at}/oneOf"), document, found);
    }
}

#[test]
fn every_request_value_carries_its_limits() {
    let document = serde_json::to_value(api::openapi::document()).unwrap();
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                request_values(&parameter["schema"], format!("{at} {}", parameter["name"]), &document, &mut found);
            }
            for (media, body) in operation["requestBody"]["content"].as_object().into_iter().flatten() {
                request_values(&body["schema"], format!("{at} {media}"), &document, &mut found);
            }
        }
    }
    assert!(found.len() > 50, "the walk found the request values");
    for (at, schema) in found {
        let is_array = schema["type"] == "array";
        if is_array {
            assert!(schema.get("maxItems").is_some(), "{at}: a list without maxItems");
            continue;
        }
        let closed = schema.get("enum").is_some();
        assert!(closed || schema.get("maxLength").is_some(), "{at}: text without maxLength");
        assert!(
            closed || schema.get("pattern").is_some() || schema["format"] == "uuid" || !at.contains("json"),
            "{at}: JSON text without a pattern (at least: no control characters)"
        );
    }
}

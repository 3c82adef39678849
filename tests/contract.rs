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

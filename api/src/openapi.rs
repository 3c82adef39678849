//! The OpenAPI 3.1 contract, generated from the handlers and types. `openapi.yaml` at the
//! repository root is this document, written by `nhsmail-dental openapi --output openapi.yaml`;
//! a test fails when the two differ.

use crate::problem::{FieldError, Problem};
use crate::routes;
use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "NHSmail dental practice registration API",
        description = include_str!("openapi_description.md"),
        contact(name = "National Administration Service", email = "dentistadmin@nhs.net"),
        license(name = "MIT", identifier = "MIT"),
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "operations", description = "Health, readiness and the documentation of problem types."),
    )
)]
struct ApiDoc;

/// The whole contract, as served at `/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    document
}

/// The contract as YAML, exactly as committed in `openapi.yaml`.
pub fn to_yaml() -> Result<String, String> {
    document().to_yaml().map_err(|e| e.to_string())
}

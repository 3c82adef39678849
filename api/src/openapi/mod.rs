//! The OpenAPI 3.1 contract, generated from the handlers and types, then given the conventions
//! every operation follows ([`conventions`]). `openapi.yaml` at the repository root is this
//! document, written by `nhsmail-dental openapi --output openapi.yaml`; a test fails when the two
//! differ, and the black-box suite checks every response it receives against it.

pub mod conventions;

use crate::http::problem::{FieldErrorView, NoApplicationToken, NotFoundForCaller, Problem};
use crate::models::accounts::{NoAccountToken, ScopeTooNarrow};
use crate::models::helpdesk::NoHelpdeskToken;
use crate::models::operations::NotifyCallbackUnauthorized;
use crate::routes;
use actix_web::App;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

/// Declares how callers authenticate.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut token = Http::new(HttpAuthScheme::Bearer);
        token.description = Some(
            "The application token returned once by `POST /v1/applications` (it starts `dat_`). It gives access to that one application only."
                .to_owned(),
        );
        components.add_security_scheme("application_token", SecurityScheme::Http(token));
        let mut helpdesk = Http::new(HttpAuthScheme::Bearer);
        helpdesk.bearer_format = Some("JWT".to_owned());
        helpdesk.description = Some(
            "A helpdesk access token from `POST /v1/admin/sessions`: a short-lived JWT following RFC8725 (algorithm pinned to HS256; issuer, audience and expiry checked); signing out revokes it."
                .to_owned(),
        );
        components.add_security_scheme("helpdesk_token", SecurityScheme::Http(helpdesk));
        let mut account = Http::new(HttpAuthScheme::Bearer);
        account.bearer_format = Some("JWT".to_owned());
        account.description = Some(
            "An account holder's access token from `POST /v1/account/sessions`: a short-lived JWT following RFC8725 (algorithm pinned to HS256; issuer, audience and expiry checked). Its session's `scope` limits it during activation or a required password change."
                .to_owned(),
        );
        components.add_security_scheme("account_token", SecurityScheme::Http(account));
        let mut notify = Http::new(HttpAuthScheme::Bearer);
        notify.description = Some(
            "GOV.UK Notify's delivery-status callback: the bearer token configured as `NOTIFY_CALLBACK_TOKEN`."
                .to_owned(),
        );
        components.add_security_scheme("notify_callback_token", SecurityScheme::Http(notify));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "NHSmail dental practice registration API",
        description = include_str!("description.md"),
        contact(name = "National Administration Service", email = "dentistadmin@nhs.net"),
        license(name = "MIT", identifier = "MIT"),
    ),
    components(schemas(Problem, FieldErrorView), responses(NoApplicationToken, NotFoundForCaller, NoHelpdeskToken, NoAccountToken, ScopeTooNarrow, NotifyCallbackUnauthorized)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "registration", description = "The registration journey: questionnaire, practice identification, verification, town, members and submission. Every call after `POST /v1/applications` needs that application's token."),
        (name = "accounts", description = "For NHSmail account holders: sign in, activation, passwords, self-service reset, profile and directory."),
        (name = "helpdesk", description = "For the national administration service: sign in, reference data. Needs a helpdesk access token."),
        (name = "operations", description = "Health, readiness and the documentation of problem types."),
        (name = "development", description = "For testers on a development instance only: the messages the development provider sent."),
    )
)]
struct ApiDoc;

/// The whole contract, as served at `/openapi.json`. It is kept as JSON once the conventions
/// are applied: they use members of OpenAPI (such as a header's `required`) that utoipa's own
/// types do not model.
pub fn document() -> serde_json::Value {
    let (_, document) =
        App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(routes::configure).split_for_parts();
    let mut value = serde_json::to_value(&document).unwrap_or_default();
    conventions::apply(&mut value);
    value
}

/// The contract as YAML, exactly as committed in `openapi.yaml`.
pub fn to_yaml() -> Result<String, String> {
    yaml_serde::to_string(&document()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use crate::http::enforce::RequestRules;
    use domain::ProblemCode;
    use serde_json::json;

    #[test]
    fn the_real_contract_compiles_and_refuses_control_characters_and_long_text() {
        let rules = RequestRules::from_document(&super::document()).unwrap();
        let checked =
            rules.check_body("POST", "/v1/account/sessions", &json!({"username": "a\u{0}b", "password": "x"}));
        assert!(checked.hard, "a NUL is refused at the boundary");
        assert_eq!(checked.errors[0].pointer, "/username");
        assert_eq!(checked.errors[0].code, ProblemCode::ControlCharacters);
        let long = "x".repeat(10_000);
        let checked = rules.check_body("POST", "/v1/account/sessions", &json!({"username": long, "password": "x"}));
        assert_eq!(checked.errors[0].code, ProblemCode::TooLong);
        let checked = rules.check_body("POST", "/v1/account/sessions", &json!({}));
        assert!(!checked.hard && checked.errors.len() == 2, "missing fields are the handler's to name");
        let checked = rules.check_query("GET", "/v1/directory/people", "q=jones&limit=abc");
        assert!(checked.hard);
        assert_eq!(
            (checked.errors[0].pointer.as_str(), checked.errors[0].code),
            ("/query/limit", ProblemCode::InvalidType)
        );
    }
}

//! Identifying the practice: search the register by postcode (route A), or describe a practice
//! the register does not hold and confirm its CQC details (route B).

use crate::extract::Json;
use crate::journey::{Applicant, RequestOrigin, in_draft, view};
use crate::problem::{ApiError, FieldError, NoApplicationToken, NotFoundForCaller, Problem, ProblemType, Validator};
use crate::schemas;
use crate::state::AppState;
use crate::views::{ApplicationView, PracticeRoute};
use actix_web::{HttpResponse, get, put, web};
use domain::ProblemCode;
use domain::identifiers::{CqcLocationId, OdsCode, PracticeName};
use domain::journey::{Action, Route};
use domain::postcode::Postcode;
use persistence::applications::{self, ApplicationRow, PracticeSelection};
use persistence::time::from_db;
use persistence::{DbConnection, reference};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PracticeQuery {
    /// The practice postcode, any case and spacing (R-P1).
    #[param(required = true, example = "SW19 4AB", min_length = 5, max_length = 16, pattern = r"^[A-Za-z0-9 ]+$")]
    pub postcode: Option<String>,
}

/// A practice in the register, as offered for selection.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "8d1f6a3e-2c4b-4e5f-9a1b-0c2d3e4f5a6b", "name": "BRIGHT SMILE DENTAL PRACTICE", "ods_code": "V00101", "address_lines": ["1 HIGH STREET", "LEEDS", "LS1 4AP"]}))]
pub struct PracticeCandidate {
    /// Pass as `practice_id` to choose this practice.
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub ods_code: String,
    pub address_lines: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = crate::examples::practice_search)]
pub struct PracticeSearch {
    /// The postcode as normalised (R-P1).
    #[schema(example = "LS1 4AP")]
    pub postcode: String,
    /// `a` when the register holds practices at this postcode; `b` when it holds none.
    pub route: PracticeRoute,
    pub candidates: Vec<PracticeCandidate>,
    /// What to do if the practice is not listed.
    pub help: String,
}

/// Find the practice by postcode
///
/// Find the practice by postcode: route A candidates from the register, or route B when the
/// register holds no practice there. A practice that is not listed can still be described (route
/// B).
#[utoipa::path(
    tag = "registration",
    operation_id = "searchPractices",
    security(("application_token" = [])),
    params(PracticeQuery),
    responses(
        (status = 200, description = "Candidates at the postcode.", body = PracticeSearch),
        (status = 401, response = NoApplicationToken),
        (status = 422, description = "The postcode is missing or not a UK postcode.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/query/postcode", "code": "postcode_invalid", "rule": "R-P1", "detail": "Enter a real UK postcode, like SW19 4AB."}]})),
    )
)]
#[get("/v1/practices")]
pub async fn search_practices(
    state: web::Data<AppState>,
    _applicant: Applicant,
    query: crate::extract::Query<PracticeQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::new();
    let postcode = v.check("/query/postcode", Postcode::parse(query.postcode.as_deref().unwrap_or_default()));
    let postcode = v.finish(|| postcode)?;
    let support = state.config.app.support_contact.clone();
    let found = {
        let postcode = postcode.as_str().to_owned();
        state.db(move |conn| Ok(reference::practices_at_postcode(conn, &postcode)?)).await?
    };
    let route = if found.is_empty() { Route::B } else { Route::A };
    Ok(HttpResponse::Ok().json(PracticeSearch {
        postcode: postcode.as_str().to_owned(),
        route: route.into(),
        candidates: found
            .iter()
            .map(|p| PracticeCandidate { id: p.id.clone(), name: p.record.name.clone(), ods_code: p.record.ods_code.clone(), address_lines: p.record.address_lines() })
            .collect(),
        help: format!(
            "If your practice is not listed, describe it with its name, ODS code and CQC location ID (route B). If you cannot find it at all, contact {support}."
        ),
    }))
}

/// How the applicant identifies the practice, as sent: either route, one struct, so that every
/// missing or bad field is reported at once. The contract describes the two routes apart
/// ([`RouteAIdentification`], [`RouteBIdentification`]), chosen by `route`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PracticeIdentification {
    #[serde(default)]
    pub route: Option<PracticeRoute>,
    #[serde(default)]
    pub postcode: Option<String>,
    #[serde(default)]
    pub practice_id: Option<String>,
    #[serde(default)]
    pub practice_name: Option<String>,
    #[serde(default)]
    pub ods_code: Option<String>,
    #[serde(default)]
    pub cqc_location_id: Option<String>,
}

/// Route A (R-P2): a practice the register holds, chosen from the postcode search.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Describes the contract; requests are read as `PracticeIdentification`.
#[schema(example = json!({"route": "a", "postcode": "LS1 4AP", "practice_id": "777aaa96-8927-4c24-a8a6-2ab5b4bfa231"}))]
pub struct RouteAIdentification {
    #[schema(schema_with = route_a)]
    route: String,
    #[schema(schema_with = schemas::postcode)]
    postcode: String,
    /// A candidate's `id` from the postcode search.
    #[schema(schema_with = schemas::id)]
    practice_id: String,
}

/// Route B (R-P3): a practice the register does not hold, found in the CQC directory.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Describes the contract; requests are read as `PracticeIdentification`.
#[schema(example = json!({"route": "b", "postcode": "sw19 4ab", "practice_name": "Sample Dental Care", "ods_code": "V12345", "cqc_location_id": "1-1002733005"}))]
pub struct RouteBIdentification {
    #[schema(schema_with = route_b)]
    route: String,
    #[schema(schema_with = schemas::postcode)]
    postcode: String,
    #[schema(schema_with = schemas::practice_name)]
    practice_name: String,
    #[schema(schema_with = schemas::ods_code)]
    ods_code: String,
    #[schema(schema_with = schemas::cqc_location_id)]
    cqc_location_id: String,
}

fn route_a() -> utoipa::openapi::schema::Object {
    schemas::one_value(PracticeRoute::A)
}

fn route_b() -> utoipa::openapi::schema::Object {
    schemas::one_value(PracticeRoute::B)
}

impl utoipa::PartialSchema for PracticeIdentification {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        schemas::tagged_one_of(
            "route",
            &[("a", "RouteAIdentification"), ("b", "RouteBIdentification")],
            "How the applicant identifies the practice: route A chooses a practice from the postcode search; route B describes one the register does not hold.",
        )
    }
}

impl ToSchema for PracticeIdentification {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        schemas.push(("RouteAIdentification".to_owned(), <RouteAIdentification as utoipa::PartialSchema>::schema()));
        schemas.push(("RouteBIdentification".to_owned(), <RouteBIdentification as utoipa::PartialSchema>::schema()));
    }
}

/// The refusal when another application holds the practice (R-P5).
pub fn practice_taken(holder: &ApplicationRow, support: &str) -> ApiError {
    let started = from_db(holder.created_at).format("%-d %B %Y").to_string();
    let status = domain::journey::ApplicationStatus::parse(&holder.status)
        .unwrap_or(domain::journey::ApplicationStatus::Submitted);
    let (code, detail) = if status == domain::journey::ApplicationStatus::Approved {
        (
            ProblemCode::PracticeAlreadyRegistered,
            format!(
                "This practice is already registered for NHSmail and its shared mailbox exists. To add staff, its shared mailbox owner can ask for accounts; for help contact {support}."
            ),
        )
    } else {
        (
            ProblemCode::PracticeHasLiveApplication,
            format!(
                "An application for this practice was started on {started} and is still in progress. Resume it with the token you were given when it was started; if no one at the practice has it, contact {support}."
            ),
        )
    };
    ApiError::new(ProblemType::Conflict)
        .with_code(code, Some("R-P5"))
        .detail(detail)
        .existing_application(app::ExistingApplication { status, started_at: from_db(holder.created_at) })
}

fn check_not_taken(conn: &mut DbConnection, location: &str, own_id: &str, support: &str) -> Result<(), ApiError> {
    match applications::holder_of(conn, location)? {
        Some(holder) if holder.id != own_id => Err(practice_taken(&holder, support)),
        _ => Ok(()),
    }
}

struct Chosen {
    route: Route,
    postcode: Postcode,
    practice_id: Option<String>,
    location: CqcLocationId,
    name: PracticeName,
    ods: OdsCode,
}

fn required<T, E: domain::Violation>(
    v: &mut Validator,
    pointer: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Option<T> {
    v.check(pointer, parse(value.unwrap_or_default()))
}

/// Checks the request against the register and the CQC directory.
fn choose(conn: &mut DbConnection, body: &PracticeIdentification, support: &str) -> Result<Chosen, ApiError> {
    let mut v = Validator::new();
    if body.route.is_none() {
        v.push(FieldError::new(
            "/route",
            ProblemCode::Required,
            Some("R-P2"),
            "Say whether you chose a listed practice (a) or are describing one (b).",
        ));
    }
    let postcode = required(&mut v, "/postcode", body.postcode.as_deref(), Postcode::parse);
    match body.route {
        Some(PracticeRoute::A) => {
            let practice = match body.practice_id.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
                None => {
                    v.push(FieldError::new(
                        "/practice_id",
                        ProblemCode::Required,
                        Some("R-P2"),
                        "Choose the practice from those at the postcode.",
                    ));
                    None
                }
                Some(id) => {
                    let found = reference::practice(conn, id)?
                        .filter(|p| postcode.as_ref().is_some_and(|pc| p.record.postcode == pc.as_str()));
                    if found.is_none() && postcode.is_some() {
                        v.push(FieldError::new(
                            "/practice_id",
                            ProblemCode::PracticeNotFound,
                            Some("R-P2"),
                            "This is not one of the practices at that postcode; search again.",
                        ));
                    }
                    found
                }
            };
            Ok(v.finish(|| {
                let practice = practice?;
                Some(Chosen {
                    route: Route::A,
                    postcode: postcode?,
                    practice_id: Some(practice.id.clone()),
                    location: CqcLocationId::parse(&practice.record.cqc_location_id).ok()?,
                    name: PracticeName::parse(&practice.record.name).ok()?,
                    ods: OdsCode::parse(&practice.record.ods_code).ok()?,
                })
            })?)
        }
        Some(PracticeRoute::B) => {
            let name = required(&mut v, "/practice_name", body.practice_name.as_deref(), PracticeName::parse);
            let ods = required(&mut v, "/ods_code", body.ods_code.as_deref(), OdsCode::parse);
            let location = required(&mut v, "/cqc_location_id", body.cqc_location_id.as_deref(), CqcLocationId::parse);
            if let Some(location) = &location {
                if reference::practice_by_location(conn, location.as_str())?.is_some() {
                    v.push(FieldError::new(
                        "/cqc_location_id",
                        ProblemCode::PracticeInRegister,
                        Some("R-P2"),
                        "This practice is in our register: search by its postcode and choose it from the list (route A).",
                    ));
                } else {
                    match reference::cqc_location(conn, location.as_str())? {
                        None => v.push(FieldError::new(
                            "/cqc_location_id",
                            ProblemCode::CqcLocationNotFound,
                            Some("R-P3"),
                            format!("No CQC registered location has this ID. Check it against your CQC registration, or contact {support}."),
                        )),
                        Some(cqc) if !cqc.record.service_types.to_lowercase().contains("dent") => v.push(FieldError::new(
                            "/cqc_location_id",
                            ProblemCode::CqcLocationNotDental,
                            Some("R-P3"),
                            "The CQC does not list a dental service at this location; check the location ID.",
                        )),
                        Some(cqc) if !cqc.record.registration_status.eq_ignore_ascii_case("registered") => v.push(FieldError::new(
                            "/cqc_location_id",
                            ProblemCode::CqcLocationNotRegistered,
                            Some("R-P3"),
                            format!("The CQC lists this location as `{}`, not registered.", cqc.record.registration_status),
                        )),
                        Some(cqc) if postcode.as_ref().is_some_and(|pc| pc.as_str() != cqc.record.postcode) => v.push(FieldError::new(
                            "/postcode",
                            ProblemCode::PostcodeDoesNotMatchCqc,
                            Some("R-P3"),
                            "This postcode is not the one the CQC holds for this location; check both.",
                        )),
                        Some(_) => {}
                    }
                }
            }
            Ok(v.finish(|| {
                Some(Chosen {
                    route: Route::B,
                    postcode: postcode?,
                    practice_id: None,
                    location: location?,
                    name: name?,
                    ods: ods?,
                })
            })?)
        }
        None => Ok(v.finish(|| None)?),
    }
}

/// Identify the practice
///
/// Route A chooses a practice from the postcode search; route B describes one the register does not
/// hold, which must be in the CQC directory, and returns its CQC details for confirmation. The
/// practice can be changed until it is verified.
#[utoipa::path(
    tag = "registration",
    operation_id = "identifyPractice",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = PracticeIdentification,
    responses(
        (status = 200, description = "The application with its practice.", body = ApplicationView),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Another application holds this practice (R-P5), or the practice is already verified.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "practice_has_live_application", "rule": "R-P5",
                "detail": "An application for this practice was started on 2 November 2026 and is still in progress. Resume it with the token you were given when it was started; if no one at the practice has it, contact dentistadmin@nhs.net or 0333 200 1133.",
                "existing_application": {"status": "draft", "started_at": "2026-11-02T09:30:00Z"}})),
        (status = 422, description = "Every invalid or unknown field, e.g. a bad postcode, ODS code or CQC location id.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "2 fields are not valid.",
                "errors": [{"pointer": "/postcode", "code": "postcode_invalid", "rule": "R-P1", "detail": "Enter a real UK postcode, like SW19 4AB."},
                           {"pointer": "/cqc_location_id", "code": "cqc_location_id_invalid", "rule": "R-P4", "detail": "A CQC location ID is 1- followed by 8 to 11 digits, like 1-1002733005."}]})),
    )
)]
#[put("/v1/applications/{id}/practice")]
pub async fn identify_practice(
    state: web::Data<AppState>,
    applicant: Applicant,
    origin: RequestOrigin,
    path: web::Path<String>,
    body: Json<PracticeIdentification>,
) -> Result<HttpResponse, ApiError> {
    let id = applicant.owns(&path)?;
    let config = state.config.clone();
    let view = in_draft(
        &state,
        &applicant,
        &origin,
        Action::IdentifyPractice,
        "application.practice_identified",
        move |conn, _, _| {
            let chosen = choose(conn, &body.0, &config.app.support_contact)?;
            check_not_taken(conn, chosen.location.as_str(), &id, &config.app.support_contact)?;
            applications::set_practice(
                conn,
                &id,
                &PracticeSelection {
                    route: chosen.route.code(),
                    postcode: chosen.postcode.as_str(),
                    practice_id: chosen.practice_id.as_deref(),
                    cqc_location_id: chosen.location.as_str(),
                    practice_name: chosen.name.as_str(),
                    ods_code: chosen.ods.as_str(),
                },
            )?;
            let details =
                serde_json::json!({"route": chosen.route.code(), "cqc_location_id": chosen.location.as_str()});
            Ok((view(conn, &id, &config)?, details))
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"confirmed": true}))]
pub struct CqcConfirmation {
    /// Are these your CQC registration details? `false` withdraws an earlier confirmation.
    #[serde(default)]
    #[schema(value_type = bool, required = true)]
    pub confirmed: Option<bool>,
}

/// Confirm the CQC registration details (R-P3)
///
/// Route B: confirm (or not) that the CQC registration details shown are the practice's (R-P3). If
/// they are not, check the CQC location ID or contact support.
#[utoipa::path(
    tag = "registration",
    operation_id = "confirmCqcDetails",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = CqcConfirmation,
    responses(
        (status = 200, description = "The application with the confirmation recorded.", body = ApplicationView),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Not a route B application, or already submitted.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "not_route_b", "rule": "R-P3", "detail": "Only practices found through the CQC directory (route B) have CQC details to confirm."})),
        (status = 422, description = "`confirmed` is missing.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/confirmed", "code": "required", "rule": "R-P3", "detail": "Say whether these are your practice's CQC registration details."}]})),
    )
)]
#[put("/v1/applications/{id}/cqc-confirmation")]
pub async fn confirm_cqc_details(
    state: web::Data<AppState>,
    applicant: Applicant,
    origin: RequestOrigin,
    path: web::Path<String>,
    body: Json<CqcConfirmation>,
) -> Result<HttpResponse, ApiError> {
    let id = applicant.owns(&path)?;
    let confirmed = body.0.confirmed.ok_or_else(|| {
        ApiError::validation(vec![FieldError::new(
            "/confirmed",
            ProblemCode::Required,
            Some("R-P3"),
            "Say whether these are your practice's CQC registration details.",
        )])
    })?;
    let config = state.config.clone();
    let event = if confirmed { "application.cqc_details_confirmed" } else { "application.cqc_details_rejected" };
    let view = in_draft(&state, &applicant, &origin, Action::ConfirmCqcDetails, event, move |conn, _, now| {
        applications::set_cqc_confirmation(conn, &id, confirmed.then_some(now))?;
        Ok((view(conn, &id, &config)?, serde_json::json!({})))
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

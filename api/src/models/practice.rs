//! Identifying and verifying the practice, and choosing the town: the postcode search, the two
//! routes, the CQC confirmation, passcodes, verification and mailbox previews.

use crate::models::application::{AuthenticationMethod, PasscodeChannel, PracticeRoute};
use crate::schemas;
use app::registration::{practice, town, verification};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PracticeQuery {
    /// The practice postcode, any case and spacing (R-P1).
    #[param(required = true, example = "SW19 4AB", min_length = 5, max_length = 32, pattern = r"^[A-Za-z0-9 ]+$")]
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

impl From<practice::Search> for PracticeSearch {
    fn from(search: practice::Search) -> Self {
        Self {
            postcode: search.postcode.as_str().to_owned(),
            route: search.route.into(),
            candidates: search
                .candidates
                .into_iter()
                .map(|c| PracticeCandidate {
                    id: c.id,
                    name: c.name,
                    ods_code: c.ods_code,
                    address_lines: c.address_lines,
                })
                .collect(),
            help: search.help,
        }
    }
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

impl From<PracticeIdentification> for practice::Identification {
    fn from(body: PracticeIdentification) -> Self {
        Self {
            route: body.route.map(Into::into),
            postcode: body.postcode,
            practice_id: body.practice_id,
            practice_name: body.practice_name,
            ods_code: body.ods_code,
            cqc_location_id: body.cqc_location_id,
        }
    }
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

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"channel": "post"}))]
pub struct PasscodeRequest {
    /// How to send it; defaults to the questionnaire's answer (R-Q5). Email is possible only
    /// when the register holds the registered manager's email (R-O1).
    #[serde(default)]
    #[schema(nullable = false)]
    pub channel: Option<PasscodeChannel>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"channel": "post", "sent_to": "the CQC registered address: 123 ROAD NAME, WIMBLEDON, LONDON, SW19 4AB", "valid_until": "2026-12-05T10:00:00Z", "passcodes_remaining": 2}))]
pub struct PasscodeIssued {
    pub channel: PasscodeChannel,
    /// Where it is going, for people (email addresses are partly hidden).
    pub sent_to: String,
    /// When the passcode stops working (R-O3).
    pub valid_until: DateTime<Utc>,
    /// How many more passcodes this practice can be sent in the current 14 days (R-O5).
    pub passcodes_remaining: u32,
}

impl From<verification::PasscodeIssued> for PasscodeIssued {
    fn from(issued: verification::PasscodeIssued) -> Self {
        Self {
            channel: issued.channel.into(),
            sent_to: issued.sent_to,
            valid_until: issued.valid_until,
            passcodes_remaining: issued.passcodes_remaining,
        }
    }
}

/// Proof that the applicant acts for the practice, as sent: the method, the CQC location ID and
/// the passcode or the CQC contact ID. The contract describes each method apart
/// ([`PasscodeProof`], [`ContactIdProof`]), chosen by `method`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    #[serde(default)]
    pub method: Option<AuthenticationMethod>,
    #[serde(default)]
    pub cqc_location_id: Option<String>,
    #[serde(default)]
    pub passcode: Option<String>,
    #[serde(default)]
    pub cqc_contact_id: Option<String>,
}

/// Verification with a one-time passcode (R-O2, R-O3), on either route.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Describes the contract; requests are read as `Verification`.
#[schema(example = json!({"method": "passcode", "cqc_location_id": "1-1002733005", "passcode": "7KQ4-M2XD"}))]
pub struct PasscodeProof {
    #[schema(schema_with = method_passcode)]
    method: String,
    #[schema(schema_with = schemas::cqc_location_id)]
    cqc_location_id: String,
    #[schema(schema_with = schemas::passcode)]
    passcode: String,
}

/// Verification with the practice's CQC contact ID (route A, when the register holds one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Describes the contract; requests are read as `Verification`.
#[schema(example = json!({"method": "cqc_contact_id", "cqc_location_id": "1-1000000101", "cqc_contact_id": "CON-DEMO-0101"}))]
pub struct ContactIdProof {
    #[schema(schema_with = method_contact_id)]
    method: String,
    #[schema(schema_with = schemas::cqc_location_id)]
    cqc_location_id: String,
    #[schema(schema_with = schemas::cqc_contact_id)]
    cqc_contact_id: String,
}

fn method_passcode() -> utoipa::openapi::schema::Object {
    schemas::one_value(AuthenticationMethod::Passcode)
}

fn method_contact_id() -> utoipa::openapi::schema::Object {
    schemas::one_value(AuthenticationMethod::CqcContactId)
}

impl utoipa::PartialSchema for Verification {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        schemas::tagged_one_of(
            "method",
            &[("passcode", "PasscodeProof"), ("cqc_contact_id", "ContactIdProof")],
            "Proof that the applicant acts for the practice: its CQC location ID and a one-time passcode or its CQC contact ID.",
        )
    }
}

impl ToSchema for Verification {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        schemas.push(("PasscodeProof".to_owned(), <PasscodeProof as utoipa::PartialSchema>::schema()));
        schemas.push(("ContactIdProof".to_owned(), <ContactIdProof as utoipa::PartialSchema>::schema()));
    }
}

impl From<Verification> for verification::Proof {
    fn from(body: Verification) -> Self {
        Self {
            method: body.method.map(Into::into),
            cqc_location_id: body.cqc_location_id,
            passcode: body.passcode,
            cqc_contact_id: body.cqc_contact_id,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"town": "wimbledon", "shared_mailbox_address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net"}))]
pub struct MailboxPreview {
    /// The town as it will appear in the name (lower-case letters, at most 10).
    pub town: String,
    /// The shared mailbox address this town gives (R-M1).
    pub shared_mailbox_address: String,
    /// In a suggestion, the place name as on record when the town had to be shortened to fit
    /// (R-T2), e.g. `Wolverhampton` for `wolverhamp`; left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub shortened_from: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"max_length": 10, "suggestions": [
    {"town": "wimbledon", "shared_mailbox_address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net"},
    {"town": "london", "shared_mailbox_address": "nhsdental.london.sampledentalcarev12345@nhs.net"}]}))]
pub struct TownSuggestions {
    /// Longest town accepted (R-T2).
    pub max_length: usize,
    /// Towns from the practice's address on record, abbreviated where long, with the address each gives.
    pub suggestions: Vec<MailboxPreview>,
}

impl From<town::MailboxPreview> for MailboxPreview {
    fn from(preview: town::MailboxPreview) -> Self {
        Self {
            town: preview.town.as_str().to_owned(),
            shared_mailbox_address: preview.shared_mailbox_address,
            shortened_from: preview.shortened_from,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// The town as typed.
    #[param(required = true, example = "Wimbledon", min_length = 1, max_length = 100)]
    pub town: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"town": "Wimbledon"}))]
pub struct TownChoice {
    /// A suggested town or one typed in (R-T1); normalised to at most 10 lower-case letters (R-T2).
    #[serde(default)]
    #[schema(schema_with = crate::schemas::town, required = true)]
    pub town: Option<String>,
}

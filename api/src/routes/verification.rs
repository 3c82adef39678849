//! Proving the applicant acts for the practice: ask for a one-time passcode (by email to the
//! registered manager on record, or by post to the CQC registered address), then verify with the
//! CQC location id and the passcode or the CQC contact id.

use crate::extract::{Json, JsonOrEmpty};
use crate::journey::{Applicant, Context, RequestOrigin, audit, in_draft};
use crate::problem::{ApiError, FieldError, NoApplicationToken, NotFoundForCaller, Problem, ProblemType, Validator};
use crate::routes::practices::practice_taken;
use crate::schemas;
use crate::state::AppState;
use crate::views::{ApplicationView, AuthenticationMethod, PasscodeChannel};
use actix_web::{HttpResponse, post, web};
use app::limits;
use app::outbox::{self, About, templates};
use app::secrets::{digests_equal, new_passcode};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use domain::identifiers::{CqcContactId, CqcLocationId};
use domain::journey::{Action, Route};
use domain::messages::{self, PasscodeFacts};
use domain::passcode::{self, Passcode, PasscodeState};
use persistence::applications;
use persistence::passcodes::{self, NewPasscode};
use persistence::time::from_db;
use persistence::write_transaction;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => "***".to_owned(),
    }
}

fn rate_limited(next: DateTime<Utc>, now: DateTime<Utc>) -> ApiError {
    let seconds = u64::try_from((next - now).num_seconds()).unwrap_or(1);
    ApiError::new(ProblemType::RateLimited)
        .with_code(ProblemCode::PasscodeLimitReached, Some("R-O5"))
        .detail(format!(
            "No more passcodes can be sent for this practice just now. The next one can be requested from {}.",
            next.format("%-d %B %Y %H:%M UTC")
        ))
        .retry_after(seconds)
        .next_request_allowed_at(next)
}

/// Send a one-time passcode for the practice (R-O1)
///
/// Send a one-time passcode for the practice (R-O1): by email to the registered manager's address
/// on record, or by post to the CQC registered address. Never to an address the applicant typed.
/// Limited per practice and per client (R-O5).
#[utoipa::path(
    tag = "registration",
    operation_id = "requestPasscode",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = Option<PasscodeRequest>,
    responses(
        (status = 202, description = "The passcode is on its way.", body = PasscodeIssued),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "The practice is not identified yet, or is already verified.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "practice_not_identified", "rule": "R-P2", "detail": "Identify the practice first."})),
        (status = 422, description = "Email asked for but no email on record (R-O1).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/channel", "code": "passcode_email_not_on_record", "rule": "R-O1", "detail": "There is no registered manager email address on record for this practice, so the passcode can only be sent by post."}]})),
        (status = 429, description = "Too many passcodes for this practice or from this client (R-O5).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/rate-limited", "title": "Too many attempts", "status": 429, "code": "passcode_limit_reached", "rule": "R-O5",
                "detail": "No more passcodes can be sent for this practice just now. The next one can be requested from 5 December 2026 10:00 UTC.", "retry_after_seconds": 1209600, "next_request_allowed_at": "2026-12-05T10:00:00+00:00"})),
    )
)]
#[post("/v1/applications/{id}/passcode-requests")]
pub async fn request_passcode(
    state: web::Data<AppState>,
    applicant: Applicant,
    origin: RequestOrigin,
    path: web::Path<String>,
    body: JsonOrEmpty<PasscodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = applicant.owns(&path)?;
    let requested = body.0.channel;
    let config = state.config.clone();
    let client = state.app.hasher().client(origin.0.client_address.as_deref().unwrap_or("unknown"));
    let passcode = new_passcode()?;
    let hasher = state.app.hasher().clone();
    let issued = in_draft(&state, &applicant, &origin, Action::RequestPasscode, "passcode.issued", move |conn, ctx, now| {
        let location = ctx.location_id().ok_or_else(|| ApiError::internal("identified practice without location"))?;
        // Messages to the practice use its name on record, never what the applicant typed.
        let practice_name = match (&ctx.practice, &ctx.cqc) {
            (Some(practice), _) => practice.record.name.clone(),
            (None, Some(cqc)) => cqc.record.name.clone(),
            (None, None) => return Err(ApiError::internal("identified practice without a record")),
        };
        let default_channel = passcode::PasscodeChannel::parse(&ctx.application.passcode_channel).unwrap_or(passcode::PasscodeChannel::Post);
        let email_on_record = match ctx.route() {
            Some(Route::A) => ctx.practice.as_ref().and_then(|p| p.record.registered_manager_email.clone()),
            _ => None,
        };
        let wanted = requested.map(Into::into).unwrap_or(default_channel);
        // The questionnaire's choice falls back to post when no email is on record; an
        // explicit request for email is refused instead (R-O1).
        let channel = match passcode::choose_channel(wanted, email_on_record.is_some()) {
            Ok(channel) => channel,
            Err(_) if requested.is_none() => passcode::PasscodeChannel::Post,
            Err(refusal) => return Err(ApiError::validation(vec![FieldError::from_violation("/channel", &refusal)])),
        };
        if let Some(next) = limits::passcode_issue_allowed_at(conn, location.as_str(), &client, now)? {
            return Err(rate_limited(next, now));
        }
        let valid_until = config.app.passcode_lifetimes.expiry(channel, now);
        let passcode_id = uuid::Uuid::new_v4().to_string();
        passcodes::insert(
            conn,
            &NewPasscode {
                id: &passcode_id,
                cqc_location_id: location.as_str(),
                code_hash: &hasher.passcode(&location, &passcode),
                channel: channel.as_str(),
                issued_at: now,
                expires_at: valid_until,
                requested_by_application_id: Some(&id),
                batch_id: None,
            },
        )?;
        limits::record_passcode_issue(conn, &client, now)?;
        let facts = PasscodeFacts {
            practice_name: &practice_name,
            cqc_location_id: location.as_str(),
            passcode: &passcode,
            valid_until: (valid_until - chrono::Duration::seconds(1)).date_naive(),
            support_contact: &config.app.support_contact,
        };
        let about = About { kind: "application", id: &id };
        let sent_to = match (channel, &email_on_record) {
            (passcode::PasscodeChannel::Email, Some(email)) => {
                outbox::enqueue_email(conn, templates::PASSCODE_EMAIL, email, about, messages::passcode_email(&facts), true, now)?;
                format!("the registered manager's email address on record ({})", mask_email(email))
            }
            _ => {
                let mut lines = vec![practice_name.clone()];
                lines.extend(match (&ctx.practice, &ctx.cqc) {
                    (Some(practice), _) => practice.record.address_lines(),
                    (None, Some(cqc)) => cqc.record.address_lines(),
                    (None, None) => Vec::new(),
                });
                let address = lines[1..].join(", ");
                outbox::enqueue_letter(conn, templates::PASSCODE_LETTER, about, messages::passcode_letter(&facts, lines), true, now)?;
                format!("the CQC registered address: {address}")
            }
        };
        let issued = PasscodeIssued {
            channel: channel.into(),
            sent_to,
            valid_until,
            passcodes_remaining: limits::passcodes_remaining(conn, location.as_str(), now)?,
        };
        let details = serde_json::json!({"channel": channel.as_str(), "cqc_location_id": location.as_str(), "passcode_id": passcode_id});
        Ok((issued, details))
    })
    .await?;
    Ok(HttpResponse::Accepted().json(issued))
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

enum Credential {
    Passcode(Passcode),
    ContactId(CqcContactId),
}

enum Outcome {
    Verified,
    Failed { error: FieldError, remaining: u32, locked_until: Option<DateTime<Utc>> },
    Locked(DateTime<Utc>),
}

fn locked(until: DateTime<Utc>, now: DateTime<Utc>) -> ApiError {
    ApiError::new(ProblemType::VerificationLocked)
        .with_code(ProblemCode::VerificationLocked, Some("R-O6"))
        .detail(format!(
            "Too many failed attempts for this practice or application. Try again after {}.",
            until.format("%-d %B %Y %H:%M UTC")
        ))
        .retry_after(u64::try_from((until - now).num_seconds()).unwrap_or(1))
        .locked_until(until)
        .attempts_remaining(0)
}

/// Verify the practice with a passcode or its CQC contact ID
///
/// Verify the practice with its CQC location ID and a passcode or the CQC contact ID. On success
/// the practice is held by this application (R-P5). Failures say how many attempts remain; repeated
/// failures lock verification for a while (R-O6).
#[utoipa::path(
    tag = "registration",
    operation_id = "verifyPractice",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = Verification,
    responses(
        (status = 200, description = "Verified: the application, now able to take a town and members.", body = ApplicationView),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Not ready to verify, already verified, contact ID not available for this practice, or another application holds the practice (R-P5).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "contact_id_not_available", "rule": "R-P3", "detail": "This practice can only be verified with a one-time passcode."})),
        (status = 422, description = "Malformed values (`validation-failed`), or a value that does not match, or a passcode that expired or was used (`verification-failed`, with `attempts_remaining`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/verification-failed", "title": "The practice could not be verified", "status": 422, "detail": "The passcode is not right for this practice. 4 attempts remain.",
                "attempts_remaining": 4, "errors": [{"pointer": "/passcode", "code": "passcode_incorrect", "rule": "R-O6", "detail": "The passcode is not right for this practice."}]})),
        (status = 429, description = "Locked after repeated failures (R-O6).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/verification-locked", "title": "Too many failed verification attempts", "status": 429, "code": "verification_locked", "rule": "R-O6",
                "detail": "Too many failed attempts for this practice or application. Try again after 21 November 2026 18:45 UTC.", "retry_after_seconds": 900, "locked_until": "2026-11-21T18:45:00+00:00", "attempts_remaining": 0})),
    )
)]
#[post("/v1/applications/{id}/verification")]
pub async fn verify_practice(
    state: web::Data<AppState>,
    applicant: Applicant,
    origin: RequestOrigin,
    path: web::Path<String>,
    body: Json<Verification>,
) -> Result<HttpResponse, ApiError> {
    let id = applicant.owns(&path)?;
    let body = body.0;
    let mut v = Validator::new();
    let location =
        v.check("/cqc_location_id", CqcLocationId::parse(body.cqc_location_id.as_deref().unwrap_or_default()));
    let credential = match (body.method, body.passcode.as_deref(), body.cqc_contact_id.as_deref()) {
        (None, _, _) => {
            v.push(FieldError::new(
                "/method",
                ProblemCode::Required,
                Some("R-P2"),
                "Say how you prove you act for the practice: `passcode` or `cqc_contact_id`.",
            ));
            None
        }
        (Some(AuthenticationMethod::Passcode), code, None) => {
            v.check("/passcode", Passcode::parse(code.unwrap_or_default())).map(Credential::Passcode)
        }
        (Some(AuthenticationMethod::CqcContactId), None, contact) => {
            v.check("/cqc_contact_id", CqcContactId::parse(contact.unwrap_or_default())).map(Credential::ContactId)
        }
        (Some(AuthenticationMethod::Passcode), _, Some(_)) | (Some(AuthenticationMethod::CqcContactId), Some(_), _) => {
            v.push(FieldError::new(
                "/method",
                ProblemCode::OneCredentialRequired,
                Some("R-P2"),
                "Give the credential of the method chosen only: a passcode, or the CQC contact ID.",
            ));
            None
        }
    };
    let (location, credential) = v.finish(|| Some((location?, credential?)))?;
    let now = state.app.now();
    let config = state.config.clone();
    let hasher = state.app.hasher().clone();
    let (outcome, view) = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let ctx = Context::load_locked(conn, &id)?;
                ctx.progress()?.check(Action::Verify).map_err(|e| ApiError::refused(&e))?;
                let own_location = ctx.location_id().ok_or_else(|| ApiError::internal("identified practice without location"))?;
                if let Some(holder) = applications::holder_of(conn, own_location.as_str())? {
                    if holder.id != id {
                        return Err(practice_taken(&holder, &config.app.support_contact));
                    }
                }
                let contact_hash_on_record = ctx.practice.as_ref().and_then(|p| p.record.cqc_contact_id_hash.clone());
                if matches!(credential, Credential::ContactId(_)) && contact_hash_on_record.is_none() {
                    return Err(ApiError::new(ProblemType::Conflict)
                        .with_code(ProblemCode::ContactIdNotAvailable, Some("R-P3"))
                        .detail("The service holds no CQC contact ID for this practice, so it can only be verified with a one-time passcode."));
                }
                let attempts = limits::verification_state(conn, own_location.as_str(), &id, now)?;
                if let Some(until) = attempts.locked_until {
                    return Ok((Outcome::Locked(until), None));
                }
                let failure = if location != own_location {
                    Some(FieldError::new("/cqc_location_id", ProblemCode::CqcLocationIdDoesNotMatch, Some("R-O6"), "This CQC location ID is not the identified practice's."))
                } else {
                    match &credential {
                        Credential::ContactId(contact) => {
                            let given = hasher.contact_id(contact);
                            let matches = contact_hash_on_record.as_deref().is_some_and(|stored| digests_equal(stored, &given));
                            (!matches).then(|| FieldError::new("/cqc_contact_id", ProblemCode::CqcContactIdIncorrect, Some("R-O6"), "The CQC contact ID is not right for this practice."))
                        }
                        Credential::Passcode(code) => match passcodes::find(conn, own_location.as_str(), &hasher.passcode(&own_location, code))? {
                            None => Some(FieldError::new("/passcode", ProblemCode::PasscodeIncorrect, Some("R-O6"), "The passcode is not right for this practice.")),
                            Some(row) => match passcode::passcode_state(from_db(row.expires_at), row.used_at.map(from_db), now) {
                                PasscodeState::Expired => Some(FieldError::new("/passcode", ProblemCode::PasscodeExpired, Some("R-O3"), "This passcode has expired; ask for a new one.")),
                                PasscodeState::AlreadyUsed => Some(FieldError::new("/passcode", ProblemCode::PasscodeAlreadyUsed, Some("R-O3"), "This passcode has already been used; ask for a new one.")),
                                PasscodeState::Usable => {
                                    if passcodes::mark_used(conn, &row.id, &id, now)? {
                                        None
                                    } else {
                                        Some(FieldError::new("/passcode", ProblemCode::PasscodeAlreadyUsed, Some("R-O3"), "This passcode has already been used; ask for a new one."))
                                    }
                                }
                            },
                        },
                    }
                };
                let method = match credential {
                    Credential::Passcode(_) => "passcode",
                    Credential::ContactId(_) => "cqc_contact_id",
                };
                limits::record_verification(conn, own_location.as_str(), &id, failure.is_none(), now)?;
                applications::touch(conn, &id, now, now + config.app.application_inactivity)?;
                let action = if failure.is_none() { "application.verified" } else { "application.verification_failed" };
                audit(conn, &applicant, &origin, action, serde_json::json!({"method": method, "cqc_location_id": own_location.as_str(), "reason": failure.as_ref().map(|f| f.code.as_str())}), now)?;
                match failure {
                    Some(error) => {
                        let after = limits::verification_state(conn, own_location.as_str(), &id, now)?;
                        Ok((Outcome::Failed { error, remaining: after.remaining, locked_until: after.locked_until }, None))
                    }
                    None => {
                        applications::mark_authenticated(conn, &id, own_location.as_str(), method, now).map_err(|e| match e {
                            persistence::StoreError::Conflict(_) => ApiError::new(ProblemType::Conflict)
                                .with_code(ProblemCode::PracticeHasLiveApplication, Some("R-P5"))
                                .detail(format!("Another application has just verified this practice. Contact {} if this is unexpected.", config.app.support_contact)),
                            other => other.into(),
                        })?;
                        let ctx = Context::load(conn, &id)?;
                        Ok((Outcome::Verified, Some(ApplicationView::build(&ctx, &config.app.mail_domain, &config.app.support_contact)?)))
                    }
                }
            })
        })
        .await?;
    match (outcome, view) {
        (Outcome::Verified, Some(view)) => Ok(HttpResponse::Ok().json(view)),
        (Outcome::Locked(until), _) => Err(locked(until, now)),
        (Outcome::Failed { error, remaining, locked_until }, _) => {
            let mut problem = ApiError::new(ProblemType::VerificationFailed)
                .detail(match locked_until {
                    Some(until) => format!(
                        "{} Verification is now locked until {}.",
                        error.detail,
                        until.format("%-d %B %Y %H:%M UTC")
                    ),
                    None => format!("{} {remaining} attempts remain.", error.detail),
                })
                .with_errors(vec![error])
                .attempts_remaining(remaining);
            if let Some(until) = locked_until {
                problem = problem.locked_until(until);
            }
            Err(problem)
        }
        (Outcome::Verified, None) => Err(ApiError::internal("verified without a view")),
    }
}

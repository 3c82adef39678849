//! Confirm and finish: submission checks everything at once (R-S1), reserves every member's
//! mobile across the service (R-R7), is idempotent (R-S2) and leaves the application read-only
//! for the applicant (R-S3).

use crate::extract::JsonOrEmpty;
use crate::journey::{Applicant, Context, RequestOrigin, audit, requirement_errors};
use crate::problem::{ApiError, FieldError, NoApplicationToken, NotFoundForCaller, Problem, ProblemType};
use crate::state::AppState;
use crate::views::ApplicationStatus;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use domain::conflict::Conflict;
use domain::journey::ActionError;
use persistence::applications;
use persistence::time::from_db;
use persistence::{StoreError, write_transaction};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"confirm_data_correct": true}))]
pub struct SubmissionRequest {
    /// "I confirm that all the data entered is correct to the best of my knowledge" (R-S1).
    #[serde(default)]
    #[schema(value_type = bool, required = true)]
    pub confirm_data_correct: Option<bool>,
}

/// What the applicant is told once the application is submitted. A replayed submission returns
/// the same receipt.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"application_id": "3f9a2c1e-7b4d-4e8f-a1b2-c3d4e5f6a7b8", "status": "submitted", "submitted_at": "2026-11-21T10:15:00Z",
    "shared_mailbox_address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net", "members": 4,
    "next_steps": "The application will be reviewed. Once approved, each member receives an email with their username and a text message with a temporary password."}))]
pub struct SubmissionReceipt {
    #[schema(format = Uuid)]
    pub application_id: String,
    pub status: ApplicationStatus,
    pub submitted_at: DateTime<Utc>,
    pub shared_mailbox_address: String,
    pub members: usize,
    pub next_steps: String,
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::new(ProblemType::MalformedRequest)
            .detail(format!("`{IDEMPOTENCY_HEADER}` must be 1 to 200 visible ASCII characters, e.g. a UUID.")));
    }
    Ok(Some(key.to_owned()))
}

fn receipt(ctx: &Context, state: &AppState) -> Result<SubmissionReceipt, ApiError> {
    let submitted_at =
        ctx.application.submitted_at.map(from_db).ok_or_else(|| ApiError::internal("submitted without a time"))?;
    Ok(SubmissionReceipt {
        application_id: ctx.id().to_owned(),
        // The receipt records the submission; the application's later status is in GET.
        status: ApplicationStatus::Submitted,
        submitted_at,
        shared_mailbox_address: ctx
            .mailbox_address(&state.config.app.mail_domain)
            .map(|a| a.as_str().to_owned())
            .ok_or_else(|| ApiError::internal("submitted without a mailbox address"))?,
        members: ctx.members.len(),
        next_steps: "The application will be reviewed. Once approved, each member receives an email with their username and a text message with a temporary password.".to_owned(),
    })
}

enum Submitted {
    Now(SubmissionReceipt),
    Replayed(SubmissionReceipt),
}

/// Confirm and submit (R-S1–R-S3)
///
/// Everything missing is listed at once. Send an `Idempotency-Key` header: a retry with the same
/// key returns the original receipt (with `Idempotent-Replayed: true`) and never submits twice.
#[utoipa::path(
    tag = "registration",
    operation_id = "submitApplication",
    security(("application_token" = [])),
    params(
        ("id" = String, Path, description = "Application id"),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, pattern = r"^[!-~]+$", nullable = false,
            description = "Any unique value of 1 to 200 visible ASCII characters (e.g. a UUID) identifying this submission attempt (R-S2)."),
    ),
    request_body = Option<SubmissionRequest>,
    responses(
        (status = 200, description = "Submitted (or the original receipt, for a replay).", body = SubmissionReceipt,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is a replayed submission"))),
        (status = 400, description = "A malformed `Idempotency-Key` or body.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/malformed-request", "title": "The request could not be read", "status": 400, "detail": "`Idempotency-Key` must be 1 to 200 visible ASCII characters, e.g. a UUID."})),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Already submitted with another key, or ended (R-S3).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "application_read_only", "rule": "R-S3", "detail": "This application has been submitted and can no longer be changed."})),
        (status = 422, description = "Everything missing or in conflict, at once: each pointer names the part of the application (e.g. `/town`, `/members`, `/members/2/mobile`) or the request (`/confirm_data_correct`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "3 fields are not valid.",
                "errors": [{"pointer": "/town", "code": "town_required", "rule": "R-T1", "detail": "Select or enter the town for the shared mailbox name."},
                           {"pointer": "/members", "code": "roster_too_small", "rule": "R-R1", "detail": "At least 2 members are required; 1 specified."},
                           {"pointer": "/confirm_data_correct", "code": "confirmation_required", "rule": "R-S1", "detail": "Confirm that all the data entered is correct to the best of your knowledge."}]})),
    )
)]
#[post("/v1/applications/{id}/submission")]
pub async fn submit_application(
    state: web::Data<AppState>,
    applicant: Applicant,
    origin: RequestOrigin,
    req: HttpRequest,
    path: web::Path<String>,
    body: JsonOrEmpty<SubmissionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = applicant.owns(&path)?;
    let key = idempotency_key(&req)?;
    let confirmed = body.0.confirm_data_correct == Some(true);
    let now = state.app.now();
    let worker_state = state.clone();
    let outcome = state
        .db(move |conn| {
            let state = worker_state;
            write_transaction(conn, |conn| {
                let ctx = Context::load_locked(conn, &id)?;
                let progress = ctx.progress()?;
                if !progress.status.is_editable() {
                    let replay = key.is_some() && ctx.application.submission_idempotency_key == key;
                    return if replay && ctx.application.submitted_at.is_some() {
                        Ok(Submitted::Replayed(receipt(&ctx, &state)?))
                    } else {
                        Err(ApiError::refused(&if progress.status.holds_practice() {
                            ActionError::ReadOnly
                        } else {
                            ActionError::Closed
                        }))
                    };
                }
                let roster = ctx.roster()?;
                let mut errors =
                    requirement_errors(&progress.submission_problems(&roster.completeness_problems(), confirmed));
                let mobiles: Vec<String> =
                    roster.members().iter().map(|m| m.details.mobile.as_str().to_owned()).collect();
                let taken = applications::reserved_mobiles(conn, &mobiles)?;
                let at_member = |mobile: &str| {
                    let index = mobiles.iter().position(|m| m == mobile).unwrap_or_default();
                    FieldError::from_violation(format!("/members/{index}/mobile"), &Conflict::MobileAlreadyRegistered)
                };
                errors.extend(taken.iter().map(|mobile| at_member(mobile)));
                if !errors.is_empty() {
                    return Err(ApiError::validation(errors));
                }
                for mobile in &mobiles {
                    // The primary key decides races: of two submissions with one mobile, one wins.
                    applications::reserve_mobile(conn, mobile, &id, now).map_err(|e| match e {
                        StoreError::Conflict(Conflict::MobileAlreadyRegistered) => {
                            ApiError::validation(vec![at_member(mobile)])
                        }
                        other => other.into(),
                    })?;
                }
                if !applications::submit(conn, &id, key.as_deref(), now)? {
                    return Err(ApiError::refused(&ActionError::ReadOnly));
                }
                audit(
                    conn,
                    &applicant,
                    &origin,
                    "application.submitted",
                    serde_json::json!({"members": mobiles.len(), "idempotency_key": key.is_some()}),
                    now,
                )?;
                Ok(Submitted::Now(receipt(&Context::load(conn, &id)?, &state)?))
            })
        })
        .await?;
    Ok(match outcome {
        Submitted::Now(receipt) => {
            // R-V1: the review runs once the submission has committed; the receipt stands.
            app::review::review_submitted(&state.app, &receipt.application_id).await;
            HttpResponse::Ok().json(receipt)
        }
        Submitted::Replayed(receipt) => HttpResponse::Ok().insert_header(("Idempotent-Replayed", "true")).json(receipt),
    })
}

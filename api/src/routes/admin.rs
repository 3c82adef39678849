//! Helpdesk: sign in and out, and reference data uploads.

use crate::admin::Admin;
use crate::extract::Json;
use crate::journey::RequestOrigin;
use crate::problem::{ApiError, Problem, ProblemType};
use crate::state::AppState;
use crate::views::ImportReportView;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, post, put, web};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use persistence::admins;
use persistence::audit::{self, AuditEntry};
use serde::{Deserialize, Serialize};
use utoipa::{ToResponse, ToSchema};

/// No valid helpdesk access token.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/unauthorized", "title": "Authentication is required", "status": 401, "detail": "Sign in as a helpdesk administrator; the access token is missing, not valid or has expired."})
)]
pub struct NoHelpdeskToken(pub Problem);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "helpdesk.jane", "password": "correct horse battery staple"}))]
pub struct SignInRequest {
    #[serde(default)]
    #[schema(schema_with = crate::schemas::username, required = true)]
    pub username: Option<String>,
    #[serde(default)]
    #[schema(schema_with = crate::schemas::password, required = true)]
    pub password: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJuaHNtYWlsLWRlbnRhbCJ9.c2lnbmF0dXJl", "token_type": "Bearer", "expires_at": "2026-11-21T10:45:00Z"}))]
pub struct AccessToken {
    /// Send as `Authorization: Bearer <token>`. Short-lived; sign in again when it expires.
    pub access_token: String,
    pub token_type: crate::wire::TokenType,
    pub expires_at: DateTime<Utc>,
}

/// Sign in as a helpdesk administrator for a short-lived access token
///
/// An unknown username and a wrong password get the same answer; repeated failures lock the
/// username for a while (R-L8).
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "helpdeskSignIn",
    request_body = SignInRequest,
    responses(
        (status = 201, description = "Signed in.", body = AccessToken),
        (status = 401, description = "The username or password is not right.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/unauthorized", "title": "Authentication is required", "status": 401, "code": "invalid_credentials", "rule": "R-L8", "detail": "The username or password is not right."})),
        (status = 422, description = "Username or password missing.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/password", "code": "required", "detail": "Enter the password."}]})),
        (status = 429, description = "Too many failures for this username (R-L8).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/rate-limited", "title": "Too many attempts", "status": 429, "code": "sign_in_locked", "rule": "R-L8", "detail": "Too many failed sign-ins. Try again later.", "retry_after_seconds": 900})),
    )
)]
#[post("/v1/admin/sessions")]
pub async fn sign_in(
    state: web::Data<AppState>,
    origin: RequestOrigin,
    body: Json<SignInRequest>,
) -> Result<HttpResponse, ApiError> {
    let (username, password) = super::credentials(body.0.username, body.0.password)?;
    let signed_in = app::helpdesk::sign_in(&state.app, &username, password).await?;
    let now = state.app.now();
    let (admin_id, session_id) = (signed_in.admin_id.clone(), signed_in.session_id.clone());
    state
        .db(move |conn| {
            audit::record(
                conn,
                &AuditEntry {
                    actor: &persistence::audit::Actor { kind: "admin", id: Some(admin_id.clone()) },
                    origin: &origin.0,
                    action: "admin.signed_in",
                    object_type: "session",
                    object_id: Some(&session_id),
                    details: serde_json::json!({}),
                },
                now,
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Created().json(AccessToken {
        access_token: signed_in.access_token,
        token_type: crate::wire::TokenType::Bearer,
        expires_at: signed_in.expires_at,
    }))
}

/// Sign out as a helpdesk administrator
///
/// The session ends: its access token stops working at once.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "helpdeskSignOut",
    security(("helpdesk_token" = [])),
    responses(
        (status = 204, description = "Signed out."),
        (status = 401, response = NoHelpdeskToken),
    )
)]
#[delete("/v1/admin/sessions/current")]
pub async fn sign_out(
    state: web::Data<AppState>,
    admin: Admin,
    origin: RequestOrigin,
) -> Result<HttpResponse, ApiError> {
    let now = state.app.now();
    state
        .db(move |conn| {
            persistence::write_transaction(conn, |conn| {
                admins::revoke_session(conn, &admin.session_id, now)?;
                audit::record(
                    conn,
                    &AuditEntry {
                        actor: &admin.actor(),
                        origin: &origin.0,
                        action: "admin.signed_out",
                        object_type: "session",
                        object_id: Some(&admin.session_id),
                        details: serde_json::json!({}),
                    },
                    now,
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Upload reference data as CSV
///
/// Upload reference data as CSV: `practices` (the register, route A) or `cqc-locations` (the CQC
/// care directory, route B). The whole file is checked first; if any row is bad nothing is changed
/// and every bad row is listed with its line number. Rows are upserted by CQC location ID; CQC
/// contact IDs are stored hashed. The formats are in the README.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "uploadReferenceData",
    security(("helpdesk_token" = [])),
    params(("dataset" = crate::wire::Dataset, Path, description = "`practices` (the register) or `cqc-locations` (the CQC directory).", example = "cqc-locations")),
    request_body(content = String, content_type = "text/csv", description = "The CSV file, header first.",
        example = "Name,Address,Postcode,Service types,CQC Location ID (for office use only)\nSAMPLE DENTAL CARE,\"123 ROAD NAME, WIMBLEDON, LONDON\",SW19 4AB,Dental service,1-1002733005\n"),
    responses(
        (status = 200, description = "Applied: the counts of created, updated and unchanged rows.", body = ImportReportView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, description = "No such dataset.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/not-found", "title": "Not found", "status": 404, "detail": "There is nothing here, or nothing you may see."})),
        (status = 413, description = "The file is larger than MAX_UPLOAD_BYTES.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/payload-too-large", "title": "The request body is too large", "status": 413, "detail": "The file must be at most 52428800 bytes."})),
        (status = 415, description = "Not sent as text/csv.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/unsupported-media-type", "title": "The request body must be JSON", "status": 415, "detail": "Send the file with `Content-Type: text/csv`."})),
        (status = 422, description = "Bad rows: nothing was applied. Each error's pointer is `/<line>/<column>`; `report` has the counts.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/7/postcode", "code": "invalid_row", "detail": "Enter a real UK postcode, like SW19 4AB."}],
                "report": {"dataset": "practices", "rows": 0, "created": 0, "updated": 0, "unchanged": 0, "applied": false, "errors": [{"line": 7, "column": "postcode", "message": "Enter a real UK postcode, like SW19 4AB."}]}})),
    )
)]
#[put("/v1/admin/reference-data/{dataset}")]
pub async fn upload_reference_data(
    state: web::Data<AppState>,
    admin: Admin,
    origin: RequestOrigin,
    req: HttpRequest,
    path: web::Path<String>,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let dataset: crate::wire::Dataset = crate::wire::from_code(&path).ok_or_else(ApiError::not_found)?;
    let csv = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("text/csv")));
    if !csv {
        return Err(
            ApiError::new(ProblemType::UnsupportedMediaType).detail("Send the file with `Content-Type: text/csv`.")
        );
    }
    let limit = state.config.max_upload_bytes;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(ProblemType::MalformedRequest).detail(format!("The file could not be read: {e}"))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(
                ApiError::new(ProblemType::PayloadTooLarge).detail(format!("The file must be at most {limit} bytes."))
            );
        }
        body.extend_from_slice(&chunk);
    }
    let by = app::audit::By::new(admin.actor(), origin.0);
    let report = app::reference::upload(&state.app, &by, dataset.into(), body.freeze().to_vec()).await?;
    Ok(HttpResponse::Ok().json(ImportReportView::from(&report)))
}

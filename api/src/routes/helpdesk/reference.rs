//! Reference data uploads (§5): the practice register and the CQC directory, as CSV.

use crate::http::caller::Caller;
use crate::http::problem::ProblemType;
use crate::http::problem::{ApiError, Problem};
use crate::models::helpdesk::NoHelpdeskToken;
use crate::models::reference::ImportReportView;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, put, web};
use futures_util::StreamExt;

/// How much of an upload is held in memory before it is written to the spool file.
const SPOOL_CHUNK_BYTES: usize = 1024 * 1024;

/// The body of an upload, refused unless it is CSV and at most `limit` bytes, spooled to a
/// temporary file (removed when the returned path is dropped) so that memory stays bounded
/// whatever the size of the file.
async fn spool_csv(req: &HttpRequest, mut payload: web::Payload, limit: usize) -> Result<tempfile::TempPath, ApiError> {
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
    let spool_failed = |e: std::io::Error| ApiError::internal(format!("spooling an upload: {e}"));
    let mut file = web::block(tempfile::NamedTempFile::new).await.map_err(ApiError::internal)?.map_err(spool_failed)?;
    let mut pending = web::BytesMut::new();
    let mut received = 0usize;
    loop {
        let chunk = payload.next().await.transpose().map_err(|e| {
            ApiError::new(ProblemType::MalformedRequest).detail(format!("The file could not be read: {e}"))
        })?;
        if let Some(chunk) = &chunk {
            received += chunk.len();
            if received > limit {
                return Err(ApiError::new(ProblemType::PayloadTooLarge)
                    .detail(format!("The file must be at most {limit} bytes.")));
            }
            pending.extend_from_slice(chunk);
        }
        if pending.len() >= SPOOL_CHUNK_BYTES || (chunk.is_none() && !pending.is_empty()) {
            let bytes = pending.split().freeze();
            file = web::block(move || std::io::Write::write_all(&mut file, &bytes).map(|()| file))
                .await
                .map_err(ApiError::internal)?
                .map_err(spool_failed)?;
        }
        if chunk.is_none() {
            return Ok(file.into_temp_path());
        }
    }
}

/// Upload reference data as CSV
///
/// Upload reference data as CSV: `practices` (the register, route A) or `cqc-locations` (the CQC
/// care directory, route B). The whole file is checked first; if any row is bad nothing is changed
/// and the bad rows are listed with their line numbers (the first 100 errors, with the total in
/// `report.errors_total`). Rows are upserted by CQC location ID; CQC contact IDs are stored
/// hashed. The formats are in the README.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "uploadReferenceData",
    security(("helpdesk_token" = [])),
    params(("dataset" = crate::wire::Dataset, Path, description = "`practices` (the register) or `cqc-locations` (the CQC directory).", example = "cqc-locations")),
    request_body(content = String, content_type = "text/csv", description = "The CSV file as published: any title lines, then the headings, then the rows (UTF-8, with or without a byte-order mark).",
        example = "Name,Address,Postcode,Service types,CQC Location ID (for office use only)\nSAMPLE DENTAL CARE,\"123 ROAD NAME, WIMBLEDON, LONDON\",SW19 4AB,Dental service,1-1002733005\n"),
    responses(
        (status = 200, description = "Applied: the counts of created, updated and unchanged rows.", body = ImportReportView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, description = "No such dataset.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/not-found", "title": "Not found", "status": 404, "detail": "There is nothing here, or nothing you may see."})),
        (status = 413, description = "The file is larger than MAX_UPLOAD_BYTES.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/payload-too-large", "title": "The request body is too large", "status": 413, "detail": "The file must be at most 52428800 bytes."})),
        (status = 415, description = "Not sent as text/csv.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/unsupported-media-type", "title": "The request body is not in a format this operation takes", "status": 415, "detail": "Send the file with `Content-Type: text/csv`."})),
        (status = 422, description = "Bad rows: nothing was applied. Each error's pointer is `/<line>/<column>`; `report` has the counts.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "The file has 1 error. Nothing was changed.",
                "errors": [{"pointer": "/7/postcode", "code": "invalid_row", "detail": "Enter a real UK postcode, like SW19 4AB."}],
                "report": {"dataset": "practices", "rows": 12, "created": 0, "updated": 0, "unchanged": 0, "applied": false, "errors_total": 1, "ignored_columns": []}})),
    )
)]
#[put("/v1/admin/reference-data/{dataset}")]
pub async fn upload_reference_data(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let dataset: crate::wire::Dataset = crate::wire::from_code(&path).ok_or_else(ApiError::not_found)?;
    let file = spool_csv(&req, payload, state.config.max_upload_bytes).await?;
    let report = app::reference::upload(&state.app, &caller, dataset.into(), file.to_path_buf()).await;
    // The spool file goes whatever the outcome.
    drop(web::block(move || file.close()).await);
    let report = report?;
    Ok(HttpResponse::Ok().json(ImportReportView::from(&report)))
}

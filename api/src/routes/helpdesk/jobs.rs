//! The scheduler's run history for the helpdesk: what ran, where, when and with what result.

use crate::http::caller::Caller;
use crate::http::extract::Query;
use crate::http::problem::ApiError;
use crate::http::problem::Problem;
use crate::models::helpdesk::NoHelpdeskToken;
use crate::models::jobs::{JobRunPage, JobRunQuery};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};

/// List scheduled job runs
///
/// Runs of the scheduled jobs (expiring inactive drafts, pruning attempt records), newest first, a
/// page at a time: which replica ran each, when, how it ended and how much it did. A run still
/// `running` long after it started, or a row of `failed` runs, is the sign of a problem.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "listJobRuns",
    security(("helpdesk_token" = [])),
    params(JobRunQuery),
    responses(
        (status = 200, description = "A page of runs.", body = JobRunPage),
        (status = 401, response = NoHelpdeskToken),
        (status = 422, description = "A bad page size or cursor.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/query/limit", "code": "out_of_range", "detail": "Give a page size from 1 to 100."}]})),
    )
)]
#[get("/v1/admin/job-runs")]
pub async fn list_job_runs(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<JobRunQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = app::scheduler::runs(&state.app, &caller, query.0.into()).await?;
    Ok(HttpResponse::Ok().json(JobRunPage::from(&page)))
}

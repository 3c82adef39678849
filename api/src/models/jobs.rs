//! The scheduler's run history, as the helpdesk and the command line read it.

use crate::wire::{JobName, JobOutcome};
use app::scheduler::{RunFilter, RunPage, RunRecord};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobRunQuery {
    /// Only runs of this job.
    pub job: Option<JobName>,
    /// `next_cursor` from the previous page.
    #[param(min_length = 1, max_length = 200, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
}

impl From<JobRunQuery> for RunFilter {
    fn from(query: JobRunQuery) -> Self {
        Self { job: query.job.map(Into::into), cursor: query.cursor, limit: query.limit }
    }
}

/// One run of a scheduled job.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(as = JobRun, example = json!({"id": "0b6f3c9e-2d1a-4f7e-9c3b-5a8d7e6f1a2b", "job": "expire_drafts", "runner": "replica@api-1:7",
    "started_at": "2026-11-30T06:00:00Z", "finished_at": "2026-11-30T06:00:01Z", "outcome": "succeeded", "processed": 3, "detail": null}))]
pub struct JobRunView {
    #[schema(format = Uuid)]
    pub id: String,
    pub job: JobName,
    /// What ran it: `replica@<host>:<pid>` for a server, `command@<host>:<pid>` for `jobs run`.
    pub runner: String,
    pub started_at: DateTime<Utc>,
    /// Null while it runs, and for a run whose runner stopped.
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: JobOutcome,
    /// How many things it dealt with: drafts expired, records pruned.
    pub processed: i64,
    /// Why it failed or was interrupted; null otherwise.
    pub detail: Option<String>,
}

impl From<&RunRecord> for JobRunView {
    fn from(run: &RunRecord) -> Self {
        Self {
            id: run.id.clone(),
            job: run.job.into(),
            runner: run.runner.clone(),
            started_at: run.started_at,
            finished_at: run.finished_at,
            outcome: run.outcome.into(),
            processed: run.processed,
            detail: run.detail.clone(),
        }
    }
}

/// A page of runs, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"id": "0b6f3c9e-2d1a-4f7e-9c3b-5a8d7e6f1a2b", "job": "expire_drafts", "runner": "replica@api-1:7",
    "started_at": "2026-11-30T06:00:00Z", "finished_at": "2026-11-30T06:00:01Z", "outcome": "succeeded", "processed": 3, "detail": null}], "next_cursor": null}))]
pub struct JobRunPage {
    pub items: Vec<JobRunView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl From<&RunPage> for JobRunPage {
    fn from(page: &RunPage) -> Self {
        Self { items: page.items.iter().map(JobRunView::from).collect(), next_cursor: page.next_cursor.clone() }
    }
}

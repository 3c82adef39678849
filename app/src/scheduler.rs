//! One scheduler for everything that happens with the passing of time. Each job runs when its
//! interval has passed since its last successful run, under a lease in the database, so that of
//! several replicas (and the `jobs run` command, for cron) exactly one runs it at a time; every
//! run is recorded with what it did. Jobs are written to be repeated safely: one interrupted half
//! way is taken over when its lease lapses, and redoing its work changes nothing twice.

use crate::{App, Error, expiry};
use chrono::{DateTime, Duration, Utc};
use persistence::time::from_db;
use persistence::{attempts, jobs};

/// A job the scheduler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Drafts inactive for the inactivity period end, their personal data deleted.
    ExpireDrafts,
    /// Attempt records older than any limit looks back are forgotten.
    PruneAttempts,
}

impl Job {
    pub const ALL: [Job; 2] = [Self::ExpireDrafts, Self::PruneAttempts];

    pub fn name(self) -> &'static str {
        match self {
            Self::ExpireDrafts => "expire_drafts",
            Self::PruneAttempts => "prune_attempts",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|job| job.name() == name)
    }

    /// How often it runs.
    pub fn every(self) -> Duration {
        match self {
            Self::ExpireDrafts => Duration::minutes(1),
            Self::PruneAttempts => Duration::hours(1),
        }
    }

    /// Does the work; returns how many things it processed.
    async fn work(self, app: &App) -> Result<usize, Error> {
        match self {
            Self::ExpireDrafts => expiry::sweep_once(app).await,
            Self::PruneAttempts => {
                // The longest window any limit looks back over is 14 days (R-O5).
                let before = app.now() - Duration::days(15);
                app.db(move |conn| Ok(attempts::prune(conn, before)?)).await
            }
        }
    }
}

/// How long a runner holds a job before another may take it over (a job's work is short).
const LEASE: Duration = Duration::minutes(5);

/// What one run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    pub job: Job,
    pub processed: usize,
    pub error: Option<String>,
}

async fn due(app: &App, job: Job, now: DateTime<Utc>) -> Result<bool, Error> {
    let last = app.db(move |conn| Ok(jobs::last_success(conn, job.name())?)).await?;
    Ok(last.is_none_or(|last| last + job.every() <= now))
}

/// Runs `job` now if no other runner holds it; `None` when another does.
pub async fn run_job(app: &App, runner: &str, job: Job) -> Result<Option<Ran>, Error> {
    run(app, runner, job, false).await
}

/// Runs every job that is due and free; returns what ran.
pub async fn run_due(app: &App, runner: &str) -> Result<Vec<Ran>, Error> {
    let mut ran = Vec::new();
    for job in Job::ALL {
        if due(app, job, app.now()).await? {
            ran.extend(run(app, runner, job, true).await?);
        }
    }
    Ok(ran)
}

async fn run(app: &App, runner: &str, job: Job, only_if_due: bool) -> Result<Option<Ran>, Error> {
    let (now, holder) = (app.now(), runner.to_owned());
    let acquired = app.db(move |conn| Ok(jobs::acquire(conn, job.name(), &holder, now + LEASE, now)?)).await?;
    if !acquired {
        return Ok(None);
    }
    // Another runner may have finished it between our look and our lease: look again, holding it.
    if only_if_due && !due(app, job, now).await? {
        let holder = runner.to_owned();
        app.db(move |conn| Ok(jobs::release(conn, job.name(), &holder)?)).await?;
        return Ok(None);
    }
    let holder = runner.to_owned();
    let id = app.db(move |conn| Ok(jobs::start_run(conn, job.name(), &holder, now)?)).await?;
    let outcome = job.work(app).await;
    let (processed, error) = match &outcome {
        Ok(processed) => (*processed, None),
        Err(error) => (0, Some(error.to_string())),
    };
    let (finished, holder, detail) = (app.now(), runner.to_owned(), error.clone());
    app.db(move |conn| {
        let count = i64::try_from(processed).unwrap_or(i64::MAX);
        jobs::finish_run(conn, &id, detail.is_none(), count, detail.as_deref(), finished)?;
        Ok(jobs::release(conn, job.name(), &holder)?)
    })
    .await?;
    if let Some(error) = &error {
        log::warn!("job {} failed: {error}", job.name());
    } else if processed > 0 {
        log::info!("job {} processed {processed}", job.name());
    }
    Ok(Some(Ran { job, processed, error }))
}

/// A recorded run, as operators read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub job: String,
    pub runner: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `succeeded`, `failed` or `interrupted` (its runner stopped and another took over).
    pub outcome: String,
    pub processed: i64,
    pub detail: Option<String>,
}

/// The most recent runs, newest first.
pub async fn history(app: &App, limit: i64) -> Result<Vec<RunRecord>, Error> {
    let rows = app.db(move |conn| Ok(jobs::recent_runs(conn, limit)?)).await?;
    Ok(rows
        .into_iter()
        .map(|row| RunRecord {
            job: row.job,
            runner: row.runner,
            started_at: from_db(row.started_at),
            finished_at: row.finished_at.map(from_db),
            outcome: row.outcome,
            processed: row.processed,
            detail: row.detail,
        })
        .collect())
}

/// Looks for due jobs every `tick`, on the tick's boundaries (every replica looks at the same
/// moment, as cron would, and the leases decide who runs), until the task is dropped.
pub async fn every(app: App, runner: String, tick: std::time::Duration) {
    let tick_millis = tick.as_millis().max(1);
    loop {
        let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let wait = tick_millis - since_epoch.as_millis() % tick_millis;
        tokio::time::sleep(std::time::Duration::from_millis(u64::try_from(wait).unwrap_or(1))).await;
        if let Err(error) = run_due(&app, &runner).await {
            log::warn!("the scheduler could not run its jobs: {error}");
        }
    }
}

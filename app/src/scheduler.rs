//! One scheduler for everything that happens with the passing of time. Each job runs when its
//! interval has passed since its last successful run, under a lease in the database, so that of
//! several replicas (and the `jobs run` command, for cron) exactly one runs it at a time; every
//! run is recorded with what it did. Jobs are written to be repeated safely: one interrupted half
//! way is taken over when its lease lapses, and redoing its work changes nothing twice.

use crate::{App, Error, expiry, paging};
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
    /// Unused accounts are warned, made inactive, warned again and deleted (R-L4).
    AccountInactivity,
    /// Messages finished with longer ago than the retention period are deleted.
    PruneMessages,
    /// Rejected applications' members and old audit events' client addresses are erased once
    /// their retention periods end.
    PrunePersonalData,
    /// Passcode mailshots are worked through, each practice once (R-O7).
    PasscodeMailshots,
}

impl Job {
    pub const ALL: [Job; 6] = [
        Self::ExpireDrafts,
        Self::PruneAttempts,
        Self::AccountInactivity,
        Self::PruneMessages,
        Self::PrunePersonalData,
        Self::PasscodeMailshots,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::ExpireDrafts => "expire_drafts",
            Self::PruneAttempts => "prune_attempts",
            Self::AccountInactivity => "account_inactivity",
            Self::PruneMessages => "prune_messages",
            Self::PrunePersonalData => "prune_personal_data",
            Self::PasscodeMailshots => "passcode_mailshots",
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
            Self::AccountInactivity => Duration::hours(1),
            Self::PruneMessages => Duration::hours(1),
            Self::PrunePersonalData => Duration::hours(1),
            Self::PasscodeMailshots => Duration::minutes(1),
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
            Self::AccountInactivity => crate::accounts::inactivity::run(app).await,
            Self::PruneMessages => {
                let before = app.now() - app.settings().retention.messages;
                app.db(move |conn| {
                    let pruned = persistence::outbox::prune(conn, before)?;
                    if pruned > 0 {
                        persistence::inactivity::flush_erasures(conn)?;
                    }
                    Ok(pruned)
                })
                .await
            }
            Self::PasscodeMailshots => crate::mailshots::run(app).await,
            Self::PrunePersonalData => {
                let (now, retention) = (app.now(), app.settings().retention);
                app.db(move |conn| {
                    let members =
                        persistence::retention::erase_rejected_members(conn, now - retention.rejected_applications)?;
                    let addresses =
                        persistence::retention::forget_client_addresses(conn, now - retention.audit_addresses)?;
                    if members + addresses > 0 {
                        persistence::inactivity::flush_erasures(conn)?;
                    }
                    Ok(members + addresses)
                })
                .await
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
    let succeeded = if error.is_none() { "succeeded" } else { "failed" };
    metrics::counter!("scheduled_job_runs_total", "job" => job.name(), "outcome" => succeeded).increment(1);
    metrics::counter!("scheduled_job_processed_total", "job" => job.name())
        .increment(u64::try_from(processed).unwrap_or(u64::MAX));
    if let Some(error) = &error {
        log::warn!("job {} failed: {error}", job.name());
    } else if processed > 0 {
        log::info!("job {} processed {processed}", job.name());
    }
    Ok(Some(Ran { job, processed, error }))
}

/// A name for this process as a runner of jobs, for operators to read: `kind` (`replica` or
/// `command`), the host (from `HOSTNAME` or `/etc/hostname`, as containers set them) and the
/// process id, unique among processes running at one time.
pub fn runner_name(kind: &str) -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| {
            h.trim().chars().filter(|c| c.is_ascii_alphanumeric() || "-._".contains(*c)).take(64).collect::<String>()
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{kind}@{host}:{}", std::process::id())
}

/// How a recorded run ended, or that it has not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    Running,
    Succeeded,
    Failed,
    /// Its runner stopped (the lease lapsed) and another took the job over.
    Interrupted,
}

impl RunOutcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        [Self::Running, Self::Succeeded, Self::Failed, Self::Interrupted].into_iter().find(|o| o.code() == code)
    }
}

/// A recorded run, as operators and the helpdesk read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub id: String,
    pub job: Job,
    /// The replica (host and process) or command line that ran it.
    pub runner: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: RunOutcome,
    /// How many things it dealt with (drafts expired, records pruned…).
    pub processed: i64,
    /// Why it failed, for a failed run.
    pub detail: Option<String>,
}

/// A stored run as a record; runs of jobs this version no longer has are left out.
fn record(row: jobs::JobRunRow) -> Option<RunRecord> {
    Some(RunRecord {
        job: Job::parse(&row.job)?,
        outcome: RunOutcome::parse(&row.outcome)?,
        id: row.id,
        runner: row.runner,
        started_at: from_db(row.started_at),
        finished_at: row.finished_at.map(from_db),
        processed: row.processed,
        detail: row.detail,
    })
}

/// The most recent runs, newest first (the command line's `jobs history`).
pub async fn history(app: &App, limit: i64) -> Result<Vec<RunRecord>, Error> {
    let rows = app.db(move |conn| Ok(jobs::runs_page(conn, None, None, limit)?)).await?;
    Ok(rows.into_iter().filter_map(record).collect())
}

/// What the helpdesk asks of the run history.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    pub job: Option<Job>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A page of runs, newest first.
#[derive(Debug, Clone)]
pub struct RunPage {
    pub items: Vec<RunRecord>,
    pub next_cursor: Option<String>,
}

/// The run history for the helpdesk, a page at a time: what ran, where, when and with what
/// result, so a stuck or failing job is seen without server access.
pub async fn runs(app: &App, caller: &crate::Caller, filter: RunFilter) -> Result<RunPage, Error> {
    crate::helpdesk::as_admin(app, caller, move |conn, _, _| {
        let mut v = crate::Validator::new();
        let limit = paging::limit(&mut v, filter.limit);
        let after = paging::after(&mut v, filter.cursor.as_deref(), paging::decode_time_cursor);
        v.finish(|| Some(()))?;
        let mut rows = jobs::runs_page(conn, filter.job.map(Job::name), after, limit + 1)?;
        let next_cursor = paging::cut(&mut rows, limit, |row| paging::encode_time_cursor(&row.started_at, &row.id));
        Ok(RunPage { items: rows.into_iter().filter_map(record).collect(), next_cursor })
    })
    .await
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

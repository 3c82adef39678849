//! Scheduled jobs: a lease per job, so one runner at a time does it, and a record of every run.

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{job_leases, job_runs};
use crate::time::{from_db, to_db};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

/// Takes the job's lease for `holder` until `until`, if no one else holds it now. A lease that
/// lapsed (its holder died mid-run) is taken over, and that run is marked interrupted.
pub fn acquire(
    conn: &mut DbConnection,
    job: &str,
    holder: &str,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let taken = diesel::update(
        job_leases::table.find(job).filter(job_leases::lease_until.lt(to_db(now)).or(job_leases::holder.eq(holder))),
    )
    .set((job_leases::holder.eq(holder), job_leases::lease_until.eq(to_db(until))))
    .execute(conn)?;
    if taken == 1 {
        diesel::update(job_runs::table.filter(job_runs::job.eq(job)).filter(job_runs::outcome.eq("running")))
            .set((job_runs::outcome.eq("interrupted"), job_runs::finished_at.eq(Some(to_db(now)))))
            .execute(conn)?;
        return Ok(true);
    }
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(job_leases::table)
            .values((job_leases::job.eq(job), job_leases::holder.eq(holder), job_leases::lease_until.eq(to_db(until))))
            .execute(conn)
            .map_err(StoreError::from)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(StoreError::Conflict(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Gives the lease up.
pub fn release(conn: &mut DbConnection, job: &str, holder: &str) -> Result<(), StoreError> {
    diesel::delete(job_leases::table.find(job).filter(job_leases::holder.eq(holder))).execute(conn)?;
    Ok(())
}

/// Records that a run started; returns its id.
pub fn start_run(conn: &mut DbConnection, job: &str, runner: &str, now: DateTime<Utc>) -> Result<String, StoreError> {
    let id = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(job_runs::table)
        .values((
            job_runs::id.eq(&id),
            job_runs::job.eq(job),
            job_runs::runner.eq(runner),
            job_runs::started_at.eq(to_db(now)),
            job_runs::outcome.eq("running"),
            job_runs::processed.eq(0),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Records how a run ended: `succeeded` or `failed`, what it processed and, for a failure, why.
pub fn finish_run(
    conn: &mut DbConnection,
    id: &str,
    succeeded: bool,
    processed: i64,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(job_runs::table.find(id))
        .set((
            job_runs::outcome.eq(if succeeded { "succeeded" } else { "failed" }),
            job_runs::processed.eq(processed),
            job_runs::detail.eq(detail),
            job_runs::finished_at.eq(Some(to_db(now))),
        ))
        .execute(conn)?;
    Ok(())
}

/// When the job's latest successful run started.
pub fn last_success(conn: &mut DbConnection, job: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    let latest: Option<NaiveDateTime> = job_runs::table
        .filter(job_runs::job.eq(job))
        .filter(job_runs::outcome.eq("succeeded"))
        .select(diesel::dsl::max(job_runs::started_at))
        .get_result(conn)?;
    Ok(latest.map(from_db))
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = job_runs)]
pub struct JobRunRow {
    pub id: String,
    pub job: String,
    pub runner: String,
    pub started_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    pub outcome: String,
    pub processed: i64,
    pub detail: Option<String>,
}

/// The runs of `job` (or of every job), newest first, `limit` at most, after the keyset cursor
/// `(started_at, id)` when given.
pub fn runs_page(
    conn: &mut DbConnection,
    job: Option<&str>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<JobRunRow>, StoreError> {
    let mut query = job_runs::table.select(JobRunRow::as_select()).into_boxed();
    if let Some(job) = job {
        query = query.filter(job_runs::job.eq(job.to_owned()));
    }
    if let Some((started_at, id)) = after {
        query = query.filter(
            job_runs::started_at.lt(started_at).or(job_runs::started_at.eq(started_at).and(job_runs::id.lt(id))),
        );
    }
    Ok(query.order((job_runs::started_at.desc(), job_runs::id.desc())).limit(limit).load(conn)?)
}

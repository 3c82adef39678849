//! Importing the CQC directory without making anyone wait: the file is read once, each batch of
//! good rows written as soon as it is read, in a short transaction of its own, as rows of a new
//! generation no reader sees (`persistence::cqc_import`). When the whole file has proved good,
//! one small transaction makes the generation live with the import's audit record; a bad row
//! anywhere stops the writing, and what was written is deleted. So the directory changes whole
//! or not at all, and an applicant's write never queues behind more than one batch. On
//! PostgreSQL, reading (and checking) runs on a thread of its own, a batch ahead of the writing;
//! on SQLite, whose one write lock applicants need too, reading the next batch is the pause in
//! which they take it (and this process's own writers waiting for it go first).

use super::reader::{self, Findings, Seen};
use super::{CqcLocations, Dataset, ImportReport, Refused, Source, add, record_import};
use crate::Error;
use crate::audit::By;
use crate::secrets::Hasher;
use chrono::{DateTime, Utc};
use persistence::cqc_import::{self, Claim};
use persistence::reference::{CqcLocationRecord, UpsertCounts};
use persistence::{DbConnection, StoreError, write_transaction};
use std::time::{Duration, Instant};

/// Rows written per transaction: on SQLite about 10 ms of the write lock on the development
/// machine (see the README's Performance section), short enough that an applicant's write
/// waiting for it is not noticed.
const BATCH_ROWS: usize = 2000;

/// How long an import waits for another import of the directory to finish.
const CLAIM_WAIT: Duration = Duration::from_secs(30);

/// Checks and writes the file in one pass, then makes it live with its audit record; or, if any
/// row is bad, deletes what was written and reports every error.
pub(super) fn import(
    conn: &mut DbConnection,
    source: Source<'_>,
    hasher: &Hasher,
    now: DateTime<Utc>,
    by: Option<&By>,
) -> Result<ImportReport, Error> {
    let started = Instant::now();
    let claim = claim(conn, now, started)?;
    let (scan, findings, counts) = match write_generation(conn, &claim, source, hasher, now, started) {
        Ok(written) => written,
        Err(error) => return Err(give_up(conn, &claim, error)),
    };
    if !findings.is_empty() {
        cqc_import::abandon(conn, &claim)?;
        return Ok(ImportReport::new(Dataset::CqcLocations, scan, UpsertCounts::default(), findings));
    }
    let live = write_transaction(conn, |conn| {
        cqc_import::make_live(conn, &claim)?;
        record_import(conn, by, Dataset::CqcLocations, scan.rows, &counts, now)?;
        Ok::<_, Refused>(())
    });
    if let Err(error) = live {
        return Err(give_up(conn, &claim, error));
    }
    if counts.updated > 0 {
        // The file is applied; rows it replaced that are left (by a failure here) are never read.
        if let Err(error) = cqc_import::delete_replaced(conn, &claim) {
            log::error!("deleting the CQC directory rows an import replaced: {error}");
        }
    }
    Ok(ImportReport::new(Dataset::CqcLocations, scan, counts, Findings::default()))
}

/// The directory to this import alone, waiting up to [`CLAIM_WAIT`] for another to finish.
fn claim(conn: &mut DbConnection, now: DateTime<Utc>, started: Instant) -> Result<Claim, Error> {
    loop {
        if let Some(claim) = cqc_import::claim(conn, at(now, started))? {
            return Ok(claim);
        }
        if started.elapsed() > CLAIM_WAIT {
            return Err(StoreError::Unavailable("another import of the CQC directory is under way".to_owned()).into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The time now, as the import's clock has it (the clock is read once, when the import starts).
fn at(now: DateTime<Utc>, started: Instant) -> DateTime<Utc> {
    now + chrono::TimeDelta::from_std(started.elapsed()).unwrap_or_default()
}

/// Deletes what the import wrote and releases its claim after a failure, which it returns.
fn give_up(conn: &mut DbConnection, claim: &Claim, error: Refused) -> Error {
    if let Err(cleanup) = cqc_import::abandon(conn, claim) {
        log::error!("abandoning a failed CQC directory import: {cleanup}");
    }
    match error {
        Refused::Failed(error) => error,
        Refused::Rows => Error::internal("a CQC directory import stopped without saying why"),
    }
}

/// Reads the whole file and writes its good rows, batch by batch, until a bad row is found: the
/// errors of the file, and what its good rows did. Where batches written back to back would keep
/// applicants' writes waiting (SQLite), reading the next batch is the pause between two; otherwise
/// reading runs on a thread of its own, a batch ahead of the writing.
fn write_generation(
    conn: &mut DbConnection,
    claim: &Claim,
    source: Source<'_>,
    hasher: &Hasher,
    now: DateTime<Utc>,
    started: Instant,
) -> Result<(reader::Scan, Findings, UpsertCounts), Refused> {
    let mut counts = UpsertCounts::default();
    let mut write = |conn: &mut DbConnection, batch: &[CqcLocationRecord]| {
        cqc_import::write_batch(conn, claim, batch, now, at(now, started)).map(|written| add(&mut counts, written))
    };
    if cqc_import::batches_need_pauses(conn) {
        let (scan, findings) = read(source, hasher, |batch| Ok(write(conn, &batch)?))?;
        return Ok((scan, findings, counts));
    }
    let (read, written) = std::thread::scope(|scope| {
        // One batch waits while one is written: memory stays bounded whatever the file's size.
        let (batches, received) = std::sync::mpsc::sync_channel::<Vec<CqcLocationRecord>>(1);
        // When the writer fails it drops `received`; the reader then stops (its error is the
        // writer's, below).
        let reading = scope.spawn(move || read(source, hasher, |batch| batches.send(batch).map_err(|_| Refused::Rows)));
        let written = received.into_iter().try_for_each(|batch| write(conn, &batch));
        let read = reading.join().unwrap_or_else(|_| Err(Error::internal("reading a CQC directory failed").into()));
        (read, written)
    });
    written?;
    let (scan, findings) = read?;
    Ok((scan, findings, counts))
}

/// Reads and checks the file, handing each batch of good rows over until a row is bad; then
/// reads on only to report every error.
fn read(
    source: Source<'_>,
    hasher: &Hasher,
    mut hand_over: impl FnMut(Vec<CqcLocationRecord>) -> Result<(), Refused>,
) -> Result<(reader::Scan, Findings), Refused> {
    let mut findings = Findings::default();
    let mut seen = Seen::new();
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let scan = reader::scan::<CqcLocations, _, Refused>(
        source.open()?,
        hasher,
        &mut findings,
        Some(&mut seen),
        |_, record, found| {
            if found.is_empty() {
                batch.push(record);
                if batch.len() == BATCH_ROWS {
                    hand_over(std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS)))?;
                }
            }
            Ok(())
        },
    )?;
    if findings.is_empty() && !batch.is_empty() {
        hand_over(batch)?;
    }
    Ok((scan, findings))
}

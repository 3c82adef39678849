//! The invariants that must hold under concurrency are database constraints, and their
//! violations reach callers as domain conflicts. Runs on SQLite, and on PostgreSQL when
//! `TEST_POSTGRES_URL` is set.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use diesel::prelude::*;
use domain::conflict::Conflict;
use persistence::schema::mobile_reservations;
use persistence::testing::TestDatabase;
use persistence::time::to_db;
use persistence::{Database, StoreError, write_transaction};
use std::sync::{Arc, Barrier};

fn reserve(db: &Database, mobile: &str) -> Result<(), StoreError> {
    let mut conn = db.get()?;
    write_transaction(&mut conn, |conn| {
        diesel::insert_into(mobile_reservations::table)
            .values((mobile_reservations::mobile.eq(mobile), mobile_reservations::reserved_at.eq(to_db(Utc::now()))))
            .execute(conn)?;
        Ok(())
    })
}

fn insert_application(db: &Database, id: &str, claimed_location: Option<&str>) -> Result<(), StoreError> {
    persistence::testing::insert_draft(&mut *db.get()?, id, claimed_location, Utc::now())
}

#[test]
fn migrations_apply_once_and_leave_nothing_pending() {
    for test_db in TestDatabase::each() {
        let db = test_db.open();
        assert_eq!(db.pending_migrations().unwrap(), 0, "{}", test_db.backend_name());
        assert!(db.run_migrations().unwrap().is_empty(), "{}", test_db.backend_name());
        db.ping().unwrap();
    }
}

#[test]
fn r_r7_a_second_reservation_of_a_mobile_is_a_conflict_not_an_error() {
    for test_db in TestDatabase::each() {
        let db = test_db.open();
        reserve(&db, "+447912345678").unwrap();
        let second = reserve(&db, "+447912345678").unwrap_err();
        assert!(
            matches!(second, StoreError::Conflict(Conflict::MobileAlreadyRegistered)),
            "{}: {second:?}",
            test_db.backend_name()
        );
        reserve(&db, "+447912345679").unwrap();
    }
}

#[test]
fn r_r7_racing_reservations_of_one_mobile_exactly_one_wins() {
    for test_db in TestDatabase::each() {
        let db = test_db.open();
        let racers = 8;
        let barrier = Arc::new(Barrier::new(racers));
        let results: Vec<_> = (0..racers)
            .map(|_| {
                let (db, barrier) = (db.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    reserve(&db, "+447700900001")
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect();
        let wins = results.iter().filter(|r| r.is_ok()).count();
        let conflicts = results
            .iter()
            .filter(|r| matches!(r, Err(StoreError::Conflict(Conflict::MobileAlreadyRegistered))))
            .count();
        assert_eq!((wins, conflicts), (1, racers - 1), "{}: {results:?}", test_db.backend_name());
    }
}

#[test]
fn r_p5_one_live_claim_per_practice() {
    for test_db in TestDatabase::each() {
        let db = test_db.open();
        insert_application(&db, "a1", Some("1-1002733005")).unwrap();
        let second = insert_application(&db, "a2", Some("1-1002733005")).unwrap_err();
        assert!(
            matches!(second, StoreError::Conflict(Conflict::PracticeHasLiveApplication)),
            "{}: {second:?}",
            test_db.backend_name()
        );
        // Unclaimed applications (not yet authenticated, or ended) do not collide.
        insert_application(&db, "a3", None).unwrap();
        insert_application(&db, "a4", None).unwrap();
    }
}

#[test]
fn a_failed_write_transaction_leaves_nothing_behind() {
    for test_db in TestDatabase::each() {
        let db = test_db.open();
        let mut conn = db.get().unwrap();
        let result: Result<(), StoreError> = write_transaction(&mut conn, |conn| {
            diesel::insert_into(mobile_reservations::table)
                .values((
                    mobile_reservations::mobile.eq("+447700900002"),
                    mobile_reservations::reserved_at.eq(to_db(Utc::now())),
                ))
                .execute(conn)?;
            Err(StoreError::NotFound)
        });
        assert!(result.is_err());
        let count: i64 = mobile_reservations::table.count().get_result(&mut conn).unwrap();
        assert_eq!(count, 0, "{}", test_db.backend_name());
    }
}

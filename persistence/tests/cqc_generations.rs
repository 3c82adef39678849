//! The CQC directory written a generation at a time: readers see an import's rows only once it is
//! made live, all at once; one import writes at a time; an import that gives up or dies leaves
//! nothing behind. Runs on SQLite, and on PostgreSQL when `TEST_POSTGRES_URL` is set.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeDelta, Utc};
use diesel::prelude::*;
use persistence::cqc_import::{abandon, claim, delete_replaced, make_live, write_batch};
use persistence::reference::{CqcLocationRecord, UpsertCounts, count_cqc_locations, cqc_location};
use persistence::schema::cqc_locations;
use persistence::testing::TestDatabase;
use persistence::{DbConnection, write_transaction};

fn location(id: &str, name: &str) -> CqcLocationRecord {
    CqcLocationRecord {
        location_id: id.to_owned(),
        name: name.to_owned(),
        address_line_1: "1 A ROAD".to_owned(),
        address_line_2: None,
        town: "LEEDS".to_owned(),
        county: None,
        postcode: "LS7 3AB".to_owned(),
        registration_status: "Registered".to_owned(),
        service_types: "Dental service".to_owned(),
    }
}

fn name_of(conn: &mut DbConnection, id: &str) -> Option<String> {
    cqc_location(conn, id).unwrap().map(|row| row.record.name)
}

fn stored_rows(conn: &mut DbConnection) -> i64 {
    cqc_locations::table.count().get_result(conn).unwrap()
}

#[test]
fn an_import_is_seen_whole_once_live_and_the_rows_it_replaced_are_deleted() {
    for test_db in TestDatabase::each() {
        let db = test_db.open();
        let (mut conn, mut reader) = (db.get().unwrap(), db.get().unwrap());
        let now = Utc::now();
        let first = claim(&mut conn, now).unwrap().unwrap();
        let counts = write_batch(&mut conn, &first, &[location("1-1000000001", "OLD")], now, now).unwrap();
        assert_eq!(counts, UpsertCounts { created: 1, updated: 0, unchanged: 0 });
        assert_eq!(name_of(&mut reader, "1-1000000001"), None, "not live yet");
        assert_eq!(count_cqc_locations(&mut reader).unwrap(), 0);
        write_transaction(&mut conn, |conn| make_live(conn, &first)).unwrap();
        assert_eq!(name_of(&mut reader, "1-1000000001").as_deref(), Some("OLD"));

        let second = claim(&mut conn, now).unwrap().unwrap();
        assert_eq!(claim(&mut reader, now).unwrap(), None, "one import at a time");
        let batch = [location("1-1000000001", "NEW"), location("1-1000000002", "ADDED")];
        let counts = write_batch(&mut conn, &second, &batch, now, now).unwrap();
        assert_eq!(counts, UpsertCounts { created: 1, updated: 1, unchanged: 0 });
        let again = write_batch(&mut conn, &second, &[location("1-1000000001", "OTHER")], now, now);
        assert!(again.is_err(), "a location is written once per import");
        assert_eq!(name_of(&mut reader, "1-1000000001").as_deref(), Some("OLD"), "the old generation still");
        assert_eq!(name_of(&mut reader, "1-1000000002"), None);
        write_transaction(&mut conn, |conn| make_live(conn, &second)).unwrap();
        assert_eq!(name_of(&mut reader, "1-1000000001").as_deref(), Some("NEW"));
        assert_eq!(name_of(&mut reader, "1-1000000002").as_deref(), Some("ADDED"));
        assert_eq!(count_cqc_locations(&mut reader).unwrap(), 2);
        assert_eq!(stored_rows(&mut reader), 3, "the replaced row is kept until deleted");
        delete_replaced(&mut conn, &second).unwrap();
        assert_eq!(stored_rows(&mut reader), 2);

        let third = claim(&mut conn, now).unwrap().unwrap();
        let counts = write_batch(&mut conn, &third, &batch, now, now).unwrap();
        assert_eq!(counts, UpsertCounts { created: 0, updated: 0, unchanged: 2 }, "nothing written");
        abandon(&mut conn, &third).unwrap();
    }
}

#[test]
fn an_abandoned_or_dead_import_leaves_nothing_and_frees_the_directory() {
    for test_db in TestDatabase::each() {
        let db = test_db.open();
        let (mut conn, mut other) = (db.get().unwrap(), db.get().unwrap());
        let now = Utc::now();
        let refused = claim(&mut conn, now).unwrap().unwrap();
        write_batch(&mut conn, &refused, &[location("1-1000000001", "REFUSED")], now, now).unwrap();
        abandon(&mut conn, &refused).unwrap();
        assert_eq!(stored_rows(&mut other), 0);

        let dead = claim(&mut conn, now).unwrap().unwrap();
        write_batch(&mut conn, &dead, &[location("1-1000000001", "DEAD")], now, now).unwrap();
        assert_eq!(claim(&mut other, now + TimeDelta::seconds(30)).unwrap(), None, "still beating");
        let later = now + TimeDelta::minutes(2);
        let taker = claim(&mut other, later).unwrap().expect("a claim without a heartbeat is taken over");
        assert_eq!(stored_rows(&mut other), 0, "the dead import's rows are deleted");
        assert!(write_batch(&mut conn, &dead, &[location("1-1000000003", "LATE")], later, later).is_err());
        assert!(write_transaction(&mut conn, |conn| make_live(conn, &dead)).is_err(), "its claim is gone");
        write_batch(&mut other, &taker, &[location("1-1000000002", "TAKER")], later, later).unwrap();
        write_transaction(&mut other, |conn| make_live(conn, &taker)).unwrap();
        assert_eq!(name_of(&mut other, "1-1000000001"), None);
        assert_eq!(name_of(&mut other, "1-1000000002").as_deref(), Some("TAKER"));
    }
}

//! Times are stored as UTC `TIMESTAMP`s (no zone) on both backends, at microsecond precision.

use chrono::{DateTime, NaiveDateTime, Utc};

pub fn to_db(time: DateTime<Utc>) -> NaiveDateTime {
    time.naive_utc()
}

pub fn from_db(time: NaiveDateTime) -> DateTime<Utc> {
    time.and_utc()
}

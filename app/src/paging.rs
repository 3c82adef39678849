//! Cursor pagination, the same on every list: `limit` (1 to 100, default 20) and `cursor` (the
//! `next_cursor` of the previous page, opaque to clients) in; `{items, next_cursor}` out.

use crate::{FieldError, Validator};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use domain::ProblemCode;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// The page size asked for, or the default; a size out of range is reported on `v`.
pub fn limit(v: &mut Validator, asked: Option<i64>) -> i64 {
    let limit = asked.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        v.push(FieldError::new("/query/limit", ProblemCode::OutOfRange, None, "Give a page size from 1 to 100."));
    }
    limit
}

/// Where the page starts, decoded from the cursor; a cursor that does not decode is reported on `v`.
pub fn after<T>(v: &mut Validator, cursor: Option<&str>, decode: impl FnOnce(&str) -> Option<T>) -> Option<T> {
    let decoded = decode(cursor?);
    if decoded.is_none() {
        v.push(FieldError::new(
            "/query/cursor",
            ProblemCode::CursorInvalid,
            None,
            "Use a `next_cursor` from an earlier page.",
        ));
    }
    decoded
}

/// Cuts `rows` (fetched with one more than `limit`, to learn whether another page follows) to
/// the page, and returns the cursor of the next page if there is one.
pub fn cut<T>(rows: &mut Vec<T>, limit: i64, encode: impl FnOnce(&T) -> String) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > limit;
    rows.truncate(limit);
    if more { rows.last().map(encode) } else { None }
}

/// A keyset cursor for lists ordered by a time and then an id.
pub fn encode_time_cursor(time: &NaiveDateTime, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{id}", time.format("%Y-%m-%dT%H:%M:%S%.6f")))
}

/// The time and id of a cursor made by [`encode_time_cursor`]; `None` for anything else.
pub fn decode_time_cursor(cursor: &str) -> Option<(NaiveDateTime, String)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (time, id) = text.split_once('|')?;
    Some((NaiveDateTime::parse_from_str(time, "%Y-%m-%dT%H:%M:%S%.6f").ok()?, id.to_owned()))
}

//! Statements diesel would prepare again on every call. Diesel keeps a prepared statement per
//! connection only when it can tell the SQL never changes, and it assumes that of no `UPDATE`
//! (a changeset of optional fields may set different columns from call to call), nor of an
//! upsert's `DO UPDATE`. On SQLite preparing costs more than running such a statement: the
//! hot path's activity update spent most of its time in SQLite's parser.
//!
//! [`Fixed`] vouches for a statement whose SQL is the same on every call (a changeset of plain
//! values, no `Option` fields, no `IN` list), so diesel caches it, keyed by its SQL as before.
//! Run it with `get_result`/`load` and a `RETURNING` clause (`RETURNING id` where only the count
//! matters): diesel's `execute` hands the statement on by reference, and a reference does not
//! carry the mark.
//! `tests/statement_cache.rs` checks the hot statements are taken from the cache.

use crate::db::{DbConnection, MultiBackend};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::LoadQuery;
use diesel::{QueryResult, RunQueryDsl};

/// A statement whose SQL does not change from call to call: `fixed(diesel::update(…).set(…))`.
#[derive(Debug, Clone, Copy)]
pub struct Fixed<Q>(Q);

/// Marks `statement` as one whose SQL is the same on every call; see the module's note.
pub fn fixed<Q>(statement: Q) -> Fixed<Q> {
    Fixed(statement)
}

impl<Q: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for Fixed<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &MultiBackend) -> QueryResult<bool> {
        Ok(true)
    }
}

/// Keyed by its SQL text (no static id): two call sites never share a cached statement.
impl<Q> QueryId for Fixed<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Fixed<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, Conn> RunQueryDsl<Conn> for Fixed<Q> {}

/// Runs `statement`, an `UPDATE … RETURNING` one text column (its key), as a [`Fixed`] one:
/// how many rows it changed.
pub fn changed<'query, Q>(conn: &mut DbConnection, statement: Q) -> QueryResult<usize>
where
    Fixed<Q>: LoadQuery<'query, DbConnection, String>,
{
    Ok(fixed(statement).load::<String>(conn)?.len())
}

//! Storage for the NHSmail dental registration service.
//!
//! One code path for SQLite (embedded default) and PostgreSQL (production) through diesel's
//! `MultiConnection`: a single backend-neutral schema, text UUID ids and UTC timestamps, and
//! migrations per backend embedded in the binary. Query functions take `&mut DbConnection` so
//! they compose inside one transaction; callers run them off the async workers.
//! Database errors are translated here: unique violations become [`domain::conflict::Conflict`],
//! unreachable or busy databases become [`StoreError::Unavailable`].

pub mod account_life;
pub mod account_search;
pub mod accounts;
pub mod admins;
pub mod applications;
pub mod attempts;
pub mod audit;
pub mod codes;
pub mod cqc_import;
pub mod db;
pub mod error;
pub mod fixed;
pub mod inactivity;
pub mod jobs;
pub mod joiners;
pub mod leavers;
pub mod mailboxes;
pub mod mailshots;
pub mod outbox;
pub mod passcodes;
pub mod reference;
pub mod retention;
pub mod schema;
mod search;
pub mod testing;
pub mod time;

pub use db::{Backend, Database, DatabaseUrl, DbConnection, PoolOptions, write_transaction};
pub use error::StoreError;

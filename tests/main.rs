//! Black-box tests: each starts the real server and speaks HTTP to it, on SQLite and (when
//! `TEST_POSTGRES_URL` is set) PostgreSQL. One test binary, so the suite links once.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod account_life;
mod accounts;
mod architecture;
mod concurrency;
mod console;
mod contract;
mod expiry;
mod front_end;
mod hardening;
mod helpdesk;
mod joiners;
mod journey;
mod leavers;
mod mailboxes;
mod mailshots;
mod messaging;
mod operations;
mod production;
mod refusals;
mod replicas;
mod restart;
mod retention;
mod review;
mod security;
mod state_machine;
mod topology;

//! The helpdesk: sessions, the review queue, account support and reference data.

pub mod accounts;
pub mod reference;
pub mod review;
pub mod sessions;

//! The helpdesk: sessions, the review queue, account support, reference data and the run
//! history of scheduled jobs.

pub mod accounts;
pub mod administrators;
pub mod console;
pub mod jobs;
pub mod joiners;
pub mod leavers;
pub mod mailshots;
pub mod reference;
pub mod review;
pub mod sessions;

//! Operations: health, the problem catalogue, provider callbacks and the development outbox.

pub mod development;
pub mod health;
pub mod notify;
pub mod problems;

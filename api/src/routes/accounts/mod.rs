//! Account holders: sessions, activation, passwords, resets, their profile and the directory.

pub mod activation;
pub mod directory;
pub mod joiners;
pub mod mailboxes;
pub mod profile;
pub mod resets;
pub mod sessions;

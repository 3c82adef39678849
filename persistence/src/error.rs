//! Storage errors, with database failures translated into what callers can act on:
//! unique violations become domain [`Conflict`]s (a 409 for the user, never a 500), a database
//! that is down, locked or exhausted becomes [`StoreError::Unavailable`] (a 503 to retry).

use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error as DieselError};
use domain::conflict::Conflict;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Conflict(#[from] Conflict),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Concurrent transactions got in each other's way (a deadlock or a serialization
    /// failure): running the transaction again may well succeed.
    #[error("transactions collided: {0}")]
    Contention(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(DieselError),
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Conflict(unique_violation(info.as_ref()))
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
                Self::Contention(info.message().to_owned())
            }
            // PostgreSQL's deadlock_detected (40P01) has no kind of its own in diesel.
            DieselError::DatabaseError(_, ref info) if info.message().contains("deadlock detected") => {
                Self::Contention(info.message().to_owned())
            }
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => Self::Unavailable(info.message().to_owned()),
            // SQLite reports a lock it waited for in vain (busy timeout) as an unknown error.
            DieselError::DatabaseError(_, ref info) if info.message().contains("database is locked") => {
                Self::Unavailable(info.message().to_owned())
            }
            other => Self::Database(other),
        }
    }
}

/// Unique constraints and the conflict each one means. PostgreSQL names the constraint;
/// SQLite reports `UNIQUE constraint failed: table.column, …`, matched on the columns.
const UNIQUE_CONSTRAINTS: &[(&str, &str, Conflict)] = &[
    ("mobile_reservations_pkey", "mobile_reservations.mobile", Conflict::MobileAlreadyRegistered),
    ("joiner_requests_mobile_key", "joiner_requests.mobile", Conflict::MobileAlreadyRegistered),
    ("applications_claimed_location_id_key", "applications.claimed_location_id", Conflict::PracticeHasLiveApplication),
    ("members_application_email_key", "members.email", Conflict::DuplicateMemberEmail),
    ("members_application_mobile_key", "members.mobile", Conflict::DuplicateMemberMobile),
    ("accounts_username_key", "accounts.username", Conflict::UsernameTaken),
    ("shared_mailboxes_address_key", "shared_mailboxes.address", Conflict::MailboxAddressTaken),
    ("applications_mailbox_address_key", "applications.mailbox_address", Conflict::MailboxAddressTaken),
    ("practices_ods_code_key", "practices.ods_code", Conflict::OdsCodeTaken),
];

fn unique_violation(info: &dyn DatabaseErrorInformation) -> Conflict {
    let constraint = info.constraint_name();
    let message = info.message();
    UNIQUE_CONSTRAINTS
        .iter()
        .find(|(name, columns, _)| constraint == Some(*name) || message.contains(columns))
        .map(|(_, _, conflict)| conflict.clone())
        .unwrap_or(Conflict::AlreadyExists)
}

impl StoreError {
    /// True for failures a retry may cure (database down, locked or out of connections).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::Contention(_))
    }
}

//! Domain enumerations stored as their codes: TEXT columns whose CHECK constraints list exactly
//! the domain's codes on both backends (the schema-parity test compares them). Rows read them back
//! as the domain types; a code this version does not know is an error, never a guess.

use crate::db::MultiBackend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::sql_types::Text;
use domain::account::AccountStatus;
use domain::journey::ApplicationStatus;
use domain::passcode::PasscodeChannel;

/// A domain enumeration with a stored code for each value.
pub trait Coded: Sized + Copy + 'static {
    /// What the values are, for error messages.
    const WHAT: &'static str;
    fn all() -> &'static [Self];
    fn code(self) -> &'static str;

    fn from_code(code: &str) -> Option<Self> {
        Self::all().iter().copied().find(|value| value.code() == code)
    }
}

impl Coded for ApplicationStatus {
    const WHAT: &'static str = "application status";

    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn code(self) -> &'static str {
        ApplicationStatus::code(self)
    }
}

impl Coded for AccountStatus {
    const WHAT: &'static str = "account status";

    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn code(self) -> &'static str {
        AccountStatus::code(self)
    }
}

impl Coded for PasscodeChannel {
    const WHAT: &'static str = "passcode channel";

    fn all() -> &'static [Self] {
        &[PasscodeChannel::Email, PasscodeChannel::Post]
    }

    fn code(self) -> &'static str {
        self.as_str()
    }
}

/// A stored code read as its domain value (`#[diesel(deserialize_as = Stored<T>)]` on a row's
/// field of type `T`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct Stored<T>(pub T);

impl<T: Coded> FromSql<Text, MultiBackend> for Stored<T> {
    fn from_sql(bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        let code = <String as FromSql<Text, MultiBackend>>::from_sql(bytes)?;
        T::from_code(&code)
            .map(Stored)
            .ok_or_else(|| format!("the database holds an unknown {} `{code}`", T::WHAT).into())
    }
}

macro_rules! into_domain {
    ($($ty:ty),+) => {$(
        impl From<Stored<$ty>> for $ty {
            fn from(stored: Stored<$ty>) -> Self {
                stored.0
            }
        }
    )+};
}

into_domain!(ApplicationStatus, AccountStatus, PasscodeChannel);

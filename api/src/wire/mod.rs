//! Every closed set of strings the API speaks (statuses, channels, actions, roles, problem
//! codes…), declared once so that the contract spells each value exactly as serde writes it.
//!
//! All enumerations are declared in the one [`wire_enums!`] block below: the block derives the
//! serde and utoipa implementations with the same literal `rename_all`, mirrors domain enums
//! one to one where there is one (`Name <=> domain::Type`), and lists every enumeration in
//! [`catalogue`], which a test compares with the published contract: an enumeration declared
//! anywhere else, or a schema whose values differ from serde's, fails it.

mod problem_type;

pub use problem_type::ProblemType;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{RefOr, schema};

/// One enumeration as the code defines it: its schema name, the values serde writes for its
/// variants, and the values its schema lists.
#[derive(Debug, Clone)]
pub struct WireEnum {
    pub name: String,
    pub serialized: Vec<Value>,
    pub schema_values: Vec<Value>,
}

/// An enumeration's variants, for the catalogue.
pub trait Variants: Sized + Serialize {
    fn all() -> Vec<Self>;
}

fn entry<T: Variants + ToSchema>() -> WireEnum {
    let schema_values = match <T as utoipa::PartialSchema>::schema() {
        RefOr::T(Schema::Object(object)) => object.enum_values.unwrap_or_default(),
        _ => Vec::new(),
    };
    WireEnum {
        name: T::name().into_owned(),
        serialized: T::all().iter().map(|v| serde_json::to_value(v).unwrap_or(Value::Null)).collect(),
        schema_values,
    }
}

/// Parses a stored or received code into a wire enumeration (the inverse of serialising it).
pub fn from_code<T: for<'de> Deserialize<'de>>(code: &str) -> Option<T> {
    serde_json::from_value(Value::String(code.to_owned())).ok()
}

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident <=> $domain:ty $(as $case:ident)? { $($(#[$vmeta:meta])* $variant:ident),+ }) => {
        wire_enum!($(#[$meta])* $name $(as $case)? { $($(#[$vmeta])* $variant),+ });

        impl From<$domain> for $name {
            fn from(value: $domain) -> Self {
                match value { $(<$domain>::$variant => Self::$variant),+ }
            }
        }

        impl From<$name> for $domain {
            fn from(value: $name) -> Self {
                match value { $($name::$variant => <$domain>::$variant),+ }
            }
        }
    };
    // Written in kebab-case, where the values are also path segments.
    ($(#[$meta:meta])* $name:ident as kebab_case { $($(#[$vmeta:meta])* $variant:ident),+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl Variants for $name {
            fn all() -> Vec<Self> {
                vec![$(Self::$variant),+]
            }
        }
    };
    // Written as the variants are named, where that is how people write them (`Mr`, `Bearer`).
    ($(#[$meta:meta])* $name:ident as pascal_case { $($(#[$vmeta:meta])* $variant:ident),+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl Variants for $name {
            fn all() -> Vec<Self> {
                vec![$(Self::$variant),+]
            }
        }
    };
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl Variants for $name {
            fn all() -> Vec<Self> {
                vec![$(Self::$variant),+]
            }
        }
    };
}

macro_rules! wire_enums {
    ($($(#[$meta:meta])* $name:ident $(<=> $domain:ty)? $(as $case:ident)? { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? })+
     ; also: [$($extra:ty),* $(,)?]) => {
        $(wire_enum!($(#[$meta])* $name $(<=> $domain)? $(as $case)? { $($(#[$vmeta])* $variant),+ });)+

        /// Every enumeration of the API, for the test that compares them with the contract.
        pub fn catalogue() -> Vec<WireEnum> {
            vec![$(entry::<$name>(),)+ $(entry::<$extra>(),)*]
        }
    };
}

wire_enums! {
    /// Where the application stands: `draft` (being filled in), `submitted` (read-only, awaiting
    /// review), `approved`, `rejected`, `expired` (not submitted in time; personal data removed)
    /// or `withdrawn` (abandoned by the applicant; personal data removed).
    ApplicationStatus <=> domain::journey::ApplicationStatus {
        Draft, Submitted, Approved, Rejected, Expired, Withdrawn
    }

    /// `a`: the practice is in the service's register. `b`: it is found in the CQC directory.
    PracticeRoute <=> domain::journey::Route { A, B }

    /// How a passcode is sent: `email` to the registered manager's address on record, or `post`
    /// to the CQC registered address.
    PasscodeChannel <=> domain::passcode::PasscodeChannel { Email, Post }

    /// Ways to prove the applicant acts for the practice.
    AuthenticationMethod <=> domain::eligibility::AuthMethod { CqcContactId, Passcode }

    /// Next steps after the questionnaire.
    NextStep <=> domain::eligibility::NextStep {
        IdentifyPractice, EnterPasscode, RequestPasscode, EnterCqcContactId, AskColleagueToApply, MeetIgRequirement
    }

    /// Why an applicant cannot apply.
    IneligibilityReason <=> domain::eligibility::Ineligibility { AlreadyHasNhsmailAccount, IgRequirementNotMet }

    /// Actions the applicant can take now.
    AllowedAction <=> domain::journey::Action {
        IdentifyPractice, RequestPasscode, Verify, ConfirmCqcDetails, SetTown, AddMember, EditMember, RemoveMember,
        Submit, Withdraw
    }

    /// A member's job role (R-R4).
    Role <=> domain::member::Role {
        Dentist, DentalNurse, DentalHygienist, DentalTherapist, OrthodonticTherapist, DentalTechnician,
        PracticeManager, Receptionist, AdministrationAndClerical, Other
    }

    /// An account's status: `pending_activation` (created, not yet activated, R-L1), `active`,
    /// `inactive` (unused for the inactivity period, R-L4) or `disabled` (by the helpdesk).
    AccountStatus <=> domain::account::AccountStatus { PendingActivation, Active, Inactive, Disabled }

    /// What an account must do before anything else, in this order (R-L1, R-L3).
    RequiredAction <=> domain::account::RequiredAction {
        ChangePassword, SetSecurityQuestions, AcceptAcceptableUsePolicy, ChooseDirectoryVisibility
    }

    /// The security questions an account holder can answer (R-L1, R-L7).
    SecurityQuestionCode <=> domain::account::SecurityQuestion {
        FirstSchool, ChildhoodStreet, FirstPet, MothersMaidenName, FavouriteTeacher, FirstConcert
    }

    /// What a session may do: `activation` (only the required actions of a new account, R-L1),
    /// `password_change` (only a password change, R-L3) or `full`.
    SessionScope <=> domain::account::SessionScope { Activation, PasswordChange, Full }

    /// The kind of message.
    MessageTemplate {
        PasscodeEmail, PasscodeLetter, UsernameEmail, TemporaryPasswordSms, RejectionEmail, WelcomeEmail,
        PasswordResetCodeSms, InactivityWarningEmail, AccountInactiveEmail, DeletionWarningEmail,
        MailboxAccessEmail, LeaverEmail
    }

    /// What became of a joiner request (R-L6): `waiting` for the helpdesk, or the account `created`.
    JoinerStatus { Waiting, Created }

    /// How a message travels.
    MessageChannel { Email, Sms, Letter }

    /// Where a message stands: `pending` (waiting, or waiting to retry), `sending`, `sent`
    /// (accepted by the provider), `delivered` (the provider confirmed delivery) or `failed`.
    MessageStatus { Pending, Sending, Sent, Delivered, Failed }

    /// The provider that took a message.
    MessageProvider { Development, Smtp, Notify }

    /// How the practice's information governance was assessed: the IG Toolkit (`igt`), the Data
    /// Security and Protection Toolkit (`dspt`), or nothing on record (`none`).
    IgAssessmentKind { Igt, Dspt, None }

    /// The reference datasets: the practice register (route A) and the CQC directory (route B).
    Dataset <=> app::reference::Dataset as kebab_case { Practices, CqcLocations }

    /// Which database the service runs on.
    DatabaseBackend { Sqlite, Postgres }

    /// A scheduled job: `expire_drafts` (every minute: drafts inactive too long end, their
    /// personal data deleted), `prune_attempts` (hourly: attempt records older than any limit
    /// looks back are forgotten), `account_inactivity` (hourly: unused accounts are warned, made
    /// inactive, warned again and deleted, R-L4), `prune_messages` (hourly: messages finished
    /// with longer ago than MESSAGE_RETENTION_DAYS are deleted) or `prune_personal_data` (hourly:
    /// rejected applications' members and old audit events' client addresses are erased after
    /// REJECTED_APPLICATION_RETENTION_DAYS and AUDIT_ADDRESS_RETENTION_DAYS) or `passcode_mailshots`
    /// (every minute: the helpdesk's passcode mailshots are sent, each practice once, R-O7).
    JobName <=> app::scheduler::Job {
        ExpireDrafts, PruneAttempts, AccountInactivity, PruneMessages, PrunePersonalData, PasscodeMailshots
    }

    /// How a job's run ended: `running` (not yet), `succeeded`, `failed`, or `interrupted` (its
    /// replica stopped; the job was run again).
    JobOutcome <=> app::scheduler::RunOutcome { Running, Succeeded, Failed, Interrupted }

    /// `ok`: the process answers.
    HealthStatus { Ok }

    /// `ready`: the database answers and its schema is current.
    ReadinessStatus { Ready }

    /// How to send an access token: `Authorization: Bearer <token>`.
    TokenType as pascal_case { Bearer }

    /// A member's title (R-R4), written as people write it.
    Title <=> domain::member::Title as pascal_case { Mr, Mrs, Miss, Ms, Mx, Dr, Prof }

    /// The outcome of a password reset or change.
    PasswordOutcome { PasswordChanged, TemporaryPasswordSent }
    ; also: [Code, ProblemTypeUri]
}

/// A problem code from the catalogue (`domain::ProblemCode`): the stable reason for a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code(pub domain::ProblemCode);

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<str>::deserialize(deserializer)?;
        domain::ProblemCode::parse(&text)
            .map(Code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown problem code `{text}`")))
    }
}

impl Variants for Code {
    fn all() -> Vec<Self> {
        domain::ProblemCode::ALL.iter().copied().map(Code).collect()
    }
}

impl utoipa::PartialSchema for Code {
    fn schema() -> RefOr<Schema> {
        let meanings: String = domain::ProblemCode::ALL
            .iter()
            .map(|code| format!("- `{}`: {}\n", code.as_str(), code.meaning()))
            .collect();
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .description(Some(format!(
                "A stable, machine-readable reason from the catalogue below. Match on it, never on `detail`.\n\n{meanings}"
            )))
            .enum_values(Some(domain::ProblemCode::ALL.iter().map(|c| c.as_str())))
            .into()
    }
}

impl ToSchema for Code {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ProblemCode")
    }
}

/// The `type` of a problem document: the URI of its documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProblemTypeUri(pub ProblemType);

impl Serialize for ProblemTypeUri {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.uri())
    }
}

impl<'de> Deserialize<'de> for ProblemTypeUri {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<str>::deserialize(deserializer)?;
        text.strip_prefix("/problems/")
            .and_then(ProblemType::from_slug)
            .map(ProblemTypeUri)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown problem type `{text}`")))
    }
}

impl Variants for ProblemTypeUri {
    fn all() -> Vec<Self> {
        ProblemType::ALL.into_iter().map(ProblemTypeUri).collect()
    }
}

impl utoipa::PartialSchema for ProblemTypeUri {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .format(Some(schema::SchemaFormat::Custom("uri-reference".to_owned())))
            .description(Some(
                "Identifies the kind of problem; its documentation is served at this path (`GET /problems/{slug}`).",
            ))
            .enum_values(Some(ProblemType::ALL.iter().map(|p| p.uri())))
            .into()
    }
}

impl ToSchema for ProblemTypeUri {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ProblemType")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enumeration_schema_lists_exactly_what_serde_writes() {
        for entry in catalogue() {
            assert!(!entry.serialized.is_empty(), "{} has no values", entry.name);
            assert_eq!(entry.schema_values, entry.serialized, "{}: the schema and serde disagree", entry.name);
        }
    }

    #[test]
    fn codes_read_back_as_they_are_written() {
        assert_eq!(serde_json::to_value(MessageTemplate::PasswordResetCodeSms).unwrap(), "password_reset_code_sms");
        assert_eq!(from_code::<MessageStatus>("delivered"), Some(MessageStatus::Delivered));
        assert_eq!(from_code::<AccountStatus>("pending_activation"), Some(AccountStatus::PendingActivation));
        assert_eq!(from_code::<MessageStatus>("Delivered"), None);
    }
}

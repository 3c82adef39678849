//! The roster as the contract shows it: a new member, changes to one, and the members with
//! their counts.

use crate::models::application::{MemberCounts, MemberView, Role, Title};
use crate::schemas;
use app::registration::members::{MemberAndCounts, MemberInput};
use app::registration::{Member, Members};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// Distinguishes a field left out (`None`) from one set to null (`Some(None)`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A new member (R-R4): names, email, mobile and role are required; the first member is the
/// shared mailbox owner.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Dr", "first_name": "Monika", "last_name": "Patel", "email": "mpatel@blackpooldentists.net", "mobile": "07998 765432", "role": "dentist", "is_mailbox_admin": true}))]
pub struct NewMember {
    #[serde(default)]
    #[schema(value_type = Title, nullable = false)]
    pub title: Option<String>,
    /// 1 to 50 letters, spaces, hyphens and apostrophes (R-R4).
    #[serde(default)]
    #[schema(schema_with = schemas::person_name, required = true)]
    pub first_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::person_name, required = true)]
    pub last_name: Option<String>,
    /// A business or personal address, not on NHSmail (R-R5).
    #[serde(default)]
    #[schema(schema_with = schemas::email, required = true)]
    pub email: Option<String>,
    /// A UK mobile: 07…, +44 7… or 0044 7…, with any spaces, dashes or brackets (R-R6).
    #[serde(default)]
    #[schema(schema_with = schemas::mobile, required = true)]
    pub mobile: Option<String>,
    #[serde(default)]
    #[schema(value_type = Role, required = true)]
    pub role: Option<String>,
    /// Make a shared mailbox owner (at most 2; the first member always is one) (R-R2).
    #[serde(default)]
    #[schema(nullable = false)]
    pub is_owner: Option<bool>,
    /// Give admin rights over the shared mailbox; implies access (R-R3).
    #[serde(default)]
    #[schema(nullable = false)]
    pub is_mailbox_admin: Option<bool>,
    /// Give access to the shared mailbox; removing it removes admin rights (R-R3).
    #[serde(default)]
    #[schema(nullable = false)]
    pub has_shared_mailbox_access: Option<bool>,
}

/// Changes to a member: only the fields sent change (R-R8). Send `"title": null` to clear the
/// title.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mobile": "07998 765433", "is_mailbox_admin": false}))]
pub struct MemberChanges {
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = schemas::title_or_null)]
    pub title: Option<Option<String>>,
    #[serde(default)]
    #[schema(schema_with = schemas::person_name)]
    pub first_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::person_name)]
    pub last_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::email)]
    pub email: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::mobile)]
    pub mobile: Option<String>,
    #[serde(default)]
    #[schema(value_type = Role, nullable = false)]
    pub role: Option<String>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub is_owner: Option<bool>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub is_mailbox_admin: Option<bool>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub has_shared_mailbox_access: Option<bool>,
}

impl From<NewMember> for MemberInput {
    fn from(m: NewMember) -> Self {
        Self {
            title: m.title.map(Some),
            first_name: m.first_name,
            last_name: m.last_name,
            email: m.email,
            mobile: m.mobile,
            role: m.role,
            is_owner: m.is_owner,
            is_mailbox_admin: m.is_mailbox_admin,
            has_shared_mailbox_access: m.has_shared_mailbox_access,
        }
    }
}

impl From<MemberChanges> for MemberInput {
    fn from(m: MemberChanges) -> Self {
        Self {
            title: m.title,
            first_name: m.first_name,
            last_name: m.last_name,
            email: m.email,
            mobile: m.mobile,
            role: m.role,
            is_owner: m.is_owner,
            is_mailbox_admin: m.is_mailbox_admin,
            has_shared_mailbox_access: m.has_shared_mailbox_access,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = crate::examples::member_response)]
pub struct MemberResponse {
    pub member: MemberView,
    pub counts: MemberCounts,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = crate::examples::member_list)]
pub struct MemberList {
    pub members: Vec<MemberView>,
    pub counts: MemberCounts,
}

impl From<&MemberAndCounts> for MemberResponse {
    fn from(one: &MemberAndCounts) -> Self {
        Self { member: MemberView::from(&one.member), counts: one.counts.into() }
    }
}

impl From<&Members> for MemberList {
    fn from(members: &Members) -> Self {
        Self { members: members.members.iter().map(MemberView::from).collect(), counts: members.counts.into() }
    }
}

impl From<&Member> for MemberView {
    fn from(member: &Member) -> Self {
        Self::new(&member.member, member.position)
    }
}

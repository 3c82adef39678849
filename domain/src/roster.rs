//! The roster of people to receive accounts (R-R1–R-R3, R-R5 uniqueness, R-R8).
//!
//! 2 to 10 members; the first is a shared mailbox owner; at most 2 owners and always at least
//! one; owners have access and admin rights; admin implies access; email and mobile are unique
//! within the roster. Members can be added, edited and removed until submission.
//! (Uniqueness of mobiles across the whole service, R-R7, is the database's job.)
//!
//! Why this file is long: the roster rules (under 320 lines) and the tests that name each rule
//! live together.

use crate::member::MemberDetails;
use std::fmt;

pub const MIN_MEMBERS: usize = 2;
pub const MAX_MEMBERS: usize = 10;
pub const MAX_OWNERS: usize = 2;

/// A member's rights over the shared mailbox, strongest first. Each level includes the ones
/// below it, so "admin without access" cannot be represented (R-R3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailboxPermission {
    Owner,
    Admin,
    Access,
    NoAccess,
}

impl MailboxPermission {
    pub fn is_owner(self) -> bool {
        self == Self::Owner
    }

    pub fn is_admin(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    pub fn has_access(self) -> bool {
        self != Self::NoAccess
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Access => "access",
            Self::NoAccess => "none",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Owner, Self::Admin, Self::Access, Self::NoAccess].into_iter().find(|p| p.code() == code)
    }

    /// Applies a requested change (R-R2, R-R3). Marking someone admin gives them access;
    /// removing access removes admin; owners always keep access and admin rights.
    pub fn apply(self, change: PermissionChange) -> Result<Self, RosterError> {
        let owner = change.owner.unwrap_or(self.is_owner());
        if owner {
            if change.access == Some(false) {
                return Err(RosterError::OwnerHasFullRights { field: MemberField::Access });
            }
            if change.admin == Some(false) {
                return Err(RosterError::OwnerHasFullRights { field: MemberField::Admin });
            }
            return Ok(Self::Owner);
        }
        if change.admin == Some(true) && change.access == Some(false) {
            return Err(RosterError::AdminWithoutAccess);
        }
        let mut admin = change.admin.unwrap_or(self.is_admin());
        let mut access = change.access.unwrap_or(self.has_access());
        if change.admin == Some(true) {
            access = true;
        }
        if change.access == Some(false) {
            admin = false;
        }
        Ok(match (admin, access) {
            (true, _) => Self::Admin,
            (false, true) => Self::Access,
            (false, false) => Self::NoAccess,
        })
    }
}

/// A requested change of rights; `None` leaves that right as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PermissionChange {
    pub owner: Option<bool>,
    pub admin: Option<bool>,
    pub access: Option<bool>,
}

/// The member attribute a roster error concerns, for pointing at the failing field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberField {
    Email,
    Mobile,
    Owner,
    Admin,
    Access,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterError {
    #[error("A practice can register at most {MAX_MEMBERS} members.")]
    TooManyMembers,
    #[error("At least {MIN_MEMBERS} members are required; {specified} specified.")]
    TooFewMembers { specified: usize },
    #[error("There can be at most {MAX_OWNERS} shared mailbox owners.")]
    TooManyOwners,
    #[error("The first member is the shared mailbox owner.")]
    FirstMemberIsOwner,
    #[error("This member is the only shared mailbox owner; make another member an owner first.")]
    OnlyOwner,
    #[error("The roster needs a shared mailbox owner.")]
    NoOwner,
    /// `field`: the right the request tried to take away.
    #[error("Shared mailbox owners always have access and admin rights.")]
    OwnerHasFullRights { field: MemberField },
    #[error("A mailbox admin must have access to the shared mailbox.")]
    AdminWithoutAccess,
    #[error("Another member already has this email address.")]
    DuplicateEmail,
    #[error("Another member already has this mobile number; each person needs their own.")]
    DuplicateMobile,
    #[error("There is no such member.")]
    MemberNotFound,
}

crate::violation!(RosterError {
    TooManyMembers => (RosterFull, Some("R-R1")),
    TooFewMembers => (RosterTooSmall, Some("R-R1")),
    TooManyOwners => (TooManyOwners, Some("R-R2")),
    FirstMemberIsOwner => (FirstMemberIsOwner, Some("R-R2")),
    OnlyOwner => (OnlyOwner, Some("R-R8")),
    NoOwner => (NoOwner, Some("R-R2")),
    OwnerHasFullRights => (OwnerHasFullRights, Some("R-R2")),
    AdminWithoutAccess => (AdminRequiresAccess, Some("R-R3")),
    DuplicateEmail => (EmailDuplicate, Some("R-R5")),
    DuplicateMobile => (MobileDuplicate, Some("R-R7")),
    MemberNotFound => (NotFound, None),
});

impl RosterError {
    /// The member attribute at fault, if any (roster-wide errors have none).
    pub fn field(&self) -> Option<MemberField> {
        match self {
            Self::TooManyOwners | Self::FirstMemberIsOwner | Self::OnlyOwner => Some(MemberField::Owner),
            Self::OwnerHasFullRights { field } => Some(*field),
            Self::AdminWithoutAccess => Some(MemberField::Admin),
            Self::DuplicateEmail => Some(MemberField::Email),
            Self::DuplicateMobile => Some(MemberField::Mobile),
            Self::TooManyMembers | Self::TooFewMembers { .. } | Self::NoOwner | Self::MemberNotFound => None,
        }
    }
}

/// One member as the roster holds them; `K` is the storage key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterMember<K> {
    pub key: K,
    pub details: MemberDetails,
    pub permission: MailboxPermission,
}

/// "n of 10 specified (2 required)" (R-R1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RosterCounts {
    pub specified: usize,
    pub owners: usize,
}

impl RosterCounts {
    pub const MAXIMUM: usize = MAX_MEMBERS;
    pub const REQUIRED: usize = MIN_MEMBERS;

    pub fn remaining(&self) -> usize {
        MAX_MEMBERS.saturating_sub(self.specified)
    }
}

impl fmt::Display for RosterCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {MAX_MEMBERS} specified ({MIN_MEMBERS} required)", self.specified)
    }
}

/// The roster aggregate. Every change goes through its methods, which keep the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster<K> {
    members: Vec<RosterMember<K>>,
}

impl<K: Clone + PartialEq> Default for Roster<K> {
    fn default() -> Self {
        Self { members: Vec::new() }
    }
}

impl<K: Clone + PartialEq> Roster<K> {
    /// Rebuilds a roster from stored members, in their stored order.
    pub fn from_members(members: Vec<RosterMember<K>>) -> Self {
        Self { members }
    }

    pub fn members(&self) -> &[RosterMember<K>] {
        &self.members
    }

    pub fn get(&self, key: &K) -> Option<&RosterMember<K>> {
        self.members.iter().find(|m| &m.key == key)
    }

    pub fn counts(&self) -> RosterCounts {
        RosterCounts { specified: self.members.len(), owners: self.owner_count() }
    }

    fn owner_count(&self) -> usize {
        self.members.iter().filter(|m| m.permission.is_owner()).count()
    }

    fn duplicates(&self, details: &MemberDetails, except: Option<&K>) -> Vec<RosterError> {
        let others = || self.members.iter().filter(|m| Some(&m.key) != except);
        let mut errors = Vec::new();
        if others().any(|m| m.details.email == details.email) {
            errors.push(RosterError::DuplicateEmail);
        }
        if others().any(|m| m.details.mobile == details.mobile) {
            errors.push(RosterError::DuplicateMobile);
        }
        errors
    }

    /// Adds a member (R-R1, R-R2, R-R3). The first member becomes an owner. Every rule the
    /// new member breaks is reported.
    /// R-R1: whether another member can be added, before any of their details are looked at.
    pub fn check_room(&self) -> Result<(), RosterError> {
        if self.members.len() >= MAX_MEMBERS { Err(RosterError::TooManyMembers) } else { Ok(()) }
    }

    pub fn add(&mut self, key: K, details: MemberDetails, change: PermissionChange) -> Result<(), Vec<RosterError>> {
        self.check_room().map_err(|full| vec![full])?;
        let mut errors = self.duplicates(&details, None);
        let permission = if self.members.is_empty() {
            if change.owner == Some(false) {
                errors.push(RosterError::FirstMemberIsOwner);
            }
            MailboxPermission::NoAccess.apply(PermissionChange { owner: Some(true), ..change })
        } else {
            MailboxPermission::NoAccess.apply(change)
        };
        match &permission {
            Ok(MailboxPermission::Owner) if self.owner_count() >= MAX_OWNERS => errors.push(RosterError::TooManyOwners),
            Ok(_) => {}
            Err(error) => errors.push(error.clone()),
        }
        match permission {
            Ok(permission) if errors.is_empty() => {
                self.members.push(RosterMember { key, details, permission });
                Ok(())
            }
            _ => Err(errors),
        }
    }

    /// Replaces a member's details and applies a change of rights (R-R2, R-R3, R-R8).
    pub fn update(
        &mut self,
        key: &K,
        details: MemberDetails,
        change: PermissionChange,
    ) -> Result<(), Vec<RosterError>> {
        let index = self.members.iter().position(|m| &m.key == key).ok_or_else(|| vec![RosterError::MemberNotFound])?;
        let current = self.members[index].permission;
        let mut errors = self.duplicates(&details, Some(key));
        let permission = current.apply(change);
        match &permission {
            Ok(next) if next.is_owner() && !current.is_owner() && self.owner_count() >= MAX_OWNERS => {
                errors.push(RosterError::TooManyOwners)
            }
            Ok(next) if !next.is_owner() && current.is_owner() && self.owner_count() == 1 => {
                errors.push(RosterError::OnlyOwner)
            }
            Ok(_) => {}
            Err(error) => errors.push(error.clone()),
        }
        match permission {
            Ok(permission) if errors.is_empty() => {
                self.members[index] = RosterMember { key: key.clone(), details, permission };
                Ok(())
            }
            _ => Err(errors),
        }
    }

    /// Removes a member; the only owner cannot be removed (R-R8).
    pub fn remove(&mut self, key: &K) -> Result<RosterMember<K>, RosterError> {
        let index = self.members.iter().position(|m| &m.key == key).ok_or(RosterError::MemberNotFound)?;
        if self.members[index].permission.is_owner() && self.owner_count() == 1 {
            return Err(RosterError::OnlyOwner);
        }
        Ok(self.members.remove(index))
    }

    /// What stops this roster from being submitted (R-R1, R-R2); empty when it is complete.
    pub fn completeness_problems(&self) -> Vec<RosterError> {
        let mut problems = Vec::new();
        if self.members.len() < MIN_MEMBERS {
            problems.push(RosterError::TooFewMembers { specified: self.members.len() });
        }
        if !self.members.is_empty() && self.owner_count() == 0 {
            problems.push(RosterError::NoOwner);
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Violation;
    use crate::contact::{Email, UkMobile};
    use crate::mailbox::MailDomain;
    use crate::member::{PersonName, Role};

    fn person(first: &str, last: &str, email: &str, mobile: &str, role: Role) -> MemberDetails {
        MemberDetails {
            title: None,
            first_name: PersonName::parse(first).unwrap(),
            last_name: PersonName::parse(last).unwrap(),
            email: Email::parse(email, &MailDomain::parse("nhs.net").unwrap()).unwrap(),
            mobile: UkMobile::parse(mobile).unwrap(),
            role,
        }
    }

    fn numbered(n: usize) -> MemberDetails {
        person("Staff", "Member", &format!("staff{n}@example.com"), &format!("0790000{n:04}"), Role::DentalNurse)
    }

    fn admin() -> PermissionChange {
        PermissionChange { admin: Some(true), ..Default::default() }
    }

    fn access() -> PermissionChange {
        PermissionChange { access: Some(true), ..Default::default() }
    }

    fn owner() -> PermissionChange {
        PermissionChange { owner: Some(true), ..Default::default() }
    }

    /// The roster from the registration guide's example.
    fn seed_roster() -> Roster<u32> {
        let mut roster = Roster::default();
        roster
            .add(
                1,
                person("David", "Smith", "dsmith@businessemail.com", "07912345678", Role::Dentist),
                PermissionChange::default(),
            )
            .unwrap();
        roster
            .add(2, person("Monika", "Patel", "mpatel@blackpooldentists.net", "07998765432", Role::Dentist), admin())
            .unwrap();
        roster
            .add(
                3,
                person("Efan", "Williamson", "ewilliamson@domaim.com", "07777777777", Role::AdministrationAndClerical),
                access(),
            )
            .unwrap();
        roster
            .add(
                4,
                person("Sarah", "Jones", "sarahj@emaildomain.co.uk", "07888888888", Role::DentalNurse),
                PermissionChange::default(),
            )
            .unwrap();
        roster
    }

    #[test]
    fn r_r1_r_r2_r_r3_the_guide_example_roster_has_the_expected_rights() {
        let roster = seed_roster();
        let rights: Vec<_> = roster.members().iter().map(|m| m.permission).collect();
        assert_eq!(
            rights,
            [
                MailboxPermission::Owner,
                MailboxPermission::Admin,
                MailboxPermission::Access,
                MailboxPermission::NoAccess
            ]
        );
        assert_eq!(roster.counts().to_string(), "4 of 10 specified (2 required)");
        assert_eq!(roster.counts().remaining(), 6);
        assert!(roster.completeness_problems().is_empty());
    }

    #[test]
    fn r_r1_at_least_two_members_are_needed_to_submit() {
        let mut roster: Roster<u32> = Roster::default();
        assert_eq!(roster.completeness_problems(), [RosterError::TooFewMembers { specified: 0 }]);
        assert_eq!(roster.counts().to_string(), "0 of 10 specified (2 required)");
        roster.add(1, numbered(1), PermissionChange::default()).unwrap();
        assert_eq!(roster.completeness_problems()[0].rule(), Some("R-R1"));
        roster.add(2, numbered(2), PermissionChange::default()).unwrap();
        assert!(roster.completeness_problems().is_empty());
    }

    #[test]
    fn r_r1_an_eleventh_member_is_refused() {
        let mut roster = Roster::default();
        for n in 0..MAX_MEMBERS {
            roster.add(n, numbered(n), PermissionChange::default()).unwrap();
        }
        assert_eq!(roster.add(99, numbered(99), PermissionChange::default()), Err(vec![RosterError::TooManyMembers]));
        assert_eq!(roster.counts().specified, 10);
    }

    #[test]
    fn r_r2_the_first_member_is_an_owner_and_cannot_be_added_otherwise() {
        let mut roster = Roster::default();
        let refused = roster.add(1, numbered(1), PermissionChange { owner: Some(false), ..Default::default() });
        assert_eq!(refused, Err(vec![RosterError::FirstMemberIsOwner]));
        roster.add(1, numbered(1), PermissionChange::default()).unwrap();
        assert!(roster.members()[0].permission.is_owner());
        roster.add(2, numbered(2), PermissionChange::default()).unwrap();
        assert_eq!(roster.members()[1].permission, MailboxPermission::NoAccess);
    }

    #[test]
    fn r_r2_a_third_owner_is_refused() {
        let mut roster = seed_roster();
        roster.update(&2, roster.get(&2).unwrap().details.clone(), owner()).unwrap();
        assert_eq!(roster.counts().owners, 2);
        let refused = roster.add(5, numbered(5), owner()).unwrap_err();
        assert_eq!(refused, [RosterError::TooManyOwners]);
        assert_eq!(refused[0].field(), Some(MemberField::Owner));
        let refused = roster.update(&3, roster.get(&3).unwrap().details.clone(), owner()).unwrap_err();
        assert_eq!(refused, [RosterError::TooManyOwners]);
    }

    #[test]
    fn r_r2_owners_always_have_access_and_admin() {
        let mut roster = seed_roster();
        let details = roster.get(&1).unwrap().details.clone();
        let refused =
            roster.update(&1, details.clone(), PermissionChange { access: Some(false), ..Default::default() });
        assert_eq!(refused, Err(vec![RosterError::OwnerHasFullRights { field: MemberField::Access }]));
        let refused =
            roster.add(5, numbered(5), PermissionChange { owner: Some(true), admin: Some(false), access: None });
        assert_eq!(refused, Err(vec![RosterError::OwnerHasFullRights { field: MemberField::Admin }]));
    }

    #[test]
    fn r_r3_admin_implies_access_and_removing_access_removes_admin() {
        assert_eq!(MailboxPermission::NoAccess.apply(admin()), Ok(MailboxPermission::Admin));
        assert!(MailboxPermission::Admin.has_access());
        let no_access = PermissionChange { access: Some(false), ..Default::default() };
        assert_eq!(MailboxPermission::Admin.apply(no_access), Ok(MailboxPermission::NoAccess));
        let drop_admin = PermissionChange { admin: Some(false), ..Default::default() };
        assert_eq!(MailboxPermission::Admin.apply(drop_admin), Ok(MailboxPermission::Access));
        let contradiction = PermissionChange { admin: Some(true), access: Some(false), owner: None };
        assert_eq!(MailboxPermission::Access.apply(contradiction), Err(RosterError::AdminWithoutAccess));
        assert_eq!(RosterError::AdminWithoutAccess.rule(), Some("R-R3"));
        // Demoting an owner (when another exists) leaves them an admin.
        let demote = PermissionChange { owner: Some(false), ..Default::default() };
        assert_eq!(MailboxPermission::Owner.apply(demote), Ok(MailboxPermission::Admin));
    }

    #[test]
    fn r_r8_the_only_owner_cannot_be_removed_or_demoted() {
        let mut roster = seed_roster();
        assert_eq!(roster.remove(&1), Err(RosterError::OnlyOwner));
        let details = roster.get(&1).unwrap().details.clone();
        let demote = PermissionChange { owner: Some(false), ..Default::default() };
        assert_eq!(roster.update(&1, details.clone(), demote), Err(vec![RosterError::OnlyOwner]));
        // With a second owner, the first can go.
        roster.update(&2, roster.get(&2).unwrap().details.clone(), owner()).unwrap();
        assert!(roster.remove(&1).is_ok());
        assert_eq!(roster.counts().specified, 3);
        assert_eq!(roster.remove(&1), Err(RosterError::MemberNotFound));
    }

    #[test]
    fn r_r8_members_can_be_edited_and_removed() {
        let mut roster = seed_roster();
        let mut details = roster.get(&4).unwrap().details.clone();
        details.last_name = PersonName::parse("Jones-Smith").unwrap();
        roster.update(&4, details, access()).unwrap();
        assert_eq!(roster.get(&4).unwrap().details.last_name.as_str(), "Jones-Smith");
        assert_eq!(roster.get(&4).unwrap().permission, MailboxPermission::Access);
        assert_eq!(roster.remove(&4).unwrap().key, 4);
        assert!(roster.get(&4).is_none());
    }

    #[test]
    fn r_r5_r_r7_email_and_mobile_are_unique_within_the_roster_and_both_reported() {
        let mut roster = seed_roster();
        let copy = roster.get(&2).unwrap().details.clone();
        let refused = roster.add(5, copy.clone(), PermissionChange::default()).unwrap_err();
        assert_eq!(refused, [RosterError::DuplicateEmail, RosterError::DuplicateMobile]);
        assert_eq!(refused[1].rule(), Some("R-R7"));
        assert_eq!(refused[1].field(), Some(MemberField::Mobile));
        // A member keeps their own details on edit without clashing with themselves.
        assert!(roster.update(&2, copy, PermissionChange::default()).is_ok());
        let mut clash = roster.get(&3).unwrap().details.clone();
        clash.mobile = roster.get(&4).unwrap().details.mobile.clone();
        assert_eq!(roster.update(&3, clash, PermissionChange::default()), Err(vec![RosterError::DuplicateMobile]));
    }
}

//! Who may change a shared mailbox's access once it exists, and how (R-B1, R-B2, with R-R2–R-R4's
//! rights): owners and admins link and unlink accounts and grant or revoke admin rights; only
//! owners nominate another owner (at most two) or take owner rights away, and never from the last
//! owner. Owners always have access and admin rights.

/// What one account may do with one shared mailbox. An account without access has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rights {
    pub owner: bool,
    /// Admin rights: manage who has access (owners always have them).
    pub admin: bool,
}

impl Rights {
    pub const ACCESS: Rights = Rights { owner: false, admin: false };
    pub const ADMIN: Rights = Rights { owner: false, admin: true };
    pub const OWNER: Rights = Rights { owner: true, admin: true };
}

/// The most owners a shared mailbox can have (R-R2).
pub const MAX_OWNERS: usize = 2;

/// A change to one account's rights over a shared mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Give an account access, with admin rights or not.
    Link { admin: bool },
    /// Take an account's access away.
    Unlink,
    /// Grant (`true`) or revoke admin rights.
    Admin(bool),
    /// Nominate as owner (`true`), or take owner rights away (the account keeps admin rights).
    Owner(bool),
}

/// Why a change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("Only the shared mailbox's owners and admins can change who has access to it.")]
    AdminRequired,
    #[error("Only an owner can nominate an owner or change an owner's rights.")]
    OwnerRequired,
    #[error("This account has access to the shared mailbox already.")]
    AlreadyLinked,
    #[error("This account has no access to the shared mailbox.")]
    NotLinked,
    #[error("A shared mailbox has at most {MAX_OWNERS} owners.")]
    TooManyOwners,
    #[error("The last owner cannot step down: nominate another owner first, or ask the helpdesk to change the owner.")]
    LastOwner,
    #[error("An owner always has access and admin rights: take the owner rights away first.")]
    OwnerKeepsRights,
}

crate::violation!(AccessError {
    AdminRequired => (MailboxAdminRequired, Some("R-B2")),
    OwnerRequired => (MailboxOwnerRequired, Some("R-B2")),
    AlreadyLinked => (AlreadyExists, Some("R-B2")),
    NotLinked => (NotFound, Some("R-B2")),
    TooManyOwners => (TooManyOwners, Some("R-R2")),
    LastOwner => (OnlyOwner, Some("R-R2")),
    OwnerKeepsRights => (OwnerHasFullRights, Some("R-R2")),
});

/// The rights `target` has after `actor` makes `change` (`None`: no access), given the rights
/// `target` has now and how many owners the mailbox has. Changing nothing is allowed.
pub fn decide(
    actor: Rights,
    target: Option<Rights>,
    change: Change,
    owners: usize,
) -> Result<Option<Rights>, AccessError> {
    if !actor.admin {
        return Err(AccessError::AdminRequired);
    }
    let Some(now) = target else {
        return match change {
            Change::Link { admin } => Ok(Some(Rights { owner: false, admin })),
            _ => Err(AccessError::NotLinked),
        };
    };
    match change {
        Change::Link { .. } => Err(AccessError::AlreadyLinked),
        Change::Owner(_) if !actor.owner => Err(AccessError::OwnerRequired),
        Change::Owner(true) if now.owner => Ok(Some(now)),
        Change::Owner(true) if owners >= MAX_OWNERS => Err(AccessError::TooManyOwners),
        Change::Owner(true) => Ok(Some(Rights::OWNER)),
        Change::Owner(false) if !now.owner => Ok(Some(now)),
        Change::Owner(false) if owners <= 1 => Err(AccessError::LastOwner),
        Change::Owner(false) => Ok(Some(Rights::ADMIN)),
        Change::Unlink | Change::Admin(_) if now.owner && !actor.owner => Err(AccessError::OwnerRequired),
        Change::Admin(true) if now.owner => Ok(Some(now)),
        Change::Unlink | Change::Admin(false) if now.owner => Err(AccessError::OwnerKeepsRights),
        Change::Unlink => Ok(None),
        Change::Admin(admin) => Ok(Some(Rights { admin, ..now })),
    }
}

/// R-L5: whether `actor` may mark someone of the practice with `target`'s rights as a leaver:
/// owners and admins may, but only an owner may mark an owner (themselves included).
pub fn may_mark_leaver(actor: Rights, target: Option<Rights>) -> Result<(), AccessError> {
    if !actor.admin {
        Err(AccessError::AdminRequired)
    } else if target.is_some_and(|t| t.owner) && !actor.owner {
        Err(AccessError::OwnerRequired)
    } else {
        Ok(())
    }
}

/// What a change means to the account it concerns, for the email that tells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    AccessGiven { admin: bool },
    AccessRemoved,
    AdminGranted,
    AdminRevoked,
    OwnerNominated,
    OwnerRemoved,
}

impl Notice {
    /// What changed between `before` and `after`; `None` when nothing did.
    pub fn between(before: Option<Rights>, after: Option<Rights>) -> Option<Notice> {
        match (before, after) {
            (None, Some(after)) => Some(Self::AccessGiven { admin: after.admin }),
            (Some(_), None) => Some(Self::AccessRemoved),
            (Some(before), Some(after)) if before.owner != after.owner => {
                Some(if after.owner { Self::OwnerNominated } else { Self::OwnerRemoved })
            }
            (Some(before), Some(after)) if before.admin != after.admin => {
                Some(if after.admin { Self::AdminGranted } else { Self::AdminRevoked })
            }
            _ => None,
        }
    }

    /// The audit action that records it.
    pub fn action(self) -> &'static str {
        match self {
            Self::AccessGiven { .. } => "mailbox.access_given",
            Self::AccessRemoved => "mailbox.access_removed",
            Self::AdminGranted => "mailbox.admin_granted",
            Self::AdminRevoked => "mailbox.admin_revoked",
            Self::OwnerNominated => "mailbox.owner_nominated",
            Self::OwnerRemoved => "mailbox.owner_removed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Change::*;
    use Rights as R;

    const OWNER: R = R::OWNER;
    const ADMIN: R = R::ADMIN;
    const ACCESS: R = R::ACCESS;

    #[test]
    fn r_b2_owners_and_admins_link_unlink_and_grant_or_revoke_admin() {
        for actor in [OWNER, ADMIN] {
            assert_eq!(decide(actor, None, Link { admin: false }, 1), Ok(Some(ACCESS)));
            assert_eq!(decide(actor, None, Link { admin: true }, 1), Ok(Some(ADMIN)));
            assert_eq!(decide(actor, Some(ACCESS), Admin(true), 1), Ok(Some(ADMIN)));
            assert_eq!(decide(actor, Some(ADMIN), Admin(false), 1), Ok(Some(ACCESS)));
            assert_eq!(decide(actor, Some(ADMIN), Unlink, 1), Ok(None));
            assert_eq!(decide(actor, Some(ACCESS), Link { admin: true }, 1), Err(AccessError::AlreadyLinked));
            assert_eq!(decide(actor, None, Unlink, 1), Err(AccessError::NotLinked));
        }
    }

    #[test]
    fn r_b2_an_account_with_access_only_changes_nothing() {
        for change in [Link { admin: false }, Unlink, Admin(true), Owner(true)] {
            assert_eq!(decide(ACCESS, Some(ACCESS), change, 1), Err(AccessError::AdminRequired), "{change:?}");
        }
    }

    #[test]
    fn r_r2_only_owners_nominate_owners_at_most_two_and_never_remove_the_last() {
        assert_eq!(decide(OWNER, Some(ACCESS), Owner(true), 1), Ok(Some(OWNER)), "a second owner");
        assert_eq!(decide(OWNER, Some(ACCESS), Owner(true), 2), Err(AccessError::TooManyOwners), "a third");
        assert_eq!(decide(ADMIN, Some(ACCESS), Owner(true), 1), Err(AccessError::OwnerRequired));
        assert_eq!(decide(OWNER, Some(OWNER), Owner(false), 2), Ok(Some(ADMIN)), "steps down, keeps admin");
        assert_eq!(decide(OWNER, Some(OWNER), Owner(false), 1), Err(AccessError::LastOwner));
        assert_eq!(decide(OWNER, Some(OWNER), Owner(true), 2), Ok(Some(OWNER)), "nothing to change");
    }

    #[test]
    fn r_r2_owners_keep_access_and_admin_rights_and_admins_cannot_touch_them() {
        assert_eq!(decide(OWNER, Some(OWNER), Unlink, 2), Err(AccessError::OwnerKeepsRights));
        assert_eq!(decide(OWNER, Some(OWNER), Admin(false), 2), Err(AccessError::OwnerKeepsRights));
        assert_eq!(decide(ADMIN, Some(OWNER), Unlink, 2), Err(AccessError::OwnerRequired));
        assert_eq!(decide(ADMIN, Some(OWNER), Admin(false), 2), Err(AccessError::OwnerRequired));
        assert_eq!(decide(ADMIN, Some(OWNER), Owner(false), 2), Err(AccessError::OwnerRequired));
    }

    #[test]
    fn r_l5_owners_and_admins_mark_leavers_and_only_owners_mark_owners() {
        assert_eq!(may_mark_leaver(OWNER, Some(OWNER)), Ok(()));
        assert_eq!(may_mark_leaver(OWNER, None), Ok(()), "someone of the practice without access");
        assert_eq!(may_mark_leaver(ADMIN, Some(ACCESS)), Ok(()));
        assert_eq!(may_mark_leaver(ADMIN, Some(OWNER)), Err(AccessError::OwnerRequired));
        assert_eq!(may_mark_leaver(ACCESS, Some(ACCESS)), Err(AccessError::AdminRequired));
    }

    #[test]
    fn each_change_has_one_notice() {
        assert_eq!(Notice::between(None, Some(ADMIN)), Some(Notice::AccessGiven { admin: true }));
        assert_eq!(Notice::between(Some(ADMIN), None), Some(Notice::AccessRemoved));
        assert_eq!(Notice::between(Some(ACCESS), Some(ADMIN)), Some(Notice::AdminGranted));
        assert_eq!(Notice::between(Some(ADMIN), Some(ACCESS)), Some(Notice::AdminRevoked));
        assert_eq!(Notice::between(Some(ACCESS), Some(OWNER)), Some(Notice::OwnerNominated));
        assert_eq!(Notice::between(Some(OWNER), Some(ADMIN)), Some(Notice::OwnerRemoved));
        assert_eq!(Notice::between(Some(OWNER), Some(OWNER)), None);
    }

    #[test]
    fn every_outcome_keeps_admin_implying_access_and_owners_implying_admin() {
        let rights = [None, Some(ACCESS), Some(ADMIN), Some(OWNER)];
        let changes =
            [Link { admin: false }, Link { admin: true }, Unlink, Admin(true), Admin(false), Owner(true), Owner(false)];
        for actor in [ACCESS, ADMIN, OWNER] {
            for target in rights {
                for change in changes {
                    for owners in 1..=MAX_OWNERS {
                        if let Ok(Some(after)) = decide(actor, target, change, owners) {
                            assert!(!after.owner || after.admin, "{actor:?} {target:?} {change:?}: {after:?}");
                        }
                    }
                }
            }
        }
    }
}

//! Shared mailbox management by its owners and admins (R-B1, R-B2, with R-R2–R-R4's rights):
//! anyone with access sees the mailbox and who has access; owners and admins link accounts of
//! this service by username, unlink them and grant or revoke admin rights; only owners nominate
//! another owner (at most two) or take owner rights away, never from the last owner. Each change
//! takes effect at once, is audited, and is told to the account holder concerned by email.
//! A mailbox the caller has no access to is not found, whoever asks.

use super::{Holder, authenticate};
use crate::audit::{By, record};
use crate::outbox::{self, About, templates};
use crate::{App, Caller, Error, ErrorKind, FieldError};
use domain::ProblemCode;
use domain::account::{AccountStatus, SessionScope};
use domain::mailbox_access::{AccessError, Change, Notice, Rights, decide, may_mark_leaver};
use domain::messages::{MailboxAccessFacts, mailbox_access_email};
use persistence::accounts::{self, AccountRow, MailboxRow};
use persistence::db::write_transaction;
use persistence::{DbConnection, mailboxes};

/// Someone with access to a shared mailbox.
#[derive(Debug, Clone)]
pub struct MailboxMember {
    pub account_id: String,
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub status: AccountStatus,
    pub is_owner: bool,
    pub is_admin: bool,
}

/// A shared mailbox as those with access see it.
#[derive(Debug, Clone)]
pub struct MailboxView {
    pub id: String,
    pub address: String,
    pub practice_name: String,
    pub ods_code: String,
    /// The caller's own rights.
    pub is_owner: bool,
    pub is_admin: bool,
    /// Everyone with access, owners first, then by username.
    pub members: Vec<MailboxMember>,
    /// No owner is left (the only one left the practice): the helpdesk assigns one (R-L5).
    pub needs_owner: bool,
}

/// A change of one account's rights, as asked for; either or both.
#[derive(Debug, Clone, Copy, Default)]
pub struct RightsChange {
    pub is_admin: Option<bool>,
    pub is_owner: Option<bool>,
}

pub(crate) fn as_rights((owner, admin): (bool, bool)) -> Rights {
    Rights { owner, admin }
}

/// The full-session holder and their rights over the mailbox; not found without access.
pub(crate) fn holder_with_access(
    conn: &mut DbConnection,
    app: &App,
    caller: &Caller,
    mailbox_id: &str,
) -> Result<(Holder, Rights), Error> {
    let holder = authenticate(conn, app, caller)?;
    holder.require(&[SessionScope::Full])?;
    let rights = mailboxes::rights(conn, mailbox_id, &holder.account_id)?.ok_or_else(Error::not_found)?;
    Ok((holder, as_rights(rights)))
}

pub(crate) fn view_of(conn: &mut DbConnection, mailbox: MailboxRow, caller: Rights) -> Result<MailboxView, Error> {
    let mut members: Vec<MailboxMember> = accounts::mailbox_members(conn, &mailbox.id)?
        .into_iter()
        .map(|(account, is_owner, is_admin)| MailboxMember {
            status: account.status(),
            account_id: account.id,
            username: account.username,
            first_name: account.first_name,
            last_name: account.last_name,
            is_owner,
            is_admin,
        })
        .collect();
    members.sort_by(|a, b| b.is_owner.cmp(&a.is_owner).then_with(|| a.username.cmp(&b.username)));
    Ok(MailboxView {
        needs_owner: !members.iter().any(|m| m.is_owner),
        id: mailbox.id,
        address: mailbox.address,
        practice_name: mailbox.practice_name,
        ods_code: mailbox.ods_code,
        is_owner: caller.owner,
        is_admin: caller.admin,
        members,
    })
}

/// R-B1: the mailbox and everyone with access, for anyone with access.
pub async fn view(app: &App, caller: &Caller, mailbox_id: &str) -> Result<MailboxView, Error> {
    let (caller, mailbox_id) = (caller.clone(), mailbox_id.to_owned());
    app.run(move |conn, app| {
        let (_, rights) = holder_with_access(conn, app, &caller, &mailbox_id)?;
        let mailbox = mailboxes::mailbox(conn, &mailbox_id)?.ok_or_else(Error::not_found)?;
        view_of(conn, mailbox, rights)
    })
    .await
}

pub(crate) fn refusal(error: AccessError) -> Error {
    match error {
        AccessError::AdminRequired | AccessError::OwnerRequired => {
            use domain::Violation;
            Error::new(ErrorKind::Forbidden).with_code(error.code(), error.rule()).detail(error.to_string())
        }
        AccessError::NotLinked => Error::not_found().detail(error.to_string()),
        _ => Error::refused(&error),
    }
}

/// Audits a change of `target`'s rights and tells its holder by email.
pub(crate) fn tell(
    conn: &mut DbConnection,
    app: &App,
    by: &By,
    mailbox: &MailboxRow,
    target: &AccountRow,
    notice: Notice,
) -> Result<(), Error> {
    let now = app.now();
    let details = serde_json::json!({"account_id": target.id});
    record(conn, by, notice.action(), ("shared_mailbox", &mailbox.id), details, now)?;
    let facts = MailboxAccessFacts {
        first_name: target.first_name.as_deref().unwrap_or("NHSmail user"),
        mailbox_address: &mailbox.address,
        practice_name: &mailbox.practice_name,
        notice,
        support_contact: &app.settings().support_contact,
    };
    let to = target.email.as_deref().unwrap_or(&target.username);
    let about = About { kind: "account", id: &target.id };
    outbox::enqueue_email(conn, templates::MAILBOX_ACCESS_EMAIL, to, about, mailbox_access_email(&facts), false, now)?;
    Ok(())
}

/// Applies `changes` in order to `target` by the holder, under the mailbox's lock: each step
/// checked, stored, audited and told to the account holder concerned.
fn apply(
    conn: &mut DbConnection,
    app: &App,
    holder: &Holder,
    mailbox: &MailboxRow,
    target: &AccountRow,
    changes: &[Change],
) -> Result<Rights, Error> {
    let now = app.now();
    let mut actor = as_rights(mailboxes::rights(conn, &mailbox.id, &holder.account_id)?.ok_or_else(Error::not_found)?);
    let mut current = mailboxes::rights(conn, &mailbox.id, &target.id)?.map(as_rights);
    for change in changes {
        let owners = mailboxes::count_owners(conn, &mailbox.id)?;
        let after = decide(actor, current, *change, owners).map_err(refusal)?;
        let Some(notice) = Notice::between(current, after) else { continue };
        mailboxes::set_rights(conn, &mailbox.id, &target.id, after.map(|r| (r.owner, r.admin)), now)?;
        tell(conn, app, &holder.by(), mailbox, target, notice)?;
        if target.id == holder.account_id {
            actor = after.unwrap_or(Rights::ACCESS);
        }
        current = after;
    }
    Ok(actor)
}

/// R-B2: gives an account of this service access, with admin rights or not. Answers the mailbox
/// as it now is.
pub async fn link(
    app: &App,
    caller: &Caller,
    mailbox_id: &str,
    username: Option<String>,
    is_admin: Option<bool>,
) -> Result<MailboxView, Error> {
    let (caller, mailbox_id) = (caller.clone(), mailbox_id.to_owned());
    app.run(move |conn, app| {
        let (holder, _) = holder_with_access(conn, app, &caller, &mailbox_id)?;
        let username = username.map(|u| u.trim().to_lowercase()).filter(|u| !u.is_empty()).ok_or_else(|| {
            Error::validation(vec![FieldError::new(
                "/username",
                ProblemCode::Required,
                Some("R-B2"),
                "Give the username of the account to link.",
            )])
        })?;
        write_transaction(conn, |conn| {
            let mailbox = mailboxes::lock(conn, &mailbox_id)?;
            let target = accounts::account_by_username(conn, &username)?.ok_or_else(|| {
                Error::validation(vec![FieldError::new(
                    "/username",
                    ProblemCode::NotFound,
                    Some("R-B2"),
                    "No account of this service has this username. Staff whose NHSmail account was made \
                     elsewhere are linked by the helpdesk.",
                )])
            })?;
            let actor =
                apply(conn, app, &holder, &mailbox, &target, &[Change::Link { admin: is_admin.unwrap_or(false) }])?;
            view_of(conn, mailbox, actor)
        })
    })
    .await
}

/// R-B2, R-R2: grants or revokes admin rights, nominates an owner or takes owner rights away
/// (owner rights first, then admin rights, when both are asked for).
pub async fn change(
    app: &App,
    caller: &Caller,
    mailbox_id: &str,
    account_id: &str,
    asked: RightsChange,
) -> Result<MailboxView, Error> {
    if asked.is_admin.is_none() && asked.is_owner.is_none() {
        let detail = "Give is_admin, is_owner or both.";
        return Err(Error::validation(vec![FieldError::new("/is_admin", ProblemCode::Required, Some("R-B2"), detail)]));
    }
    let changes: Vec<Change> =
        asked.is_owner.map(Change::Owner).into_iter().chain(asked.is_admin.map(Change::Admin)).collect();
    change_member(app, caller, mailbox_id, account_id, changes).await
}

/// R-B2: takes an account's access away (an owner's only once their owner rights are gone).
pub async fn unlink(app: &App, caller: &Caller, mailbox_id: &str, account_id: &str) -> Result<(), Error> {
    change_member(app, caller, mailbox_id, account_id, vec![Change::Unlink]).await.map(|_| ())
}

/// Makes `changes` to the rights of the account `account_id` has now; answers the mailbox after.
async fn change_member(
    app: &App,
    caller: &Caller,
    mailbox_id: &str,
    account_id: &str,
    changes: Vec<Change>,
) -> Result<MailboxView, Error> {
    let (caller, mailbox_id, account_id) = (caller.clone(), mailbox_id.to_owned(), account_id.to_owned());
    app.run(move |conn, app| {
        let (holder, _) = holder_with_access(conn, app, &caller, &mailbox_id)?;
        write_transaction(conn, |conn| {
            let mailbox = mailboxes::lock(conn, &mailbox_id)?;
            let target = accounts::account(conn, &account_id)?.ok_or_else(Error::not_found)?;
            let actor = apply(conn, app, &holder, &mailbox, &target, &changes)?;
            view_of(conn, mailbox, actor)
        })
    })
    .await
}

/// R-L5: an owner or admin marks someone of the practice (with access or not) as a leaver; only
/// an owner marks an owner, themselves included. Answers the mailbox as it now is.
pub async fn mark_leaver(app: &App, caller: &Caller, mailbox_id: &str, account_id: &str) -> Result<MailboxView, Error> {
    let (caller, mailbox_id, account_id) = (caller.clone(), mailbox_id.to_owned(), account_id.to_owned());
    app.run(move |conn, app| {
        let (holder, _) = holder_with_access(conn, app, &caller, &mailbox_id)?;
        write_transaction(conn, |conn| {
            let mailbox = mailboxes::lock(conn, &mailbox_id)?;
            let actor = mailboxes::rights(conn, &mailbox.id, &holder.account_id)?.map(as_rights);
            let target = accounts::account(conn, &account_id)?.ok_or_else(Error::not_found)?;
            let rights = mailboxes::rights(conn, &mailbox.id, &target.id)?.map(as_rights);
            if !super::leavers::of_practice(rights.is_some(), &target, &mailbox) {
                return Err(Error::not_found());
            }
            may_mark_leaver(actor.ok_or_else(Error::not_found)?, rights).map_err(refusal)?;
            super::leavers::mark(conn, app, &holder.by(), &target, app.now())?;
            let actor = mailboxes::rights(conn, &mailbox.id, &holder.account_id)?.map_or(Rights::ACCESS, as_rights);
            view_of(conn, mailbox, actor)
        })
    })
    .await
}

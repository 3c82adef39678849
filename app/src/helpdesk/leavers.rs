//! The helpdesk's side of leavers (R-L5): marking any account a leaver, and changing a shared
//! mailbox's owners (assigning one when the only owner left, or replacing one).

use super::as_admin;
use crate::accounts::mailboxes::{MailboxView, tell, view_of};
use crate::{App, Caller, Error, FieldError};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use domain::mailbox_access::{AccessError, MAX_OWNERS, Notice, Rights};
use persistence::accounts;
use persistence::{mailboxes, write_transaction};

/// An account marked as a leaver, and when it will be deleted unless taken on.
#[derive(Debug, Clone)]
pub struct Leaver {
    pub id: String,
    pub username: String,
    pub leaver_since: DateTime<Utc>,
    pub deleted_after: DateTime<Utc>,
}

/// Marks an account a leaver (R-L5); safe to repeat (the first marking stands).
pub async fn mark(app: &App, caller: &Caller, id: &str) -> Result<Leaver, Error> {
    let id = id.to_owned();
    as_admin(app, caller, move |conn, app, admin| {
        let now = app.now();
        write_transaction(conn, |conn| {
            let account = accounts::account(conn, &id)?.ok_or_else(Error::not_found)?;
            crate::accounts::leavers::mark(conn, app, &admin.by(), &account, now)?;
            let marked = accounts::account(conn, &id)?.ok_or_else(Error::not_found)?;
            let since = marked.leaver_since.map_or(now, persistence::time::from_db);
            Ok(Leaver {
                id: marked.id,
                username: marked.username,
                leaver_since: since,
                deleted_after: since + app.settings().accounts.leaver_grace,
            })
        })
    })
    .await
}

/// Makes a member of the practice an owner of its shared mailbox (R-L5: when its only owner
/// left; R-R2: at most two owners). The account must not be a leaver, and must have access or
/// have come from the practice's application.
pub async fn assign_owner(
    app: &App,
    caller: &Caller,
    mailbox_id: &str,
    account_id: Option<String>,
) -> Result<MailboxView, Error> {
    let mailbox_id = mailbox_id.to_owned();
    as_admin(app, caller, move |conn, app, admin| {
        let account_id = account_id.filter(|id| !id.trim().is_empty()).ok_or_else(|| {
            let detail = "Give the account id of the practice member to make owner.";
            Error::validation(vec![FieldError::new("/account_id", ProblemCode::Required, Some("R-L5"), detail)])
        })?;
        write_transaction(conn, |conn| {
            let mailbox = mailboxes::lock(conn, &mailbox_id)?;
            let not_a_member = || {
                let detail = "This account is not a member of the practice (or is a leaver).";
                Error::validation(vec![FieldError::new("/account_id", ProblemCode::NotFound, Some("R-L5"), detail)])
            };
            let target = accounts::account(conn, &account_id)?.ok_or_else(not_a_member)?;
            let rights = mailboxes::rights(conn, &mailbox.id, &target.id)?;
            let of_practice = crate::accounts::leavers::of_practice(rights.is_some(), &target, &mailbox);
            if !of_practice || target.leaver_since.is_some() {
                return Err(not_a_member());
            }
            if rights.is_some_and(|(owner, _)| owner) {
                return view_of(conn, mailbox, Rights { owner: false, admin: false });
            }
            if mailboxes::count_owners(conn, &mailbox.id)? >= MAX_OWNERS {
                return Err(Error::refused(&AccessError::TooManyOwners));
            }
            mailboxes::set_rights(conn, &mailbox.id, &target.id, Some((true, true)), app.now())?;
            tell(conn, app, &admin.by(), &mailbox, &target, Notice::OwnerNominated)?;
            view_of(conn, mailbox, Rights { owner: false, admin: false })
        })
    })
    .await
}

/// Takes owner rights away from an account (it keeps access and admin rights), to change a
/// practice's owner together with [`assign_owner`]; never from the last owner (R-R2). Safe to
/// repeat.
pub async fn remove_owner(
    app: &App,
    caller: &Caller,
    mailbox_id: &str,
    account_id: &str,
) -> Result<MailboxView, Error> {
    let (mailbox_id, account_id) = (mailbox_id.to_owned(), account_id.to_owned());
    as_admin(app, caller, move |conn, app, admin| {
        write_transaction(conn, |conn| {
            let mailbox = mailboxes::lock(conn, &mailbox_id)?;
            let target = accounts::account(conn, &account_id)?.ok_or_else(Error::not_found)?;
            let rights = mailboxes::rights(conn, &mailbox.id, &target.id)?.ok_or_else(Error::not_found)?;
            if rights.0 {
                if mailboxes::count_owners(conn, &mailbox.id)? <= 1 {
                    return Err(Error::refused(&AccessError::LastOwner));
                }
                mailboxes::set_rights(conn, &mailbox.id, &target.id, Some((false, true)), app.now())?;
                tell(conn, app, &admin.by(), &mailbox, &target, Notice::OwnerRemoved)?;
            }
            view_of(conn, mailbox, Rights { owner: false, admin: false })
        })
    })
    .await
}

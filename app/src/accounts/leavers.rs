//! Leavers (R-L5): the helpdesk, or an owner or admin of the practice's shared mailbox, marks an
//! account as having left. Its sessions end at once, it loses its access (and any owner or admin
//! rights) to every shared mailbox, its holder is told, and the hourly account job deletes and
//! erases it LEAVER_GRACE_DAYS later unless another practice takes it on first. A practice whose
//! only owner leaves shows that it needs an owner until the helpdesk assigns one.

use crate::audit::{self, By};
use crate::outbox::{self, About, templates};
use crate::{App, Error};
use chrono::{DateTime, Utc};
use domain::messages::{LeaverFacts, leaver_email};
use persistence::accounts::{AccountRow, MailboxRow};
use persistence::{DbConnection, account_life, admins, leavers};

/// Marks `account` a leaver inside the caller's transaction; `false` when it was one already
/// (nothing is done twice).
pub(crate) fn mark(
    conn: &mut DbConnection,
    app: &App,
    by: &By,
    account: &AccountRow,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    if !leavers::mark(conn, &account.id, now)? {
        return Ok(false);
    }
    let ended = admins::revoke_all(conn, "account", &account.id, now)?;
    let details = serde_json::json!({"sessions_ended": ended});
    audit::record(conn, by, "account.marked_leaver", ("account", &account.id), details, now)?;
    let practice = account_life::practice_mailbox(conn, account)?.map(|m| m.practice_name);
    let settings = app.settings();
    let facts = LeaverFacts {
        first_name: account.first_name.as_deref().unwrap_or("NHSmail user"),
        username: &account.username,
        practice_name: practice.as_deref().unwrap_or("your practice"),
        deleted_on: (now + settings.accounts.leaver_grace).date_naive(),
        support_contact: &settings.support_contact,
    };
    let to = account.email.as_deref().unwrap_or(&account.username);
    let about = About { kind: "account", id: &account.id };
    outbox::enqueue_email(conn, templates::LEAVER_EMAIL, to, about, leaver_email(&facts), false, now)?;
    Ok(true)
}

/// Whether `account` is someone of the mailbox's practice: with access to it (`has_access`), or
/// made from the application that created it.
pub(crate) fn of_practice(has_access: bool, account: &AccountRow, mailbox: &MailboxRow) -> bool {
    has_access || account.application_id.as_deref() == Some(mailbox.application_id.as_str())
}

/// Leavers whose grace period has ended, for the hourly account job to delete.
pub(crate) fn due(
    conn: &mut DbConnection,
    app: &App,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<AccountRow>, Error> {
    Ok(leavers::due(conn, now - app.settings().accounts.leaver_grace, limit)?)
}

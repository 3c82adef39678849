//! Inactivity and deletion (R-L4), as the `account_inactivity` job: accounts unused for the
//! period are warned, then made inactive (their sessions end); inactive ones are warned, then
//! deleted and erased. The same job deletes and erases leavers whose grace period has ended
//! (R-L5, see [`super::leavers`]). Each step is taken once per account by a conditional update,
//! so a run interrupted half way, or repeated, does nothing twice. Shared mailboxes are never
//! touched.

use crate::audit::{self, Actor, By, Origin};
use crate::outbox::{self, About, templates};
use crate::{App, Error};
use chrono::{DateTime, Utc};
use domain::messages::{self, InactivityFacts};
use persistence::accounts::AccountRow;
use persistence::time::from_db;
use persistence::{DbConnection, admins, inactivity, write_transaction};

/// Accounts dealt with per step per run; the next run takes the rest.
const BATCH: i64 = 200;

fn system() -> By {
    By::new(Actor { kind: "system", id: Some("account_inactivity".to_owned()) }, Origin::default())
}

/// Where the notices go: the contact email given at registration, or else the NHSmail address.
fn address(account: &AccountRow) -> &str {
    account.email.as_deref().unwrap_or(&account.username)
}

/// The notices of R-L4, each with its template and wording.
#[derive(Debug, Clone, Copy)]
enum Notice {
    InactivityWarning,
    Inactive,
    DeletionWarning,
}

impl Notice {
    fn template(self) -> &'static str {
        match self {
            Self::InactivityWarning => templates::INACTIVITY_WARNING_EMAIL,
            Self::Inactive => templates::ACCOUNT_INACTIVE_EMAIL,
            Self::DeletionWarning => templates::DELETION_WARNING_EMAIL,
        }
    }

    fn email(self, facts: &InactivityFacts<'_>) -> messages::EmailMessage {
        match self {
            Self::InactivityWarning => messages::inactivity_warning_email(facts),
            Self::Inactive => messages::account_inactive_email(facts),
            Self::DeletionWarning => messages::deletion_warning_email(facts),
        }
    }
}

fn notify(
    conn: &mut DbConnection,
    app: &App,
    account: &AccountRow,
    notice: Notice,
    on: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let settings = app.settings();
    let facts = InactivityFacts {
        first_name: account.first_name.as_deref().unwrap_or("NHSmail user"),
        username: &account.username,
        on: on.date_naive(),
        portal_url: &settings.portal_url,
        support_contact: &settings.support_contact,
    };
    let about = About { kind: "account", id: &account.id };
    outbox::enqueue_email(conn, notice.template(), address(account), about, notice.email(&facts), false, now)?;
    Ok(())
}

/// One run of the job: every step due now, for up to [`BATCH`] accounts each. Returns how many
/// accounts a step was taken for.
pub async fn run(app: &App) -> Result<usize, Error> {
    let app = app.clone();
    app.clone()
        .run(move |conn, _| {
            let now = app.now();
            let policy = app.settings().accounts.inactivity;
            let mut done = 0;
            for account in inactivity::unused_since(conn, policy.warn_if_unused_since(now), true, BATCH)? {
                let inactive_on = policy.inactive_on(account.last_used_at.map_or(now, from_db));
                done += usize::from(write_transaction(conn, |conn| {
                    let first = inactivity::mark_inactivity_warned(conn, &account.id, now)?;
                    if first {
                        notify(conn, &app, &account, Notice::InactivityWarning, inactive_on, now)?;
                    }
                    Ok::<_, Error>(first)
                })?);
            }
            for account in inactivity::unused_since(conn, policy.inactive_if_unused_since(now), false, BATCH)? {
                done += usize::from(write_transaction(conn, |conn| {
                    let first = inactivity::make_inactive(conn, &account.id, now)?;
                    if first {
                        let ended = admins::revoke_all(conn, "account", &account.id, now)?;
                        notify(conn, &app, &account, Notice::Inactive, policy.deleted_on(now), now)?;
                        let details = serde_json::json!({"sessions_ended": ended});
                        audit::record(
                            conn,
                            &system(),
                            "account.made_inactive",
                            ("account", &account.id),
                            details,
                            now,
                        )?;
                    }
                    Ok::<_, Error>(first)
                })?);
            }
            for account in
                inactivity::inactive_since(conn, policy.warn_of_deletion_if_inactive_since(now), true, BATCH)?
            {
                let deleted_on = policy.deleted_on(account.inactive_since.map_or(now, from_db));
                done += usize::from(write_transaction(conn, |conn| {
                    let first = inactivity::mark_deletion_warned(conn, &account.id, now)?;
                    if first {
                        notify(conn, &app, &account, Notice::DeletionWarning, deleted_on, now)?;
                    }
                    Ok::<_, Error>(first)
                })?);
            }
            let mut deleted = 0;
            let leavers = super::leavers::due(conn, &app, now, BATCH)?;
            for account in leavers {
                write_transaction(conn, |conn| {
                    erase(conn, &app, &account, now)?;
                    let why = serde_json::json!({"reason": "leaver"});
                    audit::record(conn, &system(), "account.deleted", ("account", &account.id), why, now)
                })?;
                deleted += 1;
            }
            for account in inactivity::inactive_since(conn, policy.delete_if_inactive_since(now), false, BATCH)? {
                write_transaction(conn, |conn| {
                    erase(conn, &app, &account, now)?;
                    let none = serde_json::json!({});
                    audit::record(conn, &system(), "account.deleted", ("account", &account.id), none, now)
                })?;
                deleted += 1;
            }
            if deleted > 0 {
                inactivity::flush_erasures(conn)?;
            }
            Ok(done + deleted)
        })
        .await
}

/// Deletes an account and erases what names its holder (R-L4); the username is retired for
/// good (R-A2). Run inside a write transaction.
pub(crate) fn erase(conn: &mut DbConnection, app: &App, account: &AccountRow, now: DateTime<Utc>) -> Result<(), Error> {
    inactivity::erase(conn, account, &app.hasher().retired_username(&account.username), now)?;
    Ok(())
}

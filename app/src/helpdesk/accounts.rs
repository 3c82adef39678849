//! Helpdesk work on accounts: a password reset after the practice's shared mailbox owner has
//! confirmed the person and their mobile (R-L7), and disabling or re-enabling an account (every
//! session ends on disabling).

use super::{Admin, as_admin};
use crate::accounts::{normalise_username, progress};
use crate::audit;
use crate::outbox::{self, About, templates};
use crate::secrets::new_temporary_password;
use crate::{App, Caller, Error, FieldError, Validator};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use domain::account::AccountStatus;
use domain::contact::UkMobile;
use domain::messages;
use persistence::accounts::{self, AccountRow};
use persistence::{DbConnection, account_life, admins, write_transaction};

/// Where a temporary password went.
#[derive(Debug, Clone)]
pub struct ResetSent {
    /// For people: the last digits of the registered mobile.
    pub sent_to: String,
}

/// An account's status after a helpdesk change.
#[derive(Debug, Clone)]
pub struct AccountStatusChange {
    pub id: String,
    pub username: String,
    pub status: AccountStatus,
}

fn record(
    conn: &mut DbConnection,
    admin: &Admin,
    action: &str,
    account_id: &str,
    details: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    audit::record(conn, &admin.by(), action, ("account", account_id), details, now)
}

/// Is `owner` an owner of the shared mailbox of `account`'s practice?
fn confirms(conn: &mut DbConnection, account: &AccountRow, owner: &AccountRow) -> Result<bool, Error> {
    let Some(mailbox) = account_life::practice_mailbox(conn, account)? else { return Ok(false) };
    Ok(accounts::mailbox_members(conn, &mailbox.id)?
        .iter()
        .any(|(member, is_owner, _)| *is_owner && member.id == owner.id))
}

/// Finds the account and checks the owner's confirmation: every mismatch at once.
fn check_confirmation(
    conn: &mut DbConnection,
    id: &str,
    owner_name: &str,
    mobile: &UkMobile,
) -> Result<(AccountRow, String), Error> {
    let account = accounts::account(conn, id)?.ok_or_else(Error::not_found)?;
    let owner = accounts::account_by_username(conn, owner_name)?;
    let confirmed = match &owner {
        Some(owner) => confirms(conn, &account, owner)?,
        None => false,
    };
    let mut errors = Vec::new();
    if !confirmed {
        let detail = "This is not an owner of the shared mailbox of the account's practice.";
        errors.push(FieldError::new("/confirmed_by_owner", ProblemCode::NotAnOwner, Some("R-L7"), detail));
    }
    if account.mobile.as_deref() != Some(mobile.as_str()) {
        let detail = "This is not the mobile number registered for the account.";
        errors.push(FieldError::new("/confirmed_mobile", ProblemCode::MobileDoesNotMatch, Some("R-L7"), detail));
    }
    if !errors.is_empty() {
        return Err(Error::validation(errors));
    }
    Ok((account, owner.map(|o| o.id).unwrap_or_default()))
}

/// Resets a password for someone who cannot use self-service (R-L7), once the shared mailbox
/// owner has confirmed the person and their mobile. A new temporary password goes by text
/// message to the registered mobile; the helpdesk never sees it. Every session ends.
pub async fn reset_password(
    app: &App,
    caller: &Caller,
    id: &str,
    confirmed_by_owner: Option<&str>,
    confirmed_mobile: Option<&str>,
) -> Result<ResetSent, Error> {
    let mut v = Validator::new();
    let domain = app.settings().mail_domain.as_str();
    let owner_name = confirmed_by_owner.map(str::trim).filter(|o| !o.is_empty()).map(|o| normalise_username(o, domain));
    if owner_name.is_none() {
        let detail = "Name the shared mailbox owner who confirmed the person.";
        v.push(FieldError::new("/confirmed_by_owner", ProblemCode::Required, Some("R-L7"), detail));
    }
    let mobile = v.check("/confirmed_mobile", UkMobile::parse(confirmed_mobile.unwrap_or_default()));
    let checked = v.finish(|| Some((owner_name?, mobile?)));
    let id = id.to_owned();
    let (admin, account, owner_id, mobile) = as_admin(app, caller, move |conn, _, admin| {
        let (owner_name, mobile) = checked?;
        let (account, owner_id) = check_confirmation(conn, &id, &owner_name, &mobile)?;
        Ok((admin.clone(), account, owner_id, mobile))
    })
    .await?;
    // Hashed between the checks and the change, so the transaction stays short.
    let temporary = new_temporary_password()?;
    let hash = app.passwords().hash(temporary.expose_secret().to_owned()).await?;
    app.run(move |conn, app| {
        let now = app.now();
        let valid_until = now + app.settings().temporary_password_lifetime;
        write_transaction(conn, |conn| {
            account_life::set_password(conn, &account, &hash, true, valid_until, now)?;
            admins::revoke_all(conn, "account", &account.id, now)?;
            let last_day = (valid_until - chrono::Duration::seconds(1)).date_naive();
            let sms = messages::temporary_password_sms(temporary.expose_secret(), last_day);
            let about = About { kind: "account", id: &account.id };
            outbox::enqueue_sms(conn, templates::TEMPORARY_PASSWORD_SMS, mobile.as_str(), about, sms, true, now)?;
            let details = serde_json::json!({"confirmed_by_owner": owner_id, "mobile_confirmed": true});
            record(conn, &admin, "account.password_reset_by_helpdesk", &account.id, details, now)
        })?;
        Ok(ResetSent { sent_to: format!("the registered mobile ending {}", mobile.last_digits()) })
    })
    .await
}

/// Disables an account: no more sign-in, and every session ends at once. The reason is audited.
pub async fn disable(app: &App, caller: &Caller, id: &str, reason: Option<&str>) -> Result<AccountStatusChange, Error> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned).ok_or_else(|| {
        let detail = "Say why the account is disabled.";
        Error::validation(vec![FieldError::new("/reason", ProblemCode::Required, None, detail)])
    });
    let id = id.to_owned();
    as_admin(app, caller, move |conn, app, admin| {
        let reason = reason?;
        let now = app.now();
        write_transaction(conn, |conn| {
            let account = accounts::account(conn, &id)?.ok_or_else(Error::not_found)?;
            account_life::set_status(conn, &account.id, AccountStatus::Disabled, Some(&reason), now)?;
            let ended = admins::revoke_all(conn, "account", &account.id, now)?;
            let details = serde_json::json!({"reason": reason, "sessions_ended": ended});
            record(conn, admin, "account.disabled", &account.id, details, now)?;
            Ok(AccountStatusChange { id: account.id, username: account.username, status: AccountStatus::Disabled })
        })
    })
    .await
}

/// Enables a disabled account again, or reactivates an inactive one (R-L4: its idle period starts
/// again and no deletion is pending): active if it had been activated, otherwise pending. Any
/// other account is left as it is, and its status is the answer.
pub async fn enable(app: &App, caller: &Caller, id: &str) -> Result<AccountStatusChange, Error> {
    let id = id.to_owned();
    as_admin(app, caller, move |conn, app, admin| {
        let now = app.now();
        write_transaction(conn, |conn| {
            let account = accounts::account(conn, &id)?.ok_or_else(Error::not_found)?;
            let next = AccountStatus::on_enabling(&progress(&account));
            match account.status() {
                AccountStatus::Disabled => {
                    account_life::set_status(conn, &account.id, next, None, now)?;
                    record(
                        conn,
                        admin,
                        "account.enabled",
                        &account.id,
                        serde_json::json!({"status": next.code()}),
                        now,
                    )?;
                }
                AccountStatus::Inactive => {
                    persistence::inactivity::reactivate(conn, &account.id, next, now)?;
                    let details = serde_json::json!({"status": next.code()});
                    record(conn, admin, "account.reactivated", &account.id, details, now)?;
                }
                status => return Ok(AccountStatusChange { id: account.id, username: account.username, status }),
            }
            Ok(AccountStatusChange { id: account.id, username: account.username, status: next })
        })
    })
    .await
}

/// R-L8: lifts the sign-in lock of an account after repeated failures (the hourly cap on failures
/// still holds). Safe to repeat.
pub async fn unlock(app: &App, caller: &Caller, id: &str) -> Result<AccountStatusChange, Error> {
    let id = id.to_owned();
    as_admin(app, caller, move |conn, app, admin| {
        let now = app.now();
        write_transaction(conn, |conn| {
            let account = accounts::account(conn, &id)?.ok_or_else(Error::not_found)?;
            let scope = <AccountRow as crate::sign_in::Principal>::LIMIT_SCOPE;
            let subject = app.hasher().subject(scope, &account.username);
            crate::limits::unlock_sign_in(conn, scope, &subject, now)?;
            record(conn, admin, "account.unlocked", &account.id, serde_json::json!({}), now)?;
            Ok(AccountStatusChange { status: account.status(), id: account.id, username: account.username })
        })
    })
    .await
}

/// R-A3: a new temporary password for an account not yet activated (its old one expired or was
/// lost), by text message to the registered mobile; the helpdesk never sees it. An activated
/// account's password is reset with the owner's confirmation instead (R-L7).
pub async fn reissue_temporary_password(app: &App, caller: &Caller, id: &str) -> Result<ResetSent, Error> {
    let found = id.to_owned();
    let account = as_admin(app, caller, move |conn, _, _| {
        let account = accounts::account(conn, &found)?.ok_or_else(Error::not_found)?;
        if account.status() != AccountStatus::PendingActivation {
            let detail = "The account is activated: reset its password with the owner's confirmation (R-L7).";
            return Err(Error::new(crate::ErrorKind::Conflict)
                .with_code(ProblemCode::AlreadyActivated, Some("R-A3"))
                .detail(detail));
        }
        Ok(account)
    })
    .await?;
    let temporary = new_temporary_password()?;
    let hash = app.passwords().hash(temporary.expose_secret().to_owned()).await?;
    let id = id.to_owned();
    as_admin(app, caller, move |conn, app, admin| {
        let now = app.now();
        let valid_until = now + app.settings().temporary_password_lifetime;
        let mobile = account.mobile.clone().ok_or_else(|| Error::internal("an account without a mobile"))?;
        write_transaction(conn, |conn| {
            account_life::set_password(conn, &account, &hash, true, valid_until, now)?;
            admins::revoke_all(conn, "account", &id, now)?;
            let last_day = (valid_until - chrono::Duration::seconds(1)).date_naive();
            let sms = messages::temporary_password_sms(temporary.expose_secret(), last_day);
            let about = About { kind: "account", id: &id };
            outbox::enqueue_sms(conn, templates::TEMPORARY_PASSWORD_SMS, &mobile, about, sms, true, now)?;
            record(conn, admin, "account.temporary_password_reissued", &id, serde_json::json!({}), now)
        })?;
        let digits = UkMobile::parse(&mobile).map(|m| m.last_digits().to_owned()).unwrap_or_default();
        Ok(ResetSent { sent_to: format!("the registered mobile ending {digits}") })
    })
    .await
}

//! The signed-in holder's own profile, with the practices and shared mailboxes they belong to.

use super::{authenticate, load_account};
use crate::{App, Caller, Error};
use chrono::{DateTime, Utc};
use domain::account::{AccountStatus, SessionScope};
use domain::member::{Role, Title};
use persistence::account_life;
use persistence::time::from_db;

/// A practice the holder belongs to, with their rights over its shared mailbox.
#[derive(Debug, Clone)]
pub struct Membership {
    /// The shared mailbox's id (`GET /v1/account/mailboxes/{id}` with access).
    pub shared_mailbox_id: String,
    pub practice_name: String,
    pub ods_code: String,
    pub shared_mailbox_address: String,
    pub is_owner: bool,
    pub is_mailbox_admin: bool,
    pub has_shared_mailbox_access: bool,
}

/// The holder's own account.
#[derive(Debug, Clone)]
pub struct Profile {
    pub id: String,
    pub username: String,
    pub status: AccountStatus,
    pub title: Option<Title>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub mobile_visible: bool,
    pub role: Option<Role>,
    /// When the password must be changed by (R-L3).
    pub password_expires_at: Option<DateTime<Utc>>,
    pub practices: Vec<Membership>,
}

/// The caller's profile (full sessions only).
pub async fn me(app: &App, caller: &Caller) -> Result<Profile, Error> {
    let caller = caller.clone();
    app.run(move |conn, app| {
        let holder = authenticate(conn, app, &caller)?;
        holder.require(&[SessionScope::Full])?;
        let account = load_account(conn, &holder.account_id)?;
        let rights = account_life::memberships(conn, &account.id)?;
        let mut practices: Vec<Membership> = rights
            .iter()
            .map(|(m, owner, admin)| Membership {
                shared_mailbox_id: m.id.clone(),
                practice_name: m.practice_name.clone(),
                ods_code: m.ods_code.clone(),
                shared_mailbox_address: m.address.clone(),
                is_owner: *owner,
                is_mailbox_admin: *admin,
                has_shared_mailbox_access: true,
            })
            .collect();
        if let Some(m) = account_life::practice_mailbox(conn, &account)? {
            if !rights.iter().any(|(r, _, _)| r.id == m.id) {
                practices.push(Membership {
                    shared_mailbox_id: m.id,
                    practice_name: m.practice_name,
                    ods_code: m.ods_code,
                    shared_mailbox_address: m.address,
                    is_owner: false,
                    is_mailbox_admin: false,
                    has_shared_mailbox_access: false,
                });
            }
        }
        Ok(Profile {
            status: account.status(),
            title: account.title.as_deref().and_then(|t| Title::parse(t).ok()),
            role: account.role.as_deref().and_then(|r| Role::parse(r).ok()),
            password_expires_at: account.password_expires_at.map(from_db),
            id: account.id,
            username: account.username,
            first_name: account.first_name,
            last_name: account.last_name,
            email: account.email,
            mobile: account.mobile,
            mobile_visible: account.mobile_visible,
            practices,
        })
    })
    .await
}

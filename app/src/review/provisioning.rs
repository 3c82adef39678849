//! Creating a practice's accounts (R-A1–R-A4), as an approval and an approved joiner do: a
//! fixed number of statements however many members there are (one per kind of row written, and
//! one update per reserved mobile), so that an approval costs little beyond hashing the
//! temporary passwords.

use crate::audit::{self, By};
use crate::outbox::{self, About, Payload, templates};
use crate::{App, Error};
use chrono::{DateTime, NaiveDate, Utc};
use domain::mailbox::MailDomain;
use domain::member::MemberDetails;
use domain::messages::{self, AccountFacts};
use domain::password::TemporaryPassword;
use domain::username::Username;
use persistence::DbConnection;
use persistence::accounts::{self, NewAccount, NewMembership};
use std::collections::HashSet;

/// Where a new account belongs: the application it came from and its practice's shared mailbox.
pub(crate) struct Home<'a> {
    pub application_id: &'a str,
    pub mailbox_id: &'a str,
    pub practice_name: &'a str,
}

/// One account to create: the member, their rights on the mailbox (`(owner, admin)`, `None` for
/// no access) and their temporary password with its hash, made beforehand.
pub(crate) struct NewMember<'a> {
    pub details: &'a MemberDetails,
    pub rights: Option<(bool, bool)>,
    pub credential: &'a (TemporaryPassword, String),
}

/// Creates one member's account inside the caller's transaction; see [`create_accounts`].
pub(crate) fn create_account(
    conn: &mut DbConnection,
    app: &App,
    member: NewMember<'_>,
    home: &Home<'_>,
    by: &By,
) -> Result<(String, String), Error> {
    create_accounts(conn, app, &[member], home, by)?.pop().ok_or_else(|| Error::internal("no account was created"))
}

/// Creates the members' accounts inside the caller's transaction (R-A1–R-A4): usernames by
/// R-A2, the temporary passwords already hashed, the mailbox rights, each reserved mobile moved
/// to its account, and each member's username email and temporary password text queued.
/// Returns each account's id and username, in the members' order.
pub(crate) fn create_accounts(
    conn: &mut DbConnection,
    app: &App,
    members: &[NewMember<'_>],
    home: &Home<'_>,
    by: &By,
) -> Result<Vec<(String, String)>, Error> {
    let (now, config) = (app.now(), app.settings());
    let valid_until = now + config.temporary_password_lifetime;
    let last_day: NaiveDate = (valid_until - chrono::Duration::seconds(1)).date_naive();
    let ids: Vec<String> = members.iter().map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let new_accounts: Vec<NewAccount<'_>> = members
        .iter()
        .zip(&ids)
        .map(|(member, id)| NewAccount {
            id,
            title: member.details.title.map(|t| t.as_str()),
            first_name: member.details.first_name.as_str(),
            last_name: member.details.last_name.as_str(),
            email: member.details.email.as_str(),
            mobile: member.details.mobile.as_str(),
            role: member.details.role.code(),
            temporary_password_hash: &member.credential.1,
            temporary_password_expires_at: valid_until,
            application_id: Some(home.application_id),
        })
        .collect();
    let usernames = issue_usernames(conn, members, &new_accounts, &config.mail_domain, app.hasher(), now)?;
    let memberships: Vec<NewMembership<'_>> = members
        .iter()
        .zip(&ids)
        .filter_map(|(member, account_id)| {
            member.rights.map(|(is_owner, is_admin)| NewMembership {
                mailbox_id: home.mailbox_id,
                account_id,
                is_owner,
                is_admin,
            })
        })
        .collect();
    accounts::add_memberships(conn, &memberships, now)?;
    for (member, account_id) in members.iter().zip(&ids) {
        accounts::transfer_mobile_reservation(conn, member.details.mobile.as_str(), account_id)?;
    }
    let mut payloads = Vec::with_capacity(members.len() * 2);
    for (member, username) in members.iter().zip(&usernames) {
        let facts = AccountFacts {
            first_name: member.details.first_name.as_str(),
            username,
            practice_name: home.practice_name,
            portal_url: &config.portal_url,
            support_contact: &config.support_contact,
        };
        let email = messages::username_email(&facts);
        payloads.push(Payload::Email { subject: email.subject, body: email.body });
        let sms = messages::temporary_password_sms(member.credential.0.expose_secret(), last_day);
        payloads.push(Payload::Sms { body: sms.body });
    }
    let queued = members
        .iter()
        .zip(&ids)
        .flat_map(|(member, id)| {
            let about = About { kind: "account", id };
            [
                (templates::USERNAME_EMAIL, member.details.email.as_str(), about, false),
                (templates::TEMPORARY_PASSWORD_SMS, member.details.mobile.as_str(), about, true),
            ]
        })
        .zip(&payloads)
        .map(|((template, to, about, secret), payload)| outbox::new_message(template, to, about, payload, secret))
        .collect::<Result<Vec<_>, _>>()?;
    outbox::enqueue_all(conn, &queued, now)?;
    let created = ids
        .iter()
        .map(|id| (("account", id.as_str()), serde_json::json!({"application_id": home.application_id})))
        .collect();
    audit::record_each(conn, by, "account.created", created, now)?;
    Ok(ids.into_iter().zip(usernames).collect())
}

/// R-A2: each account gets `first.last@<domain>`, or the next free numbered form, never one an
/// earlier member of the same batch got nor one of a deleted account (kept only as keyed
/// hashes). One query finds every username issued with the members' bases, one more which
/// choices were retired (repeated only when some were); the accounts are inserted together.
/// Another approval taking a chosen username in between only means choosing again.
fn issue_usernames(
    conn: &mut DbConnection,
    members: &[NewMember<'_>],
    new_accounts: &[NewAccount<'_>],
    domain: &MailDomain,
    hasher: &crate::secrets::Hasher,
    now: DateTime<Utc>,
) -> Result<Vec<String>, Error> {
    let mut bases: Vec<String> =
        members.iter().map(|m| Username::base(&m.details.first_name, &m.details.last_name)).collect();
    bases.sort();
    bases.dedup();
    let bases: Vec<&str> = bases.iter().map(String::as_str).collect();
    for _ in 0..3 {
        let taken: HashSet<String> = accounts::usernames_starting(conn, &bases)?.into_iter().collect();
        let mut retired: HashSet<String> = HashSet::new();
        let chosen = loop {
            let mut chosen: Vec<String> = Vec::with_capacity(members.len());
            for member in members {
                let username =
                    Username::first_available(&member.details.first_name, &member.details.last_name, domain, |u| {
                        let u = u.as_str();
                        taken.contains(u) || retired.contains(u) || chosen.iter().any(|c| c == u)
                    });
                chosen.push(username.as_str().to_owned());
            }
            let hashes: Vec<String> = chosen.iter().map(|u| hasher.retired_username(u)).collect();
            let found: HashSet<String> = persistence::inactivity::retired_among(conn, &hashes)?.into_iter().collect();
            if found.is_empty() {
                break chosen;
            }
            // Each round rules out at least one more retired username, so this ends.
            retired.extend(chosen.iter().zip(&hashes).filter(|(_, h)| found.contains(*h)).map(|(u, _)| u.clone()));
        };
        let rows: Vec<(NewAccount<'_>, &str)> =
            new_accounts.iter().cloned().zip(chosen.iter().map(String::as_str)).collect();
        match accounts::insert_accounts(conn, &rows, now) {
            Ok(()) => return Ok(chosen),
            Err(persistence::StoreError::Conflict(domain::conflict::Conflict::UsernameTaken)) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(Error::unavailable("usernames kept being taken while approving; try again"))
}

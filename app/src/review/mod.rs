//! Review and provisioning (R-V1, R-A1–R-A4).
//!
//! On submission the IG status of record is checked (R-V1): a failing practice is rejected
//! with that reason, a satisfactory one is approved at once when AUTO_APPROVE is on, and the
//! rest wait for the helpdesk. Approval creates, in one transaction, the shared mailbox, one
//! account per member with a username by R-A2 and a temporary password, the mailbox rights the
//! roster gave, and the messages telling each member (R-A4). The temporary passwords are
//! hashed before the transaction, on the bounded hashing pool, so the transaction stays short
//! and a batch of approvals cannot starve the request workers.

pub mod queue;

pub(crate) use crate::helpdesk::as_admin;
pub use queue::{Filter, Page, Reviewed, Summary};

use crate::application::{Context, member_from_row};
use crate::audit::{self, By};
use crate::outbox::{self, About, templates};
use crate::secrets::new_temporary_password;
use crate::{App, Caller, Error, ErrorKind, FieldError};
use chrono::NaiveDate;
use domain::ProblemCode;
use domain::ig_status::{DsptStatus, IgAssessment, IgStatus};
use domain::journey::ApplicationStatus;
use domain::messages::{self, AccountFacts, RejectionFacts};
use domain::password::TemporaryPassword;
use domain::review::{self, RejectionReason, ReviewOutcome};
use domain::username::Username;
use persistence::accounts::{self, NewAccount};
use persistence::applications;
use persistence::reference::PracticeRow;
use persistence::write_transaction;

/// The IG status the register holds for a practice (R-E2).
pub fn ig_of_record(practice: &PracticeRow) -> IgStatus {
    let assessment = match (practice.record.ig_assessment.as_str(), practice.record.ig_value.as_deref()) {
        ("igt", Some(level)) => level.parse().map_or(IgAssessment::None, |level| IgAssessment::IgToolkit { level }),
        ("dspt", Some(status)) => {
            DsptStatus::parse(status).map_or(IgAssessment::None, |status| IgAssessment::Dspt { status })
        }
        _ => IgAssessment::None,
    };
    IgStatus { assessment, assessed_on: practice.record.ig_assessed_on }
}

fn not_submitted(status: &str) -> Error {
    Error::new(ErrorKind::Conflict)
        .with_code(ProblemCode::ApplicationNotSubmitted, Some("R-V1"))
        .detail(format!("Only a submitted application can be decided; this one is {status}."))
}

/// R-V1, run after a submission commits. A failure is logged and leaves the application for
/// the helpdesk; the submission itself stands.
pub async fn review_submitted(app: &App, application_id: &str) {
    let id = application_id.to_owned();
    let auto_approve = app.settings().auto_approve;
    let outcome = app
        .db(move |conn| {
            let ctx = Context::load(conn, &id)?;
            let status = ctx.practice.as_ref().map(ig_of_record);
            Ok(review::review(status.as_ref(), auto_approve))
        })
        .await;
    let result = match outcome {
        Ok(ReviewOutcome::Approve) => approve_as(app, application_id, &By::system()).await.map(|_| ()),
        Ok(ReviewOutcome::Reject(reason)) => reject_as(app, application_id, &reason, &By::system()).await,
        Ok(ReviewOutcome::AwaitHelpdesk) => Ok(()),
        Err(error) => Err(error),
    };
    if let Err(error) = result {
        log::warn!("automatic review of application {application_id} failed; it waits for the helpdesk: {error}");
    }
}

/// The helpdesk approves a submitted application: the shared mailbox, accounts and messages are
/// created in one transaction (R-A1–R-A4). Returns the application as it now stands.
pub async fn approve(app: &App, caller: &Caller, id: &str) -> Result<Reviewed, Error> {
    let id = id.to_owned();
    let admin = as_admin(app, caller, |_, _, admin| Ok(admin.clone())).await?;
    approve_as(app, &id, &admin.by()).await?;
    app.run(move |conn, app| queue::load(conn, app, &id)).await
}

/// The helpdesk rejects a submitted application with a reason the shared mailbox owners are told
/// by email (R-V1). Returns the application as it now stands.
pub async fn reject(app: &App, caller: &Caller, id: &str, reason: Option<&str>) -> Result<Reviewed, Error> {
    let reason = RejectionReason::from_helpdesk(reason.unwrap_or_default())
        .map_err(|e| Error::validation(vec![FieldError::from_violation("/reason", &e)]));
    let id = id.to_owned();
    let admin = as_admin(app, caller, |_, _, admin| Ok(admin.clone())).await?;
    reject_as(app, &id, &reason?, &admin.by()).await?;
    app.run(move |conn, app| queue::load(conn, app, &id)).await
}

/// Approves and provisions (R-A1–R-A4) on behalf of `by`. Returns the shared mailbox address.
pub(crate) async fn approve_as(app: &App, application_id: &str, by: &By) -> Result<String, Error> {
    let id = application_id.to_owned();
    let ctx = app.db(move |conn| Context::load(conn, &id)).await?;
    if ctx.application.status != ApplicationStatus::Submitted {
        return Err(not_submitted(ctx.application.status.code()));
    }
    // Hash outside the transaction, on every hashing thread at once.
    let temporaries = ctx.members.iter().map(|_| new_temporary_password()).collect::<Result<Vec<_>, _>>()?;
    let hashes = app.passwords().hash_all(temporaries.iter().map(|t| t.expose_secret().to_owned()).collect()).await?;
    let credentials: Vec<(TemporaryPassword, String)> = temporaries.into_iter().zip(hashes).collect();
    let now = app.now();
    let config = app.shared_settings();
    let (id, by) = (application_id.to_owned(), by.clone());
    app.run(move |conn, app| {
        write_transaction(conn, |conn| {
            let ctx = Context::load_locked(conn, &id)?;
            if ctx.application.status != ApplicationStatus::Submitted {
                return Err(not_submitted(ctx.application.status.code()));
            }
            let address = ctx
                .mailbox_address(&config.mail_domain)
                .ok_or_else(|| Error::internal("submitted without a mailbox address"))?;
            let (practice_name, ods, location) = (
                ctx.application.practice_name.clone().unwrap_or_default(),
                ctx.application.ods_code.clone().unwrap_or_default(),
                ctx.application.cqc_location_id.clone().unwrap_or_default(),
            );
            let mailbox_id = uuid::Uuid::new_v4().to_string();
            accounts::insert_mailbox(conn, &mailbox_id, address.as_str(), (&practice_name, &ods, &location), &id, now)?;
            let mut usernames = Vec::new();
            for (row, credential) in ctx.members.iter().zip(&credentials) {
                let member = member_from_row(row)?;
                let rights = member
                    .permission
                    .has_access()
                    .then(|| (member.permission.is_owner(), member.permission.is_admin()));
                let home = Home { application_id: &id, mailbox_id: &mailbox_id, practice_name: &practice_name };
                let (_, username) = create_account(conn, app, &member.details, &home, rights, credential, &by)?;
                usernames.push(username);
            }
            if !applications::decide(conn, &id, true, None, now)? {
                return Err(not_submitted("no longer submitted"));
            }
            let details = serde_json::json!({"shared_mailbox": address.as_str(), "accounts": usernames.len()});
            audit::record(conn, &by, "application.approved", ("application", &id), details, now)?;
            Ok(address.as_str().to_owned())
        })
    })
    .await
}

/// Where a new account belongs: the application it came from and its practice's shared mailbox.
pub(crate) struct Home<'a> {
    pub application_id: &'a str,
    pub mailbox_id: &'a str,
    pub practice_name: &'a str,
}

/// Creates one member's account inside the caller's transaction (R-A1–R-A4): a username by R-A2,
/// the temporary password already hashed, the mailbox `rights` (`(owner, admin)`, `None` for no
/// access), the mobile reserved for the member moved to the account, and the username email and
/// temporary password text queued. Returns the account id and username.
pub(crate) fn create_account(
    conn: &mut persistence::DbConnection,
    app: &App,
    details: &domain::member::MemberDetails,
    home: &Home<'_>,
    rights: Option<(bool, bool)>,
    (temporary, hash): &(TemporaryPassword, String),
    by: &By,
) -> Result<(String, String), Error> {
    let (now, config) = (app.now(), app.settings());
    let valid_until = now + config.temporary_password_lifetime;
    let last_day: NaiveDate = (valid_until - chrono::Duration::seconds(1)).date_naive();
    let account_id = uuid::Uuid::new_v4().to_string();
    let (email, mobile) = (details.email.as_str(), details.mobile.as_str());
    let new_account = NewAccount {
        id: &account_id,
        title: details.title.map(|t| t.as_str()),
        first_name: details.first_name.as_str(),
        last_name: details.last_name.as_str(),
        email,
        mobile,
        role: details.role.code(),
        temporary_password_hash: hash,
        temporary_password_expires_at: valid_until,
        application_id: Some(home.application_id),
    };
    let username = issue_username(conn, details, &new_account, &config.mail_domain, app.hasher(), now)?;
    if let Some((owner, admin)) = rights {
        accounts::add_membership(conn, home.mailbox_id, &account_id, owner, admin, now)?;
    }
    accounts::transfer_mobile_reservation(conn, mobile, &account_id)?;
    let about = About { kind: "account", id: &account_id };
    let facts = AccountFacts {
        first_name: details.first_name.as_str(),
        username: &username,
        practice_name: home.practice_name,
        portal_url: &config.portal_url,
        support_contact: &config.support_contact,
    };
    outbox::enqueue_email(conn, templates::USERNAME_EMAIL, email, about, messages::username_email(&facts), false, now)?;
    let sms = messages::temporary_password_sms(temporary.expose_secret(), last_day);
    outbox::enqueue_sms(conn, templates::TEMPORARY_PASSWORD_SMS, mobile, about, sms, true, now)?;
    let details = serde_json::json!({"application_id": home.application_id});
    audit::record(conn, by, "account.created", ("account", &account_id), details, now)?;
    Ok((account_id, username))
}

/// R-A2: the account gets `first.last@<domain>`, or the next free numbered form; one query finds
/// every username issued with that base. Another approval taking the chosen one in between only
/// means looking again.
fn issue_username(
    conn: &mut persistence::DbConnection,
    details: &domain::member::MemberDetails,
    account: &NewAccount<'_>,
    domain: &domain::mailbox::MailDomain,
    hasher: &crate::secrets::Hasher,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, Error> {
    let base = Username::base(&details.first_name, &details.last_name);
    for _ in 0..3 {
        let taken: std::collections::HashSet<String> = accounts::usernames_starting(conn, &base)?.into_iter().collect();
        // Usernames of deleted accounts are retired for good, kept only as keyed hashes.
        let mut lookup = Ok(());
        let username = Username::first_available(&details.first_name, &details.last_name, domain, |u| {
            taken.contains(u.as_str())
                || match persistence::inactivity::is_retired(conn, &hasher.retired_username(u.as_str())) {
                    Ok(retired) => retired,
                    Err(error) => {
                        lookup = Err(error);
                        false
                    }
                }
        });
        lookup?;
        match accounts::insert_account(conn, account, username.as_str(), now) {
            Ok(()) => return Ok(username.as_str().to_owned()),
            Err(persistence::StoreError::Conflict(domain::conflict::Conflict::UsernameTaken)) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(Error::unavailable("usernames kept being taken while approving; try again"))
}

/// Rejects with a reason the shared mailbox owners are told by email (R-V1). The practice and
/// the members' mobiles are released for a new application.
pub(crate) async fn reject_as(app: &App, application_id: &str, reason: &RejectionReason, by: &By) -> Result<(), Error> {
    let now = app.now();
    let config = app.shared_settings();
    let (id, reason, by) = (application_id.to_owned(), reason.to_string(), by.clone());
    app.db(move |conn| {
        write_transaction(conn, |conn| {
            let ctx = Context::load_locked(conn, &id)?;
            if !applications::decide(conn, &id, false, Some(&reason), now)? {
                return Err(not_submitted(ctx.application.status.code()));
            }
            accounts::release_mobile_reservations(conn, &id)?;
            let practice_name = ctx.application.practice_name.clone().unwrap_or_default();
            let email = messages::rejection_email(&RejectionFacts {
                practice_name: &practice_name,
                reason: &reason,
                support_contact: &config.support_contact,
            });
            let owners = ctx
                .roster()?
                .members()
                .iter()
                .filter(|m| m.permission.is_owner())
                .map(|m| m.details.email.as_str().to_owned())
                .collect::<Vec<_>>();
            for owner in &owners {
                outbox::enqueue_email(
                    conn,
                    templates::REJECTION_EMAIL,
                    owner,
                    About { kind: "application", id: &id },
                    email.clone(),
                    false,
                    now,
                )?;
            }
            let details = serde_json::json!({"reason": reason, "notified": owners.len()});
            audit::record(conn, &by, "application.rejected", ("application", &id), details, now)
        })
    })
    .await
}

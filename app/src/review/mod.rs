//! Review and provisioning (R-V1, R-A1–R-A4).
//!
//! On submission the IG status of record is checked (R-V1): a failing practice is rejected
//! with that reason, a satisfactory one is approved at once when AUTO_APPROVE is on, and the
//! rest wait for the helpdesk. Approval creates, in one transaction, the shared mailbox, one
//! account per member with a username by R-A2 and a temporary password, the mailbox rights the
//! roster gave, and the messages telling each member (R-A4). The temporary passwords are
//! hashed before the transaction, on the bounded hashing pool, so the transaction stays short
//! and a batch of approvals cannot starve the request workers.

mod provisioning;
pub mod queue;

use provisioning::create_accounts;
pub(crate) use provisioning::{Home, NewMember, create_account};

pub(crate) use crate::helpdesk::as_admin;
pub use queue::{Filter, Page, Reviewed, Summary};

use crate::application::{Context, member_from_row};
use crate::audit::{self, By};
use crate::outbox::{self, About, templates};
use crate::secrets::new_temporary_password;
use crate::{App, Caller, Error, ErrorKind, FieldError};
use domain::ProblemCode;
use domain::ig_status::{DsptStatus, IgAssessment, IgStatus};
use domain::journey::ApplicationStatus;
use domain::messages::{self, RejectionFacts};
use domain::password::TemporaryPassword;
use domain::review::{self, RejectionReason, ReviewOutcome};
use persistence::accounts;
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
            let roster = ctx.members.iter().map(member_from_row).collect::<Result<Vec<_>, _>>()?;
            let members: Vec<NewMember<'_>> = roster
                .iter()
                .zip(&credentials)
                .map(|(member, credential)| NewMember {
                    details: &member.details,
                    rights: member
                        .permission
                        .has_access()
                        .then(|| (member.permission.is_owner(), member.permission.is_admin())),
                    credential,
                })
                .collect();
            let home = Home { application_id: &id, mailbox_id: &mailbox_id, practice_name: &practice_name };
            let usernames: Vec<String> =
                create_accounts(conn, app, &members, &home, &by)?.into_iter().map(|(_, username)| username).collect();
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

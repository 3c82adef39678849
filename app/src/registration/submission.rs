//! Confirm and finish: submission checks everything at once (R-S1), reserves every member's
//! mobile across the service (R-R7), is idempotent (R-S2) and leaves the application read-only
//! for the applicant (R-S3). The review follows once it has committed (R-V1).

use super::Context;
use super::access::{self, authorise};
use crate::application::requirement_errors;
use crate::{App, Caller, Error, FieldError};
use chrono::{DateTime, Utc};
use domain::conflict::Conflict;
use domain::journey::{self, Action, ActionError, ApplicationStatus};
use persistence::time::from_db;
use persistence::{DbConnection, StoreError, applications, write_transaction};

/// What the applicant is told once the application is submitted; a replay gets the same.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub application_id: String,
    /// Where the application stands now: the review may already have decided (R-V1).
    pub status: ApplicationStatus,
    pub submitted_at: DateTime<Utc>,
    pub shared_mailbox_address: String,
    pub members: usize,
    /// The reason given, once rejected.
    pub decision_reason: Option<String>,
    /// What happened and what comes next, for people.
    pub next_steps: String,
    /// Whether this answers a retry of an earlier submission with the same key (R-S2).
    pub replayed: bool,
}

fn receipt(ctx: &Context, app: &App, replayed: bool) -> Result<Receipt, Error> {
    let submitted_at =
        ctx.application.submitted_at.map(from_db).ok_or_else(|| Error::internal("submitted without a time"))?;
    Ok(Receipt {
        application_id: ctx.id().to_owned(),
        status: ctx.status(),
        submitted_at,
        shared_mailbox_address: ctx
            .mailbox_address(&app.settings().mail_domain)
            .map(|a| a.as_str().to_owned())
            .ok_or_else(|| Error::internal("submitted without a mailbox address"))?,
        members: ctx.members.len(),
        decision_reason: ctx.application.decision_reason.clone(),
        next_steps: journey::status_detail(
            ctx.status(),
            ctx.application.decision_reason.as_deref(),
            &app.settings().support_contact,
        ),
        replayed,
    })
}

fn receipt_now(conn: &mut DbConnection, app: &App, id: &str) -> Result<Receipt, Error> {
    receipt(&Context::load(conn, id)?, app, false)
}

/// Submits the draft in one transaction, or says everything that stands in the way.
fn submit_now(
    conn: &mut DbConnection,
    app: &App,
    caller: &Caller,
    id: &str,
    key: Option<&str>,
    confirmed: bool,
) -> Result<Receipt, Error> {
    let now = app.now();
    write_transaction(conn, |conn| {
        let ctx = Context::load_locked(conn, id)?;
        let progress = ctx.progress()?;
        if !progress.status.is_editable() {
            let stored = ctx.application.submission_idempotency_key.as_deref();
            if journey::is_submission_replay(ctx.application.submitted_at.is_some(), stored, key) {
                return receipt(&ctx, app, true);
            }
            let refusal = if progress.status.holds_practice() { ActionError::ReadOnly } else { ActionError::Closed };
            return Err(Error::refused(&refusal));
        }
        // R-S1: an incomplete application cannot be submitted (a state the applicant must change
        // first, 409); every missing part is listed at once, with the confirmation if not given.
        if let Err(refusal) = progress.check(Action::Submit) {
            let errors = requirement_errors(&progress.submission_problems(confirmed));
            return Err(Error::refused(&refusal).with_errors(errors));
        }
        let roster = ctx.roster()?;
        let mut errors = requirement_errors(&progress.submission_problems(confirmed));
        let mobiles: Vec<String> = roster.members().iter().map(|m| m.details.mobile.as_str().to_owned()).collect();
        let at_member = |mobile: &str| {
            let index = mobiles.iter().position(|m| m == mobile).unwrap_or_default();
            FieldError::from_violation(format!("/members/{index}/mobile"), &Conflict::MobileAlreadyRegistered)
        };
        errors.extend(applications::reserved_mobiles(conn, &mobiles)?.iter().map(|mobile| at_member(mobile)));
        if !errors.is_empty() {
            return Err(Error::validation(errors));
        }
        // In one order for every submission, so that two racing over several mobiles wait for
        // each other instead of deadlocking. The primary key decides: one wins each mobile.
        let mut in_order: Vec<&String> = mobiles.iter().collect();
        in_order.sort();
        for mobile in in_order {
            applications::reserve_mobile(conn, mobile, id, now).map_err(|e| match e {
                StoreError::Conflict(Conflict::MobileAlreadyRegistered) => Error::validation(vec![at_member(mobile)]),
                other => other.into(),
            })?;
        }
        // R-M2: the address is reserved now, under a unique constraint, so approval cannot fail
        // on it; a practice that lost it since choosing the town is told here and can choose again.
        let town = ctx.town().ok_or_else(|| Error::internal("complete without a town"))?;
        let domain = &app.settings().mail_domain;
        super::town::check_address_free(conn, &ctx, &town, domain, "/town")?;
        let address = ctx.mailbox_address(domain).ok_or_else(|| Error::internal("complete without an address"))?;
        let submitted = applications::submit(conn, id, key, address.as_str(), now).map_err(|e| match e {
            StoreError::Conflict(Conflict::MailboxAddressTaken) => {
                Error::field("/town", &Conflict::MailboxAddressTaken)
            }
            other => other.into(),
        })?;
        if !submitted {
            return Err(Error::refused(&ActionError::ReadOnly));
        }
        let details = serde_json::json!({"members": mobiles.len(), "idempotency_key": key.is_some()});
        crate::audit::record(
            conn,
            &access::by(caller, id),
            "application.submitted",
            ("application", id),
            details,
            now,
        )?;
        receipt(&Context::load(conn, id)?, app, false)
    })
}

/// Submits the application (R-S1–R-S3). A retry with the same idempotency key returns the
/// original receipt and never submits twice (R-S2).
pub async fn submit(
    app: &App,
    caller: &Caller,
    id: &str,
    idempotency_key: Option<String>,
    confirmed: bool,
) -> Result<Receipt, Error> {
    let (caller, id) = (caller.clone(), id.to_owned());
    let receipt = app
        .run_retrying(move |conn, app| {
            authorise(conn, app, &caller, Some(&id))?;
            submit_now(conn, app, &caller, &id, idempotency_key.as_deref(), confirmed)
        })
        .await?;
    if receipt.replayed {
        return Ok(receipt);
    }
    // R-V1: the review runs once the submission has committed; the receipt then says what it
    // decided (approved, rejected with the reason, or waiting for the helpdesk).
    crate::review::review_submitted(app, &receipt.application_id).await;
    let id = receipt.application_id;
    app.run(move |conn, app| receipt_now(conn, app, &id)).await
}

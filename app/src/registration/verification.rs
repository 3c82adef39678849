//! Proving the applicant acts for the practice: a one-time passcode sent to contact details on
//! record (R-O1–R-O5), then verification with the CQC location id and the passcode or the CQC
//! contact id, with attempts limited (R-O6) and the practice held by one application (R-P5).

use super::Context;
use super::access::{self, authorise, in_draft};
use super::practice::check_not_taken;
use super::snapshot::Application;
use crate::limits;
use crate::outbox::{self, About, templates};
use crate::secrets::{digests_equal, new_passcode};
use crate::{App, Caller, Error, ErrorKind, FieldError, Validator};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use domain::eligibility::check_contact_id_available;
use domain::identifiers::{CqcContactId, CqcLocationId};
use domain::journey::{Action, Route};
use domain::messages::{self, PasscodeFacts};
use domain::passcode::{self, Passcode, PasscodeChannel, PasscodeState};
use domain::text::quantity;
use persistence::passcodes::{self, NewPasscode};
use persistence::time::from_db;
use persistence::{DbConnection, StoreError, applications, write_transaction};

/// A passcode on its way.
#[derive(Debug, Clone)]
pub struct PasscodeIssued {
    pub channel: PasscodeChannel,
    /// Where it is going, for people (email addresses are partly hidden).
    pub sent_to: String,
    /// When it stops working (R-O3).
    pub valid_until: DateTime<Utc>,
    /// How many more this practice can be sent in the current window (R-O5).
    pub passcodes_remaining: u32,
}

fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => "***".to_owned(),
    }
}

fn rate_limited(next: DateTime<Utc>, now: DateTime<Utc>) -> Error {
    Error::new(ErrorKind::RateLimited)
        .with_code(ProblemCode::PasscodeLimitReached, Some("R-O5"))
        .detail(format!(
            "No more passcodes can be sent for this practice just now. The next one can be requested from {}.",
            next.format("%-d %B %Y %H:%M UTC")
        ))
        .retry_at(next, now)
        .next_request_allowed_at(next)
}

/// Sends a passcode for the identified practice (R-O1): by email to the registered manager's
/// address on record, or by post to the registered address; never to an address the applicant
/// typed. `channel` overrides the questionnaire's choice (R-Q5).
pub async fn request_passcode(
    app: &App,
    caller: &Caller,
    id: &str,
    channel: Option<PasscodeChannel>,
) -> Result<PasscodeIssued, Error> {
    let client = app.hasher().client(caller.origin.client_address.as_deref().unwrap_or("unknown"));
    let passcode = new_passcode()?;
    let action = (Action::RequestPasscode, "passcode.issued");
    in_draft(app, caller, id, action, Ok(channel), move |conn, app, ctx, requested, now| {
        let location = ctx.location_id().ok_or_else(|| Error::internal("identified practice without location"))?;
        // Messages to the practice use its name and address on record, never what was typed.
        let (practice_name, address) = match (&ctx.practice, &ctx.cqc) {
            (Some(p), _) => (p.record.name.clone(), p.record.address_lines()),
            (None, Some(c)) => (c.record.name.clone(), c.record.address_lines()),
            (None, None) => return Err(Error::internal("identified practice without a record")),
        };
        let email_on_record = match ctx.route() {
            Some(Route::A) => ctx.practice.as_ref().and_then(|p| p.record.registered_manager_email.clone()),
            _ => None,
        };
        let default = ctx.application.passcode_channel;
        let channel = passcode::channel_for(requested, default, email_on_record.is_some())
            .map_err(|refusal| Error::field("/channel", &refusal))?;
        if let Some(next) = limits::passcode_issue_allowed_at(conn, location.as_str(), &client, now)? {
            return Err(rate_limited(next, now));
        }
        let settings = app.settings();
        let valid_until = settings.passcode_lifetimes.expiry(channel, now);
        let passcode_id = uuid::Uuid::new_v4().to_string();
        passcodes::insert(
            conn,
            &NewPasscode {
                id: &passcode_id,
                cqc_location_id: location.as_str(),
                code_hash: &app.hasher().passcode(&location, &passcode),
                channel: channel.as_str(),
                issued_at: now,
                expires_at: valid_until,
                requested_by_application_id: Some(ctx.id()),
                batch_id: None,
            },
        )?;
        limits::record_passcode_issue(conn, &client, now)?;
        let facts = PasscodeFacts {
            practice_name: &practice_name,
            cqc_location_id: location.as_str(),
            passcode: &passcode,
            valid_until: (valid_until - chrono::Duration::seconds(1)).date_naive(),
            support_contact: &settings.support_contact,
        };
        let about = About { kind: "application", id: ctx.id() };
        let sent_to = match (channel, &email_on_record) {
            (PasscodeChannel::Email, Some(email)) => {
                let message = messages::passcode_email(&facts);
                outbox::enqueue_email(conn, templates::PASSCODE_EMAIL, email, about, message, true, now)?;
                format!("the registered manager's email address on record ({})", mask_email(email))
            }
            _ => {
                let one_line = address.join(", ");
                let lines = std::iter::once(practice_name.clone()).chain(address).collect();
                let letter = messages::passcode_letter(&facts, lines);
                outbox::enqueue_letter(conn, templates::PASSCODE_LETTER, about, letter, true, now)?;
                format!("the CQC registered address: {one_line}")
            }
        };
        let issued = PasscodeIssued {
            channel,
            sent_to,
            valid_until,
            passcodes_remaining: limits::passcodes_remaining(conn, location.as_str(), now)?,
        };
        let details = serde_json::json!({"channel": channel.as_str(), "cqc_location_id": location.as_str(), "passcode_id": passcode_id});
        Ok((issued, details))
    })
    .await
}

/// How the applicant proves they act for the practice; unset fields are `None`.
#[derive(Debug, Clone, Default)]
pub struct Proof {
    pub method: Option<domain::eligibility::AuthMethod>,
    pub cqc_location_id: Option<String>,
    pub passcode: Option<String>,
    pub cqc_contact_id: Option<String>,
}

enum Credential {
    Passcode(Passcode),
    ContactId(CqcContactId),
}

impl Credential {
    fn method(&self) -> &'static str {
        match self {
            Self::Passcode(_) => "passcode",
            Self::ContactId(_) => "cqc_contact_id",
        }
    }
}

impl Proof {
    /// The location and credential, or every malformed field at once.
    fn check(&self) -> Result<(CqcLocationId, Credential), Error> {
        use domain::eligibility::AuthMethod;
        let mut v = Validator::new();
        let location =
            v.check("/cqc_location_id", CqcLocationId::parse(self.cqc_location_id.as_deref().unwrap_or_default()));
        let credential = match (self.method, self.passcode.as_deref(), self.cqc_contact_id.as_deref()) {
            (None, _, _) => {
                let detail = "Say how you prove you act for the practice: `passcode` or `cqc_contact_id`.";
                v.push(FieldError::new("/method", ProblemCode::Required, Some("R-P2"), detail));
                None
            }
            (Some(AuthMethod::Passcode), code, None) => {
                v.check("/passcode", Passcode::parse(code.unwrap_or_default())).map(Credential::Passcode)
            }
            (Some(AuthMethod::CqcContactId), None, contact) => {
                v.check("/cqc_contact_id", CqcContactId::parse(contact.unwrap_or_default())).map(Credential::ContactId)
            }
            (Some(AuthMethod::Passcode), _, Some(_)) | (Some(AuthMethod::CqcContactId), Some(_), _) => {
                let detail = "Give the credential of the method chosen only: a passcode, or the CQC contact ID.";
                v.push(FieldError::new("/method", ProblemCode::OneCredentialRequired, Some("R-P2"), detail));
                None
            }
        };
        v.finish(|| Some((location?, credential?)))
    }
}

enum Outcome {
    Verified(Box<Application>),
    Failed { error: FieldError, remaining: u32, locked_until: Option<DateTime<Utc>> },
    Locked(DateTime<Utc>),
}

fn locked(until: DateTime<Utc>, now: DateTime<Utc>) -> Error {
    Error::new(ErrorKind::VerificationLocked)
        .with_code(ProblemCode::VerificationLocked, Some("R-O6"))
        .detail(format!(
            "Too many failed attempts for this practice or application. Try again after {}.",
            until.format("%-d %B %Y %H:%M UTC")
        ))
        .retry_at(until, now)
        .locked_until(until)
        .attempts_remaining(0)
}

fn failed(error: FieldError, remaining: u32, locked_until: Option<DateTime<Utc>>) -> Error {
    let detail = match locked_until {
        Some(until) => {
            format!("{} Verification is now locked until {}.", error.detail, until.format("%-d %B %Y %H:%M UTC"))
        }
        None => format!(
            "{} {} remain{}.",
            error.detail,
            quantity(remaining, "attempt"),
            if remaining == 1 { "s" } else { "" }
        ),
    };
    let problem =
        Error::new(ErrorKind::VerificationFailed).detail(detail).with_errors(vec![error]).attempts_remaining(remaining);
    match locked_until {
        Some(until) => problem.locked_until(until),
        None => problem,
    }
}

/// Checks the credential against what is on record; `None` when it matches (and a passcode is
/// then used up, R-O3).
fn mismatch(
    conn: &mut DbConnection,
    app: &App,
    ctx: &Context,
    (location, credential): (&CqcLocationId, &Credential),
    now: DateTime<Utc>,
) -> Result<Option<FieldError>, Error> {
    let own = ctx.location_id().ok_or_else(|| Error::internal("identified practice without location"))?;
    if *location != own {
        let detail = "This CQC location ID is not the identified practice's.";
        return Ok(Some(FieldError::new(
            "/cqc_location_id",
            ProblemCode::CqcLocationIdDoesNotMatch,
            Some("R-O6"),
            detail,
        )));
    }
    let passcode_error = |code, rule, detail: &str| Some(FieldError::new("/passcode", code, Some(rule), detail));
    let used = "This passcode has already been used; ask for a new one.";
    Ok(match credential {
        Credential::ContactId(contact) => {
            let given = app.hasher().contact_id(contact);
            let on_record = ctx.practice.as_ref().and_then(|p| p.record.cqc_contact_id_hash.as_deref());
            let detail = "The CQC contact ID is not right for this practice.";
            (!on_record.is_some_and(|stored| digests_equal(stored, &given)))
                .then(|| FieldError::new("/cqc_contact_id", ProblemCode::CqcContactIdIncorrect, Some("R-O6"), detail))
        }
        Credential::Passcode(code) => match passcodes::find(conn, own.as_str(), &app.hasher().passcode(&own, code))? {
            None => {
                passcode_error(ProblemCode::PasscodeIncorrect, "R-O6", "The passcode is not right for this practice.")
            }
            Some(row) => match passcode::passcode_state(from_db(row.expires_at), row.used_at.map(from_db), now) {
                PasscodeState::Expired => passcode_error(
                    ProblemCode::PasscodeExpired,
                    "R-O3",
                    "This passcode has expired; ask for a new one.",
                ),
                PasscodeState::AlreadyUsed => passcode_error(ProblemCode::PasscodeAlreadyUsed, "R-O3", used),
                PasscodeState::Usable if passcodes::mark_used(conn, &row.id, ctx.id(), now)? => None,
                PasscodeState::Usable => passcode_error(ProblemCode::PasscodeAlreadyUsed, "R-O3", used),
            },
        },
    })
}

/// One verification attempt, in one transaction: a failure is recorded (and counts towards the
/// lock) even though the request is refused.
fn attempt(
    conn: &mut DbConnection,
    app: &App,
    caller: &Caller,
    id: &str,
    (location, credential): (CqcLocationId, Credential),
) -> Result<Outcome, Error> {
    let now = app.now();
    let support = &app.settings().support_contact;
    write_transaction(conn, |conn| {
        let ctx = Context::load_locked(conn, id)?;
        ctx.progress()?.check(Action::Verify).map_err(|e| Error::refused(&e))?;
        let own = ctx.location_id().ok_or_else(|| Error::internal("identified practice without location"))?;
        check_not_taken(conn, own.as_str(), id, support)?;
        if matches!(credential, Credential::ContactId(_)) {
            let on_record = ctx.practice.as_ref().is_some_and(|p| p.record.cqc_contact_id_hash.is_some());
            check_contact_id_available(on_record).map_err(|e| Error::refused(&e))?;
        }
        if let Some(until) = limits::verification_state(conn, own.as_str(), id, now)?.locked_until {
            return Ok(Outcome::Locked(until));
        }
        let failure = mismatch(conn, app, &ctx, (&location, &credential), now)?;
        limits::record_verification(conn, own.as_str(), id, failure.is_none(), now)?;
        applications::touch(conn, id, now, now + app.settings().application_inactivity)?;
        let event = if failure.is_none() { "application.verified" } else { "application.verification_failed" };
        let details = serde_json::json!({"method": credential.method(), "cqc_location_id": own.as_str(), "reason": failure.as_ref().map(|f| f.code.as_str())});
        crate::audit::record(conn, &access::by(caller, id), event, ("application", id), details, now)?;
        if let Some(error) = failure {
            let after = limits::verification_state(conn, own.as_str(), id, now)?;
            return Ok(Outcome::Failed { error, remaining: after.remaining, locked_until: after.locked_until });
        }
        let application = applications::mark_authenticated(conn, id, own.as_str(), credential.method(), now).map_err(
            |e| match e {
                StoreError::Conflict(_) => Error::new(ErrorKind::Conflict)
                    .with_code(ProblemCode::PracticeHasLiveApplication, Some("R-P5"))
                    .detail(format!(
                        "Another application has just verified this practice. Contact {support} if this is unexpected."
                    )),
                other => other.into(),
            },
        )?;
        // The practice and members are as loaded above; only the application's row changed.
        Ok(Outcome::Verified(Box::new(Context { application, ..ctx }.snapshot(app.settings())?)))
    })
}

/// Verifies the practice (R-O2, R-O3, R-O6, R-P5). Failures say how many attempts remain.
pub async fn verify(app: &App, caller: &Caller, id: &str, proof: &Proof) -> Result<Application, Error> {
    let proof = proof.check();
    let (caller, id) = (caller.clone(), id.to_owned());
    let outcome = app
        .run(move |conn, app| {
            authorise(conn, app, &caller, Some(&id))?;
            attempt(conn, app, &caller, &id, proof?)
        })
        .await?;
    match outcome {
        Outcome::Verified(application) => Ok(*application),
        Outcome::Locked(until) => Err(locked(until, app.now())),
        Outcome::Failed { error, remaining, locked_until } => Err(failed(error, remaining, locked_until)),
    }
}

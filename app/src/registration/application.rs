//! The questionnaire (R-Q1–R-Q5, R-E1, R-E2) and the application itself: start, read, withdraw.

use super::Context;
use super::access::{self, in_draft, read};
use super::snapshot::Application;
use crate::audit::{self, Actor, By};
use crate::secrets::new_application_token;
use crate::{App, Caller, Error, ErrorKind, FieldError};
use domain::ProblemCode;
use domain::eligibility::{self, EligibilityOutcome, Ineligibility, Questionnaire};
use domain::journey::{Action, ApplicationStatus};
use domain::passcode::PasscodeChannel;
use persistence::applications::{self, NewApplication};
use persistence::write_transaction;

/// The questionnaire as answered; an unanswered question is `None`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Answers {
    pub has_nhsmail_account: Option<bool>,
    pub ig_return_submitted: Option<bool>,
    pub recent_passcode_received: Option<bool>,
    pub knows_cqc_contact_id: Option<bool>,
    pub passcode_channel: Option<PasscodeChannel>,
}

impl Answers {
    /// The answers, or every unanswered question at once.
    fn complete(&self) -> Result<Questionnaire, Error> {
        let mut missing = Vec::new();
        let mut answer = |name: &str, value: Option<bool>| {
            if value.is_none() {
                missing.push(FieldError::new(format!("/{name}"), ProblemCode::Required, None, "Answer this question."));
            }
            value.unwrap_or_default()
        };
        let questionnaire = Questionnaire {
            has_nhsmail_account: answer("has_nhsmail_account", self.has_nhsmail_account),
            ig_return_submitted: answer("ig_return_submitted", self.ig_return_submitted),
            recent_passcode_received: answer("recent_passcode_received", self.recent_passcode_received),
            knows_cqc_contact_id: answer("knows_cqc_contact_id", self.knows_cqc_contact_id),
            passcode_channel: self.passcode_channel.unwrap_or(PasscodeChannel::Post),
        };
        if self.passcode_channel.is_none() {
            missing.push(FieldError::new(
                "/passcode_channel",
                ProblemCode::Required,
                Some("R-Q5"),
                "Choose email or post.",
            ));
        }
        if missing.is_empty() { Ok(questionnaire) } else { Err(Error::validation(missing)) }
    }
}

/// The refusal for answers that rule an applicant out (R-E1, R-E2), with the full outcome.
fn not_eligible(outcome: &EligibilityOutcome) -> Error {
    let errors = outcome
        .reasons
        .iter()
        .map(|reason| {
            let pointer = match reason {
                Ineligibility::AlreadyHasNhsmailAccount => "/has_nhsmail_account",
                Ineligibility::IgRequirementNotMet => "/ig_return_submitted",
            };
            FieldError::from_violation(pointer, reason)
        })
        .collect();
    Error::new(ErrorKind::NotEligible)
        .detail("These answers mean you cannot apply; see `eligibility` for why and what to do.")
        .with_errors(errors)
        .eligibility(outcome.clone())
}

/// Whether the answers let the applicant apply, and how they can prove they act for the
/// practice. Nothing is stored.
pub fn assess(answers: &Answers) -> Result<EligibilityOutcome, Error> {
    Ok(eligibility::assess(&answers.complete()?))
}

/// A new application and the token that opens it (shown once).
#[derive(Debug)]
pub struct Started {
    pub token: String,
    pub application: Application,
}

/// Starts an application for eligible answers; ineligible ones store nothing.
pub async fn start(app: &App, caller: &Caller, answers: &Answers) -> Result<Started, Error> {
    let answers = answers.complete()?;
    let outcome = eligibility::assess(&answers);
    if !outcome.eligible {
        return Err(not_eligible(&outcome));
    }
    let token = new_application_token()?;
    let token_hash = app.hasher().application_token(&token);
    let origin = caller.origin.clone();
    let client = app.hasher().client(origin.client_address.as_deref().unwrap_or("unknown"));
    let application = app
        .run(move |conn, app| {
            let (now, id) = (app.now(), uuid::Uuid::new_v4().to_string());
            write_transaction(conn, |conn| {
                let per_client = app.settings().throttles.applications_per_client;
                if let Some(next) = crate::limits::take_application_start(conn, &client, per_client, now)? {
                    return Err(crate::limits::client_throttled(next, now));
                }
                applications::insert(
                    conn,
                    &NewApplication {
                        id: &id,
                        token_hash: &token_hash,
                        has_nhsmail_account: answers.has_nhsmail_account,
                        ig_return_submitted: answers.ig_return_submitted,
                        recent_passcode_received: answers.recent_passcode_received,
                        knows_cqc_contact_id: answers.knows_cqc_contact_id,
                        passcode_channel: answers.passcode_channel.as_str(),
                        now,
                        expires_at: now + app.settings().application_inactivity,
                    },
                )?;
                let by = By::new(Actor { kind: "applicant", id: Some(id.clone()) }, origin);
                let details = serde_json::json!({"passcode_channel": answers.passcode_channel.as_str()});
                audit::record(conn, &by, "application.started", ("application", &id), details, now)?;
                Context::load(conn, &id)?.snapshot(app.settings())
            })
        })
        .await?;
    Ok(Started { token, application })
}

/// The caller's application as it stands. Reading it counts as activity.
pub async fn get(app: &App, caller: &Caller, id: &str) -> Result<Application, Error> {
    read(app, caller, id, |conn, app, mut ctx| {
        access::note_activity(conn, app, &mut ctx)?;
        ctx.snapshot(app.settings())
    })
    .await
}

/// Withdraws a draft: it ends at once, its members' personal data is deleted (on disk too) and
/// the practice is released.
pub async fn withdraw(app: &App, caller: &Caller, id: &str) -> Result<(), Error> {
    let action = (Action::Withdraw, "application.withdrawn");
    in_draft(app, caller, id, action, Ok(()), |conn, _, ctx, (), now| {
        applications::end_draft(conn, ctx.id(), ApplicationStatus::Withdrawn, now)?;
        Ok(((), serde_json::json!({})))
    })
    .await?;
    // Once committed: earlier images of the deleted rows must not linger in SQLite's log.
    app.db(|conn| Ok(persistence::inactivity::flush_erasures(conn)?)).await
}

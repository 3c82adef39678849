//! An application as the applicant sees it: everything a front end needs to render any step,
//! derived once here from the stored application and the rules, never re-derived by a client.

use crate::application::{Context, Members, requirement_errors};
use crate::{Error, FieldError, Settings};
use chrono::{DateTime, Utc};
use domain::eligibility::{self, AuthMethod, EligibilityOutcome, Questionnaire};
use domain::journey::{Action, ApplicationStatus, Route};
use domain::passcode::PasscodeChannel;
use persistence::time::from_db;

/// The CQC registration details shown for confirmation on route B (R-P3).
#[derive(Debug, Clone)]
pub struct CqcDetails {
    pub location_id: String,
    pub name: String,
    /// The registered postal address on one line.
    pub address: String,
}

/// The practice an application is for.
#[derive(Debug, Clone)]
pub struct Practice {
    pub route: Route,
    pub postcode: String,
    pub name: String,
    pub ods_code: String,
    /// Shown once verified, or on route B where the applicant entered it; on route A it is part
    /// of the proof.
    pub cqc_location_id: Option<String>,
    pub address_lines: Vec<String>,
    pub registered_manager_email_on_record: bool,
    /// R-O1.
    pub passcode_channels: Vec<PasscodeChannel>,
    pub authentication_methods: Vec<AuthMethod>,
    pub cqc_details: Option<CqcDetails>,
    pub cqc_details_confirmed: bool,
    pub verified_at: Option<DateTime<Utc>>,
}

/// The whole state of an application.
#[derive(Debug, Clone)]
pub struct Application {
    pub id: String,
    pub status: ApplicationStatus,
    pub eligibility: EligibilityOutcome,
    pub practice: Option<Practice>,
    pub town: Option<String>,
    /// R-M1, as soon as town and practice are known.
    pub shared_mailbox_address: Option<String>,
    pub members: Members,
    /// What is still needed before submission (R-S1), each with a pointer into the application.
    pub missing: Vec<FieldError>,
    pub allowed_actions: Vec<Action>,
    pub support_contact: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When a draft ends if nothing more happens; `None` once it is not a draft.
    pub expires_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// When the review decided, and the reason given for a rejection (R-V1).
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    /// What the status means and what comes next, for people.
    pub status_detail: String,
}

impl Context {
    /// The questionnaire as answered when the application started.
    fn questionnaire(&self) -> Result<Questionnaire, Error> {
        let row = &self.application;
        Ok(Questionnaire {
            has_nhsmail_account: row.has_nhsmail_account,
            ig_return_submitted: row.ig_return_submitted,
            recent_passcode_received: row.recent_passcode_received,
            knows_cqc_contact_id: row.knows_cqc_contact_id,
            passcode_channel: row.passcode_channel,
        })
    }

    /// The application as the applicant sees it.
    pub(crate) fn snapshot(&self, settings: &Settings) -> Result<Application, Error> {
        let questionnaire = self.questionnaire()?;
        let mut outcome = eligibility::assess(&questionnaire);
        let status = self.status();
        let progress = self.progress()?;
        let members = self.members_view()?;
        let draft = status == ApplicationStatus::Draft;
        let missing = if draft { requirement_errors(&progress.missing()) } else { Vec::new() };
        let row = &self.application;
        let practice = self.route().map(|route| self.practice_view(route, &outcome)).transpose()?;
        // Once the practice is known, the ways to prove it and the next steps are the practice's,
        // so that they agree with what the service accepts.
        if let Some(practice) = &practice {
            outcome.authentication_methods = practice.authentication_methods.clone();
        }
        if outcome.eligible {
            outcome.next_steps = eligibility::next_steps_for(
                &progress,
                &outcome.authentication_methods,
                questionnaire.recent_passcode_received,
            );
        }
        Ok(Application {
            id: row.id.clone(),
            status,
            practice,
            eligibility: outcome,
            town: row.town.clone(),
            shared_mailbox_address: self.mailbox_address(&settings.mail_domain).map(|a| a.as_str().to_owned()),
            members,
            missing,
            allowed_actions: progress.allowed_actions(),
            support_contact: settings.support_contact.clone(),
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
            expires_at: draft.then(|| self.expires_at()),
            submitted_at: row.submitted_at.map(from_db),
            decided_at: row.decided_at.map(from_db),
            decision_reason: row.decision_reason.clone(),
            status_detail: domain::journey::status_detail(
                status,
                row.decision_reason.as_deref(),
                &settings.support_contact,
            ),
        })
    }

    fn practice_view(&self, route: Route, outcome: &EligibilityOutcome) -> Result<Practice, Error> {
        let row = &self.application;
        let missing = || Error::internal("identified practice has incomplete data");
        let email_on_record = self.practice.as_ref().is_some_and(|p| p.record.registered_manager_email.is_some());
        let contact_id_on_record = self.practice.as_ref().is_some_and(|p| p.record.cqc_contact_id_hash.is_some());
        let (address_lines, cqc_details) = match route {
            Route::A => (self.practice.as_ref().map(|p| p.record.address_lines()).unwrap_or_default(), None),
            Route::B => {
                let cqc = self.cqc.as_ref().ok_or_else(missing)?;
                let lines = cqc.record.address_lines();
                let details = CqcDetails {
                    location_id: cqc.record.location_id.clone(),
                    name: cqc.record.name.clone(),
                    address: lines.join(", "),
                };
                (lines, Some(details))
            }
        };
        Ok(Practice {
            route,
            postcode: row.postcode.clone().ok_or_else(missing)?,
            name: row.practice_name.clone().ok_or_else(missing)?,
            ods_code: row.ods_code.clone().ok_or_else(missing)?,
            cqc_location_id: (route == Route::B || self.authenticated()).then(|| row.cqc_location_id.clone()).flatten(),
            address_lines,
            registered_manager_email_on_record: email_on_record,
            passcode_channels: domain::passcode::available_channels(email_on_record && route == Route::A),
            authentication_methods: eligibility::methods_for_practice(outcome, route, contact_id_on_record),
            cqc_details,
            cqc_details_confirmed: row.cqc_details_confirmed_at.is_some(),
            verified_at: row.authenticated_at.map(from_db),
        })
    }
}

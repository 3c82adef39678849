//! Request and response types of the journey, with their OpenAPI schemas. They are not the
//! database rows and not the domain types: enumerations are documented strings that map one to
//! one onto domain enums, and required request fields are optional in Rust so that every
//! missing field is reported at once (the contract still marks them required).

use crate::journey::{Context, requirement_errors};
use crate::problem::{ApiError, FieldError, FieldErrorView};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use domain::eligibility::{self, EligibilityOutcome, Questionnaire};
use domain::journey::Route;
use domain::mailbox::MailDomain;
use domain::roster::{MAX_MEMBERS, MIN_MEMBERS, RosterCounts, RosterMember};
use persistence::time::from_db;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::wire::{
    AllowedAction, ApplicationStatus, AuthenticationMethod, IneligibilityReason, NextStep, PasscodeChannel,
    PracticeRoute, Role, Title,
};

/// The pre-requisite questionnaire (R-Q1–R-Q5).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"has_nhsmail_account": false, "ig_return_submitted": true, "recent_passcode_received": false, "knows_cqc_contact_id": false, "passcode_channel": "post"}))]
pub struct QuestionnaireAnswers {
    /// R-Q1: do you already have an NHSmail account?
    #[serde(default)]
    #[schema(value_type = bool, required = true)]
    pub has_nhsmail_account: Option<bool>,
    /// R-Q2: has the practice submitted a valid IG Toolkit return (level 2) or DSPT?
    #[serde(default)]
    #[schema(value_type = bool, required = true)]
    pub ig_return_submitted: Option<bool>,
    /// R-Q3: have you received a one-time passcode by email or letter in the last 2 weeks?
    #[serde(default)]
    #[schema(value_type = bool, required = true)]
    pub recent_passcode_received: Option<bool>,
    /// R-Q4: do you know the practice's CQC contact ID (registered manager's ID)?
    #[serde(default)]
    #[schema(value_type = bool, required = true)]
    pub knows_cqc_contact_id: Option<bool>,
    /// R-Q5: how to send a passcode you ask for later.
    #[serde(default)]
    #[schema(value_type = PasscodeChannel, required = true)]
    pub passcode_channel: Option<PasscodeChannel>,
}

impl QuestionnaireAnswers {
    /// Every unanswered question is reported.
    pub fn try_into_domain(&self) -> Result<Questionnaire, ApiError> {
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
            passcode_channel: domain::passcode::PasscodeChannel::Post,
        };
        match self.passcode_channel {
            Some(channel) if missing.is_empty() => {
                Ok(Questionnaire { passcode_channel: channel.into(), ..questionnaire })
            }
            Some(_) => Err(ApiError::validation(missing)),
            None => {
                missing.push(FieldError::new(
                    "/passcode_channel",
                    ProblemCode::Required,
                    Some("R-Q5"),
                    "Choose email or post.",
                ));
                Err(ApiError::validation(missing))
            }
        }
    }
}

/// One reason an applicant cannot apply, with what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IneligibilityExplanation {
    pub code: IneligibilityReason,
    /// The rule that applies.
    #[schema(example = "R-E1")]
    pub rule: String,
    /// What it means and what to do, for people.
    pub explanation: String,
}

/// The questionnaire's outcome: whether the applicant may go on, why not, and what next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "eligible": true, "reasons": [], "authentication_methods": ["passcode"],
    "passcode_channel": "post", "next_steps": ["identify_practice", "request_passcode"]
}))]
pub struct Eligibility {
    pub eligible: bool,
    pub reasons: Vec<IneligibilityExplanation>,
    /// Ways open to prove the applicant acts for the practice (refined by route once known).
    pub authentication_methods: Vec<AuthenticationMethod>,
    pub passcode_channel: PasscodeChannel,
    pub next_steps: Vec<NextStep>,
}

impl From<&EligibilityOutcome> for Eligibility {
    fn from(outcome: &EligibilityOutcome) -> Self {
        Self {
            eligible: outcome.eligible,
            reasons: outcome
                .reasons
                .iter()
                .map(|reason| IneligibilityExplanation {
                    code: (*reason).into(),
                    rule: domain::Violation::rule(reason).unwrap_or_default().to_owned(),
                    explanation: reason.to_string(),
                })
                .collect(),
            authentication_methods: outcome.authentication_methods.iter().map(|m| (*m).into()).collect(),
            passcode_channel: outcome.passcode_channel.into(),
            next_steps: outcome.next_steps.iter().map(|s| (*s).into()).collect(),
        }
    }
}

/// The CQC registration details shown for confirmation on route B (R-P3).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"location_id": "1-1002733005", "name": "SAMPLE DENTAL CARE", "address": "123 ROAD NAME, WIMBLEDON, LONDON, SW19 4AB"}))]
pub struct CqcDetails {
    pub location_id: String,
    pub name: String,
    /// The registered postal address on one line.
    pub address: String,
}

/// The practice the application is for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PracticeView {
    pub route: PracticeRoute,
    #[schema(example = "SW19 4AB")]
    pub postcode: String,
    #[schema(example = "SAMPLE DENTAL CARE")]
    pub name: String,
    #[schema(example = "V12345")]
    pub ods_code: String,
    /// Shown once the practice is verified, or on route B where the applicant entered it. On
    /// route A it is part of the proof, so it is not shown before.
    #[schema(example = "1-1002733005")]
    pub cqc_location_id: Option<String>,
    pub address_lines: Vec<String>,
    /// Whether a passcode can be emailed to the registered manager (R-O1).
    pub registered_manager_email_on_record: bool,
    /// Channels a passcode can be sent by (R-O1).
    pub passcode_channels: Vec<PasscodeChannel>,
    /// Ways to prove the applicant acts for this practice.
    pub authentication_methods: Vec<AuthenticationMethod>,
    /// Route B: the CQC details to confirm (R-P3); left out on route A.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub cqc_details: Option<CqcDetails>,
    pub cqc_details_confirmed: bool,
    pub verified: bool,
    pub verified_at: Option<DateTime<Utc>>,
}

/// A member as the roster holds them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "5b0f1a52-3f2e-4a7b-9a57-8f4f2f0d7c11", "position": 0, "title": "Dr", "first_name": "David", "last_name": "Smith",
    "email": "dsmith@businessemail.com", "mobile": "+447912345678", "role": "dentist",
    "is_owner": true, "is_mailbox_admin": true, "has_shared_mailbox_access": true
}))]
pub struct MemberView {
    #[schema(format = Uuid)]
    pub id: String,
    /// Order on the roster; the first member is the shared mailbox owner.
    #[schema(minimum = 0)]
    pub position: i32,
    /// Left out when the member has no title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub title: Option<Title>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// E.164, e.g. `+447912345678`.
    pub mobile: String,
    pub role: Role,
    /// Shared mailbox owner (at most 2; always admin and with access).
    pub is_owner: bool,
    /// Can manage who has access to the shared mailbox (implies access).
    pub is_mailbox_admin: bool,
    pub has_shared_mailbox_access: bool,
}

impl MemberView {
    pub fn new(member: &RosterMember<String>, position: i32) -> Self {
        Self {
            id: member.key.clone(),
            position,
            title: member.details.title.map(Into::into),
            first_name: member.details.first_name.as_str().to_owned(),
            last_name: member.details.last_name.as_str().to_owned(),
            email: member.details.email.as_str().to_owned(),
            mobile: member.details.mobile.as_str().to_owned(),
            role: member.details.role.into(),
            is_owner: member.permission.is_owner(),
            is_mailbox_admin: member.permission.is_admin(),
            has_shared_mailbox_access: member.permission.has_access(),
        }
    }
}

/// R-R1: how many members are specified, and the limits.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"specified": 4, "maximum": 10, "required": 2, "remaining": 6, "owners": 1, "summary": "4 of 10 specified (2 required)"}))]
pub struct MemberCounts {
    pub specified: usize,
    pub maximum: usize,
    pub required: usize,
    pub remaining: usize,
    pub owners: usize,
    /// Ready to display: "n of 10 specified (2 required)".
    pub summary: String,
}

impl From<RosterCounts> for MemberCounts {
    fn from(counts: RosterCounts) -> Self {
        Self {
            specified: counts.specified,
            maximum: MAX_MEMBERS,
            required: MIN_MEMBERS,
            remaining: counts.remaining(),
            owners: counts.owners,
            summary: counts.to_string(),
        }
    }
}

/// The whole state of an application: enough to render any step of the journey.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = crate::examples::application_view)]
pub struct ApplicationView {
    #[schema(format = Uuid)]
    pub id: String,
    pub status: ApplicationStatus,
    pub eligibility: Eligibility,
    /// The practice, once identified; left out before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub practice: Option<PracticeView>,
    /// The town starting the shared mailbox name (R-T1, R-T2).
    #[schema(example = "wimbledon")]
    pub town: Option<String>,
    /// The shared mailbox address as soon as town and practice are known (R-M1).
    #[schema(example = "nhsdental.wimbledon.sampledentalcarev12345@nhs.net")]
    pub shared_mailbox_address: Option<String>,
    pub members: Vec<MemberView>,
    pub member_counts: MemberCounts,
    /// What is still needed before submission (R-S1), each with a pointer into this document.
    pub missing: Vec<FieldErrorView>,
    /// What the applicant can do now.
    pub allowed_actions: Vec<AllowedAction>,
    /// How to get help.
    pub support_contact: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When a draft expires if nothing more happens (null once submitted).
    pub expires_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
}

fn one_line(lines: &[String]) -> String {
    lines.join(", ")
}

impl ApplicationView {
    pub fn build(ctx: &Context, mail_domain: &MailDomain, support_contact: &str) -> Result<Self, ApiError> {
        let app = &ctx.application;
        let questionnaire = Questionnaire {
            has_nhsmail_account: app.has_nhsmail_account,
            ig_return_submitted: app.ig_return_submitted,
            recent_passcode_received: app.recent_passcode_received,
            knows_cqc_contact_id: app.knows_cqc_contact_id,
            passcode_channel: domain::passcode::PasscodeChannel::parse(&app.passcode_channel)
                .ok_or_else(|| ApiError::internal("stored passcode channel is invalid"))?,
        };
        let outcome = eligibility::assess(&questionnaire);
        let status = ctx.status()?;
        let roster = ctx.roster()?;
        let progress = ctx.progress()?;
        let practice = match ctx.route() {
            None => None,
            Some(route) => Some(practice_view(ctx, route, &outcome)?),
        };
        let draft = status == domain::journey::ApplicationStatus::Draft;
        Ok(Self {
            id: app.id.clone(),
            status: status.into(),
            eligibility: (&outcome).into(),
            practice,
            town: app.town.clone(),
            shared_mailbox_address: ctx.mailbox_address(mail_domain).map(|a| a.as_str().to_owned()),
            members: roster
                .members()
                .iter()
                .zip(&ctx.members)
                .map(|(member, row)| MemberView::new(member, row.position))
                .collect(),
            member_counts: roster.counts().into(),
            missing: if draft {
                requirement_errors(&progress.missing(&roster.completeness_problems()))
                    .iter()
                    .map(FieldErrorView::from)
                    .collect()
            } else {
                Vec::new()
            },
            allowed_actions: progress.allowed_actions().into_iter().map(Into::into).collect(),
            support_contact: support_contact.to_owned(),
            created_at: from_db(app.created_at),
            updated_at: from_db(app.updated_at),
            expires_at: draft.then(|| ctx.expires_at()),
            submitted_at: app.submitted_at.map(from_db),
        })
    }
}

fn practice_view(ctx: &Context, route: Route, outcome: &EligibilityOutcome) -> Result<PracticeView, ApiError> {
    let app = &ctx.application;
    let missing = || ApiError::internal("identified practice has incomplete data");
    let email_on_record = ctx.practice.as_ref().is_some_and(|p| p.record.registered_manager_email.is_some());
    let (address_lines, cqc_details) = match route {
        Route::A => (ctx.practice.as_ref().map(|p| p.record.address_lines()).unwrap_or_default(), None),
        Route::B => {
            let cqc = ctx.cqc.as_ref().ok_or_else(missing)?;
            let lines = cqc.record.address_lines();
            let details = CqcDetails {
                location_id: cqc.record.location_id.clone(),
                name: cqc.record.name.clone(),
                address: one_line(&lines),
            };
            (lines, Some(details))
        }
    };
    let show_location = route == Route::B || ctx.authenticated();
    let methods = eligibility::methods_for_route(outcome, route == Route::B)
        .into_iter()
        .filter(|m| {
            *m != domain::eligibility::AuthMethod::CqcContactId
                || ctx.practice.as_ref().is_some_and(|p| p.record.cqc_contact_id_hash.is_some())
        })
        .map(Into::into)
        .collect();
    Ok(PracticeView {
        route: route.into(),
        postcode: app.postcode.clone().ok_or_else(missing)?,
        name: app.practice_name.clone().ok_or_else(missing)?,
        ods_code: app.ods_code.clone().ok_or_else(missing)?,
        cqc_location_id: if show_location { app.cqc_location_id.clone() } else { None },
        address_lines,
        registered_manager_email_on_record: email_on_record,
        passcode_channels: domain::passcode::available_channels(email_on_record && route == Route::A)
            .into_iter()
            .map(Into::into)
            .collect(),
        authentication_methods: methods,
        cqc_details,
        cqc_details_confirmed: app.cqc_details_confirmed_at.is_some(),
        verified: ctx.authenticated(),
        verified_at: app.authenticated_at.map(from_db),
    })
}

/// One bad row of a reference-data file (or its header, line 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = RowError, example = json!({"line": 7, "column": "postcode", "message": "Enter a real UK postcode, like SW19 4AB."}))]
pub struct RowErrorView {
    /// Line in the file, counting the header as line 1.
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

/// What an import did, or why it did nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = ImportReport, example = json!({"dataset": "cqc-locations", "rows": 5, "created": 4, "updated": 1, "unchanged": 0, "applied": true, "errors": []}))]
pub struct ImportReportView {
    pub dataset: crate::wire::Dataset,
    /// Data rows read (header excluded).
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// False when any row was bad: then nothing was changed.
    pub applied: bool,
    pub errors: Vec<RowErrorView>,
}

impl From<&app::reference::ImportReport> for ImportReportView {
    fn from(report: &app::reference::ImportReport) -> Self {
        Self {
            dataset: report.dataset.into(),
            rows: report.rows,
            created: report.created,
            updated: report.updated,
            unchanged: report.unchanged,
            applied: report.applied,
            errors: report
                .errors
                .iter()
                .map(|e| RowErrorView { line: e.line, column: e.column.clone(), message: e.message.clone() })
                .collect(),
        }
    }
}

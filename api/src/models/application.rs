//! The application as the journey sees it: the questionnaire and its outcome, the whole
//! application (practice, town, members, what is missing, what is open), its creation and its
//! submission. Enumerations are documented strings that map one to one onto domain enums;
//! required request fields are optional in Rust so that every missing field is reported at once
//! (the contract still marks them required).

use crate::models::field_error::FieldErrorView;
use app::registration::{self, Application};
use chrono::{DateTime, Utc};
use domain::eligibility::EligibilityOutcome;
use domain::roster::{MAX_MEMBERS, MIN_MEMBERS, RosterCounts, RosterMember};
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

impl From<QuestionnaireAnswers> for registration::application::Answers {
    fn from(answers: QuestionnaireAnswers) -> Self {
        Self {
            has_nhsmail_account: answers.has_nhsmail_account,
            ig_return_submitted: answers.ig_return_submitted,
            recent_passcode_received: answers.recent_passcode_received,
            knows_cqc_contact_id: answers.knows_cqc_contact_id,
            passcode_channel: answers.passcode_channel.map(Into::into),
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
    /// When the review decided (R-V1); null until then.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected, in the helpdesk's or the service's words; null unless rejected.
    pub decision_reason: Option<String>,
    /// What the status means and what comes next, ready to show.
    pub status_detail: String,
}

impl From<&registration::CqcDetails> for CqcDetails {
    fn from(details: &registration::CqcDetails) -> Self {
        Self { location_id: details.location_id.clone(), name: details.name.clone(), address: details.address.clone() }
    }
}

impl From<&registration::Practice> for PracticeView {
    fn from(practice: &registration::Practice) -> Self {
        Self {
            route: practice.route.into(),
            postcode: practice.postcode.clone(),
            name: practice.name.clone(),
            ods_code: practice.ods_code.clone(),
            cqc_location_id: practice.cqc_location_id.clone(),
            address_lines: practice.address_lines.clone(),
            registered_manager_email_on_record: practice.registered_manager_email_on_record,
            passcode_channels: practice.passcode_channels.iter().map(|c| (*c).into()).collect(),
            authentication_methods: practice.authentication_methods.iter().map(|m| (*m).into()).collect(),
            cqc_details: practice.cqc_details.as_ref().map(Into::into),
            cqc_details_confirmed: practice.cqc_details_confirmed,
            verified: practice.verified_at.is_some(),
            verified_at: practice.verified_at,
        }
    }
}

impl From<&Application> for ApplicationView {
    fn from(application: &Application) -> Self {
        Self {
            id: application.id.clone(),
            status: application.status.into(),
            eligibility: (&application.eligibility).into(),
            practice: application.practice.as_ref().map(Into::into),
            town: application.town.clone(),
            shared_mailbox_address: application.shared_mailbox_address.clone(),
            members: application.members.members.iter().map(MemberView::from).collect(),
            member_counts: application.members.counts.into(),
            missing: application.missing.iter().map(FieldErrorView::from).collect(),
            allowed_actions: application.allowed_actions.iter().map(|a| (*a).into()).collect(),
            support_contact: application.support_contact.clone(),
            created_at: application.created_at,
            updated_at: application.updated_at,
            expires_at: application.expires_at,
            submitted_at: application.submitted_at,
            decided_at: application.decided_at,
            decision_reason: application.decision_reason.clone(),
            status_detail: application.status_detail.clone(),
        }
    }
}

/// A new application and the token that gives access to it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = crate::examples::created_application)]
pub struct CreatedApplication {
    /// Bearer token for this application only. Shown once: keep it to resume the application
    /// (it works for at least 28 days of inactivity).
    #[schema(example = "dat_Q2hhbmdlIG1lIGJlZm9yZSB1c2UgaW4gcHJvZHVjdGlvbi4")]
    pub token: String,
    #[schema(example = "Bearer")]
    pub token_type: crate::wire::TokenType,
    pub application: ApplicationView,
}

pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"confirm_data_correct": true}))]
pub struct SubmissionRequest {
    /// "I confirm that all the data entered is correct to the best of my knowledge" (R-S1).
    #[serde(default)]
    #[schema(value_type = bool, required = true)]
    pub confirm_data_correct: Option<bool>,
}

/// What the applicant is told once the application is submitted: where it stands after the
/// review that runs at once (R-V1): `submitted` (waiting for the helpdesk), `approved`, or
/// `rejected` with the reason. A replayed submission (R-S2) answers with where it stands now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"application_id": "3f9a2c1e-7b4d-4e8f-a1b2-c3d4e5f6a7b8", "status": "submitted", "submitted_at": "2026-11-21T10:15:00Z",
    "shared_mailbox_address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net", "members": 4, "decision_reason": null,
    "next_steps": "Submitted and waiting for the helpdesk to review it. Once it is approved, each member receives an email with their username and a text message with a temporary password."}))]
pub struct SubmissionReceipt {
    #[schema(format = Uuid)]
    pub application_id: String,
    pub status: ApplicationStatus,
    pub submitted_at: DateTime<Utc>,
    pub shared_mailbox_address: String,
    pub members: usize,
    /// Why it was rejected, when the review has already rejected it (R-V1, R-E2); null otherwise.
    pub decision_reason: Option<String>,
    pub next_steps: String,
}

impl From<&registration::submission::Receipt> for SubmissionReceipt {
    fn from(receipt: &registration::submission::Receipt) -> Self {
        Self {
            application_id: receipt.application_id.clone(),
            status: receipt.status.into(),
            submitted_at: receipt.submitted_at,
            shared_mailbox_address: receipt.shared_mailbox_address.clone(),
            members: receipt.members,
            decision_reason: receipt.decision_reason.clone(),
            next_steps: receipt.next_steps.clone(),
        }
    }
}

//! Helpdesk review: list and search applications, see one in full (with what approval created
//! and the status of every message), approve or reject with a reason (R-V1).

use crate::admin::Admin;
use crate::extract::Json;
use crate::journey::{Context, RequestOrigin};
use crate::problem::{ApiError, FieldError, NotFoundForCaller, Problem, Validator};
use crate::routes::admin::NoHelpdeskToken;
use crate::state::AppState;
use crate::views::{ApplicationStatus, MemberView, PracticeRoute};
use crate::wire::{
    AccountStatus, IgAssessmentKind, MessageChannel, MessageProvider, MessageStatus, MessageTemplate, from_code,
};
use actix_web::{HttpResponse, get, post, web};
use app::paging;
use app::review::ig_of_record;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, Utc};
use domain::ProblemCode;
use domain::review::RejectionReason;
use persistence::accounts;
use persistence::applications::{self, ApplicationFilter, ApplicationRow};
use persistence::outbox;
use persistence::time::from_db;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationQuery {
    /// Only applications in this status.
    pub status: Option<ApplicationStatus>,
    /// The practice postcode, any case and spacing. Empty filters are ignored.
    #[param(example = "SW19 4AB", max_length = 16, pattern = r"^[A-Za-z0-9 ]*$")]
    pub postcode: Option<String>,
    #[param(example = "V12345", max_length = 20)]
    pub ods_code: Option<String>,
    #[param(example = "1-1002733005", max_length = 24)]
    pub cqc_location_id: Option<String>,
    /// Part of the practice name, any case.
    #[param(example = "dental", max_length = 100)]
    pub practice_name: Option<String>,
    /// `next_cursor` from the previous page.
    #[param(min_length = 1, max_length = 200, pattern = r"^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "3f9a2c1e-7b4d-4e8f-a1b2-c3d4e5f6a7b8", "status": "submitted", "practice_name": "SAMPLE DENTAL CARE", "ods_code": "V12345",
    "cqc_location_id": "1-1002733005", "postcode": "SW19 4AB", "route": "b", "created_at": "2026-11-21T09:00:00Z", "submitted_at": "2026-11-21T10:15:00Z"}))]
pub struct ApplicationSummary {
    #[schema(format = Uuid)]
    pub id: String,
    pub status: ApplicationStatus,
    pub practice_name: Option<String>,
    pub ods_code: Option<String>,
    pub cqc_location_id: Option<String>,
    pub postcode: Option<String>,
    /// Left out until the practice is identified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub route: Option<PracticeRoute>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = crate::examples::application_page)]
pub struct ApplicationPage {
    pub items: Vec<ApplicationSummary>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

fn summary(row: &ApplicationRow) -> ApplicationSummary {
    ApplicationSummary {
        id: row.id.clone(),
        status: domain::journey::ApplicationStatus::parse(&row.status)
            .unwrap_or(domain::journey::ApplicationStatus::Draft)
            .into(),
        practice_name: row.practice_name.clone(),
        ods_code: row.ods_code.clone(),
        cqc_location_id: row.cqc_location_id.clone(),
        postcode: row.postcode.clone(),
        route: row.route.as_deref().and_then(domain::journey::Route::parse).map(Into::into),
        created_at: from_db(row.created_at),
        submitted_at: row.submitted_at.map(from_db),
    }
}

fn encode_cursor(row: &ApplicationRow) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}", row.created_at.format("%Y-%m-%dT%H:%M:%S%.6f"), row.id))
}

fn decode_cursor(cursor: &str) -> Option<(NaiveDateTime, String)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (time, id) = text.split_once('|')?;
    Some((NaiveDateTime::parse_from_str(time, "%Y-%m-%dT%H:%M:%S%.6f").ok()?, id.to_owned()))
}

/// List and search applications
///
/// Applications, newest first, filtered by status, postcode, ODS code, CQC location ID or part of
/// the practice name, a page at a time (`next_cursor`).
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "listApplications",
    security(("helpdesk_token" = [])),
    params(ApplicationQuery),
    responses(
        (status = 200, description = "A page of applications.", body = ApplicationPage),
        (status = 401, response = NoHelpdeskToken),
        (status = 422, description = "A bad filter or cursor.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/query/limit", "code": "out_of_range", "detail": "Give a page size from 1 to 100."}]})),
    )
)]
#[get("/v1/admin/applications")]
pub async fn list_applications(
    state: web::Data<AppState>,
    _admin: Admin,
    query: crate::extract::Query<ApplicationQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::new();
    let limit = paging::limit(&mut v, query.limit);
    let after = paging::after(&mut v, query.cursor.as_deref(), decode_cursor);
    let given = |value: &Option<String>| value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let postcode = match given(&query.postcode) {
        Some(p) => v.check("/query/postcode", domain::postcode::Postcode::parse(&p)).map(|p| p.as_str().to_owned()),
        None => None,
    };
    v.finish(|| Some(()))?;
    let filter = ApplicationFilter {
        status: query.status.map(|s| domain::journey::ApplicationStatus::from(s).code().to_owned()),
        postcode,
        ods_code: given(&query.ods_code).map(|o| o.to_uppercase()),
        cqc_location_id: given(&query.cqc_location_id),
        practice_name: given(&query.practice_name),
    };
    let mut rows = state.db(move |conn| Ok(applications::search(conn, &filter, after, limit + 1)?)).await?;
    let next_cursor = paging::cut(&mut rows, limit, encode_cursor);
    Ok(HttpResponse::Ok().json(ApplicationPage { items: rows.iter().map(summary).collect(), next_cursor }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"assessment": "igt", "value": "2", "assessed_on": "2018-03-31", "satisfactory": true, "description": "IG Toolkit level 2 (2018-03-31)"}))]
pub struct IgStatusView {
    pub assessment: IgAssessmentKind,
    pub value: Option<String>,
    pub assessed_on: Option<chrono::NaiveDate>,
    pub satisfactory: bool,
    pub description: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(example = "david.smith@nhs.net")]
    pub username: String,
    pub status: AccountStatus,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub is_owner: bool,
    pub is_mailbox_admin: bool,
    pub has_shared_mailbox_access: bool,
}

/// An outgoing message as the helpdesk sees it: where and how it went, never its content.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "7c1b2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e", "channel": "sms", "template": "temporary_password_sms", "recipient": "+447912345678",
    "status": "sent", "attempts": 1, "last_error": null, "provider": "notify", "provider_reference": "740e5834-3a29-46b4-9a6f-16142fde533a",
    "created_at": "2026-11-21T10:15:00Z", "sent_at": "2026-11-21T10:15:02Z", "delivery_status": "delivered", "delivered_at": "2026-11-21T10:15:09Z"}))]
pub struct MessageView {
    #[schema(format = Uuid)]
    pub id: String,
    pub channel: MessageChannel,
    pub template: MessageTemplate,
    /// The email address, mobile number or postcode the message went to.
    pub recipient: String,
    pub status: MessageStatus,
    #[schema(minimum = 0)]
    pub attempts: i32,
    pub last_error: Option<String>,
    /// The provider that took it; left out until one has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub provider: Option<MessageProvider>,
    pub provider_reference: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// What the provider reported after accepting it, e.g. `delivered` or `permanent-failure`.
    pub delivery_status: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl TryFrom<&outbox::MessageRow> for MessageView {
    type Error = ApiError;

    fn try_from(row: &outbox::MessageRow) -> Result<Self, ApiError> {
        let stored = |what: &str| ApiError::internal(format!("stored message {what} is not known"));
        Ok(Self {
            id: row.id.clone(),
            channel: from_code(&row.channel).ok_or_else(|| stored("channel"))?,
            template: from_code(&row.template).ok_or_else(|| stored("template"))?,
            recipient: row.recipient.clone(),
            status: from_code(&row.status).ok_or_else(|| stored("status"))?,
            attempts: row.attempts,
            last_error: row.last_error.clone(),
            provider: row.provider.as_deref().map(|p| from_code(p).ok_or_else(|| stored("provider"))).transpose()?,
            provider_reference: row.provider_reference.clone(),
            created_at: from_db(row.created_at),
            sent_at: row.sent_at.map(from_db),
            delivery_status: row.delivery_status.clone(),
            delivered_at: row.delivered_at.map(from_db),
        })
    }
}

/// An application in full, as the helpdesk sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = crate::examples::admin_application_view)]
pub struct AdminApplicationView {
    #[schema(format = Uuid)]
    pub id: String,
    pub status: ApplicationStatus,
    pub practice_name: Option<String>,
    pub ods_code: Option<String>,
    pub cqc_location_id: Option<String>,
    pub postcode: Option<String>,
    /// Left out until the practice is identified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub route: Option<PracticeRoute>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    /// The IG status the register holds for the practice (route A); left out on route B.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub ig_status_of_record: Option<IgStatusView>,
    pub address_lines: Vec<String>,
    pub town: Option<String>,
    pub shared_mailbox_address: Option<String>,
    pub members: Vec<MemberView>,
    /// Accounts created on approval.
    pub accounts: Vec<AccountView>,
    /// Every message about this application and its accounts, oldest first.
    pub messages: Vec<MessageView>,
}

fn load_view(
    conn: &mut persistence::DbConnection,
    id: &str,
    state: &AppState,
) -> Result<AdminApplicationView, ApiError> {
    let ctx = Context::load(conn, id)?;
    let roster = ctx.roster()?;
    let mailbox = accounts::mailbox_for_application(conn, id)?;
    let rights: Vec<(accounts::AccountRow, bool, bool)> = match &mailbox {
        Some(mailbox) => accounts::mailbox_members(conn, &mailbox.id)?,
        None => Vec::new(),
    };
    let mut created = accounts::accounts_for_application(conn, id)?;
    // Roster order: each account came from the member with its mobile.
    created.sort_by_key(|account| {
        ctx.members.iter().position(|m| Some(&m.mobile) == account.mobile.as_ref()).unwrap_or(usize::MAX)
    });
    let mut messages = outbox::for_subject(conn, "application", id)?;
    for account in &created {
        messages.extend(outbox::for_subject(conn, "account", &account.id)?);
    }
    messages.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let ig = ctx.practice.as_ref().map(|practice| {
        let status = ig_of_record(practice);
        IgStatusView {
            assessment: from_code(&practice.record.ig_assessment).unwrap_or(IgAssessmentKind::None),
            value: practice.record.ig_value.clone(),
            assessed_on: practice.record.ig_assessed_on,
            satisfactory: status.is_satisfactory(),
            description: status.to_string(),
        }
    });
    let address_lines = match (&ctx.practice, &ctx.cqc) {
        (Some(p), _) => p.record.address_lines(),
        (None, Some(c)) => c.record.address_lines(),
        _ => Vec::new(),
    };
    let summary = summary(&ctx.application);
    Ok(AdminApplicationView {
        id: summary.id,
        status: summary.status,
        practice_name: summary.practice_name,
        ods_code: summary.ods_code,
        cqc_location_id: summary.cqc_location_id,
        postcode: summary.postcode,
        route: summary.route,
        created_at: summary.created_at,
        submitted_at: summary.submitted_at,
        decided_at: ctx.application.decided_at.map(from_db),
        decision_reason: ctx.application.decision_reason.clone(),
        ig_status_of_record: ig,
        address_lines,
        town: ctx.application.town.clone(),
        shared_mailbox_address: mailbox
            .map(|m| m.address)
            .or_else(|| ctx.mailbox_address(&state.config.app.mail_domain).map(|a| a.as_str().to_owned())),
        members: roster.members().iter().zip(&ctx.members).map(|(m, row)| MemberView::new(m, row.position)).collect(),
        accounts: created
            .iter()
            .map(|account| {
                let right = rights.iter().find(|(a, _, _)| a.id == account.id);
                AccountView {
                    id: account.id.clone(),
                    username: account.username.clone(),
                    status: account.status().into(),
                    first_name: account.first_name.clone(),
                    last_name: account.last_name.clone(),
                    is_owner: right.is_some_and(|(_, owner, _)| *owner),
                    is_mailbox_admin: right.is_some_and(|(_, _, admin)| *admin),
                    has_shared_mailbox_access: right.is_some(),
                }
            })
            .collect(),
        messages: messages.iter().map(MessageView::try_from).collect::<Result<_, _>>()?,
    })
}

/// One application in full
///
/// One application in full: practice and IG status of record, members, and once approved the
/// accounts created and the status of every message sent.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "getApplicationForReview",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "The application.", body = AdminApplicationView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
    )
)]
#[get("/v1/admin/applications/{id}")]
pub async fn get_application(
    state: web::Data<AppState>,
    _admin: Admin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let worker = state.clone();
    let view = state.db(move |conn| load_view(conn, &id, &worker)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Approve a submitted application
///
/// Approve a submitted application: the shared mailbox, accounts and messages are created in one
/// transaction (R-A1–R-A4).
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "approveApplication",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "Approved and provisioned.", body = AdminApplicationView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Not a submitted application (already decided, or still a draft).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "application_not_submitted", "rule": "R-V1", "detail": "Only a submitted application can be decided; this one is approved."})),
    )
)]
#[post("/v1/admin/applications/{id}/approval")]
pub async fn approve_application(
    state: web::Data<AppState>,
    admin: Admin,
    origin: RequestOrigin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    app::review::approve(&state.app, &id, &app::audit::By::new(admin.actor(), origin.0)).await?;
    let worker = state.clone();
    let view = state.db(move |conn| load_view(conn, &id, &worker)).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The practice's IG Toolkit return shows level 1; level 2 is required."}))]
pub struct RejectionRequest {
    /// Why, in words the applicant will read in the rejection email.
    #[serde(default)]
    #[schema(schema_with = crate::schemas::reason, required = true)]
    pub reason: Option<String>,
}

/// Reject a submitted application with a reason
///
/// Reject a submitted application with a reason; the shared mailbox owners are told by email
/// (R-V1). The practice and the members' mobiles are released.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "rejectApplication",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = RejectionRequest,
    responses(
        (status = 200, description = "Rejected; the rejection email is queued.", body = AdminApplicationView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Not a submitted application.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "application_not_submitted", "rule": "R-V1", "detail": "Only a submitted application can be decided; this one is draft."})),
        (status = 422, description = "No reason given.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/reason", "code": "required", "rule": "R-V1", "detail": "Give the reason the applicant will be told."}]})),
    )
)]
#[post("/v1/admin/applications/{id}/rejection")]
pub async fn reject_application(
    state: web::Data<AppState>,
    admin: Admin,
    origin: RequestOrigin,
    path: web::Path<String>,
    body: Json<RejectionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = body
        .0
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty() && r.len() <= 2000)
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::validation(vec![FieldError::new(
                "/reason",
                ProblemCode::Required,
                Some("R-V1"),
                "Give the reason the applicant will be told (at most 2000 characters).",
            )])
        })?;
    app::review::reject(
        &state.app,
        &id,
        &RejectionReason::Helpdesk(reason),
        &app::audit::By::new(admin.actor(), origin.0),
    )
    .await?;
    let worker = state.clone();
    let view = state.db(move |conn| load_view(conn, &id, &worker)).await?;
    Ok(HttpResponse::Ok().json(view))
}

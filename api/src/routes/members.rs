//! The roster: add, edit and remove members until submission (R-R1–R-R8). Every response
//! carries the counts ("n of 10 specified (2 required)").

use crate::extract::Json;
use crate::journey::{Applicant, Context, RequestOrigin, in_draft, member_from_row};
use crate::problem::{ApiError, FieldError, NoApplicationToken, NotFoundForCaller, Problem, Validator};
use crate::schemas;
use crate::state::AppState;
use crate::views::{MemberCounts, MemberView, Role, Title};
use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use domain::ProblemCode;
use domain::contact::{Email, UkMobile};
use domain::journey::Action;
use domain::mailbox::MailDomain;
use domain::member::{self, MemberDetails, PersonName};
use domain::roster::{MemberField, PermissionChange, Roster, RosterError};
use persistence::DbConnection;
use persistence::applications::{self, MemberFields};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// Distinguishes a field left out (`None`) from one set to null (`Some(None)`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A new member (R-R4): names, email, mobile and role are required; the first member is the
/// shared mailbox owner.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Dr", "first_name": "Monika", "last_name": "Patel", "email": "mpatel@blackpooldentists.net", "mobile": "07998 765432", "role": "dentist", "is_mailbox_admin": true}))]
pub struct NewMember {
    #[serde(default)]
    #[schema(value_type = Title, nullable = false)]
    pub title: Option<String>,
    /// 1 to 50 letters, spaces, hyphens and apostrophes (R-R4).
    #[serde(default)]
    #[schema(schema_with = schemas::person_name, required = true)]
    pub first_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::person_name, required = true)]
    pub last_name: Option<String>,
    /// A business or personal address, not on NHSmail (R-R5).
    #[serde(default)]
    #[schema(schema_with = schemas::email, required = true)]
    pub email: Option<String>,
    /// A UK mobile: 07…, +44 7… or 0044 7…, with any spaces, dashes or brackets (R-R6).
    #[serde(default)]
    #[schema(schema_with = schemas::mobile, required = true)]
    pub mobile: Option<String>,
    #[serde(default)]
    #[schema(value_type = Role, required = true)]
    pub role: Option<String>,
    /// Make a shared mailbox owner (at most 2; the first member always is one) (R-R2).
    #[serde(default)]
    #[schema(nullable = false)]
    pub is_owner: Option<bool>,
    /// Give admin rights over the shared mailbox; implies access (R-R3).
    #[serde(default)]
    #[schema(nullable = false)]
    pub is_mailbox_admin: Option<bool>,
    /// Give access to the shared mailbox; removing it removes admin rights (R-R3).
    #[serde(default)]
    #[schema(nullable = false)]
    pub has_shared_mailbox_access: Option<bool>,
}

/// Changes to a member: only the fields sent change (R-R8). Send `"title": null` to clear the
/// title.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mobile": "07998 765433", "is_mailbox_admin": false}))]
pub struct MemberChanges {
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = schemas::title_or_null)]
    pub title: Option<Option<String>>,
    #[serde(default)]
    #[schema(schema_with = schemas::person_name)]
    pub first_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::person_name)]
    pub last_name: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::email)]
    pub email: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::mobile)]
    pub mobile: Option<String>,
    #[serde(default)]
    #[schema(value_type = Role, nullable = false)]
    pub role: Option<String>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub is_owner: Option<bool>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub is_mailbox_admin: Option<bool>,
    #[serde(default)]
    #[schema(nullable = false)]
    pub has_shared_mailbox_access: Option<bool>,
}

/// What either request gives: the fields sent.
#[derive(Debug, Default)]
struct MemberInput {
    title: Option<Option<String>>,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    mobile: Option<String>,
    role: Option<String>,
    is_owner: Option<bool>,
    is_mailbox_admin: Option<bool>,
    has_shared_mailbox_access: Option<bool>,
}

impl From<NewMember> for MemberInput {
    fn from(m: NewMember) -> Self {
        Self {
            title: m.title.map(Some),
            first_name: m.first_name,
            last_name: m.last_name,
            email: m.email,
            mobile: m.mobile,
            role: m.role,
            is_owner: m.is_owner,
            is_mailbox_admin: m.is_mailbox_admin,
            has_shared_mailbox_access: m.has_shared_mailbox_access,
        }
    }
}

impl From<MemberChanges> for MemberInput {
    fn from(m: MemberChanges) -> Self {
        Self {
            title: m.title,
            first_name: m.first_name,
            last_name: m.last_name,
            email: m.email,
            mobile: m.mobile,
            role: m.role,
            is_owner: m.is_owner,
            is_mailbox_admin: m.is_mailbox_admin,
            has_shared_mailbox_access: m.has_shared_mailbox_access,
        }
    }
}

impl MemberInput {
    fn change(&self) -> PermissionChange {
        PermissionChange { owner: self.is_owner, admin: self.is_mailbox_admin, access: self.has_shared_mailbox_access }
    }

    /// The member's details: the fields sent, over `current` when editing. Reports every bad field.
    fn details(&self, current: Option<&MemberDetails>, mail_domain: &MailDomain) -> Result<MemberDetails, ApiError> {
        fn field<T, E: domain::Violation>(
            v: &mut Validator,
            pointer: &str,
            given: Option<&str>,
            current: Option<T>,
            parse: impl Fn(&str) -> Result<T, E>,
        ) -> Option<T> {
            match (given, current) {
                (Some(value), _) => v.check(pointer, parse(value)),
                (None, Some(current)) => Some(current),
                (None, None) => v.check(pointer, parse("")),
            }
        }
        let mut v = Validator::new();
        let title = match &self.title {
            Some(Some(value)) if !value.trim().is_empty() => v.check("/title", member::Title::parse(value)).map(Some),
            Some(_) => Some(None),
            None => Some(current.and_then(|c| c.title)),
        };
        let first_name = field(
            &mut v,
            "/first_name",
            self.first_name.as_deref(),
            current.map(|c| c.first_name.clone()),
            PersonName::parse,
        );
        let last_name = field(
            &mut v,
            "/last_name",
            self.last_name.as_deref(),
            current.map(|c| c.last_name.clone()),
            PersonName::parse,
        );
        let email = field(&mut v, "/email", self.email.as_deref(), current.map(|c| c.email.clone()), |s| {
            Email::parse(s, mail_domain)
        });
        let mobile =
            field(&mut v, "/mobile", self.mobile.as_deref(), current.map(|c| c.mobile.clone()), UkMobile::parse);
        let role = match (self.role.as_deref(), current) {
            (Some(value), _) => v.check("/role", member::Role::parse(value)),
            (None, Some(current)) => Some(current.role),
            (None, None) => {
                v.push(FieldError::new("/role", ProblemCode::Required, Some("R-R4"), "Choose a role from the list."));
                None
            }
        };
        Ok(v.finish(|| {
            Some(MemberDetails {
                title: title?,
                first_name: first_name?,
                last_name: last_name?,
                email: email?,
                mobile: mobile?,
                role: role?,
            })
        })?)
    }
}

fn member_field_pointer(field: Option<MemberField>) -> &'static str {
    match field {
        Some(MemberField::Email) => "/email",
        Some(MemberField::Mobile) => "/mobile",
        Some(MemberField::Owner) => "/is_owner",
        Some(MemberField::Admin) => "/is_mailbox_admin",
        Some(MemberField::Access) => "/has_shared_mailbox_access",
        None => "",
    }
}

/// Roster refusals: a full roster or a missing member are about state (409, 404); the rest point
/// at the field that breaks the rule (422).
fn roster_refusal(errors: Vec<RosterError>) -> ApiError {
    if errors.contains(&RosterError::MemberNotFound) {
        return ApiError::not_found();
    }
    if let Some(full) = errors.iter().find(|e| **e == RosterError::TooManyMembers) {
        return ApiError::refused(full);
    }
    ApiError::validation(
        errors.iter().map(|e| FieldError::from_violation(member_field_pointer(e.field()), e)).collect(),
    )
}

/// R-R7 at entry: a mobile already held by a submitted application or an account is refused
/// now rather than at submission.
fn check_mobile_free(conn: &mut DbConnection, mobile: &UkMobile) -> Result<(), ApiError> {
    if applications::reserved_mobiles(conn, &[mobile.as_str().to_owned()])?.is_empty() {
        Ok(())
    } else {
        let conflict = domain::conflict::Conflict::MobileAlreadyRegistered;
        Err(ApiError::validation(vec![FieldError::from_violation("/mobile", &conflict)]))
    }
}

fn fields(member: &domain::roster::RosterMember<String>) -> MemberFields {
    MemberFields {
        title: member.details.title.map(|t| t.as_str().to_owned()),
        first_name: member.details.first_name.as_str().to_owned(),
        last_name: member.details.last_name.as_str().to_owned(),
        email: member.details.email.as_str().to_owned(),
        mobile: member.details.mobile.as_str().to_owned(),
        role: member.details.role.code().to_owned(),
        permission: member.permission.code().to_owned(),
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = crate::examples::member_response)]
pub struct MemberResponse {
    pub member: MemberView,
    pub counts: MemberCounts,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = crate::examples::member_list)]
pub struct MemberList {
    pub members: Vec<MemberView>,
    pub counts: MemberCounts,
}

fn list(ctx: &Context) -> Result<MemberList, ApiError> {
    let roster = ctx.roster()?;
    Ok(MemberList {
        members: roster.members().iter().zip(&ctx.members).map(|(m, row)| MemberView::new(m, row.position)).collect(),
        counts: roster.counts().into(),
    })
}

fn respond(conn: &mut DbConnection, id: &str, member_id: &str) -> Result<MemberResponse, ApiError> {
    let ctx = Context::load(conn, id)?;
    let row = ctx.members.iter().find(|m| m.id == member_id).ok_or_else(ApiError::not_found)?;
    Ok(MemberResponse {
        member: MemberView::new(&member_from_row(row)?, row.position),
        counts: ctx.roster()?.counts().into(),
    })
}

/// The members so far
///
/// The roster in order (the first member is the shared mailbox owner), with the counts
/// ("n of 10 specified (2 required)", R-R1).
#[utoipa::path(
    tag = "registration",
    operation_id = "listMembers",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    responses(
        (status = 200, description = "The roster.", body = MemberList),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
    )
)]
#[get("/v1/applications/{id}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    applicant: Applicant,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = applicant.owns(&path)?;
    let members = state.db(move |conn| list(&Context::load(conn, &id)?)).await?;
    Ok(HttpResponse::Ok().json(members))
}

/// Add a member (R-R1–R-R7)
///
/// The first member is the shared mailbox owner.
#[utoipa::path(
    tag = "registration",
    operation_id = "addMember",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = NewMember,
    responses(
        (status = 201, description = "Added.", body = MemberResponse, headers(("Location" = String, description = "The member's URL"))),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Ten members already (R-R1), practice not verified, or already submitted (R-S3).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "roster_full", "rule": "R-R1", "detail": "A practice can register at most 10 members."})),
        (status = 422, description = "Every invalid field, and roster rules broken by this member (third owner, duplicate email or mobile, a mobile already registered).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "2 fields are not valid.",
                "errors": [{"pointer": "/email", "code": "email_is_nhsmail", "rule": "R-R5", "detail": "This is an NHSmail address: people who already have NHSmail must not be added; the shared mailbox owner can link their account later."},
                           {"pointer": "/mobile", "code": "mobile_personal_number", "rule": "R-R6", "detail": "070 numbers are personal numbers, not mobiles; enter a UK mobile number."}]})),
    )
)]
#[post("/v1/applications/{id}/members")]
pub async fn add_member(
    state: web::Data<AppState>,
    applicant: Applicant,
    origin: RequestOrigin,
    path: web::Path<String>,
    body: Json<NewMember>,
) -> Result<HttpResponse, ApiError> {
    let id = applicant.owns(&path)?;
    let config = state.config.clone();
    let input = MemberInput::from(body.0);
    let response =
        in_draft(&state, &applicant, &origin, Action::AddMember, "application.member_added", move |conn, ctx, now| {
            let mut roster: Roster<String> = ctx.roster()?;
            if roster.counts().remaining() == 0 {
                return Err(ApiError::refused(&RosterError::TooManyMembers));
            }
            let details = input.details(None, &config.app.mail_domain)?;
            check_mobile_free(conn, &details.mobile)?;
            let member_id = uuid::Uuid::new_v4().to_string();
            roster.add(member_id.clone(), details, input.change()).map_err(roster_refusal)?;
            let added = roster.get(&member_id).ok_or_else(|| ApiError::internal("added member missing"))?;
            applications::insert_member(conn, &id, &member_id, &fields(added), now)?;
            Ok((respond(conn, &id, &member_id)?, serde_json::json!({"member_id": member_id})))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/applications/{}/members/{}", path, response.member.id)))
        .json(response))
}

/// Edit a member (R-R2, R-R3, R-R8)
///
/// Only the fields sent change; `"title": null` clears the title. Every field is checked as when
/// adding, and the roster rules still hold (the only owner cannot be demoted).
#[utoipa::path(
    tag = "registration",
    operation_id = "editMember",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id"), ("member_id" = String, Path, description = "Member id")),
    request_body = MemberChanges,
    responses(
        (status = 200, description = "Changed.", body = MemberResponse),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Already submitted (R-S3).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "application_read_only", "rule": "R-S3", "detail": "This application has been submitted and can no longer be changed."})),
        (status = 422, description = "Every invalid field and roster rule broken, e.g. demoting the only owner.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/is_owner", "code": "only_owner", "rule": "R-R8", "detail": "This member is the only shared mailbox owner; make another member an owner first."}]})),
    )
)]
#[patch("/v1/applications/{id}/members/{member_id}")]
pub async fn edit_member(
    state: web::Data<AppState>,
    applicant: Applicant,
    origin: RequestOrigin,
    path: web::Path<(String, String)>,
    body: Json<MemberChanges>,
) -> Result<HttpResponse, ApiError> {
    let (path_id, member_id) = path.into_inner();
    let id = applicant.owns(&path_id)?;
    let config = state.config.clone();
    let input = MemberInput::from(body.0);
    let response = in_draft(
        &state,
        &applicant,
        &origin,
        Action::EditMember,
        "application.member_edited",
        move |conn, ctx, now| {
            let mut roster: Roster<String> = ctx.roster()?;
            let current = roster.get(&member_id).ok_or_else(ApiError::not_found)?.clone();
            let details = input.details(Some(&current.details), &config.app.mail_domain)?;
            if details.mobile != current.details.mobile {
                check_mobile_free(conn, &details.mobile)?;
            }
            roster.update(&member_id, details, input.change()).map_err(roster_refusal)?;
            let changed = roster.get(&member_id).ok_or_else(|| ApiError::internal("edited member missing"))?;
            applications::update_member(conn, &member_id, &fields(changed), now)?;
            Ok((respond(conn, &id, &member_id)?, serde_json::json!({"member_id": member_id})))
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(response))
}

/// Remove a member (R-R8)
///
/// The only owner cannot be removed.
#[utoipa::path(
    tag = "registration",
    operation_id = "removeMember",
    security(("application_token" = [])),
    params(("id" = String, Path, description = "Application id"), ("member_id" = String, Path, description = "Member id")),
    responses(
        (status = 200, description = "Removed; the remaining roster.", body = MemberList),
        (status = 401, response = NoApplicationToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "The only owner (R-R8), or already submitted (R-S3).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "only_owner", "rule": "R-R8", "detail": "This member is the only shared mailbox owner; make another member an owner first."})),
    )
)]
#[delete("/v1/applications/{id}/members/{member_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    applicant: Applicant,
    origin: RequestOrigin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (path_id, member_id) = path.into_inner();
    let id = applicant.owns(&path_id)?;
    let members = in_draft(
        &state,
        &applicant,
        &origin,
        Action::RemoveMember,
        "application.member_removed",
        move |conn, ctx, _| {
            let mut roster: Roster<String> = ctx.roster()?;
            roster.remove(&member_id).map_err(|e| match e {
                RosterError::MemberNotFound => ApiError::not_found(),
                other => ApiError::refused(&other),
            })?;
            applications::delete_member(conn, &member_id)?;
            Ok((list(&Context::load(conn, &id)?)?, serde_json::json!({"member_id": member_id})))
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(members))
}

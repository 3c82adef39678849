//! The roster: add, edit and remove members until submission (R-R1–R-R8). Every response
//! carries the counts ("n of 10 specified (2 required)").

use crate::http::caller::Caller;
use crate::http::extract::Json;
use crate::http::problem::{ApiError, NoApplicationToken, NotFoundForCaller, Problem};
use crate::models::members::{MemberChanges, MemberList, MemberResponse, NewMember};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use app::registration::members;

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
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let roster = members::list(&state.app, &caller, &path).await?;
    Ok(HttpResponse::Ok().json(MemberList::from(&roster)))
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
    caller: Caller,
    path: web::Path<String>,
    body: Json<NewMember>,
) -> Result<HttpResponse, ApiError> {
    let added = members::add(&state.app, &caller, &path, body.0.into()).await?;
    let response = MemberResponse::from(&added);
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
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Json<MemberChanges>,
) -> Result<HttpResponse, ApiError> {
    let (id, member_id) = path.into_inner();
    let changed = members::edit(&state.app, &caller, &id, &member_id, body.0.into()).await?;
    Ok(HttpResponse::Ok().json(MemberResponse::from(&changed)))
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
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, member_id) = path.into_inner();
    let roster = members::remove(&state.app, &caller, &id, &member_id).await?;
    Ok(HttpResponse::Ok().json(MemberList::from(&roster)))
}

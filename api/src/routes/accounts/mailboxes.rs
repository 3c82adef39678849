//! Shared mailbox management by its owners and admins (R-B1, R-B2).

use crate::http::caller::Caller;
use crate::http::extract::Json;
use crate::http::problem::{ApiError, NotFoundForCaller, Problem};
use crate::models::accounts::{NoAccountToken, ScopeTooNarrow};
use crate::models::mailboxes::{AccountRef, ChangeRights, LinkAccount, SharedMailbox};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use app::accounts::mailboxes;

/// A shared mailbox and who has access
///
/// For anyone with access (R-B1): the mailbox, your own rights, and everyone with access with
/// theirs. Find its id in `practices` of `GET /v1/account/me`. A mailbox you have no access to is
/// not found.
#[utoipa::path(
    tag = "accounts",
    operation_id = "getSharedMailbox",
    security(("account_token" = [])),
    params(("id" = String, Path, description = "Shared mailbox id")),
    responses(
        (status = 200, description = "The mailbox.", body = SharedMailbox),
        (status = 401, response = NoAccountToken),
        (status = 403, response = ScopeTooNarrow),
        (status = 404, response = NotFoundForCaller),
    )
)]
#[get("/v1/account/mailboxes/{id}")]
pub async fn get_shared_mailbox(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(SharedMailbox::from(mailboxes::view(&state.app, &caller, &path).await?)))
}

/// Give an account access
///
/// Owners and admins link an account of this service by its username, with admin rights or not
/// (R-B2). It takes effect at once, is audited, and the holder is told by email. Answers the
/// mailbox as it now is.
#[utoipa::path(
    tag = "accounts",
    operation_id = "linkMailboxAccount",
    security(("account_token" = [])),
    params(("id" = String, Path, description = "Shared mailbox id")),
    request_body = LinkAccount,
    responses(
        (status = 201, description = "Linked.", body = SharedMailbox),
        (status = 401, response = NoAccountToken),
        (status = 403, description = "You have access but are not an owner or admin (`mailbox_admin_required`), or your session's scope does not allow this yet.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/forbidden", "title": "You are not allowed to do this", "status": 403, "code": "mailbox_admin_required", "rule": "R-B2", "detail": "Only the shared mailbox's owners and admins can change who has access to it."})),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "The account has access already (`already_exists`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "already_exists", "rule": "R-B2", "detail": "This account has access to the shared mailbox already."})),
        (status = 422, description = "No username, or no account of this service has it (`not_found`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/username", "code": "not_found", "rule": "R-B2", "detail": "No account of this service has this username. Staff whose NHSmail account was made elsewhere are linked by the helpdesk."}]})),
    )
)]
#[post("/v1/account/mailboxes/{id}/members")]
pub async fn link_mailbox_account(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<LinkAccount>,
) -> Result<HttpResponse, ApiError> {
    let LinkAccount { username, is_admin } = body.0;
    let view = mailboxes::link(&state.app, &caller, &path, username, is_admin).await?;
    Ok(HttpResponse::Created().json(SharedMailbox::from(view)))
}

/// Change an account's rights
///
/// Grant or revoke admin rights (owners and admins), nominate an owner or take owner rights away
/// (owners only; at most 2 owners, never fewer than 1: R-R2). Owner rights change first when both
/// are given. Changing nothing is allowed. Effects, audit and email as for linking.
#[utoipa::path(
    tag = "accounts",
    operation_id = "changeMailboxRights",
    security(("account_token" = [])),
    params(("id" = String, Path, description = "Shared mailbox id"), ("account_id" = String, Path, description = "Account id of someone with access")),
    request_body = ChangeRights,
    responses(
        (status = 200, description = "Changed.", body = SharedMailbox),
        (status = 401, response = NoAccountToken),
        (status = 403, description = "Not an owner or admin (`mailbox_admin_required`), or an admin touching an owner's rights or nominating one (`mailbox_owner_required`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/forbidden", "title": "You are not allowed to do this", "status": 403, "code": "mailbox_owner_required", "rule": "R-B2", "detail": "Only an owner can nominate an owner or change an owner's rights."})),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Two owners already (`too_many_owners`), the last owner (`only_owner`), or an owner's admin rights (`owner_has_full_rights`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "too_many_owners", "rule": "R-R2", "detail": "A shared mailbox has at most 2 owners."})),
        (status = 422, description = "Neither `is_admin` nor `is_owner` given.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/is_admin", "code": "required", "rule": "R-B2", "detail": "Give is_admin, is_owner or both."}]})),
    )
)]
#[patch("/v1/account/mailboxes/{id}/members/{account_id}")]
pub async fn change_mailbox_rights(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Json<ChangeRights>,
) -> Result<HttpResponse, ApiError> {
    let (mailbox, account) = path.into_inner();
    let view = mailboxes::change(&state.app, &caller, &mailbox, &account, body.0.into()).await?;
    Ok(HttpResponse::Ok().json(SharedMailbox::from(view)))
}

/// Take an account's access away
///
/// Owners and admins unlink an account (R-B2); an owner's access goes only once their owner
/// rights have been taken away. You may unlink yourself. Effects, audit and email as for linking.
#[utoipa::path(
    tag = "accounts",
    operation_id = "unlinkMailboxAccount",
    security(("account_token" = [])),
    params(("id" = String, Path, description = "Shared mailbox id"), ("account_id" = String, Path, description = "Account id of someone with access")),
    responses(
        (status = 204, description = "Unlinked."),
        (status = 401, response = NoAccountToken),
        (status = 403, description = "Not an owner or admin, or an admin unlinking an owner.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/forbidden", "title": "You are not allowed to do this", "status": 403, "code": "mailbox_admin_required", "rule": "R-B2", "detail": "Only the shared mailbox's owners and admins can change who has access to it."})),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "An owner: take the owner rights away first (`owner_has_full_rights`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "owner_has_full_rights", "rule": "R-R2", "detail": "An owner always has access and admin rights: take the owner rights away first."})),
    )
)]
#[delete("/v1/account/mailboxes/{id}/members/{account_id}")]
pub async fn unlink_mailbox_account(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (mailbox, account) = path.into_inner();
    mailboxes::unlink(&state.app, &caller, &mailbox, &account).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Mark someone of the practice as a leaver
///
/// Owners and admins mark someone of their practice, with access or not, as having left (R-L5);
/// only an owner marks an owner, themselves included. At once their sessions end and they lose
/// access and any owner or admin rights to every shared mailbox; they are told by email
/// (`leaver_email`) and the account is deleted and erased `LEAVER_GRACE_DAYS` (30) later unless
/// another practice takes it on as a joiner first. If the only owner leaves, the mailbox shows
/// `needs_owner` until the helpdesk assigns one. Safe to repeat.
#[utoipa::path(
    tag = "accounts",
    operation_id = "markLeaver",
    security(("account_token" = [])),
    params(("id" = String, Path, description = "Shared mailbox id")),
    request_body = AccountRef,
    responses(
        (status = 200, description = "Marked; the mailbox as it now is.", body = SharedMailbox),
        (status = 401, response = NoAccountToken),
        (status = 403, description = "Not an owner or admin (`mailbox_admin_required`), or an admin marking an owner (`mailbox_owner_required`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/forbidden", "title": "You are not allowed to do this", "status": 403, "code": "mailbox_owner_required", "rule": "R-B2", "detail": "Only an owner can nominate an owner or change an owner's rights."})),
        (status = 404, response = NotFoundForCaller),
        (status = 422, description = "No account id.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/account_id", "code": "required", "detail": "This is required."}]})),
    )
)]
#[post("/v1/account/mailboxes/{id}/leavers")]
pub async fn mark_leaver(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<AccountRef>,
) -> Result<HttpResponse, ApiError> {
    let account = body.0.account_id.unwrap_or_default();
    let view = mailboxes::mark_leaver(&state.app, &caller, &path, &account).await?;
    Ok(HttpResponse::Ok().json(SharedMailbox::from(view)))
}

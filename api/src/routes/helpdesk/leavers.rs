//! The helpdesk's side of leavers (R-L5): marking an account a leaver, and assigning an owner to a
//! shared mailbox whose only owner left.

use crate::http::caller::Caller;
use crate::http::extract::Json;
use crate::http::problem::{ApiError, NotFoundForCaller, Problem};
use crate::models::helpdesk::NoHelpdeskToken;
use crate::models::mailboxes::{AccountRef, LeaverView, SharedMailbox};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, post, web};
use app::helpdesk::leavers;

/// Mark an account as a leaver
///
/// As an owner or admin can for their practice (R-L5), for any account: its sessions end at once,
/// it loses access and any owner or admin rights to every shared mailbox, its holder is told by
/// email, and it is deleted and erased `LEAVER_GRACE_DAYS` (30) later unless another practice
/// takes it on as a joiner first. Safe to repeat: the first marking stands.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "helpdeskMarkLeaver",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 200, description = "Marked.", body = LeaverView),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
    )
)]
#[post("/v1/admin/accounts/{id}/leaver")]
pub async fn mark_leaver(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(LeaverView::from(leavers::mark(&state.app, &caller, &path).await?)))
}

/// Assign an owner to a shared mailbox
///
/// Makes a member of the practice (an account with access, or one made from the practice's
/// application; never a leaver) an owner, with access and admin rights (R-L5, R-R2): for a
/// mailbox whose only owner left (`needs_owner`). At most two owners. The new owner is told by
/// email. Safe to repeat.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "assignMailboxOwner",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Shared mailbox id")),
    request_body = AccountRef,
    responses(
        (status = 200, description = "The mailbox with its new owner.", body = SharedMailbox),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "Two owners already (`too_many_owners`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "too_many_owners", "rule": "R-R2", "detail": "A shared mailbox has at most 2 owners."})),
        (status = 422, description = "Not a member of the practice, or a leaver.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/account_id", "code": "not_found", "rule": "R-L5", "detail": "This account is not a member of the practice (or is a leaver)."}]})),
    )
)]
#[post("/v1/admin/mailboxes/{id}/owners")]
pub async fn assign_mailbox_owner(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: Json<AccountRef>,
) -> Result<HttpResponse, ApiError> {
    let view = leavers::assign_owner(&state.app, &caller, &path, body.0.account_id).await?;
    Ok(HttpResponse::Ok().json(SharedMailbox::from(view)))
}

/// Take owner rights away
///
/// With `assignMailboxOwner`, changes a practice's owner (R-R2): the account keeps access and
/// admin rights, and is told by email. Never the last owner: assign the new one first. Safe to
/// repeat.
#[utoipa::path(
    tag = "helpdesk",
    operation_id = "removeMailboxOwner",
    security(("helpdesk_token" = [])),
    params(("id" = String, Path, description = "Shared mailbox id"), ("account_id" = String, Path, description = "Account id of an owner")),
    responses(
        (status = 200, description = "The mailbox as it now is.", body = SharedMailbox),
        (status = 401, response = NoHelpdeskToken),
        (status = 404, response = NotFoundForCaller),
        (status = 409, description = "The last owner (`only_owner`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "only_owner", "rule": "R-R2", "detail": "The last owner cannot step down: nominate another owner first, or ask the helpdesk to change the owner."})),
    )
)]
#[delete("/v1/admin/mailboxes/{id}/owners/{account_id}")]
pub async fn remove_mailbox_owner(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (mailbox, account) = path.into_inner();
    let view = leavers::remove_owner(&state.app, &caller, &mailbox, &account).await?;
    Ok(HttpResponse::Ok().json(SharedMailbox::from(view)))
}

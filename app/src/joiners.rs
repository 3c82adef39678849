//! Joiners (R-L6): a shared mailbox owner asks for an account for a new member of staff, with the
//! same fields and rules as a registration's members (R-R4–R-R7: the mobile unique across the
//! service); the helpdesk approves it (or it is created at once with AUTO_APPROVE_JOINERS), and
//! the credentials go out as at registration (R-A4). An owner can also take on an existing account
//! (a leaver within its grace period, or someone of another practice) as a joiner: its deletion is
//! called off and it moves to the practice. A waiting request is all that is kept of the person
//! until the decision; rejection deletes it.

use crate::accounts::mailboxes::{MailboxView, as_rights, holder_with_access, refusal, tell, view_of};
use crate::helpdesk::as_admin;
use crate::registration::members::MemberInput;
use crate::review::{Home, NewMember, create_account};
use crate::secrets::new_temporary_password;
use crate::{App, Caller, Error, FieldError, audit};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use domain::mailbox_access::{AccessError, Notice, Rights};
use domain::member::{MemberDetails, Role, Title};
use persistence::joiners::{self, JoinerRow};
use persistence::time::from_db;
use persistence::{DbConnection, accounts, applications, leavers, mailboxes, write_transaction};

/// A request waiting for the helpdesk.
#[derive(Debug, Clone)]
pub struct JoinerRequest {
    pub id: String,
    pub mailbox_id: String,
    pub title: Option<Title>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub mobile: String,
    pub role: Role,
    pub is_admin: bool,
    pub requested_at: DateTime<Utc>,
}

/// What became of a request: waiting for the helpdesk, or an account made.
#[derive(Debug, Clone)]
pub enum Outcome {
    Waiting(JoinerRequest),
    Created { account_id: String, username: String },
}

fn request_of(row: JoinerRow) -> JoinerRequest {
    JoinerRequest {
        title: row.title.as_deref().and_then(|t| Title::parse(t).ok()),
        role: Role::parse(&row.role).unwrap_or(Role::Other),
        requested_at: from_db(row.created_at),
        id: row.id,
        mailbox_id: row.mailbox_id,
        first_name: row.first_name,
        last_name: row.last_name,
        email: row.email,
        mobile: row.mobile,
        is_admin: row.is_admin,
    }
}

/// The request's details, read back through the same rules they were checked by.
fn details_of(row: &JoinerRow, app: &App) -> Result<MemberDetails, Error> {
    let input = MemberInput {
        title: Some(row.title.clone()),
        first_name: Some(row.first_name.clone()),
        last_name: Some(row.last_name.clone()),
        email: Some(row.email.clone()),
        mobile: Some(row.mobile.clone()),
        role: Some(row.role.clone()),
        ..MemberInput::default()
    };
    input.details(None, &app.settings().mail_domain)
}

fn mobile_taken() -> Error {
    let detail = "This mobile number is registered already: each person's mobile is used once across the service.";
    Error::validation(vec![FieldError::new("/mobile", ProblemCode::MobileAlreadyRegistered, Some("R-R7"), detail)])
}

fn owner_only(
    conn: &mut DbConnection,
    app: &App,
    caller: &Caller,
    mailbox_id: &str,
) -> Result<crate::accounts::Holder, Error> {
    let (holder, rights) = holder_with_access(conn, app, caller, mailbox_id)?;
    if rights.owner { Ok(holder) } else { Err(refusal(AccessError::OwnerRequired)) }
}

/// Creates the joiner's account from `row` inside the caller's transaction.
fn create(
    conn: &mut DbConnection,
    app: &App,
    row: &JoinerRow,
    credential: &(domain::password::TemporaryPassword, String),
    by: &audit::By,
) -> Result<Outcome, Error> {
    let mailbox = mailboxes::lock(conn, &row.mailbox_id)?;
    let details = details_of(row, app)?;
    match applications::reserve_mobile(conn, details.mobile.as_str(), &mailbox.application_id, app.now()) {
        Err(persistence::StoreError::Conflict(_)) => return Err(mobile_taken()),
        other => other?,
    }
    let home = Home {
        application_id: &mailbox.application_id,
        mailbox_id: &mailbox.id,
        practice_name: &mailbox.practice_name,
    };
    let (account_id, username) = create_account(
        conn,
        app,
        NewMember { details: &details, rights: Some((false, row.is_admin)), credential },
        &home,
        by,
    )?;
    let facts = serde_json::json!({"joiner_request": row.id, "shared_mailbox": mailbox.id});
    audit::record(conn, by, "joiner.approved", ("account", &account_id), facts, app.now())?;
    Ok(Outcome::Created { account_id, username })
}

/// R-L6: an owner asks for an account for a new member of staff. Every bad field is named.
pub async fn request(
    app: &App,
    caller: &Caller,
    mailbox_id: &str,
    input: MemberInput,
    is_admin: Option<bool>,
) -> Result<Outcome, Error> {
    let details = input.details(None, &app.settings().mail_domain)?;
    let credential = if app.settings().auto_approve_joiners {
        let temporary = new_temporary_password()?;
        let hash = app.passwords().hash(temporary.expose_secret().to_owned()).await?;
        Some((temporary, hash))
    } else {
        None
    };
    let (caller, mailbox_id) = (caller.clone(), mailbox_id.to_owned());
    app.run(move |conn, app| {
        let holder = owner_only(conn, app, &caller, &mailbox_id)?;
        if joiners::mobile_taken(conn, details.mobile.as_str())? {
            return Err(mobile_taken());
        }
        let row = JoinerRow {
            id: uuid::Uuid::new_v4().to_string(),
            mailbox_id: mailbox_id.clone(),
            requested_by: holder.account_id.clone(),
            title: details.title.map(|t| t.as_str().to_owned()),
            first_name: details.first_name.as_str().to_owned(),
            last_name: details.last_name.as_str().to_owned(),
            email: details.email.as_str().to_owned(),
            mobile: details.mobile.as_str().to_owned(),
            role: details.role.code().to_owned(),
            is_admin: is_admin.unwrap_or(false),
            created_at: joiners::created(app.now()),
        };
        write_transaction(conn, |conn| {
            if let Some(credential) = &credential {
                return create(conn, app, &row, credential, &holder.by());
            }
            match joiners::insert(conn, &row) {
                Err(persistence::StoreError::Conflict(_)) => return Err(mobile_taken()),
                other => other?,
            }
            let facts = serde_json::json!({"shared_mailbox": row.mailbox_id});
            audit::record(conn, &holder.by(), "joiner.requested", ("joiner_request", &row.id), facts, app.now())?;
            Ok(Outcome::Waiting(request_of(row.clone())))
        })
    })
    .await
}

/// The requests waiting for the helpdesk, oldest first (at most 100).
pub async fn waiting(app: &App, caller: &Caller) -> Result<Vec<JoinerRequest>, Error> {
    as_admin(app, caller, |conn, _, _| Ok(joiners::waiting(conn, 100)?.into_iter().map(request_of).collect())).await
}

/// R-L6: the helpdesk approves a request: the account is made and its credentials go out (R-A4).
pub async fn approve(app: &App, caller: &Caller, id: &str) -> Result<Outcome, Error> {
    let id = id.to_owned();
    let found = id.clone();
    as_admin(app, caller, move |conn, _, _| joiners::get(conn, &found)?.ok_or_else(Error::not_found)).await?;
    let temporary = new_temporary_password()?;
    let hash = app.passwords().hash(temporary.expose_secret().to_owned()).await?;
    as_admin(app, caller, move |conn, app, admin| {
        write_transaction(conn, |conn| {
            let row = joiners::get(conn, &id)?.ok_or_else(Error::not_found)?;
            // Deleting the request claims it: a second approval racing this one (on another
            // replica) waits on the row, then finds it gone and is told so, as after the fact.
            if !joiners::remove(conn, &id)? {
                return Err(Error::not_found());
            }
            create(conn, app, &row, &(temporary, hash), &admin.by())
        })
    })
    .await
}

/// The helpdesk turns a request down; what it held of the person is deleted.
pub async fn reject(app: &App, caller: &Caller, id: &str) -> Result<(), Error> {
    let id = id.to_owned();
    as_admin(app, caller, move |conn, app, admin| {
        write_transaction(conn, |conn| {
            if !joiners::remove(conn, &id)? {
                return Err(Error::not_found());
            }
            audit::record(
                conn,
                &admin.by(),
                "joiner.rejected",
                ("joiner_request", &id),
                serde_json::json!({}),
                app.now(),
            )
        })
    })
    .await
}

/// R-L6: an owner takes on an existing account by username (a leaver within its grace period, or
/// someone of another practice): no longer a leaver, its home is now this practice, and it has
/// access to this mailbox only. Answers the mailbox as it now is.
pub async fn take_on(
    app: &App,
    caller: &Caller,
    mailbox_id: &str,
    username: Option<String>,
) -> Result<MailboxView, Error> {
    let (caller, mailbox_id) = (caller.clone(), mailbox_id.to_owned());
    app.run(move |conn, app| {
        let holder = owner_only(conn, app, &caller, &mailbox_id)?;
        let not_found = || {
            let detail = "No account of this service has this username.";
            Error::validation(vec![FieldError::new("/username", ProblemCode::NotFound, Some("R-L6"), detail)])
        };
        let username = username.map(|u| u.trim().to_lowercase()).filter(|u| !u.is_empty()).ok_or_else(not_found)?;
        write_transaction(conn, |conn| {
            let mailbox = mailboxes::lock(conn, &mailbox_id)?;
            let target = accounts::account_by_username(conn, &username)?.ok_or_else(not_found)?;
            let home = target.application_id.as_deref() == Some(mailbox.application_id.as_str());
            if home && target.leaver_since.is_none() {
                return Err(Error::refused(&AccessError::AlreadyLinked));
            }
            let had = mailboxes::rights(conn, &mailbox.id, &target.id)?.map(as_rights);
            leavers::take_on(conn, &target.id, &mailbox.application_id, app.now())?;
            mailboxes::set_rights(conn, &mailbox.id, &target.id, Some((false, false)), app.now())?;
            let facts = serde_json::json!({"shared_mailbox": mailbox.id, "was_leaver": target.leaver_since.is_some()});
            audit::record(conn, &holder.by(), "account.joined", ("account", &target.id), facts, app.now())?;
            if let Some(notice) = Notice::between(had, Some(Rights::ACCESS)) {
                tell(conn, app, &holder.by(), &mailbox, &target, notice)?;
            }
            let actor = mailboxes::rights(conn, &mailbox.id, &holder.account_id)?.map_or(Rights::ACCESS, as_rights);
            view_of(conn, mailbox, actor)
        })
    })
    .await
}

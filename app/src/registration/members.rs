//! The roster: add, edit and remove members until submission (R-R1–R-R8). Every answer carries
//! the counts ("n of 10 specified (2 required)").

use super::Context;
use super::access::{in_draft, read};
use crate::application::{Member, Members};
use crate::{App, Caller, Error, FieldError, Validator};
use domain::ProblemCode;
use domain::contact::{Email, UkMobile};
use domain::journey::Action;
use domain::mailbox::MailDomain;
use domain::member::{MemberDetails, PersonName, Role, Title};
use domain::roster::{MemberField, PermissionChange, Roster, RosterCounts, RosterError, RosterMember};
use persistence::DbConnection;
use persistence::applications::{self, MemberFields};

/// The fields sent for a member: all of a new member, or only those that change. `title` is
/// `Some(None)` to clear it.
#[derive(Debug, Clone, Default)]
pub struct MemberInput {
    pub title: Option<Option<String>>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub role: Option<String>,
    pub is_owner: Option<bool>,
    pub is_mailbox_admin: Option<bool>,
    pub has_shared_mailbox_access: Option<bool>,
}

/// One member with the roster's counts after the change.
#[derive(Debug, Clone)]
pub struct MemberAndCounts {
    pub member: Member,
    pub counts: RosterCounts,
}

impl MemberInput {
    fn change(&self) -> PermissionChange {
        PermissionChange { owner: self.is_owner, admin: self.is_mailbox_admin, access: self.has_shared_mailbox_access }
    }

    /// The member's details: the fields sent, over `current` when editing. Reports every bad field.
    pub(crate) fn details(
        &self,
        current: Option<&MemberDetails>,
        mail_domain: &MailDomain,
    ) -> Result<MemberDetails, Error> {
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
            Some(Some(value)) if !value.trim().is_empty() => v.check("/title", Title::parse(value)).map(Some),
            Some(_) => Some(None),
            None => Some(current.and_then(|c| c.title)),
        };
        let first = current.map(|c| c.first_name.clone());
        let first_name = field(&mut v, "/first_name", self.first_name.as_deref(), first, PersonName::parse);
        let last = current.map(|c| c.last_name.clone());
        let last_name = field(&mut v, "/last_name", self.last_name.as_deref(), last, PersonName::parse);
        let email = field(&mut v, "/email", self.email.as_deref(), current.map(|c| c.email.clone()), |s| {
            Email::parse(s, mail_domain)
        });
        let mobile = current.map(|c| c.mobile.clone());
        let mobile = field(&mut v, "/mobile", self.mobile.as_deref(), mobile, UkMobile::parse);
        let role = match (self.role.as_deref(), current) {
            (Some(value), _) => v.check("/role", Role::parse(value)),
            (None, Some(current)) => Some(current.role),
            (None, None) => {
                v.push(FieldError::new("/role", ProblemCode::Required, Some("R-R4"), "Choose a role from the list."));
                None
            }
        };
        v.finish(|| {
            Some(MemberDetails {
                title: title?,
                first_name: first_name?,
                last_name: last_name?,
                email: email?,
                mobile: mobile?,
                role: role?,
            })
        })
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

/// Roster refusals: a full roster or a missing member are about state; the rest point at the
/// field that breaks the rule.
fn roster_refusal(errors: Vec<RosterError>) -> Error {
    if errors.contains(&RosterError::MemberNotFound) {
        return Error::not_found();
    }
    if let Some(full) = errors.iter().find(|e| **e == RosterError::TooManyMembers) {
        return Error::refused(full);
    }
    // R-R8: the roster always has an owner. Losing the only one is a state the roster is in (409),
    // whether by removal or by a change; a change also points at the field that asked for it.
    if let Some(only) = errors.iter().find(|e| **e == RosterError::OnlyOwner) {
        let fields = errors.iter().map(|e| FieldError::from_violation(member_field_pointer(e.field()), e)).collect();
        return Error::refused(only).with_errors(fields);
    }
    Error::validation(errors.iter().map(|e| FieldError::from_violation(member_field_pointer(e.field()), e)).collect())
}

/// R-R7 at entry: a mobile already held by a submitted application or an account is refused
/// now rather than at submission.
fn check_mobile_free(conn: &mut DbConnection, mobile: &UkMobile) -> Result<(), Error> {
    if applications::reserved_mobiles(conn, &[mobile.as_str().to_owned()])?.is_empty() {
        Ok(())
    } else {
        Err(Error::field("/mobile", &domain::conflict::Conflict::MobileAlreadyRegistered))
    }
}

fn fields(member: &RosterMember<String>) -> MemberFields {
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

/// The member as stored and the roster's counts, from the roster the change was made on (it is
/// what the transaction wrote), without reading the application again.
fn one(roster: &Roster<String>, member_id: &str, position: i32) -> Result<MemberAndCounts, Error> {
    let member = roster.get(&member_id.to_owned()).ok_or_else(|| Error::internal("changed member missing"))?;
    Ok(MemberAndCounts { member: Member { position, member: member.clone() }, counts: roster.counts() })
}

/// The roster in order, with its counts (R-R1).
pub async fn list(app: &App, caller: &Caller, id: &str) -> Result<Members, Error> {
    read(app, caller, id, |_, _, ctx| ctx.members_view()).await
}

/// Adds a member; the first is the shared mailbox owner (R-R1–R-R7).
pub async fn add(app: &App, caller: &Caller, id: &str, input: MemberInput) -> Result<MemberAndCounts, Error> {
    let action = (Action::AddMember, "application.member_added");
    in_draft(app, caller, id, action, Ok(input), |conn, app, ctx, input, now| {
        let mut roster: Roster<String> = ctx.roster()?;
        roster.check_room().map_err(|full| Error::refused(&full))?;
        let details = input.details(None, &app.settings().mail_domain)?;
        check_mobile_free(conn, &details.mobile)?;
        let member_id = uuid::Uuid::new_v4().to_string();
        roster.add(member_id.clone(), details, input.change()).map_err(roster_refusal)?;
        let added = roster.get(&member_id).ok_or_else(|| Error::internal("added member missing"))?;
        // The roster was read under the application's lock: nobody else is adding now.
        let position = ctx.members.iter().map(|m| m.position + 1).max().unwrap_or(0);
        applications::insert_member(conn, ctx.id(), (&member_id, position), &fields(added), now)?;
        Ok((one(&roster, &member_id, position)?, serde_json::json!({"member_id": member_id})))
    })
    .await
}

/// Changes the fields sent; the roster rules still hold (R-R2, R-R3, R-R8).
pub async fn edit(
    app: &App,
    caller: &Caller,
    id: &str,
    member_id: &str,
    input: MemberInput,
) -> Result<MemberAndCounts, Error> {
    let member_id = member_id.to_owned();
    let action = (Action::EditMember, "application.member_edited");
    in_draft(app, caller, id, action, Ok(input), move |conn, app, ctx, input, now| {
        let mut roster: Roster<String> = ctx.roster()?;
        let current = roster.get(&member_id).ok_or_else(Error::not_found)?.clone();
        let details = input.details(Some(&current.details), &app.settings().mail_domain)?;
        if details.mobile != current.details.mobile {
            check_mobile_free(conn, &details.mobile)?;
        }
        roster.update(&member_id, details, input.change()).map_err(roster_refusal)?;
        let changed = roster.get(&member_id).ok_or_else(|| Error::internal("edited member missing"))?;
        applications::update_member(conn, &member_id, &fields(changed), now)?;
        let position = ctx.members.iter().find(|m| m.id == member_id).map_or(0, |m| m.position);
        Ok((one(&roster, &member_id, position)?, serde_json::json!({"member_id": member_id})))
    })
    .await
}

/// Removes a member; the only owner cannot be removed (R-R8). Returns the remaining roster.
pub async fn remove(app: &App, caller: &Caller, id: &str, member_id: &str) -> Result<Members, Error> {
    let member_id = member_id.to_owned();
    let action = (Action::RemoveMember, "application.member_removed");
    in_draft(app, caller, id, action, Ok(()), move |conn, _, ctx, (), _| {
        let mut roster: Roster<String> = ctx.roster()?;
        roster.remove(&member_id).map_err(|e| match e {
            RosterError::MemberNotFound => Error::not_found(),
            other => Error::refused(&other),
        })?;
        applications::delete_member(conn, &member_id)?;
        let details = serde_json::json!({"member_id": member_id});
        Ok((Context::load(conn, ctx.id())?.members_view()?, details))
    })
    .await
}

//! The town that starts the shared mailbox name: suggestions from the address on record, a live
//! preview of the mailbox address, and the choice itself (R-T1, R-T2, R-M1).

use super::Context;
use super::access::{in_draft, read};
use super::snapshot::Application;
use crate::{App, Caller, Error, ErrorKind, FieldError};
use domain::ProblemCode;
use domain::journey::Action;
use domain::mailbox::MailDomain;
use domain::town::{Town, TownError};
use persistence::{DbConnection, applications};

/// A town with the shared mailbox address it gives.
#[derive(Debug, Clone)]
pub struct MailboxPreview {
    pub town: Town,
    pub shared_mailbox_address: String,
    /// For a suggestion: the place name on record, when the town was shortened to fit (R-T2).
    pub shortened_from: Option<String>,
}

/// The field error for a refused town, with a suggestion when it is too long (R-T2).
fn town_error(pointer: &str, error: &TownError) -> FieldError {
    let field = FieldError::from_violation(pointer, error);
    match error {
        TownError::TooLong { suggestion, .. } => field.with_suggestion(suggestion.as_str()),
        _ => field,
    }
}

fn parse(pointer: &str, town: Option<&str>) -> Result<Town, Error> {
    Town::parse(town.unwrap_or_default()).map_err(|e| Error::validation(vec![town_error(pointer, &e)]))
}

fn not_identified() -> Error {
    Error::new(ErrorKind::Conflict)
        .with_code(ProblemCode::PracticeNotIdentified, Some("R-M1"))
        .detail("Identify the practice first: its name and ODS code make up the rest of the mailbox name.")
}

/// R-M2: the address a town gives must be free (no shared mailbox has it, and no other
/// application has reserved it). When it is not, the refusal at `pointer` proposes a town from
/// the address on record that gives a free address, where there is one.
pub(crate) fn check_address_free(
    conn: &mut DbConnection,
    ctx: &Context,
    town: &Town,
    domain: &MailDomain,
    pointer: &str,
) -> Result<(), Error> {
    let Some(address) = ctx.mailbox_address_with(town, domain) else { return Err(not_identified()) };
    if !applications::mailbox_address_taken(conn, address.as_str(), ctx.id())? {
        return Ok(());
    }
    let mut alternative = None;
    for candidate in ctx.town_suggestions().into_iter().map(|s| s.town).filter(|t| t != town) {
        if let Some(other) = ctx.mailbox_address_with(&candidate, domain) {
            if !applications::mailbox_address_taken(conn, other.as_str(), ctx.id())? {
                alternative = Some(candidate);
                break;
            }
        }
    }
    let detail = format!(
        "The shared mailbox address {address} is already used by another practice, and addresses are never shared or reused. Choose another spelling of the town{}.",
        alternative
            .as_ref()
            .map(|t| format!(", such as `{}`", t.as_str()))
            .unwrap_or_else(|| ", such as a nearby locality or a shortened form".to_owned())
    );
    let error = FieldError::new(pointer, ProblemCode::MailboxAddressTaken, Some("R-M2"), detail);
    let error = match alternative {
        Some(town) => error.with_suggestion(town.as_str()),
        None => error,
    };
    Err(Error::validation(vec![error]))
}

fn preview(ctx: &Context, town: Town, domain: &MailDomain) -> Result<MailboxPreview, Error> {
    let address = ctx.mailbox_address_with(&town, domain).ok_or_else(not_identified)?;
    Ok(MailboxPreview { town, shared_mailbox_address: address.as_str().to_owned(), shortened_from: None })
}

/// Towns from the practice's address on record (R-T1), abbreviated to fit (R-T2), each with
/// the address it gives.
pub async fn suggestions(app: &App, caller: &Caller, id: &str) -> Result<Vec<MailboxPreview>, Error> {
    read(app, caller, id, |_, app, ctx| {
        if ctx.route().is_none() {
            return Err(not_identified());
        }
        let domain = &app.settings().mail_domain;
        ctx.town_suggestions()
            .into_iter()
            .map(|s| Ok(MailboxPreview { shortened_from: s.shortened_from, ..preview(&ctx, s.town, domain)? }))
            .collect()
    })
    .await
}

/// The address a town would give, without saving anything (R-M1).
pub async fn preview_mailbox(
    app: &App,
    caller: &Caller,
    id: &str,
    town: Option<&str>,
) -> Result<MailboxPreview, Error> {
    let town = town.map(str::to_owned);
    read(app, caller, id, move |conn, app, ctx| {
        let town = parse("/query/town", town.as_deref())?;
        let domain = &app.settings().mail_domain;
        check_address_free(conn, &ctx, &town, domain, "/query/town")?;
        preview(&ctx, town, domain)
    })
    .await
}

/// Chooses the town; the shared mailbox address follows (R-M1).
pub async fn set(app: &App, caller: &Caller, id: &str, town: Option<&str>) -> Result<Application, Error> {
    let town = parse("/town", town);
    in_draft(app, caller, id, (Action::SetTown, "application.town_set"), town, |conn, app, ctx, town, _| {
        check_address_free(conn, ctx, &town, &app.settings().mail_domain, "/town")?;
        applications::set_town(conn, ctx.id(), town.as_str())?;
        let details = serde_json::json!({"town": town.as_str()});
        Ok((Context::load(conn, ctx.id())?.snapshot(app.settings())?, details))
    })
    .await
}

//! What the helpdesk sees of applications: a filtered list a page at a time, and one
//! application in full (with the accounts approval created and the status of every message).
//! Each costs a fixed number of queries, whatever the number of members or messages.

use crate::application::{Context, Member};
use crate::{App, Caller, Error, Validator, paging};
use chrono::{DateTime, NaiveDate, Utc};
use domain::account::AccountStatus;
use domain::ig_status::IgStatus;
use domain::journey::{ApplicationStatus, Route};
use domain::postcode::Postcode;
use persistence::applications::{self, ApplicationFilter, ApplicationRow};
use persistence::time::from_db;
use persistence::{DbConnection, accounts, outbox};

/// A list query as sent: filters (empty ones are ignored), the cursor and the page size.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<ApplicationStatus>,
    pub postcode: Option<String>,
    pub ods_code: Option<String>,
    pub cqc_location_id: Option<String>,
    pub practice_name: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// One line of the list.
#[derive(Debug, Clone)]
pub struct Summary {
    pub id: String,
    pub status: ApplicationStatus,
    pub practice_name: Option<String>,
    pub ods_code: Option<String>,
    pub cqc_location_id: Option<String>,
    pub postcode: Option<String>,
    pub route: Option<Route>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// A page of the list, newest first.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Summary>,
    pub next_cursor: Option<String>,
}

/// The IG status the register holds (route A).
#[derive(Debug, Clone)]
pub struct IgOfRecord {
    /// `igt`, `dspt` or `none`, as the register has it.
    pub assessment: String,
    pub value: Option<String>,
    pub assessed_on: Option<NaiveDate>,
    pub status: IgStatus,
}

/// An account created on approval, with its rights over the shared mailbox.
#[derive(Debug, Clone)]
pub struct ProvisionedAccount {
    pub id: String,
    pub username: String,
    pub status: AccountStatus,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub is_owner: bool,
    pub is_mailbox_admin: bool,
    pub has_shared_mailbox_access: bool,
}

pub use crate::outbox::Message;
use crate::outbox::message;

/// An application in full, as the helpdesk sees it.
#[derive(Debug, Clone)]
pub struct Reviewed {
    pub summary: Summary,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    pub ig_of_record: Option<IgOfRecord>,
    pub address_lines: Vec<String>,
    pub town: Option<String>,
    pub shared_mailbox_address: Option<String>,
    pub members: Vec<Member>,
    pub accounts: Vec<ProvisionedAccount>,
    /// Every message about the application and its accounts, oldest first.
    pub messages: Vec<Message>,
}

fn summary(row: &ApplicationRow) -> Summary {
    Summary {
        id: row.id.clone(),
        status: row.status,
        practice_name: row.practice_name.clone(),
        ods_code: row.ods_code.clone(),
        cqc_location_id: row.cqc_location_id.clone(),
        postcode: row.postcode.clone(),
        route: row.route.as_deref().and_then(Route::parse),
        created_at: from_db(row.created_at),
        submitted_at: row.submitted_at.map(from_db),
    }
}

fn encode_cursor(row: &ApplicationRow) -> String {
    paging::encode_time_cursor(&row.created_at, &row.id)
}

fn given(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// Applications newest first, filtered, a page at a time.
pub async fn list(app: &App, caller: &Caller, filter: Filter) -> Result<Page, Error> {
    super::as_admin(app, caller, move |conn, _, _| {
        let mut v = Validator::new();
        let limit = paging::limit(&mut v, filter.limit);
        let after = paging::after(&mut v, filter.cursor.as_deref(), paging::decode_time_cursor);
        let postcode = match given(&filter.postcode) {
            Some(p) => v.check("/query/postcode", Postcode::parse(&p)).map(|p| p.as_str().to_owned()),
            None => None,
        };
        v.finish(|| Some(()))?;
        let query = ApplicationFilter {
            status: filter.status,
            postcode,
            ods_code: given(&filter.ods_code).map(|o| o.to_uppercase()),
            cqc_location_id: given(&filter.cqc_location_id),
            practice_name: given(&filter.practice_name),
        };
        let mut rows = applications::search(conn, &query, after, limit + 1)?;
        let next_cursor = paging::cut(&mut rows, limit, encode_cursor);
        Ok(Page { items: rows.iter().map(summary).collect(), next_cursor })
    })
    .await
}

/// One application in full.
pub(crate) fn load(conn: &mut DbConnection, app: &App, id: &str) -> Result<Reviewed, Error> {
    let ctx = Context::load(conn, id)?;
    let members = ctx.members_view()?.members;
    let mailbox = accounts::mailbox_for_application(conn, id)?;
    let rights = match &mailbox {
        Some(mailbox) => accounts::mailbox_members(conn, &mailbox.id)?,
        None => Vec::new(),
    };
    let mut created = accounts::accounts_for_application(conn, id)?;
    // Roster order: each account came from the member with its mobile.
    created.sort_by_key(|account| {
        ctx.members.iter().position(|m| Some(&m.mobile) == account.mobile.as_ref()).unwrap_or(usize::MAX)
    });
    let mut messages = outbox::for_subject(conn, "application", id)?;
    let account_ids: Vec<String> = created.iter().map(|a| a.id.clone()).collect();
    messages.extend(outbox::for_subjects(conn, "account", &account_ids)?);
    messages.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let ig_of_record = ctx.practice.as_ref().map(|practice| IgOfRecord {
        assessment: practice.record.ig_assessment.clone(),
        value: practice.record.ig_value.clone(),
        assessed_on: practice.record.ig_assessed_on,
        status: super::ig_of_record(practice),
    });
    let address_lines = match (&ctx.practice, &ctx.cqc) {
        (Some(p), _) => p.record.address_lines(),
        (None, Some(c)) => c.record.address_lines(),
        _ => Vec::new(),
    };
    let accounts = created
        .iter()
        .map(|account| {
            let right = rights.iter().find(|(a, _, _)| a.id == account.id);
            ProvisionedAccount {
                id: account.id.clone(),
                username: account.username.clone(),
                status: account.status(),
                first_name: account.first_name.clone(),
                last_name: account.last_name.clone(),
                is_owner: right.is_some_and(|(_, owner, _)| *owner),
                is_mailbox_admin: right.is_some_and(|(_, _, admin)| *admin),
                has_shared_mailbox_access: right.is_some(),
            }
        })
        .collect();
    Ok(Reviewed {
        summary: summary(&ctx.application),
        decided_at: ctx.application.decided_at.map(from_db),
        decision_reason: ctx.application.decision_reason.clone(),
        ig_of_record,
        address_lines,
        town: ctx.application.town.clone(),
        shared_mailbox_address: mailbox
            .map(|m| m.address)
            .or_else(|| ctx.mailbox_address(&app.settings().mail_domain).map(|a| a.as_str().to_owned())),
        members,
        accounts,
        messages: messages.iter().map(message).collect(),
    })
}

/// One application in full, for the helpdesk.
pub async fn view(app: &App, caller: &Caller, id: &str) -> Result<Reviewed, Error> {
    let id = id.to_owned();
    super::as_admin(app, caller, move |conn, app, _| load(conn, app, &id)).await
}

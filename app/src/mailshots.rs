//! Passcode mailshots (R-O7): the helpdesk sends passcodes to many practices at once, by ODS codes
//! or CQC location ids, so that a practice can already hold one when it starts (R-Q3). The list is
//! stored as given; the `passcode_mailshots` job works through it, each practice once (a
//! conditional update settles each item in the same transaction as its passcode), within each
//! practice's limit (R-O5), by email to the registered manager's address on record or else by post
//! to the registered address (R-O1); and records per practice what was sent or why not.

use crate::helpdesk::as_admin;
use crate::outbox::{self, About, templates};
use crate::secrets::new_passcode;
use crate::{App, Caller, Error, FieldError, audit, limits};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use domain::identifiers::{CqcLocationId, OdsCode};
use domain::messages::{self, PasscodeFacts};
use domain::passcode::PasscodeChannel;
use persistence::mailshots::{self, ItemRow};
use persistence::passcodes::{self, NewPasscode};
use persistence::time::from_db;
use persistence::{DbConnection, reference, write_transaction};

/// The most practices one mailshot takes.
pub const MAX_PRACTICES: usize = 2000;

/// What happened to one practice of a mailshot.
#[derive(Debug, Clone)]
pub struct Item {
    /// The ODS code or CQC location id as given.
    pub requested: String,
    pub cqc_location_id: Option<String>,
    /// `pending`, `sent`, `refused` or `not_found`.
    pub outcome: String,
    pub detail: Option<String>,
}

/// A mailshot and its progress.
#[derive(Debug, Clone)]
pub struct Mailshot {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub items: Vec<Item>,
}

fn view(conn: &mut DbConnection, id: &str) -> Result<Mailshot, Error> {
    let (mailshot, items) = mailshots::get(conn, id)?.ok_or_else(Error::not_found)?;
    Ok(Mailshot {
        id: mailshot.id,
        created_at: from_db(mailshot.created_at),
        finished_at: mailshot.finished_at.map(from_db),
        items: items
            .into_iter()
            .map(|i| Item {
                requested: i.requested,
                cqc_location_id: i.cqc_location_id,
                outcome: i.outcome,
                detail: i.detail,
            })
            .collect(),
    })
}

/// A practice a mailshot names, as the reference data holds it.
struct Practice {
    location: String,
    name: String,
    address: Vec<String>,
    /// The registered manager's email on record (R-O1), if any.
    email: Option<String>,
}

/// The practice a requested code (ODS code or CQC location id) names.
fn find(conn: &mut DbConnection, requested: &str) -> Result<Option<Practice>, Error> {
    if let Ok(location) = CqcLocationId::parse(requested) {
        if let Some(p) = reference::practice_by_location(conn, location.as_str())? {
            let address = p.record.address_lines();
            let (name, email) = (p.record.name, p.record.registered_manager_email);
            return Ok(Some(Practice { location: location.as_str().to_owned(), name, address, email }));
        }
        if let Some(c) = reference::cqc_location(conn, location.as_str())? {
            let (name, address) = (c.record.name.clone(), c.record.address_lines());
            return Ok(Some(Practice { location: location.as_str().to_owned(), name, address, email: None }));
        }
        return Ok(None);
    }
    let Ok(ods) = OdsCode::parse(requested) else { return Ok(None) };
    Ok(reference::practice_by_ods(conn, ods.as_str())?.map(|p| Practice {
        address: p.record.address_lines(),
        location: p.record.cqc_location_id,
        name: p.record.name,
        email: p.record.registered_manager_email,
    }))
}

/// A filter on the register: its practices in a town and/or a postcode district.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub town: Option<String>,
    /// The outward code, e.g. `LS1`.
    pub postcode_district: Option<String>,
}

/// Starts a mailshot to the practices named by `codes` (ODS codes or CQC location ids) and those
/// of the register the `filter` picks; answers it with every practice pending, or not found in
/// the reference data.
pub async fn start(app: &App, caller: &Caller, codes: Vec<String>, filter: Option<Filter>) -> Result<Mailshot, Error> {
    let mut v = crate::Validator::new();
    // Each code as the contract has it: 3 to 20 letters, digits and hyphens.
    let malformed = |code: &String| {
        let trimmed = code.trim();
        !(3..=20).contains(&trimmed.len()) || !trimmed.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    // The first 100 bad codes are named; a problem document stays of bounded size.
    for (index, _) in codes.iter().enumerate().filter(|(_, code)| malformed(code)).take(100) {
        let detail = "An ODS code (V00101) or CQC location id (1-1002733005).";
        v.push(FieldError::new(format!("/practices/{index}"), ProblemCode::InvalidValue, Some("R-O7"), detail));
    }
    let mut codes: Vec<String> = codes.into_iter().map(|c| c.trim().to_uppercase()).collect();
    if let Some(f) = &filter {
        if f.town.as_deref().is_some_and(|t| !(2..=60).contains(&t.trim().chars().count())) {
            v.push(FieldError::new(
                "/filter/town",
                ProblemCode::InvalidValue,
                Some("R-O7"),
                "A town of 2 to 60 characters.",
            ));
        }
        let district_ok =
            |d: &str| (2..=4).contains(&d.trim().len()) && d.trim().chars().all(|c| c.is_ascii_alphanumeric());
        if f.postcode_district.as_deref().is_some_and(|d| !district_ok(d)) {
            let detail = "A postcode district is the postcode's first part, like LS1.";
            v.push(FieldError::new("/filter/postcode_district", ProblemCode::InvalidValue, Some("R-O7"), detail));
        }
    }
    v.finish(|| Some(()))?;
    let filter = filter.map(|f| Filter {
        town: f.town.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
        postcode_district: f.postcode_district.map(|d| d.trim().to_uppercase()).filter(|d| !d.is_empty()),
    });
    let filtering = filter.as_ref().is_some_and(|f| f.town.is_some() || f.postcode_district.is_some());
    if (codes.is_empty() && !filtering) || codes.len() > MAX_PRACTICES {
        let detail = format!(
            "Give 1 to {MAX_PRACTICES} ODS codes or CQC location ids, or a filter with a town or postcode district."
        );
        return Err(Error::validation(vec![FieldError::new(
            "/practices",
            ProblemCode::Required,
            Some("R-O7"),
            detail,
        )]));
    }
    as_admin(app, caller, move |conn, app, admin| {
        if let Some(filter) = filter.filter(|_| filtering) {
            let room = i64::try_from(MAX_PRACTICES.saturating_sub(codes.len())).unwrap_or_default();
            let (town, district) = (filter.town.as_deref(), filter.postcode_district.as_deref());
            codes.extend(reference::locations_matching(conn, town, district, room)?);
        }
        let id = uuid::Uuid::new_v4().to_string();
        let mut seen = std::collections::HashSet::new();
        let mut items = Vec::new();
        for requested in codes {
            if !seen.insert(requested.clone()) {
                continue;
            }
            let found = find(conn, &requested)?;
            items.push(ItemRow {
                mailshot_id: id.clone(),
                position: i32::try_from(items.len()).unwrap_or(i32::MAX),
                outcome: if found.is_some() { "pending" } else { "not_found" }.to_owned(),
                detail: found.is_none().then(|| "No practice in the reference data has this code.".to_owned()),
                cqc_location_id: found.map(|practice| practice.location),
                requested,
            });
        }
        let now = app.now();
        write_transaction(conn, |conn| {
            mailshots::insert(conn, &id, &admin.id, &items, now)?;
            let details = serde_json::json!({"practices": items.len()});
            audit::record(conn, &admin.by(), "mailshot.started", ("mailshot", &id), details, now)
        })?;
        view(conn, &id)
    })
    .await
}

/// A mailshot's progress and, per practice, what was sent or why not.
pub async fn get(app: &App, caller: &Caller, id: &str) -> Result<Mailshot, Error> {
    let id = id.to_owned();
    as_admin(app, caller, move |conn, _, _| view(conn, &id)).await
}

/// Sends one practice its passcode, within its limit, settling the item; `false` if another
/// runner settled it first.
fn send_one(conn: &mut DbConnection, app: &App, item: &ItemRow, now: DateTime<Utc>) -> Result<bool, Error> {
    let requested = item.cqc_location_id.clone().unwrap_or_default();
    let Some(Practice { location, name, address, email }) = find(conn, &requested)? else {
        return Ok(mailshots::settle(
            conn,
            item,
            "not_found",
            Some("The practice is no longer in the reference data."),
        )?);
    };
    if let Some(next) = limits::practice_passcode_allowed_at(conn, &location, now)? {
        let detail = format!(
            "The practice has been sent as many passcodes as allowed for now (R-O5); the next can go on {}.",
            next.format("%-d %B %Y")
        );
        return Ok(mailshots::settle(conn, item, "refused", Some(&detail))?);
    }
    if !mailshots::settle(conn, item, "sent", None)? {
        return Ok(false);
    }
    let passcode = new_passcode()?;
    let channel = if email.is_some() { PasscodeChannel::Email } else { PasscodeChannel::Post };
    let settings = app.settings();
    let valid_until = settings.passcode_lifetimes.expiry(channel, now);
    let location_id = CqcLocationId::parse(&location).map_err(|_| Error::internal("a stored location id"))?;
    passcodes::insert(
        conn,
        &NewPasscode {
            id: &uuid::Uuid::new_v4().to_string(),
            cqc_location_id: &location,
            code_hash: &app.hasher().passcode(&location_id, &passcode),
            channel: channel.as_str(),
            issued_at: now,
            expires_at: valid_until,
            requested_by_application_id: None,
            batch_id: Some(&item.mailshot_id),
        },
    )?;
    let facts = PasscodeFacts {
        practice_name: &name,
        cqc_location_id: &location,
        passcode: &passcode,
        valid_until: (valid_until - chrono::Duration::seconds(1)).date_naive(),
        support_contact: &settings.support_contact,
    };
    let about = About { kind: "mailshot", id: &item.mailshot_id };
    let detail = match email {
        Some(email) => {
            outbox::enqueue_email(
                conn,
                templates::PASSCODE_EMAIL,
                &email,
                about,
                messages::passcode_email(&facts),
                true,
                now,
            )?;
            "By email to the registered manager's address on record."
        }
        None => {
            let lines = std::iter::once(name.clone()).chain(address).collect();
            outbox::enqueue_letter(
                conn,
                templates::PASSCODE_LETTER,
                about,
                messages::passcode_letter(&facts, lines),
                true,
                now,
            )?;
            "By post to the registered address."
        }
    };
    mailshots::set_detail(conn, item, detail)?;
    Ok(true)
}

/// One run of the job: up to 200 practices of waiting mailshots; returns how many were settled.
pub async fn run(app: &App) -> Result<usize, Error> {
    app.run(|conn, app| {
        let now = app.now();
        let mut done = 0;
        for item in mailshots::pending(conn, 200)? {
            done += usize::from(write_transaction(conn, |conn| send_one(conn, app, &item, now))?);
        }
        mailshots::finish_done(conn, now)?;
        Ok(done)
    })
    .await
}

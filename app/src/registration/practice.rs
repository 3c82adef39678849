//! Identifying the practice: search the register by postcode (route A), or describe a practice
//! the register does not hold and confirm its CQC details (route B) (R-P1–R-P5).

use super::Context;
use super::access::{authorise, in_draft};
use super::snapshot::Application;
use crate::{App, Caller, Error, ErrorKind, ExistingApplication, FieldError, Validator};
use domain::ProblemCode;
use domain::identifiers::{CqcLocationId, OdsCode, PracticeName};
use domain::journey::{Action, ApplicationStatus, Route};
use domain::postcode::Postcode;
use domain::practice::{self, CqcEntry, IdentificationError};
use persistence::DbConnection;
use persistence::applications::{self, ApplicationRow, PracticeSelection};
use persistence::reference;
use persistence::time::from_db;

/// A practice in the register, as offered for selection.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub ods_code: String,
    pub address_lines: Vec<String>,
}

/// The practices the register holds at a postcode: route A if any, route B if none.
#[derive(Debug, Clone)]
pub struct Search {
    pub postcode: Postcode,
    pub route: Route,
    pub candidates: Vec<Candidate>,
    /// What to do if the practice is not listed.
    pub help: String,
}

/// Searches the register by postcode (R-P1, R-P2), for the holder of an application token.
pub async fn search(app: &App, caller: &Caller, postcode: Option<&str>) -> Result<Search, Error> {
    let (caller, postcode) = (caller.clone(), postcode.unwrap_or_default().to_owned());
    app.run(move |conn, app| {
        authorise(conn, app, &caller, None)?;
        let mut v = Validator::new();
        let postcode = v.check("/query/postcode", Postcode::parse(&postcode));
        let postcode = v.finish(|| postcode)?;
        let found = reference::practices_at_postcode(conn, postcode.as_str())?;
        let candidates: Vec<Candidate> = found
            .iter()
            .map(|p| Candidate {
                id: p.id.clone(),
                name: p.record.name.clone(),
                ods_code: p.record.ods_code.clone(),
                address_lines: p.record.address_lines(),
            })
            .collect();
        let route = if candidates.is_empty() { Route::B } else { Route::A };
        let help = format!(
            "If your practice is not listed, describe it with its name, ODS code and CQC location ID (route B). If you cannot find it at all, contact {}.",
            app.settings().support_contact
        );
        Ok(Search { postcode, route, candidates, help })
    })
    .await
}

/// The practice as the applicant identifies it; required fields are `None` when not sent.
#[derive(Debug, Clone, Default)]
pub struct Identification {
    pub route: Option<Route>,
    pub postcode: Option<String>,
    /// Route A: the register entry chosen from the search.
    pub practice_id: Option<String>,
    /// Route B: the practice as described.
    pub practice_name: Option<String>,
    pub ods_code: Option<String>,
    pub cqc_location_id: Option<String>,
}

/// The refusal when another application holds the practice (R-P5).
pub(crate) fn practice_taken(holder: &ApplicationRow, support: &str) -> Error {
    let started = from_db(holder.created_at);
    let status = holder.status;
    let (code, detail) = if status == ApplicationStatus::Approved {
        (
            ProblemCode::PracticeAlreadyRegistered,
            format!(
                "This practice is already registered for NHSmail and its shared mailbox exists. To add staff, its shared mailbox owner can ask for accounts; for help contact {support}."
            ),
        )
    } else {
        (
            ProblemCode::PracticeHasLiveApplication,
            format!(
                "An application for this practice was started on {} and is still in progress. Resume it with the token you were given when it was started; if no one at the practice has it, contact {support}.",
                started.format("%-d %B %Y")
            ),
        )
    };
    Error::new(ErrorKind::Conflict)
        .with_code(code, Some("R-P5"))
        .detail(detail)
        .existing_application(ExistingApplication { status, started_at: started })
}

/// R-P5: refuses if an application other than `own_id` holds the practice at `location`.
pub(crate) fn check_not_taken(
    conn: &mut DbConnection,
    location: &str,
    own_id: &str,
    support: &str,
) -> Result<(), Error> {
    match applications::holder_of(conn, location)? {
        Some(holder) if holder.id != own_id => Err(practice_taken(&holder, support)),
        _ => Ok(()),
    }
}

struct Chosen {
    route: Route,
    postcode: Postcode,
    practice_id: Option<String>,
    location: CqcLocationId,
    name: PracticeName,
    ods: OdsCode,
}

fn required<T, E: domain::Violation>(
    v: &mut Validator,
    pointer: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Option<T> {
    v.check(pointer, parse(value.unwrap_or_default()))
}

fn identification_error(error: &IdentificationError) -> FieldError {
    let pointer = match error {
        IdentificationError::NotAtPostcode => "/practice_id",
        e if e.concerns_postcode() => "/postcode",
        _ => "/cqc_location_id",
    };
    FieldError::from_violation(pointer, error)
}

/// Checks an identification against the register and the CQC directory, reporting every
/// failing field at once.
fn choose(conn: &mut DbConnection, input: &Identification, support: &str) -> Result<Chosen, Error> {
    let mut v = Validator::new();
    if input.route.is_none() {
        let detail = "Say whether you chose a listed practice (a) or are describing one (b).";
        v.push(FieldError::new("/route", ProblemCode::Required, Some("R-P2"), detail));
    }
    let postcode = required(&mut v, "/postcode", input.postcode.as_deref(), Postcode::parse);
    match input.route {
        Some(Route::A) => {
            let chosen = input.practice_id.as_deref().map(str::trim).filter(|id| !id.is_empty());
            let practice = match chosen {
                None => {
                    let detail = "Choose the practice from those at the postcode.";
                    v.push(FieldError::new("/practice_id", ProblemCode::Required, Some("R-P2"), detail));
                    None
                }
                Some(id) => match (reference::practice(conn, id)?, &postcode) {
                    (Some(found), Some(searched)) => match practice::check_chosen(&found.record.postcode, searched) {
                        Ok(()) => Some(found),
                        Err(error) => {
                            v.push(identification_error(&error));
                            None
                        }
                    },
                    (None, Some(_)) => {
                        v.push(identification_error(&IdentificationError::NotAtPostcode));
                        None
                    }
                    (_, None) => None,
                },
            };
            v.finish(|| {
                let practice = practice?;
                Some(Chosen {
                    route: Route::A,
                    postcode: postcode?,
                    practice_id: Some(practice.id.clone()),
                    location: CqcLocationId::parse(&practice.record.cqc_location_id).ok()?,
                    name: PracticeName::parse(&practice.record.name).ok()?,
                    ods: OdsCode::parse(&practice.record.ods_code).ok()?,
                })
            })
        }
        Some(Route::B) => {
            let name = required(&mut v, "/practice_name", input.practice_name.as_deref(), PracticeName::parse);
            let ods = required(&mut v, "/ods_code", input.ods_code.as_deref(), OdsCode::parse);
            let location = required(&mut v, "/cqc_location_id", input.cqc_location_id.as_deref(), CqcLocationId::parse);
            if let Some(location) = &location {
                let in_register = reference::practice_by_location(conn, location.as_str())?.is_some();
                let cqc = if in_register { None } else { reference::cqc_location(conn, location.as_str())? };
                let entry = cqc.as_ref().map(|c| CqcEntry {
                    service_types: &c.record.service_types,
                    registration_status: &c.record.registration_status,
                    postcode: &c.record.postcode,
                });
                if let Err(error) = practice::check_described(in_register, entry, postcode.as_ref(), support) {
                    v.push(identification_error(&error));
                }
            }
            v.finish(|| {
                Some(Chosen {
                    route: Route::B,
                    postcode: postcode?,
                    practice_id: None,
                    location: location?,
                    name: name?,
                    ods: ods?,
                })
            })
        }
        None => v.finish(|| None),
    }
}

/// Identifies the practice. It can be changed until it is verified; another application holding
/// it is refused (R-P5).
pub async fn identify(app: &App, caller: &Caller, id: &str, input: Identification) -> Result<Application, Error> {
    let action = (Action::IdentifyPractice, "application.practice_identified");
    in_draft(app, caller, id, action, Ok(input), |conn, app, ctx, input, _| {
        let support = &app.settings().support_contact;
        let chosen = choose(conn, &input, support)?;
        check_not_taken(conn, chosen.location.as_str(), ctx.id(), support)?;
        applications::set_practice(
            conn,
            ctx.id(),
            &PracticeSelection {
                route: chosen.route.code(),
                postcode: chosen.postcode.as_str(),
                practice_id: chosen.practice_id.as_deref(),
                cqc_location_id: chosen.location.as_str(),
                practice_name: chosen.name.as_str(),
                ods_code: chosen.ods.as_str(),
            },
        )?;
        let details = serde_json::json!({"route": chosen.route.code(), "cqc_location_id": chosen.location.as_str()});
        Ok((Context::load(conn, ctx.id())?.snapshot(app.settings())?, details))
    })
    .await
}

/// Route B: the applicant confirms (or no longer confirms) that the CQC registration details
/// shown are the practice's (R-P3).
pub async fn confirm_cqc_details(
    app: &App,
    caller: &Caller,
    id: &str,
    confirmed: Option<bool>,
) -> Result<Application, Error> {
    let confirmed = confirmed.ok_or_else(|| {
        let detail = "Say whether these are your practice's CQC registration details.";
        Error::validation(vec![FieldError::new("/confirmed", ProblemCode::Required, Some("R-P3"), detail)])
    });
    let event = match confirmed {
        Ok(false) => "application.cqc_details_rejected",
        _ => "application.cqc_details_confirmed",
    };
    in_draft(app, caller, id, (Action::ConfirmCqcDetails, event), confirmed, |conn, app, ctx, confirmed, now| {
        applications::set_cqc_confirmation(conn, ctx.id(), confirmed.then_some(now))?;
        Ok((Context::load(conn, ctx.id())?.snapshot(app.settings())?, serde_json::json!({})))
    })
    .await
}

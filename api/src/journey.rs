//! An application as the journey sees it: its row, the practice it identified and its members,
//! turned into domain values so the rules can be applied. Also the application-token
//! extractor and the request origin used by the audit log.

use crate::problem::{ApiError, FieldError};
use crate::request_id;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use app::secrets::APPLICATION_TOKEN_PREFIX;
use chrono::{DateTime, Utc};
use domain::contact::{Email, UkMobile};
use domain::identifiers::{CqcLocationId, OdsCode, PracticeName};
use domain::journey::{ApplicationStatus, Progress, Requirement, Route};
use domain::mailbox::{MailDomain, SharedMailboxAddress};
use domain::member::{MemberDetails, PersonName, Role, Title};
use domain::roster::{MailboxPermission, Roster, RosterMember};
use domain::town::{self, Town};
use futures_util::future::{LocalBoxFuture, Ready, ready};
use persistence::DbConnection;
use persistence::applications::{self, ApplicationRow, MemberRow};
use persistence::audit::{Actor, Origin};
use persistence::reference::{self, CqcLocationRow, PracticeRow};
use persistence::time::from_db;

/// An application with everything the rules need.
#[derive(Debug, Clone)]
pub struct Context {
    pub application: ApplicationRow,
    /// The register entry (route A).
    pub practice: Option<PracticeRow>,
    /// The CQC directory entry (route B).
    pub cqc: Option<CqcLocationRow>,
    pub members: Vec<MemberRow>,
}

fn corrupt(what: &str) -> ApiError {
    ApiError::internal(format!("stored application data is invalid: {what}"))
}

impl Context {
    fn assemble(conn: &mut DbConnection, application: ApplicationRow) -> Result<Self, ApiError> {
        let practice = match &application.practice_id {
            Some(id) => reference::practice(conn, id)?,
            None => None,
        };
        let cqc = match (application.route.as_deref(), &application.cqc_location_id) {
            (Some("b"), Some(location)) => reference::cqc_location(conn, location)?,
            _ => None,
        };
        let members = applications::members(conn, &application.id)?;
        Ok(Self { application, practice, cqc, members })
    }

    pub fn load(conn: &mut DbConnection, id: &str) -> Result<Self, ApiError> {
        let application = applications::get(conn, id)?;
        Self::assemble(conn, application)
    }

    /// Loads the application and locks it for the rest of the transaction.
    pub fn load_locked(conn: &mut DbConnection, id: &str) -> Result<Self, ApiError> {
        let application = applications::lock(conn, id)?;
        Self::assemble(conn, application)
    }

    pub fn id(&self) -> &str {
        &self.application.id
    }

    pub fn status(&self) -> Result<ApplicationStatus, ApiError> {
        ApplicationStatus::parse(&self.application.status).ok_or_else(|| corrupt("status"))
    }

    pub fn route(&self) -> Option<Route> {
        self.application.route.as_deref().and_then(Route::parse)
    }

    pub fn authenticated(&self) -> bool {
        self.application.authenticated_at.is_some()
    }

    pub fn location_id(&self) -> Option<CqcLocationId> {
        self.application.cqc_location_id.as_deref().and_then(|id| CqcLocationId::parse(id).ok())
    }

    pub fn practice_name(&self) -> Option<PracticeName> {
        self.application.practice_name.as_deref().and_then(|n| PracticeName::parse(n).ok())
    }

    pub fn ods_code(&self) -> Option<OdsCode> {
        self.application.ods_code.as_deref().and_then(|c| OdsCode::parse(c).ok())
    }

    pub fn town(&self) -> Option<Town> {
        self.application.town.as_deref().and_then(|t| Town::parse(t).ok())
    }

    /// R-M1: the address as soon as town and practice are known.
    pub fn mailbox_address(&self, domain: &MailDomain) -> Option<SharedMailboxAddress> {
        self.mailbox_address_with(&self.town()?, domain)
    }

    pub fn mailbox_address_with(&self, town: &Town, domain: &MailDomain) -> Option<SharedMailboxAddress> {
        Some(SharedMailboxAddress::build(town, &self.practice_name()?, &self.ods_code()?, domain))
    }

    /// R-T1: suggestions from the address on record, most specific first.
    pub fn town_suggestions(&self) -> Vec<Town> {
        let mut places: Vec<&str> = Vec::new();
        if let Some(practice) = &self.practice {
            places.extend(practice.record.address_line_2.as_deref());
            places.push(&practice.record.town);
            places.extend(practice.record.county.as_deref());
        }
        if let Some(cqc) = &self.cqc {
            places.extend(cqc.record.address_line_2.as_deref());
            places.push(&cqc.record.town);
            places.extend(cqc.record.county.as_deref());
        }
        town::suggestions(places)
    }

    pub fn roster(&self) -> Result<Roster<String>, ApiError> {
        self.members.iter().map(member_from_row).collect::<Result<Vec<_>, _>>().map(Roster::from_members)
    }

    pub fn progress(&self) -> Result<Progress, ApiError> {
        let roster = self.roster()?;
        Ok(Progress {
            status: self.status()?,
            route: self.route(),
            authenticated: self.authenticated(),
            cqc_details_confirmed: self.application.cqc_details_confirmed_at.is_some(),
            town_chosen: self.application.town.is_some(),
            roster: roster.counts(),
        })
    }

    /// Index of a member in roster order, for pointers such as `/members/2/mobile`.
    pub fn member_index(&self, member_id: &str) -> Option<usize> {
        self.members.iter().position(|m| m.id == member_id)
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        from_db(self.application.expires_at)
    }
}

/// Restores a stored member as a domain value; stored members were valid when written.
pub fn member_from_row(row: &MemberRow) -> Result<RosterMember<String>, ApiError> {
    let details = MemberDetails {
        title: row.title.as_deref().map(Title::parse).transpose().map_err(|_| corrupt("member title"))?,
        first_name: PersonName::parse(&row.first_name).map_err(|_| corrupt("member first name"))?,
        last_name: PersonName::parse(&row.last_name).map_err(|_| corrupt("member last name"))?,
        email: Email::from_stored(row.email.clone()),
        mobile: UkMobile::from_stored(row.mobile.clone()),
        role: Role::parse(&row.role).map_err(|_| corrupt("member role"))?,
    };
    let permission = MailboxPermission::parse(&row.permission).ok_or_else(|| corrupt("member permission"))?;
    Ok(RosterMember { key: row.id.clone(), details, permission })
}

/// Where in the application a missing part lives (R-S1), as a JSON pointer.
pub fn requirement_pointer(requirement: &Requirement) -> &'static str {
    match requirement {
        Requirement::IdentifyPractice => "/practice",
        Requirement::AuthenticatePractice => "/verification",
        Requirement::ConfirmCqcDetails => "/cqc_confirmation",
        Requirement::ChooseTown => "/town",
        Requirement::Roster(_) => "/members",
        Requirement::ConfirmDataCorrect => "/confirm_data_correct",
    }
}

pub fn requirement_errors(requirements: &[Requirement]) -> Vec<FieldError> {
    requirements.iter().map(|r| FieldError::from_violation(requirement_pointer(r), r)).collect()
}

/// The applicant holding a valid application token. Handlers must still check the token's
/// application is the one in the path ([`Applicant::owns`]).
#[derive(Debug, Clone)]
pub struct Applicant {
    pub application_id: String,
}

impl Applicant {
    /// The application in the path, if it is the token's own; otherwise 404, so that ids of
    /// other applications are never confirmed.
    pub fn owns(&self, path_id: &str) -> Result<String, ApiError> {
        if self.application_id == path_id { Ok(self.application_id.clone()) } else { Err(ApiError::not_found()) }
    }

    pub fn actor(&self) -> Actor {
        Actor { kind: "applicant", id: Some(self.application_id.clone()) }
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme in any case), if there is one.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

impl FromRequest for Applicant {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or_else(|| {
                ApiError::unauthorized("Send the application token you were given as `Authorization: Bearer <token>`.")
            })?;
            let invalid = || ApiError::unauthorized("The application token is not valid.");
            if !token.starts_with(APPLICATION_TOKEN_PREFIX) || token.len() > 100 {
                return Err(invalid());
            }
            let hash = state.app.hasher().application_token(&token);
            let now = state.app.now();
            let application = state
                .db(move |conn| {
                    let Some(row) = applications::find_by_token_hash(conn, &hash)? else {
                        return Ok(None);
                    };
                    // An inactive draft expires when next seen, even before the sweeper gets to it.
                    if row.status == "draft" && from_db(row.expires_at) <= now {
                        app::expiry::expire(conn, &row.id, now)?;
                    }
                    Ok(Some(row.id))
                })
                .await?;
            application.map(|application_id| Applicant { application_id }).ok_or_else(invalid)
        })
    }
}

/// Where a request came from, for the audit log and per-client limits.
#[derive(Debug, Clone)]
pub struct RequestOrigin(pub Origin);

impl FromRequest for RequestOrigin {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trust_proxy = req.app_data::<web::Data<AppState>>().is_some_and(|state| state.config.trust_proxy_headers);
        let client_address = if trust_proxy {
            req.connection_info().realip_remote_addr().map(str::to_owned)
        } else {
            req.peer_addr().map(|address| address.ip().to_string())
        };
        ready(Ok(Self(Origin { request_id: request_id::current(), client_address })))
    }
}

/// Records an applicant's change in the audit log.
pub fn audit(
    conn: &mut DbConnection,
    applicant: &Applicant,
    origin: &RequestOrigin,
    action: &str,
    details: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    persistence::audit::record(
        conn,
        &persistence::audit::AuditEntry {
            actor: &applicant.actor(),
            origin: &origin.0,
            action,
            object_type: "application",
            object_id: Some(&applicant.application_id),
            details,
        },
        now,
    )?;
    Ok(())
}

/// The application as it now stands, for a response.
pub fn view(
    conn: &mut DbConnection,
    id: &str,
    config: &crate::config::Config,
) -> Result<crate::views::ApplicationView, ApiError> {
    crate::views::ApplicationView::build(
        &Context::load(conn, id)?,
        &config.app.mail_domain,
        &config.app.support_contact,
    )
}

/// Runs a change to the applicant's draft in one write transaction: locks the application,
/// checks `action` is open now, applies `change`, records the activity and the audit event
/// `event` with the details `change` returns, and returns what `change` produced.
pub async fn in_draft<T, F>(
    state: &web::Data<AppState>,
    applicant: &Applicant,
    origin: &RequestOrigin,
    action: domain::journey::Action,
    event: &'static str,
    change: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection, &Context, DateTime<Utc>) -> Result<(T, serde_json::Value), ApiError> + Send + 'static,
{
    let now = state.app.now();
    let inactivity = state.config.app.application_inactivity;
    let (applicant, origin) = (applicant.clone(), origin.clone());
    state
        .db(move |conn| {
            persistence::write_transaction(conn, |conn| {
                let ctx = Context::load_locked(conn, &applicant.application_id)?;
                ctx.progress()?.check(action).map_err(|e| ApiError::refused(&e))?;
                let (result, details) = change(conn, &ctx, now)?;
                applications::touch(conn, &applicant.application_id, now, now + inactivity)?;
                audit(conn, &applicant, &origin, event, details, now)?;
                Ok(result)
            })
        })
        .await
}

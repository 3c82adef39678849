//! An application as stored, for every use case that reads one (the journey, the review): its
//! row, the practice it identified and its members, turned into domain values so the rules can
//! be applied.

use crate::{Error, FieldError};
use chrono::{DateTime, Utc};
use domain::contact::{Email, UkMobile};
use domain::identifiers::{CqcLocationId, OdsCode, PracticeName};
use domain::journey::{ApplicationStatus, Progress, Requirement, Route};
use domain::mailbox::{MailDomain, SharedMailboxAddress};
use domain::member::{MemberDetails, PersonName, Role, Title};
use domain::roster::{MailboxPermission, Roster, RosterCounts, RosterMember};
use domain::town::{self, Town};
use persistence::DbConnection;
use persistence::applications::{self, ApplicationRow, MemberRow};
use persistence::reference::{self, CqcLocationRow, PracticeRow};
use persistence::time::from_db;

/// A member in roster order (the first is the shared mailbox owner).
#[derive(Debug, Clone)]
pub struct Member {
    pub position: i32,
    pub member: RosterMember<String>,
}

/// The roster with its counts (R-R1).
#[derive(Debug, Clone)]
pub struct Members {
    pub members: Vec<Member>,
    pub counts: RosterCounts,
}

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

fn corrupt(what: &str) -> Error {
    Error::internal(format!("stored application data is invalid: {what}"))
}

impl Context {
    pub(crate) fn assemble(conn: &mut DbConnection, application: ApplicationRow) -> Result<Self, Error> {
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

    pub fn load(conn: &mut DbConnection, id: &str) -> Result<Self, Error> {
        let application = applications::get(conn, id)?;
        Self::assemble(conn, application)
    }

    /// Loads the application and locks it for the rest of the transaction.
    pub fn load_locked(conn: &mut DbConnection, id: &str) -> Result<Self, Error> {
        let application = applications::lock(conn, id)?;
        Self::assemble(conn, application)
    }

    pub fn id(&self) -> &str {
        &self.application.id
    }

    pub fn status(&self) -> ApplicationStatus {
        self.application.status
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

    /// R-T1: suggestions from the address on record, most specific first: its locality and its
    /// town, never its county.
    pub fn town_suggestions(&self) -> Vec<town::Suggestion> {
        let mut places: Vec<&str> = Vec::new();
        if let Some(practice) = &self.practice {
            places.extend(practice.record.address_line_2.as_deref());
            places.push(&practice.record.town);
        }
        if let Some(cqc) = &self.cqc {
            places.extend(cqc.record.address_line_2.as_deref());
            places.push(&cqc.record.town);
        }
        town::suggestions(places)
    }

    pub fn roster(&self) -> Result<Roster<String>, Error> {
        self.members.iter().map(member_from_row).collect::<Result<Vec<_>, _>>().map(Roster::from_members)
    }

    pub fn progress(&self) -> Result<Progress, Error> {
        let roster = self.roster()?;
        Ok(Progress {
            status: self.status(),
            route: self.route(),
            authenticated: self.authenticated(),
            cqc_details_confirmed: self.application.cqc_details_confirmed_at.is_some(),
            town_chosen: self.application.town.is_some(),
            roster: roster.counts(),
            roster_problems: roster.completeness_problems(),
        })
    }

    /// The roster in order, with its counts.
    pub(crate) fn members_view(&self) -> Result<Members, Error> {
        let roster = self.roster()?;
        let members = roster
            .members()
            .iter()
            .zip(&self.members)
            .map(|(member, row)| Member { position: row.position, member: member.clone() })
            .collect();
        Ok(Members { members, counts: roster.counts() })
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
pub fn member_from_row(row: &MemberRow) -> Result<RosterMember<String>, Error> {
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

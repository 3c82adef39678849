//! Registration applications and their members.
//!
//! Every change happens inside a write transaction that first calls [`lock`], which updates the
//! application's row: on PostgreSQL that takes the row lock, so concurrent requests on one
//! application queue (SQLite's `BEGIN IMMEDIATE` already serialises writers). Rules are checked
//! by the caller against the locked state, then written here.
//!
//! Why this file is long: every query of an application, its members and its mobile
//! reservations is here, so that the locking and uniqueness rules of the table read in one place.

use crate::codes::Stored;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::fixed::{changed, fixed};
use crate::schema::{applications, members, mobile_reservations};
use crate::search::lower;
use crate::time::to_db;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::journey::ApplicationStatus;
use domain::passcode::PasscodeChannel;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = applications)]
pub struct ApplicationRow {
    pub id: String,
    pub token_hash: String,
    #[diesel(deserialize_as = Stored<ApplicationStatus>)]
    pub status: ApplicationStatus,
    pub has_nhsmail_account: bool,
    pub ig_return_submitted: bool,
    pub recent_passcode_received: bool,
    pub knows_cqc_contact_id: bool,
    #[diesel(deserialize_as = Stored<PasscodeChannel>)]
    pub passcode_channel: PasscodeChannel,
    pub route: Option<String>,
    pub postcode: Option<String>,
    pub practice_id: Option<String>,
    pub cqc_location_id: Option<String>,
    pub practice_name: Option<String>,
    pub ods_code: Option<String>,
    pub cqc_details_confirmed_at: Option<NaiveDateTime>,
    pub authenticated_at: Option<NaiveDateTime>,
    pub authentication_method: Option<String>,
    pub claimed_location_id: Option<String>,
    pub town: Option<String>,
    pub data_confirmed_at: Option<NaiveDateTime>,
    pub submitted_at: Option<NaiveDateTime>,
    pub submission_idempotency_key: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub last_activity_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    /// The shared mailbox address reserved at submission (R-M2).
    pub mailbox_address: Option<String>,
}

/// The questionnaire answers a new application starts with.
#[derive(Debug, Clone)]
pub struct NewApplication<'a> {
    pub id: &'a str,
    pub token_hash: &'a str,
    pub has_nhsmail_account: bool,
    pub ig_return_submitted: bool,
    pub recent_passcode_received: bool,
    pub knows_cqc_contact_id: bool,
    pub passcode_channel: &'a str,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub fn insert(conn: &mut DbConnection, new: &NewApplication<'_>) -> Result<(), StoreError> {
    let now = to_db(new.now);
    diesel::insert_into(applications::table)
        .values((
            applications::id.eq(new.id),
            applications::token_hash.eq(new.token_hash),
            applications::status.eq(ApplicationStatus::Draft.code()),
            applications::has_nhsmail_account.eq(new.has_nhsmail_account),
            applications::ig_return_submitted.eq(new.ig_return_submitted),
            applications::recent_passcode_received.eq(new.recent_passcode_received),
            applications::knows_cqc_contact_id.eq(new.knows_cqc_contact_id),
            applications::passcode_channel.eq(new.passcode_channel),
            applications::created_at.eq(now),
            applications::updated_at.eq(now),
            applications::last_activity_at.eq(now),
            applications::expires_at.eq(to_db(new.expires_at)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find_by_token_hash(conn: &mut DbConnection, token_hash: &str) -> Result<Option<ApplicationRow>, StoreError> {
    Ok(applications::table
        .filter(applications::token_hash.eq(token_hash))
        .select(ApplicationRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<ApplicationRow, StoreError> {
    Ok(applications::table.find(id).select(ApplicationRow::as_select()).get_result(conn)?)
}

/// Locks the application for the rest of the transaction and returns its current state.
pub fn lock(conn: &mut DbConnection, id: &str) -> Result<ApplicationRow, StoreError> {
    let updated = changed(
        conn,
        diesel::update(applications::table.find(id))
            .set(applications::id.eq(applications::id))
            .returning(applications::id),
    )?;
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    get(conn, id)
}

/// The fast path of a change to a draft: records activity on the draft `id` opened by
/// `token_hash` if it is still live at `now`, locking it as [`touch`] does, and returns it as
/// stored. `None` when the token does not open it or it is no draft still live; the caller then
/// takes the path that tells which (one statement here instead of a lookup, an update and a read).
pub fn touch_live_draft(
    conn: &mut DbConnection,
    (id, token_hash): (&str, &str),
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<Option<ApplicationRow>, StoreError> {
    let live = applications::table
        .find(id)
        .filter(applications::token_hash.eq(token_hash))
        .filter(applications::status.eq(ApplicationStatus::Draft.code()))
        .filter(applications::expires_at.gt(to_db(now)));
    let touched = diesel::update(live)
        .set((
            applications::updated_at.eq(to_db(now)),
            applications::last_activity_at.eq(to_db(now)),
            applications::expires_at.eq(to_db(expires_at)),
        ))
        // The row's columns by name: `as_returning()` is tied to one backend, which the
        // connection that serves both cannot pass on.
        .returning(<ApplicationRow as Selectable<crate::db::MultiBackend>>::construct_selection());
    Ok(fixed(touched).get_result::<ApplicationRow>(conn).optional()?)
}

/// Records activity: the inactivity expiry moves to `expires_at`. Like [`lock`], it locks the
/// application for the rest of the transaction. `false` if there is no such application.
pub fn touch(
    conn: &mut DbConnection,
    id: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let touched = diesel::update(applications::table.find(id))
        .set((
            applications::updated_at.eq(to_db(now)),
            applications::last_activity_at.eq(to_db(now)),
            applications::expires_at.eq(to_db(expires_at)),
        ))
        .returning(applications::id);
    Ok(changed(conn, touched)? > 0)
}

/// Records activity that changes nothing (a read): the draft stays alive, `updated_at` stays.
pub fn note_activity(
    conn: &mut DbConnection,
    id: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let noted = diesel::update(applications::table.find(id))
        .set((applications::last_activity_at.eq(to_db(now)), applications::expires_at.eq(to_db(expires_at))))
        .returning(applications::id);
    changed(conn, noted)?;
    Ok(())
}

/// The practice the applicant identified (R-P2, R-P3).
#[derive(Debug, Clone)]
pub struct PracticeSelection<'a> {
    pub route: &'a str,
    pub postcode: &'a str,
    pub practice_id: Option<&'a str>,
    pub cqc_location_id: &'a str,
    pub practice_name: &'a str,
    pub ods_code: &'a str,
}

/// Sets the practice; any earlier CQC confirmation is for another practice and is cleared.
pub fn set_practice(conn: &mut DbConnection, id: &str, selection: &PracticeSelection<'_>) -> Result<(), StoreError> {
    let set = diesel::update(applications::table.find(id))
        .set((
            applications::route.eq(selection.route),
            applications::postcode.eq(selection.postcode),
            applications::practice_id.eq(selection.practice_id),
            applications::cqc_location_id.eq(selection.cqc_location_id),
            applications::practice_name.eq(selection.practice_name),
            applications::ods_code.eq(selection.ods_code),
            applications::cqc_details_confirmed_at.eq(None::<NaiveDateTime>),
        ))
        .returning(applications::id);
    changed(conn, set)?;
    Ok(())
}

/// Marks the practice as proven and claims it (R-P5), returning the application as now stored:
/// fails with `Conflict::PracticeHasLiveApplication` when another application holds the practice.
pub fn mark_authenticated(
    conn: &mut DbConnection,
    id: &str,
    location_id: &str,
    method: &str,
    now: DateTime<Utc>,
) -> Result<ApplicationRow, StoreError> {
    // A savepoint, so that on PostgreSQL a refused claim leaves the transaction usable.
    conn.transaction(|conn| {
        let claim = diesel::update(applications::table.find(id))
            .set((
                applications::authenticated_at.eq(Some(to_db(now))),
                applications::authentication_method.eq(Some(method)),
                applications::claimed_location_id.eq(Some(location_id)),
            ))
            .returning(<ApplicationRow as Selectable<crate::db::MultiBackend>>::construct_selection());
        fixed(claim).get_result::<ApplicationRow>(conn).map_err(StoreError::from)
    })
}

/// The application that holds a practice (R-P5), if any.
pub fn holder_of(conn: &mut DbConnection, location_id: &str) -> Result<Option<ApplicationRow>, StoreError> {
    Ok(applications::table
        .filter(applications::claimed_location_id.eq(location_id))
        .select(ApplicationRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn set_cqc_confirmation(
    conn: &mut DbConnection,
    id: &str,
    confirmed_at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    diesel::update(applications::table.find(id))
        .set(applications::cqc_details_confirmed_at.eq(confirmed_at.map(to_db)))
        .execute(conn)?;
    Ok(())
}

pub fn set_town(conn: &mut DbConnection, id: &str, town: &str) -> Result<(), StoreError> {
    changed(
        conn,
        diesel::update(applications::table.find(id)).set(applications::town.eq(Some(town))).returning(applications::id),
    )?;
    Ok(())
}

/// Submits a draft (R-S2, R-S3). Only a draft changes; returns whether this call submitted it.
pub fn submit(
    conn: &mut DbConnection,
    id: &str,
    idempotency_key: Option<&str>,
    mailbox_address: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let now = to_db(now);
    let submitted =
        diesel::update(applications::table.find(id).filter(applications::status.eq(ApplicationStatus::Draft.code())))
            .set((
                applications::status.eq(ApplicationStatus::Submitted.code()),
                applications::mailbox_address.eq(Some(mailbox_address)),
                applications::data_confirmed_at.eq(Some(now)),
                applications::submitted_at.eq(Some(now)),
                applications::submission_idempotency_key.eq(idempotency_key),
                applications::updated_at.eq(now),
            ))
            .returning(applications::id);
    let updated = changed(conn, submitted)?;
    Ok(updated == 1)
}

/// Ends a draft as `expired` or `withdrawn`: members and their personal data are deleted, the
/// practice is released (R-P5). Returns whether the draft was ended by this call.
pub fn end_draft(
    conn: &mut DbConnection,
    id: &str,
    status: ApplicationStatus,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let updated =
        diesel::update(applications::table.find(id).filter(applications::status.eq(ApplicationStatus::Draft.code())))
            .set((
                applications::status.eq(status.code()),
                applications::claimed_location_id.eq(None::<String>),
                applications::town.eq(None::<String>),
                applications::updated_at.eq(to_db(now)),
            ))
            .execute(conn)?;
    if updated == 1 {
        diesel::delete(members::table.filter(members::application_id.eq(id))).execute(conn)?;
        diesel::delete(mobile_reservations::table.filter(mobile_reservations::application_id.eq(id))).execute(conn)?;
    }
    Ok(updated == 1)
}

/// Drafts whose inactivity period ended at or before `now`.
pub fn stale_drafts(conn: &mut DbConnection, now: DateTime<Utc>, limit: i64) -> Result<Vec<String>, StoreError> {
    Ok(applications::table
        .filter(applications::status.eq(ApplicationStatus::Draft.code()))
        .filter(applications::expires_at.le(to_db(now)))
        .order(applications::expires_at.asc())
        .limit(limit)
        .select(applications::id)
        .load(conn)?)
}

// ---- members ----

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = members)]
pub struct MemberRow {
    pub id: String,
    pub application_id: String,
    pub position: i32,
    pub title: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub mobile: String,
    pub role: String,
    pub permission: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A member's fields as stored. No title is NULL, never DEFAULT, so the insert's SQL is the same
/// every time and PostgreSQL's connection keeps it prepared.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = members, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct MemberFields {
    pub title: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub mobile: String,
    pub role: String,
    pub permission: String,
}

/// Members in roster order.
pub fn members(conn: &mut DbConnection, application_id: &str) -> Result<Vec<MemberRow>, StoreError> {
    Ok(members::table
        .filter(members::application_id.eq(application_id))
        .order(members::position.asc())
        .select(MemberRow::as_select())
        .load(conn)?)
}

/// Inserts a member at `position`, which the caller took from the roster it read under the
/// application's lock (one past the last).
pub fn insert_member(
    conn: &mut DbConnection,
    application_id: &str,
    (member_id, position): (&str, i32),
    fields: &MemberFields,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = to_db(now);
    diesel::insert_into(members::table)
        .values((
            members::id.eq(member_id),
            members::application_id.eq(application_id),
            members::position.eq(position),
            fields,
            members::created_at.eq(now),
            members::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn update_member(
    conn: &mut DbConnection,
    member_id: &str,
    fields: &MemberFields,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(members::table.find(member_id)).set((fields, members::updated_at.eq(to_db(now)))).execute(conn)?;
    Ok(())
}

pub fn delete_member(conn: &mut DbConnection, member_id: &str) -> Result<(), StoreError> {
    diesel::delete(members::table.find(member_id)).execute(conn)?;
    Ok(())
}

// ---- mobile reservations (R-R7) ----

/// Which of these mobiles are already reserved by a submitted application or an account.
pub fn reserved_mobiles(conn: &mut DbConnection, mobiles: &[String]) -> Result<Vec<String>, StoreError> {
    if let [mobile] = mobiles {
        // One mobile (adding a member): a statement SQLite keeps prepared, which `IN` is not.
        return Ok(mobile_reservations::table
            .find(mobile)
            .select(mobile_reservations::mobile)
            .get_result(conn)
            .optional()?
            .into_iter()
            .collect());
    }
    Ok(mobile_reservations::table
        .filter(mobile_reservations::mobile.eq_any(mobiles))
        .select(mobile_reservations::mobile)
        .load(conn)?)
}

/// Reserves a mobile for a submitted application; `Conflict::MobileAlreadyRegistered` if taken.
pub fn reserve_mobile(
    conn: &mut DbConnection,
    mobile: &str,
    application_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(mobile_reservations::table)
        .values((
            mobile_reservations::mobile.eq(mobile),
            mobile_reservations::application_id.eq(Some(application_id)),
            mobile_reservations::reserved_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}

// ---- review (helpdesk) ----

/// Records the decision on a submitted application. Only a submitted application changes;
/// returns whether this call decided it. A rejection releases the practice (R-P5).
pub fn decide(
    conn: &mut DbConnection,
    id: &str,
    approved: bool,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let status = if approved { ApplicationStatus::Approved } else { ApplicationStatus::Rejected }.code();
    let target = applications::table.find(id).filter(applications::status.eq(ApplicationStatus::Submitted.code()));
    let updated = if approved {
        diesel::update(target)
            .set((
                applications::status.eq(status),
                applications::decided_at.eq(Some(to_db(now))),
                applications::decision_reason.eq(reason),
                applications::updated_at.eq(to_db(now)),
            ))
            .execute(conn)?
    } else {
        diesel::update(target)
            .set((
                applications::status.eq(status),
                applications::decided_at.eq(Some(to_db(now))),
                applications::decision_reason.eq(reason),
                applications::claimed_location_id.eq(None::<String>),
                applications::mailbox_address.eq(None::<String>),
                applications::updated_at.eq(to_db(now)),
            ))
            .execute(conn)?
    };
    Ok(updated == 1)
}

/// Whether `address` belongs to a shared mailbox, or is reserved by an application other than
/// `own_id` (R-M2: addresses are unique and never reused).
pub fn mailbox_address_taken(conn: &mut DbConnection, address: &str, own_id: &str) -> Result<bool, StoreError> {
    use crate::schema::shared_mailboxes;
    let mailboxes: i64 =
        shared_mailboxes::table.filter(shared_mailboxes::address.eq(address)).count().get_result(conn)?;
    let reserved: i64 = applications::table
        .filter(applications::mailbox_address.eq(address))
        .filter(applications::id.ne(own_id))
        .count()
        .get_result(conn)?;
    Ok(mailboxes + reserved > 0)
}

/// Filters for the helpdesk's list of applications.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub status: Option<ApplicationStatus>,
    pub postcode: Option<String>,
    pub ods_code: Option<String>,
    pub cqc_location_id: Option<String>,
    /// Part of the practice name, any case.
    pub practice_name: Option<String>,
}

/// Newest first, `limit` at most, after the keyset cursor `(created_at, id)` when given.
pub fn search(
    conn: &mut DbConnection,
    filter: &ApplicationFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<ApplicationRow>, StoreError> {
    let mut query = applications::table.select(ApplicationRow::as_select()).into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(applications::status.eq(status.code()));
    }
    if let Some(postcode) = &filter.postcode {
        query = query.filter(applications::postcode.eq(postcode.clone()));
    }
    if let Some(ods) = &filter.ods_code {
        query = query.filter(applications::ods_code.eq(ods.clone()));
    }
    if let Some(location) = &filter.cqc_location_id {
        query = query.filter(applications::cqc_location_id.eq(location.clone()));
    }
    if let Some(name) = &filter.practice_name {
        query = query.filter(
            lower(applications::practice_name.assume_not_null())
                .like(crate::search::contains_pattern(name))
                .escape(crate::search::ESCAPE),
        );
    }
    if let Some((created_at, id)) = after {
        query = query.filter(
            applications::created_at
                .lt(created_at)
                .or(applications::created_at.eq(created_at).and(applications::id.lt(id))),
        );
    }
    Ok(query.order((applications::created_at.desc(), applications::id.desc())).limit(limit).load(conn)?)
}

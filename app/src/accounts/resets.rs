//! Self-service password reset (R-L7): a code by text message to the registered mobile, then
//! the code, the answer to a security question and a new password. The start says the same
//! whether or not the username exists.

use super::{by, normalise_username, record};
use crate::outbox::{self, About, templates};
use crate::secrets::{digests_equal, new_reset_code};
use crate::{App, Caller, Error, ErrorKind, FieldError, Validator, limits};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use domain::account::{ResetCode, ResetError, SecurityAnswer, SecurityQuestion, check_reset_usable};
use domain::attempts::WindowLimit;
use domain::messages;
use persistence::accounts::{self, AccountRow};
use persistence::time::from_db;
use persistence::{DbConnection, account_life, admins, write_transaction};

/// The answer to any reset request, whether or not the account exists.
#[derive(Debug, Clone)]
pub struct ResetStarted {
    pub reset_id: String,
    /// Answer this together with the code.
    pub security_question: SecurityQuestion,
    pub expires_at: DateTime<Utc>,
    pub detail: String,
}

/// Sends the code when the account exists, is activated, has a mobile and security answers,
/// and has not had too many resets lately; says the same in every case.
fn start_now(conn: &mut DbConnection, app: &App, caller: &Caller, username: &str) -> Result<ResetStarted, Error> {
    let now = app.now();
    let settings = &app.settings().accounts;
    let client = app.hasher().client(caller.origin.client_address.as_deref().unwrap_or("unknown"));
    if let Some(next) = limits::reset_request_allowed_at(conn, &client, now)? {
        return Err(Error::new(ErrorKind::RateLimited)
            .with_code(ProblemCode::ResetLimitReached, Some("R-L7"))
            .detail("Too many reset requests; try again later.")
            .retry_at(next, now));
    }
    limits::record_reset_request(conn, &client, now)?;
    let reset_id = uuid::Uuid::new_v4().to_string();
    let account =
        accounts::account_by_username(conn, username)?.filter(|a| a.status().is_activated() && a.mobile.is_some());
    let (answered, recent) = match &account {
        Some(a) => (
            account_life::security_answers(conn, &a.id)?,
            account_life::resets_since(conn, &a.id, now - WindowLimit::RESETS_PER_ACCOUNT.window)?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    // The same question for the same username every time, real account or not.
    let question = if answered.is_empty() {
        SecurityQuestion::ALL[app.hasher().choose(username, SecurityQuestion::ALL.len())]
    } else {
        let (code, _) = &answered[app.hasher().choose(username, answered.len())];
        SecurityQuestion::parse(code).unwrap_or(SecurityQuestion::FirstSchool)
    };
    let expires_at = now + settings.reset_code_lifetime;
    let allowed = !answered.is_empty() && WindowLimit::RESETS_PER_ACCOUNT.next_allowed(&recent, now).is_none();
    if let Some(account) = account.filter(|_| allowed) {
        let code = new_reset_code()?;
        let code_hash = app.hasher().reset_code(&reset_id, &code);
        account_life::insert_reset(conn, &reset_id, &account.id, &code_hash, question.code(), now, expires_at)?;
        let sms = messages::password_reset_code_sms(code.expose_secret(), settings.reset_code_lifetime.num_minutes());
        let mobile = account.mobile.clone().unwrap_or_default();
        let about = About { kind: "account", id: &account.id };
        outbox::enqueue_sms(conn, templates::PASSWORD_RESET_CODE_SMS, &mobile, about, sms, true, now)?;
        let details = serde_json::json!({"reset_id": reset_id});
        let by = by(&account.id, caller.origin.clone());
        record(conn, &by, &account.id, "account.password_reset_requested", details, now)?;
    }
    Ok(ResetStarted {
        reset_id,
        security_question: question,
        expires_at,
        detail: "If the account exists and has a registered mobile, a code has been sent to it by text message."
            .to_owned(),
    })
}

/// Starts a self-service reset (R-L7).
pub async fn start(app: &App, caller: &Caller, username: Option<&str>) -> Result<ResetStarted, Error> {
    let username = username.map(str::trim).filter(|u| !u.is_empty()).ok_or_else(|| {
        Error::validation(vec![FieldError::new(
            "/username",
            ProblemCode::Required,
            Some("R-L7"),
            "Enter the username.",
        )])
    })?;
    let username = normalise_username(username, app.settings().mail_domain.as_str());
    let caller = caller.clone();
    app.run(move |conn, app| write_transaction(conn, |conn| start_now(conn, app, &caller, &username))).await
}

/// What finishes a reset; unset fields are `None`.
#[derive(Debug, Clone, Default)]
pub struct ResetCompletion {
    pub code: Option<String>,
    pub answer: Option<String>,
    pub new_password: Option<String>,
}

fn reset_failed(error: ResetError, remaining: i32) -> Error {
    Error::new(ErrorKind::VerificationFailed)
        .detail(error.to_string())
        .with_errors(vec![FieldError::from_violation("/code", &error)])
        .attempts_remaining(u32::try_from(remaining).unwrap_or(0))
}

/// Finishes a self-service reset (R-L7): every session of the account ends.
pub async fn complete(app: &App, caller: &Caller, reset_id: &str, input: ResetCompletion) -> Result<(), Error> {
    let mut v = Validator::new();
    let code = v.check("/code", ResetCode::parse(input.code.as_deref().unwrap_or_default()));
    let answer = v.check("/answer", SecurityAnswer::parse(input.answer.as_deref().unwrap_or_default()));
    let new_password = input.new_password.filter(|p| !p.is_empty());
    if new_password.is_none() {
        v.push(FieldError::new("/new_password", ProblemCode::Required, Some("R-L2"), "Enter a new password."));
    }
    let (code, answer, new_password) = v.finish(|| Some((code?, answer?, new_password?)))?;
    let lookup = reset_id.to_owned();
    let found = app
        .db(move |conn| {
            let Some(reset) = account_life::reset(conn, &lookup)? else { return Ok(None) };
            let account: Option<AccountRow> = accounts::account(conn, &reset.account_id)?;
            let answers = account_life::security_answers(conn, &reset.account_id)?;
            Ok(account.map(|a| (reset, a, answers)))
        })
        .await?;
    let now = app.now();
    let Some((reset, account, answers)) = found else { return Err(reset_failed(ResetError::Spent, 0)) };
    check_reset_usable(reset.used_at.is_some(), from_db(reset.expires_at), reset.failed_attempts, now)
        .map_err(|spent| reset_failed(spent, 0))?;
    // The attempt is counted before the code and answer are checked, atomically, so that
    // concurrent guesses cannot exceed the limit (R-L7).
    let id = reset.id.clone();
    let taken = app.db(move |conn| Ok(account_life::take_reset_attempt(conn, &id, ResetCode::ATTEMPTS, now)?)).await?;
    if !taken {
        return Err(reset_failed(ResetError::Spent, 0));
    }
    let code_ok = digests_equal(&reset.code_hash, &app.hasher().reset_code(&reset.id, &code));
    let stored = answers.iter().find(|(q, _)| *q == reset.question).map(|(_, h)| h.clone());
    let answer_ok = app.passwords().verify(answer.expose_secret().to_owned(), stored).await?;
    if !(code_ok && answer_ok) {
        let id = reset.id.clone();
        let used = app
            .db(move |conn| Ok(account_life::reset(conn, &id)?.map_or(ResetCode::ATTEMPTS, |r| r.failed_attempts)))
            .await?;
        return Err(reset_failed(ResetError::Incorrect, ResetCode::ATTEMPTS - used));
    }
    super::activation::check_new_password(app, &account, &new_password).await?;
    let hash = app.passwords().hash(new_password).await?;
    let origin = caller.origin.clone();
    app.run(move |conn, app| {
        let max_age = app.settings().accounts.password_max_age;
        write_transaction(conn, |conn| {
            if !account_life::use_reset(conn, &reset.id, now)? {
                return Err(reset_failed(ResetError::Spent, 0));
            }
            account_life::set_password(conn, &account, &hash, false, now + max_age, now)?;
            admins::revoke_all(conn, "account", &account.id, now)?;
            let details = serde_json::json!({"reset_id": reset.id});
            record(conn, &by(&account.id, origin), &account.id, "account.password_reset", details, now)
        })
    })
    .await
}

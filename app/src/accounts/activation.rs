//! Activation (R-L1) and passwords (R-L2, R-L3): a new account changes its temporary password,
//! sets two security questions, accepts the acceptable use policy and chooses whether its mobile
//! is visible in the directory, in that order; then it is active, the welcome email goes out
//! (R-A4) and a full session replaces the activation one.

use super::sessions::holder_and_account;
use super::{AccountState, Holder, Session, load_account, open_session, progress, record, scope_for, state_of};
use crate::outbox::{self, About, templates};
use crate::{App, Caller, Error, FieldError, Validator};
use domain::ProblemCode;
use domain::account::{AccountStatus, RequiredAction, SecurityAnswer, SecurityQuestion, SessionScope};
use domain::messages::{self, WelcomeFacts};
use domain::password::HISTORY_DEPTH;
use persistence::accounts::AccountRow;
use persistence::{DbConnection, account_life, admins, write_transaction};

/// R-L1: during activation, the steps come in order.
fn check_order(holder: &Holder, account: &AccountRow, action: RequiredAction) -> Result<(), Error> {
    if holder.scope == SessionScope::Activation {
        progress(account).check(action).map_err(|e| Error::refused(&e))?;
    }
    Ok(())
}

/// R-L2: the policy, then the last passwords. The argon2 comparisons run on the hashing pool.
pub(crate) async fn check_new_password(app: &App, account: &AccountRow, candidate: &str) -> Result<(), Error> {
    let local = account.username.split('@').next().unwrap_or_default().to_owned();
    let personal =
        vec![account.first_name.clone().unwrap_or_default(), account.last_name.clone().unwrap_or_default(), local];
    app.passwords().check_policy(candidate.to_owned(), personal).await?.map_err(|errors| {
        Error::validation(errors.iter().map(|e| FieldError::from_violation("/new_password", e)).collect())
    })?;
    let account_id = account.id.clone();
    let depth = i64::try_from(HISTORY_DEPTH - 1).unwrap_or(3);
    let mut recent = app.db(move |conn| Ok(account_life::previous_passwords(conn, &account_id, depth)?)).await?;
    recent.extend(account.password_hash.clone());
    for hash in recent {
        if app.passwords().verify(candidate.to_owned(), Some(hash)).await? {
            return Err(Error::field("/new_password", &domain::password::PasswordError::RecentlyUsed));
        }
    }
    Ok(())
}

/// Changes the password (R-L2): the first step of activation, the way out of an expired or
/// reset password (R-L3, R-L7), or a change at any time. Every session ends; a new one comes back.
pub async fn change_password(
    app: &App,
    caller: &Caller,
    current: Option<String>,
    new: Option<String>,
) -> Result<AccountState, Error> {
    let (holder, account) = holder_and_account(app, caller).await?;
    holder.require(&[SessionScope::Activation, SessionScope::PasswordChange, SessionScope::Full])?;
    let mut v = Validator::new();
    let current = current.filter(|p| !p.is_empty());
    let new = new.filter(|p| !p.is_empty());
    if current.is_none() {
        let detail = "Enter your current password.";
        v.push(FieldError::new("/current_password", ProblemCode::Required, Some("R-L2"), detail));
    }
    if new.is_none() {
        v.push(FieldError::new("/new_password", ProblemCode::Required, Some("R-L2"), "Enter a new password."));
    }
    let (current, new) = v.finish(|| Some((current?, new?)))?;
    check_order(&holder, &account, RequiredAction::ChangePassword)?;
    if !app.passwords().verify(current, account.password_hash.clone()).await? {
        let detail = "The current password is not right.";
        let error = FieldError::new("/current_password", ProblemCode::CurrentPasswordIncorrect, Some("R-L2"), detail);
        return Err(Error::validation(vec![error]));
    }
    check_new_password(app, &account, &new).await?;
    let hash = app.passwords().hash(new).await?;
    app.run(move |conn, app| {
        let (now, max_age) = (app.now(), app.settings().accounts.password_max_age);
        write_transaction(conn, |conn| {
            account_life::set_password(conn, &account, &hash, false, now + max_age, now)?;
            admins::revoke_all(conn, "account", &account.id, now)?;
            record(conn, &holder.by(), &account.id, "account.password_changed", serde_json::json!({}), now)?;
            let updated = load_account(conn, &account.id)?;
            let scope = scope_for(&updated, max_age, now);
            let session = open_session(conn, app, &updated, scope)?;
            Ok(state_of(&updated, scope, Some(session)))
        })
    })
    .await
}

/// Two different questions and their answers (R-L1), used to confirm a self-service reset
/// (R-L7). Answers are stored hashed.
pub async fn set_security_questions(
    app: &App,
    caller: &Caller,
    answers: &[(Option<String>, Option<String>)],
) -> Result<AccountState, Error> {
    let (holder, account) = holder_and_account(app, caller).await?;
    holder.require(&[SessionScope::Activation, SessionScope::Full])?;
    let mut v = Validator::new();
    let mut chosen = Vec::new();
    let mut seen = Vec::new();
    for (i, (question, answer)) in answers.iter().enumerate() {
        let question = match question.as_deref().and_then(SecurityQuestion::parse) {
            Some(q) if seen.contains(&q) => {
                let pointer = format!("/answers/{i}/question");
                v.push(FieldError::new(
                    pointer,
                    ProblemCode::QuestionRepeated,
                    Some("R-L1"),
                    "Choose different questions.",
                ));
                None
            }
            Some(q) => {
                seen.push(q);
                Some(q)
            }
            None => {
                let pointer = format!("/answers/{i}/question");
                let detail = "Choose a question from the list.";
                v.push(FieldError::new(pointer, ProblemCode::QuestionUnknown, Some("R-L1"), detail));
                None
            }
        };
        let answer =
            v.check(&format!("/answers/{i}/answer"), SecurityAnswer::parse(answer.as_deref().unwrap_or_default()));
        if let (Some(q), Some(a)) = (question, answer) {
            chosen.push((q, a));
        }
    }
    if answers.len() != SecurityQuestion::REQUIRED {
        let detail = format!("Answer exactly {} different questions.", SecurityQuestion::REQUIRED);
        v.push(FieldError::new("/answers", ProblemCode::AnswersCount, Some("R-L1"), detail));
    }
    v.finish(|| Some(()))?;
    check_order(&holder, &account, RequiredAction::SetSecurityQuestions)?;
    let mut hashed = Vec::new();
    for (question, answer) in chosen {
        hashed.push((question.code().to_owned(), app.passwords().hash(answer.expose_secret().to_owned()).await?));
    }
    app.run(move |conn, app| {
        let now = app.now();
        write_transaction(conn, |conn| {
            account_life::set_security_answers(conn, &account.id, &hashed, now)?;
            let details = serde_json::json!({"questions": hashed.iter().map(|(q, _)| q).collect::<Vec<_>>()});
            record(conn, &holder.by(), &account.id, "account.security_questions_set", details, now)?;
            Ok(state_of(&load_account(conn, &account.id)?, holder.scope, None))
        })
    })
    .await
}

/// Accepts the NHSmail acceptable use policy (R-L1); `accepted` must be true.
pub async fn accept_acceptable_use(app: &App, caller: &Caller, accepted: Option<bool>) -> Result<AccountState, Error> {
    let (holder, account) = holder_and_account(app, caller).await?;
    holder.require(&[SessionScope::Activation])?;
    if accepted != Some(true) {
        let detail = "The acceptable use policy must be accepted to use NHSmail.";
        return Err(Error::validation(vec![FieldError::new(
            "/accepted",
            ProblemCode::MustAccept,
            Some("R-L1"),
            detail,
        )]));
    }
    progress(&account).check(RequiredAction::AcceptAcceptableUsePolicy).map_err(|e| Error::refused(&e))?;
    app.run(move |conn, app| {
        let now = app.now();
        write_transaction(conn, |conn| {
            account_life::accept_acceptable_use(conn, &account.id, now)?;
            record(conn, &holder.by(), &account.id, "account.acceptable_use_accepted", serde_json::json!({}), now)?;
            Ok(state_of(&load_account(conn, &account.id)?, holder.scope, None))
        })
    })
    .await
}

/// Activates the account once every required action is done (R-L1): the activation session
/// ends, the welcome email goes to the new NHSmail address (R-A4), a full session is returned.
fn activate(conn: &mut DbConnection, app: &App, holder: &Holder, account: &AccountRow) -> Result<Session, Error> {
    let now = app.now();
    account_life::set_status(conn, &account.id, AccountStatus::Active, None, now)?;
    admins::revoke_all(conn, "account", &account.id, now)?;
    if let Some(mailbox) = account_life::practice_mailbox(conn, account)? {
        let email = messages::welcome_email(&WelcomeFacts {
            first_name: account.first_name.as_deref().unwrap_or_default(),
            practice_name: &mailbox.practice_name,
            ods_code: &mailbox.ods_code,
            shared_mailbox: &mailbox.address,
            support_contact: &app.settings().support_contact,
        });
        let about = About { kind: "account", id: &account.id };
        outbox::enqueue_email(conn, templates::WELCOME_EMAIL, &account.username, about, email, false, now)?;
    }
    record(conn, &holder.by(), &account.id, "account.activated", serde_json::json!({}), now)?;
    let active = load_account(conn, &account.id)?;
    open_session(conn, app, &active, SessionScope::Full)
}

/// Whether others see the holder's mobile in the directory (R-L9). During activation this is
/// the last step: the account becomes active and a full session comes back.
pub async fn set_directory_visibility(
    app: &App,
    caller: &Caller,
    visible: Option<bool>,
) -> Result<AccountState, Error> {
    let (holder, account) = holder_and_account(app, caller).await?;
    holder.require(&[SessionScope::Activation, SessionScope::Full])?;
    let visible = visible.ok_or_else(|| {
        let detail = "Say whether the mobile number is visible.";
        Error::validation(vec![FieldError::new("/mobile_visible", ProblemCode::Required, Some("R-L9"), detail)])
    })?;
    check_order(&holder, &account, RequiredAction::ChooseDirectoryVisibility)?;
    app.run(move |conn, app| {
        let now = app.now();
        write_transaction(conn, |conn| {
            account_life::set_mobile_visibility(conn, &account.id, visible, now)?;
            let details = serde_json::json!({"mobile_visible": visible});
            record(conn, &holder.by(), &account.id, "account.directory_visibility_set", details, now)?;
            let updated = load_account(conn, &account.id)?;
            if holder.scope == SessionScope::Activation && progress(&updated).is_complete() {
                let session = activate(conn, app, &holder, &updated)?;
                return Ok(state_of(&load_account(conn, &account.id)?, SessionScope::Full, Some(session)));
            }
            Ok(state_of(&updated, holder.scope, None))
        })
    })
    .await
}

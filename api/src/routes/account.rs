//! Account holders: sign in and out, activation (R-L1), passwords (R-L2, R-L3), self-service
//! reset (R-L7), their own profile and the directory (R-L9).

use crate::account::{self, AccountHolder, Scope, Session, progress, required_actions, scope_for};
use crate::extract::Json;
use crate::journey::RequestOrigin;
use crate::problem::{ApiError, FieldError, Problem, ProblemType, Validator};
use crate::schemas;
use crate::state::AppState;
use crate::wire::{AccountStatus as WireAccountStatus, PasswordOutcome, Role, SecurityQuestionCode, Title};
use actix_web::{HttpResponse, delete, get, post, put, web};
use app::limits;
use app::outbox::{self, About, templates};
use app::secrets::{digests_equal, new_reset_code};
use chrono::{DateTime, Utc};
use domain::ProblemCode;
use domain::account::{AccountStatus, RequiredAction, ResetCode, SecurityAnswer, SecurityQuestion};
use domain::attempts::WindowLimit;
use domain::messages::{self, WelcomeFacts};
use persistence::accounts::{self, AccountRow};
use persistence::time::from_db;
use persistence::{DbConnection, account_life, admins, write_transaction};
use serde::{Deserialize, Serialize};
use utoipa::{ToResponse, ToSchema};

/// No valid account access token.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/unauthorized", "title": "Authentication is required", "status": 401, "detail": "Sign in; the access token is missing, not valid or has expired."})
)]
pub struct NoAccountToken(pub Problem);

/// The session's scope does not allow this yet (activation or a password change comes first).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/forbidden", "title": "You are not allowed to do this", "status": 403, "code": "activation_required", "rule": "R-L1", "detail": "Complete the account's activation first: see `required_actions`."})
)]
pub struct ScopeTooNarrow(pub Problem);

fn load_account(conn: &mut DbConnection, id: &str) -> Result<AccountRow, ApiError> {
    accounts::account(conn, id)?.ok_or_else(|| ApiError::unauthorized("The account is no longer available."))
}

fn out_of_order(error: &domain::account::ActivationError) -> ApiError {
    ApiError::refused(error)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "david.smith", "password": "Kp7r-Xm3q-Tz8w-Ab2c"}))]
pub struct SignIn {
    /// The NHSmail username; `@nhs.net` may be left off.
    #[serde(default)]
    #[schema(schema_with = schemas::username, required = true)]
    pub username: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::password, required = true)]
    pub password: Option<String>,
}

/// Sign in as an account holder
///
/// Sign in with the username and password (or the temporary password, which gives a session that
/// can only complete activation). Unknown usernames and wrong passwords get the same answer (R-L8);
/// repeated failures lock the username for a while.
#[utoipa::path(
    tag = "accounts",
    operation_id = "accountSignIn",
    request_body = SignIn,
    responses(
        (status = 201, description = "Signed in. `scope` and `required_actions` say what the session may do.", body = Session),
        (status = 401, description = "Wrong username or password (`invalid_credentials`), or an expired temporary password (`temporary_password_expired`).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/unauthorized", "title": "Authentication is required", "status": 401, "code": "invalid_credentials", "rule": "R-L8", "detail": "The username or password is not right."})),
        (status = 422, description = "Username or password missing.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/password", "code": "required", "detail": "Enter the password."}]})),
        (status = 429, description = "Locked after repeated failures (R-L8).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/rate-limited", "title": "Too many attempts", "status": 429, "code": "sign_in_locked", "rule": "R-L8", "detail": "Too many failed sign-ins. Try again later.", "retry_after_seconds": 900})),
    )
)]
#[post("/v1/account/sessions")]
pub async fn sign_in(state: web::Data<AppState>, body: Json<SignIn>) -> Result<HttpResponse, ApiError> {
    let (username, password) = super::credentials(body.0.username, body.0.password)?;
    let session = account::sign_in(&state, &username, password).await?;
    Ok(HttpResponse::Created().json(session))
}

/// A refresh token as issued (`drt_…`).
fn refresh_token_schema() -> utoipa::openapi::schema::Object {
    schemas::text(512)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "drt_0b6f4c1e-5d0c-4b8e-9d7e-3f1a2b3c4d5e.Q2hhbmdlIG1lIGJlZm9yZSB1c2U"}))]
pub struct RefreshRequest {
    #[serde(default)]
    #[schema(schema_with = refresh_token_schema, required = true)]
    pub refresh_token: Option<String>,
}

/// New tokens for a full session; the refresh token is replaced each time
///
/// Using a replaced refresh token ends the session.
#[utoipa::path(
    tag = "accounts",
    operation_id = "accountRefresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens.", body = Session),
        (status = 401, description = "The refresh token is not valid, was replaced, or the session ended.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/unauthorized", "title": "Authentication is required", "status": 401, "detail": "The refresh token is not valid; sign in again."})),
    )
)]
#[post("/v1/account/sessions/refresh")]
pub async fn refresh(state: web::Data<AppState>, body: Json<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let token =
        body.0.refresh_token.ok_or_else(|| ApiError::unauthorized("The refresh token is not valid; sign in again."))?;
    Ok(HttpResponse::Ok().json(account::refresh(&state, token).await?))
}

/// Sign out as an account holder
///
/// The session ends: its access token and refresh token stop working at once.
#[utoipa::path(
    tag = "accounts",
    operation_id = "accountSignOut",
    security(("account_token" = [])),
    responses((status = 204, description = "Signed out."), (status = 401, response = NoAccountToken))
)]
#[delete("/v1/account/sessions/current")]
pub async fn sign_out(state: web::Data<AppState>, holder: AccountHolder) -> Result<HttpResponse, ApiError> {
    let now = state.app.now();
    state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                admins::revoke_session(conn, &holder.session_id, now)?;
                account::audit(conn, &holder.account_id, "account.signed_out", serde_json::json!({}), now)
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Where an account stands in its activation, and a new session when the change replaced it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "pending_activation", "required_actions": ["set_security_questions", "accept_acceptable_use_policy", "choose_directory_visibility"]}))]
pub struct AccountState {
    pub status: WireAccountStatus,
    /// What must still be done, in order (R-L1).
    pub required_actions: Vec<crate::wire::RequiredAction>,
    /// Present when the change ended the previous session (a password change, or activation
    /// completed): use these tokens from now on. Left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub session: Option<Session>,
}

fn state_of(account: &AccountRow, scope: Scope, session: Option<Session>) -> AccountState {
    AccountState { status: account.status().into(), required_actions: required_actions(account, scope), session }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "Kp7r-Xm3q-Tz8w-Ab2c", "new_password": "plinth marmalade oboe lantern"}))]
pub struct PasswordChange {
    #[serde(default)]
    #[schema(schema_with = schemas::password, required = true)]
    pub current_password: Option<String>,
    /// At least 10 characters, not common, not containing your names, not one of your last 4 (R-L2).
    #[serde(default)]
    #[schema(schema_with = schemas::password, required = true)]
    pub new_password: Option<String>,
}

/// Change the password (R-L2)
///
/// Change the password (R-L2): the first step of activation (R-L1), the way out of an expired or
/// reset password (R-L3, R-L7), or a change at any time. Every session of the account ends; the
/// response carries a new one.
#[utoipa::path(
    tag = "accounts",
    operation_id = "changePassword",
    security(("account_token" = [])),
    request_body = PasswordChange,
    responses(
        (status = 200, description = "Changed; use the new session.", body = AccountState),
        (status = 401, response = NoAccountToken),
        (status = 409, description = "Out of order during activation.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "required_action_done", "rule": "R-L1", "detail": "This has already been done."})),
        (status = 422, description = "Wrong current password, or the new one breaks the policy.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "2 fields are not valid.",
                "errors": [{"pointer": "/new_password", "code": "password_too_short", "rule": "R-L2", "detail": "Enter a password of at least 10 characters."},
                           {"pointer": "/new_password", "code": "password_contains_name", "rule": "R-L2", "detail": "A password must not contain your name or username."}]})),
    )
)]
#[put("/v1/account/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    holder: AccountHolder,
    body: Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    holder.require(&[Scope::Activation, Scope::PasswordChange, Scope::Full])?;
    let mut v = Validator::new();
    if body.0.current_password.as_deref().is_none_or(str::is_empty) {
        v.push(FieldError::new(
            "/current_password",
            ProblemCode::Required,
            Some("R-L2"),
            "Enter your current password.",
        ));
    }
    if body.0.new_password.as_deref().is_none_or(str::is_empty) {
        v.push(FieldError::new("/new_password", ProblemCode::Required, Some("R-L2"), "Enter a new password."));
    }
    let (current, new) = v.finish(|| Some((body.0.current_password.clone()?, body.0.new_password.clone()?)))?;
    let id = holder.account_id.clone();
    let account = state.db(move |conn| load_account(conn, &id)).await?;
    if holder.scope == Scope::Activation {
        progress(&account).check(RequiredAction::ChangePassword).map_err(|e| out_of_order(&e))?;
    }
    if !state.app.passwords().verify(current, account.password_hash.clone()).await? {
        return Err(ApiError::validation(vec![FieldError::new(
            "/current_password",
            ProblemCode::CurrentPasswordIncorrect,
            Some("R-L2"),
            "The current password is not right.",
        )]));
    }
    account::check_new_password(&state, &account, &new).await?;
    let hash = state.app.passwords().hash(new).await?;
    let now = state.app.now();
    let worker = state.clone();
    let result = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                account_life::set_password(
                    conn,
                    &account,
                    &hash,
                    false,
                    now + worker.config.app.accounts.password_max_age,
                    now,
                )?;
                admins::revoke_all(conn, "account", &account.id, now)?;
                account::audit(conn, &account.id, "account.password_changed", serde_json::json!({}), now)?;
                let updated = load_account(conn, &account.id)?;
                let scope = scope_for(&updated, worker.config.app.accounts.password_max_age, now);
                let session = account::open_session(conn, &worker, &updated, scope, now)?;
                Ok(state_of(&updated, scope, Some(session)))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityAnswerInput {
    /// A question code from `GET /v1/account/security-questions`.
    #[serde(default)]
    #[schema(value_type = SecurityQuestionCode, required = true, example = "first_pet")]
    pub question: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::security_answer, required = true)]
    pub answer: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"answers": [{"question": "first_pet", "answer": "Biscuit"}, {"question": "first_school", "answer": "St Mary's"}]}))]
pub struct SecurityAnswers {
    /// Two different questions with their answers (stored hashed).
    #[serde(default)]
    #[schema(required = true, min_items = 2, max_items = 2)]
    pub answers: Vec<SecurityAnswerInput>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"code": "first_pet", "text": "What was the name of your first pet?"}))]
pub struct QuestionView {
    pub code: SecurityQuestionCode,
    pub text: String,
}

impl From<SecurityQuestion> for QuestionView {
    fn from(question: SecurityQuestion) -> Self {
        Self { code: question.into(), text: question.text().to_owned() }
    }
}

/// The security questions to choose from
///
/// The questions an account holder picks two of during activation (R-L1); one of them is asked
/// in a self-service password reset (R-L7). Public: the list is the same for everyone.
#[utoipa::path(
    tag = "accounts",
    operation_id = "listSecurityQuestions",
    responses((status = 200, description = "The questions.", body = Vec<QuestionView>))
)]
#[get("/v1/account/security-questions")]
pub async fn list_security_questions() -> HttpResponse {
    HttpResponse::Ok().json(SecurityQuestion::ALL.into_iter().map(QuestionView::from).collect::<Vec<_>>())
}

/// Set the security questions (R-L1, R-L7)
///
/// Two different questions with their answers, used to confirm a self-service password reset.
/// Answers are stored hashed and compared without regard to case or spacing.
#[utoipa::path(
    tag = "accounts",
    operation_id = "setSecurityQuestions",
    security(("account_token" = [])),
    request_body = SecurityAnswers,
    responses(
        (status = 200, description = "Set.", body = AccountState),
        (status = 401, response = NoAccountToken),
        (status = 403, response = ScopeTooNarrow),
        (status = 409, description = "Out of order during activation (R-L1).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "required_action_out_of_order", "rule": "R-L1", "detail": "Do this first: change password."})),
        (status = 422, description = "Not two different known questions, or an answer too short.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/answers/1/answer", "code": "answer_too_short", "rule": "R-L1", "detail": "An answer must be at least 3 characters."}]})),
    )
)]
#[put("/v1/account/security-questions")]
pub async fn set_security_questions(
    state: web::Data<AppState>,
    holder: AccountHolder,
    body: Json<SecurityAnswers>,
) -> Result<HttpResponse, ApiError> {
    holder.require(&[Scope::Activation, Scope::Full])?;
    let mut v = Validator::new();
    let mut answers = Vec::new();
    let mut seen = Vec::new();
    for (i, input) in body.0.answers.iter().enumerate() {
        let question = match input.question.as_deref().and_then(SecurityQuestion::parse) {
            Some(q) if seen.contains(&q) => {
                v.push(FieldError::new(
                    format!("/answers/{i}/question"),
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
                v.push(FieldError::new(
                    format!("/answers/{i}/question"),
                    ProblemCode::QuestionUnknown,
                    Some("R-L1"),
                    "Choose a question from the list.",
                ));
                None
            }
        };
        let answer = v
            .check(&format!("/answers/{i}/answer"), SecurityAnswer::parse(input.answer.as_deref().unwrap_or_default()));
        if let (Some(q), Some(a)) = (question, answer) {
            answers.push((q, a));
        }
    }
    if body.0.answers.len() != SecurityQuestion::REQUIRED {
        v.push(FieldError::new(
            "/answers",
            ProblemCode::AnswersCount,
            Some("R-L1"),
            format!("Answer exactly {} different questions.", SecurityQuestion::REQUIRED),
        ));
    }
    v.finish(|| Some(()))?;
    let id = holder.account_id.clone();
    let account = state.db(move |conn| load_account(conn, &id)).await?;
    if holder.scope == Scope::Activation {
        progress(&account).check(RequiredAction::SetSecurityQuestions).map_err(|e| out_of_order(&e))?;
    }
    let mut hashed = Vec::new();
    for (question, answer) in answers {
        hashed.push((question.code().to_owned(), state.app.passwords().hash(answer.expose_secret().to_owned()).await?));
    }
    let now = state.app.now();
    let result = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                account_life::set_security_answers(conn, &account.id, &hashed, now)?;
                account::audit(
                    conn,
                    &account.id,
                    "account.security_questions_set",
                    serde_json::json!({"questions": hashed.iter().map(|(q, _)| q).collect::<Vec<_>>()}),
                    now,
                )?;
                Ok(state_of(&load_account(conn, &account.id)?, holder.scope, None))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"accepted": true}))]
pub struct AcceptableUse {
    /// Must be true: the NHSmail Acceptable Use Policy is accepted.
    #[serde(default)]
    #[schema(value_type = bool, required = true)]
    pub accepted: Option<bool>,
}

/// Accept the acceptable use policy (R-L1)
///
/// The third step of activation: `accepted` must be true.
#[utoipa::path(
    tag = "accounts",
    operation_id = "acceptAcceptableUsePolicy",
    security(("account_token" = [])),
    request_body = AcceptableUse,
    responses(
        (status = 200, description = "Accepted.", body = AccountState),
        (status = 401, response = NoAccountToken),
        (status = 403, response = ScopeTooNarrow),
        (status = 409, description = "Out of order during activation (R-L1).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "required_action_out_of_order", "rule": "R-L1", "detail": "Do this first: set security questions."})),
        (status = 422, description = "`accepted` is not true.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/accepted", "code": "must_accept", "rule": "R-L1", "detail": "The acceptable use policy must be accepted to use NHSmail."}]})),
    )
)]
#[put("/v1/account/acceptable-use-policy")]
pub async fn accept_acceptable_use(
    state: web::Data<AppState>,
    holder: AccountHolder,
    body: Json<AcceptableUse>,
) -> Result<HttpResponse, ApiError> {
    holder.require(&[Scope::Activation])?;
    if body.0.accepted != Some(true) {
        return Err(ApiError::validation(vec![FieldError::new(
            "/accepted",
            ProblemCode::MustAccept,
            Some("R-L1"),
            "The acceptable use policy must be accepted to use NHSmail.",
        )]));
    }
    let id = holder.account_id.clone();
    let account = state.db(move |conn| load_account(conn, &id)).await?;
    progress(&account).check(RequiredAction::AcceptAcceptableUsePolicy).map_err(|e| out_of_order(&e))?;
    let now = state.app.now();
    let result = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                account_life::accept_acceptable_use(conn, &account.id, now)?;
                account::audit(conn, &account.id, "account.acceptable_use_accepted", serde_json::json!({}), now)?;
                Ok(state_of(&load_account(conn, &account.id)?, holder.scope, None))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mobile_visible": false}))]
pub struct DirectoryVisibility {
    /// Whether others can see your mobile number in the directory (R-L9).
    #[serde(default)]
    #[schema(value_type = bool, required = true)]
    pub mobile_visible: Option<bool>,
}

/// Activates the account once every required action is done (R-L1): the activation session
/// ends, the welcome email goes to the new NHSmail address (R-A4), a full session is returned.
fn activate(
    conn: &mut DbConnection,
    state: &AppState,
    account: &AccountRow,
    now: DateTime<Utc>,
) -> Result<Session, ApiError> {
    account_life::set_status(conn, &account.id, AccountStatus::Active, None, now)?;
    admins::revoke_all(conn, "account", &account.id, now)?;
    let mailbox = account_life::practice_mailbox(conn, account)?;
    if let Some(mailbox) = &mailbox {
        let email = messages::welcome_email(&WelcomeFacts {
            first_name: account.first_name.as_deref().unwrap_or_default(),
            practice_name: &mailbox.practice_name,
            ods_code: &mailbox.ods_code,
            shared_mailbox: &mailbox.address,
            support_contact: &state.config.app.support_contact,
        });
        outbox::enqueue_email(
            conn,
            templates::WELCOME_EMAIL,
            &account.username,
            About { kind: "account", id: &account.id },
            email,
            false,
            now,
        )?;
    }
    account::audit(conn, &account.id, "account.activated", serde_json::json!({}), now)?;
    let active = load_account(conn, &account.id)?;
    account::open_session(conn, state, &active, Scope::Full, now)
}

/// Choose whether the mobile number is visible in the directory (R-L9)
///
/// During activation this is the last required action: the account becomes active and a full
/// session is returned.
#[utoipa::path(
    tag = "accounts",
    operation_id = "setDirectoryVisibility",
    security(("account_token" = [])),
    request_body = DirectoryVisibility,
    responses(
        (status = 200, description = "Set (and the account activated, with a new session, if this completed activation).", body = AccountState),
        (status = 401, response = NoAccountToken),
        (status = 403, response = ScopeTooNarrow),
        (status = 409, description = "Out of order during activation (R-L1).", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/conflict", "title": "This conflicts with the current state", "status": 409, "code": "required_action_out_of_order", "rule": "R-L1", "detail": "Do this first: accept acceptable use policy."})),
        (status = 422, description = "`mobile_visible` missing.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/mobile_visible", "code": "required", "rule": "R-L9", "detail": "Say whether the mobile number is visible."}]})),
    )
)]
#[put("/v1/account/directory-visibility")]
pub async fn set_directory_visibility(
    state: web::Data<AppState>,
    holder: AccountHolder,
    body: Json<DirectoryVisibility>,
) -> Result<HttpResponse, ApiError> {
    holder.require(&[Scope::Activation, Scope::Full])?;
    let visible = body.0.mobile_visible.ok_or_else(|| {
        ApiError::validation(vec![FieldError::new(
            "/mobile_visible",
            ProblemCode::Required,
            Some("R-L9"),
            "Say whether the mobile number is visible.",
        )])
    })?;
    let id = holder.account_id.clone();
    let account = state.db(move |conn| load_account(conn, &id)).await?;
    if holder.scope == Scope::Activation {
        progress(&account).check(RequiredAction::ChooseDirectoryVisibility).map_err(|e| out_of_order(&e))?;
    }
    let now = state.app.now();
    let worker = state.clone();
    let result = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                account_life::set_mobile_visibility(conn, &account.id, visible, now)?;
                account::audit(
                    conn,
                    &account.id,
                    "account.directory_visibility_set",
                    serde_json::json!({"mobile_visible": visible}),
                    now,
                )?;
                let updated = load_account(conn, &account.id)?;
                if holder.scope == Scope::Activation && progress(&updated).is_complete() {
                    let session = activate(conn, &worker, &updated, now)?;
                    return Ok(state_of(&load_account(conn, &account.id)?, Scope::Full, Some(session)));
                }
                Ok(state_of(&updated, holder.scope, None))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PracticeMembership {
    #[schema(example = "SAMPLE DENTAL CARE")]
    pub practice_name: String,
    #[schema(example = "V12345")]
    pub ods_code: String,
    #[schema(example = "nhsdental.wimbledon.sampledentalcarev12345@nhs.net")]
    pub shared_mailbox_address: String,
    pub is_owner: bool,
    pub is_mailbox_admin: bool,
    pub has_shared_mailbox_access: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "5b0f1a52-3f2e-4a7b-9a57-8f4f2f0d7c11", "username": "david.smith@nhs.net", "status": "active", "title": "Dr", "first_name": "David", "last_name": "Smith",
    "email": "dsmith@businessemail.com", "mobile": "+447912345678", "mobile_visible": false, "role": "dentist", "password_expires_at": "2027-02-19T10:00:00Z",
    "practices": [{"practice_name": "SAMPLE DENTAL CARE", "ods_code": "V12345", "shared_mailbox_address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net", "is_owner": true, "is_mailbox_admin": true, "has_shared_mailbox_access": true}]}))]
pub struct Me {
    #[schema(format = Uuid)]
    pub id: String,
    pub username: String,
    pub status: WireAccountStatus,
    /// Left out when the holder has no title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub title: Option<Title>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub mobile_visible: bool,
    /// Left out when no role is on record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub role: Option<Role>,
    /// When the password must be changed by (R-L3).
    pub password_expires_at: Option<DateTime<Utc>>,
    pub practices: Vec<PracticeMembership>,
}

/// Your own profile
///
/// The signed-in account holder's details, and the practices and shared mailboxes they belong to
/// with their rights there.
#[utoipa::path(
    tag = "accounts",
    operation_id = "getMe",
    security(("account_token" = [])),
    responses((status = 200, description = "Your account.", body = Me), (status = 401, response = NoAccountToken), (status = 403, response = ScopeTooNarrow))
)]
#[get("/v1/account/me")]
pub async fn me(state: web::Data<AppState>, holder: AccountHolder) -> Result<HttpResponse, ApiError> {
    holder.require(&[Scope::Full])?;
    let me = state
        .db(move |conn| {
            let account = load_account(conn, &holder.account_id)?;
            let rights = account_life::memberships(conn, &account.id)?;
            let mut practices: Vec<PracticeMembership> = rights
                .iter()
                .map(|(m, owner, admin)| PracticeMembership {
                    practice_name: m.practice_name.clone(),
                    ods_code: m.ods_code.clone(),
                    shared_mailbox_address: m.address.clone(),
                    is_owner: *owner,
                    is_mailbox_admin: *admin,
                    has_shared_mailbox_access: true,
                })
                .collect();
            if let Some(m) = account_life::practice_mailbox(conn, &account)? {
                if !rights.iter().any(|(r, _, _)| r.id == m.id) {
                    practices.push(PracticeMembership {
                        practice_name: m.practice_name,
                        ods_code: m.ods_code,
                        shared_mailbox_address: m.address,
                        is_owner: false,
                        is_mailbox_admin: false,
                        has_shared_mailbox_access: false,
                    });
                }
            }
            let status = account.status().into();
            Ok(Me {
                id: account.id,
                username: account.username,
                status,
                title: account.title.as_deref().and_then(|t| domain::member::Title::parse(t).ok()).map(Into::into),
                first_name: account.first_name,
                last_name: account.last_name,
                email: account.email,
                mobile: account.mobile,
                mobile_visible: account.mobile_visible,
                role: account.role.as_deref().and_then(|r| domain::member::Role::parse(r).ok()).map(Into::into),
                password_expires_at: account.password_expires_at.map(from_db),
                practices,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "david.smith"}))]
pub struct ResetRequest {
    #[serde(default)]
    #[schema(schema_with = schemas::username, required = true)]
    pub username: Option<String>,
}

/// The answer to any reset request, whether or not the account exists.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"reset_id": "9d2f0c7a-1b3e-4c5d-8e9f-0a1b2c3d4e5f", "security_question": {"code": "first_pet", "text": "What was the name of your first pet?"},
    "expires_at": "2026-11-21T10:30:00Z", "detail": "If the account exists and has a registered mobile, a code has been sent to it by text message."}))]
pub struct ResetStarted {
    #[schema(format = Uuid)]
    pub reset_id: String,
    /// Answer this with the code.
    pub security_question: QuestionView,
    pub expires_at: DateTime<Utc>,
    pub detail: String,
}

/// Start a self-service password reset (R-L7)
///
/// Start a self-service password reset (R-L7): a code goes by text message to the registered
/// mobile; answer it together with a security question. The answer is the same whether or not the
/// username exists.
#[utoipa::path(
    tag = "accounts",
    operation_id = "startPasswordReset",
    request_body = ResetRequest,
    responses(
        (status = 202, description = "If the account exists, a code is on its way.", body = ResetStarted),
        (status = 422, description = "No username given.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.", "errors": [{"pointer": "/username", "code": "required", "rule": "R-L7", "detail": "Enter the username."}]})),
        (status = 429, description = "Too many requests from this client.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/rate-limited", "title": "Too many attempts", "status": 429, "code": "reset_limit_reached", "rule": "R-L7", "detail": "Too many reset requests; try again later.", "retry_after_seconds": 3600})),
    )
)]
#[post("/v1/account/password-resets")]
pub async fn start_password_reset(
    state: web::Data<AppState>,
    origin: RequestOrigin,
    body: Json<ResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let username = body.0.username.as_deref().map(str::trim).filter(|u| !u.is_empty()).ok_or_else(|| {
        ApiError::validation(vec![FieldError::new(
            "/username",
            ProblemCode::Required,
            Some("R-L7"),
            "Enter the username.",
        )])
    })?;
    let username = account::normalise_username(username, state.config.app.mail_domain.as_str());
    let now = state.app.now();
    let expires_at = now + state.config.app.accounts.reset_code_lifetime;
    let client = state.app.hasher().client(origin.0.client_address.as_deref().unwrap_or("unknown"));
    let code = new_reset_code()?;
    let worker = state.clone();
    let lookup = username.clone();
    let started = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                if let Some(next) = limits::reset_request_allowed_at(conn, &client, now)? {
                    return Err(ApiError::new(ProblemType::RateLimited)
                        .with_code(ProblemCode::ResetLimitReached, Some("R-L7"))
                        .detail("Too many reset requests; try again later.")
                        .retry_after(u64::try_from((next - now).num_seconds()).unwrap_or(1)));
                }
                limits::record_reset_request(conn, &client, now)?;
                let reset_id = uuid::Uuid::new_v4().to_string();
                let account = accounts::account_by_username(conn, &lookup)?
                    .filter(|a| a.status().is_activated() && a.mobile.is_some());
                let answered = match &account {
                    Some(a) => account_life::security_answers(conn, &a.id)?,
                    None => Vec::new(),
                };
                let recent = match &account {
                    Some(a) => account_life::resets_since(conn, &a.id, now - WindowLimit::RESETS_PER_ACCOUNT.window)?,
                    None => Vec::new(),
                };
                // The same question for the same username every time, real account or not.
                let question = if answered.is_empty() {
                    SecurityQuestion::ALL[worker.app.hasher().choose(&lookup, SecurityQuestion::ALL.len())]
                } else {
                    let (code, _) = &answered[worker.app.hasher().choose(&lookup, answered.len())];
                    SecurityQuestion::parse(code).unwrap_or(SecurityQuestion::FirstSchool)
                };
                if let Some(account) = account.filter(|_| {
                    !answered.is_empty() && WindowLimit::RESETS_PER_ACCOUNT.next_allowed(&recent, now).is_none()
                }) {
                    let code_hash = worker.app.hasher().reset_code(&reset_id, &code);
                    account_life::insert_reset(
                        conn,
                        &reset_id,
                        &account.id,
                        &code_hash,
                        question.code(),
                        now,
                        expires_at,
                    )?;
                    let minutes = worker.config.app.accounts.reset_code_lifetime.num_minutes();
                    let sms = messages::password_reset_code_sms(code.expose_secret(), minutes);
                    let mobile = account.mobile.clone().unwrap_or_default();
                    outbox::enqueue_sms(
                        conn,
                        templates::PASSWORD_RESET_CODE_SMS,
                        &mobile,
                        About { kind: "account", id: &account.id },
                        sms,
                        true,
                        now,
                    )?;
                    account::audit(
                        conn,
                        &account.id,
                        "account.password_reset_requested",
                        serde_json::json!({"reset_id": reset_id}),
                        now,
                    )?;
                }
                Ok(ResetStarted {
                    reset_id,
                    security_question: question.into(),
                    expires_at,
                    detail:
                        "If the account exists and has a registered mobile, a code has been sent to it by text message."
                            .to_owned(),
                })
            })
        })
        .await?;
    Ok(HttpResponse::Accepted().json(started))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "4821 0937", "answer": "Biscuit", "new_password": "plinth marmalade oboe lantern"}))]
pub struct ResetCompletion {
    /// The code from the text message.
    #[serde(default)]
    #[schema(schema_with = schemas::reset_code, required = true)]
    pub code: Option<String>,
    /// The answer to the security question given when the reset started.
    #[serde(default)]
    #[schema(schema_with = schemas::security_answer, required = true)]
    pub answer: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::password, required = true)]
    pub new_password: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "password_changed", "detail": "Sign in with the new password."}))]
pub struct ResetDone {
    pub status: PasswordOutcome,
    pub detail: String,
}

fn reset_failed(code: ProblemCode, detail: &str, remaining: i32) -> ApiError {
    ApiError::new(ProblemType::VerificationFailed)
        .detail(detail.to_owned())
        .with_errors(vec![FieldError::new("/code", code, Some("R-L7"), detail)])
        .attempts_remaining(u32::try_from(remaining).unwrap_or(0))
}

/// Finish a self-service password reset (R-L7)
///
/// Finish a self-service reset with the code, the security answer and a new password (R-L7). Every
/// session of the account ends.
#[utoipa::path(
    tag = "accounts",
    operation_id = "completePasswordReset",
    params(("reset_id" = String, Path, description = "From the start of the reset")),
    request_body = ResetCompletion,
    responses(
        (status = 200, description = "The password is changed.", body = ResetDone),
        (status = 422, description = "A wrong code or answer (with `attempts_remaining`), an expired or spent reset, or a new password that breaks the policy.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/verification-failed", "title": "The practice could not be verified", "status": 422, "detail": "The code or the answer is not right.", "attempts_remaining": 4,
                "errors": [{"pointer": "/code", "code": "reset_code_or_answer_incorrect", "rule": "R-L7", "detail": "The code or the answer is not right."}]})),
    )
)]
#[post("/v1/account/password-resets/{reset_id}/completion")]
pub async fn complete_password_reset(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Json<ResetCompletion>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::new();
    let code = v.check("/code", ResetCode::parse(body.0.code.as_deref().unwrap_or_default()));
    let answer = v.check("/answer", SecurityAnswer::parse(body.0.answer.as_deref().unwrap_or_default()));
    if body.0.new_password.as_deref().is_none_or(str::is_empty) {
        v.push(FieldError::new("/new_password", ProblemCode::Required, Some("R-L2"), "Enter a new password."));
    }
    let (code, answer, new_password) = v.finish(|| Some((code?, answer?, body.0.new_password.clone()?)))?;
    let reset_id = path.into_inner();
    let now = state.app.now();
    let lookup = reset_id.clone();
    let found = state
        .db(move |conn| {
            let Some(reset) = account_life::reset(conn, &lookup)? else { return Ok(None) };
            let account = accounts::account(conn, &reset.account_id)?;
            let answers = account_life::security_answers(conn, &reset.account_id)?;
            Ok(account.map(|a| (reset, a, answers)))
        })
        .await?;
    let expired = "This reset has expired or was used; start a new one.";
    let Some((reset, account, answers)) = found else {
        return Err(reset_failed(ProblemCode::ResetExpired, expired, 0));
    };
    if reset.used_at.is_some() || from_db(reset.expires_at) <= now || reset.failed_attempts >= ResetCode::ATTEMPTS {
        return Err(reset_failed(ProblemCode::ResetExpired, expired, 0));
    }
    let code_ok = digests_equal(&reset.code_hash, &state.app.hasher().reset_code(&reset.id, &code));
    let stored = answers.iter().find(|(q, _)| *q == reset.question).map(|(_, h)| h.clone());
    let answer_ok = state.app.passwords().verify(answer.expose_secret().to_owned(), stored).await?;
    if !(code_ok && answer_ok) {
        let id = reset.id.clone();
        state.db(move |conn| Ok(account_life::fail_reset(conn, &id)?)).await?;
        return Err(reset_failed(
            ProblemCode::ResetCodeOrAnswerIncorrect,
            "The code or the answer is not right.",
            ResetCode::ATTEMPTS - reset.failed_attempts - 1,
        ));
    }
    account::check_new_password(&state, &account, &new_password).await?;
    let hash = state.app.passwords().hash(new_password).await?;
    let max_age = state.config.app.accounts.password_max_age;
    state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                if !account_life::use_reset(conn, &reset.id, now)? {
                    return Err(reset_failed(ProblemCode::ResetExpired, expired, 0));
                }
                account_life::set_password(conn, &account, &hash, false, now + max_age, now)?;
                admins::revoke_all(conn, "account", &account.id, now)?;
                account::audit(
                    conn,
                    &account.id,
                    "account.password_reset",
                    serde_json::json!({"reset_id": reset.id}),
                    now,
                )
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(ResetDone {
        status: PasswordOutcome::PasswordChanged,
        detail: "Sign in with the new password.".to_owned(),
    }))
}

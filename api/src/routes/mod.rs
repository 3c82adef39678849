//! HTTP handlers, registered through `utoipa-actix-web` so that every one of them appears in the
//! OpenAPI document (only `.service(...)` registrations are collected; never use `.route(...)`).

pub mod account;
pub mod admin;
pub mod admin_accounts;
pub mod applications;
pub mod development;
pub mod directory;
pub mod health;
pub mod members;
pub mod notify_callbacks;
pub mod practices;
pub mod problems;
pub mod review;
pub mod submission;
pub mod town;
pub mod verification;

use crate::problem::{ApiError, FieldError, Validator};
use domain::ProblemCode;
use utoipa_actix_web::service_config::ServiceConfig;

/// The username and password of a sign-in, both required (a blank username is missing; a
/// password is never trimmed, so only an empty one is). Reports both at once when both are missing.
pub(crate) fn credentials(username: Option<String>, password: Option<String>) -> Result<(String, String), ApiError> {
    let mut v = Validator::new();
    let username = username.filter(|u| !u.trim().is_empty());
    let password = password.filter(|p| !p.is_empty());
    if username.is_none() {
        v.push(FieldError::new("/username", ProblemCode::Required, None, "Enter the username."));
    }
    if password.is_none() {
        v.push(FieldError::new("/password", ProblemCode::Required, None, "Enter the password."));
    }
    Ok(v.finish(|| Some((username?, password?)))?)
}

/// Registers every documented endpoint.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(problems::list_problem_types)
        .service(problems::get_problem_type)
        .service(applications::assess_eligibility)
        .service(applications::create_application)
        .service(applications::get_application)
        .service(applications::withdraw_application)
        .service(practices::search_practices)
        .service(practices::identify_practice)
        .service(practices::confirm_cqc_details)
        .service(verification::request_passcode)
        .service(verification::verify_practice)
        .service(town::suggest_towns)
        .service(town::preview_mailbox)
        .service(town::set_town)
        .service(members::list_members)
        .service(members::add_member)
        .service(members::edit_member)
        .service(members::remove_member)
        .service(submission::submit_application)
        .service(admin::sign_in)
        .service(admin::sign_out)
        .service(admin::upload_reference_data)
        .service(review::list_applications)
        .service(review::get_application)
        .service(review::approve_application)
        .service(review::reject_application)
        .service(notify_callbacks::delivery_receipt)
        .service(account::sign_in)
        .service(account::refresh)
        .service(account::sign_out)
        .service(account::change_password)
        .service(account::list_security_questions)
        .service(account::set_security_questions)
        .service(account::accept_acceptable_use)
        .service(account::set_directory_visibility)
        .service(account::me)
        .service(directory::search_people)
        .service(directory::search_mailboxes)
        .service(account::start_password_reset)
        .service(account::complete_password_reset)
        .service(admin_accounts::reset_password)
        .service(admin_accounts::disable_account)
        .service(admin_accounts::enable_account)
        .service(development::list_messages);
}

//! HTTP handlers, grouped by audience: applicants ([`registration`]), account holders
//! ([`accounts`]), the helpdesk ([`helpdesk`]) and operations ([`operations`]). Each handler
//! parses the request, calls one use case and maps the answer; none touches the database.
//!
//! Handlers are registered through `utoipa-actix-web` so that every one of them appears in the
//! OpenAPI document (only `.service(...)` registrations are collected; never use `.route(...)`).

pub mod accounts;
pub mod helpdesk;
pub mod operations;
pub mod registration;

use utoipa_actix_web::service_config::ServiceConfig;

/// Every endpoint, listed once: registered with their OpenAPI descriptions for the contract
/// ([`configure`]) and without them for serving ([`serve`]). Building the descriptions in each
/// worker made about 19 MB of garbage per worker, which the allocator kept as resident memory.
macro_rules! every_endpoint {
    ($cfg:expr) => {{
        use accounts::{activation, directory, joiners, mailboxes, profile, resets, sessions as account_sessions};
        use helpdesk::{
            accounts as helpdesk_accounts, administrators, console, jobs as helpdesk_jobs, joiners as helpdesk_joiners,
            leavers as helpdesk_leavers, mailshots, reference, review, sessions as helpdesk_sessions,
        };
        use operations::{development, health, notify, problems};
        use registration::{applications, members, practices, submission, town, verification};
        $cfg.service(health::healthz)
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
            .service(helpdesk_sessions::sign_in)
            .service(helpdesk_sessions::sign_out)
            .service(helpdesk_sessions::refresh)
            .service(reference::upload_reference_data)
            .service(review::list_applications)
            .service(review::get_application)
            .service(review::approve_application)
            .service(review::reject_application)
            .service(helpdesk_jobs::list_job_runs)
            .service(notify::delivery_receipt)
            .service(account_sessions::sign_in)
            .service(account_sessions::refresh)
            .service(account_sessions::sign_out)
            .service(activation::change_password)
            .service(activation::list_security_questions)
            .service(activation::set_security_questions)
            .service(activation::accept_acceptable_use)
            .service(activation::set_directory_visibility)
            .service(profile::me)
            .service(directory::search_people)
            .service(directory::search_mailboxes)
            .service(mailboxes::get_shared_mailbox)
            .service(mailboxes::link_mailbox_account)
            .service(mailboxes::change_mailbox_rights)
            .service(mailboxes::unlink_mailbox_account)
            .service(mailboxes::mark_leaver)
            .service(joiners::request_joiner)
            .service(joiners::take_on_account)
            .service(resets::start_password_reset)
            .service(resets::complete_password_reset)
            .service(helpdesk_accounts::reset_password)
            .service(helpdesk_accounts::disable_account)
            .service(helpdesk_accounts::enable_account)
            .service(helpdesk_accounts::unlock_account)
            .service(helpdesk_accounts::reissue_temporary_password)
            .service(helpdesk_leavers::mark_leaver)
            .service(helpdesk_leavers::assign_mailbox_owner)
            .service(helpdesk_leavers::remove_mailbox_owner)
            .service(helpdesk_joiners::list_joiner_requests)
            .service(helpdesk_joiners::approve_joiner)
            .service(helpdesk_joiners::reject_joiner)
            .service(console::search_accounts)
            .service(console::get_account)
            .service(administrators::list_administrators)
            .service(administrators::create_administrator)
            .service(administrators::disable_administrator)
            .service(mailshots::start_mailshot)
            .service(mailshots::get_mailshot)
            .service(development::list_messages);
    }};
}

/// Registers every documented endpoint, with its description for the OpenAPI document.
pub fn configure(cfg: &mut ServiceConfig) {
    every_endpoint!(cfg)
}

/// Registers every endpoint for serving requests.
pub fn serve(cfg: &mut actix_web::web::ServiceConfig) {
    every_endpoint!(cfg)
}

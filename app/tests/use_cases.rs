//! The use cases without HTTP: a practice registers on route B, the helpdesk approves it, and the
//! outbox delivers every message, on SQLite and (with `TEST_POSTGRES_URL`) PostgreSQL.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::registration::members::MemberInput;
use app::registration::practice::Identification;
use app::registration::verification::Proof;
use app::registration::{application, members, practice, submission, town, verification};
use app::testing::UseCases;
use app::{ErrorKind, helpdesk, review};
use domain::ProblemCode;
use domain::eligibility::AuthMethod;
use domain::journey::{ApplicationStatus, Route};
use domain::passcode::PasscodeChannel;

const ADMIN: &str = "helpdesk.jane";
const ADMIN_PASSWORD: &str = "plinth marmalade oboe lantern";

fn answers() -> application::Answers {
    application::Answers {
        has_nhsmail_account: Some(false),
        ig_return_submitted: Some(true),
        recent_passcode_received: Some(false),
        knows_cqc_contact_id: Some(false),
        passcode_channel: Some(PasscodeChannel::Post),
    }
}

fn member(first: &str, last: &str, email: &str, mobile: &str, role: &str) -> MemberInput {
    MemberInput {
        first_name: Some(first.to_owned()),
        last_name: Some(last.to_owned()),
        email: Some(email.to_owned()),
        mobile: Some(mobile.to_owned()),
        role: Some(role.to_owned()),
        ..MemberInput::default()
    }
}

/// Route B: SAMPLE DENTAL CARE as the guide shows it.
fn sample_practice() -> Identification {
    Identification {
        route: Some(Route::B),
        postcode: Some("SW19 4AB".to_owned()),
        practice_name: Some("Sample Dental Care".to_owned()),
        ods_code: Some("V12345".to_owned()),
        cqc_location_id: Some("1-1002733005".to_owned()),
        ..Identification::default()
    }
}

/// The passcode in the newest letter the development provider wrote.
fn passcode_from(use_cases: &UseCases) -> String {
    let letters: Vec<_> = use_cases.written().into_iter().filter(|m| m["template"] == "passcode_letter").collect();
    let body = letters.last().expect("a passcode letter")["content"]["body"].as_str().unwrap().to_owned();
    let after = body.split("passcode is: ").nth(1).expect("the letter gives the passcode");
    after.split_whitespace().next().unwrap().trim_end_matches('.').to_owned()
}

async fn register_and_approve(use_cases: &UseCases) {
    let app = &use_cases.app;
    let anonymous = use_cases.caller(None);
    let started = application::start(app, &anonymous, &answers()).await.unwrap();
    let id = started.application.id.clone();
    let applicant = use_cases.caller(Some(&started.token));

    // Only the token's holder sees the application, and only their own.
    let refused = application::get(app, &anonymous, &id).await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Unauthorized);
    let other = application::get(app, &applicant, "00000000-0000-0000-0000-000000000000").await.unwrap_err();
    assert_eq!(other.kind(), ErrorKind::NotFound);

    let found = practice::search(app, &applicant, Some("sw19 4ab")).await.unwrap();
    assert_eq!(found.route, Route::B, "the register holds no practice at the sample postcode");
    let identified = practice::identify(app, &applicant, &id, sample_practice()).await.unwrap();
    let practice = identified.practice.expect("identified");
    assert_eq!(practice.authentication_methods, [AuthMethod::Passcode], "R-P3: route B verifies by passcode");
    practice::confirm_cqc_details(app, &applicant, &id, Some(true)).await.unwrap();

    let issued = verification::request_passcode(app, &applicant, &id, None).await.unwrap();
    assert_eq!(issued.channel, PasscodeChannel::Post);
    assert_eq!(use_cases.dispatch().await.unwrap(), 1, "the letter is delivered on demand");
    let wrong = Proof {
        method: Some(AuthMethod::Passcode),
        cqc_location_id: Some("1-1002733005".to_owned()),
        passcode: Some("AAAA-AAAA".to_owned()),
        cqc_contact_id: None,
    };
    let failed = verification::verify(app, &applicant, &id, &wrong).await.unwrap_err();
    assert_eq!(failed.kind(), ErrorKind::VerificationFailed);
    assert_eq!(failed.extras().attempts_remaining, Some(4), "R-O6: attempts are counted");
    let proof = Proof { passcode: Some(passcode_from(use_cases)), ..wrong };
    let verified = verification::verify(app, &applicant, &id, &proof).await.unwrap();
    assert!(verified.practice.unwrap().verified_at.is_some());

    town::set(app, &applicant, &id, Some("Wimbledon")).await.unwrap();
    let owner = member("David", "Smith", "dsmith@example.com", "07912 345678", "practice_manager");
    members::add(app, &applicant, &id, owner).await.unwrap();
    let nurse = member("Sarah", "Jones", "sjones@example.com", "07912 345679", "dental_nurse");
    let added = members::add(app, &applicant, &id, nurse).await.unwrap();
    assert_eq!(added.counts.specified, 2);

    let unconfirmed = submission::submit(app, &applicant, &id, None, false).await.unwrap_err();
    assert_eq!(unconfirmed.errors()[0].code, ProblemCode::ConfirmationRequired, "R-S1");
    let receipt = submission::submit(app, &applicant, &id, Some("key-1".to_owned()), true).await.unwrap();
    assert_eq!(receipt.shared_mailbox_address, "nhsdental.wimbledon.sampledentalcarev12345@nhs.net");
    let replay = submission::submit(app, &applicant, &id, Some("key-1".to_owned()), true).await.unwrap();
    assert!(replay.replayed, "R-S2: a retry returns the original receipt");

    helpdesk::create_admin(app, ADMIN, "Jane Helpdesk", ADMIN_PASSWORD).unwrap();
    let signed_in =
        helpdesk::sign_in(app, &anonymous, Some(ADMIN.to_owned()), Some(ADMIN_PASSWORD.to_owned())).await.unwrap();
    let admin = use_cases.caller(Some(&signed_in.access_token));
    let not_admin = review::approve(app, &applicant, &id).await.unwrap_err();
    assert_eq!(not_admin.kind(), ErrorKind::Unauthorized, "an application token is not a helpdesk token");
    let approved = review::approve(app, &admin, &id).await.unwrap();
    assert_eq!(approved.summary.status, ApplicationStatus::Approved);
    let usernames: Vec<_> = approved.accounts.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(usernames, ["david.smith@nhs.net", "sarah.jones@nhs.net"], "R-A2, in roster order");
    assert_eq!(use_cases.dispatch().await.unwrap(), 4, "R-A4: a username email and a text message each");
}

#[tokio::test]
async fn a_practice_registers_and_is_approved_without_http() {
    for use_cases in UseCases::on_each_backend(|_| {}) {
        eprintln!("-- backend: {}", use_cases.backend);
        register_and_approve(&use_cases).await;
    }
}

#[tokio::test]
async fn two_members_with_one_name_get_numbered_usernames() {
    for use_cases in UseCases::on_each_backend(|_| {}) {
        let app = &use_cases.app;
        let started = application::start(app, &use_cases.caller(None), &answers()).await.unwrap();
        let (id, applicant) = (started.application.id.clone(), use_cases.caller(Some(&started.token)));
        practice::identify(app, &applicant, &id, sample_practice()).await.unwrap();
        practice::confirm_cqc_details(app, &applicant, &id, Some(true)).await.unwrap();
        verification::request_passcode(app, &applicant, &id, None).await.unwrap();
        use_cases.dispatch().await.unwrap();
        let proof = Proof {
            method: Some(AuthMethod::Passcode),
            cqc_location_id: Some("1-1002733005".to_owned()),
            passcode: Some(passcode_from(&use_cases)),
            cqc_contact_id: None,
        };
        verification::verify(app, &applicant, &id, &proof).await.unwrap();
        town::set(app, &applicant, &id, Some("wimbledon")).await.unwrap();
        for (email, mobile) in [("a@example.com", "07700 900001"), ("b@example.com", "07700 900002")] {
            let joe = member("Joe", "Bloggs", email, mobile, "dentist");
            members::add(app, &applicant, &id, joe).await.unwrap();
        }
        submission::submit(app, &applicant, &id, None, true).await.unwrap();
        helpdesk::create_admin(app, ADMIN, "Jane Helpdesk", ADMIN_PASSWORD).unwrap();
        let token = helpdesk::sign_in(app, &use_cases.caller(None), Some(ADMIN.into()), Some(ADMIN_PASSWORD.into()))
            .await
            .unwrap()
            .access_token;
        let approved = review::approve(app, &use_cases.caller(Some(&token)), &id).await.unwrap();
        let usernames: Vec<_> = approved.accounts.iter().map(|a| a.username.as_str()).collect();
        assert_eq!(usernames, ["joe.bloggs@nhs.net", "joe.bloggs1@nhs.net"], "R-A2 on {}", use_cases.backend);
    }
}

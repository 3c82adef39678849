//! Whole-response examples for the contract, taken from real responses on the sample data (the
//! guide's SAMPLE DENTAL CARE). A unit test round-trips each through its type, so an example
//! cannot name a field the type does not have or leave out one it has.

use serde_json::{Value, json};

const APPLICATION_ID: &str = "207d13f1-5c06-4574-b293-03a50b59ea51";

fn david_smith() -> Value {
    json!({"id": "b7dbe3eb-dbb9-40e5-bbc7-e394b452ee75", "position": 0, "title": "Dr", "first_name": "David",
        "last_name": "Smith", "email": "dsmith@businessemail.com", "mobile": "+447912345678", "role": "dentist",
        "is_owner": true, "is_mailbox_admin": true, "has_shared_mailbox_access": true})
}

fn sarah_jones() -> Value {
    json!({"id": "9dde3a66-db2f-4130-9140-3f5108435948", "position": 1, "first_name": "Sarah",
        "last_name": "Jones", "email": "sarahj@emaildomain.co.uk", "mobile": "+447888888888", "role": "dental_nurse",
        "is_owner": false, "is_mailbox_admin": false, "has_shared_mailbox_access": false})
}

fn counts(specified: u32) -> Value {
    json!({"specified": specified, "maximum": 10, "required": 2, "remaining": 10 - specified, "owners": 1,
        "summary": format!("{specified} of 10 specified (2 required)")})
}

fn eligibility(next_steps: &[&str]) -> Value {
    json!({"eligible": true, "reasons": [], "authentication_methods": ["passcode"], "passcode_channel": "post",
        "next_steps": next_steps})
}

const IN_PROGRESS: &str =
    "In progress: `missing` lists what is still needed and `allowed_actions` what can be done now.";

const SUPPORT: &str = "dentistadmin@nhs.net or 0333 200 1133 (9am to 5pm, Monday to Friday)";

/// An application part-way through: verified, town chosen, one member so far.
pub fn application_view() -> Value {
    json!({
        "id": APPLICATION_ID, "status": "draft", "eligibility": eligibility(&[]),
        "practice": {"route": "b", "postcode": "SW19 4AB", "name": "Sample Dental Care", "ods_code": "V12345",
            "cqc_location_id": "1-1002733005", "address_lines": ["123 ROAD NAME", "WIMBLEDON", "LONDON", "SW19 4AB"],
            "registered_manager_email_on_record": false, "passcode_channels": ["post"],
            "authentication_methods": ["passcode"],
            "cqc_details": {"location_id": "1-1002733005", "name": "SAMPLE DENTAL CARE",
                "address": "123 ROAD NAME, WIMBLEDON, LONDON, SW19 4AB"},
            "cqc_details_confirmed": true, "verified": true, "verified_at": "2026-11-21T09:04:14.583773Z"},
        "town": "wimbledon", "shared_mailbox_address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net",
        "members": [david_smith()], "member_counts": counts(1),
        "missing": [{"pointer": "/members", "code": "roster_too_small", "rule": "R-R1",
            "detail": "At least 2 members are required; 1 specified."}],
        "allowed_actions": ["confirm_cqc_details", "set_town", "add_member", "edit_member", "remove_member",
            "withdraw"],
        "support_contact": SUPPORT, "created_at": "2026-11-21T09:00:12.525849Z",
        "updated_at": "2026-11-21T09:06:14.611419Z", "expires_at": "2026-12-19T09:06:14.611419Z", "submitted_at": null,
        "decided_at": null, "decision_reason": null, "status_detail": IN_PROGRESS
    })
}

/// A new application and its token, straight after the questionnaire.
pub fn created_application() -> Value {
    json!({
        "token": "dat_UhZTi5KWqaTvECcRZtf-6jy5A9S3Pw4xnP9KDz75hFE", "token_type": "Bearer",
        "application": {
            "id": APPLICATION_ID, "status": "draft", "eligibility": eligibility(&["identify_practice"]), "town": null,
            "shared_mailbox_address": null, "members": [], "member_counts": {"specified": 0, "maximum": 10,
                "required": 2, "remaining": 10, "owners": 0, "summary": "0 of 10 specified (2 required)"},
            "missing": [
                {"pointer": "/practice", "code": "practice_not_identified", "rule": "R-S1",
                    "detail": "Identify the practice by its postcode."},
                {"pointer": "/verification", "code": "practice_not_authenticated", "rule": "R-S1",
                    "detail": "Prove you act for the practice with its CQC location ID and a one-time passcode or CQC \
                        contact ID."},
                {"pointer": "/town", "code": "town_required", "rule": "R-T1",
                    "detail": "Select or enter the town for the shared mailbox name."},
                {"pointer": "/members", "code": "roster_too_small", "rule": "R-R1",
                    "detail": "At least 2 members are required; 0 specified."}
            ],
            "allowed_actions": ["identify_practice", "withdraw"], "support_contact": SUPPORT,
            "created_at": "2026-11-21T09:00:12.525849Z", "updated_at": "2026-11-21T09:00:12.525849Z",
            "expires_at": "2026-12-19T09:00:12.525849Z", "submitted_at": null, "decided_at": null,
            "decision_reason": null, "status_detail": IN_PROGRESS
        }
    })
}

/// A route A search: the register holds two practices at the postcode.
pub fn practice_search() -> Value {
    json!({
        "postcode": "LS1 4AP", "route": "a",
        "candidates": [
            {"id": "777aaa96-8927-4c24-a8a6-2ab5b4bfa231", "name": "BRIGHT SMILE DENTAL PRACTICE", "ods_code": "V00101",
                "address_lines": ["1 HIGH STREET", "LEEDS", "WEST YORKSHIRE", "LS1 4AP"]},
            {"id": "bbb4ecb1-471f-4f90-8f2f-d81704272d22", "name": "LEEDS CITY DENTAL CARE", "ods_code": "V00104",
                "address_lines": ["7 HIGH STREET", "LEEDS", "WEST YORKSHIRE", "LS1 4AP"]}
        ],
        "help": format!("If your practice is not listed, describe it with its name, ODS code and CQC location ID \
            (route B). If you cannot find it at all, contact {SUPPORT}.")
    })
}

/// A member just added, with the counts after it.
pub fn member_response() -> Value {
    json!({"member": sarah_jones(), "counts": counts(2)})
}

/// The roster so far.
pub fn member_list() -> Value {
    json!({"members": [david_smith(), sarah_jones()], "counts": counts(2)})
}

fn summary(status: &str) -> Value {
    json!({"id": APPLICATION_ID, "status": status, "practice_name": "Sample Dental Care", "ods_code": "V12345",
        "cqc_location_id": "1-1002733005", "postcode": "SW19 4AB", "route": "b",
        "created_at": "2026-11-21T09:00:12.525849Z", "submitted_at": "2026-11-21T09:12:37.013593Z"})
}

/// One page of the helpdesk's application list.
pub fn application_page() -> Value {
    json!({"items": [summary("submitted")], "next_cursor": "MjAyNi0xMS0yMVQwOTowMDoxMi41MjU4NDl8MjA3ZDEzZjE"})
}

/// An application as the helpdesk sees it once approved: the accounts made and each message's
/// status (never its content).
pub fn admin_application_view() -> Value {
    let mut view = summary("approved");
    let extra = json!({
        "decided_at": "2026-11-21T10:02:39.384216Z", "decision_reason": null,
        "address_lines": ["123 ROAD NAME", "WIMBLEDON", "LONDON", "SW19 4AB"], "town": "wimbledon",
        "shared_mailbox_address": "nhsdental.wimbledon.sampledentalcarev12345@nhs.net",
        "members": [david_smith(), sarah_jones()],
        "accounts": [
            {"id": "49fbb7b3-4a96-4d7b-89c7-63d69d39f162", "username": "david.smith@nhs.net",
                "status": "pending_activation", "first_name": "David", "last_name": "Smith", "is_owner": true,
                "is_mailbox_admin": true, "has_shared_mailbox_access": true},
            {"id": "db7d0816-ebea-4299-aa88-31892d35ca9f", "username": "sarah.jones@nhs.net",
                "status": "pending_activation", "first_name": "Sarah", "last_name": "Jones", "is_owner": false,
                "is_mailbox_admin": false, "has_shared_mailbox_access": false}
        ],
        "messages": [
            {"id": "428d8c06-2958-433d-ac98-56a39dd8a821", "channel": "email", "template": "username_email",
                "recipient": "dsmith@businessemail.com", "status": "sent", "attempts": 1, "last_error": null,
                "provider": "notify", "provider_reference": "740e5834-3a29-46b4-9a6f-16142fde533a",
                "created_at": "2026-11-21T10:02:39.384216Z", "sent_at": "2026-11-21T10:02:40.112Z",
                "delivery_status": "delivered", "delivered_at": "2026-11-21T10:02:52Z"},
            {"id": "79bad037-1d6c-4702-b1a6-21367ef11ae8", "channel": "sms", "template": "temporary_password_sms",
                "recipient": "+447912345678", "status": "pending", "attempts": 1,
                "last_error": "Notify answered 429 Too Many Requests: Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds", "provider_reference": null,
                "created_at": "2026-11-21T10:02:39.384216Z", "sent_at": null, "delivery_status": null,
                "delivered_at": null}
        ]
    });
    if let (Some(view), Some(extra)) = (view.as_object_mut(), extra.as_object()) {
        view.extend(extra.clone());
    }
    view
}

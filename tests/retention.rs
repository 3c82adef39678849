//! Personal data kept only as long as needed (UK GDPR Art. 5(1)(e)): in simulated time, a
//! withdrawn and an expired draft leave none of their people's values in any table or in the raw
//! SQLite files; a rejected application's members stay for REJECTED_APPLICATION_RETENTION_DAYS
//! and are then erased while the decision stays; messages go after MESSAGE_RETENTION_DAYS; audit
//! events lose their client address after AUDIT_ADDRESS_RETENTION_DAYS and keep the rest.
//! (Deleted accounts are scanned in `account_life`.)

use crate::account_life::{every_stored_value, run_job, sqlite_files_holding};
use app::scheduler::Job;
use blackbox::journey::*;
use blackbox::{TestApp, on_each_backend, send};
use chrono::Duration;
use diesel::prelude::*;
use persistence::schema::audit_events;
use serde_json::{Value, json};

/// A member whose every value is unique to this test, so a scan finds nothing else.
fn person(first: &str, last: &str, mobile: &str) -> Value {
    json!({"first_name": first, "last_name": last, "email": format!("{}.{}@retention.example", first.to_lowercase(), last.to_lowercase()), "mobile": mobile, "role": "dentist"})
}

/// The tables still holding any of `person`'s values.
fn still_holding(app: &TestApp, person: &Value) -> Vec<(String, String)> {
    let values = ["first_name", "last_name", "email"].map(|field| person[field].as_str().unwrap().to_owned());
    let mobile = format!("+44{}", &person["mobile"].as_str().unwrap()[1..]);
    every_stored_value(app)
        .into_iter()
        .filter(|(_, stored)| values.iter().chain([&mobile]).any(|value| stored.contains(value.as_str())))
        .collect()
}

fn client_addresses(app: &TestApp) -> (usize, usize) {
    let mut conn = app.database().get().unwrap();
    let addresses: Vec<Option<String>> =
        audit_events::table.select(audit_events::client_address).load(&mut conn).unwrap();
    (addresses.iter().filter(|a| a.is_some()).count(), addresses.len())
}

#[test]
fn withdrawn_expired_and_rejected_people_are_kept_only_as_long_as_stated() {
    on_each_backend(|app| {
        // Withdrawn: gone at once, from the tables and the raw files.
        let withdrawn = person("Wilhelmina", "Withdrawnson", "07700900811");
        let journey = Journey::verified_sample_practice(app);
        assert_eq!(journey.add_member(withdrawn.clone()).0, 201);
        assert_eq!(journey.delete("").0, 204);
        assert_eq!(still_holding(app, &withdrawn), []);
        let email = withdrawn["email"].as_str().unwrap();
        assert_eq!(sqlite_files_holding(app, email), Vec::<String>::new(), "{email} is readable on disk");

        // Expired: gone once the draft's inactivity period ends.
        let expired = person("Ermintrude", "Expiredale", "07700900822");
        let journey = Journey::verified_sample_practice(app);
        assert_eq!(journey.add_member(expired.clone()).0, 201);
        app.clock.advance(Duration::days(29));
        run_job(app, Job::ExpireDrafts);
        assert_eq!(journey.state()["status"], "expired");
        assert_eq!(still_holding(app, &expired), []);

        // Rejected: the members stay for 90 days after the decision (the owner's rejection
        // email for 30), then only the decision and reason remain.
        let (owner, nurse) =
            (person("Rhiannon", "Rejectwell", "07700900833"), person("Rufus", "Refusedale", "07700900844"));
        let journey = Journey::verified_sample_practice(app);
        assert_eq!(journey.add_member(owner.clone()).0, 201);
        assert_eq!(journey.add_member(nurse.clone()).0, 201);
        assert_eq!(journey.submit(None).0, 200);
        let token = app.helpdesk_token();
        let reason = "The practice details could not be matched.";
        let rejection = app.post(&format!("/v1/admin/applications/{}/rejection", journey.id));
        let (status, view) = send(rejection.bearer_auth(&token).json(&json!({"reason": reason})));
        assert_eq!(status, 200, "{view:#}");
        while app.dispatch() > 0 {}
        let tables = |person: &Value| {
            let mut tables: Vec<String> = still_holding(app, person).into_iter().map(|(table, _)| table).collect();
            tables.dedup();
            tables
        };
        assert_eq!(tables(&owner), ["members", "outbox_messages"], "the rejection email went to the owner");

        app.clock.advance(Duration::days(31));
        run_job(app, Job::PruneMessages);
        run_job(app, Job::PrunePersonalData);
        assert_eq!(tables(&owner), ["members"], "the message is gone after 30 days, the members stay");
        assert_eq!(tables(&nurse), ["members"]);

        app.clock.advance(Duration::days(60));
        run_job(app, Job::PrunePersonalData);
        assert_eq!(still_holding(app, &owner), []);
        assert_eq!(still_holding(app, &nurse), []);
        let (status, view) =
            send(app.get(&format!("/v1/admin/applications/{}", journey.id)).bearer_auth(app.helpdesk_token()));
        assert_eq!(status, 200, "{view:#}");
        assert_eq!((view["status"].as_str(), view["decision_reason"].as_str()), (Some("rejected"), Some(reason)));
        assert_eq!(view["members"], json!([]), "erased, and the helpdesk sees so");

        // Audit events keep their client address for 180 days, then only ids and kinds of change.
        let (with_address, events) = client_addresses(app);
        assert!(with_address > 0 && events > 0, "{with_address} of {events}");
        app.clock.advance(Duration::days(179));
        run_job(app, Job::PrunePersonalData);
        let (kept, _) = client_addresses(app);
        assert!(kept > 0, "the helpdesk's sign-in of 179 days ago keeps its address");
        app.clock.advance(Duration::days(2));
        run_job(app, Job::PrunePersonalData);
        assert_eq!(client_addresses(app), (0, events), "every address erased, no event lost");
    });
}

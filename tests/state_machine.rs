//! The state drives the UI, truthfully: in every reachable state of an application, every action
//! the application offers (`allowed_actions`) succeeds with valid input, and every other action is
//! refused with 409 and a code naming the state (R-S1, R-S3, R-R1, R-R8, R-P2, R-P3).
//!
//! Each state is built afresh for each action tried, on a practice of its own (the test loads a
//! register and a CQC directory of its own), so no attempt changes what the next one sees.

use blackbox::journey::{Journey, answers, member};
use blackbox::{TestApp, on_each_backend, send};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};

const ACTIONS: [&str; 10] = [
    "identify_practice",
    "request_passcode",
    "verify",
    "confirm_cqc_details",
    "set_town",
    "add_member",
    "edit_member",
    "remove_member",
    "submit",
    "withdraw",
];

/// Codes that name a state an action is refused in.
const STATE_CODES: [&str; 10] = [
    "application_incomplete",
    "application_read_only",
    "application_closed",
    "practice_not_identified",
    "already_authenticated",
    "practice_not_authenticated",
    "not_route_b",
    "roster_full",
    "no_members",
    "only_owner",
];

const POSTCODE_A: &str = "LS2 7AB";
const POSTCODE_B: &str = "LS2 9JT";

/// A practice of its own for every attempt (reset for each database), and distinct mobiles
/// and emails for every member.
static PRACTICE: AtomicU32 = AtomicU32::new(1);
static MEMBER: AtomicU32 = AtomicU32::new(1);

/// `n` as capital letters, for names that must be letters only.
fn letters(mut n: u32) -> String {
    let mut out = String::new();
    loop {
        out.insert(0, char::from(b'A' + u8::try_from(n % 26).unwrap()));
        n /= 26;
        if n == 0 {
            return out;
        }
    }
}

/// A register practice (route A, with a contact id) and a CQC location (route B) per number.
fn load_reference_data(app: &TestApp, up_to: u32) {
    PRACTICE.store(1, Ordering::SeqCst);
    let token = app.helpdesk_token();
    let mut register = "ods_code,name,address_line_1,town,postcode,cqc_location_id,cqc_contact_id\n".to_owned();
    let mut directory = "Name,Address,Postcode,Service types,CQC Location ID (for office use only)\n".to_owned();
    for n in 1..=up_to {
        register +=
            &format!("W{n:05},WALK DENTAL {},1 WALK STREET,LEEDS,{POSTCODE_A},1-9{n:09},CON-WALK-{n}\n", letters(n));
        directory +=
            &format!("WALK B DENTAL {},\"1 B STREET, LEEDS\",{POSTCODE_B},Dental service,1-8{n:09}\n", letters(n));
    }
    for (dataset, csv) in [("practices", register), ("cqc-locations", directory)] {
        let upload = app
            .put(&format!("/v1/admin/reference-data/{dataset}"))
            .bearer_auth(&token)
            .header("Content-Type", "text/csv")
            .body(csv);
        let (status, report) = send(upload);
        assert_eq!(status, 200, "{report:#}");
    }
}

/// An application with its own practice: `n` picks the practice of either route.
struct Walk<'a> {
    journey: Journey<'a>,
    n: u32,
    route_b: bool,
}

impl<'a> Walk<'a> {
    fn new(app: &'a TestApp, route_b: bool) -> Self {
        let n = PRACTICE.fetch_add(1, Ordering::SeqCst);
        Self { journey: Journey::start(app, answers(!route_b, "post")), n, route_b }
    }

    fn location(&self) -> String {
        if self.route_b { format!("1-8{:09}", self.n) } else { format!("1-9{:09}", self.n) }
    }

    fn identify(&self) -> (u16, Value) {
        if self.route_b {
            self.journey.put(
                "/practice",
                json!({"route": "b", "postcode": POSTCODE_B, "practice_name": format!("Walk B Dental {}", letters(self.n)),
                    "ods_code": format!("B{:05}", self.n), "cqc_location_id": self.location()}),
            )
        } else {
            let (_, search) =
                send(self.journey.auth(self.journey.app.get("/v1/practices")).query(&[("postcode", POSTCODE_A)]));
            let name = format!("WALK DENTAL {}", letters(self.n));
            let candidate =
                search["candidates"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap().clone();
            self.journey.put("/practice", json!({"route": "a", "postcode": POSTCODE_A, "practice_id": candidate["id"]}))
        }
    }

    fn verify(&self) -> (u16, Value) {
        if self.route_b {
            let (status, issued) = self.journey.post("/passcode-requests", json!({"channel": "post"}));
            assert_eq!(status, 202, "{issued:#}");
            // This practice's letter, whatever else is in the outbox.
            let practice = format!("WALK B DENTAL {}", letters(self.n));
            let letter = self.journey.app.wait_for_message(0, |m| {
                m["template"] == "passcode_letter" && m["content"]["address_lines"][0] == practice.as_str()
            });
            let text = letter["content"]["body"].as_str().unwrap();
            let start = text.find("passcode is: ").unwrap() + "passcode is: ".len();
            self.journey.verify_with_passcode(&self.location(), &text[start..start + 9])
        } else {
            self.journey.post(
                "/verification",
                json!({"method": "cqc_contact_id", "cqc_location_id": self.location(), "cqc_contact_id": format!("CON-WALK-{}", self.n)}),
            )
        }
    }

    fn add_member(&self) -> (u16, Value) {
        let n = MEMBER.fetch_add(1, Ordering::SeqCst);
        self.journey.add_member(member("Walk", &format!("Member{}", letters(n).to_lowercase()), 10_000 + n))
    }

    fn members(&self) -> Vec<Value> {
        self.journey.state()["members"].as_array().unwrap().clone()
    }

    /// Tries `action` with input that is valid for it.
    fn attempt(&self, action: &str) -> (u16, Value) {
        let members = self.members();
        let any_member = members
            .first()
            .map_or("00000000-0000-0000-0000-000000000000".to_owned(), |m| m["id"].as_str().unwrap().to_owned());
        match action {
            "identify_practice" => self.identify(),
            "request_passcode" => self.journey.post("/passcode-requests", json!({"channel": "post"})),
            "verify" => self.verify(),
            "confirm_cqc_details" => self.journey.put("/cqc-confirmation", json!({"confirmed": true})),
            "set_town" => self.journey.put("/town", json!({"town": "Leeds"})),
            "add_member" => self.add_member(),
            "edit_member" => self.journey.patch(&format!("/members/{any_member}"), json!({"first_name": "Edited"})),
            "remove_member" => {
                let removable = members.iter().find(|m| m["is_owner"] == false).or(members.get(1));
                let id = removable.map_or(any_member.clone(), |m| m["id"].as_str().unwrap().to_owned());
                self.journey.delete(&format!("/members/{id}"))
            }
            "submit" => self.journey.submit(None),
            "withdraw" => self.journey.delete(""),
            other => panic!("no such action {other}"),
        }
    }
}

fn ok(result: (u16, Value), what: &str) {
    assert!((200..300).contains(&result.0), "{what}: {:#}", result.1);
}

/// The states a front end meets, each built from a fresh application.
fn build<'a>(app: &'a TestApp, state: &str) -> Walk<'a> {
    let route_b = state.starts_with("identified_b") || state == "confirmed_b";
    let walk = Walk::new(app, route_b);
    if state == "new" {
        return walk;
    }
    ok(walk.identify(), "identify");
    match state {
        "identified_a" | "identified_b" => return walk,
        "confirmed_b" => {
            ok(walk.journey.put("/cqc-confirmation", json!({"confirmed": true})), "confirm");
            return walk;
        }
        _ => {}
    }
    ok(walk.verify(), "verify");
    if state == "verified" {
        return walk;
    }
    ok(walk.add_member(), "first member");
    if state == "one_owner" {
        return walk;
    }
    ok(walk.journey.put("/town", json!({"town": "Leeds"})), "town");
    ok(walk.add_member(), "second member");
    if state == "complete" {
        return walk;
    }
    if state == "full" {
        for _ in 2..10 {
            ok(walk.add_member(), "member");
        }
        return walk;
    }
    match state {
        "submitted" => ok(walk.journey.submit(None), "submit"),
        "withdrawn" => ok(walk.journey.delete(""), "withdraw"),
        other => panic!("no such state {other}"),
    }
    walk
}

const STATES: [&str; 10] = [
    "new",
    "identified_a",
    "identified_b",
    "confirmed_b",
    "verified",
    "one_owner",
    "complete",
    "full",
    "submitted",
    "withdrawn",
];

#[test]
fn r_s1_r_s3_in_every_reachable_state_offered_actions_succeed_and_others_are_refused_with_409() {
    on_each_backend(|app| {
        load_reference_data(app, 150);
        let mut offered_somewhere = std::collections::BTreeSet::new();
        for state in STATES {
            let allowed: Vec<String> = {
                let walk = build(app, state);
                walk.journey.state()["allowed_actions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_owned())
                    .collect()
            };
            for action in ACTIONS {
                let walk = build(app, state);
                let (status, body) = walk.attempt(action);
                if allowed.iter().any(|a| a == action) {
                    offered_somewhere.insert(action);
                    assert!((200..300).contains(&status), "{state}: offered `{action}` was refused: {status} {body:#}");
                } else {
                    assert_eq!(status, 409, "{state}: `{action}` is not offered, so it must be refused: {body:#}");
                    let code = body["code"].as_str().unwrap_or_default();
                    assert!(STATE_CODES.contains(&code), "{state}: `{action}` refused with `{code}`, not a state");
                }
            }
        }
        assert_eq!(
            offered_somewhere.len(),
            ACTIONS.len(),
            "every action is offered in some state: {offered_somewhere:?}"
        );
    });
}

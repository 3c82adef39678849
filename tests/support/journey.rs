//! Drives one application through the journey, as a front end would.

use crate::Call;
use crate::{TestApp, send};
use serde_json::{Value, json};

/// The seed guide's route B practice.
pub const SAMPLE_LOCATION: &str = "1-1002733005";
/// A route A practice with a registered manager email (sample register).
pub const BRIGHT_SMILE_ID_LOCATION: &str = "1-1000000101";
pub const BRIGHT_SMILE_CONTACT_ID: &str = "CON-DEMO-0101";
pub const BRIGHT_SMILE_POSTCODE: &str = "LS1 4AP";
/// A route A practice without a registered manager email.
pub const CASTLE_LOCATION: &str = "1-1000000102";
pub const CASTLE_POSTCODE: &str = "SY1 2BQ";

pub fn answers(knows_contact_id: bool, channel: &str) -> Value {
    json!({
        "has_nhsmail_account": false,
        "ig_return_submitted": true,
        "recent_passcode_received": false,
        "knows_cqc_contact_id": knows_contact_id,
        "passcode_channel": channel,
    })
}

pub struct Journey<'a> {
    pub app: &'a TestApp,
    pub id: String,
    pub token: String,
}

impl<'a> Journey<'a> {
    pub fn start(app: &'a TestApp, answers: Value) -> Self {
        let (status, body) = send(app.post("/v1/applications").json(&answers));
        assert_eq!(status, 201, "{body:#}");
        Self {
            app,
            id: body["application"]["id"].as_str().unwrap().to_owned(),
            token: body["token"].as_str().unwrap().to_owned(),
        }
    }

    pub fn path(&self, rest: &str) -> String {
        format!("/v1/applications/{}{rest}", self.id)
    }

    pub fn auth(&self, request: Call) -> Call {
        request.bearer_auth(&self.token)
    }

    pub fn get(&self, rest: &str) -> (u16, Value) {
        send(self.auth(self.app.get(&self.path(rest))))
    }

    pub fn post(&self, rest: &str, body: Value) -> (u16, Value) {
        send(self.auth(self.app.post(&self.path(rest))).json(&body))
    }

    pub fn put(&self, rest: &str, body: Value) -> (u16, Value) {
        send(self.auth(self.app.put(&self.path(rest))).json(&body))
    }

    pub fn patch(&self, rest: &str, body: Value) -> (u16, Value) {
        send(self.auth(self.app.patch(&self.path(rest))).json(&body))
    }

    pub fn delete(&self, rest: &str) -> (u16, Value) {
        send(self.auth(self.app.delete(&self.path(rest))))
    }

    pub fn state(&self) -> Value {
        let (status, body) = self.get("");
        assert_eq!(status, 200, "{body:#}");
        body
    }

    /// Route B: SAMPLE DENTAL CARE as the guide shows it.
    pub fn identify_sample_practice(&self) -> Value {
        let (status, body) = self.put(
            "/practice",
            json!({"route": "b", "postcode": "sw19 4ab", "practice_name": "SAMPLE DENTAL CARE", "ods_code": "V12345", "cqc_location_id": SAMPLE_LOCATION}),
        );
        assert_eq!(status, 200, "{body:#}");
        body
    }

    /// Route A: chooses the listed practice with this location id at `postcode`.
    pub fn identify_listed_practice(&self, postcode: &str, name: &str) -> Value {
        let (status, search) = send(self.auth(self.app.get("/v1/practices")).query(&[("postcode", postcode)]));
        assert_eq!(status, 200, "{search:#}");
        let candidate = search["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} not listed at {postcode}: {search:#}"))
            .clone();
        let (status, body) =
            self.put("/practice", json!({"route": "a", "postcode": postcode, "practice_id": candidate["id"]}));
        assert_eq!(status, 200, "{body:#}");
        body
    }

    /// Requests a passcode and reads it from the delivered message, as the practice would.
    pub fn request_passcode(&self, body: Value) -> (Value, String) {
        let already = self.app.outbox().len();
        let (status, issued) = self.post("/passcode-requests", body);
        assert_eq!(status, 202, "{issued:#}");
        let message =
            self.app.wait_for_message(already, |m| m["template"].as_str().is_some_and(|t| t.starts_with("passcode_")));
        let text = message["content"]["body"].as_str().unwrap();
        let start = text.find("passcode is: ").expect("the message states the passcode") + "passcode is: ".len();
        (message.clone(), text[start..start + 9].to_owned())
    }

    pub fn verify_with_passcode(&self, location: &str, passcode: &str) -> (u16, Value) {
        self.post("/verification", json!({"method": "passcode", "cqc_location_id": location, "passcode": passcode}))
    }

    /// Route B to the point of adding members: identified, verified, confirmed, town set.
    pub fn verified_sample_practice(app: &'a TestApp) -> Self {
        let journey = Self::start(app, answers(false, "post"));
        journey.identify_sample_practice();
        let (_, passcode) = journey.request_passcode(json!({}));
        let (status, body) = journey.verify_with_passcode(SAMPLE_LOCATION, &passcode);
        assert_eq!(status, 200, "{body:#}");
        let (status, body) = journey.put("/cqc-confirmation", json!({"confirmed": true}));
        assert_eq!(status, 200, "{body:#}");
        let (status, body) = journey.put("/town", json!({"town": "wimbledon"}));
        assert_eq!(status, 200, "{body:#}");
        journey
    }

    /// Route A with a contact id, to the point of adding members.
    pub fn verified_listed_practice(
        app: &'a TestApp,
        postcode: &str,
        name: &str,
        location: &str,
        contact_id: &str,
    ) -> Self {
        let journey = Self::start(app, answers(true, "email"));
        journey.identify_listed_practice(postcode, name);
        let (status, body) = journey.post(
            "/verification",
            json!({"method": "cqc_contact_id", "cqc_location_id": location, "cqc_contact_id": contact_id}),
        );
        assert_eq!(status, 200, "{body:#}");
        let (status, body) = journey.put("/town", json!({"town": "leeds"}));
        assert_eq!(status, 200, "{body:#}");
        journey
    }

    pub fn add_member(&self, member: Value) -> (u16, Value) {
        self.post("/members", member)
    }

    pub fn submit(&self, key: Option<&str>) -> (u16, Value) {
        let mut request =
            self.auth(self.app.post(&self.path("/submission"))).json(&json!({"confirm_data_correct": true}));
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        send(request)
    }
}

/// A valid member; `n` keeps email and mobile unique.
pub fn member(first: &str, last: &str, n: u32) -> Value {
    json!({
        "first_name": first,
        "last_name": last,
        "email": format!("{}.{}{n}@example.com", first.to_lowercase(), last.to_lowercase()),
        "mobile": format!("07700 9{n:05}"),
        "role": "dental_nurse",
    })
}

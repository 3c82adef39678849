//! A stand-in for GOV.UK Notify on loopback. It checks every request as Notify documents them:
//! a bearer JWT signed HS256 with the API key's secret, `iss` the service id and `iat` within
//! 30 seconds; the body fields of each notification type. It can fail on cue (scripted
//! statuses), be down, or hold its answer after accepting (to lose a response in a crash).

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub const EMAIL_TEMPLATE: &str = "1b0e1b6b-0000-4000-8000-00000000e1a1";
pub const SMS_TEMPLATE: &str = "1b0e1b6b-0000-4000-8000-0000000005e5";
pub const LETTER_TEMPLATE: &str = "1b0e1b6b-0000-4000-8000-000000001e77";

/// A notification Notify accepted.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub id: String,
    pub kind: String,
    pub reference: String,
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    script: VecDeque<u16>,
    down: bool,
    hold: Duration,
    accepted: Vec<Accepted>,
    posts: usize,
    refused: Vec<String>,
}

pub struct FakeNotify {
    pub base_url: String,
    pub api_key: String,
    service_id: String,
    secret: String,
    inner: Arc<Mutex<Inner>>,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
}

fn check_token(req: &HttpRequest, service_id: &str, secret: &str) -> Result<(), String> {
    let token = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or("no bearer token")?;
    let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
    if header.alg != jsonwebtoken::Algorithm::HS256 {
        return Err(format!("alg {:?}", header.alg));
    }
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let claims =
        jsonwebtoken::decode::<Value>(token, &jsonwebtoken::DecodingKey::from_secret(secret.as_bytes()), &validation)
            .map_err(|e| format!("signature: {e}"))?
            .claims;
    if claims["iss"] != service_id {
        return Err(format!("iss {}", claims["iss"]));
    }
    let iat = claims["iat"].as_i64().ok_or("no iat")?;
    if (chrono::Utc::now().timestamp() - iat).abs() > 30 {
        return Err("iat not within 30 seconds".to_owned());
    }
    Ok(())
}

fn check_body(kind: &str, body: &Value) -> Result<(), String> {
    let text = |field: &Value| field.as_str().filter(|s| !s.is_empty()).is_some();
    if !text(&body["reference"]) {
        return Err("reference missing".to_owned());
    }
    match kind {
        "email" => {
            (body["template_id"] == EMAIL_TEMPLATE).then_some(()).ok_or("wrong email template")?;
            (text(&body["email_address"]) && body["email_address"].as_str().unwrap_or("").contains('@'))
                .then_some(())
                .ok_or("email_address")?;
            (text(&body["personalisation"]["subject"]) && text(&body["personalisation"]["body"]))
                .then_some(())
                .ok_or("personalisation")?;
        }
        "sms" => {
            (body["template_id"] == SMS_TEMPLATE).then_some(()).ok_or("wrong sms template")?;
            body["phone_number"].as_str().filter(|p| p.starts_with("+447")).ok_or("phone_number")?;
            text(&body["personalisation"]["body"]).then_some(()).ok_or("personalisation.body")?;
        }
        "letter" => {
            (body["template_id"] == LETTER_TEMPLATE).then_some(()).ok_or("wrong letter template")?;
            let p = &body["personalisation"];
            (text(&p["address_line_1"]) && text(&p["address_line_2"]) && text(&p["address_line_3"]))
                .then_some(())
                .ok_or("at least 3 address lines")?;
            (1..=7)
                .all(|i| p.get(format!("address_line_{i}")).is_none_or(Value::is_string))
                .then_some(())
                .ok_or("address lines")?;
            p.get("address_line_8").is_none().then_some(()).ok_or("at most 7 address lines")?;
            text(&p["body"]).then_some(()).ok_or("personalisation.body")?;
        }
        other => return Err(format!("unknown type {other}")),
    }
    Ok(())
}

fn error(status: u16, kind: &str, message: &str) -> HttpResponse {
    HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR),
    )
    .json(json!({"status_code": status, "errors": [{"error": kind, "message": message}]}))
}

impl FakeNotify {
    pub fn start() -> Self {
        let service_id = uuid::Uuid::new_v4().to_string();
        let secret = uuid::Uuid::new_v4().to_string();
        let inner = Arc::new(Mutex::new(Inner::default()));
        let (shared, sid, key) = (inner.clone(), service_id.clone(), secret.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let server = HttpServer::new(move || {
            let (shared, sid, key) = (shared.clone(), sid.clone(), key.clone());
            let (shared2, sid2, key2) = (shared.clone(), sid.clone(), key.clone());
            App::new()
                .route(
                    "/v2/notifications/{kind}",
                    web::post().to(move |req: HttpRequest, kind: web::Path<String>, body: web::Json<Value>| {
                        let (shared, sid, key) = (shared.clone(), sid.clone(), key.clone());
                        async move {
                            let hold = {
                                let mut state = shared.lock().unwrap();
                                state.posts += 1;
                                if let Err(problem) = check_token(&req, &sid, &key) {
                                    state.refused.push(format!("token: {problem}"));
                                    return error(403, "AuthError", &problem);
                                }
                                if let Err(problem) = check_body(&kind, &body) {
                                    state.refused.push(format!("body: {problem}"));
                                    return error(400, "ValidationError", &problem);
                                }
                                if state.down {
                                    return error(503, "ServiceUnavailable", "down");
                                }
                                if let Some(status) = state.script.pop_front() {
                                    return error(status, "Scripted", "scripted failure");
                                }
                                let id = uuid::Uuid::new_v4().to_string();
                                state.accepted.push(Accepted {
                                    id: id.clone(),
                                    kind: kind.clone(),
                                    reference: body["reference"].as_str().unwrap_or_default().to_owned(),
                                    body: body.0.clone(),
                                });
                                (state.hold, id, body["reference"].clone())
                            };
                            let (hold, id, reference) = hold;
                            if !hold.is_zero() {
                                actix_web::rt::time::sleep(hold).await;
                            }
                            HttpResponse::Created().json(json!({"id": id, "reference": reference, "uri": format!("/v2/notifications/{id}")}))
                        }
                    }),
                )
                .route(
                    "/v2/notifications",
                    web::get().to(move |req: HttpRequest, query: web::Query<std::collections::HashMap<String, String>>| {
                        let (shared, sid, key) = (shared2.clone(), sid2.clone(), key2.clone());
                        async move {
                            if let Err(problem) = check_token(&req, &sid, &key) {
                                return error(403, "AuthError", &problem);
                            }
                            let reference = query.get("reference").cloned().unwrap_or_default();
                            let state = shared.lock().unwrap();
                            let found: Vec<Value> = state
                                .accepted
                                .iter()
                                .filter(|a| a.reference == reference)
                                .map(|a| json!({"id": a.id, "reference": a.reference, "type": a.kind, "status": "sending"}))
                                .collect();
                            HttpResponse::Ok().json(json!({"notifications": found, "links": {}}))
                        }
                    }),
                )
        })
        .workers(2)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        let thread = std::thread::spawn(move || {
            let _ = actix_web::rt::System::new().block_on(server);
        });
        Self {
            base_url: format!("http://{address}"),
            api_key: format!("test_key-{service_id}-{secret}"),
            service_id,
            secret,
            inner,
            handle,
            thread: Some(thread),
        }
    }

    /// The next POSTs answer these statuses, in order, without accepting.
    pub fn fail_next(&self, statuses: &[u16]) {
        self.inner.lock().unwrap().script.extend(statuses);
    }

    pub fn set_down(&self, down: bool) {
        self.inner.lock().unwrap().down = down;
    }

    /// Accept, then wait this long before answering.
    pub fn set_hold(&self, hold: Duration) {
        self.inner.lock().unwrap().hold = hold;
    }

    pub fn accepted(&self) -> Vec<Accepted> {
        self.inner.lock().unwrap().accepted.clone()
    }

    pub fn posts(&self) -> usize {
        self.inner.lock().unwrap().posts
    }

    /// Requests refused for a bad token or body: must stay empty.
    pub fn refused(&self) -> Vec<String> {
        self.inner.lock().unwrap().refused.clone()
    }

    pub fn service_id(&self) -> &str {
        &self.service_id
    }

    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Sends every channel through this fake.
    pub fn route_all(&self, messaging: &mut app::settings::MessagingSettings) {
        messaging.email = app::settings::ProviderChoice::Notify;
        messaging.sms = app::settings::ProviderChoice::Notify;
        messaging.letter = app::settings::ProviderChoice::Notify;
        messaging.smtp = None;
        messaging.notify = Some(app::settings::NotifySettings {
            api_key: app::settings::Secret::new(self.api_key.clone()),
            base_url: self.base_url.clone(),
            email_template_id: Some(EMAIL_TEMPLATE.to_owned()),
            sms_template_id: Some(SMS_TEMPLATE.to_owned()),
            letter_template_id: Some(LETTER_TEMPLATE.to_owned()),
        });
        messaging.notify_callback_token = Some(app::settings::Secret::new("callback-token-for-tests".to_owned()));
        messaging.lease = chrono::Duration::seconds(2);
    }
}

impl Drop for FakeNotify {
    fn drop(&mut self) {
        actix_web::rt::System::new().block_on(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

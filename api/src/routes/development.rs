//! The development outbox, for testers: what the development message provider "sent" (passcodes,
//! temporary passwords, reset codes), so a journey can be finished from Postman or a script. It
//! answers only in development mode with a channel on the development provider; otherwise it is
//! not there (404), and production mode refuses the development provider anyway.

use crate::config::{Environment, ProviderChoice};
use crate::extract::Query;
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only messages to this recipient: an email address, a mobile in E.164 (`+447…`) or a
    /// postcode (letters), as the outbox holds them. Any case; empty means everyone.
    #[param(max_length = 254, example = "+447888888888")]
    pub to: Option<String>,
    /// How many messages, newest first (1 to 100, default 20).
    #[param(minimum = 1, maximum = 100, example = 5)]
    pub limit: Option<i64>,
}

/// A message as the development provider wrote it, content included.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"message_id": "7c1b2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e", "channel": "sms", "template": "temporary_password_sms",
    "to": "+447888888888", "subject": null, "body": "Your NHSmail temporary password is Kp7r-Xm3q-Tz8w-Ab2c. …"}))]
pub struct OutboxMessage {
    #[schema(format = Uuid)]
    pub message_id: String,
    pub channel: crate::wire::MessageChannel,
    pub template: crate::wire::MessageTemplate,
    /// The recipient: an email address, a mobile number, or the postcode of a letter.
    pub to: String,
    /// The subject of an email; null for text messages and letters.
    pub subject: Option<String>,
    pub body: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"message_id": "7c1b2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e", "channel": "letter", "template": "passcode_letter",
    "to": "SW19 4AB", "subject": null, "body": "You asked for a one-time passcode to register SAMPLE DENTAL CARE … Your one-time passcode is: 7KQ4-M2XD …"}]}))]
pub struct OutboxPage {
    /// Newest first.
    #[schema(max_items = 100)]
    pub items: Vec<OutboxMessage>,
}

/// Whether this instance may show its outbox.
fn outbox_open(state: &AppState) -> bool {
    let messaging = &state.config.app.messaging;
    state.config.app.environment == Environment::Development
        && [messaging.email, messaging.sms, messaging.letter].contains(&ProviderChoice::Development)
}

fn parse_line(line: &str) -> Option<OutboxMessage> {
    let value: Value = serde_json::from_str(line).ok()?;
    let content = &value["content"];
    Some(OutboxMessage {
        message_id: value["message_id"].as_str()?.to_owned(),
        channel: crate::wire::from_code(value["channel"].as_str()?)?,
        template: crate::wire::from_code(value["template"].as_str()?)?,
        to: value["to"].as_str()?.to_owned(),
        subject: content["subject"].as_str().map(str::to_owned),
        body: content["body"].as_str().or_else(|| content["note"].as_str()).unwrap_or_default().to_owned(),
    })
}

/// Messages the development provider sent (development only)
///
/// For testers: the newest messages the development message provider wrote, content included, so
/// a passcode, temporary password or reset code can be read without a real inbox or phone. Only
/// in development mode with a channel on the development provider; otherwise 404.
#[utoipa::path(
    tag = "development",
    operation_id = "listDevelopmentMessages",
    params(OutboxQuery),
    responses(
        (status = 200, description = "The newest messages, content included.", body = OutboxPage),
        (status = 404, description = "Not in development mode, or no channel uses the development provider.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/not-found", "title": "Not found", "status": 404, "detail": "There is no development outbox on this instance."})),
        (status = 422, description = "A bad page size.", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "/problems/validation-failed", "title": "Some of the information given is not valid", "status": 422, "detail": "1 field is not valid.",
                "errors": [{"pointer": "/query/limit", "code": "out_of_range", "detail": "This must be at most 100."}]})),
    )
)]
#[get("/v1/development/messages")]
pub async fn list_messages(state: web::Data<AppState>, query: Query<OutboxQuery>) -> Result<HttpResponse, ApiError> {
    if !outbox_open(&state) {
        return Err(ApiError::not_found().detail("There is no development outbox on this instance."));
    }
    let mut v = crate::problem::Validator::new();
    let limit = app::paging::limit(&mut v, query.limit);
    v.finish(|| Some(()))?;
    let wanted = query.to.as_deref().map(str::to_lowercase).filter(|to| !to.is_empty());
    let file = state.config.app.messaging.outbox_file.clone();
    let text = web::block(move || std::fs::read_to_string(file).unwrap_or_default()).await?;
    let items: Vec<OutboxMessage> = text
        .lines()
        .rev()
        .filter_map(parse_line)
        .filter(|m| wanted.as_deref().is_none_or(|to| m.to.to_lowercase() == to))
        .take(usize::try_from(limit).unwrap_or(20))
        .collect();
    Ok(HttpResponse::Ok().json(OutboxPage { items }))
}

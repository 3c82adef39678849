//! GOV.UK Notify over its REST API (v2). Every request carries a JWT signed with the API key's
//! secret (`iss` the service id, `iat` now). Messages are sent through generic templates whose
//! placeholders take the text this service wrote. Our message id is Notify's `reference`, so a
//! send whose answer was lost is found again instead of repeated; 429 and 5xx are retried.

use super::{Outgoing, Provider, SendError};
use crate::outbox::Payload;
use crate::settings::NotifySettings;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use std::time::Duration;

pub struct NotifyProvider {
    client: reqwest::blocking::Client,
    base_url: String,
    service_id: String,
    key: EncodingKey,
    email_template: Option<String>,
    sms_template: Option<String>,
    letter_template: Option<String>,
}

/// Notify allows at most 7 address lines; extra middle lines are joined.
fn address_personalisation(lines: &[String]) -> serde_json::Map<String, Value> {
    let mut lines = lines.to_vec();
    while lines.len() > 7 {
        let merged = format!("{}, {}", lines[1], lines[2]);
        lines.splice(1..3, [merged]);
    }
    lines.iter().enumerate().map(|(i, line)| (format!("address_line_{}", i + 1), Value::String(line.clone()))).collect()
}

impl NotifyProvider {
    pub fn new(settings: &NotifySettings) -> anyhow::Result<Self> {
        let key = settings.api_key.expose();
        // `{name}-{service id}-{secret}`: both UUIDs are 36 characters.
        if key.len() < 74 {
            anyhow::bail!("NOTIFY_API_KEY is not a GOV.UK Notify API key");
        }
        let secret = &key[key.len() - 36..];
        let service_id = &key[key.len() - 73..key.len() - 37];
        Ok(Self {
            client: reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build()?,
            base_url: settings.base_url.clone(),
            service_id: service_id.to_owned(),
            key: EncodingKey::from_secret(secret.as_bytes()),
            email_template: settings.email_template_id.clone(),
            sms_template: settings.sms_template_id.clone(),
            letter_template: settings.letter_template_id.clone(),
        })
    }

    fn token(&self) -> Result<String, SendError> {
        let claims = json!({"iss": self.service_id, "iat": chrono::Utc::now().timestamp()});
        encode(&Header::new(Algorithm::HS256), &claims, &self.key)
            .map_err(|e| SendError::Permanent(format!("cannot sign the request: {e}")))
    }

    fn request_body(&self, message: &Outgoing) -> Result<(&'static str, Value), SendError> {
        let template = |id: &Option<String>| {
            id.clone().ok_or_else(|| SendError::Permanent(format!("no Notify template for {}", message.channel)))
        };
        Ok(match &message.payload {
            Payload::Email { subject, body } => (
                "email",
                json!({"email_address": message.recipient, "template_id": template(&self.email_template)?,
                       "personalisation": {"subject": subject, "body": body}, "reference": message.id}),
            ),
            Payload::Sms { body } => (
                "sms",
                json!({"phone_number": message.recipient, "template_id": template(&self.sms_template)?,
                       "personalisation": {"body": body}, "reference": message.id}),
            ),
            Payload::Letter { address_lines, body } => {
                let mut personalisation = address_personalisation(address_lines);
                personalisation.insert("body".to_owned(), Value::String(body.clone()));
                (
                    "letter",
                    json!({"template_id": template(&self.letter_template)?, "personalisation": personalisation, "reference": message.id}),
                )
            }
            Payload::Redacted { .. } => {
                return Err(SendError::Permanent("the content was erased; nothing to send".to_owned()));
            }
        })
    }
}

/// Notify's answer to a refused request, as an error to record.
fn refusal(status: reqwest::StatusCode, body: &str) -> SendError {
    let detail = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["errors"][0]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| body.chars().take(200).collect());
    let text = format!("Notify answered {status}: {detail}");
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        SendError::Temporary(text)
    } else {
        SendError::Permanent(text)
    }
}

impl Provider for NotifyProvider {
    fn name(&self) -> &'static str {
        "notify"
    }

    fn send(&self, message: &Outgoing) -> Result<String, SendError> {
        let (kind, body) = self.request_body(message)?;
        let response = self
            .client
            .post(format!("{}/v2/notifications/{kind}", self.base_url))
            .bearer_auth(self.token()?)
            .json(&body)
            .send()
            .map_err(|e| SendError::Temporary(format!("Notify unreachable: {e}")))?;
        let status = response.status();
        let text = response.text().unwrap_or_default();
        if status != reqwest::StatusCode::CREATED {
            return Err(refusal(status, &text));
        }
        serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v["id"].as_str().map(str::to_owned))
            .ok_or_else(|| SendError::Temporary("Notify accepted the message but gave no id".to_owned()))
    }

    fn find(&self, message: &Outgoing) -> Result<Option<String>, SendError> {
        let response = self
            .client
            .get(format!("{}/v2/notifications", self.base_url))
            .query(&[("reference", message.id.as_str())])
            .bearer_auth(self.token()?)
            .send()
            .map_err(|e| SendError::Temporary(format!("Notify unreachable: {e}")))?;
        let status = response.status();
        let text = response.text().unwrap_or_default();
        if !status.is_success() {
            return Err(refusal(status, &text));
        }
        Ok(serde_json::from_str::<Value>(&text).ok().and_then(|v| {
            v["notifications"]
                .as_array()
                .and_then(|list| list.first().and_then(|n| n["id"].as_str().map(str::to_owned)))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_addresses_fit_notifys_seven_lines() {
        let lines: Vec<String> = (1..=9).map(|i| format!("L{i}")).collect();
        let fitted = address_personalisation(&lines);
        assert_eq!(fitted.len(), 7);
        assert_eq!(fitted["address_line_7"], "L9", "the postcode stays last");
        assert_eq!(fitted["address_line_1"], "L1");
    }
}

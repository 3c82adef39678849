//! The development outbox, for testers: what the development provider "sent" (passcodes,
//! temporary passwords, reset codes), content included, so a journey can be finished without a
//! real inbox or phone. Open only in development mode with a channel on the development provider.

use crate::settings::{Environment, ProviderChoice};
use crate::{App, Error, Validator, paging};
use serde_json::Value;

/// A message as the development provider wrote it.
#[derive(Debug, Clone)]
pub struct Written {
    pub message_id: String,
    pub channel: String,
    pub template: String,
    /// An email address, a mobile number, or the postcode of a letter.
    pub to: String,
    pub subject: Option<String>,
    pub body: String,
}

fn open(app: &App) -> bool {
    let settings = app.settings();
    let messaging = &settings.messaging;
    settings.environment == Environment::Development
        && [messaging.email, messaging.sms, messaging.letter].contains(&ProviderChoice::Development)
}

fn parse_line(line: &str) -> Option<Written> {
    let value: Value = serde_json::from_str(line).ok()?;
    let content = &value["content"];
    Some(Written {
        message_id: value["message_id"].as_str()?.to_owned(),
        channel: value["channel"].as_str()?.to_owned(),
        template: value["template"].as_str()?.to_owned(),
        to: value["to"].as_str()?.to_owned(),
        subject: content["subject"].as_str().map(str::to_owned),
        body: content["body"].as_str().or_else(|| content["note"].as_str()).unwrap_or_default().to_owned(),
    })
}

/// The newest messages, optionally only those to `to` (any case), newest first.
pub async fn recent(app: &App, to: Option<&str>, limit: Option<i64>) -> Result<Vec<Written>, Error> {
    if !open(app) {
        return Err(Error::not_found().detail("There is no development outbox on this instance."));
    }
    let mut v = Validator::new();
    let limit = paging::limit(&mut v, limit);
    v.finish(|| Some(()))?;
    let wanted = to.map(str::to_lowercase).filter(|to| !to.is_empty());
    let file = app.settings().messaging.outbox_file.clone();
    let text = tokio::task::spawn_blocking(move || std::fs::read_to_string(file).unwrap_or_default())
        .await
        .map_err(|e| Error::unavailable(format!("blocking pool: {e}")))?;
    Ok(text
        .lines()
        .rev()
        .filter_map(parse_line)
        .filter(|m| wanted.as_deref().is_none_or(|to| m.to.to_lowercase() == to))
        .take(usize::try_from(limit).unwrap_or(20))
        .collect())
}

//! Log output: readable text for development (the default) or, with `LOG_FORMAT=json`, one JSON
//! object per line for a log collector: `time`, `level`, `target`, `message`, the request id when
//! the line was written while handling a request, and the structured fields of the line (the
//! access log's `method`, `route`, `status` and `duration_ms`). What is logged never includes a
//! person's values: ids, route templates, counts and kinds only.

use crate::config::LogFormat;
use crate::http::request_id;
use chrono::{SecondsFormat, Utc};
use log::kv::{Key, Value, VisitSource};
use serde_json::{Map, Value as Json};
use std::io::Write;

/// Collects a line's structured fields.
struct Fields<'a>(&'a mut Map<String, Json>);

impl<'kvs> VisitSource<'kvs> for Fields<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), log::kv::Error> {
        let json = if let Some(n) = value.to_u64() {
            Json::from(n)
        } else if let Some(n) = value.to_i64() {
            Json::from(n)
        } else if let Some(x) = value.to_f64() {
            serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
        } else if let Some(b) = value.to_bool() {
            Json::Bool(b)
        } else {
            Json::String(value.to_string())
        };
        self.0.insert(key.as_str().to_owned(), json);
        Ok(())
    }
}

/// One record as a JSON object on one line.
pub fn json_line(record: &log::Record<'_>) -> String {
    let mut object = Map::new();
    object.insert("time".to_owned(), Json::String(Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)));
    object.insert("level".to_owned(), Json::String(record.level().as_str().to_owned()));
    object.insert("target".to_owned(), Json::String(record.target().to_owned()));
    object.insert("message".to_owned(), Json::String(record.args().to_string()));
    if let Some(id) = request_id::current() {
        object.insert("request_id".to_owned(), Json::String(id));
    }
    // A field the line names itself (the access log's request id) wins.
    let _ = record.key_values().visit(&mut Fields(&mut object));
    Json::Object(object).to_string()
}

/// Installs the process's logger: `RUST_LOG` filters (default `info`), `format` shapes lines.
pub fn init(format: LogFormat) {
    let mut builder = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"));
    // actix logs a request it cannot parse (a malformed header, say) as an error of its own;
    // the client gets a 400 and the service did nothing wrong, so it is not an operator's alarm.
    builder.filter_module("actix_http::h1::dispatcher", log::LevelFilter::Off);
    if format == LogFormat::Json {
        builder.format(|buf, record| writeln!(buf, "{}", json_line(record)));
    }
    builder.init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_line_carries_the_level_the_message_and_the_fields() {
        let fields: [(&str, Value<'_>); 3] = [
            ("route", Value::from("/v1/applications/{id}")),
            ("status", Value::from(201u16)),
            ("duration_ms", Value::from(1.5)),
        ];
        let args = format_args!("request");
        let record =
            log::Record::builder().args(args).level(log::Level::Info).target("access").key_values(&fields).build();
        let line: Json = serde_json::from_str(&json_line(&record)).unwrap();
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["target"], "access");
        assert_eq!(line["message"], "request");
        assert_eq!(line["route"], "/v1/applications/{id}");
        assert_eq!(line["status"], 201);
        assert_eq!(line["duration_ms"], 1.5);
        assert!(chrono::DateTime::parse_from_rfc3339(line["time"].as_str().unwrap()).is_ok());
    }
}

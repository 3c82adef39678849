//! Prometheus metrics, served on a listener of their own (`METRICS_BIND_ADDRESS`), never on the
//! API's: requests by route template, method and status with their latency; the database pool;
//! the outbox backlog and the age of its oldest message; send outcomes per provider (counted by
//! the dispatcher); the password hashing queue; scheduled job runs (counted by the scheduler).
//! Labels are route templates, methods, statuses, channels, providers and job names: never a
//! value a person typed. Series are recorded through the `metrics` facade and rendered by
//! `metrics-exporter-prometheus`; gauges read from the database are refreshed at each scrape.

use crate::config::MetricsConfig;
use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::collections::{BTreeSet, HashMap};
use std::net::TcpListener;
use std::sync::{Mutex, OnceLock};

/// Latency buckets in seconds: a JSON read is a few milliseconds, a sign-in (argon2) a few tenths.
const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The process's recorder, installed on first use (the `metrics` facade has one per process).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("http_request_duration_seconds".to_owned()), LATENCY_BUCKETS)
            .unwrap_or_else(|_| unreachable!("the bucket list is not empty"));
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Fails only if another recorder was installed first; then ours renders nothing but the
        // service still runs.
        if metrics::set_global_recorder(recorder).is_err() {
            log::warn!("a metrics recorder was already installed; /metrics will be empty");
        }
        handle
    })
}

/// The method as a label: the standard ones by name, anything else as `OTHER`, so a client
/// cannot mint series.
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    [
        (Method::GET, "GET"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::HEAD, "HEAD"),
        (Method::OPTIONS, "OPTIONS"),
    ]
    .into_iter()
    .find_map(|(known, label)| (known == method).then_some(label))
    .unwrap_or("OTHER")
}

/// Counts one answered request.
pub fn record_request(method: &actix_web::http::Method, route: &str, status: u16, seconds: f64) {
    let labels =
        [("method", method_label(method).to_owned()), ("route", route.to_owned()), ("status", status.to_string())];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(seconds);
}

/// The outbox series reported so far, by status and channel.
static OUTBOX_SERIES: Mutex<BTreeSet<(String, String)>> = Mutex::new(BTreeSet::new());

/// Refreshes the gauges read from the service's state.
async fn refresh(app: &app::App) {
    let vitals = match app::vitals::read(app).await {
        Ok(vitals) => vitals,
        Err(error) => {
            log::warn!("metrics: cannot read the outbox backlog: {error}");
            metrics::gauge!("metrics_scrape_errors").increment(1.0);
            return;
        }
    };
    let pool = vitals.pool;
    metrics::gauge!("db_pool_max_connections").set(f64::from(pool.max_size));
    metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!("db_pool_connections", "state" => "in_use").set(f64::from(pool.open.saturating_sub(pool.idle)));
    metrics::gauge!("db_pool_waiting").set(pool.waiting as f64);
    // A status and channel with no messages left has no row: its gauge goes back to zero rather
    // than keeping the last count it had.
    let now: HashMap<(String, String), i64> =
        vitals.outbox.into_iter().map(|count| ((count.status, count.channel), count.count)).collect();
    let mut seen = OUTBOX_SERIES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    seen.extend(now.keys().cloned());
    for key in seen.iter() {
        let count = now.get(key).copied().unwrap_or(0);
        metrics::gauge!("outbox_messages", "status" => key.0.clone(), "channel" => key.1.clone()).set(count as f64);
    }
    drop(seen);
    metrics::gauge!("outbox_oldest_pending_age_seconds").set(vitals.oldest_pending.num_milliseconds() as f64 / 1000.0);
    metrics::gauge!("password_hashing_queue_depth").set(vitals.hashing_queue as f64);
}

/// What the metrics listener knows.
struct Scrape {
    app: app::App,
    token: Option<app::settings::Secret<String>>,
}

/// Whether the request carries the configured token (compared in constant time).
fn authorised(req: &HttpRequest, token: Option<&app::settings::Secret<String>>) -> bool {
    let Some(token) = token else { return true };
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    let expected = token.expose().as_bytes();
    presented.len() == expected.len()
        && presented.bytes().zip(expected).fold(0u8, |differ, (a, b)| differ | (a ^ b)) == 0
}

async fn scrape(req: HttpRequest, scrape: web::Data<Scrape>) -> HttpResponse {
    if !authorised(&req, scrape.token.as_ref()) {
        return HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\""))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body("a metrics token is required\n");
    }
    refresh(&scrape.app).await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(handle().render())
}

/// The metrics listener: `GET /metrics` and nothing else, one worker.
pub fn server(config: &MetricsConfig, app: app::App) -> anyhow::Result<(actix_web::dev::Server, std::net::SocketAddr)> {
    use anyhow::Context;
    handle();
    let listener = TcpListener::bind(config.bind_address)
        .with_context(|| format!("cannot listen for metrics on {}", config.bind_address))?;
    let address = listener.local_addr()?;
    let state = web::Data::new(Scrape { app, token: config.token.clone() });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(scrape))
            .default_service(web::to(|| async { HttpResponse::NotFound().body("only /metrics is served here\n") }))
    })
    .workers(1)
    .listen(listener)?
    .disable_signals()
    .shutdown_timeout(1)
    .run();
    Ok((server, address))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_share_one_label() {
        assert_eq!(method_label(&actix_web::http::Method::GET), "GET");
        assert_eq!(method_label(&actix_web::http::Method::from_bytes(b"BREW").unwrap()), "OTHER");
    }
}

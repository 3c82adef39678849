//! Test harness: starts the real server on `127.0.0.1:0` against a fresh database and talks HTTP
//! to it. [`on_each_backend`] runs a test body on SQLite, then on PostgreSQL when
//! `TEST_POSTGRES_URL` is set, so the whole black-box suite covers both.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod bench;
pub mod contract;
pub mod forwarder;
pub mod journey;
pub mod logs;
pub mod notify;
pub mod privacy;
pub mod process;
pub mod proxy;
pub mod smtp;
pub mod wire;

use actix_web::dev::ServerHandle;
use api::config::Config;
use api::server::Application;
use app::clock::OffsetClock;
use persistence::testing::{TestDatabase, postgres_url};
use reqwest::blocking::Client;
use serde_json::Value;
use std::sync::Arc;
use std::thread::JoinHandle;
pub use wire::{Call, Reply};

pub struct TestApp {
    pub base_url: String,
    pub backend: &'static str,
    /// Where the server's metrics are, when it was configured to serve them.
    pub metrics_url: Option<String>,
    /// The configuration the server runs with.
    pub config: Config,
    /// Moves the server's time forward without sleeping.
    pub clock: Arc<OffsetClock>,
    client: Client,
    use_cases: std::sync::OnceLock<app::App>,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
    // Dropped last: the server must stop before its database goes.
    _database: TestDatabase,
}

impl TestApp {
    pub fn spawn(database: TestDatabase) -> Self {
        Self::spawn_with(database, |_| {})
    }

    /// Starts a server whose configuration `customise` may change first.
    pub fn spawn_with(database: TestDatabase, customise: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::for_development(&database.url).expect("test configuration is valid");
        config.app.load_sample_data = true;
        config.dispatch_interval = std::time::Duration::from_millis(25);
        customise(&mut config);
        let clock = Arc::new(OffsetClock::default());
        let application = Application::build(config.clone(), clock.clone()).expect("the server starts");
        let base_url = format!("http://{}", application.address());
        let metrics_url = application.metrics_address().map(|address| format!("http://{address}/metrics"));
        let handle = application.handle();
        let thread = std::thread::spawn(move || {
            if let Err(error) = actix_web::rt::System::new().block_on(application.run()) {
                eprintln!("server stopped with an error: {error}");
            }
        });
        Self {
            base_url,
            backend: database.backend_name(),
            metrics_url,
            config,
            clock,
            client: Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client"),
            use_cases: std::sync::OnceLock::new(),
            handle,
            thread: Some(thread),
            _database: database,
        }
    }

    /// A request of any method, checked against the contract like every other.
    pub fn request(&self, method: reqwest::Method, path: &str) -> Call {
        Call::new(&self.client, method, &self.url(path))
    }

    /// The server's database, for a second server process to share.
    pub fn database_url(&self) -> &str {
        &self._database.url
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn get(&self, path: &str) -> Call {
        Call::new(&self.client, reqwest::Method::GET, &self.url(path))
    }

    pub fn post(&self, path: &str) -> Call {
        Call::new(&self.client, reqwest::Method::POST, &self.url(path))
    }

    pub fn patch(&self, path: &str) -> Call {
        Call::new(&self.client, reqwest::Method::PATCH, &self.url(path))
    }

    pub fn put(&self, path: &str) -> Call {
        Call::new(&self.client, reqwest::Method::PUT, &self.url(path))
    }

    pub fn delete(&self, path: &str) -> Call {
        Call::new(&self.client, reqwest::Method::DELETE, &self.url(path))
    }
}

impl TestApp {
    /// Direct access to the server's database, to check what the API cannot show (hashes,
    /// erased data, the audit log).
    pub fn database(&self) -> persistence::Database {
        let url = persistence::DatabaseUrl::parse(&self._database.url).expect("test database URL");
        persistence::Database::connect(&url, persistence::PoolOptions { max_size: 2, ..Default::default() })
            .expect("test database")
    }

    /// The use cases on the server's database and clock, without HTTP (as the command line
    /// uses them).
    pub fn use_cases(&self) -> app::App {
        self.use_cases
            .get_or_init(|| {
                let mut settings = self.config.app.clone();
                settings.password_hashing_concurrency = 1;
                app::App::with_database(settings, self.database(), self.clock.clone()).expect("the use cases start")
            })
            .clone()
    }

    /// Delivers every message due now, as the server's dispatcher would, instead of waiting for
    /// it; returns how many were delivered. (The server's own dispatcher runs too: the two share
    /// the outbox as two replicas would.)
    pub fn dispatch(&self) -> usize {
        let providers =
            app::outbox::providers::Providers::from_settings(&self.config.app.messaging).expect("providers");
        let dispatcher = app::outbox::dispatcher::Dispatcher { worker_id: "test".to_owned(), providers };
        let app = self.use_cases();
        actix_web::rt::System::new().block_on(dispatcher.dispatch_once(&app)).expect("a dispatch pass")
    }

    /// Everything the development message provider has written, oldest first.
    pub fn outbox(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.config.app.messaging.outbox_file)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// Waits (up to [`DELIVERY_WAIT`]) for a message after the first `already` that satisfies
    /// `wanted`.
    pub fn wait_for_message(&self, already: usize, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + DELIVERY_WAIT;
        loop {
            self.dispatch();
            if let Some(found) = self.outbox().into_iter().skip(already).find(|m| wanted(m)) {
                return found;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the expected message was not delivered within {DELIVERY_WAIT:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Waits (up to [`DELIVERY_WAIT`]) until at least `count` messages follow the first `already`;
    /// returns them all.
    pub fn wait_for_new_messages(&self, already: usize, count: usize) -> Vec<Value> {
        let deadline = std::time::Instant::now() + DELIVERY_WAIT;
        loop {
            self.dispatch();
            let all = self.outbox();
            if all.len() >= already + count {
                return all[already..].to_vec();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{count} messages were not delivered to the outbox within {DELIVERY_WAIT:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        actix_web::rt::System::new().block_on(handle.stop(true));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = std::fs::remove_file(&self.config.app.messaging.outbox_file);
    }
}

/// How long a test waits for a message to be delivered: a liveness bound, not a speed claim, and
/// generous because CI machines may be loaded (delivery normally takes milliseconds).
pub const DELIVERY_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

pub const ADMIN_USERNAME: &str = "helpdesk.jane";
pub const ADMIN_PASSWORD: &str = "plinth marmalade oboe lantern";

impl TestApp {
    /// Creates a helpdesk administrator (as `nhsmail-dental admin create` does) and signs in.
    pub fn helpdesk_token(&self) -> String {
        match app::helpdesk::create_admin(&self.use_cases(), ADMIN_USERNAME, "Jane Helpdesk", ADMIN_PASSWORD) {
            Ok(_) | Err(app::helpdesk::CreateAdminError::Exists) => {}
            Err(other) => panic!("cannot create the administrator: {other}"),
        }
        let (status, body) = send(
            self.post("/v1/admin/sessions")
                .json(&serde_json::json!({"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD})),
        );
        assert_eq!(status, 201, "{body:#}");
        body["access_token"].as_str().unwrap().to_owned()
    }
}

/// Another server on the same database and clock as a [`TestApp`], configured differently: a
/// replica after a configuration change (a rotated key, say). Stops when dropped.
pub struct Sibling {
    pub base_url: String,
    client: Client,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
}

impl TestApp {
    /// Starts a [`Sibling`] whose configuration is this server's changed by `customise`.
    pub fn sibling(&self, customise: impl FnOnce(&mut Config)) -> Sibling {
        let mut config = self.config.clone();
        customise(&mut config);
        let app = app::App::with_database(config.app.clone(), self.database(), self.clock.clone())
            .expect("the use cases start");
        let application = Application::with_app(config, app).expect("the sibling starts");
        let base_url = format!("http://{}", application.address());
        let handle = application.handle();
        let thread = std::thread::spawn(move || {
            if let Err(error) = actix_web::rt::System::new().block_on(application.run()) {
                eprintln!("sibling stopped with an error: {error}");
            }
        });
        Sibling { base_url, client: Client::new(), handle, thread: Some(thread) }
    }
}

impl Sibling {
    pub fn get(&self, path: &str) -> Call {
        Call::new(&self.client, reqwest::Method::GET, &format!("{}{path}", self.base_url))
    }

    pub fn post(&self, path: &str) -> Call {
        Call::new(&self.client, reqwest::Method::POST, &format!("{}{path}", self.base_url))
    }
}

impl Drop for Sibling {
    fn drop(&mut self) {
        actix_web::rt::System::new().block_on(self.handle.stop(true));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The databases every black-box test runs against.
pub fn test_databases() -> Vec<TestDatabase> {
    let mut databases = vec![TestDatabase::sqlite()];
    if let Some(url) = postgres_url() {
        databases.push(TestDatabase::postgres(&url));
    }
    databases
}

/// Runs `test` against a fresh server on each backend in turn.
pub fn on_each_backend(test: impl Fn(&TestApp)) {
    for database in test_databases() {
        logs::capture();
        let mark = logs::mark();
        let app = TestApp::spawn(database);
        eprintln!("-- backend: {}", app.backend);
        test(&app);
        privacy::assert_audit_holds_no_personal_values(&app.database());
        privacy::assert_log_holds_no_personal_values(&app.database(), &logs::since(mark));
    }
}

/// Sends the request (checked against the contract) and returns the status and the JSON body
/// (`Null` when there is none).
#[track_caller]
pub fn send(request: impl Into<Call>) -> (u16, Value) {
    let reply = request.into().send().expect("the server answers");
    (reply.status().as_u16(), reply.json())
}

pub fn json_body(reply: Reply) -> Value {
    reply.json()
}

/// Asserts `body` is a problem document of the given type and status, and returns it.
#[track_caller]
pub fn assert_problem(status: u16, body: &Value, expected_status: u16, expected_type: &str) {
    assert_eq!(status, expected_status, "unexpected status; body: {body:#}");
    assert_eq!(body["type"], format!("/problems/{expected_type}"), "unexpected problem: {body:#}");
    assert_eq!(body["status"], expected_status, "{body:#}");
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "problem without title: {body:#}");
}

/// The pointers and codes of a validation problem's `errors`, in order.
pub fn field_errors(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| (e["pointer"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

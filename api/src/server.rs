//! Building and running the HTTP server.

use crate::config::Config;
use crate::http::extract::{BodyLimit, path_error, query_error};
use crate::http::problem::{ApiError, ProblemType};
use crate::http::request_id;
use crate::state::AppState;
use crate::{openapi, routes};
use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use app::clock::Clock;
use app::outbox::dispatcher::Dispatcher;
use app::outbox::providers::Providers;
use app::scheduler;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use utoipa_swagger_ui::SwaggerUi;

/// A server bound to its address, not yet running.
pub struct Application {
    server: Server,
    address: SocketAddr,
    state: web::Data<AppState>,
    providers: Providers,
    /// The metrics listener, apart from the API's.
    metrics: Option<(Server, SocketAddr)>,
}

impl Application {
    /// Opens the database (applying migrations and loading sample data in development) and
    /// binds the listener.
    pub fn build(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let app = app::App::start(config.app.clone(), clock)?;
        Self::with_app(config, app)
    }

    /// Serves the given use cases.
    pub fn with_app(config: Config, app: app::App) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.bind_address)
            .with_context(|| format!("cannot listen on {}", config.bind_address))?;
        let address = listener.local_addr()?;
        let shutdown_timeout = config.shutdown_timeout.as_secs();
        let workers = config.workers;
        let providers = Providers::from_settings(&config.app.messaging)?;
        let state = web::Data::new(AppState { config: Arc::new(config), app });
        let document = openapi::document();
        let rules = web::Data::new(
            crate::http::enforce::RequestRules::from_document(&document)
                .map_err(|e| anyhow::anyhow!("the contract's request schemas do not compile: {e}"))?,
        );
        let app_state = state.clone();
        let contract = web::Data::new(Contract::from_document(&document)?);
        drop(document);
        let mut server = HttpServer::new(move || service(app_state.clone(), contract.clone(), rules.clone()))
            .listen(listener)?
            .shutdown_timeout(shutdown_timeout);
        if let Some(workers) = workers {
            server = server.workers(workers);
        }
        let metrics = match &state.config.metrics {
            Some(metrics) => Some(crate::metrics::server(metrics, state.app.clone())?),
            None => None,
        };
        Ok(Self { server: server.run(), address, state, providers, metrics })
    }

    /// Where metrics are served, when they are.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|(_, address)| *address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM or SIGINT, then finishes in-flight requests (up to the shutdown
    /// timeout) before returning. The message dispatcher and the expiry sweep run alongside.
    pub async fn run(self) -> std::io::Result<()> {
        let dispatcher =
            Dispatcher { worker_id: format!("worker-{}", uuid::Uuid::new_v4()), providers: self.providers };
        let config = &self.state.config;
        let dispatching = actix_web::rt::spawn(dispatcher.run(self.state.app.clone(), config.dispatch_interval));
        let runner = app::scheduler::runner_name("replica");
        let sweeping = actix_web::rt::spawn(scheduler::every(self.state.app.clone(), runner, config.scheduler_tick));
        let metrics = self.metrics.map(|(server, _)| {
            let handle = server.handle();
            (handle, actix_web::rt::spawn(server))
        });
        let served = self.server.await;
        dispatching.abort();
        sweeping.abort();
        if let Some((handle, serving)) = metrics {
            handle.stop(false).await;
            let _ = serving.await;
        }
        served
    }
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static("idempotency-key"),
            request_id::HEADER,
        ])
        .expose_headers([request_id::HEADER, header::RETRY_AFTER, header::LOCATION])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// The published contract as every worker serves it: built once, shared by the workers (each
/// worker used to hold a copy of the document of its own).
pub struct Contract {
    /// `/openapi.json`, serialised once.
    json: web::Bytes,
    methods: web::Data<PathMethods>,
}

impl Contract {
    pub fn from_document(document: &serde_json::Value) -> anyhow::Result<Self> {
        Ok(Self {
            json: web::Bytes::from(serde_json::to_vec(document)?),
            methods: web::Data::new(PathMethods::from_document(document)),
        })
    }
}

async fn openapi_json(contract: web::Data<Contract>) -> HttpResponse {
    HttpResponse::Ok().insert_header(header::ContentType::json()).body(contract.json.clone())
}

/// The HTTP service: middleware, extractor error handlers, every route, the contract and docs.
pub fn service(
    state: web::Data<AppState>,
    contract: web::Data<Contract>,
    rules: web::Data<crate::http::enforce::RequestRules>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let body_limit = BodyLimit(state.config.max_body_bytes);
    let methods = contract.methods.clone();
    let origins = state.config.cors_allowed_origins.clone();
    App::new()
        .app_data(state)
        .app_data(body_limit)
        .app_data(methods)
        .app_data(rules)
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .wrap(cors(&origins))
        .wrap(from_fn(request_id::middleware))
        .configure(routes::serve)
        .app_data(contract)
        .route("/openapi.json", web::get().to(openapi_json))
        .service(SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::new(["/openapi.json"])))
        .service(
            web::resource("/docs").to(|| async {
                HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/docs/")).finish()
            }),
        )
        .default_service(web::to(unmatched))
}

/// The methods each path of the contract takes, for 405 answers.
pub struct PathMethods(Vec<(Vec<Option<String>>, String)>);

impl PathMethods {
    fn from_document(document: &serde_json::Value) -> Self {
        let templates = document["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(template, item)| {
                let segments = template
                    .split('/')
                    .skip(1)
                    .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_owned()))
                    .collect();
                let methods = ["GET", "PUT", "POST", "DELETE", "PATCH"]
                    .into_iter()
                    .filter(|method| item.get(method.to_ascii_lowercase()).is_some())
                    .collect::<Vec<_>>()
                    .join(", ");
                (segments, methods)
            })
            .collect();
        Self(templates)
    }

    /// The methods the path takes, if the contract has the path at all.
    fn allowed(&self, path: &str) -> Option<&str> {
        let segments: Vec<&str> = path.split('/').skip(1).collect();
        self.0
            .iter()
            .filter(|(template, _)| {
                template.len() == segments.len()
                    && template
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| t.as_deref().is_none_or(|t| t == *s) && !s.is_empty())
            })
            .max_by_key(|(template, _)| template.iter().filter(|t| t.is_some()).count())
            .map(|(_, methods)| methods.as_str())
    }
}

/// Unknown paths are 404 problems; known paths with an unsupported method are 405 with `Allow`.
async fn unmatched(req: actix_web::HttpRequest, methods: web::Data<PathMethods>) -> Result<HttpResponse, ApiError> {
    if let Some(allowed) = methods.allowed(req.path()) {
        return Err(ApiError::new(ProblemType::MethodNotAllowed)
            .detail(format!("{} is not supported here; this path takes {allowed}.", req.method()))
            .allow(allowed));
    }
    Err(ApiError::new(ProblemType::NotFound)
        .detail("There is no such endpoint. The API is described at /openapi.json."))
}

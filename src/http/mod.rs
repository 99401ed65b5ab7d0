//! HTTP: routes, the GraphQL handler, GraphiQL, health and metrics, and the tower layers
//! every request passes (request id, tracing, CORS, timeout, body limit; compression on the
//! GraphQL answers and GraphiQL's assets).

pub mod documents;
pub mod export;
pub mod graphiql;
pub mod graphql;
pub mod listen;
pub mod metrics;
pub mod persisted;
pub mod principal;
pub mod rate;
pub mod reports;
pub mod responses;
pub mod serve;
mod spec;
pub mod ws;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use sea_orm::DatabaseConnection;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{And, DefaultPredicate, Predicate, SizeAbove};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::Keys;
use crate::graphql::AppSchema;

/// The request-id header: the server's id of every request, echoed on every response.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Where the `x-request-id` a client sent is kept: audit records store it beside the server's.
pub static CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("x-client-request-id");

/// Shared state of the server: cheap to clone, nothing per-request in it.
#[derive(Clone)]
pub struct AppState {
    /// The pool of requests: on PostgreSQL its statements see rows only in a transaction that
    /// set the request's scope (see `crate::db::RowScope`).
    pub db: DatabaseConnection,
    /// The pool of system work: credential lookups, metrics, event delivery, jobs. The same
    /// pool as `db` on SQLite.
    pub system_db: DatabaseConnection,
    /// The schema with full validation, for documents not seen before.
    pub schema: AppSchema,
    /// The same schema validating only limits (depth, complexity), for documents that already
    /// passed full validation (see `documents`).
    pub validated_schema: AppSchema,
    pub keys: Keys,
    pub metrics: Arc<metrics::Metrics>,
    pub principals: Arc<crate::auth::ScopeCache>,
    pub documents: Arc<documents::DocumentCache>,
    /// Each principal's (and anonymous address's) rate of requests.
    pub rate: Arc<rate::RateLimiter>,
    /// Persisted documents: learnt from clients (Apollo's automatic persisted queries), or only a
    /// trusted manifest's.
    pub persisted: Arc<persisted::Persisted>,
    /// The change bus: committed changes, here and on other instances.
    pub changes: crate::changes::Changes,
    /// Committed task events, fanned out to this instance's subscribers.
    pub live: crate::collaboration::live::LiveTasks,
    /// Live appeal events of this instance.
    pub live_appeals: crate::deliberation::live::LiveAppeals,
    /// Wakes this instance's webhook delivery after commits (see
    /// `crate::collaboration::service::deliveries::spawn`, started by `serve`).
    pub webhooks: crate::collaboration::service::deliveries::Deliveries,
    /// Recent query responses (see `responses`).
    pub responses: Arc<responses::ResponseCache>,
    /// The schema the WebSocket endpoint serves (error codes applied by an extension).
    pub ws_schema: AppSchema,
    pub limits: Limits,
    /// Set when the server shuts down: open subscriptions close with 1001 (going away).
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
    /// Open WebSockets and subscriptions per principal (see `ws`).
    pub sockets: Arc<ws::Sockets>,
    /// Every noun's datasets, for `/export` (see `crate::reporting`).
    pub catalogue: crate::reporting::Catalogue,
    /// Places for exports streaming at once (`Limits::exports`).
    pub exports: Arc<tokio::sync::Semaphore>,
    /// The verifier of the city's OpenID Connect issuer's tokens, when one is configured.
    pub oidc: Option<Arc<crate::auth::oidc::Verifier>>,
    /// Whether queries over HTTP resolve their objects inline (see `crate::graphql::inline`);
    /// off only to compare with the executor's own resolution (the differential test).
    pub inline_fields: bool,
}

/// Limits on requests.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest request body accepted, in bytes.
    pub body_bytes: usize,
    /// Longest time a request may run.
    pub timeout: Duration,
    /// Origins allowed by CORS; none means same-origin only.
    pub cors_origins: Vec<String>,
    /// Request headers those origins may send (`GONGZHI_CORS_ALLOWED_HEADERS`).
    pub cors_headers: Vec<String>,
    /// How long a query response may be served again (zero: never).
    pub response_cache: Duration,
    /// Database work one request may do.
    pub work: crate::db::WorkLimits,
    /// What one GraphQL document may ask for, and the size of its answer.
    pub document: crate::graphql::limits::DocumentLimits,
    /// Who may introspect the schema.
    pub introspection: crate::config::Introspection,
    /// Whether `/` serves GraphiQL.
    pub graphiql: bool,
    /// Where `/metrics` is served, and the token it asks for.
    pub metrics: MetricsAccess,
    /// Clock skew tolerated on a token's expiry.
    pub jwt_leeway: Duration,
    /// Limits on connections and WebSockets.
    pub sockets: SocketLimits,
    /// Requests per second (and burst) of each principal, and of each address of anonymous
    /// callers (`GONGZHI_RATE_LIMIT`, `GONGZHI_RATE_BURST`).
    pub rate: rate::Rate,
    /// Exports one instance streams at once; each holds a database connection while it runs.
    pub exports: usize,
}

/// How `/metrics` is reached.
#[derive(Clone, Debug, Default)]
pub struct MetricsAccess {
    /// `Authorization: Bearer <token>` that `/metrics` asks for; open when `None`.
    pub token: Option<String>,
    /// Served on a separate address (see `serve`) instead of the API's.
    pub separate: bool,
}

/// Limits on connections: slow clients, silent WebSockets, subscriptions.
#[derive(Clone, Copy, Debug)]
pub struct SocketLimits {
    /// Time to send a request's headers (and the next request on an idle connection).
    pub header_read: Duration,
    /// Time between a WebSocket's opening and its `connection_init`; then it closes with 4408.
    pub ws_init: Duration,
    /// Subscriptions one WebSocket may hold.
    pub subscriptions_per_socket: usize,
    /// Subscriptions one principal may hold over all its WebSockets.
    pub subscriptions_per_principal: usize,
    /// WebSockets one principal may hold open.
    pub sockets_per_principal: usize,
}

impl Default for SocketLimits {
    fn default() -> Self {
        SocketLimits {
            header_read: Duration::from_secs(10),
            ws_init: Duration::from_secs(5),
            subscriptions_per_socket: 50,
            subscriptions_per_principal: 200,
            sockets_per_principal: 20,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 1024 * 1024,
            timeout: Duration::from_secs(30),
            cors_origins: Vec::new(),
            cors_headers: crate::config::DEFAULT_CORS_HEADERS.iter().map(|h| (*h).to_owned()).collect(),
            response_cache: Duration::from_secs(1),
            work: crate::db::WorkLimits::default(),
            document: crate::graphql::limits::DocumentLimits::default(),
            introspection: crate::config::Introspection::On,
            graphiql: true,
            metrics: MetricsAccess::default(),
            jwt_leeway: Duration::from_secs(5),
            sockets: SocketLimits::default(),
            rate: rate::Rate::default(),
            exports: 2,
        }
    }
}

impl AppState {
    /// State over a database, signing tokens with `jwt_secret`.
    pub fn new(db: DatabaseConnection, jwt_secret: &str, limits: Limits) -> Self {
        let metrics = Arc::new(metrics::Metrics::new(db.clone(), db.clone()));
        // With introspection off, the schemas refuse it too, whatever a document's path.
        let off = limits.introspection == crate::config::Introspection::Off;
        let live = crate::collaboration::live::LiveTasks::default();
        let live_appeals = crate::deliberation::live::LiveAppeals::default();
        let webhooks = crate::collaboration::service::deliveries::Deliveries::default();
        let exports = limits.exports.max(1);
        let build = |b: async_graphql::SchemaBuilder<_, _, _>| {
            let b = b.data(live.clone()).data(live_appeals.clone());
            if off { b.disable_introspection().finish() } else { b.finish() }
        };
        AppState {
            schema: build(crate::graphql::schema()),
            validated_schema: build(crate::graphql::schema().validation_mode(async_graphql::ValidationMode::Fast)),
            system_db: db.clone(),
            db,
            keys: Keys::new(jwt_secret).with_leeway(limits.jwt_leeway),
            metrics,
            principals: Arc::new(crate::auth::ScopeCache::default()),
            documents: Arc::new(documents::DocumentCache::default()),
            persisted: Arc::new(persisted::Persisted::learning()),
            rate: Arc::new(rate::RateLimiter::new(limits.rate)),
            // The webhook outbox follows last: it sees the task events of the follow-ups before it.
            changes: crate::changes::Changes::with_sinks(vec![
                Arc::new(live.clone()),
                Arc::new(live_appeals.clone()),
                Arc::new(webhooks.clone()),
            ])
            .following(vec![
                Arc::new(crate::deliberation::service::ActionsFollowTasks),
                Arc::new(crate::collaboration::service::webhooks::WebhookOutbox),
            ]),
            webhooks,
            live: live.clone(),
            live_appeals: live_appeals.clone(),
            ws_schema: build(crate::graphql::schema_with_error_codes()),
            responses: Arc::new(responses::ResponseCache::new(limits.response_cache)),
            limits,
            stopping: Arc::new(tokio::sync::watch::channel(false).0),
            sockets: Arc::default(),
            catalogue: crate::catalogue::catalogue(),
            exports: Arc::new(tokio::sync::Semaphore::new(exports)),
            oidc: None,
            inline_fields: true,
        }
    }

    /// The state with `system` as the pool of system work (see [`AppState::system_db`]): on
    /// PostgreSQL a pool opened with `crate::db::connect_system`.
    pub fn with_system_pool(mut self, system: DatabaseConnection) -> Self {
        self.metrics = Arc::new(metrics::Metrics::new(self.db.clone(), system.clone()));
        self.changes.deliver_with(system.clone());
        self.system_db = system;
        self
    }

    /// The same state, also accepting the tokens of an OpenID Connect issuer.
    pub fn with_oidc(mut self, verifier: Arc<crate::auth::oidc::Verifier>) -> Self {
        self.oidc = Some(verifier);
        self
    }

    /// State running the persisted documents `persisted` (a trusted manifest, say).
    pub fn with_persisted(mut self, persisted: persisted::Persisted) -> Self {
        self.persisted = Arc::new(persisted);
        self
    }
}

/// The address a request came from, set by the accept loop (`listen`): the rate limit of
/// anonymous callers is kept per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub std::net::IpAddr);

/// The router of the metrics address, when `/metrics` is served apart from the API.
pub fn metrics_app(state: AppState) -> Router {
    Router::new().route("/metrics", get(metrics::render)).with_state(state)
}

/// Answers shorter than this many bytes go out uncompressed: below about a kilobyte the
/// compressed form saves less than the work and the headers cost.
pub const COMPRESS_ABOVE: u16 = 1024;

/// gzip or brotli, as the client's `Accept-Encoding` prefers, for answers of at least
/// [`COMPRESS_ABOVE`] bytes (never for images or event streams, tower-http's default rule).
/// The response cache (`responses`) keeps answers uncompressed and this compresses them on the
/// way out, so one cached answer serves clients with and without compression alike.
fn compression() -> CompressionLayer<And<DefaultPredicate, SizeAbove>> {
    CompressionLayer::new().gzip(true).br(true).compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_ABOVE)))
}

/// The router of the whole server.
pub fn app(state: AppState) -> Router {
    let limits = state.limits.clone();
    let metrics = state.metrics.clone();
    let graphql =
        get(graphql::get_graphql).post(graphql::post_graphql).layer(compression()).layer(axum::middleware::map_response(no_store));
    let mut router = Router::new()
        .route("/graphql", graphql)
        .route("/graphql/ws", get(ws::subscribe))
        .route("/export", get(export::index))
        .route("/export/{file}", get(export::export).layer(compression()))
        .route("/reports/monthly", get(reports::monthly).layer(compression()))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if limits.graphiql {
        router = router.route("/", get(graphiql::page)).route("/assets/graphiql/{file}", get(graphiql::asset).layer(compression()));
    }
    if !limits.metrics.separate {
        router = router.route("/metrics", get(metrics::render));
    }
    // The body limit and the time limit are tower-http's layers; they refuse with a bare status,
    // which `explain_refusal` turns into the GraphQL error body of every other refusal.
    // Dropping a handler's future at the time limit rolls back its open transaction.
    let mut router = router
        .fallback(not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(limits.body_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::GATEWAY_TIMEOUT, limits.timeout))
        .layer(axum::middleware::from_fn_with_state(Refusals { body_bytes: limits.body_bytes, timeout: limits.timeout }, explain_refusal));
    if let Some(cors) = cors(&limits.cors_origins, &limits.cors_headers) {
        router = router.layer(cors);
    }
    // The access log line and the response counts come from inside the request's span, which
    // continues the caller's trace (`traceparent`); the line replaces tower-http's own events.
    router
        .layer(axum::middleware::from_fn_with_state(metrics, access_log))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    let route = metrics::route_of(req.uri().path());
                    let span = tracing::info_span!(
                        "request",
                        otel.name = %format_args!("{} {route}", req.method()),
                        otel.kind = "server",
                        method = %req.method(),
                        path = %req.uri().path(),
                        request_id = %id,
                        http.response.status_code = tracing::field::Empty,
                    );
                    crate::logging::follow_caller_trace(&span, req.headers());
                    span
                })
                .on_response(())
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .layer(axum::middleware::map_request(set_aside_client_request_id))
}

/// What a handler tells the access log about its request, in the response's extensions.
#[derive(Clone, Debug, Default)]
pub struct AccessNote {
    /// The kind of principal the credential named.
    pub principal: Option<crate::auth::PrincipalKind>,
    /// The GraphQL operation's name (or the dataset's).
    pub operation: Option<String>,
    /// SQL statements the request ran on its own budget (see `crate::db::WorkLimits`).
    pub statements: u32,
}

/// Routes whose requests are logged at `debug`: probes, scrapes and static files.
fn quiet(route: &str) -> bool {
    matches!(route, "/healthz" | "/readyz" | "/metrics" | "/" | "/assets/graphiql/{file}")
}

/// One line per request at `info` (`debug` for probes, scrapes and GraphiQL's files) under the
/// target `gongzhi::access`: request id, method, route, status, duration until the response's
/// head, principal kind, operation and statement count; and the response counted by route and
/// status class.
async fn access_log(
    State(metrics): State<Arc<metrics::Metrics>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let route = metrics::route_of(req.uri().path());
    let path = req.uri().path().to_owned();
    let request_id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    metrics.http_response(route, status);
    tracing::Span::current().record("http.response.status_code", status);
    let note = resp.extensions().get::<AccessNote>().cloned().unwrap_or_default();
    let principal = note.principal.map(|p| format!("{p:?}"));
    macro_rules! line {
        ($level:expr) => {
            tracing::event!(
                target: "gongzhi::access",
                $level,
                request_id = %request_id,
                method = %method,
                route,
                path = %path,
                status,
                duration_ms,
                principal = principal.as_deref().unwrap_or("-"),
                operation = note.operation.as_deref().unwrap_or("-"),
                statements = note.statements,
                "request"
            )
        };
    }
    if quiet(route) {
        line!(tracing::Level::DEBUG);
    } else {
        line!(tracing::Level::INFO);
    }
    resp
}

/// GraphQL answers are one principal's data at one moment: no cache, shared or private, may
/// keep them (the server's own short-lived cache is `responses`).
async fn no_store(mut resp: axum::response::Response) -> axum::response::Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    resp
}

/// What the body-limit and time-limit layers' refusals are explained with.
#[derive(Clone, Copy)]
struct Refusals {
    body_bytes: usize,
    timeout: Duration,
}

/// Gives the bare refusals of the tower-http layers (413 from the body limit, 504 from the time
/// limit) the GraphQL error body clients read for every other refusal: `PAYLOAD_TOO_LARGE` and
/// `TIMEOUT`, in the media type the client accepts. A refusal that already carries JSON (the
/// handler's own, for a body that only turned out too large while it was read) passes as it is.
async fn explain_refusal(
    State(limits): State<Refusals>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let media = graphql::MediaType::from_accept(req.headers());
    let resp = next.run(req).await;
    let (code, message) = match resp.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ("PAYLOAD_TOO_LARGE", format!("the request body is larger than {} bytes", limits.body_bytes)),
        StatusCode::GATEWAY_TIMEOUT => {
            ("TIMEOUT", format!("the request ran longer than {:.1} s and was stopped", limits.timeout.as_secs_f64()))
        }
        _ => return resp,
    };
    let explained = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.contains("json"));
    if explained {
        return resp;
    }
    let mut refusal = graphql::refuse(resp.status(), media, code, &message);
    refusal.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    refusal
}

/// Moves a client's `x-request-id` to `x-client-request-id`, so that the server gives every
/// request an id of its own: a client cannot choose the id its changes are audited under.
async fn set_aside_client_request_id(mut req: axum::extract::Request) -> axum::extract::Request {
    if let Some(id) = req.headers_mut().remove(&REQUEST_ID) {
        req.headers_mut().insert(CLIENT_REQUEST_ID.clone(), id);
    }
    req
}

/// CORS for the front ends' origins: the methods of GraphQL over HTTP, the request headers of
/// the configured list (tracing and client identification included by default), and the
/// request id exposed to scripts.
fn cors(origins: &[String], headers: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> =
        origins.iter().filter(|o| !o.trim().is_empty()).filter_map(|o| HeaderValue::from_str(o.trim()).ok()).collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers(headers.iter().filter_map(|h| HeaderName::from_bytes(h.as_bytes()).ok()).collect::<Vec<_>>())
            .expose_headers([REQUEST_ID.clone()])
            .max_age(Duration::from_secs(600)),
    )
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(err) => {
            tracing::warn!(error = %err, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, "not found; the API is at /graphql")
}

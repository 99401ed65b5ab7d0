//! Prometheus metrics at `/metrics`: GraphQL requests by operation and outcome and their
//! latency, HTTP responses by route and status class, WebSocket connections, the database pools
//! (size, idle, in use), the response and principal caches' hits and misses, and the street's
//! open, overdue and escalated tasks per community, counted at scrape time on the system pool
//! in one grouped statement.
//!
//! A scraper that asks for OpenMetrics (Prometheus does) gets OpenMetrics; any other gets the
//! classic text format (0.0.4), which `promtool check metrics` reads.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use sea_orm::{DatabaseConnection, DbBackend};

use super::AppState;

/// Distinct operation names kept as labels; later ones are counted as `other`, so that
/// clients cannot grow the label set without bound.
const MAX_OPERATIONS: usize = 200;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OpLabels {
    operation: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OpOnly {
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    route: &'static str,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    cache: &'static str,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommunityLabels {
    street: String,
    community: String,
}

/// A cache whose lookups are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cache {
    /// Whole query responses (`responses`).
    Response,
    /// Resolved scopes by credential (`crate::auth::ScopeCache`).
    Principal,
}

/// The routes responses are counted under: the router's own, so the label set is fixed.
const ROUTES: &[&str] = &[
    "/graphql",
    "/graphql/ws",
    "/export",
    "/export/{file}",
    "/reports/monthly",
    "/healthz",
    "/readyz",
    "/metrics",
    "/",
    "/assets/graphiql/{file}",
];

/// The route a path is served by, as a label (`other` for paths no route serves).
pub fn route_of(path: &str) -> &'static str {
    if let Some(route) = ROUTES.iter().find(|r| **r == path) {
        return route;
    }
    match path.rsplit_once('/') {
        Some(("/export", file)) if !file.is_empty() => "/export/{file}",
        Some(("/assets/graphiql", file)) if !file.is_empty() => "/assets/graphiql/{file}",
        _ => "other",
    }
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Outcome of a GraphQL request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Data without errors.
    Ok,
    /// Executed, with errors in the response.
    Error,
    /// Refused before execution (bad request, bad credential, parse or validation error).
    Rejected,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Rejected => "rejected",
        }
    }
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<OpLabels, Counter>,
    latency: Family<OpOnly, Histogram>,
    http: Family<HttpLabels, Counter>,
    pool_size: Family<PoolLabels, Gauge<i64, AtomicI64>>,
    pool_idle: Family<PoolLabels, Gauge<i64, AtomicI64>>,
    pool_in_use: Family<PoolLabels, Gauge<i64, AtomicI64>>,
    pool_max: Family<PoolLabels, Gauge<i64, AtomicI64>>,
    subscribers: Gauge<i64, AtomicI64>,
    sockets_open: Gauge<i64, AtomicI64>,
    sockets: Counter,
    caches: Family<CacheLabels, Counter>,
    tasks_open: Family<CommunityLabels, Gauge<i64, AtomicI64>>,
    tasks_overdue: Family<CommunityLabels, Gauge<i64, AtomicI64>>,
    tasks_escalated: Family<CommunityLabels, Gauge<i64, AtomicI64>>,
    operations: Mutex<HashSet<String>>,
    /// The requests' pool and the system pool (the same pool on SQLite).
    db: DatabaseConnection,
    system: DatabaseConnection,
}

impl Metrics {
    /// Metrics over the requests' pool `db` and the system pool `system`, which the domain's
    /// figures are counted on.
    pub fn new(db: DatabaseConnection, system: DatabaseConnection) -> Self {
        let mut registry = Registry::with_prefix("gongzhi");
        let requests = Family::<OpLabels, Counter>::default();
        let latency = Family::<OpOnly, Histogram>::new_with_constructor(|| {
            Histogram::new([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0])
        });
        let m = Metrics {
            registry: Registry::default(),
            requests,
            latency,
            http: Family::default(),
            pool_size: Family::default(),
            pool_idle: Family::default(),
            pool_in_use: Family::default(),
            pool_max: Family::default(),
            subscribers: Gauge::default(),
            sockets_open: Gauge::default(),
            sockets: Counter::default(),
            caches: Family::default(),
            tasks_open: Family::default(),
            tasks_overdue: Family::default(),
            tasks_escalated: Family::default(),
            operations: Mutex::new(HashSet::new()),
            db,
            system,
        };
        registry.register("graphql_requests", "GraphQL requests by operation and outcome", m.requests.clone());
        registry.register("graphql_request_duration_seconds", "GraphQL request latency by operation", m.latency.clone());
        registry.register("http_responses", "HTTP responses by route and status class", m.http.clone());
        registry.register("db_pool_connections", "Open database connections by pool", m.pool_size.clone());
        registry.register("db_pool_idle_connections", "Idle database connections by pool", m.pool_idle.clone());
        registry.register("db_pool_in_use_connections", "Database connections in use by pool", m.pool_in_use.clone());
        registry.register("db_pool_max_connections", "Most database connections a pool opens", m.pool_max.clone());
        registry.register("live_subscribers", "Live task-event subscriptions on this instance", m.subscribers.clone());
        registry.register("websocket_connections_open", "Open GraphQL WebSocket connections on this instance", m.sockets_open.clone());
        registry.register("websocket_connections", "GraphQL WebSocket connections accepted by this instance", m.sockets.clone());
        registry.register("cache_lookups", "Lookups in the response and principal caches by result", m.caches.clone());
        registry.register("tasks_open", "Open tasks per community", m.tasks_open.clone());
        registry.register("tasks_overdue", "Open tasks past their due time per community", m.tasks_overdue.clone());
        registry.register("tasks_escalated", "Open tasks escalated to the street or the city per community", m.tasks_escalated.clone());
        Metrics { registry, ..m }
    }

    /// Records one HTTP response.
    pub fn http_response(&self, route: &'static str, status: u16) {
        self.http.get_or_create(&HttpLabels { route, status: status_class(status) }).inc();
    }

    /// Records one cache lookup.
    pub fn cache_lookup(&self, cache: Cache, hit: bool) {
        let cache = match cache {
            Cache::Response => "response",
            Cache::Principal => "principal",
        };
        self.caches.get_or_create(&CacheLabels { cache, result: if hit { "hit" } else { "miss" } }).inc();
    }

    /// Counts an accepted WebSocket as open until the returned guard is dropped.
    pub fn socket_opened(self: &std::sync::Arc<Self>) -> SocketOpen {
        self.sockets.inc();
        self.sockets_open.inc();
        SocketOpen(self.clone())
    }

    /// Records one GraphQL request. An operation name becomes a label only once a request
    /// under it has succeeded, so that refused or failing documents cannot fill the label slots
    /// with names of their choosing.
    pub fn observe(&self, operation: Option<&str>, outcome: Outcome, elapsed: Duration) {
        let operation = self.operation_label(operation, outcome == Outcome::Ok);
        self.requests.get_or_create(&OpLabels { operation: operation.clone(), outcome: outcome.label().to_owned() }).inc();
        self.latency.get_or_create(&OpOnly { operation }).observe(elapsed.as_secs_f64());
    }

    fn operation_label(&self, operation: Option<&str>, succeeded: bool) -> String {
        let Some(name) = operation.filter(|n| !n.is_empty() && n.len() <= 64 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        else {
            return "anonymous".to_owned();
        };
        let Ok(mut known) = self.operations.lock() else { return "other".to_owned() };
        if known.contains(name) {
            name.to_owned()
        } else if succeeded && known.len() < MAX_OPERATIONS {
            known.insert(name.to_owned());
            name.to_owned()
        } else {
            "other".to_owned()
        }
    }

    fn sample_pools(&self) {
        let pools: &[(&'static str, &DatabaseConnection)] = match self.db.get_database_backend() {
            // One pool serves both on SQLite.
            DbBackend::Sqlite => &[("request", &self.db)],
            _ => &[("request", &self.db), ("system", &self.system)],
        };
        for (pool, db) in pools {
            let (size, idle, max) = match db.get_database_backend() {
                DbBackend::Postgres => {
                    let p = db.get_postgres_connection_pool();
                    (p.size(), p.num_idle(), p.options().get_max_connections())
                }
                DbBackend::Sqlite => {
                    let p = db.get_sqlite_connection_pool();
                    (p.size(), p.num_idle(), p.options().get_max_connections())
                }
                _ => (0, 0, 0),
            };
            let idle = i64::try_from(idle).unwrap_or(i64::MAX);
            let labels = PoolLabels { pool };
            self.pool_size.get_or_create(&labels).set(i64::from(size));
            self.pool_idle.get_or_create(&labels).set(idle);
            self.pool_in_use.get_or_create(&labels).set((i64::from(size) - idle).max(0));
            self.pool_max.get_or_create(&labels).set(i64::from(max));
        }
    }

    /// Counts the tasks per community now; on failure the figures are left out of this scrape.
    async fn sample_tasks(&self) {
        self.tasks_open.clear();
        self.tasks_overdue.clear();
        self.tasks_escalated.clear();
        let counts = match crate::collaboration::service::task_figures_by_community(&self.system).await {
            Ok(counts) => counts,
            Err(e) => {
                tracing::warn!(error = %e, "could not count the tasks for /metrics");
                return;
            }
        };
        for c in counts {
            let labels = CommunityLabels { street: c.street, community: c.community };
            self.tasks_open.get_or_create(&labels).set(c.open);
            self.tasks_overdue.get_or_create(&labels).set(c.overdue);
            self.tasks_escalated.get_or_create(&labels).set(c.escalated);
        }
    }

    /// The metrics sampled now, in OpenMetrics or in the classic Prometheus text format.
    pub async fn encode(&self, subscribers: usize, format: Format) -> String {
        self.sample_pools();
        self.sample_tasks().await;
        self.subscribers.set(i64::try_from(subscribers).unwrap_or(i64::MAX));
        let mut out = String::new();
        let encoded = match format {
            Format::OpenMetrics => prometheus_client::encoding::text::encode(&mut out, &self.registry),
            Format::Classic => prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry),
        };
        if encoded.is_err() {
            tracing::warn!("could not encode metrics");
        }
        out
    }
}

/// An exposition format of `/metrics`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// OpenMetrics 1.0, for scrapers that ask for it (Prometheus does).
    OpenMetrics,
    /// The classic Prometheus text format (0.0.4), which `promtool check metrics` reads.
    Classic,
}

/// Counts an open WebSocket while it lives.
pub struct SocketOpen(std::sync::Arc<Metrics>);

impl Drop for SocketOpen {
    fn drop(&mut self) {
        self.0.sockets_open.dec();
    }
}

/// `GET /metrics`; with a metrics token set, only for `Authorization: Bearer <token>`.
pub async fn render(State(state): State<AppState>, headers: axum::http::HeaderMap) -> axum::response::Response {
    if let Some(token) = &state.limits.metrics.token {
        let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes())) {
            return (axum::http::StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], "metrics need a token").into_response();
        }
    }
    let wants_open_metrics =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/openmetrics-text"));
    let (format, content_type) = if wants_open_metrics {
        (Format::OpenMetrics, "application/openmetrics-text; version=1.0.0; charset=utf-8")
    } else {
        (Format::Classic, "text/plain; version=0.0.4; charset=utf-8")
    };
    let body = state.metrics.encode(state.live.subscribers(), format).await;
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Compares two secrets in time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

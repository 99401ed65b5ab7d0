//! Prometheus metrics: GraphQL requests by operation and outcome, their latency, and the
//! database pool, rendered in the text exposition format at `/metrics`.

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
    pool_size: Gauge<i64, AtomicI64>,
    pool_idle: Gauge<i64, AtomicI64>,
    subscribers: Gauge<i64, AtomicI64>,
    operations: Mutex<HashSet<String>>,
    db: DatabaseConnection,
}

impl Metrics {
    pub fn new(db: DatabaseConnection) -> Self {
        let mut registry = Registry::with_prefix("gongzhi");
        let requests = Family::<OpLabels, Counter>::default();
        let latency = Family::<OpOnly, Histogram>::new_with_constructor(|| {
            Histogram::new([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0])
        });
        let pool_size = Gauge::<i64, AtomicI64>::default();
        let pool_idle = Gauge::<i64, AtomicI64>::default();
        let subscribers = Gauge::<i64, AtomicI64>::default();
        registry.register("graphql_requests", "GraphQL requests by operation and outcome", requests.clone());
        registry.register("graphql_request_duration_seconds", "GraphQL request latency by operation", latency.clone());
        registry.register("db_pool_connections", "Open database connections", pool_size.clone());
        registry.register("db_pool_idle_connections", "Idle database connections", pool_idle.clone());
        registry.register("live_subscribers", "Live task-event subscriptions on this instance", subscribers.clone());
        Metrics { registry, requests, latency, pool_size, pool_idle, subscribers, operations: Mutex::new(HashSet::new()), db }
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

    fn sample_pool(&self) {
        let (size, idle) = match self.db.get_database_backend() {
            DbBackend::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DbBackend::Sqlite => {
                let pool = self.db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => (0, 0),
        };
        self.pool_size.set(i64::from(size));
        self.pool_idle.set(idle as i64);
    }

    /// The metrics in the Prometheus text format.
    pub fn encode(&self, subscribers: usize) -> String {
        self.sample_pool();
        self.subscribers.set(i64::try_from(subscribers).unwrap_or(i64::MAX));
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            tracing::warn!("could not encode metrics");
        }
        out
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
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], state.metrics.encode(state.live.subscribers()))
        .into_response()
}

/// Compares two secrets in time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

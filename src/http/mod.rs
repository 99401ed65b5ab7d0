//! HTTP: routes, the GraphQL handler, GraphiQL, health and metrics, and the tower layers
//! every request passes (request id, tracing, CORS, timeout, body limit).

pub mod documents;
pub mod graphiql;
pub mod graphql;
pub mod metrics;
pub mod principal;
pub mod responses;
pub mod serve;
pub mod ws;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use sea_orm::DatabaseConnection;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::auth::Keys;
use crate::graphql::AppSchema;

/// The request-id header, set when the client sends none and echoed on every response.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Shared state of the server: cheap to clone, nothing per-request in it.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// The schema with full validation, for documents not seen before.
    pub schema: AppSchema,
    /// The same schema validating only limits (depth, complexity), for documents that already
    /// passed full validation (see `documents`).
    pub validated_schema: AppSchema,
    pub keys: Keys,
    pub metrics: Arc<metrics::Metrics>,
    pub principals: Arc<crate::auth::ScopeCache>,
    pub documents: Arc<documents::DocumentCache>,
    /// Committed task events, fanned out to this instance's subscribers.
    pub events: crate::collaboration::events::EventBus,
    /// Recent query responses (see `responses`).
    pub responses: Arc<responses::ResponseCache>,
    /// The schema the WebSocket endpoint serves (error codes applied by an extension).
    pub ws_schema: AppSchema,
    pub limits: Limits,
    /// Set when the server shuts down: open subscriptions close with 1001 (going away).
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
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
    /// How long a query response may be served again (zero: never).
    pub response_cache: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 1024 * 1024,
            timeout: Duration::from_secs(30),
            cors_origins: Vec::new(),
            response_cache: Duration::from_secs(1),
        }
    }
}

impl AppState {
    /// State over a database, signing tokens with `jwt_secret`.
    pub fn new(db: DatabaseConnection, jwt_secret: &str, limits: Limits) -> Self {
        let metrics = Arc::new(metrics::Metrics::new(db.clone()));
        AppState {
            schema: crate::graphql::schema().finish(),
            validated_schema: crate::graphql::schema().validation_mode(async_graphql::ValidationMode::Fast).finish(),
            db,
            keys: Keys::new(jwt_secret),
            metrics,
            principals: Arc::new(crate::auth::ScopeCache::default()),
            documents: Arc::new(documents::DocumentCache::default()),
            events: crate::collaboration::events::EventBus::default(),
            ws_schema: crate::graphql::schema_with_error_codes().finish(),
            responses: Arc::new(responses::ResponseCache::new(limits.response_cache)),
            limits,
            stopping: Arc::new(tokio::sync::watch::channel(false).0),
        }
    }
}

/// The router of the whole server.
pub fn app(state: AppState) -> Router {
    let limits = state.limits.clone();
    let mut router = Router::new()
        .route("/graphql", get(graphql::get_graphql).post(graphql::post_graphql))
        .route("/graphql/ws", get(ws::subscribe))
        .route("/", get(graphiql::page))
        .route("/assets/graphiql/{file}", get(graphiql::asset))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::render))
        .fallback(not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(axum::middleware::from_fn_with_state(limits.timeout, time_limit));
    if let Some(cors) = cors(&limits.cors_origins) {
        router = router.layer(cors);
    }
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
}

fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> =
        origins.iter().filter(|o| !o.trim().is_empty()).filter_map(|o| HeaderValue::from_str(o.trim()).ok()).collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT, REQUEST_ID.clone()])
            .expose_headers([REQUEST_ID.clone()])
            .max_age(Duration::from_secs(600)),
    )
}

/// Stops a request that runs longer than the limit: 504 with a GraphQL error body, so that
/// clients read it like any other refusal. Dropping the handler's future rolls back its open
/// transaction.
async fn time_limit(State(limit): State<Duration>, req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            let body = serde_json::json!({ "errors": [{
                "message": format!("the request ran longer than {:.1} s and was stopped", limit.as_secs_f64()),
                "extensions": { "code": "TIMEOUT" },
            }] });
            (StatusCode::GATEWAY_TIMEOUT, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
        }
    }
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

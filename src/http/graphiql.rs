//! GraphiQL, served from assets vendored into the repository (src/http/graphiql, refreshed by
//! its update.sh) and embedded in the binary: street offices' intranets have no internet.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

const INDEX: &str = include_str!("graphiql/index.html");

const ASSETS: &[(&str, &str, &[u8])] = &[
    ("graphiql.min.js", "text/javascript; charset=utf-8", include_bytes!("graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css; charset=utf-8", include_bytes!("graphiql/graphiql.min.css")),
    ("react.production.min.js", "text/javascript; charset=utf-8", include_bytes!("graphiql/react.production.min.js")),
    ("react-dom.production.min.js", "text/javascript; charset=utf-8", include_bytes!("graphiql/react-dom.production.min.js")),
    ("start.js", "text/javascript; charset=utf-8", include_bytes!("graphiql/start.js")),
];

/// The page runs only the server's own scripts (no inline script, no other origin), talks only
/// to this server (HTTP and WebSocket), and may not be framed. GraphiQL sets styles at run
/// time, hence `'unsafe-inline'` for styles alone.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                   font-src 'self' data:; connect-src 'self' ws: wss:; worker-src 'self' blob:; base-uri 'none'; \
                   form-action 'none'; frame-ancestors 'none'";

/// The GraphiQL page, with its security headers.
pub async fn page() -> Response {
    (
        [
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        Html(INDEX),
    )
        .into_response()
}

/// One vendored asset.
pub async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, mime, body)) => (
            [(header::CONTENT_TYPE, *mime), (header::CACHE_CONTROL, "public, max-age=86400"), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}

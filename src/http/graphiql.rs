//! GraphiQL, served from assets vendored into the repository (src/http/graphiql, refreshed by
//! its update.sh) and embedded in the binary: street offices' intranets have no internet.
//!
//! The page links each asset with its version (`?v=` and the first hex digits of the asset's
//! SHA-256), so a browser keeps a versioned asset for a year without asking again, and a new
//! build's page asks for new URLs. Every asset also carries an ETag: a request without the
//! current version is answered `no-cache`, and revalidating with `If-None-Match` gets a 304.

use std::sync::LazyLock;

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use sha2::{Digest, Sha256};

const INDEX: &str = include_str!("graphiql/index.html");

const ASSETS: &[(&str, &str, &[u8])] = &[
    ("graphiql.min.js", "text/javascript; charset=utf-8", include_bytes!("graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css; charset=utf-8", include_bytes!("graphiql/graphiql.min.css")),
    ("react.production.min.js", "text/javascript; charset=utf-8", include_bytes!("graphiql/react.production.min.js")),
    ("react-dom.production.min.js", "text/javascript; charset=utf-8", include_bytes!("graphiql/react-dom.production.min.js")),
    ("start.js", "text/javascript; charset=utf-8", include_bytes!("graphiql/start.js")),
];

/// How long a browser keeps an asset asked for with its current version: a year, unchanged.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// An asset asked for without its current version: kept, but revalidated before each use.
const REVALIDATE: &str = "public, no-cache";

/// An asset with its version.
struct Asset {
    name: &'static str,
    mime: &'static str,
    body: &'static [u8],
    /// The first 16 hex digits of the body's SHA-256.
    version: String,
    /// `W/"<version>"`: weak, because the compression layer may re-encode the bytes.
    etag: HeaderValue,
}

static VERSIONED: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|(name, mime, body)| {
            let digest = Sha256::digest(body);
            let version: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
            let etag = HeaderValue::from_str(&format!("W/\"{version}\"")).unwrap_or(HeaderValue::from_static("W/\"0\""));
            Asset { name, mime, body, version, etag }
        })
        .collect()
});

/// The page, linking each asset with its version.
static PAGE: LazyLock<String> = LazyLock::new(|| {
    VERSIONED.iter().fold(INDEX.to_owned(), |page, a| {
        page.replace(&format!("/assets/graphiql/{}\"", a.name), &format!("/assets/graphiql/{}?v={}\"", a.name, a.version))
    })
});

/// The page runs only the server's own scripts (no inline script, no other origin), talks only
/// to this server (HTTP and WebSocket), and may not be framed. GraphiQL sets styles at run
/// time, hence `'unsafe-inline'` for styles alone.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                   font-src 'self' data:; connect-src 'self' ws: wss:; worker-src 'self' blob:; base-uri 'none'; \
                   form-action 'none'; frame-ancestors 'none'";

/// The GraphiQL page, with its security headers; revalidated on each visit, so that a new
/// build's asset versions are picked up at once.
pub async fn page() -> Response {
    (
        [
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Html(PAGE.as_str()),
    )
        .into_response()
}

/// One vendored asset: 304 when the client's `If-None-Match` names its ETag.
pub async fn asset(Path(file): Path<String>, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    let Some(asset) = VERSIONED.iter().find(|a| a.name == file) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let current = query.as_deref().is_some_and(|q| q.split('&').any(|pair| pair == format!("v={}", asset.version)));
    let cache = HeaderValue::from_static(if current { IMMUTABLE } else { REVALIDATE });
    let mut resp = if matches(&headers, &asset.version) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.mime), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")], asset.body).into_response()
    };
    resp.headers_mut().insert(header::ETAG, asset.etag.clone());
    resp.headers_mut().insert(header::CACHE_CONTROL, cache);
    resp
}

/// Whether `If-None-Match` names the version (weak comparison: `W/` is ignored) or is `*`.
fn matches(headers: &HeaderMap, version: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|tag| {
        let tag = tag.trim();
        tag == "*" || tag.trim_start_matches("W/").trim_matches('"') == version
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_links_versioned_assets_and_etags_match_weakly() {
        for a in VERSIONED.iter() {
            assert!(PAGE.contains(&format!("/assets/graphiql/{}?v={}\"", a.name, a.version)), "{} is not versioned in the page", a.name);
        }
        let mut h = HeaderMap::new();
        assert!(!matches(&h, "abc"));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"x\", W/\"abc\""));
        assert!(matches(&h, "abc"));
        assert!(!matches(&h, "abd"));
    }
}

//! `/export`: every dataset of the catalogue (see `crate::reporting`) as CSV or NDJSON.
//!
//! `GET /export` lists the datasets with their columns, filters and groupings (no credential
//! needed: it holds no data). `GET /export/{dataset}.csv` and `.ndjson` answer the caller's rows
//! with the filters of the GraphQL arguments (`from`, `to`, `communityId`, ...), scope and masking
//! as in GraphQL. Rows stream from the database as they are written out, so the answer starts
//! before the last row is read and memory stays flat whatever the size. Exports hold a database
//! connection while they stream, so an instance runs a bounded number at once
//! (`GONGZHI_MAX_EXPORTS`); one over the bound is `RATE_LIMITED` with `Retry-After`.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::json;

use super::AppState;
use crate::error::AppError;
use crate::reporting::encode::{self, Format};
use crate::reporting::{Dataset, Filters};

/// Rows encoded into one chunk of the answer, at most.
const ROWS_PER_CHUNK: usize = 512;

/// The list of datasets, their columns and filters.
pub async fn index(State(state): State<AppState>) -> Response {
    let datasets: Vec<_> = state
        .catalogue
        .iter()
        .map(|d| {
            let a = d.about();
            json!({
                "name": a.name,
                "doc": a.doc,
                "csv": format!("/export/{}.csv", a.name),
                "ndjson": format!("/export/{}.ndjson", a.name),
                "filters": a.filters.iter().flat_map(|f| f.params().iter().copied()).collect::<Vec<_>>(),
                "groupings": a.groupings,
                "columns": a.columns,
            })
        })
        .collect();
    let body = json!({
        "doc": "Datasets of gongzhi. Send the credential you use for /graphql. CSV is UTF-8 with a byte-order mark, RFC 4180; NDJSON is one JSON object per line. Days are Beijing time, moments RFC 3339 UTC, ids the GraphQL global ids.",
        "datasets": datasets,
    });
    ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], body.to_string()).into_response()
}

/// One dataset in one form.
pub async fn export(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    peer: Option<Extension<super::Peer>>,
) -> Response {
    let request_id = headers.get(&super::REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    let mut note = super::AccessNote::default();
    let peer = peer.map(|Extension(p)| p);
    let mut resp = match run(&state, &file, query.as_deref(), &headers, peer, request_id.clone(), &mut note).await {
        Ok(resp) => resp,
        Err(err) => refusal(&err, &request_id),
    };
    resp.extensions_mut().insert(note);
    resp
}

async fn run(
    state: &AppState,
    file: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    peer: Option<super::Peer>,
    request_id: String,
    note: &mut super::AccessNote,
) -> Result<Response, AppError> {
    let (name, format) =
        file.rsplit_once('.').and_then(|(n, ext)| Some((n, Format::from_extension(ext)?))).ok_or_else(|| not_listed(file))?;
    let dataset: Arc<dyn Dataset> = state.catalogue.iter().find(|d| d.about().name == name).cloned().ok_or_else(|| not_listed(file))?;
    let about = dataset.about();
    let params: Vec<(String, String)> = match query {
        Some(q) => serde_urlencoded::from_str(q).map_err(|_| AppError::bad_input("query", "the query string is not readable"))?,
        None => Vec::new(),
    };
    let filters = Filters::parse(&about, params.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    note.operation = Some(about.name.to_owned());
    let scope = super::principal::scope_for(state, headers).await?;
    note.principal = Some(scope.principal().kind());
    scope.require_authenticated()?;
    state.rate.admit_scope(&scope, peer)?;
    let permit = state.exports.clone().try_acquire_owned().map_err(|_| AppError::RateLimited(5))?;
    let db = crate::db::Db::for_request(state.db.clone(), state.limits.work, scope.row_scope());
    let mut cx = crate::cx::Cx::new(scope.clone(), db.clone(), request_id, state.changes.clone());
    cx.client_request_id = headers.get(&super::CLIENT_REQUEST_ID).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let rows = dataset.rows(cx, filters).await;
    note.statements = db.statements();
    let rows = rows?;
    let (columns, dataset_name) = (about.columns, about.name);
    let head = futures_util::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(encode::head(format, columns))) });
    let body = rows.ready_chunks(ROWS_PER_CHUNK).map(move |chunk| {
        // The permit lives as long as the stream: the export's place is given back when the
        // last row is out or the client goes away.
        let _held = &permit;
        let mut out = String::with_capacity(chunk.len() * 128);
        for row in chunk {
            match row {
                Ok(row) => encode::row(&mut out, format, columns, &row),
                Err(err) => {
                    // The status is sent; ending the body without its last chunk tells the
                    // client the export is incomplete.
                    tracing::warn!(error = %err, dataset = dataset_name, "export ended early");
                    return Err(std::io::Error::other(err.to_string()));
                }
            }
        }
        Ok(Bytes::from(out))
    });
    let disposition = format!("attachment; filename=\"{}.{}\"", about.name, format.extension());
    let mut resp = Response::new(Body::from_stream(head.chain(body)));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.media_type()));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

fn not_listed(file: &str) -> AppError {
    AppError::NotFound(format!("no dataset `{file}`; GET /export lists them, as NAME.csv or NAME.ndjson"))
}

/// An export refused before its first row: the error body of GraphQL, with the HTTP status a
/// download tool understands.
pub fn refusal(err: &AppError, request_id: &str) -> Response {
    let status = match err {
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::BadInput { .. } => StatusCode::BAD_REQUEST,
        AppError::Conflict(_) | AppError::Stale(_) | AppError::KeyReused(_) | AppError::InProgress(_) => StatusCode::CONFLICT,
        AppError::RateLimited(_) | AppError::LimitExceeded(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut ext = json!({ "code": err.code() });
    if let AppError::BadInput { field: Some(f), .. } = err {
        ext["field"] = json!(f);
    }
    if let AppError::Internal(_) = err {
        ext["requestId"] = json!(request_id);
    }
    let body = json!({ "errors": [{ "message": err.to_string(), "extensions": ext }] });
    let mut resp = (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body.to_string()).into_response();
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    match status {
        StatusCode::UNAUTHORIZED => {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer, ApiKey"));
        }
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
            let seconds = if let AppError::RateLimited(s) = err { *s } else { 5 };
            h.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        _ => {}
    }
    resp
}

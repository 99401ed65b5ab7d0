//! The GraphQL endpoint, following GraphQL over HTTP: `POST /graphql` with a JSON body,
//! `GET /graphql` for queries only, `application/graphql-response+json` when asked for.

use std::time::Instant;

use async_graphql::parser::types::OperationType;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tracing::Instrument;

use super::metrics::Outcome;
use super::{AppState, REQUEST_ID};
use crate::config::Introspection;
use crate::error::AppError;
use crate::graphql::context::RequestContext;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The media type the response is written in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MediaType {
    /// `application/json`: well-formed requests get 200, whatever their GraphQL errors.
    Json,
    /// `application/graphql-response+json`: requests that fail before execution get 400.
    GraphqlResponse,
}

impl MediaType {
    /// The first acceptable type the client lists; plain JSON when it lists none we serve.
    pub(super) fn from_accept(headers: &HeaderMap) -> MediaType {
        let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
        for part in accept.split(',') {
            match part.split(';').next().unwrap_or("").trim() {
                GRAPHQL_RESPONSE_JSON => return MediaType::GraphqlResponse,
                JSON | "*/*" | "application/*" => return MediaType::Json,
                _ => {}
            }
        }
        MediaType::Json
    }

    fn content_type(self) -> &'static str {
        match self {
            MediaType::Json => "application/json; charset=utf-8",
            MediaType::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        }
    }
}

fn request_id(headers: &HeaderMap) -> String {
    headers.get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned()
}

/// A response carrying only errors, for requests refused before execution.
pub(super) fn refuse(status: StatusCode, media: MediaType, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    let mut resp = (status, [(header::CONTENT_TYPE, media.content_type())], body.to_string()).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    resp
}

/// Our failure before execution: `INTERNAL` with the request id an operator finds in the log.
fn refuse_internal(media: MediaType, request_id: &str) -> Response {
    let body = json!({ "errors": [{ "message": "internal error", "extensions": { "code": "INTERNAL", "requestId": request_id } }] });
    (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, media.content_type())], body.to_string()).into_response()
}

/// A 503 that tells the client when to try again.
fn unavailable_response(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    resp
}

/// A document refused before validation (a limit of [`crate::graphql::limits`], introspection
/// turned off): like a validation failure, 400 with the GraphQL response media type.
fn refuse_document(media: MediaType, message: &str) -> Response {
    refuse_document_with(media, "GRAPHQL_VALIDATION_FAILED", message)
}

/// A document refused before execution with `code`: 400 with the GraphQL response media type,
/// 200 with plain JSON.
fn refuse_document_with(media: MediaType, code: &str, message: &str) -> Response {
    let status = if media == MediaType::GraphqlResponse { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    refuse(status, media, code, message)
}

/// A buffer that refuses to grow past a size: the answer is written into it and a request
/// whose answer would pass the limit gets `LIMIT_EXCEEDED` instead of the bytes.
struct Capped {
    buf: Vec<u8>,
    cap: usize,
}

impl std::io::Write for Capped {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + bytes.len() > self.cap {
            return Err(std::io::Error::other(TOO_LARGE));
        }
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const TOO_LARGE: &str = "answer over the size limit";

/// Serialises `value` within `cap` bytes.
fn to_json_capped<T: serde::Serialize>(value: &T, cap: usize) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Capped { buf: Vec::with_capacity(4096), cap };
    serde_json::to_writer(&mut out, value)?;
    Ok(out.buf)
}

/// `POST /graphql`.
pub async fn post_graphql(
    State(state): State<AppState>,
    peer: Option<Extension<super::Peer>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    let media = MediaType::from_accept(&headers);
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if mime != JSON {
        state.metrics.observe(None, Outcome::Rejected, started.elapsed());
        return refuse(StatusCode::UNSUPPORTED_MEDIA_TYPE, media, "BAD_REQUEST", "send the request as `Content-Type: application/json`");
    }
    let body = match body {
        Ok(b) => b,
        Err(rejection) => {
            state.metrics.observe(None, Outcome::Rejected, started.elapsed());
            let status = rejection.status();
            let (code, message) = if status == StatusCode::PAYLOAD_TOO_LARGE {
                ("PAYLOAD_TOO_LARGE", format!("the request body is larger than {} bytes", state.limits.body_bytes))
            } else {
                ("BAD_REQUEST", "the request body could not be read".to_owned())
            };
            return refuse(status, media, code, &message);
        }
    };
    let request = match parse_body(&body) {
        Ok(r) => r,
        Err(message) => {
            state.metrics.observe(None, Outcome::Rejected, started.elapsed());
            return refuse(StatusCode::BAD_REQUEST, media, "BAD_REQUEST", &message);
        }
    };
    let mut request = request;
    let listed = match persisted_document(&state, &mut request, media, started) {
        Ok(listed) => listed,
        Err(refused) => return refused,
    };
    execute(state, headers, request, media, started, Admission { listed, peer: peer.map(|Extension(p)| p) }).await
}

/// Puts the text of a persisted document into the request (see `persisted`); whether the
/// trusted-documents manifest lists it (always, outside that mode), or the refusal to send
/// (counted as a rejected request).
#[expect(clippy::result_large_err, reason = "the refusal is the response, sent at once; boxing it gains nothing")]
fn persisted_document(
    state: &AppState,
    request: &mut async_graphql::Request,
    media: MediaType,
    started: Instant,
) -> Result<bool, Response> {
    let refused = resolve_persisted(state, request, media);
    if refused.is_err() {
        state.metrics.observe(None, Outcome::Rejected, started.elapsed());
    }
    refused
}

#[expect(clippy::result_large_err, reason = "the refusal is the response, sent at once; boxing it gains nothing")]
fn resolve_persisted(state: &AppState, request: &mut async_graphql::Request, media: MediaType) -> Result<bool, Response> {
    use super::persisted::Document;
    let Some(hash) = super::persisted::requested_hash(&request.extensions) else {
        if request.query.trim().is_empty() {
            return Err(refuse(StatusCode::BAD_REQUEST, media, "BAD_REQUEST", "the request has no `query`"));
        }
        return Ok(state.persisted.lists(&request.query));
    };
    match state.persisted.resolve(&hash, &request.query) {
        Document::Text(text) => {
            request.query = text;
            Ok(true)
        }
        Document::NotListed => Ok(false),
        // Apollo's link looks for this message or code, then sends the document's text.
        Document::NotFound => Err(refuse_document_with(media, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")),
        Document::Mismatch => Err(refuse(
            StatusCode::BAD_REQUEST,
            media,
            "BAD_REQUEST",
            "the query does not hash to `extensions.persistedQuery.sha256Hash` (lowercase hex SHA-256 of its text)",
        )),
    }
}

/// Parses a JSON request body; `null` for `variables`, `operationName` or `extensions` means absent.
fn parse_body(body: &[u8]) -> Result<async_graphql::Request, String> {
    let mut value: Value = serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON: {e}"))?;
    if has_nul(&value) {
        return Err(NUL_REFUSED.into());
    }
    let Some(obj) = value.as_object_mut() else {
        return Err("the body must be a JSON object with a `query`".into());
    };
    obj.retain(|_, v| !v.is_null());
    for key in ["variables", "extensions"] {
        if obj.get(key).is_some_and(|v| !v.is_object()) {
            return Err(format!("`{key}` must be an object"));
        }
    }
    // A persisted document named by the GraphQL-over-HTTP draft's `documentId: "sha256:…"` is
    // read as Apollo's `extensions.persistedQuery` (see `persisted`).
    match obj.remove("documentId") {
        Some(Value::String(id)) => {
            let hash = id.trim().trim_start_matches("sha256:").to_owned();
            let pq = json!({ "version": 1, "sha256Hash": hash });
            match obj.entry("extensions").or_insert_with(|| json!({})) {
                Value::Object(ext) => drop(ext.insert("persistedQuery".into(), pq)),
                _ => return Err("`extensions` must be an object".into()),
            }
        }
        Some(_) => return Err("`documentId` must be a string".into()),
        None => {}
    }
    let persisted = obj.get("extensions").and_then(|e| e.get("persistedQuery")).is_some();
    match obj.get("query") {
        Some(Value::String(q)) if !q.trim().is_empty() => {}
        Some(Value::String(_)) | None if persisted => {}
        Some(Value::String(_)) | None => return Err("the request has no `query`".into()),
        Some(_) => return Err("`query` must be a string".into()),
    }
    if obj.get("operationName").is_some_and(|v| !v.is_string()) {
        return Err("`operationName` must be a string".into());
    }
    serde_json::from_value(value).map_err(|e| format!("the request is malformed: {e}"))
}

const NUL_REFUSED: &str = "text must not contain NUL characters";

/// Whether any string of the request holds a NUL character, raw or as a GraphQL `\u0000`
/// escape in the query. PostgreSQL cannot store NUL in text and SQLite would keep it silently;
/// refusing it up front gives both the same clear answer.
fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0') || s.contains("\\u0000") || s.contains("\\u{0}"),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// `GET /graphql`: queries only; mutations answer 405.
pub async fn get_graphql(
    State(state): State<AppState>,
    peer: Option<Extension<super::Peer>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let started = Instant::now();
    let media = MediaType::from_accept(&headers);
    let request = match async_graphql::http::parse_query_string(raw.as_deref().unwrap_or("")) {
        Ok(r) if has_nul(&Value::String(r.query.clone())) || serde_json::to_value(&r.variables).is_ok_and(|v| has_nul(&v)) => {
            return refuse(StatusCode::BAD_REQUEST, media, "BAD_REQUEST", NUL_REFUSED);
        }
        Ok(r) if !r.query.trim().is_empty() || super::persisted::requested_hash(&r.extensions).is_some() => r,
        Ok(_) => return refuse(StatusCode::BAD_REQUEST, media, "BAD_REQUEST", "the request has no `query` parameter"),
        Err(e) => return refuse(StatusCode::BAD_REQUEST, media, "BAD_REQUEST", &format!("the query string is malformed: {e}")),
    };
    let mut request = request;
    let listed = match persisted_document(&state, &mut request, media, started) {
        Ok(listed) => listed,
        Err(refused) => return refused,
    };
    let wanted_name = request.operation_name.clone();
    if let Ok(doc) = request.parsed_query() {
        let wanted = wanted_name.as_deref();
        let is_mutation = doc.operations.iter().any(|(name, op)| {
            let selected = match (wanted, name) {
                (Some(wanted), Some(name)) => wanted == name.as_str(),
                (None, _) => true,
                (Some(_), None) => false,
            };
            selected && op.node.ty != OperationType::Query
        });
        if is_mutation {
            // Refused before authentication: no operation label, so that callers without a
            // credential cannot use up the label slots.
            state.metrics.observe(None, Outcome::Rejected, started.elapsed());
            let mut resp = refuse(StatusCode::METHOD_NOT_ALLOWED, media, "BAD_REQUEST", "only queries may be sent with GET; use POST");
            resp.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
            return resp;
        }
    }
    execute(state, headers, request, media, started, Admission { listed, peer: peer.map(|Extension(p)| p) }).await
}

/// What the request brings besides its body and headers.
struct Admission {
    /// Whether the trusted-documents manifest lists its document (always outside that mode).
    listed: bool,
    /// The address it came from, for anonymous callers' rate limit.
    peer: Option<super::Peer>,
}

/// Runs a request.
async fn execute(
    state: AppState,
    headers: HeaderMap,
    request: async_graphql::Request,
    media: MediaType,
    started: Instant,
    admission: Admission,
) -> Response {
    let mut note = super::AccessNote::default();
    let mut resp = run(state, headers, request, media, started, admission, &mut note).await;
    resp.extensions_mut().insert(note);
    resp
}

/// Runs one GraphQL request, noting for the access log what it learns on the way.
async fn run(
    state: AppState,
    headers: HeaderMap,
    mut request: async_graphql::Request,
    media: MediaType,
    started: Instant,
    admission: Admission,
    note: &mut super::AccessNote,
) -> Response {
    let request_id = request_id(&headers);
    // Parse once (or not at all for a query seen before): the schema executes the parsed document.
    let given = request.operation_name.clone();
    let cached = state.documents.get(&request.query);
    let hit = cached.is_some();
    if !hit && let Err(message) = crate::graphql::limits::pre_scan(&request.query, &state.limits.document) {
        state.metrics.observe(None, Outcome::Rejected, started.elapsed());
        return refuse_document(media, &message);
    }
    if let Some(doc) = &cached {
        request.set_parsed_query(async_graphql::parser::types::ExecutableDocument::clone(doc));
    }
    let fresh = if hit { None } else { Some(request.query.clone()) };
    let (kind, operation) = match request.parsed_query() {
        Ok(doc) => (selected_kind(doc, given.as_deref()), given.clone().or_else(|| only_operation_name(doc))),
        Err(err) => {
            state.metrics.observe(None, Outcome::Rejected, started.elapsed());
            let mut err = err.clone();
            crate::graphql::extensions::tag(&mut err, "GRAPHQL_PARSE_FAILED");
            let status = if media == MediaType::GraphqlResponse { StatusCode::BAD_REQUEST } else { StatusCode::OK };
            let body = json!({ "errors": [err] });
            return (status, [(header::CONTENT_TYPE, media.content_type())], body.to_string()).into_response();
        }
    };
    note.operation = operation.clone();
    // The document's own limits, before it costs anything more than its parse.
    let shape = match request.parsed_query().map(|doc| crate::graphql::limits::check(doc, given.as_deref(), &state.limits.document)) {
        Ok(Ok(shape)) => shape,
        Ok(Err(message)) => {
            state.metrics.observe(None, Outcome::Rejected, started.elapsed());
            return refuse_document(media, &message);
        }
        Err(_) => crate::graphql::limits::Shape::default(),
    };
    let scope = match super::principal::scope_for(&state, &headers).await {
        Ok(scope) => scope,
        Err(err) => {
            state.metrics.observe(None, Outcome::Rejected, started.elapsed());
            return match err {
                AppError::Unauthenticated(why) => refuse(StatusCode::UNAUTHORIZED, media, "UNAUTHENTICATED", &why),
                AppError::Unavailable(why) => {
                    unavailable_response(refuse(StatusCode::SERVICE_UNAVAILABLE, media, "SERVICE_UNAVAILABLE", &why))
                }
                _ => refuse_internal(media, &request_id),
            };
        }
    };
    note.principal = Some(scope.principal().kind());
    // No caller can starve the others: a budget per principal, per address for anonymous callers.
    if let Err(wait) = state.rate.admit(&super::rate::caller(&scope, admission.peer)) {
        state.metrics.observe(None, Outcome::Rejected, started.elapsed());
        let refused = AppError::RateLimited(super::rate::retry_after(wait));
        let mut resp = refuse(StatusCode::TOO_MANY_REQUESTS, media, "RATE_LIMITED", &refused.to_string());
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(super::rate::retry_after(wait)));
        return resp;
    }
    if !admission.listed {
        let admin = matches!(
            scope.principal(),
            crate::auth::Principal::StreetAdmin { .. }
                | crate::auth::Principal::CommunityAdmin { .. }
                | crate::auth::Principal::CityAdmin { .. }
        );
        if !state.persisted.admits_unlisted(admin) {
            state.metrics.observe(None, Outcome::Rejected, started.elapsed());
            return refuse_document_with(
                media,
                "PERSISTED_QUERY_NOT_LISTED",
                "this server runs only the documents of its trusted-documents manifest; send one of them (by hash or text)",
            );
        }
    }
    if shape.introspects {
        let anonymous = matches!(scope.principal(), crate::auth::Principal::Anonymous);
        let refused = match state.limits.introspection {
            Introspection::On => None,
            Introspection::Authenticated if !anonymous => None,
            Introspection::Authenticated => Some("introspection needs a credential on this server"),
            Introspection::Off => Some("introspection is turned off on this server"),
        };
        if let Some(message) = refused {
            state.metrics.observe(None, Outcome::Rejected, started.elapsed());
            return refuse_document(media, message);
        }
    }
    // Reporters read only: a mutation is refused before any database work (`Write::begin`
    // refuses it again, for every other way in).
    if kind == OperationType::Mutation && scope.is_read_only() {
        state.metrics.observe(None, Outcome::Rejected, started.elapsed());
        let status = if media == MediaType::GraphqlResponse { StatusCode::FORBIDDEN } else { StatusCode::OK };
        return refuse(status, media, "FORBIDDEN", "reporters read; they change nothing");
    }
    // Queries may be answered from the response cache (see `responses`).
    let generation = state.changes.generation();
    let cache_key = (kind == OperationType::Query && state.responses.enabled()).then(|| {
        let variables = serde_json::to_string(&request.variables).unwrap_or_default();
        super::responses::ResponseCache::key(&scope.identity(), media.content_type(), given.as_deref(), &request.query, &variables)
    });
    let mut _refresh = None;
    if let Some(key) = cache_key.as_deref() {
        let lookup = state.responses.get(key, generation);
        state.metrics.cache_lookup(super::metrics::Cache::Response, matches!(lookup, super::responses::Lookup::Hit(_)));
        match lookup {
            super::responses::Lookup::Hit(body) => {
                state.metrics.observe(operation.as_deref(), Outcome::Ok, started.elapsed());
                return (StatusCode::OK, [(header::CONTENT_TYPE, media.content_type())], body).into_response();
            }
            super::responses::Lookup::Miss(refresh) => _refresh = refresh,
        }
    }
    let community = match scope.principal() {
        crate::auth::Principal::CommunityAdmin { community_id } | crate::auth::Principal::CommunityStaff { community_id } => {
            Some(*community_id)
        }
        _ => None,
    };
    let span = tracing::info_span!(
        "graphql",
        otel.name = %format_args!("{kind} {}", operation.as_deref().unwrap_or("anonymous")),
        graphql.operation.type = %kind,
        operation = operation.as_deref().unwrap_or("-"),
        principal = ?scope.principal().kind(),
        community = ?community,
    );
    let mut ctx = RequestContext::new(
        crate::db::Db::for_request(state.db.clone(), state.limits.work, scope.row_scope()),
        scope,
        request_id.clone(),
        state.principals.clone(),
        state.changes.clone(),
    );
    ctx.cx.client_request_id = headers.get(&super::CLIENT_REQUEST_ID).and_then(|v| v.to_str().ok()).map(str::to_owned);
    // A document seen before was validated then; only its variables are new. Validation checks
    // the variables' values against their types, so a request with variables is validated in
    // full again, and only one without them skips straight to execution.
    let revalidate = !hit || !request.variables.is_empty();
    let schema = if revalidate { &state.schema } else { &state.validated_schema };
    // The document is parsed by now and executes from its parsed form; its text is kept to name
    // the variable of an input error, on the rare path where one occurs.
    let query_text = std::mem::take(&mut request.query);
    // What the document selects, to put the executed answer right (see `spec`); a fresh one is
    // also remembered once it passed validation.
    let selected_doc = match cached {
        Some(doc) => Some(doc),
        None => request.parsed_query().ok().map(|doc| std::sync::Arc::new(doc.clone())),
    };
    let variables = request.variables.clone();
    let db = ctx.cx.db.clone();
    request.data = crate::graphql::request_data(ctx, false);
    if state.inline_fields {
        request.data.insert(crate::graphql::inline::InlineFields);
    }
    let mut response = schema.execute(request).instrument(span).await;
    // The request's reads are done: its transaction (PostgreSQL) goes back to the pool now.
    db.finish().await;
    note.statements = db.statements();

    if let Some(doc) = &selected_doc {
        let root = if kind == OperationType::Mutation { "Mutation" } else { "Query" };
        let selected = super::spec::Selected { doc, operation: given.as_deref(), variables: &variables, root };
        super::spec::conform(&mut response, &selected, super::spec::Types::of_schema(|| state.schema.sdl()));
    }
    // Before execution nothing has a path: such errors are validation failures (unknown
    // fields, limits, variables). The rest carry the code of their AppError.
    let refused =
        response.data == async_graphql::Value::Null && !response.errors.is_empty() && response.errors.iter().all(|e| e.path.is_empty());
    let mut internal = false;
    for err in &mut response.errors {
        crate::graphql::extensions::apply_code(err);
        if refused {
            crate::graphql::extensions::tag(err, "GRAPHQL_VALIDATION_FAILED");
        }
        if crate::graphql::extensions::tag_input_error(err)
            && let (Ok(doc), Some(pos)) = (async_graphql::parser::parse_query(&query_text), err.locations.first())
            && let [name] = crate::graphql::limits::variables_at(&doc, *pos).as_slice()
        {
            err.extensions.get_or_insert_with(Default::default).set("variable", name.as_str());
        }
        // Every error carries a code: one we did not foresee is ours.
        crate::graphql::extensions::tag(err, "INTERNAL");
        internal |= err.extensions.as_ref().and_then(|e| e.get("code")) == Some(&async_graphql::Value::from("INTERNAL"));
    }
    if let (Some(query), Some(doc), false) = (&fresh, &selected_doc, refused) {
        state.documents.put(query, doc.clone());
    }
    let response_ok = !refused && response.errors.is_empty();
    let outcome = match (refused, response.errors.is_empty()) {
        (true, _) => Outcome::Rejected,
        (false, true) => Outcome::Ok,
        (false, false) => Outcome::Error,
    };
    state.metrics.observe(operation.as_deref(), outcome, started.elapsed());

    let status = if refused && media == MediaType::GraphqlResponse { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let body = if (refused && media == MediaType::GraphqlResponse) || internal {
        // Rare paths: reshape the response (no `data` before execution; request ids on INTERNAL).
        let mut value = match serde_json::to_value(&response) {
            Ok(v) => v,
            Err(e) => {
                tracing::error!(error = %e, "could not serialise a response");
                return refuse_internal(media, &request_id);
            }
        };
        stamp_internal_errors(&mut value, &request_id);
        if status == StatusCode::BAD_REQUEST
            && let Some(obj) = value.as_object_mut()
        {
            obj.remove("data");
        }
        to_json_capped(&value, state.limits.document.response_bytes)
    } else {
        to_json_capped(&response, state.limits.document.response_bytes)
    };
    // A busy pool is a moment's wait, not our failure: 503 with `Retry-After`.
    let unavailable = response
        .errors
        .iter()
        .any(|e| e.extensions.as_ref().and_then(|x| x.get("code")) == Some(&async_graphql::Value::from("SERVICE_UNAVAILABLE")));
    if kind == OperationType::Mutation {
        // Whatever it changed, cached responses are no longer current.
        state.changes.changed();
    }
    match body {
        Ok(bytes) => {
            let bytes = bytes::Bytes::from(bytes);
            if let (Some(key), true) = (cache_key, response_ok) {
                state.responses.put(key, bytes.clone(), generation);
            }
            if unavailable {
                return unavailable_response(
                    (StatusCode::SERVICE_UNAVAILABLE, [(header::CONTENT_TYPE, media.content_type())], bytes).into_response(),
                );
            }
            (status, [(header::CONTENT_TYPE, media.content_type())], bytes).into_response()
        }
        Err(e) if e.is_io() => {
            let message =
                format!("the answer is larger than {} bytes; ask for fewer fields or smaller pages", state.limits.document.response_bytes);
            refuse(StatusCode::OK, media, "LIMIT_EXCEEDED", &message)
        }
        Err(e) => {
            tracing::error!(error = %e, "could not serialise a response");
            refuse_internal(media, &request_id)
        }
    }
}

/// The type of the operation the request selects (a query when it cannot tell).
fn selected_kind(doc: &async_graphql::parser::types::ExecutableDocument, wanted: Option<&str>) -> OperationType {
    doc.operations
        .iter()
        .find(|(name, _)| match (wanted, name) {
            (Some(w), Some(n)) => w == n.as_str(),
            (None, _) => true,
            (Some(_), None) => false,
        })
        .map(|(_, op)| op.node.ty)
        .unwrap_or(OperationType::Query)
}

/// The name of the document's only named operation, for metrics and logs when the client sent no
/// `operationName`.
fn only_operation_name(doc: &async_graphql::parser::types::ExecutableDocument) -> Option<String> {
    let mut names = doc.operations.iter().filter_map(|(name, _)| name.map(|n| n.to_string()));
    let first = names.next()?;
    names.next().is_none().then_some(first)
}

/// Adds the request id to `INTERNAL` errors so that an operator can find the cause in the log.
fn stamp_internal_errors(body: &mut Value, request_id: &str) {
    let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) else { return };
    for err in errors {
        let is_internal = err.pointer("/extensions/code").and_then(Value::as_str) == Some("INTERNAL");
        if is_internal && let Some(ext) = err.get_mut("extensions").and_then(Value::as_object_mut) {
            ext.insert("requestId".into(), Value::String(request_id.to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_negotiation() {
        let mut h = HeaderMap::new();
        assert!(MediaType::from_accept(&h) == MediaType::Json);
        h.insert(header::ACCEPT, HeaderValue::from_static("application/graphql-response+json, application/json;q=0.9"));
        assert!(MediaType::from_accept(&h) == MediaType::GraphqlResponse);
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert!(MediaType::from_accept(&h) == MediaType::Json);
    }

    #[test]
    fn bodies_are_checked() {
        assert!(parse_body(b"{").is_err());
        assert!(parse_body(b"[]").is_err());
        assert!(parse_body(br#"{"query": 1}"#).is_err());
        assert!(parse_body(br#"{"query": "{ viewer { kind } }", "variables": null, "operationName": null}"#).is_ok());
    }
}

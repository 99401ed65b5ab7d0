//! GraphQL subscriptions over WebSocket (`graphql-transport-ws`, and the older
//! `graphql-ws` protocol) at `/graphql/ws`. The credential travels in the `connection_init`
//! payload as `{"Authorization": "Bearer <JWT>"}` or `{"Authorization": "ApiKey <key>"}`.
//!
//! async-graphql runs the protocol; this module drives it and keeps the limits of
//! `SocketLimits` around it, closing with the protocol's codes:
//! - no `connection_init` within the limit: 4408; a refused one: 4403 (4429 when the principal
//!   holds too many sockets);
//! - a `subscribe` whose id is in use: 4409; one past the limits per socket or per principal
//!   is answered with an `error` message (`RATE_LIMITED`) and the socket stays open;
//! - a revoked or expired credential: 4401; a changed scope: 4000; shutdown: 1001.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_graphql::http::{ClientMessage, WebSocketProtocols, WsMessage};
use axum::extract::ws::{CloseFrame, Message};
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};

use super::{AppState, SocketLimits};
use crate::error::AppError;
use crate::graphql::context::RequestContext;
use crate::graphql::extensions::ToGraphql;
use crate::graphql::limits::DocumentLimits;

/// Open sockets and subscriptions per principal, over this instance.
#[derive(Default)]
pub struct Sockets {
    by_principal: Mutex<HashMap<String, Held>>,
}

#[derive(Default, Clone, Copy)]
struct Held {
    sockets: usize,
    subscriptions: usize,
}

impl Sockets {
    fn change(&self, who: &str, f: impl FnOnce(&mut Held) -> bool) -> bool {
        let Ok(mut all) = self.by_principal.lock() else { return false };
        let held = all.entry(who.to_owned()).or_default();
        let done = f(held);
        if held.sockets == 0 && held.subscriptions == 0 {
            all.remove(who);
        }
        done
    }
}

/// What one socket holds, and what it has asked the driver to do.
struct Gate {
    limits: SocketLimits,
    /// The document limits every operation on the socket is held to.
    document: DocumentLimits,
    introspection_off: bool,
    sockets: Arc<Sockets>,
    persisted: Arc<super::persisted::Persisted>,
    /// The principal, once `connection_init` was accepted.
    who: Option<String>,
    /// Whether the principal is an admin (who may explore beyond trusted documents, if allowed).
    admin: bool,
    init_seen: bool,
    /// Close code for a refused `connection_init`.
    refusal: u16,
    active: HashSet<String>,
    /// Messages to send to the client (refused subscriptions).
    outbox: Vec<String>,
    /// A close the gate asked for.
    close: Option<CloseFrame>,
}

impl Gate {
    /// Decides on a client message: pass it to the protocol, or not.
    fn incoming(&mut self, mut message: ClientMessage) -> Option<ClientMessage> {
        match &mut message {
            ClientMessage::ConnectionInit { .. } => self.init_seen = true,
            ClientMessage::Start { id, payload } => {
                if self.active.contains(id.as_str()) {
                    self.close = Some(CloseFrame { code: 4409, reason: format!("Subscriber for {id} already exists").into() });
                    return None;
                }
                if let Some((code, why)) = self.persisted_document(payload) {
                    self.outbox.push(error_message(id, &why, code));
                    return None;
                }
                if let Some(why) = self.refuse_document(payload) {
                    self.outbox.push(error_message(id, &why, "GRAPHQL_VALIDATION_FAILED"));
                    return None;
                }
                if self.who.is_some()
                    && let Some(refusal) = self.admit(id)
                {
                    self.outbox.push(refusal);
                    return None;
                }
            }
            ClientMessage::Stop { id } => self.release(id),
            _ => {}
        }
        Some(message)
    }

    /// Puts the text of a persisted document into the operation, or says why it is refused: the
    /// persisted and trusted documents of the HTTP endpoint hold over the socket too.
    fn persisted_document(&self, request: &mut async_graphql::Request) -> Option<(&'static str, String)> {
        use super::persisted::Document;
        let listed = match super::persisted::requested_hash(&request.extensions) {
            None => self.persisted.lists(&request.query),
            Some(hash) => match self.persisted.resolve(&hash, &request.query) {
                Document::Text(text) => {
                    request.query = text;
                    true
                }
                Document::NotListed => false,
                Document::NotFound => return Some(("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound".into())),
                Document::Mismatch => {
                    return Some(("BAD_REQUEST", "the query does not hash to `extensions.persistedQuery.sha256Hash`".into()));
                }
            },
        };
        if !listed && !self.persisted.admits_unlisted(self.admin) {
            return Some(("PERSISTED_QUERY_NOT_LISTED", "this server runs only the documents of its trusted-documents manifest".into()));
        }
        None
    }

    /// Why an operation's document is refused, if it is: the limits of the HTTP endpoint hold
    /// over the socket too.
    fn refuse_document(&self, request: &async_graphql::Request) -> Option<String> {
        if let Err(why) = crate::graphql::limits::pre_scan(&request.query, &self.document) {
            return Some(why);
        }
        let doc = async_graphql::parser::parse_query(&request.query).ok()?;
        match crate::graphql::limits::check(&doc, request.operation_name.as_deref(), &self.document) {
            Err(why) => Some(why),
            Ok(shape) if shape.introspects && self.introspection_off => Some("introspection is turned off on this server".into()),
            Ok(_) => None,
        }
    }

    /// Counts a new subscription, or says why it is refused.
    fn admit(&mut self, id: &str) -> Option<String> {
        let refusal = |message: String| error_message(id, &message, "RATE_LIMITED");
        if self.active.len() >= self.limits.subscriptions_per_socket {
            return Some(refusal(format!("a connection may hold at most {} subscriptions", self.limits.subscriptions_per_socket)));
        }
        let who = self.who.clone()?;
        let most = self.limits.subscriptions_per_principal;
        let admitted = self.sockets.change(&who, |held| {
            let ok = held.subscriptions < most;
            held.subscriptions += usize::from(ok);
            ok
        });
        if !admitted {
            return Some(refusal(format!("a principal may hold at most {most} subscriptions at once")));
        }
        self.active.insert(id.to_owned());
        None
    }

    fn release(&mut self, id: &str) {
        if self.active.remove(id)
            && let Some(who) = &self.who
        {
            self.sockets.change(who, |held| {
                held.subscriptions = held.subscriptions.saturating_sub(1);
                true
            });
        }
    }

    /// Looks at what the protocol sends: ended subscriptions free their place; a refused
    /// `connection_init` closes with 4403 (or 4429) instead of 1002.
    fn outgoing(&mut self, message: WsMessage) -> Message {
        match message {
            WsMessage::Text(text) => {
                if (text.starts_with(r#"{"type":"complete""#) || text.starts_with(r#"{"type":"error""#))
                    && let Some(id) = serde_json::from_str::<Value>(&text).ok().and_then(|v| v["id"].as_str().map(str::to_owned))
                {
                    self.release(&id);
                }
                Message::Text(text.into())
            }
            WsMessage::Close(code, reason) => {
                let code = if code == 1002 && self.init_seen && self.who.is_none() { self.refusal } else { code };
                Message::Close(Some(CloseFrame { code, reason: reason.into() }))
            }
        }
    }
}

/// An `error` message of the protocol for operation `id`.
fn error_message(id: &str, message: &str, code: &str) -> String {
    json!({ "type": "error", "id": id, "payload": [{ "message": message, "extensions": { "code": code } }] }).to_string()
}

impl Drop for Gate {
    fn drop(&mut self) {
        if let Some(who) = self.who.take() {
            let subscriptions = self.active.len();
            self.sockets.change(&who, |held| {
                held.sockets = held.sockets.saturating_sub(1);
                held.subscriptions = held.subscriptions.saturating_sub(subscriptions);
                true
            });
        }
    }
}

/// The protocol the client asks for, as async-graphql's extractor reads it.
fn protocol(headers: &HeaderMap) -> Option<WebSocketProtocols> {
    use std::str::FromStr;
    let offered = headers.get(header::SEC_WEBSOCKET_PROTOCOL)?.to_str().ok()?;
    offered.split(',').find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
}

/// `GET /graphql/ws`. When the server shuts down, the client's messages stop being read, the
/// subscriptions end, and the socket closes with 1001 (going away) so that clients reconnect
/// to another instance.
pub async fn subscribe(State(state): State<AppState>, headers: HeaderMap, upgrade: WebSocketUpgrade) -> Response {
    let Some(protocol) = protocol(&headers) else {
        return (StatusCode::BAD_REQUEST, "ask for the graphql-transport-ws protocol").into_response();
    };
    upgrade.protocols([protocol.sec_websocket_protocol()]).on_upgrade(move |socket| serve_socket(state, protocol, socket))
}

async fn serve_socket(state: AppState, protocol: WebSocketProtocols, socket: axum::extract::ws::WebSocket) {
    // Held until the close frame is sent: shutdown waits for it (see `serve`).
    let _alive = state.stopping.subscribe();
    let _open = state.metrics.socket_opened();
    let limits = state.limits.sockets;
    let gate = Arc::new(Mutex::new(Gate {
        limits,
        document: state.limits.document,
        introspection_off: state.limits.introspection == crate::config::Introspection::Off,
        sockets: state.sockets.clone(),
        persisted: state.persisted.clone(),
        who: None,
        admin: false,
        init_seen: false,
        refusal: 4403,
        active: HashSet::new(),
        outbox: Vec::new(),
        close: None,
    }));
    let wake = Arc::new(tokio::sync::Notify::new());
    let (mut sink, stream) = socket.split();
    // The credential and scope accepted at `connection_init`, checked again while the
    // connection lives.
    let accepted: Arc<Mutex<Option<(String, String)>>> = Arc::default();
    let ended = Arc::new(Mutex::new(None::<CloseFrame>));
    let until = {
        let (state, accepted, ended, gate, wake) = (state.clone(), accepted.clone(), ended.clone(), gate.clone(), wake.clone());
        let mut stopping = state.stopping.subscribe();
        async move {
            let init_timeout = async {
                tokio::time::sleep(limits.ws_init).await;
                if gate.lock().is_ok_and(|g| g.init_seen) {
                    std::future::pending::<()>().await;
                }
            };
            let asked = async {
                loop {
                    wake.notified().await;
                    if let Some(frame) = gate.lock().ok().and_then(|mut g| g.close.take()) {
                        return frame;
                    }
                }
            };
            let frame = tokio::select! {
                _ = stopping.wait_for(|stop| *stop) => CloseFrame { code: 1001, reason: "the server is shutting down".into() },
                frame = still_valid(&state, &accepted) => frame,
                () = init_timeout => CloseFrame { code: 4408, reason: "Connection initialisation timeout".into() },
                frame = asked => frame,
            };
            if let Ok(mut ended) = ended.lock() {
                *ended = Some(frame);
            }
        }
    };
    // Rings when the gate has a message of its own to send.
    let mail = Arc::new(tokio::sync::Notify::new());
    let (inbox_gate, inbox_wake, inbox_mail) = (gate.clone(), wake.clone(), mail.clone());
    let input = stream.take_until(Box::pin(until)).take_while(|message| std::future::ready(message.is_ok())).filter_map(move |message| {
        let passed = match message {
            Ok(Message::Text(text)) => Some(ClientMessage::from_bytes(text.as_bytes())),
            Ok(Message::Binary(bytes)) => Some(ClientMessage::from_bytes(bytes)),
            _ => None,
        }
        .and_then(|parsed| match parsed {
            Ok(message) => {
                let (passed, mail) = match inbox_gate.lock() {
                    Ok(mut g) => {
                        let passed = g.incoming(message);
                        (passed, !g.outbox.is_empty())
                    }
                    Err(_) => (None, false),
                };
                if mail {
                    inbox_mail.notify_one();
                }
                inbox_wake.notify_one();
                passed.map(Ok)
            }
            Err(err) => Some(Err(err)),
        });
        std::future::ready(passed)
    });
    let (init_state, init_accepted, init_gate) = (state.clone(), accepted.clone(), gate.clone());
    let schema = state.ws_schema.clone();
    let protocol_stream =
        async_graphql::http::WebSocket::from_message_stream(schema, input, protocol).on_connection_init(move |payload| async move {
            let state = init_state;
            let refuse = |code: u16, err: AppError| {
                if let Ok(mut g) = init_gate.lock() {
                    g.refusal = code;
                }
                err.to_graphql()
            };
            let credential = credential(&payload)
                .ok_or_else(|| refuse(4403, AppError::Unauthenticated("connection_init needs an Authorization credential".into())))?;
            let scope = super::principal::scope_for_credential(&state, &credential).await.map_err(|e| refuse(4403, e))?;
            let who = scope.identity();
            let most = state.limits.sockets.sockets_per_principal;
            let admitted = state.sockets.change(&who, |held| {
                let ok = held.sockets < most;
                held.sockets += usize::from(ok);
                ok
            });
            if !admitted {
                return Err(refuse(4429, AppError::RateLimited(5)));
            }
            if let Ok(mut g) = init_gate.lock() {
                g.who = Some(who);
                g.admin = matches!(
                    scope.principal(),
                    crate::auth::Principal::StreetAdmin { .. }
                        | crate::auth::Principal::CommunityAdmin { .. }
                        | crate::auth::Principal::CityAdmin { .. }
                );
            }
            if let Ok(mut accepted) = init_accepted.lock() {
                *accepted = Some((credential, fingerprint(&scope)));
            }
            // A socket lives long: its statements are bounded in concurrency, not in number.
            let work = crate::db::WorkLimits { statements: u32::MAX, ..state.limits.work };
            let db = crate::db::Db::for_socket(state.db.clone(), work, scope.row_scope());
            let rc = RequestContext::new(db, scope, "subscription".into(), state.principals.clone(), state.changes.clone());
            Ok(crate::graphql::request_data(rc, true))
        });
    futures_util::pin_mut!(protocol_stream);
    loop {
        let outbox: Vec<String> = gate.lock().map(|mut g| std::mem::take(&mut g.outbox)).unwrap_or_default();
        for text in outbox {
            if sink.send(Message::Text(text.into())).await.is_err() {
                return;
            }
        }
        let message = tokio::select! {
            () = mail.notified() => continue,
            message = protocol_stream.next() => message,
        };
        let Some(message) = message else { break };
        let message = match gate.lock() {
            Ok(mut g) => g.outgoing(message),
            Err(_) => break,
        };
        if sink.send(message).await.is_err() {
            return;
        }
    }
    let frame = ended.lock().ok().and_then(|mut e| e.take());
    if let Some(frame) = frame {
        let _ = sink.send(Message::Close(Some(frame))).await;
    }
}

/// How often an open connection's credential is checked again.
const RECHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// Who a scope is and what it reaches: when this changes, the subscriptions filter by a scope
/// that no longer holds.
fn fingerprint(scope: &crate::auth::Scope) -> String {
    format!("{}|{:?}", scope.identity(), scope.communities().collect::<Vec<_>>())
}

/// Returns once the connection's credential no longer holds (revoked, expired, or its scope
/// changed), with the frame to close the connection with; pends while it holds.
async fn still_valid(state: &AppState, accepted: &Mutex<Option<(String, String)>>) -> CloseFrame {
    loop {
        tokio::time::sleep(RECHECK).await;
        let Some((credential, was)) = accepted.lock().ok().and_then(|a| a.clone()) else { continue };
        match super::principal::scope_for_credential(state, &credential).await {
            Ok(scope) if fingerprint(&scope) == was => continue,
            Ok(_) => return CloseFrame { code: 4000, reason: "the credential's scope changed; connect again".into() },
            Err(AppError::Unauthenticated(_)) => {
                return CloseFrame { code: 4401, reason: "the credential is no longer valid".into() };
            }
            Err(err) => tracing::warn!(error = %err, "could not check a subscriber's credential; keeping the connection"),
        }
    }
}

/// The credential in a `connection_init` payload: `Authorization` (any case) or `token`.
fn credential(payload: &Value) -> Option<String> {
    let obj = payload.as_object()?;
    for (k, v) in obj {
        if k.eq_ignore_ascii_case("authorization") {
            return v.as_str().map(str::to_owned);
        }
    }
    obj.get("token").and_then(Value::as_str).map(|t| format!("Bearer {t}"))
}

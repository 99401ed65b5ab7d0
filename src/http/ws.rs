//! GraphQL subscriptions over WebSocket (`graphql-transport-ws`, and the older
//! `graphql-ws` protocol) at `/graphql/ws`. The credential travels in the `connection_init`
//! payload as `{"Authorization": "Bearer <JWT>"}` or `{"Authorization": "ApiKey <key>"}`; a
//! missing or invalid one is refused there and the connection closes.

use std::sync::{Arc, Mutex};

use async_graphql::Data;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::{CloseFrame, Message};
use axum::extract::{State, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;

use super::AppState;
use crate::error::AppError;
use crate::graphql::context::RequestContext;

/// `GET /graphql/ws`. When the server shuts down, the client's messages stop being read, the
/// subscriptions end, and the socket closes with 1001 (going away) so that clients reconnect
/// to another instance.
pub async fn subscribe(State(state): State<AppState>, protocol: GraphQLProtocol, upgrade: WebSocketUpgrade) -> Response {
    upgrade.protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |socket| async move {
        // Held until the close frame is sent: shutdown waits for it (see `serve`).
        let _alive = state.stopping.subscribe();
        let schema = state.ws_schema.clone();
        let mut stopping = state.stopping.subscribe();
        let (mut sink, stream) = socket.split();
        // The credential and scope accepted at `connection_init`, checked again while the
        // connection lives.
        let accepted: Arc<Mutex<Option<(String, String)>>> = Arc::default();
        let ended = Arc::new(Mutex::new(None::<CloseFrame>));
        let until = {
            let (state, accepted, ended) = (state.clone(), accepted.clone(), ended.clone());
            async move {
                let frame = tokio::select! {
                    _ = stopping.wait_for(|stop| *stop) => CloseFrame { code: 1001, reason: "the server is shutting down".into() },
                    frame = still_valid(&state, &accepted) => frame,
                };
                if let Ok(mut ended) = ended.lock() {
                    *ended = Some(frame);
                }
            }
        };
        let stream = stream.take_until(Box::pin(until));
        let (init_state, init_accepted) = (state.clone(), accepted.clone());
        GraphQLWebSocket::new_with_pair(&mut sink, stream, schema, protocol)
            .on_connection_init(move |payload| async move {
                let state = init_state;
                let credential = credential(&payload)
                    .ok_or_else(|| AppError::Unauthenticated("connection_init needs an Authorization credential".into()).to_graphql())?;
                let scope = super::principal::scope_for_credential(&state, &credential).await.map_err(|e| e.to_graphql())?;
                if let Ok(mut accepted) = init_accepted.lock() {
                    *accepted = Some((credential, fingerprint(&scope)));
                }
                let mut data = Data::default();
                data.insert(RequestContext::for_subscription(state.db.clone(), scope, state.principals.clone(), state.events.clone()));
                Ok(data)
            })
            .serve()
            .await;
        let frame = ended.lock().ok().and_then(|mut e| e.take());
        if let Some(frame) = frame {
            let _ = sink.send(Message::Close(Some(frame))).await;
        }
        drop(_alive);
    })
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

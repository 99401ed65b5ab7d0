//! GraphQL subscriptions over WebSocket (`graphql-transport-ws`, and the older
//! `graphql-ws` protocol) at `/graphql/ws`. The credential travels in the `connection_init`
//! payload as `{"Authorization": "Bearer <JWT>"}` or `{"Authorization": "ApiKey <key>"}`; a
//! missing or invalid one is refused there and the connection closes.

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
        let schema = state.ws_schema.clone();
        let mut stopping = state.stopping.subscribe();
        let stopped = state.stopping.subscribe();
        let (mut sink, stream) = socket.split();
        let stream = stream.take_until(Box::pin(async move {
            let _ = stopping.wait_for(|stop| *stop).await;
        }));
        let init_state = state.clone();
        GraphQLWebSocket::new_with_pair(&mut sink, stream, schema, protocol)
            .on_connection_init(move |payload| async move {
                let state = init_state;
                let credential = credential(&payload)
                    .ok_or_else(|| AppError::Unauthenticated("connection_init needs an Authorization credential".into()).to_graphql())?;
                let scope = super::principal::scope_for_credential(&state, &credential).await.map_err(|e| e.to_graphql())?;
                let mut data = Data::default();
                data.insert(RequestContext::for_subscription(state.db.clone(), scope, state.principals.clone(), state.events.clone()));
                Ok(data)
            })
            .serve()
            .await;
        if *stopped.borrow() {
            let frame = CloseFrame { code: 1001, reason: "the server is shutting down".into() };
            let _ = sink.send(Message::Close(Some(frame))).await;
        }
    })
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

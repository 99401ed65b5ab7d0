//! Connections are limited: a client slow to send its headers is cut off, a WebSocket that never
//! says `connection_init` is closed 4408, subscriptions per socket and per principal are
//! bounded, a reused subscription id closes the socket 4409.

use std::time::Duration;

use futures_util::SinkExt;
use gongzhi::http::{Limits, SocketLimits};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::fixtures::Fixture;
use crate::subscriptions::{connect, next, serve};
use crate::support::{Content, TestApp, backends};

async fn serve_with(app: &TestApp, header_read: Duration) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(gongzhi::http::listen::serve(listener, app.router.clone(), header_read, std::future::pending()));
    addr
}

/// Reads until the server closes the connection; returns what it sent and how long it took.
async fn until_closed(stream: &mut tokio::net::TcpStream) -> (String, Duration) {
    let started = std::time::Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => panic!("the server kept a slow connection open for 10 s"),
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), started.elapsed())
}

#[tokio::test]
async fn a_slow_header_and_an_idle_connection_are_cut() {
    let app = TestApp::new(&backends()[0], Content::Empty).await;
    let addr = serve_with(&app, Duration::from_secs(1)).await;

    // Half a request line and one header, then nothing.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let (_, took) = until_closed(&mut slow).await;
    assert!(took < Duration::from_secs(5), "cut after the header timeout, not {took:?}");

    // A kept-alive connection that sends nothing more is closed too.
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let (answer, took) = until_closed(&mut idle).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(took < Duration::from_secs(5), "idle connection closed after {took:?}");

    // A prompt client is served as always.
    let mut prompt = tokio::net::TcpStream::connect(addr).await.unwrap();
    prompt.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let (answer, _) = until_closed(&mut prompt).await;
    assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"), "{answer}");
}

fn limits(sockets: SocketLimits) -> Limits {
    Limits { sockets, ..Limits::default() }
}

#[tokio::test]
async fn a_silent_websocket_is_closed_4408() {
    let sockets = SocketLimits { ws_init: Duration::from_secs(1), ..SocketLimits::default() };
    let app = TestApp::with_limits(&backends()[0], Content::Graph(1), limits(sockets)).await;
    let addr = serve(&app).await;
    let mut req = format!("ws://{addr}/graphql/ws").into_client_request().unwrap();
    req.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let reply = next(&mut ws).await;
    assert_eq!((reply["type"].as_str(), reply["code"].as_u64()), (Some("closed"), Some(4408)), "{reply}");
}

both_backends! {
    async fn subscriptions_are_bounded_per_socket_and_per_principal_and_ids_are_unique(backend: Backend) {
        let sockets = SocketLimits {
            subscriptions_per_socket: 2,
            subscriptions_per_principal: 3,
            sockets_per_principal: 2,
            ..SocketLimits::default()
        };
        let app = TestApp::with_limits(&backend, Content::Graph(1), limits(sockets)).await;
        let addr = serve(&app).await;
        let staff = format!("Bearer {}", Fixture::community(&app, "松园").await.staff(&app));
        let subscribe = |id: &str| {
            Message::text(
                json!({ "id": id, "type": "subscribe", "payload": { "query": "subscription { taskEvents { kind } }" } }).to_string(),
            )
        };

        let (mut first, ack) = connect(addr, &staff).await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        first.send(subscribe("1")).await.unwrap();
        first.send(subscribe("2")).await.unwrap();
        first.send(subscribe("3")).await.unwrap();
        let refused = next(&mut first).await;
        assert_eq!((refused["type"].as_str(), refused["id"].as_str()), (Some("error"), Some("3")), "[{}] {refused}", backend.name());
        assert_eq!(refused["payload"][0]["extensions"]["code"], "RATE_LIMITED", "{refused}");

        // Completing one frees its place on the socket.
        first.send(Message::text(json!({ "id": "2", "type": "complete" }).to_string())).await.unwrap();
        first.send(subscribe("4")).await.unwrap();

        // The principal's second socket may hold one more: three in all.
        let (mut second, ack) = connect(addr, &staff).await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        second.send(subscribe("a")).await.unwrap();
        second.send(subscribe("b")).await.unwrap();
        let refused = next(&mut second).await;
        assert_eq!((refused["type"].as_str(), refused["id"].as_str()), (Some("error"), Some("b")), "[{}] {refused}", backend.name());
        assert!(refused["payload"][0]["message"].as_str().unwrap_or_default().contains("principal"), "{refused}");

        // A third socket for the same principal is refused at connection_init.
        let (_, reply) = connect(addr, &staff).await;
        assert_eq!((reply["type"].as_str(), reply["code"].as_u64()), (Some("closed"), Some(4429)), "[{}] {reply}", backend.name());

        // Reusing a live id closes the socket 4409.
        first.send(subscribe("1")).await.unwrap();
        let mut closed = next(&mut first).await;
        while closed["type"] == "complete" {
            closed = next(&mut first).await;
        }
        assert_eq!((closed["type"].as_str(), closed["code"].as_u64()), (Some("closed"), Some(4409)), "[{}] {closed}", backend.name());

        // Its places are given back: the second socket may subscribe again.
        tokio::time::sleep(Duration::from_millis(200)).await;
        second.send(subscribe("c")).await.unwrap();
        second.send(Message::text(json!({ "id": "c", "type": "complete" }).to_string())).await.unwrap();
        let reply = next(&mut second).await;
        assert_ne!(reply["type"], "error", "[{}] {reply}", backend.name());
    }
}

#[tokio::test]
async fn documents_over_the_socket_are_held_to_the_same_limits() {
    let app = TestApp::demo(&backends()[0]).await;
    let addr = serve(&app).await;
    let (mut ws, ack) = connect(addr, &format!("Bearer {}", Fixture::community(&app, "松园").await.staff(&app))).await;
    assert_eq!(ack["type"], "connection_ack");
    let bomb: String = (0..500).map(|i| format!("a{i}: taskEvents {{ kind }} ")).collect();
    ws.send(Message::text(
        json!({ "id": "x", "type": "subscribe", "payload": { "query": format!("subscription {{ {bomb} }}") } }).to_string(),
    ))
    .await
    .unwrap();
    let refused = next(&mut ws).await;
    assert_eq!((refused["type"].as_str(), refused["id"].as_str()), (Some("error"), Some("x")), "{refused}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "{refused}");
}

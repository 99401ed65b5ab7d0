//! CORS: a front end on an allowed origin may send its tracing and client-identification
//! headers; another origin gets no allow header.

use axum::body::Body;
use axum::http::{HeaderMap, Request};
use gongzhi::http::Limits;

use crate::support::{Content, TestApp, backends};

const ORIGIN: &str = "https://console.meiling.example";
const SENT: &str = "content-type,authorization,traceparent,tracestate,baggage,sentry-trace,apollographql-client-name,apollographql-client-version,apollo-require-preflight";

fn preflight(origin: &str, headers: &str) -> Request<Body> {
    Request::builder()
        .method("OPTIONS")
        .uri("/graphql")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", headers)
        .body(Body::empty())
        .unwrap()
}

fn allowed(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("access-control-allow-headers")
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(',').map(|h| h.trim().to_ascii_lowercase()).collect::<Vec<_>>())
        .collect()
}

#[tokio::test]
async fn a_preflight_with_traceparent_passes_from_an_allowed_origin_and_a_foreign_origin_gets_no_allow_header() {
    let limits = Limits { cors_origins: vec![ORIGIN.into()], ..Limits::default() };
    let app = TestApp::with_limits(&backends()[0], Content::Empty, limits).await;
    let (status, headers, _) = app.send(preflight(ORIGIN, SENT)).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    assert!(headers["access-control-allow-methods"].to_str().unwrap().contains("POST"));
    let allowed = allowed(&headers);
    for header in SENT.split(',') {
        assert!(allowed.iter().any(|a| a == header), "{header} is not allowed: {allowed:?}");
    }
    // The request itself, with a trace context: answered with the origin allowed and the request id readable.
    let req = Request::post("/graphql")
        .header("origin", ORIGIN)
        .header("content-type", "application/json")
        .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .header("apollographql-client-name", "meiling-console")
        .body(Body::from(r#"{"query": "{ viewer { kind } }"}"#))
        .unwrap();
    let (status, headers, _) = app.send(req).await;
    assert_eq!(status, 200);
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    assert!(headers["access-control-expose-headers"].to_str().unwrap().contains("x-request-id"));

    let (_, headers, _) = app.send(preflight("https://evil.example", SENT)).await;
    assert!(!headers.contains_key("access-control-allow-origin"), "{headers:?}");
}

#[tokio::test]
async fn the_allowed_headers_are_configurable() {
    let limits = Limits {
        cors_origins: vec![ORIGIN.into()],
        cors_headers: vec!["content-type".into(), "x-meiling-tenant".into()],
        ..Limits::default()
    };
    let app = TestApp::with_limits(&backends()[0], Content::Empty, limits).await;
    let (_, headers, _) = app.send(preflight(ORIGIN, "content-type,x-meiling-tenant")).await;
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    let allowed = allowed(&headers);
    assert!(allowed.contains(&"x-meiling-tenant".to_owned()), "{allowed:?}");
    assert!(!allowed.contains(&"traceparent".to_owned()), "the list replaces the default: {allowed:?}");
}

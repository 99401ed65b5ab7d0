//! Compression (gzip and brotli above a size threshold), `Cache-Control` on GraphQL answers,
//! versioned GraphiQL assets with ETags, and the tower-http body and time limits answering with
//! GraphQL error bodies.

use std::io::Read;

use axum::body::Body;
use axum::http::{HeaderMap, Request};
use serde_json::{Value, json};

use crate::fixtures::Fixture;
use crate::support::{Content, TestApp, backends};

fn post(token: &str, query: &str, encoding: Option<&str>) -> Request<Body> {
    let mut req = Request::post("/graphql").header("content-type", "application/json").header("authorization", format!("Bearer {token}"));
    if let Some(e) = encoding {
        req = req.header("accept-encoding", e);
    }
    req.body(Body::from(json!({ "query": query }).to_string())).unwrap()
}

/// The body as the client reads it, after undoing `Content-Encoding`.
fn decoded(headers: &HeaderMap, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match headers.get("content-encoding").map(|v| v.to_str().unwrap()) {
        None => out.extend_from_slice(body),
        Some("gzip") => drop(flate2::read::GzDecoder::new(body).read_to_end(&mut out).unwrap()),
        Some("br") => drop(brotli::Decompressor::new(body, 4096).read_to_end(&mut out).unwrap()),
        Some(other) => panic!("unexpected encoding {other}"),
    }
    out
}

both_backends! {
    async fn gzip_and_brotli_answers_decode_to_the_same_json_and_small_ones_go_plain(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let street = Fixture::street(&app, "压缩街道").await;
        for name in ["东园", "西园", "南园", "北园", "中园", "上园", "下园", "前园"] {
            let community = street.community(&app, &format!("{name}社区")).await;
            Fixture::compound(&app, &community, &format!("{name}新村")).await;
        }
        let admin = street.admin(&app);
        let big = "{ communities(first: 20) { edges { node { id code name street { id name } partyOrganizations { id kind name }
                     compounds(first: 5) { edges { node { id name } } } } } } }";
        let (status, plain_headers, plain) = app.send(post(&admin, big, None)).await;
        assert_eq!(status, 200);
        assert!(plain.len() > gongzhi::http::COMPRESS_ABOVE as usize, "[{}] the answer is too small to test: {}", backend.name(), plain.len());
        assert!(!plain_headers.contains_key("content-encoding"), "no Accept-Encoding, no compression");
        assert_eq!(plain_headers["cache-control"], "private, no-store");
        let plain: Value = serde_json::from_slice(&plain).unwrap();
        assert!(plain.get("errors").is_none(), "{plain}");
        // The second and third requests are answered from the response cache, compressed on the way out.
        for (asked, got) in [("gzip", "gzip"), ("br", "br"), ("br;q=1.0, gzip;q=0.5", "br"), ("gzip, deflate", "gzip")] {
            let (status, headers, body) = app.send(post(&admin, big, Some(asked))).await;
            assert_eq!(status, 200);
            assert_eq!(headers["content-encoding"], got, "[{}] Accept-Encoding: {asked}", backend.name());
            assert!(headers["vary"].to_str().unwrap().to_ascii_lowercase().contains("accept-encoding"));
            assert_eq!(headers["cache-control"], "private, no-store");
            assert!(body.len() < plain.to_string().len(), "{got} is smaller");
            let json: Value = serde_json::from_slice(&decoded(&headers, &body)).unwrap();
            assert_eq!(json, plain, "[{}] {got} decodes to the same answer", backend.name());
        }
        // A small answer goes out as it is, whatever the client accepts.
        let (status, headers, body) = app.send(post(&admin, "{ viewer { kind } }", Some("gzip, br"))).await;
        assert_eq!(status, 200);
        assert!(!headers.contains_key("content-encoding"), "{headers:?}");
        assert_eq!(headers["cache-control"], "private, no-store");
        assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["data"]["viewer"]["kind"], "STREET_ADMIN");
    }
}

#[tokio::test]
async fn graphiql_assets_are_versioned_with_etags_and_revalidate_to_304() {
    let app = TestApp::new(&backends()[0], Content::Empty).await;
    let (_, headers, page) = app.send(Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(headers["cache-control"], "no-cache", "the page is revalidated, so new asset versions are seen at once");
    let page = String::from_utf8(page).unwrap();
    let start = page.find("/assets/graphiql/graphiql.min.js?v=").expect("the page links a versioned asset");
    let url = &page[start..start + page[start..].find('"').unwrap()];
    let get = |uri: &str, headers: &[(&str, &str)]| {
        let mut req = Request::get(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.body(Body::empty()).unwrap()
    };
    let (status, headers, body) = app.send(get(url, &[("accept-encoding", "br")])).await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable", "a versioned asset is kept a year");
    assert_eq!(headers["content-encoding"], "br", "a large asset is compressed");
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    let plain = decoded(&headers, &body);
    assert!(plain.len() > 100_000 && body.len() < plain.len() / 2, "{} → {}", plain.len(), body.len());

    let (status, headers, body) = app.send(get(url, &[("if-none-match", &etag)])).await;
    assert_eq!(status, 304);
    assert!(body.is_empty());
    assert_eq!(headers["etag"], etag.as_str());
    // Without the current version, the asset is revalidated before each use.
    let (status, headers, _) = app.send(get("/assets/graphiql/graphiql.min.js", &[])).await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "public, no-cache");
    assert_eq!(headers["etag"], etag.as_str());
    let (status, _, _) = app.send(get("/assets/graphiql/graphiql.min.js?v=0000", &[("if-none-match", "W/\"0000\"")])).await;
    assert_eq!(status, 200, "another version's tag does not match");
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_a_code_whether_announced_or_not() {
    let limits = gongzhi::http::Limits { body_bytes: 1000, ..gongzhi::http::Limits::default() };
    let app = TestApp::with_limits(&backends()[0], Content::Empty, limits).await;
    let body = json!({ "query": "{ viewer { kind } }", "variables": { "pad": "x".repeat(2000) } }).to_string();
    // Announced with Content-Length: the body-limit layer refuses before the handler runs.
    let announced = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("content-length", body.len())
        .header("accept", "application/graphql-response+json")
        .body(Body::from(body.clone()))
        .unwrap();
    // Not announced: found out while the body is read.
    let streamed = Request::post("/graphql").header("content-type", "application/json").body(Body::from(body)).unwrap();
    for req in [announced, streamed] {
        let (status, headers, body) = app.send(req).await;
        assert_eq!(status, 413);
        assert!(headers["content-type"].to_str().unwrap().contains("json"), "{headers:?}");
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE", "{v}");
        assert!(v["errors"][0]["message"].as_str().unwrap().contains("1000 bytes"), "{v}");
    }
}

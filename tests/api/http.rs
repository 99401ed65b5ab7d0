//! HTTP behaviour: GraphQL over HTTP, GraphiQL served locally, health, metrics, request ids, CORS.

use axum::body::Body;
use axum::http::Request;
use gongzhi::http::Limits;
use serde_json::{Value, json};

use crate::fixtures::Fixture;
use crate::support::{Content, TestApp, backends};

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn get_runs_queries_but_not_mutations() {
    let backend = &backends()[0];
    let app = TestApp::demo(backend).await;
    let token = app.street_admin();
    let q = "query%20Q%7Bcommunities%7BtotalCount%7D%7D";
    let req = Request::get(format!("/graphql?query={q}&operationName=Q"))
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = app.send(req).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["data"]["communities"]["totalCount"], 15);

    let m = "mutation%7BcreateCompound(input%3A%7BcommunityId%3A%22x%22%2Cname%3A%22y%22%7D)%7Bcompound%7Bid%7D%7D%7D";
    let req = Request::get(format!("/graphql?query={m}")).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let (status, headers, _) = app.send(req).await;
    assert_eq!(status, 405);
    assert_eq!(headers["allow"], "POST");
}

#[tokio::test]
async fn media_types_follow_graphql_over_http() {
    let backend = &backends()[0];
    let app = TestApp::demo(backend).await;
    // application/graphql-response+json: a request that cannot execute is a 400 without data.
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(Body::from(r#"{"query": "{ viewer { "}"#))
        .unwrap();
    let (status, headers, body) = app.send(req).await;
    assert_eq!(status, 400);
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/graphql-response+json"));
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert!(v.get("data").is_none() && v["errors"].is_array());
    // application/json: the same request is a 200 with errors.
    let req = Request::post("/graphql").header("content-type", "application/json").body(Body::from(r#"{"query": "{ viewer { "}"#)).unwrap();
    let (status, headers, _) = app.send(req).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"));
    // No content type: 415.
    let req = Request::post("/graphql").body(Body::from(r#"{"query": "{ viewer { kind } }"}"#)).unwrap();
    let (status, _, _) = app.send(req).await;
    assert_eq!(status, 415);
    // Null variables, operationName and extensions are accepted.
    let req = Request::post("/graphql")
        .header("content-type", "application/json; charset=utf-8")
        .body(Body::from(r#"{"query": "{ __typename }", "variables": null, "operationName": null, "extensions": null}"#))
        .unwrap();
    let (status, _, body) = app.send(req).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
}

both_backends! {
    async fn operations_endpoints_answer(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let (status, _, body) = app.send(get("/healthz")).await;
        assert_eq!((status.as_u16(), body.as_slice()), (200, b"ok".as_slice()));
        let (status, _, _) = app.send(get("/readyz")).await;
        assert_eq!(status, 200);
        app.ok(Some(&app.street_admin()), "query Landing { communities { totalCount } }", json!({})).await;
        // Refused callers get no label of their own.
        app.post(Some("Bearer garbage"), "query Spam1 { viewer { kind } }", json!({})).await;
        let (status, _, body) = app.send(get("/metrics")).await;
        assert_eq!(status, 200);
        let text = String::from_utf8(body).unwrap();
        assert!(text.contains("gongzhi_graphql_requests_total{operation=\"Landing\",outcome=\"ok\"} 1"), "{text}");
        assert!(text.contains("gongzhi_graphql_request_duration_seconds_bucket"));
        assert!(text.contains("gongzhi_db_pool_connections"));
        assert!(text.contains("gongzhi_live_subscribers 0"), "{text}");
        assert!(!text.contains("Spam1") && text.contains("operation=\"anonymous\",outcome=\"rejected\""), "{text}");
    }
}

#[tokio::test]
async fn graphiql_is_served_without_any_cdn() {
    let app = TestApp::new(&backends()[0], Content::Empty).await;
    let (status, _, body) = app.send(get("/")).await;
    assert_eq!(status, 200);
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("/assets/graphiql/graphiql.min.js"));
    assert!(!page.contains("http://") && !page.contains("https://"), "the page must not load anything from outside");
    for asset in ["graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"] {
        let (status, headers, body) = app.send(get(&format!("/assets/graphiql/{asset}"))).await;
        assert_eq!(status, 200, "{asset}");
        assert!(body.len() > 1000, "{asset}");
        assert!(headers.contains_key("content-type"));
    }
    let (status, _, _) = app.send(get("/assets/graphiql/../../Cargo.toml")).await;
    assert_ne!(status, 200);
}

#[tokio::test]
async fn request_ids_and_cors() {
    let limits = Limits { cors_origins: vec!["https://console.meiling.example".into()], ..Limits::default() };
    let app = TestApp::with_limits(&backends()[0], Content::Empty, limits).await;
    let (_, headers, _) = app.send(get("/healthz")).await;
    assert!(!headers["x-request-id"].is_empty(), "a request id is generated");
    let req = Request::get("/healthz").header("x-request-id", "abc-123").body(Body::empty()).unwrap();
    let (_, headers, _) = app.send(req).await;
    assert_ne!(headers["x-request-id"], "abc-123", "the server gives every request an id of its own");
    assert!(!headers["x-request-id"].is_empty());

    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/graphql")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization,content-type")
            .body(Body::empty())
            .unwrap()
    };
    let (_, headers, _) = app.send(preflight("https://console.meiling.example")).await;
    assert_eq!(headers["access-control-allow-origin"], "https://console.meiling.example");
    let (_, headers, _) = app.send(preflight("https://evil.example")).await;
    assert!(!headers.contains_key("access-control-allow-origin"));
}

both_backends! {
    async fn repeated_queries_are_served_from_the_response_cache_until_a_change(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        Fixture::compound(&app, &songyuan, "松园新村").await;
        let staff = songyuan.staff(&app);
        let q = "query($c: String!) { community(code: $c) { compounds { totalCount edges { node { name } } } } }";
        let code = json!({ "c": songyuan.code });
        let (first_cost, first) = app.count_statements(app.ok(Some(&staff), q, code.clone())).await;
        assert!(first_cost > 0);
        let (again_cost, again) = app.count_statements(app.ok(Some(&staff), q, code.clone())).await;
        assert_eq!((again_cost, &again), (0, &first), "[{}] the same principal's repeat is served from the cache", backend.name());
        // Another principal never gets this principal's answer.
        let other = app.ok(Some(&zhuxi.staff(&app)), q, code.clone()).await;
        assert!(other["community"].is_null());
        // A mutation makes the next read fresh.
        app.ok(
            Some(&songyuan.admin(&app)),
            "mutation($i: CreateCompoundInput!) { createCompound(input: $i) { compound { id } } }",
            json!({ "i": { "communityId": songyuan.id, "name": "缓存失效小区" } }),
        )
        .await;
        let after = app.ok(Some(&staff), q, code.clone()).await;
        let before_n = first["community"]["compounds"]["totalCount"].as_i64().unwrap();
        assert_eq!(after["community"]["compounds"]["totalCount"].as_i64().unwrap(), before_n + 1, "stale after a mutation");
        // Errors are never cached: an unauthenticated repeat still fails, a failing query is re-run.
        let failing = "query($c: String!) { community(code: $c) { id } units(first: 500) { totalCount } }";
        app.post(Some(&staff), failing, code.clone()).await;
        let (cost, (_, body)) = app.count_statements(app.post(Some(&staff), failing, code)).await;
        assert!(body["errors"].is_array());
        assert!(cost > 0, "a response with errors was cached");
    }
}

#[tokio::test]
async fn the_response_cache_can_be_turned_off() {
    let limits = Limits { response_cache: std::time::Duration::ZERO, ..Limits::default() };
    let app = TestApp::with_limits(&backends()[0], Content::Graph(1), limits).await;
    let token = app.street_admin();
    let q = "{ communities { totalCount } }";
    app.ok(Some(&token), q, json!({})).await;
    let (cost, _) = app.count_statements(app.ok(Some(&token), q, json!({}))).await;
    assert!(cost > 0, "every request reaches the database when the cache is off");
}

both_backends! {
    async fn a_request_over_the_time_limit_gets_a_graphql_error(backend: Backend) {
        // No time at all: the first wait for the database runs out.
        let limits = Limits { timeout: std::time::Duration::ZERO, response_cache: std::time::Duration::ZERO, ..Limits::default() };
        let app = TestApp::with_limits(&backend, Content::Graph(1), limits).await;
        let (status, body) = app
            .post(Some(&app.street_admin()), "{ communities(first: 20) { edges { node { compounds { totalCount } } } } }", json!({}))
            .await;
        assert_eq!(status, 504, "[{}] {body}", backend.name());
        assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT", "{body}");
    }
}

#[tokio::test]
async fn a_change_on_one_instance_refreshes_the_cached_answers_of_another() {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let Some(backend) = backends().into_iter().find(|b| b.name() == "postgres") else { return };
    let app = TestApp::demo(&backend).await;
    let songyuan = Fixture::community(&app, "松园").await;
    Fixture::compound(&app, &songyuan, "松园新村").await;
    let station = Fixture::unit(&app, "派出所").await.seated_in(&app, &songyuan).await;
    // A second instance on the same database, caching answers for a whole minute.
    let db = gongzhi::db::connect(&app.test_db.url, 2).await.unwrap();
    let limits = Limits { response_cache: std::time::Duration::from_secs(60), ..Limits::default() };
    let state = gongzhi::http::AppState::new(db.clone(), crate::support::SECRET, limits);
    state.changes.listen(db);
    let mut crossing = state.live.subscribe();
    let other = gongzhi::app(state);
    // Its listener connects in the background: wait until a task event crosses over.
    let mut listening = false;
    for attempt in 0..20 {
        Fixture::task(&app, &songyuan, &format!("监听就绪{attempt}")).await;
        if let Ok(Ok(_)) = tokio::time::timeout(std::time::Duration::from_millis(500), crossing.recv()).await {
            listening = true;
            break;
        }
    }
    assert!(listening, "the second instance never heard the first");

    let staff = songyuan.staff(&app);
    let q = "query($c: String!) { community(code: $c) { id compounds { totalCount } } }";
    let vars = json!({ "c": songyuan.code });
    let ask = |router: axum::Router| {
        let req = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {staff}"))
            .body(Body::from(json!({ "query": q, "variables": vars }).to_string()))
            .unwrap();
        async move {
            let body = router.oneshot(req).await.unwrap().into_body().collect().await.unwrap().to_bytes();
            serde_json::from_slice::<Value>(&body).unwrap()["data"]["community"].clone()
        }
    };
    let before = ask(other.clone()).await;
    let n = before["compounds"]["totalCount"].as_i64().unwrap();
    // A change that is no task event: only the change notice can reach the other cache.
    app.ok(
        Some(&songyuan.admin(&app)),
        "mutation($i: CreateCompoundInput!) { createCompound(input: $i) { compound { id } } }",
        json!({ "i": { "communityId": songyuan.id, "name": "跨实例小区" } }),
    )
    .await;
    let mut refreshed = false;
    for _ in 0..50 {
        if ask(other.clone()).await["compounds"]["totalCount"].as_i64().unwrap() == n + 1 {
            refreshed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(refreshed, "the second instance kept serving its cached answer");

    // A key revoked on the first instance stops working on the second at once, although the
    // second resolved it a moment ago (resolved scopes are reused for up to 2 s otherwise).
    let key = station.api_key(&app, &songyuan).await;
    let (secret, key_id) = (key.secret, key.id);
    let with_key = |router: axum::Router| {
        let req = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("ApiKey {secret}"))
            .body(Body::from(json!({ "query": "{ viewer { kind } }" }).to_string()))
            .unwrap();
        async move { router.oneshot(req).await.unwrap().status().as_u16() }
    };
    assert_eq!(with_key(other.clone()).await, 200);
    app.ok(
        Some(&songyuan.street_admin(&app)),
        "mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { apiKey { active } } }",
        json!({ "i": { "id": key_id } }),
    )
    .await;
    let revoked_at = std::time::Instant::now();
    while with_key(other.clone()).await != 401 {
        assert!(revoked_at.elapsed() < std::time::Duration::from_millis(1500), "the revoked key still works on the second instance");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

//! No single request may take the server down: documents that ask for too much are refused
//! before they run, database work is shared fairly, answers have a size limit, and the
//! operator's switches (GraphiQL, introspection, metrics) hold.

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use gongzhi::config::Introspection;
use gongzhi::http::{Limits, MetricsAccess};
use serde_json::{Value, json};

use crate::fixtures::Fixture;
use crate::support::{Content, TestApp, backends};

fn aliases(n: usize, field: &str) -> String {
    let fields: String = (0..n).map(|i| format!("a{i}: {field} ")).collect();
    format!("{{ {fields} }}")
}

/// Sends `query` and checks it is refused with `code` without a single SQL statement.
async fn refused_before_execution(app: &TestApp, token: Option<&str>, query: &str, code: &str, words: &str) {
    let (statements, (status, body)) = app.count_statements(app.post(token, query, json!({}))).await;
    assert_eq!(status, 200, "[{}] {body}", app.backend.name());
    assert_eq!(body["errors"][0]["extensions"]["code"], code, "[{}] {body}", app.backend.name());
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(words), "[{}] the refusal says why ({words}): {message}", app.backend.name());
    assert!(body.get("data").is_none_or(Value::is_null), "[{}] nothing executed: {body}", app.backend.name());
    // Credentials of street staff are resolved from the token alone (cached scopes aside), so a
    // refusal before execution reads next to nothing.
    assert!(statements <= 2, "[{}] {statements} statements for a refused document", app.backend.name());
}

both_backends! {
    async fn alias_and_introspection_bombs_are_refused_before_execution(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let admin = app.street_admin();
        // 10,000 aliases of a cheap database field, as a member might send them.
        refused_before_execution(&app, Some(&admin), &aliases(10_000, "serviceCategories { code }"), "GRAPHQL_VALIDATION_FAILED", "names")
            .await;
        // 1,000 aliases of the statistics, as a street admin might.
        let stats = aliases(1_000, "volunteerStatistics { volunteers totals { personTimes } }");
        refused_before_execution(&app, Some(&admin), &stats, "GRAPHQL_VALIDATION_FAILED", "aliases").await;
        // 2,000 aliased introspections, anonymously.
        let bomb = aliases(2_000, "__schema { types { name fields { name args { name type { name } } } } }");
        refused_before_execution(&app, None, &bomb, "GRAPHQL_VALIDATION_FAILED", "names").await;
        let bomb = aliases(200, "__schema { types { name fields { name args { name type { name } } } } }");
        refused_before_execution(&app, None, &bomb, "GRAPHQL_VALIDATION_FAILED", "introspection").await;
        // Under the alias limit, introspection has its own small budget.
        let few = aliases(3, "__schema { types { name } }");
        refused_before_execution(&app, None, &few, "GRAPHQL_VALIDATION_FAILED", "introspection").await;
        // One full introspection, as GraphiQL sends it, still works.
        let data = app.ok(None, "{ __schema { queryType { name } types { name fields { name args { name } } } } }", json!({})).await;
        assert!(data["__schema"]["types"].as_array().is_some_and(|t| t.len() > 50));
        // Aliases count wherever they are, fragments spread.
        let spread =
            format!("{{ viewer {{ ...V }} }} fragment V on Viewer {{ {} }}", (0..150).map(|i| format!("k{i}: kind ")).collect::<String>());
        refused_before_execution(&app, Some(&admin), &spread, "GRAPHQL_VALIDATION_FAILED", "aliases").await;
    }
}

both_backends! {
    async fn database_fields_weigh_more_than_plain_ones(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let admin = app.street_admin();
        // 90 aliases are allowed by count, but 90 pages of 100 communities each with 20 compounds
        // are not by weight.
        let heavy = aliases(90, "communities(first: 100) { edges { node { compounds(first: 20) { totalCount } } } }");
        refused_before_execution(&app, Some(&admin), &heavy, "GRAPHQL_VALIDATION_FAILED", "complex").await;
        // The same number of plain fields is fine.
        let plain = aliases(90, "viewer { kind }");
        app.ok(Some(&admin), &plain, json!({})).await;
    }
}

both_backends! {
    async fn one_request_cannot_hold_the_pool(backend: Backend) {
        // A pool of 4; each request may run 2 statements at once.
        let limits = Limits {
            work: gongzhi::db::WorkLimits { concurrent: 2, statements: 1_000 },
            response_cache: Duration::ZERO,
            ..Limits::default()
        };
        let app = TestApp::with_pool(&backend, Content::Demo(1), limits, 4, Duration::from_secs(10)).await;
        let admin = app.street_admin();
        // Heavy documents of the kind the limits allow (40 aliases, each a page of statistics; the
        // limit is 100): six of them want twelve connections at once from a pool of four. Smaller
        // than the worst so that the test stays quick on a machine busy with other builds; what it
        // shows is the sharing of the pool, not the cost of one document (bench/hostile.sh).
        let worst =
            aliases(40, "volunteerStatistics { volunteers totals { personTimes hours } byCategory { category totals { personTimes } } }");
        let hostile: Vec<_> = (0..6)
            .map(|_| {
                let (app, admin, worst) = (&app, admin.clone(), worst.clone());
                async move { app.post(Some(&admin), &worst, json!({})).await }
            })
            .collect();
        let ordinary = async {
            // Starts once the hostile requests are running.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let started = std::time::Instant::now();
            let data = app.ok(Some(&admin), "{ viewer { kind } communities { totalCount } }", json!({})).await;
            (data, started.elapsed())
        };
        let (results, (data, waited)) = tokio::join!(futures_util::future::join_all(hostile), ordinary);
        assert_eq!(data["communities"]["totalCount"], 15, "[{}] the ordinary query succeeds", backend.name());
        for (status, body) in results {
            // The allowed documents run too; on a machine busy with other work one may wait out
            // the pool and be told to come back, but none fails otherwise.
            let code = body["errors"][0]["extensions"]["code"].as_str().unwrap_or("none");
            let fine = (status == 200 && body["errors"].is_null()) || (status == 503 && code == "SERVICE_UNAVAILABLE");
            assert!(fine, "[{}] {status}: {}", backend.name(), &body.to_string()[..body.to_string().len().min(300)]);
        }
        eprintln!("[{}] an ordinary query beside six heavy documents took {waited:?}", backend.name());
    }
}

both_backends! {
    async fn a_request_has_a_statement_budget(backend: Backend) {
        let limits = Limits { work: gongzhi::db::WorkLimits { concurrent: 4, statements: 10 }, ..Limits::default() };
        let app = TestApp::with_limits(&backend, Content::Graph(1), limits).await;
        let admin = app.street_admin();
        let (statements, (_, body)) =
            app.count_statements(app.post(Some(&admin), &aliases(40, "serviceCategories { code }"), json!({}))).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED", "[{}] {body}", backend.name());
        assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("statements"), "{body}");
        assert!(statements <= 12 + app.scope_statements(), "[{}] the budget stops the work: {statements} statements", backend.name());
        // Within the budget all is well.
        app.ok(Some(&admin), &aliases(3, "serviceCategories { code }"), json!({})).await;
    }
}

both_backends! {
    async fn a_busy_pool_answers_503_with_retry_after(backend: Backend) {
        let limits = Limits { response_cache: Duration::ZERO, ..Limits::default() };
        let app = TestApp::with_pool(&backend, Content::Graph(1), limits, 1, Duration::from_millis(300)).await;
        let admin = app.street_admin();
        app.ok(Some(&admin), "{ serviceCategories { code } }", json!({})).await;
        // Someone holds the only connection.
        let held = sea_orm::TransactionTrait::begin(&app.server_db).await.expect("hold the connection");
        let req = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {admin}"))
            .body(Body::from(json!({ "query": "{ serviceCategories { code } }" }).to_string()))
            .unwrap();
        let (status, headers, body) = app.send(req).await;
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(status, 503, "[{}] {body}", backend.name());
        assert_eq!(headers["retry-after"], "1");
        assert_eq!(body["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE", "{body}");
        drop(held);
        app.ok(Some(&admin), "{ serviceCategories { code } }", json!({})).await;
    }
}

both_backends! {
    async fn answers_have_a_size_limit(backend: Backend) {
        let mut limits = Limits { response_cache: Duration::ZERO, ..Limits::default() };
        limits.document.response_bytes = 4_000;
        let app = TestApp::with_limits(&backend, Content::Graph(1), limits).await;
        let admin = app.street_admin();
        let big = "{ communities(first: 15) { edges { node { code name compounds(first: 20) { edges { node { name builtYear } } } } } } }";
        let (status, body) = app.post(Some(&admin), big, json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(body["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED", "[{}] {body}", backend.name());
        assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("4000 bytes"), "{body}");
        app.ok(Some(&admin), "{ viewer { kind } }", json!({})).await;
    }
}

#[tokio::test]
async fn introspection_can_be_limited_to_callers_with_a_credential_or_turned_off() {
    let backend = &backends()[0];
    let query = "{ __schema { queryType { name } } }";
    let limits = Limits { introspection: Introspection::Authenticated, ..Limits::default() };
    let app = TestApp::with_limits(backend, Content::Graph(1), limits).await;
    let (_, body) = app.post(None, query, json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("credential"), "{body}");
    app.ok(Some(&app.street_admin()), query, json!({})).await;
    app.ok(None, "{ __typename viewer { kind } }", json!({})).await;

    let limits = Limits { introspection: Introspection::Off, ..Limits::default() };
    let app = TestApp::with_limits(backend, Content::Graph(1), limits).await;
    let (_, body) = app.post(Some(&app.street_admin()), "{ __type(name: \"Task\") { name } }", json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("turned off"), "{body}");
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn graphiql_has_security_headers_and_can_be_switched_off() {
    let backend = &backends()[0];
    let app = TestApp::new(backend, Content::Empty).await;
    let (status, headers, _) = app.send(get("/")).await;
    assert_eq!(status, 200);
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let (status, _, body) = app.send(get("/assets/graphiql/start.js")).await;
    assert_eq!(status, 200, "the page's script is a file of its own");
    assert!(String::from_utf8_lossy(&body).contains("GraphiQL.createFetcher"));

    let app = TestApp::with_limits(backend, Content::Empty, Limits { graphiql: false, ..Limits::default() }).await;
    assert_eq!(app.send(get("/")).await.0, 404);
    assert_eq!(app.send(get("/assets/graphiql/graphiql.min.js")).await.0, 404);
}

#[tokio::test]
async fn metrics_can_ask_for_a_token_and_label_only_operations_that_succeeded() {
    let backend = &backends()[0];
    let limits = Limits { metrics: MetricsAccess { token: Some("metrics-secret".into()), separate: false }, ..Limits::default() };
    let app = TestApp::with_limits(backend, Content::Graph(1), limits).await;
    assert_eq!(app.send(get("/metrics")).await.0, 401);
    let wrong = Request::get("/metrics").header("authorization", "Bearer nope").body(Body::empty()).unwrap();
    assert_eq!(app.send(wrong).await.0, 401);

    // A junk operation name refused or failing is not a label; one that succeeded is.
    let admin = app.street_admin();
    app.post(None, "query JunkName1 { communities { totalCount } }", json!({})).await;
    app.post(Some(&admin), "query JunkName2 { nope }", json!({})).await;
    app.ok(Some(&admin), "query CommunityCount { communities { totalCount } }", json!({})).await;
    let ok = Request::get("/metrics").header("authorization", "Bearer metrics-secret").body(Body::empty()).unwrap();
    let (status, _, body) = app.send(ok).await;
    let text = String::from_utf8_lossy(&body);
    assert_eq!(status, 200);
    assert!(text.contains("operation=\"CommunityCount\""), "{text}");
    assert!(!text.contains("JunkName"), "{text}");

    let separate = Limits { metrics: MetricsAccess { token: None, separate: true }, ..Limits::default() };
    let app = TestApp::with_limits(backend, Content::Empty, separate).await;
    assert_eq!(app.send(get("/metrics")).await.0, 404, "served on the metrics address only");
}

both_backends! {
    async fn input_errors_carry_a_code_and_name_the_variable(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let admin = app.street_admin();
        let mutation = "mutation($due: DateTime) { createTask(input: { communityId: \"x\", title: \"t\", category: SANITATION, dueAt: $due }) { task { id } } }";
        for due in ["+262143-01-01T00:00:00Z", "99999-01-01T00:00:00Z", "yesterday"] {
            let (_, body) = app.post(Some(&admin), mutation, json!({ "due": due })).await;
            let err = &body["errors"][0];
            assert_eq!(err["extensions"]["code"], "BAD_USER_INPUT", "[{}] {due}: {body}", backend.name());
            assert_eq!(err["extensions"]["variable"], "due", "[{}] {due}: {body}", backend.name());
        }
        let (_, body) = app.post(Some(&admin), "query($n: Int) { communities(first: $n) { totalCount } }", json!({ "n": "many" })).await;
        assert!(body["errors"].as_array().is_some_and(|e| e.iter().all(|e| e["extensions"]["code"].is_string())), "{body}");
    }
}

both_backends! {
    async fn internal_errors_carry_the_request_id(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        // A table the server expects is gone: our failure, not the caller's.
        sea_orm::ConnectionTrait::execute_unprepared(&app.db, "ALTER TABLE service_category RENAME TO service_category_gone")
            .await
            .unwrap();
        let req = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", app.street_admin()))
            .body(Body::from(json!({ "query": "{ serviceCategories { code } }" }).to_string()))
            .unwrap();
        let (_, headers, body) = app.send(req).await;
        let body: Value = serde_json::from_slice(&body).unwrap();
        let err = &body["errors"][0];
        assert_eq!(err["extensions"]["code"], "INTERNAL", "[{}] {body}", backend.name());
        assert_eq!(err["message"], "internal error", "the cause stays in the log");
        assert_eq!(err["extensions"]["requestId"], headers["x-request-id"].to_str().unwrap(), "{body}");
    }
}

#[tokio::test]
async fn tokens_expired_beyond_the_leeway_are_refused() {
    use gongzhi::auth::{Claims, Keys, Role};
    let app = TestApp::demo(&backends()[0]).await;
    let songjiang = Fixture::street(&app, "松江街道").await;
    let keys = Keys::new(crate::support::SECRET);
    let now = chrono::Utc::now().timestamp();
    let token = |expired_secs_ago: i64| {
        let mut claims = Claims::new(Role::StreetAdmin, Duration::from_secs(60));
        claims.street = Some(songjiang.code.clone());
        claims.iat = (now - 120) as u64;
        claims.exp = (now - expired_secs_ago) as u64;
        keys.issue(&claims.with_subject()).unwrap()
    };
    let (status, body) = app.post(Some(&token(20)), "{ viewer { kind } }", json!({})).await;
    assert_eq!(status, 401, "expired 20 s ago, past the 5 s leeway: {body}");
    let data = app.ok(Some(&token(2)), "{ viewer { kind } }", json!({})).await;
    assert_eq!(data["viewer"]["kind"], "STREET_ADMIN", "within the leeway of clock skew");
}

both_backends! {
    async fn audit_records_keep_the_servers_request_id_and_the_clients_beside_it(backend: Backend) {
        use sea_orm::{EntityTrait, QueryOrder};
        let app = TestApp::demo(&backend).await;
        let req = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", app.street_admin()))
            .header("x-request-id", "client-chosen-id")
            .body(Body::from(
                json!({ "query": "mutation { createServiceCategory(input: { code: \"river-watch\", name: \"护河\" }) { category { code } } }" })
                    .to_string(),
            ))
            .unwrap();
        let (status, headers, body) = app.send(req).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let record = entity::audit_log::Entity::find().order_by_desc(entity::audit_log::Column::Id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(record.action, "createServiceCategory", "{}", String::from_utf8_lossy(&body));
        assert_eq!(record.request_id, headers["x-request-id"].to_str().unwrap());
        assert_ne!(record.request_id, "client-chosen-id");
        assert_eq!(record.client_request_id.as_deref(), Some("client-chosen-id"));
    }
}

/// POSTs `{ viewer { kind } }` as `token` (or anonymously from `peer`); status, `Retry-After`, body.
async fn viewer_from(app: &TestApp, token: Option<&str>, peer: Option<[u8; 4]>) -> (u16, Option<u64>, Value) {
    let mut req = Request::post("/graphql").header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let mut req = req.body(Body::from(json!({ "query": "{ viewer { kind } }" }).to_string())).unwrap();
    if let Some(ip) = peer {
        req.extensions_mut().insert(gongzhi::http::Peer(std::net::IpAddr::from(ip)));
    }
    let (status, headers, body) = app.send(req).await;
    let retry = headers.get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    (status.as_u16(), retry, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

both_backends! {
    async fn past_its_rate_a_caller_gets_429_with_retry_after_and_then_service_again(backend: Backend) {
        let limits = Limits { rate: gongzhi::http::rate::Rate { per_second: 1, burst: 2 }, ..Limits::default() };
        let app = TestApp::with_limits(&backend, Content::Graph(1), limits).await;
        let admin = app.street_admin();
        for _ in 0..2 {
            assert_eq!(viewer_from(&app, Some(&admin), None).await.0, 200);
        }
        let (status, retry, body) = viewer_from(&app, Some(&admin), None).await;
        assert_eq!(status, 429, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
        let retry = retry.expect("Retry-After");
        assert!((1..=2).contains(&retry), "{retry}");
        // Another principal, and each anonymous address, has a budget of its own.
        let staff = app.token(gongzhi::auth::Role::CommunityStaff, "meiling");
        assert_eq!(viewer_from(&app, Some(&staff), None).await.0, 200);
        for _ in 0..2 {
            assert_eq!(viewer_from(&app, None, Some([10, 0, 0, 1])).await.0, 200);
        }
        assert_eq!(viewer_from(&app, None, Some([10, 0, 0, 1])).await.0, 429);
        assert_eq!(viewer_from(&app, None, Some([10, 0, 0, 2])).await.0, 200, "another address");
        // After the wait it names, the caller is served again.
        tokio::time::sleep(Duration::from_secs(retry)).await;
        assert_eq!(viewer_from(&app, Some(&admin), None).await.0, 200, "service restored");
        // Exports and the monthly report spend the caller's same budget.
        let staff = app.token(gongzhi::auth::Role::CommunityStaff, "zhuyuan");
        let mut answers = Vec::new();
        for path in ["/export/organisation-figures.csv", "/reports/monthly?month=2026-11", "/export/organisation-figures.ndjson"] {
            let req = Request::get(path).header("authorization", format!("Bearer {staff}")).body(Body::empty()).unwrap();
            let (status, headers, body) = app.send(req).await;
            let retry = headers.get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
            answers.push((status.as_u16(), retry, String::from_utf8_lossy(&body).into_owned()));
        }
        assert_eq!((answers[0].0, answers[1].0), (200, 200), "{answers:?}");
        let (status, retry, body) = &answers[2];
        assert_eq!(*status, 429, "{body}");
        assert!(body.contains("RATE_LIMITED") && retry.is_some_and(|r| (1..=2).contains(&r)), "{retry:?} {body}");
    }
}

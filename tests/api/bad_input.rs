//! Bad input gets a clear error with a code, never a panic or a 500, and the server keeps serving.

use axum::body::Body;
use axum::http::Request;
use gongzhi::http::Limits;
use serde_json::{Value, json};

use crate::fixtures::Fixture;
use crate::support::{Content, TestApp};

fn post(body: impl Into<Body>, token: Option<&str>) -> Request<Body> {
    let mut req = Request::post("/graphql").header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", t);
    }
    req.body(body.into()).unwrap()
}

/// An ordinary query still answers, with data.
async fn still_serving(app: &TestApp) {
    let data = app.ok(Some(&app.street_admin()), "{ communities { totalCount } }", json!({})).await;
    assert!(data["communities"]["totalCount"].as_i64().is_some_and(|n| n > 0), "{data}");
}

fn code(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(body)));
    v["errors"][0]["extensions"]["code"].as_str().unwrap_or_default().to_owned()
}

both_backends! {
    async fn every_kind_of_bad_input_gets_its_code(backend: Backend) {
        let limits = Limits { body_bytes: 1024 * 1024, ..Limits::default() };
        let app = TestApp::with_limits(&backend, Content::Graph(1), limits).await;
        let bearer = format!("Bearer {}", app.street_admin());

        let (status, _, body) = app.send(post("{\"query\": ", Some(&bearer))).await;
        assert_eq!((status.as_u16(), code(&body).as_str()), (400, "BAD_REQUEST"), "malformed JSON");

        let (status, body) = app.post(Some(&app.street_admin()), "{ communities { ", json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(body["errors"][0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED", "syntax error: {body}");

        let (_, body) = app.post(Some(&app.street_admin()), "{ communities { nope } }", json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "unknown field: {body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("nope"));

        let deep = format!("{{ streets {{ workingCommittee {{ {} id {} }} }} }}", "children { parent { ".repeat(24), "} } ".repeat(24));
        let (_, body) = app.post(Some(&app.street_admin()), &deep, json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "50 levels deep: {body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("deep"), "{body}");

        // Pages multiply: 100 communities × 100 compounds × 100 members is far over the budget.
        let wide = "{ communities(first: 100) { edges { node { compounds(first: 100) { edges { node {
            members(first: 100) { edges { node { name person { phone } } } } } } } } } } }";
        let (_, body) = app.post(Some(&app.street_admin()), wide, json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "too complex: {body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("complex"), "{body}");

        let (_, body) = app.post(Some(&app.street_admin()), "{ communities(first: 100000) { totalCount } }", json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "first: 100000: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "first");

        let (_, body) = app.post(Some(&app.street_admin()), "{ communities(first: 101) { totalCount } }", json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "first: 101");

        let (_, body) = app.post(Some(&app.street_admin()), r#"{ communities(after: "garbage") { totalCount } }"#, json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "bad cursor");

        let big = format!("{{\"query\": \"{{ viewer {{ kind }} }}\", \"variables\": {{\"pad\": \"{}\"}}}}", "x".repeat(5 * 1024 * 1024));
        let (status, _, body) = app.send(post(big, Some(&bearer))).await;
        assert_eq!((status.as_u16(), code(&body).as_str()), (413, "PAYLOAD_TOO_LARGE"), "5 MB body");

        for garbage in ["Bearer garbage", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "Bearer", "ApiKey"] {
            let (status, headers, body) = app.send(post(r#"{"query": "{ viewer { kind } }"}"#, Some(garbage))).await;
            assert_eq!((status.as_u16(), code(&body).as_str()), (401, "UNAUTHENTICATED"), "token {garbage}");
            assert!(headers.contains_key("www-authenticate"));
        }

        // A bad variable is refused alike whether the document is new or seen before.
        let query = "query($n: Int!) { communities(first: $n) { totalCount } }";
        app.ok(Some(&app.street_admin()), query, json!({ "n": 3 })).await;
        for bad in [json!({ "n": "x" }), json!({}), json!({ "n": 1.5 })] {
            let (_, body) = app.post(Some(&app.street_admin()), query, bad.clone()).await;
            assert_eq!(body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "bad variable {bad}: {body}");
        }

        still_serving(&app).await;
    }
}

both_backends! {
    async fn expired_and_foreign_tokens_are_refused(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songjiang = Fixture::street(&app, "松江街道").await;
        let mut claims = gongzhi::auth::Claims::new(gongzhi::auth::Role::StreetAdmin, std::time::Duration::from_secs(1));
        claims.street = Some(songjiang.code.clone());
        claims.exp = 1_000;
        claims.iat = 900;
        let expired = gongzhi::auth::Keys::new(crate::support::SECRET).issue(&claims).unwrap();
        let (status, body) = app.post(Some(&expired), "{ viewer { kind } }", json!({})).await;
        assert_eq!(status, 401);
        assert_eq!(body["errors"][0]["message"], "token has expired");
        let mut fresh = claims.clone();
        fresh.exp = u64::MAX / 2;
        let foreign = gongzhi::auth::Keys::new("another-secret").issue(&fresh).unwrap();
        let (status, _) = app.post(Some(&foreign), "{ viewer { kind } }", json!({})).await;
        assert_eq!(status, 401);
        let mut unknown = fresh.clone();
        unknown.street = Some("nowhere".into());
        let unknown = gongzhi::auth::Keys::new(crate::support::SECRET).issue(&unknown).unwrap();
        let (status, body) = app.post(Some(&unknown), "{ viewer { kind } }", json!({})).await;
        assert_eq!(status, 401, "{body}");
        still_serving(&app).await;
    }
}

both_backends! {
    async fn nul_characters_and_oversized_lists_are_refused_not_failed(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let admin = songyuan.admin(&app);
        let id = json!(songyuan.id);
        let create = "mutation($i: CreateCompoundInput!) { createCompound(input: $i) { compound { id } } }";
        // In a variable, and as a GraphQL string literal: PostgreSQL cannot store NUL in text.
        let (status, body) = app.post(Some(&admin), create, json!({ "i": { "communityId": id, "name": "a\u{0}b" } })).await;
        assert_eq!(
            (status.as_u16(), body["errors"][0]["extensions"]["code"].as_str()),
            (400, Some("BAD_REQUEST")),
            "[{}] {body}",
            backend.name()
        );
        let (status, body) = app.post(Some(&admin), r#"{ community(code: "zhu\u0000yuan") { id } }"#, json!({})).await;
        assert_eq!(
            (status.as_u16(), body["errors"][0]["extensions"]["code"].as_str()),
            (400, Some("BAD_REQUEST")),
            "[{}] {body}",
            backend.name()
        );
        let req = axum::http::Request::get("/graphql?query=%7Bcommunity(code%3A%22a%00%22)%7Bid%7D%7D")
            .header("authorization", format!("Bearer {admin}"))
            .body(Body::empty())
            .unwrap();
        let (status, _, _) = app.send(req).await;
        assert_eq!(status, 400);
        // Lists of ids are bounded.
        let many: Vec<Value> = (0..1001).map(|_| id.clone()).collect();
        let (_, body) = app
            .post(
                Some(&app.street_admin()),
                "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }",
                json!({ "i": { "name": "x", "startsOn": "2026-01-01", "communityIds": many } }),
            )
            .await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        still_serving(&app).await;
    }
}

both_backends! {
    /// Every error of every bad request carries `extensions.code`, whatever stage refused it.
    async fn every_error_of_a_bad_request_carries_a_code(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let admin = app.street_admin();
        let cases: Vec<(&str, Value)> = vec![
            ("{ communities { ", json!({})),
            ("{ communities { nope } }", json!({})),
            ("query($n: Int) { communities(first: $n) { totalCount } }", json!({ "n": "many" })),
            ("query($n: Int!) { communities(first: $n) { totalCount } }", json!({ "n": 5_000_000_000u64 })),
            ("query($n: Int!) { communities(first: $n) { totalCount } }", json!({})),
            ("{ tasks(filter: { statuses: [NOPE] }) { totalCount } }", json!({})),
            (
                "mutation($d: DateTime) { createTask(input: { communityId: \"x\", title: \"t\", category: SANITATION, dueAt: $d }) { task { id } } }",
                json!({ "d": "+262143-01-01T00:00:00Z" }),
            ),
            (
                "mutation { createTask(input: { communityId: \"x\", title: \"t\", category: SANITATION, dueAt: \"0001-01-01T00:00:00Z\" }) { task { id } } }",
                json!({}),
            ),
            ("mutation { createTask(input: { title: \"t\" }) { task { id } } }", json!({})),
            ("subscription { nope }", json!({})),
        ];
        for (query, variables) in cases {
            let (_, body) = app.post(Some(&admin), query, variables.clone()).await;
            let errors = body["errors"].as_array().unwrap_or_else(|| panic!("[{}] {query}: expected errors: {body}", backend.name()));
            for err in errors {
                assert!(err["extensions"]["code"].is_string(), "[{}] {query} {variables}: an error without a code: {body}", backend.name());
            }
        }
    }
}

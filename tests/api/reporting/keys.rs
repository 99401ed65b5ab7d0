//! Reporting keys: issued by street and community admins (one audit record each), read-only
//! credentials of a street or one community, refused at once when revoked or expired (also on
//! another instance), and the command line round trip.

use entity::reporting_key;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use super::*;
use crate::audit::{audited, records, refused};
use crate::fixtures::{Community, Fixture};

const ISSUE: &str = "mutation($i: IssueReportingKeyInput!) { issueReportingKey(input: $i) { secret key { id label version \
                     street { code } community { placeId code } createdBy expiresAt revokedAt lastUsedAt active } } }";
const REVOKE: &str = "mutation($i: RevokeReportingKeyInput!) { revokeReportingKey(input: $i) { key { id revokedAt active version } } }";
const LIST: &str = "query($r: Boolean) { reportingKeys(first: 50, includeRevoked: $r) { totalCount nodes { id label lastUsedAt revokedAt community { code } } } }";

/// A key: its secret and its global id.
struct Key {
    secret: String,
    id: String,
}

/// Issues a key with `token` (audited once), for `community` or the whole street.
async fn issue(app: &TestApp, token: &str, label: &str, community: Option<&Community>) -> Key {
    let mut input = json!({ "label": label });
    if let Some(c) = community {
        input["communityId"] = json!(c.id);
    }
    let data = audited(app, token, "issueReportingKey", ISSUE, json!({ "i": input })).await;
    let k = &data["issueReportingKey"];
    assert!(k["secret"].as_str().unwrap().starts_with("gzr_"), "{k}");
    assert_eq!(k["key"]["active"], json!(true));
    Key { secret: k["secret"].as_str().unwrap().to_owned(), id: k["key"]["id"].as_str().unwrap().to_owned() }
}

/// POSTs a GraphQL request with `Authorization: ApiKey <secret>`: status and body.
async fn with_key(router: &axum::Router, secret: &str, query: &str, variables: Value) -> (u16, Value) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("ApiKey {secret}"))
        .body(Body::from(json!({ "query": query, "variables": variables }).to_string()))
        .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

const SEE: &str = "{ viewer { kind } communities(first: 50) { totalCount nodes { code } } tasks(first: 50) { nodes { id } } }";

both_backends! {
    async fn keys_are_issued_listed_used_and_revoked_with_one_audit_record_each(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let admin = songyuan.street_admin(&app);
        let street_key = issue(&app, &admin, "月报", None).await;
        let community_key = issue(&app, &admin, "松园周报", Some(&songyuan)).await;

        // Nothing used yet; then a request with the street key marks its last use.
        let listed = app.ok(Some(&admin), LIST, json!({})).await;
        assert_eq!(listed["reportingKeys"]["totalCount"], json!(2), "{listed}");
        assert!(listed["reportingKeys"]["nodes"].as_array().unwrap().iter().all(|k| k["lastUsedAt"].is_null()));
        let (status, body) = with_key(&app.router, &street_key.secret, "{ viewer { kind } }", json!({})).await;
        assert_eq!((status, &body["data"]["viewer"]["kind"]), (200, &json!("REPORTER")), "{body}");
        // (Other variables than the first list's: that answer may still be served from the
        // short-lived response cache, which a key's use does not end.)
        let listed = app.ok(Some(&admin), LIST, json!({ "r": false })).await;
        let nodes = listed["reportingKeys"]["nodes"].as_array().unwrap().clone();
        let used = nodes.iter().find(|k| k["id"] == json!(street_key.id)).unwrap();
        assert!(used["lastUsedAt"].is_string(), "the last use is noted: {used}");
        let community = nodes.iter().find(|k| k["id"] == json!(community_key.id)).unwrap();
        assert_eq!(community["community"]["code"], json!(songyuan.code));

        // Revoked: 401 on the very next request, one audit record, and gone from the default list.
        let revoked = audited(&app, &admin, "revokeReportingKey", REVOKE, json!({ "i": { "id": street_key.id, "expectedVersion": 1 } })).await;
        assert_eq!(revoked["revokeReportingKey"]["key"]["active"], json!(false));
        assert_eq!(revoked["revokeReportingKey"]["key"]["version"], json!(2));
        let (status, body) = with_key(&app.router, &street_key.secret, "{ viewer { kind } }", json!({})).await;
        assert_eq!((status, body["errors"][0]["extensions"]["code"].as_str()), (401, Some("UNAUTHENTICATED")), "{body}");
        assert_eq!(refused(&app, Some(&admin), REVOKE, json!({ "i": { "id": street_key.id } })).await, "CONFLICT");
        assert_eq!(refused(&app, Some(&admin), REVOKE, json!({ "i": { "id": community_key.id, "expectedVersion": 7 } })).await, "CONFLICT");
        assert_eq!(app.ok(Some(&admin), LIST, json!({})).await["reportingKeys"]["totalCount"], json!(1));
        assert_eq!(app.ok(Some(&admin), LIST, json!({ "r": true })).await["reportingKeys"]["totalCount"], json!(2));

        // An expired key is refused as well.
        reporting_key::Entity::update_many()
            .col_expr(reporting_key::Column::ExpiresAt, sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::hours(1)))
            .filter(reporting_key::Column::Id.eq(gongzhi::graphql::node::parse_global_id(&community_key.id).unwrap().1))
            .exec(&app.db)
            .await
            .unwrap();
        let (status, _) = with_key(&app.router, &community_key.secret, "{ viewer { kind } }", json!({})).await;
        assert_eq!(status, 401, "an expired key");
        // The hash is never shown, and an expiry past a year is refused.
        let far = (chrono::Utc::now() + chrono::Duration::days(400)).to_rfc3339();
        assert_eq!(refused(&app, Some(&admin), ISSUE, json!({ "i": { "label": "太久", "expiresAt": far } })).await, "BAD_USER_INPUT");
        let past = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
        assert_eq!(refused(&app, Some(&admin), ISSUE, json!({ "i": { "label": "过去", "expiresAt": past } })).await, "BAD_USER_INPUT");
    }
}

both_backends! {
    async fn a_community_key_sees_its_one_community_and_a_street_key_the_street(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let heshan = Fixture::community(&app, "鹤山").await;
        let mine = Fixture::task(&app, &songyuan, "松园的事").await;
        let theirs = Fixture::task(&app, &heshan, "鹤山的事").await;
        let admin = songyuan.street_admin(&app);
        let street_key = issue(&app, &admin, "街道月报", None).await;
        let community_key = issue(&app, &admin, "松园月报", Some(&songyuan)).await;

        let (_, street) = with_key(&app.router, &street_key.secret, SEE, json!({})).await;
        let tasks: Vec<&Value> = street["data"]["tasks"]["nodes"].as_array().unwrap().iter().map(|t| &t["id"]).collect();
        assert!(tasks.contains(&&json!(mine.id)) && tasks.contains(&&json!(theirs.id)), "{street}");
        assert!(street["data"]["communities"]["totalCount"].as_i64().unwrap() >= 2, "{street}");

        let (status, one) = with_key(&app.router, &community_key.secret, SEE, json!({})).await;
        assert_eq!(status, 200, "{one}");
        assert_eq!(one["data"]["viewer"]["kind"], json!("REPORTER"));
        assert_eq!(one["data"]["communities"]["totalCount"], json!(1), "{one}");
        assert_eq!(one["data"]["communities"]["nodes"][0]["code"], json!(songyuan.code));
        assert_eq!(one["data"]["tasks"]["nodes"], json!([{ "id": mine.id }]), "{one}");
        let (_, node) = with_key(&app.router, &community_key.secret, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": theirs.id })).await;
        assert!(node["data"]["node"].is_null(), "another community's task is not found: {node}");

        // The exports, under the same scope.
        let rows = export_both(&app, &format!("ApiKey {}", community_key.secret), "tasks", "").await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["community_id"], json!(songyuan.id));
        let rows = export_both(&app, &format!("ApiKey {}", street_key.secret), "tasks", "").await;
        assert!(rows.iter().any(|r| r["id"] == json!(theirs.id)) && rows.iter().any(|r| r["id"] == json!(mine.id)));
        let got = get(&app, Some(&format!("ApiKey {}", community_key.secret)), "/export/tasks.csv").await;
        let (_, csv_rows) = csv(&got);
        assert_eq!(csv_rows.len(), 1);
    }
}

both_backends! {
    async fn a_reporter_changes_nothing_by_key_or_by_token(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let admin = songyuan.street_admin(&app);
        let key = issue(&app, &admin, "月报", None).await;
        let other = issue(&app, &admin, "周报", Some(&songyuan)).await;
        let before = records(&app).await;
        let attempts = [
            (
                crate::collab_support::CREATE_TASK,
                json!({ "i": { "communityId": songyuan.id, "title": "报表不该建单", "category": "STALL_SPRAWL", "description": "x" } }),
            ),
            (ISSUE, json!({ "i": { "label": "自己发钥匙" } })),
            (ISSUE, json!({ "i": { "label": "自己发钥匙", "communityId": songyuan.id } })),
            (REVOKE, json!({ "i": { "id": other.id } })),
            (REVOKE, json!({ "i": { "id": key.id } })),
            (
                "mutation($i: CreateCompoundInput!) { createCompound(input: $i) { compound { id } } }",
                json!({ "i": { "communityId": songyuan.id, "name": "报表小区" } }),
            ),
        ];
        for (query, vars) in &attempts {
            let (status, body) = with_key(&app.router, &key.secret, query, vars.clone()).await;
            assert_eq!((status, body["errors"][0]["extensions"]["code"].as_str()), (200, Some("FORBIDDEN")), "[{}] {query}: {body}", backend.name());
            // A reporter's token is read-only too.
            assert_eq!(refused(&app, Some(&app.token(gongzhi::auth::Role::Reporter, &songyuan.street_code)), query, vars.clone()).await, "FORBIDDEN", "{query}");
        }
        assert_eq!(records(&app).await, before, "no refused mutation leaves a record");
        let (status, _) = with_key(&app.router, &other.secret, "{ viewer { kind } }", json!({})).await;
        assert_eq!(status, 200, "the key a reporter tried to revoke still works");
        // Listing keys is for administrators, too.
        let (_, body) = with_key(&app.router, &key.secret, LIST, json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], json!("FORBIDDEN"), "{body}");
    }
}

both_backends! {
    async fn a_community_admin_issues_keys_for_their_own_community_only(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let heshan = Fixture::community(&app, "鹤山").await;
        let admin = songyuan.admin(&app);
        let own = issue(&app, &admin, "松园自己的", Some(&songyuan)).await;
        assert_eq!(refused(&app, Some(&admin), ISSUE, json!({ "i": { "label": "整条街" } })).await, "FORBIDDEN");
        assert_eq!(refused(&app, Some(&admin), ISSUE, json!({ "i": { "label": "别人的", "communityId": heshan.id } })).await, "NOT_FOUND");
        // Another community's admin sees nothing of it; staff and units manage no keys.
        let theirs = heshan.admin(&app);
        assert_eq!(app.ok(Some(&theirs), LIST, json!({})).await["reportingKeys"]["totalCount"], json!(0));
        assert_eq!(refused(&app, Some(&theirs), REVOKE, json!({ "i": { "id": own.id } })).await, "NOT_FOUND");
        assert_eq!(refused(&app, Some(&songyuan.staff(&app)), ISSUE, json!({ "i": { "label": "x", "communityId": songyuan.id } })).await, "FORBIDDEN");
        // A key is a node for those who manage it.
        let node = "query($id: ID!) { node(id: $id) { ... on ReportingKey { label } } }";
        assert_eq!(app.ok(Some(&admin), node, json!({ "id": own.id })).await["node"]["label"], json!("松园自己的"));
        assert!(app.ok(Some(&theirs), node, json!({ "id": own.id })).await["node"].is_null());
        // The street admin sees the community's key among the street's; the community admin revokes it.
        assert_eq!(app.ok(Some(&songyuan.street_admin(&app)), LIST, json!({})).await["reportingKeys"]["totalCount"], json!(1));
        assert_eq!(app.ok(Some(&admin), LIST, json!({})).await["reportingKeys"]["totalCount"], json!(1));
        audited(&app, &admin, "revokeReportingKey", REVOKE, json!({ "i": { "id": own.id } })).await;
        // Another street's admin sees none of them.
        let songjiang = Fixture::street(&app, "松江街道").await;
        assert_eq!(app.ok(Some(&songjiang.admin(&app)), LIST, json!({ "r": true })).await["reportingKeys"]["totalCount"], json!(0));
        assert_eq!(refused(&app, Some(&songjiang.admin(&app)), ISSUE, json!({ "i": { "label": "x", "communityId": songyuan.id } })).await, "NOT_FOUND");
    }
}

#[tokio::test]
async fn a_key_revoked_on_one_instance_is_refused_on_another_at_once() {
    let Some(backend) = crate::support::backends().into_iter().find(|b| b.name() == "postgres") else { return };
    let app = TestApp::demo(&backend).await;
    let songyuan = Fixture::community(&app, "松园").await;
    // A second instance on the same database, listening for changes.
    let db = gongzhi::db::connect(&app.test_db.url, 2).await.unwrap();
    let state = gongzhi::http::AppState::new(db.clone(), crate::support::SECRET, gongzhi::http::Limits::default());
    state.changes.listen(db);
    let mut crossing = state.live.subscribe();
    let other = gongzhi::app(state);
    let mut listening = false;
    for attempt in 0..20 {
        Fixture::task(&app, &songyuan, &format!("监听就绪{attempt}")).await;
        if let Ok(Ok(_)) = tokio::time::timeout(std::time::Duration::from_millis(500), crossing.recv()).await {
            listening = true;
            break;
        }
    }
    assert!(listening, "the second instance never heard the first");
    let admin = songyuan.street_admin(&app);
    let key = issue(&app, &admin, "跨实例", Some(&songyuan)).await;
    // The second instance resolves the key and keeps its scope (for up to 2 s otherwise).
    assert_eq!(with_key(&other, &key.secret, "{ viewer { kind } }", json!({})).await.0, 200);
    audited(&app, &admin, "revokeReportingKey", REVOKE, json!({ "i": { "id": key.id } })).await;
    let revoked_at = std::time::Instant::now();
    while with_key(&other, &key.secret, "{ viewer { kind } }", json!({})).await.0 != 401 {
        assert!(revoked_at.elapsed() < std::time::Duration::from_millis(1500), "the revoked key still works on the second instance");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

both_backends! {
    async fn the_command_line_creates_lists_and_revokes_keys(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let cli = |args: &[&str]| {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gongzhi"));
            cmd.args(args).args(["--database-url", &app.test_db.url]).env_remove("DATABASE_URL").env("GONGZHI_LOG", "warn");
            let out = cmd.output().expect("run gongzhi");
            (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
        };
        let before = records(&app).await;
        let street = songyuan.street_code.clone();
        let (ok, secret, err) =
            cli(&["reporting-key", "create", "--street", &street, "--label", "月报", "--community", &songyuan.code, "--days", "30"]);
        assert!(ok, "{err}");
        let secret = secret.trim().to_owned();
        assert!(secret.starts_with("gzr_"), "{secret}");
        assert_eq!(records(&app).await, before + 1, "create is audited once");
        let (status, body) = with_key(&app.router, &secret, SEE, json!({})).await;
        assert_eq!((status, &body["data"]["communities"]["totalCount"]), (200, &json!(1)), "{body}");

        let (ok, list, err) = cli(&["reporting-key", "list", "--street", &street]);
        assert!(ok, "{err}");
        let line = list.lines().find(|l| l.contains("月报")).unwrap_or_else(|| panic!("{list}"));
        let cells: Vec<&str> = line.split('\t').collect();
        assert_eq!(cells[2], songyuan.code);
        assert_eq!(cells[3], "cli:reporting-key");
        assert_ne!(cells[6], "-", "the last use is listed: {line}");
        let (ok, _, err) = cli(&["reporting-key", "revoke", "--id", cells[0]]);
        assert!(ok, "{err}");
        assert_eq!(records(&app).await, before + 2, "revoke is audited once");
        // The router's cached scope ends with the change: a fresh request is refused.
        let refused_at = std::time::Instant::now();
        while with_key(&app.router, &secret, "{ viewer { kind } }", json!({})).await.0 != 401 {
            assert!(refused_at.elapsed() < std::time::Duration::from_secs(3), "the revoked key still works");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let (ok, _, err) = cli(&["reporting-key", "revoke", "--id", cells[0]]);
        assert!(!ok && err.contains("already revoked"), "{err}");
    }
}

//! Live task events over `graphql-transport-ws`, with a real WebSocket client against a real
//! server: scoped delivery, refusal at `connection_init`, nothing for refused mutations.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use gongzhi::auth::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::collab_support::*;
use crate::fixtures::Fixture;
use crate::support::{TestApp, backends};

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn serve(app: &TestApp) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    let header_read = std::time::Duration::from_secs(10);
    tokio::spawn(gongzhi::http::listen::serve(listener, router, header_read, std::future::pending()));
    addr
}

pub async fn connect(addr: std::net::SocketAddr, authorization: &str) -> (Socket, Value) {
    let mut req = format!("ws://{addr}/graphql/ws").into_client_request().unwrap();
    req.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    ws.send(Message::text(json!({ "type": "connection_init", "payload": { "Authorization": authorization } }).to_string())).await.unwrap();
    let reply = next(&mut ws).await;
    (ws, reply)
}

/// The next message, or a description of how the connection ended.
pub async fn next(ws: &mut Socket) -> Value {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return serde_json::from_str(&t).unwrap(),
            Ok(Some(Ok(Message::Close(frame)))) => {
                return json!({ "type": "closed", "code": frame.as_ref().map(|f| u16::from(f.code)), "reason": frame.map(|f| f.reason.to_string()) });
            }
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(e))) => return json!({ "type": "error", "error": e.to_string() }),
            Ok(None) => return json!({ "type": "closed" }),
            Err(_) => return json!({ "type": "timeout" }),
        }
    }
}

/// Waits until `n` subscriptions listen on the server (a slow machine may take a while).
async fn live(app: &TestApp, n: usize) {
    for _ in 0..200 {
        if app.live.subscribers() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the subscription never went live");
}

both_backends! {
    async fn subscribers_get_the_events_of_their_scope_only(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let staff = songyuan.staff(&app);
        let addr = serve(&app).await;
        let (mut ws, ack) = connect(addr, &format!("Bearer {staff}")).await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { taskEvents { kind note task { title community { code } } } }" } });
        ws.send(Message::text(sub.to_string())).await.unwrap();
        live(&app, 1).await;
        let metrics = app.send(axum::http::Request::get("/metrics").body(axum::body::Body::empty()).unwrap()).await.2;
        let metrics = String::from_utf8_lossy(&metrics);
        assert!(metrics.contains("gongzhi_live_subscribers 1"));
        // The socket is open, and was counted once.
        assert!(metrics.contains("gongzhi_websocket_connections_open 1"), "{metrics}");
        assert!(metrics.contains("gongzhi_websocket_connections_total 1"), "{metrics}");

        // 竹溪's task first, then 松园's task, then a refused change in 松园.
        Fixture::task(&app, &zhuxi, "竹溪的任务").await;
        let t = Fixture::task(&app, &songyuan, "松园的任务").await.id;
        let refused = app
            .post(Some(&staff), "mutation($i: TaskTransitionInput!) { verifyTask(input: $i) { task { id } } }", json!({ "i": { "id": t } }))
            .await;
        assert_eq!(code(&refused.1), "BAD_USER_INPUT");
        app.ok(
            Some(&staff),
            "mutation($i: CommentOnTaskInput!) { commentOnTask(input: $i) { event { id } } }",
            json!({ "i": { "taskId": t, "note": "第二条" } }),
        )
        .await;

        let first = next(&mut ws).await;
        assert_eq!(first["type"], "next", "[{}] {first}", backend.name());
        assert_eq!(first["payload"]["data"]["taskEvents"]["task"]["community"]["code"], songyuan.code.as_str(), "竹溪's event must not arrive: {first}");
        assert_eq!(first["payload"]["data"]["taskEvents"]["kind"], "REPORTED");
        let second = next(&mut ws).await;
        assert_eq!(second["payload"]["data"]["taskEvents"]["note"], "第二条", "nothing was emitted for the refused change: {second}");
        ws.close(None).await.ok();
    }
}

/// Makes the audit record of every comment fail inside the database, so that a comment's
/// transaction rolls back after its timeline entry was written.
async fn refuse_comment_audits(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    let statements: &[&str] = match app.backend.name() {
        "sqlite" => &["CREATE TRIGGER refuse_comment_audit BEFORE INSERT ON audit_log WHEN NEW.action = 'commentOnTask' \
             BEGIN SELECT RAISE(ABORT, 'refused by test'); END"],
        _ => &[
            "CREATE FUNCTION refuse_comment_audit() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'refused by test'; END $$",
            "CREATE TRIGGER refuse_comment_audit BEFORE INSERT ON audit_log FOR EACH ROW \
             WHEN (NEW.action = 'commentOnTask') EXECUTE FUNCTION refuse_comment_audit()",
        ],
    };
    for sql in statements {
        app.db.execute_unprepared(sql).await.unwrap();
    }
}

both_backends! {
    async fn nothing_is_emitted_for_a_change_that_rolled_back(backend: Backend) {
        use entity::{audit_log, task_event};
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let staff = songyuan.staff(&app);
        let t = Fixture::task(&app, &songyuan, "松园市场北门占道").await.id;
        refuse_comment_audits(&app).await;

        let addr = serve(&app).await;
        let (mut ws, ack) = connect(addr, &format!("Bearer {staff}")).await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        let sub =
            json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { taskEvents { kind note task { id } } }" } });
        ws.send(Message::text(sub.to_string())).await.unwrap();
        live(&app, 1).await;

        let audits = audit_log::Entity::find().count(&app.db).await.unwrap();
        let events = task_event::Entity::find().filter(task_event::Column::TaskId.eq(uuid(&t))).count(&app.db).await.unwrap();
        let comment = "mutation($i: CommentOnTaskInput!) { commentOnTask(input: $i) { event { id } } }";
        let (_, failed) = app.post(Some(&staff), comment, json!({ "i": { "taskId": t, "note": "不会留下的评论" } })).await;
        assert!(failed["errors"].is_array(), "[{}] the comment must fail: {failed}", backend.name());
        // A database failure: INTERNAL with the request id, and nothing of the cause.
        assert_eq!(code(&failed), "INTERNAL", "{failed}");
        assert!(failed["errors"][0]["extensions"]["requestId"].is_string(), "{failed}");
        assert!(!failed.to_string().contains("refused by test"), "the database's message must not reach the client: {failed}");
        assert!(failed["data"].is_null() || failed["data"]["commentOnTask"].is_null(), "{failed}");
        // The failed comment left nothing: no timeline entry, no audit record.
        let comments = task_event::Entity::find()
            .filter(task_event::Column::TaskId.eq(uuid(&t)))
            .filter(task_event::Column::Kind.eq(task_event::EventKind::Commented))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(comments, 0, "[{}] the comment's timeline entry was rolled back", backend.name());
        assert_eq!(task_event::Entity::find().filter(task_event::Column::TaskId.eq(uuid(&t))).count(&app.db).await.unwrap(), events);
        assert_eq!(audit_log::Entity::find().count(&app.db).await.unwrap(), audits, "[{}] no audit record", backend.name());

        // A change that is not refused goes through and is the first thing the subscriber hears.
        app.ok(
            Some(&staff),
            "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }",
            json!({ "i": { "id": t, "description": "北门通道已划线" } }),
        )
        .await;
        let first = next(&mut ws).await;
        assert_eq!(first["type"], "next", "[{}] {first}", backend.name());
        let event = &first["payload"]["data"]["taskEvents"];
        assert_eq!(event["kind"], "UPDATED", "[{}] the rolled-back comment must not be emitted: {first}", backend.name());
        assert_eq!(event["task"]["id"], t);
        assert_ne!(event["note"], "不会留下的评论");
        assert_eq!(audit_log::Entity::find().count(&app.db).await.unwrap(), audits + 1);
        ws.close(None).await.ok();
    }
}

#[tokio::test]
async fn an_invalid_credential_is_refused_at_connection_init() {
    let app = TestApp::demo(&backends()[0]).await;
    let addr = serve(&app).await;
    for credential in ["Bearer garbage", "ApiKey gzk_nope", ""] {
        let (_, reply) = connect(addr, credential).await;
        // graphql-transport-ws: a refused `connection_init` closes with 4403 (Forbidden) and the reason.
        assert_eq!(reply["type"], "closed", "{credential}: {reply}");
        assert_eq!(reply["code"], 4403, "{credential}: {reply}");
        assert!(!reply["reason"].as_str().unwrap_or_default().is_empty(), "{credential}: {reply}");
    }
}

#[tokio::test]
async fn events_cross_instances_through_postgres() {
    // Two servers on one PostgreSQL: a change on one reaches the other's subscribers, after commit.
    let Some(backend) = backends().into_iter().find(|b| b.name() == "postgres") else { return };
    let app = TestApp::demo(&backend).await;
    let songyuan = Fixture::community(&app, "松园").await;
    let other_db = gongzhi::db::connect(&app.test_db.url, 2).await.unwrap();
    let other = gongzhi::http::AppState::new(other_db.clone(), crate::support::SECRET, gongzhi::http::Limits::default());
    other.changes.listen(other_db);
    let mut rx = other.live.subscribe();
    // The listener connects in the background: retry until an event crosses (at most ~10 s).
    let mut created = Vec::new();
    let mut crossed = None;
    for attempt in 0..20 {
        created.push(uuid(&Fixture::task(&app, &songyuan, &format!("跨实例事件{attempt}")).await.id));
        if let Ok(Ok(got)) = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
            crossed = Some(got);
            break;
        }
    }
    let got = crossed.expect("no event crossed instances");
    assert!(created.contains(&got.event.task_id));
    assert_eq!(got.event.kind, entity::task_event::EventKind::Reported);
}

#[tokio::test]
async fn subscriptions_close_with_going_away_when_the_server_stops() {
    let app = TestApp::demo(&backends()[0]).await;
    let songyuan = Fixture::community(&app, "松园").await;
    let addr = serve(&app).await;
    let (mut ws, ack) = connect(addr, &format!("Bearer {}", songyuan.staff(&app))).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { taskEvents { kind } }" } });
    ws.send(Message::text(sub.to_string())).await.unwrap();
    live(&app, 1).await;
    app.stopping.send_replace(true);
    let reply = next(&mut ws).await;
    assert_eq!((reply["type"].as_str(), reply["code"].as_u64()), (Some("closed"), Some(1001)), "{reply}");
    // The subscription is gone from the server.
    for _ in 0..100 {
        if app.live.subscribers() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the subscription outlived its socket");
}

both_backends! {
    async fn city_staff_follow_the_tasks_at_city_level(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let raised = Fixture::task(&app, &songyuan, "市场周边交通长期拥堵").await.id;
        let local = Fixture::task(&app, &songyuan, "摊位雨棚破损").await.id;
        entity::task::Entity::update_many()
            .col_expr(entity::task::Column::Level, sea_orm::sea_query::Expr::value("CITY"))
            .filter(entity::task::Column::Id.eq(uuid(&raised)))
            .exec(&app.db)
            .await
            .unwrap();
        let addr = serve(&app).await;
        let (mut ws, ack) = connect(addr, &format!("Bearer {}", app.token(Role::CityAdmin, "jinjiang"))).await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { taskEvents { note task { id } } }" } });
        ws.send(Message::text(sub.to_string())).await.unwrap();
        live(&app, 1).await;
        let staff = songyuan.staff(&app);
        let comment = "mutation($i: CommentOnTaskInput!) { commentOnTask(input: $i) { event { id } } }";
        app.ok(Some(&staff), comment, json!({ "i": { "taskId": local, "note": "社区自行处理" } })).await;
        app.ok(Some(&staff), comment, json!({ "i": { "taskId": raised, "note": "已报请市交警支队" } })).await;
        let got = next(&mut ws).await;
        assert_eq!(got["payload"]["data"]["taskEvents"]["task"]["id"], json!(raised), "[{}] {got}", backend.name());
        assert_eq!(got["payload"]["data"]["taskEvents"]["note"], "已报请市交警支队");
        ws.close(None).await.ok();
    }
}

#[tokio::test]
async fn a_subscription_ends_when_its_key_is_revoked() {
    let app = TestApp::demo(&backends()[0]).await;
    let songyuan = Fixture::community(&app, "松园").await;
    let station = Fixture::unit(&app, "派出所").await.seated_in(&app, &songyuan).await;
    let key = station.api_key(&app, &songyuan).await;
    let (secret, key_id) = (key.secret, key.id);
    let addr = serve(&app).await;
    let (mut ws, ack) = connect(addr, &format!("ApiKey {secret}")).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { taskEvents { kind } }" } });
    ws.send(Message::text(sub.to_string())).await.unwrap();
    live(&app, 1).await;
    app.ok(
        Some(&songyuan.street_admin(&app)),
        "mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { apiKey { active } } }",
        json!({ "i": { "id": key_id } }),
    )
    .await;
    // Checked again every few seconds: the connection closes with 4401.
    let mut reply = next(&mut ws).await;
    for _ in 0..3 {
        if reply["type"] != "timeout" {
            break;
        }
        reply = next(&mut ws).await;
    }
    assert_eq!((reply["type"].as_str(), reply["code"].as_u64()), (Some("closed"), Some(4401)), "{reply}");
}

both_backends! {
    async fn a_mutation_over_the_websocket_refreshes_cached_answers(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        Fixture::compound(&app, &songyuan, "松园新村").await;
        let admin = songyuan.admin(&app);
        let q = "query($c: String!) { community(code: $c) { id compounds { totalCount } } }";
        let code = json!({ "c": songyuan.code });
        let before = app.ok(Some(&admin), q, code.clone()).await;
        let n = before["community"]["compounds"]["totalCount"].as_i64().unwrap();
        let addr = serve(&app).await;
        let (mut ws, ack) = connect(addr, &format!("Bearer {admin}")).await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        let create = json!({ "id": "m", "type": "subscribe", "payload": {
            "query": "mutation($i: CreateCompoundInput!) { createCompound(input: $i) { compound { id } } }",
            "variables": { "i": { "communityId": before["community"]["id"], "name": "长连接小区" } } } });
        ws.send(Message::text(create.to_string())).await.unwrap();
        let done = next(&mut ws).await;
        assert_eq!(done["type"], "next", "[{}] {done}", backend.name());
        assert!(done["payload"]["errors"].is_null(), "{done}");
        let after = app.ok(Some(&admin), q, code).await;
        assert_eq!(after["community"]["compounds"]["totalCount"].as_i64(), Some(n + 1), "[{}] a cached answer survived", backend.name());
        ws.close(None).await.ok();
    }
}

#[tokio::test]
async fn a_subscription_ends_when_its_scope_changes() {
    let app = TestApp::demo(&backends()[0]).await;
    let songyuan = Fixture::community(&app, "松园").await;
    let station = Fixture::unit(&app, "派出所").await;
    let seat = station.seat_in(&app, &songyuan).await;
    let addr = serve(&app).await;
    let (mut ws, ack) = connect(addr, &format!("Bearer {}", station.token(&app))).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { taskEvents { kind } }" } });
    ws.send(Message::text(sub.to_string())).await.unwrap();
    live(&app, 1).await;
    // The station leaves 松园's committee: the open subscription's scope no longer holds.
    app.ok(
        Some(&songyuan.admin(&app)),
        "mutation($i: EndCommitteeMembershipInput!) { endCommitteeMembership(input: $i) { membership { id } } }",
        json!({ "i": { "id": seat } }),
    )
    .await;
    let mut reply = next(&mut ws).await;
    for _ in 0..3 {
        if reply["type"] != "timeout" {
            break;
        }
        reply = next(&mut ws).await;
    }
    assert_eq!((reply["type"].as_str(), reply["code"].as_u64()), (Some("closed"), Some(4000)), "{reply}");
}

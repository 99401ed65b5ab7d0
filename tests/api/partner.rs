//! Partner departments through the API: keys, isolation, revocation, safe writes.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::collab_support::*;
use crate::fixtures::{Fixture, Unit};
use crate::support::TestApp;

async fn with_key(app: &TestApp, key: &str, query: &str, vars: Value) -> (u16, Value) {
    let req = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("ApiKey {key}"))
        .body(axum::body::Body::from(json!({ "query": query, "variables": vars }).to_string()))
        .unwrap();
    let (status, _, body) = app.send(req).await;
    (status.as_u16(), serde_json::from_slice(&body).unwrap())
}

const CREATE_KEY: &str = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id prefix active } } }";
const ACCEPT: &str =
    "mutation($i: AssignmentActionInput!) { acceptAssignment(input: $i) { assignment { id status version } task { status } } }";

both_backends! {
    async fn a_unit_key_reaches_exactly_its_own_shares(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songjiang = Fixture::street(&app, "松江街道").await;
        let songyuan = songjiang.community(&app, "松园").await;
        let zhuxi = songjiang.community(&app, "竹溪").await;
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
        let traffic = Fixture::unit(&app, "交警中队").await.seated_in(&app, &songyuan).await;
        let data = app
            .ok(Some(&songjiang.admin(&app)), CREATE_KEY, json!({ "i": { "unitId": market.id, "label": "市场监管工单系统" } }))
            .await;
        let key = data["createApiKey"]["secret"].as_str().unwrap().to_owned();
        let key_id = data["createApiKey"]["apiKey"]["id"].as_str().unwrap().to_owned();
        assert!(key.starts_with("gzk_"));
        let stored = entity::api_key::Entity::find().all(&app.db).await.unwrap();
        assert!(stored.iter().all(|k| k.key_hash != key && !k.key_hash.contains(&key[4..])), "only a hash is stored");

        // Tasks in 松园: one with a share for the market regulator, one only for the traffic police.
        let mine = Fixture::task(&app, &songyuan, "市场内食品安全检查").await;
        let my_share = mine.share(&app, &market, "LEAD").await;
        let their_share_same_task = mine.share(&app, &traffic, "SUPPORT").await;
        let theirs = Fixture::task(&app, &songyuan, "市场周边违停").await;
        let their_share = theirs.share(&app, &traffic, "LEAD").await;
        let (mine, theirs) = (mine.id, theirs.id);

        let (status, body) = with_key(&app, &key, "{ viewer { kind unit { code } } tasks { totalCount edges { node { id title assignments { id unit { code } } timeline { kind unit { code } } } } } }", json!({})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["viewer"]["kind"], "UNIT");
        assert_eq!(body["data"]["viewer"]["unit"]["code"], market.code.as_str());
        assert_eq!(body["data"]["tasks"]["totalCount"], 1, "[{}] only the task with its share: {body}", backend.name());
        let node = &body["data"]["tasks"]["edges"][0]["node"];
        assert_eq!(node["id"], mine);
        let shares: Vec<&str> = node["assignments"].as_array().unwrap().iter().map(|a| a["unit"]["code"].as_str().unwrap()).collect();
        assert_eq!(shares, [market.code.as_str()], "no other unit's share details");
        for e in node["timeline"].as_array().unwrap() {
            assert!(e["unit"].is_null() || e["unit"]["code"] == market.code.as_str(), "another unit's share event leaked: {e}");
        }
        // Other units' shares and tasks: invisible and untouchable.
        for id in [&their_share_same_task, &their_share] {
            let (_, body) = with_key(&app, &key, ACCEPT, json!({ "i": { "id": id } })).await;
            assert_eq!(code(&body), "NOT_FOUND", "{body}");
            let (_, body) = with_key(&app, &key, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
            assert!(body["data"]["node"].is_null());
        }
        let (_, body) = with_key(&app, &key, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": theirs })).await;
        assert!(body["data"]["node"].is_null());
        assert_eq!(stored_share(&app, &their_share).await.status, entity::assignment::AssignmentStatus::Pending);

        // Its own share: accept with the key.
        let (_, body) = with_key(&app, &key, ACCEPT, json!({ "i": { "id": my_share, "note": "已安排执法人员" } })).await;
        assert_eq!(body["data"]["acceptAssignment"]["assignment"]["status"], "ACCEPTED", "{body}");

        // A community whose committee it does not sit on: nothing.
        let t = Fixture::task(&app, &zhuxi, "小区内车辆乱停").await.id;
        let (_, body) = with_key(
            &app,
            &key,
            "query($id: ID!, $code: String!) { node(id: $id) { id } community(code: $code) { id } tasks { totalCount } }",
            json!({ "id": t, "code": zhuxi.code }),
        )
        .await;
        assert!(body["data"]["node"].is_null() && body["data"]["community"].is_null(), "[{}] {body}", backend.name());
        assert_eq!(body["data"]["tasks"]["totalCount"], 1, "still only its own task");

        // Listed with last use; revoked keys fail at once with UNAUTHENTICATED.
        let list = app.ok(Some(&songjiang.admin(&app)), "{ apiKeys { id label active lastUsedAt unit { code } } }", json!({})).await;
        assert!(!list["apiKeys"][0]["lastUsedAt"].is_null());
        assert_eq!(app.error_code(Some(&songyuan.admin(&app)), "{ apiKeys { id } }", json!({})).await, "FORBIDDEN");
        app.ok(
            Some(&songjiang.admin(&app)),
            "mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { apiKey { active revokedAt } } }",
            json!({ "i": { "id": key_id } }),
        )
        .await;
        let (status, body) = with_key(&app, &key, "{ viewer { kind } }", json!({})).await;
        assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"));
        let (status, _) = with_key(&app, "gzk_0000", "{ viewer { kind } }", json!({})).await;
        assert_eq!(status, 401);
    }
}

both_backends! {
    async fn the_command_line_issues_keys(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let station = Fixture::unit(&app, "派出所").await.seated_in(&app, &songyuan).await;
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongzhi"))
            .args(["api-key", "create", "--unit", &station.code, "--label", "公安派出所接口", "--database-url", &app.test_db.url])
            .env("GONGZHI_LOG", "warn")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        let (status, body) = with_key(&app, &key, "{ viewer { kind unit { code } } }", json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(body["data"]["viewer"]["unit"]["code"], station.code.as_str());
        let rec = entity::audit_log::Entity::find().all(&app.db).await.unwrap();
        assert!(rec.iter().any(|r| r.action == "createApiKey" && r.principal_kind == "SYSTEM"));
    }
}

both_backends! {
    async fn concurrent_updates_with_one_version_let_exactly_one_through(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let t = Fixture::task(&app, &songyuan, "市场通道拓宽").await.id;
        let staff = songyuan.staff(&app);
        let update = "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { version priority } } }";
        let a = app.post(Some(&staff), update, json!({ "i": { "id": t, "expectedVersion": 1, "priority": "HIGH" } }));
        let b = app.post(Some(&staff), update, json!({ "i": { "id": t, "expectedVersion": 1, "priority": "URGENT" } }));
        let ((_, a), (_, b)) = tokio::join!(a, b);
        let mut codes = [code(&a).to_owned(), code(&b).to_owned()];
        codes.sort();
        assert_eq!(codes, ["CONFLICT", "OK"], "[{}] {a} {b}", backend.name());
        assert_eq!(stored(&app, &t).await.version, 2);
    }
}

both_backends! {
    async fn a_retried_partner_mutation_takes_effect_once(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let fire = Fixture::unit(&app, "消防救援站").await.seated_in(&app, &songyuan).await;
        let task = Fixture::task(&app, &songyuan, "市场消防通道清理").await;
        let share = task.share(&app, &fire, "LEAD").await;
        let t = task.id;
        let unit = fire.token(&app);
        let vars = json!({ "i": { "id": share, "idempotencyKey": "fire-2026-001" } });
        // Sequential retry.
        let first = app.ok(Some(&unit), ACCEPT, vars.clone()).await;
        let again = app.ok(Some(&unit), ACCEPT, vars.clone()).await;
        assert_eq!(first["acceptAssignment"]["assignment"], again["acceptAssignment"]["assignment"], "the retry returns the first result");
        // Concurrent retries of the next step.
        let start = "mutation($i: AssignmentActionInput!) { startAssignment(input: $i) { assignment { status version } } }";
        let svars = json!({ "i": { "id": share, "idempotencyKey": "fire-2026-002" } });
        let (a, b, c) = tokio::join!(
            app.post(Some(&unit), start, svars.clone()),
            app.post(Some(&unit), start, svars.clone()),
            app.post(Some(&unit), start, svars.clone())
        );
        for (_, body) in [&a, &b, &c] {
            assert_eq!(code(body), "OK", "[{}] {body}", backend.name());
        }
        let events = entity::task_event::Entity::find().all(&app.db).await.unwrap();
        let count = |k: entity::task_event::EventKind| events.iter().filter(|e| e.kind == k && e.task_id == uuid(&t)).count();
        assert_eq!(count(entity::task_event::EventKind::Accepted), 1, "accepted once");
        assert_eq!(count(entity::task_event::EventKind::Started), 2, "started once (share start + task in progress)");
        assert_eq!(stored_share(&app, &share).await.version, 3);
        // The same key for another operation is a conflict, which a client must not retry.
        let resolve = "mutation($i: AssignmentActionInput!) { resolveAssignment(input: $i) { assignment { status } } }";
        let (_, reused) = app.post(Some(&unit), resolve, svars).await;
        let ext = &reused["errors"][0]["extensions"];
        assert_eq!((&ext["code"], &ext["reason"], &ext["retryable"]), (&json!("CONFLICT"), &json!("IDEMPOTENCY_KEY_REUSED"), &json!(false)), "{reused}");
        // A comment retried adds one entry.
        let comment = "mutation($i: CommentOnTaskInput!) { commentOnTask(input: $i) { event { id note } } }";
        let cv = json!({ "i": { "taskId": t, "note": "已到场", "idempotencyKey": "fire-c-1" } });
        let c1 = app.ok(Some(&unit), comment, cv.clone()).await;
        let c2 = app.ok(Some(&unit), comment, cv).await;
        assert_eq!(c1["commentOnTask"]["event"]["id"], c2["commentOnTask"]["event"]["id"]);
        // The same key on another share, or on another task, is a conflict too: nothing changes.
        let other_task = Fixture::task(&app, &songyuan, "市场电线私拉").await;
        let other_share = other_task.share(&app, &fire, "LEAD").await;
        let other_task = other_task.id;
        assert_eq!(
            app.error_code(Some(&unit), ACCEPT, json!({ "i": { "id": other_share, "idempotencyKey": "fire-2026-001" } })).await,
            "CONFLICT"
        );
        assert_eq!(stored_share(&app, &other_share).await.status, entity::assignment::AssignmentStatus::Pending);
        let elsewhere = json!({ "i": { "taskId": other_task, "note": "已到场", "idempotencyKey": "fire-c-1" } });
        assert_eq!(app.error_code(Some(&unit), comment, elsewhere).await, "CONFLICT");
    }
}

both_backends! {
    async fn a_key_reaches_only_the_street_that_issued_it(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songjiang = Fixture::street(&app, "松江街道").await;
        let songyuan = songjiang.community(&app, "松园").await;
        let xiyuan = Fixture::street(&app, "西园街道").await;
        let xishan = xiyuan.community(&app, "西山").await;
        // The market regulator and the police station sit on both streets' committees, the water
        // company on 松园's only.
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await.seated_in(&app, &xishan).await;
        let station = Fixture::unit(&app, "派出所").await.seated_in(&app, &songyuan).await.seated_in(&app, &xishan).await;
        let water = Fixture::unit(&app, "自来水公司").await.seated_in(&app, &songyuan).await;
        let xiyuan_admin = xiyuan.admin(&app);
        let theirs = Fixture::task(&app, &xishan, "西园菜市场占道").await;
        theirs.share(&app, &market, "LEAD").await;
        let ours = Fixture::task(&app, &songyuan, "松园市场占道").await;
        ours.share(&app, &market, "LEAD").await;
        let (ours, theirs) = (ours.id, theirs.id);

        let create = |admin: &str, unit: &Unit| {
            let (app, admin, input) = (&app, admin.to_owned(), json!({ "i": { "unitId": unit.id, "label": "工单系统" } }));
            async move { app.post(Some(&admin), CREATE_KEY, input).await.1 }
        };
        let songjiang_key = create(&songjiang.admin(&app), &market).await;
        let songjiang_secret = songjiang_key["data"]["createApiKey"]["secret"].as_str().unwrap().to_owned();
        let songjiang_key_id = songjiang_key["data"]["createApiKey"]["apiKey"]["id"].as_str().unwrap().to_owned();
        // 西园 has no water company on its committee: no key for it there.
        assert_eq!(code(&create(&xiyuan_admin, &water).await), "BAD_USER_INPUT");
        let xiyuan_key = create(&xiyuan_admin, &market).await;
        let xiyuan_secret = xiyuan_key["data"]["createApiKey"]["secret"].as_str().unwrap().to_owned();

        let probe = "query($a: ID!, $b: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } tasks { totalCount } }";
        let (_, body) = with_key(&app, &songjiang_secret, probe, json!({ "a": ours, "b": theirs })).await;
        assert_eq!(
            (body["data"]["a"]["id"].as_str(), body["data"]["b"].is_null()),
            (Some(ours.as_str()), true),
            "[{}] {body}",
            backend.name()
        );
        assert_eq!(body["data"]["tasks"]["totalCount"], 1);
        let (_, body) = with_key(&app, &xiyuan_secret, probe, json!({ "a": ours, "b": theirs })).await;
        assert_eq!((body["data"]["a"].is_null(), body["data"]["b"]["id"].as_str()), (true, Some(theirs.as_str())), "{body}");

        // Each street lists and revokes its own keys only.
        let listed = app.ok(Some(&xiyuan_admin), "{ apiKeys { id } }", json!({})).await;
        assert_eq!(listed["apiKeys"].as_array().unwrap().len(), 1);
        let revoke = "mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { apiKey { active } } }";
        assert_eq!(app.error_code(Some(&xiyuan_admin), revoke, json!({ "i": { "id": songjiang_key_id } })).await, "NOT_FOUND");
        let (status, _) = with_key(&app, &songjiang_secret, "{ viewer { kind } }", json!({})).await;
        assert_eq!(status, 200, "not revoked by the other street");

        // A key without a street (issued before keys were bound) reaches nothing: refused.
        let legacy = create(&songjiang.admin(&app), &station).await;
        let legacy_secret = legacy["data"]["createApiKey"]["secret"].as_str().unwrap().to_owned();
        entity::api_key::Entity::update_many()
            .col_expr(entity::api_key::Column::StreetId, sea_orm::sea_query::Expr::value(Option::<uuid::Uuid>::None))
            .filter(
                entity::api_key::Column::Id
                    .eq(crate::support::decode(legacy["data"]["createApiKey"]["apiKey"]["id"].as_str().unwrap()).unwrap().1),
            )
            .exec(&app.db)
            .await
            .unwrap();
        let (status, body) = with_key(&app, &legacy_secret, "{ viewer { kind } }", json!({})).await;
        assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"));
    }
}

both_backends! {
    async fn a_unit_sees_timelines_of_its_own_tasks_and_other_units_only_as_unit(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
        let brigade = Fixture::unit(&app, "消防救援站").await.seated_in(&app, &songyuan).await;
        let power = Fixture::unit(&app, "供电所").await.seated_in(&app, &songyuan).await;
        let staff = songyuan.staff(&app);
        // A task shared by two units, and one that the market regulator has no share of.
        let shared = Fixture::task(&app, &songyuan, "市场消防通道占用").await;
        let mine = shared.share(&app, &market, "SUPPORT").await;
        let fire = shared.share(&app, &brigade, "LEAD").await;
        let other = Fixture::task(&app, &songyuan, "路灯损坏").await;
        other.share(&app, &power, "LEAD").await;
        let (shared, other) = (shared.id, other.id);
        let comment = "mutation($i: CommentOnTaskInput!) { commentOnTask(input: $i) { event { id } } }";
        let hidden = app.ok(Some(&staff), comment, json!({ "i": { "taskId": other, "note": "供电所已派人" } })).await;
        let hidden = hidden["commentOnTask"]["event"]["id"].as_str().unwrap().to_owned();

        let fire_unit = brigade.token(&app);
        let act = |name: &str| format!("mutation($i: AssignmentActionInput!) {{ {name}(input: $i) {{ assignment {{ status }} }} }}");
        for step in ["acceptAssignment", "startAssignment"] {
            app.ok(Some(&fire_unit), &act(step), json!({ "i": { "id": fire } })).await;
        }
        let mr = market.token(&app);
        app.ok(Some(&mr), &act("acceptAssignment"), json!({ "i": { "id": mine } })).await;

        let seen = app
            .ok(
                Some(&mr),
                "query($t: ID!, $e: ID!) { task: node(id: $t) { ... on Task { timeline { kind actor unit { code } } } } hidden: node(id: $e) { id } }",
                json!({ "t": shared, "e": hidden }),
            )
            .await;
        assert!(seen["hidden"].is_null(), "[{}] a timeline entry of a task without its share: {seen}", backend.name());
        let timeline = seen["task"]["timeline"].as_array().unwrap();
        let actors: Vec<&str> = timeline.iter().map(|e| e["actor"].as_str().unwrap()).collect();
        assert!(actors.contains(&format!("unit:{}", market.code).as_str()), "its own actions by name: {actors:?}");
        assert!(actors.contains(&"unit"), "the task moved on by the fire brigade, shown as a unit: {actors:?}");
        assert!(!actors.iter().any(|a| a.contains(&brigade.code)), "{actors:?}");
        // Staff see every actor by name.
        let staff_view =
            app.ok(Some(&staff), "query($t: ID!) { node(id: $t) { ... on Task { timeline { actor } } } }", json!({ "t": shared })).await;
        assert!(staff_view["node"]["timeline"].as_array().unwrap().iter().any(|e| e["actor"] == format!("unit:{}", brigade.code).as_str()));
    }
}

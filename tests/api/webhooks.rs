//! Partner departments' webhooks: events are delivered after the commit with a valid signature,
//! never for a change that rolled back, retried after a failing answer, in order per task, and
//! once per endpoint with two instances on one PostgreSQL; only street admins manage webhooks,
//! only with https URLs, each change audited once.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use entity::{audit_log, task_event, webhook_delivery};
use gongzhi::collaboration::service::deliveries::{self, Deliveries, DeliverySettings};
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::audit::{audited, refused};
use crate::collab_support::uuid;
use crate::feed::COMMENT;
use crate::fixtures::{Community, Fixture, Unit};
use crate::support::{Backend, TestApp};

const REGISTER: &str = "mutation($i: RegisterWebhookInput!) { registerWebhook(input: $i) { secret webhook { id url enabled } } }";
const DISABLE: &str = "mutation($i: WebhookInput!) { disableWebhook(input: $i) { webhook { id enabled disabledAt } } }";
const DELETE: &str = "mutation($i: WebhookInput!) { deleteWebhook(input: $i) { deletedId } }";
const LIST: &str = "{ webhooks { id url enabled unit { id } pendingCount deliveredCount failedCount } }";
const DELIVERIES: &str = r#"query($w: ID!) { webhookDeliveries(webhookId: $w, first: 100) { totalCount
  edges { node { deliveryId eventId taskId status attempts lastError deliveredAt } } } }"#;

/// A delivery as the test endpoint received it.
#[derive(Clone, Debug)]
struct Received {
    signature: String,
    delivery: String,
    body: String,
}

/// A partner's endpoint in the test: answers 500 to the first `failures` requests, then 200.
#[derive(Clone, Default)]
struct Endpoint {
    failures: Arc<AtomicUsize>,
    hits: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<Received>>>,
}

async fn hook(State(e): State<Endpoint>, headers: HeaderMap, body: String) -> StatusCode {
    e.hits.fetch_add(1, Ordering::SeqCst);
    if e.failures.load(Ordering::SeqCst) > 0 {
        e.failures.fetch_sub(1, Ordering::SeqCst);
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    e.received.lock().await.push(Received { signature: header("x-gongzhi-signature"), delivery: header("x-gongzhi-delivery"), body });
    StatusCode::OK
}

impl Endpoint {
    /// Serves on 127.0.0.1; returns its URL.
    async fn serve(&self, failures: usize) -> String {
        self.failures.store(failures, Ordering::SeqCst);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/gongzhi", listener.local_addr().unwrap());
        let router = axum::Router::new().route("/gongzhi", axum::routing::post(hook)).with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        url
    }

    /// Waits until `n` deliveries arrived (at most 30 s); returns them.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let got = self.received.lock().await.clone();
            if got.len() >= n || std::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Checks a delivery's signature as a partner would: HMAC-SHA-256 of `t.body` with the secret.
fn verify(secret: &str, r: &Received) -> bool {
    let Some((t, v1)) = r.signature.split_once(",v1=") else { return false };
    let Some(t) = t.strip_prefix("t=") else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", r.body).as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    hex == v1 && (chrono::Utc::now().timestamp() - t.parse::<i64>().unwrap()).abs() < 300
}

fn fast() -> DeliverySettings {
    DeliverySettings {
        sweep: Duration::from_millis(200),
        timeout: Duration::from_secs(5),
        backoff: Duration::from_millis(200),
        backoff_cap: Duration::from_secs(1),
        max_attempts: 5,
        batch: 8,
    }
}

/// A follow-up that fails the comments on one task: its writes roll back after the outbox row
/// was written in them.
#[derive(Clone, Default)]
struct FailComments(Arc<std::sync::Mutex<Option<Uuid>>>);

#[async_trait::async_trait]
impl gongzhi::changes::FollowUp for FailComments {
    async fn follow(
        &self,
        _txn: &DatabaseTransaction,
        action: &str,
        object_id: Option<Uuid>,
        _events: &[Uuid],
    ) -> gongzhi::error::AppResult<Vec<Uuid>> {
        let doomed = *self.0.lock().unwrap();
        if action == "commentOnTask" && object_id.is_some() && object_id == doomed {
            return Err(gongzhi::error::AppError::internal("the test rolls this comment back"));
        }
        Ok(Vec::new())
    }
}

/// The server with its webhook delivery running, and a follow-up that fails comments on the
/// task it is told.
async fn app_delivering(backend: &Backend) -> (TestApp, FailComments) {
    gongzhi::config::allow_webhook_http_loopback(true);
    let fail = FailComments::default();
    let doomed = fail.clone();
    let app = TestApp::with_state(backend, crate::support::Content::Graph(1), move |mut state| {
        state.changes = gongzhi::changes::Changes::with_sinks(vec![
            Arc::new(state.live.clone()),
            Arc::new(state.live_appeals.clone()),
            Arc::new(state.webhooks.clone()),
        ])
        .following(vec![
            Arc::new(gongzhi::deliberation::service::ActionsFollowTasks),
            Arc::new(gongzhi::collaboration::service::webhooks::WebhookOutbox),
            Arc::new(doomed),
        ]);
        state.changes.deliver_with(state.system_db.clone());
        deliveries::spawn(state.system_db.clone(), state.webhooks.clone(), fast());
        state
    })
    .await;
    (app, fail)
}

/// A community with a unit seated and a webhook of the unit at `url`; returns the webhook's id
/// and secret.
async fn registered(app: &TestApp, community: &Community, unit: &Unit, url: &str) -> (String, String) {
    let data =
        audited(app, &community.street_admin(app), "registerWebhook", REGISTER, json!({ "i": { "unitId": unit.id, "url": url } })).await;
    let r = &data["registerWebhook"];
    (r["webhook"]["id"].as_str().unwrap().to_owned(), r["secret"].as_str().unwrap().to_owned())
}

fn event_of(r: &Received) -> Uuid {
    let body: Value = serde_json::from_str(&r.body).unwrap();
    uuid(body["event"]["id"].as_str().unwrap())
}

both_backends! {
    async fn webhooks_get_events_after_commit_signed_in_order_per_task_retried_and_none_for_a_rollback(backend: Backend) {
        let b = backend.name();
        let (app, fail) = app_delivering(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
        let task = Fixture::task(&app, &songyuan, "占道经营").await;
        let share = task.share(&app, &market, "LEAD").await;
        let doomed = Fixture::task(&app, &songyuan, "回滚任务").await;
        doomed.share(&app, &market, "LEAD").await;
        *fail.0.lock().unwrap() = Some(uuid(&doomed.id));
        // The endpoint fails its first request: the first event is retried, and the task's later
        // events wait for it.
        let endpoint = Endpoint::default();
        let url = endpoint.serve(1).await;
        let (hook_id, secret) = registered(&app, &songyuan, &market, &url).await;

        let staff = songyuan.staff(&app);
        // A change that rolls back sends nothing.
        let (_, body) = app.post(Some(&staff), COMMENT, json!({ "i": { "taskId": doomed.id, "note": "不会提交" } })).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "INTERNAL", "[{b}] {body}");
        for n in 0..3 {
            app.ok(Some(&staff), COMMENT, json!({ "i": { "taskId": task.id, "note": format!("第{n}次跟进") } })).await;
        }
        app.ok(
            Some(&market.token(&app)),
            "mutation($i: AssignmentActionInput!) { acceptAssignment(input: $i) { assignment { id } } }",
            json!({ "i": { "id": share } }),
        )
        .await;
        let got = endpoint.wait_for(4).await;
        assert_eq!(got.len(), 4, "[{b}] three comments and the acceptance: {got:?}");
        assert!(got.iter().all(|r| verify(&secret, r)), "[{b}] every delivery is signed with the secret: {got:?}");
        assert!(!verify("whsec_wrong", &got[0]), "[{b}] a wrong secret does not verify");
        // In the task's order, although the first one was retried.
        let expected: Vec<Uuid> = task_event::Entity::find()
            .filter(task_event::Column::TaskId.eq(uuid(&task.id)))
            .order_by_asc(task_event::Column::Id)
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .rev()
            .take(4)
            .rev()
            .map(|e| e.id)
            .collect();
        assert_eq!(got.iter().map(event_of).collect::<Vec<_>>(), expected, "[{b}] in order per task");
        let first: Value = serde_json::from_str(&got[0].body).unwrap();
        assert_eq!(first["event"]["kind"], "COMMENTED", "[{b}] {first}");
        assert_eq!(first["event"]["note"], "第0次跟进", "[{b}] {first}");
        assert_eq!(first["delivery"], got[0].delivery.as_str(), "[{b}]");
        assert_eq!(endpoint.hits.load(Ordering::SeqCst), 5, "[{b}] four deliveries and one retry");
        // Nothing of the rolled-back comment: no event, no delivery row.
        assert_eq!(task_event::Entity::find().filter(task_event::Column::TaskId.eq(uuid(&doomed.id))).count(&app.db).await.unwrap(), 2);
        let rows = webhook_delivery::Entity::find().all(&app.db).await.unwrap();
        assert!(rows.iter().all(|d| d.task_id == uuid(&task.id)), "[{b}] a delivery of the rolled-back change: {rows:?}");

        // The street admin sees each delivery's state.
        let admin = songyuan.street_admin(&app);
        let data = app.ok(Some(&admin), DELIVERIES, json!({ "w": hook_id })).await;
        let edges = data["webhookDeliveries"]["edges"].as_array().unwrap();
        assert_eq!(data["webhookDeliveries"]["totalCount"], 4, "[{b}] {data}");
        assert!(edges.iter().all(|e| e["node"]["status"] == "DELIVERED" && !e["node"]["deliveredAt"].is_null()), "[{b}] {data}");
        assert_eq!(edges[0]["node"]["attempts"], 2, "[{b}] the first was retried: {data}");
        let list = app.ok(Some(&admin), LIST, json!({})).await;
        assert_eq!(list["webhooks"][0]["deliveredCount"], 4, "[{b}] {list}");
        assert_eq!(list["webhooks"][0]["pendingCount"], 0, "[{b}] {list}");
        // Each delivery refetches by its id for the street admin, and for nobody else.
        let ids = app.ok(Some(&admin), "query($w: ID!) { webhookDeliveries(webhookId: $w) { edges { node { id } } } }", json!({ "w": hook_id })).await;
        let ids: Vec<Value> = ids["webhookDeliveries"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].clone()).collect();
        let refetch = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on WebhookDelivery { id status } } }";
        let nodes = app.ok(Some(&admin), refetch, json!({ "ids": ids })).await;
        assert!(nodes["nodes"].as_array().unwrap().iter().zip(&ids).all(|(n, id)| n["id"] == *id && n["status"] == "DELIVERED"), "[{b}] {nodes}");
        for token in [staff.clone(), Fixture::street(&app, "青溪街道").await.admin(&app)] {
            let nodes = app.ok(Some(&token), refetch, json!({ "ids": ids })).await;
            assert!(nodes["nodes"].as_array().unwrap().iter().all(Value::is_null), "[{b}] {nodes}");
        }

        // An endpoint that keeps failing: the delivery is given up with its last error, shown.
        endpoint.failures.store(1000, Ordering::SeqCst);
        app.ok(Some(&staff), COMMENT, json!({ "i": { "taskId": task.id, "note": "对方故障" } })).await;
        // Polled while deliveries change: two answers a moment apart may differ.
        app.compare_with_executor.store(false, Ordering::SeqCst);
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let data = app.ok(Some(&admin), "query($w: ID!) { webhookDeliveries(webhookId: $w, status: FAILED) { edges { node { attempts lastError } } } }", json!({ "w": hook_id })).await;
            if let Some(e) = data["webhookDeliveries"]["edges"].as_array().unwrap().first() {
                assert_eq!(e["node"]["attempts"], 5, "[{b}] {data}");
                assert_eq!(e["node"]["lastError"], "HTTP 500", "[{b}] {data}");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "[{b}] the failing delivery was never given up");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test]
async fn with_two_instances_on_one_postgresql_each_event_is_delivered_once() {
    let Some(backend) = Backend::postgres() else { return };
    let (app, _) = app_delivering(&backend).await;
    let songyuan = Fixture::community(&app, "松园").await;
    let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
    let endpoint = Endpoint::default();
    let url = endpoint.serve(0).await;
    registered(&app, &songyuan, &market, &url).await;
    // A second instance's delivery on the same database, woken by the first one's notices.
    let system = gongzhi::db::connect_system(&app.test_db.url, 2).await.unwrap();
    let other = Deliveries::default();
    let bus = gongzhi::changes::Changes::with_sinks(vec![Arc::new(other.clone())]);
    bus.listen(system.clone());
    deliveries::spawn(system, other, fast());

    let staff = songyuan.staff(&app);
    let mut tasks = Vec::new();
    for i in 0..4 {
        let t = Fixture::task(&app, &songyuan, &format!("多实例{i}")).await;
        t.share(&app, &market, "LEAD").await;
        tasks.push(t);
    }
    for n in 0..5 {
        for t in &tasks {
            app.ok(Some(&staff), COMMENT, json!({ "i": { "taskId": t.id, "note": format!("第{n}条") } })).await;
        }
    }
    // Each share's event and each comment: 24 deliveries in the outbox.
    let total = webhook_delivery::Entity::find().count(&app.db).await.unwrap() as usize;
    assert_eq!(total, 4 + 20);
    let got = endpoint.wait_for(total).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got_after = endpoint.received.lock().await.clone();
    assert_eq!(got.len(), total);
    assert_eq!(got_after.len(), total, "a delivery came twice: {got_after:?}");
    let events: HashSet<Uuid> = got_after.iter().map(event_of).collect();
    assert_eq!(events.len(), total, "each event once");
    // In order per task.
    let mut per_task: BTreeMap<String, Vec<Uuid>> = BTreeMap::new();
    for r in &got_after {
        let body: Value = serde_json::from_str(&r.body).unwrap();
        per_task.entry(body["event"]["task"].as_str().unwrap().to_owned()).or_default().push(event_of(r));
    }
    for (task, ids) in per_task {
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted, "events of {task} out of order");
    }
}

both_backends! {
    async fn only_street_admins_manage_webhooks_with_https_urls_each_change_audited_once(backend: Backend) {
        let b = backend.name();
        let app = TestApp::demo(&backend).await;
        gongzhi::config::allow_webhook_http_loopback(true);
        let songyuan = Fixture::community(&app, "松园").await;
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
        let input = json!({ "i": { "unitId": market.id, "url": "https://market.example.gov.cn/gongzhi" } });
        for token in [songyuan.staff(&app), songyuan.admin(&app), market.token(&app), app.token(gongzhi::auth::Role::Reporter, &songyuan.street_code)] {
            assert_eq!(refused(&app, Some(&token), REGISTER, input.clone()).await, "FORBIDDEN", "[{b}]");
        }
        assert_eq!(refused(&app, None, REGISTER, input.clone()).await, "UNAUTHENTICATED", "[{b}]");
        let admin = songyuan.street_admin(&app);
        for url in ["http://market.example.gov.cn/gongzhi", "ftp://market.example.gov.cn/", "market.example.gov.cn"] {
            let code = refused(&app, Some(&admin), REGISTER, json!({ "i": { "unitId": market.id, "url": url } })).await;
            assert_eq!(code, "BAD_USER_INPUT", "[{b}] {url}");
        }
        let (id, secret) = registered(&app, &songyuan, &market, "https://market.example.gov.cn/gongzhi").await;
        assert!(secret.starts_with("whsec_") && secret.len() > 40, "[{b}] {secret}");
        let list = app.ok(Some(&admin), LIST, json!({})).await;
        assert_eq!(list["webhooks"].as_array().unwrap().len(), 1, "[{b}] {list}");
        assert!(!list.to_string().contains(&secret), "[{b}] the secret is shown once");
        for token in [songyuan.staff(&app), market.token(&app)] {
            assert_eq!(app.error_code(Some(&token), LIST, json!({})).await, "FORBIDDEN", "[{b}]");
            assert_eq!(refused(&app, Some(&token), DISABLE, json!({ "i": { "id": id } })).await, "FORBIDDEN", "[{b}]");
            assert_eq!(refused(&app, Some(&token), DELETE, json!({ "i": { "id": id } })).await, "FORBIDDEN", "[{b}]");
        }
        // Another street's admin sees none of it and touches nothing.
        let other = Fixture::street(&app, "青溪街道").await.admin(&app);
        assert_eq!(app.ok(Some(&other), LIST, json!({})).await["webhooks"], json!([]), "[{b}]");
        assert_eq!(refused(&app, Some(&other), DISABLE, json!({ "i": { "id": id } })).await, "NOT_FOUND", "[{b}]");
        assert_eq!(app.error_code(Some(&other), DELIVERIES, json!({ "w": id })).await, "NOT_FOUND", "[{b}]");

        let d = audited(&app, &admin, "disableWebhook", DISABLE, json!({ "i": { "id": id } })).await;
        assert_eq!(d["disableWebhook"]["webhook"]["enabled"], false, "[{b}]");
        assert_eq!(refused(&app, Some(&admin), DISABLE, json!({ "i": { "id": id } })).await, "CONFLICT", "[{b}]");
        audited(&app, &admin, "deleteWebhook", DELETE, json!({ "i": { "id": id } })).await;
        assert_eq!(app.ok(Some(&admin), LIST, json!({})).await["webhooks"], json!([]), "[{b}]");
        for action in ["registerWebhook", "disableWebhook", "deleteWebhook"] {
            let n = audit_log::Entity::find()
                .filter(audit_log::Column::Action.eq(action))
                .filter(audit_log::Column::ObjectId.eq(uuid(&id)))
                .count(&app.db)
                .await
                .unwrap();
            assert_eq!(n, 1, "[{b}] {action}");
        }
    }
}

both_backends! {
    async fn each_units_webhook_gets_what_its_unit_sees_of_another_units_change(backend: Backend) {
        let b = backend.name();
        let (app, _) = app_delivering(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
        let water = Fixture::unit(&app, "自来水公司").await.seated_in(&app, &songyuan).await;
        let task = Fixture::task(&app, &songyuan, "管道抢修").await;
        let share = task.share(&app, &market, "LEAD").await;
        task.share(&app, &water, "SUPPORT").await;
        let of_task = || task_event::Entity::find().filter(task_event::Column::TaskId.eq(uuid(&task.id)));
        let before: HashSet<Uuid> = of_task().all(&app.db).await.unwrap().into_iter().map(|e| e.id).collect();
        let (market_end, water_end) = (Endpoint::default(), Endpoint::default());
        registered(&app, &songyuan, &market, &market_end.serve(0).await).await;
        registered(&app, &songyuan, &water, &water_end.serve(0).await).await;
        // The market starts its share: its own share event, and the task's move to IN_PROGRESS,
        // which the water company sees too.
        let unit = market.token(&app);
        for verb in ["acceptAssignment", "startAssignment"] {
            app.ok(Some(&unit), &format!("mutation($i: AssignmentActionInput!) {{ {verb}(input: $i) {{ assignment {{ id }} }} }}"), json!({ "i": { "id": share } })).await;
        }
        let new: Vec<task_event::Model> = of_task().order_by_asc(task_event::Column::Id).all(&app.db).await.unwrap().into_iter().filter(|e| !before.contains(&e.id)).collect();
        let sees = |u: Uuid| new.iter().filter(|e| e.unit_id.is_none_or(|x| x == u)).map(|e| e.id).collect::<Vec<_>>();
        let (for_market, for_water) = (sees(market.uuid), sees(water.uuid));
        assert!(for_market.len() >= 3 && !for_water.is_empty(), "[{b}] {new:?}");
        assert_eq!(market_end.wait_for(for_market.len()).await.iter().map(event_of).collect::<Vec<_>>(), for_market, "[{b}] the market");
        assert_eq!(water_end.wait_for(for_water.len()).await.iter().map(event_of).collect::<Vec<_>>(), for_water, "[{b}] the water company");
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(water_end.received.lock().await.len(), for_water.len(), "[{b}] nothing of the market's own share events");
    }
}

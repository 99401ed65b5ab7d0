//! The partners' feed of task events (`taskEvents`): pages without gaps or repeats while events
//! are being added by concurrent writers, is scoped like the timeline, and costs the same
//! statements for a page of three events or of thirty.

use std::collections::{BTreeSet, HashSet};

use entity::task_event;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::collab_support::uuid;
use crate::fixtures::Fixture;
use crate::support::TestApp;

pub const FEED: &str = r#"query($after: String, $first: Int, $unit: ID) {
  taskEvents(after: $after, first: $first, unitId: $unit) {
    edges { cursor node { id kind task { id } unit { id } } }
    pageInfo { hasNextPage endCursor }
  }
}"#;

pub const COMMENT: &str = "mutation($i: CommentOnTaskInput!) { commentOnTask(input: $i) { event { id } } }";

/// One page of the feed after `after`: the events' uuids and the cursor to go on from.
pub async fn page(app: &TestApp, token: &str, after: Option<&str>, first: i32, unit: Option<&str>) -> (Vec<Uuid>, Option<String>, bool) {
    let data = app.ok(Some(token), FEED, json!({ "after": after, "first": first, "unit": unit })).await;
    let feed = &data["taskEvents"];
    let ids = feed["edges"].as_array().unwrap().iter().map(|e| uuid(e["node"]["id"].as_str().unwrap())).collect();
    let end = feed["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    (ids, end, feed["pageInfo"]["hasNextPage"].as_bool().unwrap())
}

/// Reads the whole feed from the start, page by page.
pub async fn read_all(app: &TestApp, token: &str, first: i32) -> Vec<Uuid> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10_000 {
        let (ids, end, more) = page(app, token, cursor.as_deref(), first, None).await;
        seen.extend(ids);
        if end.is_some() {
            cursor = end;
        }
        if !more {
            return seen;
        }
    }
    panic!("the feed never ended");
}

async fn events_of_community(app: &TestApp, community: Uuid) -> BTreeSet<Uuid> {
    task_event::Entity::find()
        .filter(task_event::Column::CommunityId.eq(community))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect()
}

both_backends! {
    async fn the_feed_pages_without_gaps_or_repeats_while_events_are_added(backend: Backend) {
        let b = backend.name();
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let staff = songyuan.staff(&app);
        let mut tasks = Vec::new();
        for i in 0..4 {
            tasks.push(Fixture::task(&app, &songyuan, &format!("并发{i}")).await);
        }
        let writing = std::sync::atomic::AtomicUsize::new(tasks.len());
        // Four writers comment at once on their own tasks while a reader pages in small pages.
        let writers = tasks.iter().enumerate().map(|(w, task)| {
            let (app, staff, writing) = (&app, &staff, &writing);
            async move {
                for n in 0..12 {
                    app.ok(Some(staff), COMMENT, json!({ "i": { "taskId": task.id, "note": format!("写者{w}第{n}条") } })).await;
                }
                writing.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            }
        });
        let reader = async {
            let mut seen: Vec<Uuid> = Vec::new();
            let mut cursor: Option<String> = None;
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            loop {
                let done = writing.load(std::sync::atomic::Ordering::SeqCst) == 0;
                let (ids, end, _) = page(&app, &staff, cursor.as_deref(), 3, None).await;
                let empty = ids.is_empty();
                seen.extend(ids);
                if end.is_some() {
                    cursor = end;
                }
                if done && empty && seen.len() >= events_of_community(&app, songyuan.uuid).await.len() {
                    return seen;
                }
                assert!(std::time::Instant::now() < deadline, "[{b}] the feed did not catch up: {} seen", seen.len());
                if empty {
                    tokio::task::yield_now().await;
                }
            }
        };
        let (_, seen) = tokio::join!(futures_util::future::join_all(writers), reader);
        let unique: HashSet<Uuid> = seen.iter().copied().collect();
        assert_eq!(unique.len(), seen.len(), "[{b}] an event came twice");
        let committed = events_of_community(&app, songyuan.uuid).await;
        assert_eq!(committed.len(), 4 + 4 * 12, "[{b}] every task's report and every comment");
        assert_eq!(unique.into_iter().collect::<BTreeSet<_>>(), committed, "[{b}] every committed event exactly once");
        // Read again from the start in pages of any size, the feed is the same sequence.
        assert_eq!(read_all(&app, &staff, 7).await, seen, "[{b}] the order is stable");
    }
}

both_backends! {
    async fn a_unit_reads_in_the_feed_what_the_timeline_shows_it_and_another_street_nothing(backend: Backend) {
        let b = backend.name();
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
        let water = Fixture::unit(&app, "自来水公司").await.seated_in(&app, &songyuan).await;
        let idle = Fixture::unit(&app, "闲置单位").await.seated_in(&app, &songyuan).await;
        let shared = Fixture::task(&app, &songyuan, "共同任务").await;
        shared.share(&app, &market, "LEAD").await;
        shared.share(&app, &water, "SUPPORT").await;
        let water_only = Fixture::task(&app, &songyuan, "自来水任务").await;
        water_only.share(&app, &water, "LEAD").await;
        for (token, task) in [(market.token(&app), &shared), (water.token(&app), &shared), (water.token(&app), &water_only)] {
            app.ok(Some(&token), COMMENT, json!({ "i": { "taskId": task.id, "note": "进展" } })).await;
        }
        let all = task_event::Entity::find().filter(task_event::Column::CommunityId.eq(songyuan.uuid)).all(&app.db).await.unwrap();
        // The market's view: the shared task's entries without the water company's own.
        let expected: Vec<Uuid> = all
            .iter()
            .filter(|e| e.task_id == uuid(&shared.id) && e.unit_id.is_none_or(|u| u == market.uuid))
            .map(|e| e.id)
            .collect();
        let seen = read_all(&app, &market.token(&app), 2).await;
        assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), expected.iter().copied().collect(), "[{b}] the market's feed");
        assert!(all.iter().any(|e| e.unit_id == Some(water.uuid) && e.task_id == uuid(&shared.id)), "[{b}] the water company's events exist");
        // Its key reads the same.
        let key = market.api_key(&app, &songyuan).await;
        let req = axum::http::Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("ApiKey {}", key.secret))
            .body(axum::body::Body::from(json!({ "query": FEED, "variables": { "first": 100 } }).to_string()))
            .unwrap();
        let (_, _, body) = app.send(req).await;
        let body: Value = serde_json::from_slice(&body).unwrap();
        let by_key: BTreeSet<Uuid> =
            body["data"]["taskEvents"]["edges"].as_array().unwrap().iter().map(|e| uuid(e["node"]["id"].as_str().unwrap())).collect();
        assert_eq!(by_key, expected.iter().copied().collect(), "[{b}] the market's key");
        // A unit with no share reads nothing; the unit filter narrows staff to one unit's tasks.
        assert!(read_all(&app, &idle.token(&app), 50).await.is_empty(), "[{b}] a unit without shares");
        let staff = songyuan.staff(&app);
        let (water_tasks, _, _) = page(&app, &staff, None, 100, Some(&water.id)).await;
        assert_eq!(water_tasks.len(), all.len(), "[{b}] the water company has a share of both tasks");
        let (market_tasks, _, _) = page(&app, &staff, None, 100, Some(&market.id)).await;
        assert_eq!(market_tasks.len(), all.iter().filter(|e| e.task_id == uuid(&shared.id)).count(), "[{b}] staff filtered by unit");
        // Another street's administrator, and callers without a credential, read nothing.
        let other = Fixture::street(&app, "青溪街道").await;
        assert!(read_all(&app, &other.admin(&app), 100).await.is_empty(), "[{b}] another street's admin");
        assert!(read_all(&app, &app.street_admin(), 100).await.len() >= all.len(), "[{b}] the own street's admin");
        let (_, body) = app.post(None, FEED, json!({})).await;
        assert!(body["data"]["taskEvents"]["edges"].as_array().is_none_or(|e| e.is_empty()), "[{b}] anonymous: {body}");
        // A cursor of another list is refused.
        let code = app.error_code(Some(&staff), FEED, json!({ "after": "YzE6AAAA" })).await;
        assert_eq!(code, "BAD_USER_INPUT", "[{b}]");
    }
}

both_backends! {
    async fn a_feed_page_costs_the_same_statements_for_three_events_or_thirty(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
        for i in 0..12 {
            let t = Fixture::task(&app, &songyuan, &format!("任务{i}")).await;
            t.share(&app, &market, "LEAD").await;
        }
        let token = songyuan.staff(&app);
        app.ok(Some(&token), "{ viewer { kind } }", json!({})).await;
        let mut counts = Vec::new();
        for first in [3, 30] {
            let (n, data) = app.count_statements(app.ok(Some(&token), FEED, json!({ "first": first }))).await;
            counts.push((n, data["taskEvents"]["edges"].as_array().unwrap().len()));
        }
        assert!(counts[0].1 == 3 && counts[1].1 >= 24, "[{}] {counts:?}", backend.name());
        assert_eq!(counts[0].0, counts[1].0, "[{}] statements grew with the page: {counts:?}", backend.name());
        assert!(counts[0].0 <= 4 + app.scope_statements(), "[{}] {counts:?}", backend.name());
    }
}

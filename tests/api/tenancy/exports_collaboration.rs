//! Collaboration's exports per principal: for every kind of caller, the ids in the `tasks`,
//! `assignments`, `task-events`, `inspections` and `findings` exports are exactly those the
//! GraphQL lists give the same caller (`tasks` with their shares and timelines, `inspections`
//! with their findings), over two communities of the street and one of another street, each
//! holding tasks with shares, timeline entries and inspections.

use std::collections::BTreeSet;

use gongzhi::auth::Role;

use super::*;
use crate::fixtures::{Community, Fixture, Unit};
use crate::reporting::{get, ndjson};

const TASKS: &str = r#"query($after: String) {
  tasks(first: 100, after: $after) { edges { node { id assignments { id } timeline { id } } } pageInfo { hasNextPage endCursor } }
}"#;

const INSPECTIONS: &str = r#"query($after: String) {
  inspections(first: 100, after: $after) { edges { node { id findings { id } } } pageInfo { hasNextPage endCursor } }
}"#;

/// A GraphQL request with `authorization` sent as it is; returns `data`.
async fn graphql(app: &TestApp, authorization: &str, query: &str, vars: Value) -> Value {
    let req = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", authorization)
        .body(axum::body::Body::from(json!({ "query": query, "variables": vars }).to_string()))
        .unwrap();
    let (status, _, body) = app.send(req).await;
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

/// Every page of a connection, its nodes.
async fn nodes(app: &TestApp, authorization: &str, query: &str, field: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = graphql(app, authorization, query, json!({ "after": after })).await;
        let conn = &data[field];
        out.extend(conn["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()));
        if conn["pageInfo"]["hasNextPage"] != json!(true) {
            return out;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
}

fn set(values: impl IntoIterator<Item = Value>) -> BTreeSet<String> {
    values.into_iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

/// The ids of an export's rows.
async fn exported(app: &TestApp, authorization: &str, dataset: &str) -> BTreeSet<String> {
    set(ndjson(&get(app, Some(authorization), &format!("/export/{dataset}.ndjson")).await).into_iter().map(|r| r["id"].clone()))
}

async fn act(app: &TestApp, token: &str, mutation: &str, input: Value) {
    let input_type = if mutation.ends_with("Assignment") { "AssignmentActionInput" } else { "TaskTransitionInput" };
    let q = format!("mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ __typename }} }}");
    app.ok(Some(token), &q, json!({ "i": input })).await;
}

/// Tasks with shares, timeline entries and an inspection with findings in `community`; one task
/// escalated to the city by the street's administrator.
async fn fill(app: &TestApp, community: &Community, units: &[&Unit]) {
    let staff = community.staff(app);
    for (n, title) in ["排水沟堵塞", "占道经营", "违章搭建"].iter().enumerate() {
        let task = Fixture::task(app, community, title).await;
        for (i, unit) in units.iter().enumerate() {
            let share = task.share(app, unit, if i == 0 { "LEAD" } else { "SUPPORT" }).await;
            if n == 0 {
                act(app, &unit.token(app), "acceptAssignment", json!({ "id": share })).await;
            }
        }
        if n == 2 {
            act(app, &staff, "escalateTask", json!({ "id": task.id })).await;
            act(app, &community.street_admin(app), "escalateTask", json!({ "id": task.id })).await;
        }
        app.ok(
            Some(&staff),
            "mutation($i: CommentOnTaskInput!) { commentOnTask(input: $i) { event { id } } }",
            json!({ "i": { "taskId": task.id, "note": "已到现场" } }),
        )
        .await;
    }
    app.ok(
        Some(&staff),
        "mutation($i: CreateInspectionInput!) { createInspection(input: $i) { inspection { id } } }",
        json!({ "i": { "communityId": community.id, "patrol": "文明劝导队", "findings": [
            { "description": "占道摆摊", "category": "STALL_SPRAWL" },
            { "description": "垃圾堆放", "category": "SANITATION" }
        ] } }),
    )
    .await;
}

both_backends! {
    async fn every_collaboration_export_holds_exactly_what_graphql_shows_the_caller(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuyuan = Fixture::community(&app, "竹园").await;
        let songjiang = Fixture::street(&app, "松江街道").await;
        let zhuxi = songjiang.community(&app, "竹溪").await;
        // One unit on two committees of the street, one on one, one of the other street.
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await.seated_in(&app, &zhuyuan).await;
        let clinic = Fixture::unit(&app, "松园卫生站").await.seated_in(&app, &songyuan).await;
        let water = Fixture::unit(&app, "竹溪水务站").await.seated_in(&app, &zhuxi).await;
        fill(&app, &songyuan, &[&market, &clinic]).await;
        fill(&app, &zhuyuan, &[&market]).await;
        fill(&app, &zhuxi, &[&water]).await;
        let key = market.api_key(&app, &songyuan).await;
        let member = Fixture::member(&app, &songyuan, "林晓东").await;

        let callers = [
            ("street admin", format!("Bearer {}", app.street_admin())),
            ("community admin", format!("Bearer {}", songyuan.admin(&app))),
            ("community staff", format!("Bearer {}", songyuan.staff(&app))),
            ("unit by JWT", format!("Bearer {}", market.token(&app))),
            ("unit by API key", format!("ApiKey {}", key.secret)),
            ("member", format!("Bearer {}", member.token(&app))),
            ("reporter", format!("Bearer {}", app.token(Role::Reporter, "meiling-street"))),
            ("city admin", format!("Bearer {}", app.token(Role::CityAdmin, "jinjiang"))),
            ("other street's admin", format!("Bearer {}", songjiang.admin(&app))),
        ];
        let mut seen_any = 0;
        for (who, auth) in &callers {
            let tasks = nodes(&app, auth, TASKS, "tasks").await;
            let inspections = nodes(&app, auth, INSPECTIONS, "inspections").await;
            let listed = [
                ("tasks", set(tasks.iter().map(|t| t["id"].clone()))),
                ("assignments", set(tasks.iter().flat_map(|t| t["assignments"].as_array().unwrap().iter().map(|a| a["id"].clone())))),
                ("task-events", set(tasks.iter().flat_map(|t| t["timeline"].as_array().unwrap().iter().map(|e| e["id"].clone())))),
                ("inspections", set(inspections.iter().map(|i| i["id"].clone()))),
                ("findings", set(inspections.iter().flat_map(|i| i["findings"].as_array().unwrap().iter().map(|f| f["id"].clone())))),
            ];
            for (dataset, ids) in listed {
                assert_eq!(exported(&app, auth, dataset).await, ids, "{who}: {dataset}");
                seen_any += usize::from(!ids.is_empty());
            }
        }
        assert!(seen_any > 20, "the callers see rows to compare");

        // Spot checks of the world: the unit sees its own shares only, the city what went up.
        let unit_shares = exported(&app, &callers[3].1, "assignments").await;
        assert_eq!(unit_shares.len(), 6, "three tasks in each of its two communities");
        assert_eq!(exported(&app, &callers[4].1, "assignments").await, unit_shares, "the key is the unit");
        assert_eq!(exported(&app, &callers[7].1, "tasks").await.len(), 3, "one task of each community went to the city");
        assert!(exported(&app, &callers[5].1, "tasks").await.is_empty(), "a member sees no tasks");
        assert_eq!(exported(&app, &callers[8].1, "inspections").await.len(), 1, "the other street sees its own inspection");

        for dataset in ["tasks", "assignments", "task-events", "inspections", "findings"] {
            let got = get(&app, None, &format!("/export/{dataset}.csv")).await;
            assert_eq!((got.status, got.code().as_str()), (401, "UNAUTHENTICATED"), "{dataset}");
        }
    }
}

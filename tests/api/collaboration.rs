//! Collaboration: every mutation kind is audited once (failures not at all), task lists cost a
//! fixed number of statements however many tasks there are, and scope holds for lists.

use gongzhi::auth::Role;
use serde_json::json;

use crate::audit::{audited, refused};
use crate::collab_support::*;
use crate::fixtures::Fixture;
use crate::support::TestApp;

both_backends! {
    async fn every_collaboration_mutation_is_audited_once_and_failures_not_at_all(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let market = Fixture::unit(&app, "松园市场监管所").await.seated_in(&app, &songyuan).await;
        let water = Fixture::unit(&app, "自来水公司").await.seated_in(&app, &songyuan).await;
        let street = songyuan.street_admin(&app);
        let staff = songyuan.staff(&app);
        let unit = market.token(&app);

        let c = audited(
            &app,
            &street,
            "createCampaign",
            "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }",
            json!({ "i": { "name": "测试行动", "startsOn": "2026-01-01", "communityIds": [songyuan.id] } }),
        )
        .await;
        let campaign = c["createCampaign"]["campaign"]["id"].as_str().unwrap().to_owned();
        let upd = "mutation($i: UpdateCampaignInput!) { updateCampaign(input: $i) { campaign { version endsOn communities { code } } } }";
        let u = audited(
            &app,
            &street,
            "updateCampaign",
            upd,
            json!({ "i": { "id": campaign, "expectedVersion": 1, "endsOn": "2026-12-31", "addCommunityIds": [zhuxi.id] } }),
        )
        .await;
        assert_eq!(u["updateCampaign"]["campaign"]["communities"].as_array().unwrap().len(), 2);
        assert_eq!(
            refused(&app, Some(&street), upd, json!({ "i": { "id": campaign, "expectedVersion": 1, "name": "x" } })).await,
            "CONFLICT"
        );
        assert_eq!(refused(&app, Some(&staff), upd, json!({ "i": { "id": campaign, "name": "x" } })).await, "FORBIDDEN");
        assert_eq!(refused(&app, Some(&street), upd, json!({ "i": { "id": campaign, "endsOn": "2020-01-01" } })).await, "BAD_USER_INPUT");
        assert_eq!(
            refused(
                &app,
                Some(&staff),
                "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }",
                json!({ "i": { "name": "x", "startsOn": "2026-01-01", "communityIds": [songyuan.id] } })
            )
            .await,
            "FORBIDDEN"
        );

        let s = audited(
            &app,
            &staff,
            "createSite",
            "mutation($i: CreateSiteInput!) { createSite(input: $i) { site { id } } }",
            json!({ "i": { "communityId": songyuan.id, "name": "松园路口", "kind": "STREET" } }),
        )
        .await;
        let site = s["createSite"]["site"]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            refused(
                &app,
                Some(&staff),
                "mutation($i: CreateSiteInput!) { createSite(input: $i) { site { id } } }",
                json!({ "i": { "communityId": songyuan.id, "name": "松园路口", "kind": "STREET" } })
            )
            .await,
            "CONFLICT"
        );

        let t = audited(&app, &staff, "createTask", CREATE_TASK,
            json!({ "i": { "communityId": songyuan.id, "title": "路口占道", "category": "STALL_SPRAWL", "campaignId": campaign, "siteId": site } })).await;
        let task = t["createTask"]["task"]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            refused(&app, Some(&staff), CREATE_TASK, json!({ "i": { "communityId": zhuxi.id, "title": "x", "category": "OTHER" } })).await,
            "NOT_FOUND"
        );
        assert_eq!(
            refused(
                &app,
                Some(&staff),
                CREATE_TASK,
                json!({ "i": { "communityId": songyuan.id, "title": "x", "category": "OTHER", "evidence": ["ftp://x"] } })
            )
            .await,
            "BAD_USER_INPUT"
        );

        audited(
            &app,
            &staff,
            "updateTask",
            "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }",
            json!({ "i": { "id": task, "priority": "HIGH" } }),
        )
        .await;
        let a = audited(
            &app,
            &staff,
            "assignTask",
            ASSIGN,
            json!({ "i": { "taskId": task, "unitId": market.id, "role": "LEAD" } }),
        )
        .await;
        let share = a["assignTask"]["assignment"]["id"].as_str().unwrap().to_owned();
        for (name, action) in [("acceptAssignment", "accept"), ("startAssignment", "start"), ("resolveAssignment", "resolve")] {
            let q = format!("mutation($i: AssignmentActionInput!) {{ {action}Assignment(input: $i) {{ assignment {{ id }} }} }}");
            audited(&app, &unit, name, &q, json!({ "i": { "id": share } })).await;
            assert_eq!(refused(&app, Some(&unit), &q, json!({ "i": { "id": share } })).await, "BAD_USER_INPUT");
        }
        audited(
            &app,
            &unit,
            "commentOnTask",
            "mutation($i: CommentOnTaskInput!) { commentOnTask(input: $i) { event { id } } }",
            json!({ "i": { "taskId": task, "note": "完成" } }),
        )
        .await;
        let transition = |name: &str| format!("mutation($i: TaskTransitionInput!) {{ {name}(input: $i) {{ task {{ id }} }} }}");
        audited(&app, &staff, "reopenTask", &transition("reopenTask"), json!({ "i": { "id": task } })).await;
        audited(&app, &staff, "escalateTask", &transition("escalateTask"), json!({ "i": { "id": task } })).await;
        audited(&app, &staff, "cancelTask", &transition("cancelTask"), json!({ "i": { "id": task } })).await;
        assert_eq!(refused(&app, Some(&staff), &transition("verifyTask"), json!({ "i": { "id": task } })).await, "BAD_USER_INPUT");

        let i = audited(&app, &staff, "createInspection", "mutation($i: CreateInspectionInput!) { createInspection(input: $i) { inspection { id findings { id } } } }",
            json!({ "i": { "communityId": songyuan.id, "siteId": site, "patrol": "文明劝导队", "findings": [{ "description": "路口堆放杂物", "category": "SANITATION" }] } })).await;
        let finding = i["createInspection"]["inspection"]["findings"][0]["id"].as_str().unwrap().to_owned();
        let from = "mutation($i: CreateTaskFromFindingInput!) { createTaskFromFinding(input: $i) { task { id site { name } category } } }";
        let f = audited(&app, &staff, "createTaskFromFinding", from, json!({ "i": { "findingId": finding } })).await;
        assert_eq!(f["createTaskFromFinding"]["task"]["site"]["name"], "松园路口");
        assert_eq!(f["createTaskFromFinding"]["task"]["category"], "SANITATION");
        assert_eq!(refused(&app, Some(&staff), from, json!({ "i": { "findingId": finding } })).await, "CONFLICT");

        let k = audited(
            &app,
            &street,
            "createApiKey",
            "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } } }",
            json!({ "i": { "unitId": water.id, "label": "自来水公司" } }),
        )
        .await;
        let key = k["createApiKey"]["apiKey"]["id"].as_str().unwrap().to_owned();
        audited(
            &app,
            &street,
            "revokeApiKey",
            "mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { apiKey { id } } }",
            json!({ "i": { "id": key } }),
        )
        .await;
        assert_eq!(
            refused(
                &app,
                Some(&street),
                "mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { apiKey { id } } }",
                json!({ "i": { "id": key } })
            )
            .await,
            "CONFLICT"
        );
    }
}

const TASK_LIST: &str = r#"{
  tasks(first: 50) { totalCount edges { node {
    title status level overdue community { name } site { name } campaign { name communities { code } }
    assignments { role status unit { code name } }
    timeline { kind actor note unit { code } }
  } } }
}"#;

/// `n` tasks of a new community, each with a lead, a support and a comment.
async fn seed_tasks(app: &TestApp, n: usize) {
    let songyuan = Fixture::community(app, "松园").await;
    let market = Fixture::unit(app, "市场监管所").await.seated_in(app, &songyuan).await;
    let health = Fixture::unit(app, "卫生院").await.seated_in(app, &songyuan).await;
    let comment = "mutation($i: CommentOnTaskInput!) { commentOnTask(input: $i) { event { id } } }";
    for i in 0..n {
        let t = Fixture::task(app, &songyuan, &format!("任务{i}")).await;
        t.share(app, &market, "LEAD").await;
        t.share(app, &health, "SUPPORT").await;
        app.ok(Some(&songyuan.staff(app)), comment, json!({ "i": { "taskId": t.id, "note": "跟进" } })).await;
    }
}

both_backends! {
    async fn a_task_list_costs_the_same_statements_for_three_tasks_or_thirty(backend: Backend) {
        let small = TestApp::demo(&backend).await;
        let large = TestApp::demo(&backend).await;
        seed_tasks(&small, 3).await;
        seed_tasks(&large, 30).await;
        let mut counts = Vec::new();
        for app in [&small, &large] {
            let token = app.street_admin();
            app.ok(Some(&token), "{ viewer { kind } }", json!({})).await;
            let (n, data) = app.count_statements(app.ok(Some(&token), TASK_LIST, json!({}))).await;
            let edges = data["tasks"]["edges"].as_array().unwrap();
            assert!(
                edges.iter().all(
                    |e| e["node"]["assignments"].as_array().unwrap().len() == 2 && e["node"]["timeline"].as_array().unwrap().len() >= 4
                )
            );
            counts.push((n, edges.len()));
        }
        assert_eq!(counts[0].1 + 27, counts[1].1);
        assert_eq!(counts[0].0, counts[1].0, "[{}] statements grew with the tasks: {counts:?}", backend.name());
        assert!(counts[0].0 <= 12, "[{}] {counts:?}", backend.name());
    }
}

both_backends! {
    async fn task_lists_stay_inside_the_scope(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let seated = Fixture::unit(&app, "松园派出所").await.seated_in(&app, &songyuan).await;
        Fixture::task(&app, &songyuan, "松园任务").await;
        Fixture::task(&app, &zhuxi, "竹溪任务").await;
        let list = "{ tasks { totalCount edges { node { title community { code } } } } campaigns { id } }";
        let count = |data: &serde_json::Value| data["tasks"]["totalCount"].as_i64().unwrap();
        assert_eq!(count(&app.ok(Some(&app.street_admin()), list, json!({})).await), 2);
        let z = app.ok(Some(&zhuxi.staff(&app)), list, json!({})).await;
        assert_eq!(count(&z), 1);
        assert_eq!(z["tasks"]["edges"][0]["node"]["community"]["code"], zhuxi.code.as_str());
        assert_eq!(count(&app.ok(Some(&app.token(Role::Reporter, &songyuan.street_code)), list, json!({})).await), 2);
        assert_eq!(count(&app.ok(Some(&seated.token(&app)), list, json!({})).await), 0, "no share, no task");
        let member = Fixture::member(&app, &songyuan, "林晓东").await;
        assert_eq!(count(&app.ok(Some(&member.token(&app)), list, json!({})).await), 0);
        assert_eq!(app.error_code(None, list, json!({})).await, "UNAUTHENTICATED");
    }
}

both_backends! {
    async fn a_community_leaves_a_campaign_only_once_its_tasks_in_it_are_closed(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let street = songyuan.street_admin(&app);
        let c = app
            .ok(
                Some(&street),
                "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } } }",
                json!({ "i": { "name": "农贸市场整治", "startsOn": "2026-01-01", "communityIds": [songyuan.id, zhuxi.id] } }),
            )
            .await;
        let campaign = c["createCampaign"]["campaign"]["id"].as_str().unwrap().to_owned();
        let zhuxi_staff = zhuxi.staff(&app);
        let t = app
            .ok(
                Some(&zhuxi_staff),
                CREATE_TASK,
                json!({ "i": { "communityId": zhuxi.id, "title": "菜市场门口占道", "category": "STALL_SPRAWL", "campaignId": campaign } }),
            )
            .await;
        let task = t["createTask"]["task"]["id"].as_str().unwrap().to_owned();
        let upd = "mutation($i: UpdateCampaignInput!) { updateCampaign(input: $i) { campaign { communities { code } } } }";
        let leave = |who: &str| json!({ "i": { "id": campaign, "removeCommunityIds": [who] } });
        // An open task keeps the community in; the last community cannot leave.
        assert_eq!(refused(&app, Some(&street), upd, leave(&zhuxi.id)).await, "BAD_USER_INPUT");
        let both = json!({ "i": { "id": campaign, "removeCommunityIds": [zhuxi.id, songyuan.id] } });
        assert_eq!(refused(&app, Some(&street), upd, both).await, "BAD_USER_INPUT");
        assert_eq!(refused(&app, Some(&zhuxi_staff), upd, leave(&zhuxi.id)).await, "FORBIDDEN");
        app.ok(
            Some(&zhuxi_staff),
            "mutation($i: TaskTransitionInput!) { cancelTask(input: $i) { task { status } } }",
            json!({ "i": { "id": task, "note": "已并入其他任务" } }),
        )
        .await;
        let left = audited(&app, &street, "updateCampaign", upd, leave(&zhuxi.id)).await;
        assert_eq!(left["updateCampaign"]["campaign"]["communities"], json!([{ "code": songyuan.code }]));
        // 竹溪 no longer sees the campaign; its closed task stays, outside it.
        let seen = app
            .ok(
                Some(&zhuxi_staff),
                "query($id: ID!) { campaigns { id } node(id: $id) { ... on Task { status campaign { id } } } }",
                json!({ "id": task }),
            )
            .await;
        assert_eq!(seen["campaigns"], json!([]), "[{}]", backend.name());
        assert_eq!(seen["node"], json!({ "status": "CANCELLED", "campaign": null }));
    }
}

both_backends! {
    async fn verifying_a_task_and_declining_a_share_are_audited_once(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
        let staff = songyuan.staff(&app);
        let unit = market.token(&app);
        let share_action = |name: &str| {
            format!(
                "mutation($i: AssignmentActionInput!) {{ {name}Assignment(input: $i) {{ assignment {{ id status declineReason }} task {{ status }} }} }}"
            )
        };

        // A task worked through to RESOLVED, then verified.
        let task = Fixture::task(&app, &songyuan, "市场东门占道").await;
        let share = task.share(&app, &market, "LEAD").await;
        let t = task.id;
        for name in ["accept", "start", "resolve"] {
            app.ok(Some(&unit), &share_action(name), json!({ "i": { "id": share } })).await;
        }
        let verify = "mutation($i: TaskTransitionInput!) { verifyTask(input: $i) { task { status } } }";
        let v = audited(&app, &staff, "verifyTask", verify, json!({ "i": { "id": t, "note": "现场复核通过" } })).await;
        assert_eq!(v["verifyTask"]["task"]["status"], "VERIFIED");
        assert_eq!(refused(&app, Some(&staff), verify, json!({ "i": { "id": t } })).await, "BAD_USER_INPUT");

        // A share declined with a reason; without one it is refused and leaves nothing.
        let share = Fixture::task(&app, &songyuan, "市场西门堆物").await.share(&app, &market, "LEAD").await;
        let decline = share_action("decline");
        assert_eq!(refused(&app, Some(&unit), &decline, json!({ "i": { "id": share } })).await, "BAD_USER_INPUT");
        let d = audited(&app, &unit, "declineAssignment", &decline, json!({ "i": { "id": share, "reason": "不属于本单位职责" } })).await;
        assert_eq!(d["declineAssignment"]["assignment"]["status"], "DECLINED");
        assert_eq!(d["declineAssignment"]["task"]["status"], "REPORTED", "every share declined: back for reassignment");
        assert_eq!(refused(&app, Some(&unit), &decline, json!({ "i": { "id": share, "reason": "再次拒绝" } })).await, "BAD_USER_INPUT");
    }
}

both_backends! {
    async fn reopening_puts_every_finished_share_back_to_work_on_the_timeline(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let municipal = Fixture::unit(&app, "市政").await.seated_in(&app, &songyuan).await;
        let health = Fixture::unit(&app, "卫健").await.seated_in(&app, &songyuan).await;
        let staff = songyuan.staff(&app);
        let task = Fixture::task(&app, &songyuan, "市场排水沟堵塞").await;
        let lead = task.share(&app, &municipal, "LEAD").await;
        let support = task.share(&app, &health, "SUPPORT").await;
        let t = task.id;
        let act = |name: &str| format!("mutation($i: AssignmentActionInput!) {{ {name}(input: $i) {{ task {{ status }} }} }}");
        for step in ["acceptAssignment", "startAssignment", "resolveAssignment"] {
            for (unit, share) in [(&health, &support), (&municipal, &lead)] {
                app.ok(Some(&unit.token(&app)), &act(step), json!({ "i": { "id": share } })).await;
            }
        }
        assert_eq!(stored(&app, &t).await.status, entity::task::TaskStatus::Resolved);
        let reopen = "mutation($i: TaskTransitionInput!) { reopenTask(input: $i) { task { status } } }";
        audited(&app, &staff, "reopenTask", reopen, json!({ "i": { "id": t, "note": "雨后又堵" } })).await;
        for share in [&lead, &support] {
            assert_eq!(stored_share(&app, share).await.status, entity::assignment::AssignmentStatus::Accepted);
        }
        let seen = app
            .ok(
                Some(&health.token(&app)),
                "query($t: ID!) { node(id: $t) { ... on Task { timeline { kind unit { code } note } } } }",
                json!({ "t": t }),
            )
            .await;
        let reopened: Vec<&serde_json::Value> =
            seen["node"]["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == "REOPENED").collect();
        // The task's own entry, and the unit's share; not the other unit's.
        assert_eq!(reopened.len(), 2, "[{}] {reopened:?}", backend.name());
        assert!(reopened.iter().any(|e| e["unit"]["code"] == health.code.as_str() && e["note"] == "DONE → ACCEPTED"), "{reopened:?}");
        let all = app.ok(Some(&staff), "query($t: ID!) { node(id: $t) { ... on Task { timeline { kind } } } }", json!({ "t": t })).await;
        assert_eq!(all["node"]["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == "REOPENED").count(), 3);
    }
}

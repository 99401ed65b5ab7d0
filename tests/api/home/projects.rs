//! Renovation projects: who proposes, approves and marks progress; every illegal transition
//! refused with a message naming the state and the action; a broker seated on the community's
//! joint committee; budgets in whole fen; tasks spawned together with their link or not at all.

use entity::{project_task, task, task_event};
use sea_orm::{EntityTrait, PaginatorTrait};

use super::*;

pub const PROPOSE: &str = "mutation($i: ProposeProjectInput!) { proposeProject(input: $i) { project { id status version budgetFen proposedAs funding { source amountFen } broker { code } } } }";
pub const APPROVE: &str =
    "mutation($i: ProjectTransitionInput!) { approveProject(input: $i) { project { id status version approvedAt } } }";
pub const START: &str = "mutation($i: ProjectTransitionInput!) { startProject(input: $i) { project { id status version } } }";
pub const COMPLETE: &str = "mutation($i: ProjectTransitionInput!) { completeProject(input: $i) { project { id status version doneAt } } }";
pub const DROP: &str = "mutation($i: DropProjectInput!) { dropProject(input: $i) { project { id status dropReason } } }";
pub const ADD_MILESTONE: &str =
    "mutation($i: AddProjectMilestoneInput!) { addProjectMilestone(input: $i) { milestone { id done version evidence } } }";
pub const MARK_MILESTONE: &str =
    "mutation($i: MarkProjectMilestoneInput!) { markProjectMilestone(input: $i) { milestone { id done doneOn version evidence } } }";
pub const SPAWN: &str =
    "mutation($i: SpawnProjectTaskInput!) { spawnProjectTask(input: $i) { project { id } task { id status community { id } } } }";

/// A proposal of a gate-access renovation for the home, brokered by `broker`.
pub fn proposal(h: &crate::home::fixtures::Home, broker: &str, funding: Value) -> Value {
    json!({ "i": { "compoundId": h.compound_id, "title": "小区大门智能门禁改造", "scope": "更换大门门禁与道闸", "kind": "GATE_ACCESS",
        "brokerUnitId": broker, "funding": funding } })
}

fn transition(id: &Value) -> Value {
    json!({ "i": { "id": id } })
}

/// The error's message and field.
fn refusal(body: &Value) -> (String, String) {
    let e = &body["errors"][0];
    (e["message"].as_str().unwrap_or_default().to_owned(), e["extensions"]["field"].as_str().unwrap_or_default().to_owned())
}

async fn project(app: &TestApp, token: &str, id: &Value) -> Value {
    let q = "query($id: ID!) { node(id: $id) { ... on Project { id status version milestones { id title done } tasks { id status } } } }";
    app.ok(Some(token), q, json!({ "id": id })).await["node"].clone()
}

both_backends! {
    async fn a_project_runs_from_proposal_to_done_and_every_illegal_transition_is_refused(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "改苑").await;
        let staff = h.staff(&app);
        let (director, plain) = (&h.members[0], &h.members[3]);
        h.elect(&app, &[director]).await;
        let broker = Fixture::unit(&app, "改苑交警中队").await.seated_in(&app, &h.community).await;
        let stranger = Fixture::unit(&app, "未入驻单位").await;
        let elsewhere = Fixture::community(&app, "别处社区").await;
        let b = backend.name();

        // The broker must sit on the community's joint committee.
        let funding = json!([{ "source": "STREET", "amountFen": 600_000 }, { "source": "MAINTENANCE_FUND", "amountFen": "400000" }]);
        let (_, body) = app.post(Some(&staff), PROPOSE, proposal(&h, &stranger.id, funding.clone())).await;
        assert_eq!(code(&body), Some("BAD_USER_INPUT"), "[{b}] {body}");
        let (message, field) = refusal(&body);
        assert_eq!(field, "brokerUnitId", "[{b}] {body}");
        assert!(message.contains("未入驻单位") && message.contains("joint committee"), "[{b}] {message}");
        // Only staff and the owners' committee propose; other communities' staff find no compound.
        for token in [plain.token(&app), broker.token(&app)] {
            assert_eq!(app.error_code(Some(&token), PROPOSE, proposal(&h, &broker.id, funding.clone())).await, "FORBIDDEN", "[{b}]");
        }
        assert_eq!(app.error_code(Some(&elsewhere.staff(&app)), PROPOSE, proposal(&h, &broker.id, funding.clone())).await, "NOT_FOUND");

        let d = app.ok(Some(&director.token(&app)), PROPOSE, proposal(&h, &broker.id, funding)).await;
        let p = d["proposeProject"]["project"].clone();
        assert_eq!((p["status"].as_str(), p["budgetFen"].as_i64(), p["proposedAs"].as_str()), (Some("PROPOSED"), Some(1_000_000), Some("OWNERS_COMMITTEE")), "[{b}] {p}");
        assert_eq!(p["funding"], json!([{ "source": "MAINTENANCE_FUND", "amountFen": 400_000 }, { "source": "STREET", "amountFen": 600_000 }]));
        assert_eq!(p["broker"]["code"], broker.code.as_str());
        let id = p["id"].clone();

        // Who may: the committee proposes but does not approve; the broker marks progress only.
        for token in [director.token(&app), broker.token(&app)] {
            assert_eq!(app.error_code(Some(&token), APPROVE, transition(&id)).await, "FORBIDDEN", "[{b}]");
        }
        assert_eq!(app.error_code(Some(&plain.token(&app)), APPROVE, transition(&id)).await, "NOT_FOUND", "[{b}] a resident without a role does not see it");
        assert_eq!(app.error_code(Some(&staff), APPROVE, json!({ "i": { "id": id, "expectedVersion": 7 } })).await, "CONFLICT");

        // Every illegal transition names the action and the state.
        let illegal = |action: &'static str, state: &'static str| (format!("cannot {action} a project that is {state}"), "status".to_owned());
        let refuse = |token: String, q: &'static str, vars: Value| {
            let app = &app;
            async move {
                let (_, body) = app.post(Some(&token), q, vars).await;
                assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{body}");
                refusal(&body)
            }
        };
        assert_eq!(refuse(staff.clone(), START, transition(&id)).await, illegal("startProject", "PROPOSED"));
        assert_eq!(refuse(staff.clone(), COMPLETE, transition(&id)).await, illegal("completeProject", "PROPOSED"));
        let d = app.ok(Some(&staff), APPROVE, json!({ "i": { "id": id, "expectedVersion": 1 } })).await;
        assert_eq!((d["approveProject"]["project"]["status"].as_str(), d["approveProject"]["project"]["version"].as_i64()), (Some("APPROVED"), Some(2)));
        assert_eq!(refuse(staff.clone(), APPROVE, transition(&id)).await, illegal("approveProject", "APPROVED"));
        assert_eq!(refuse(staff.clone(), COMPLETE, transition(&id)).await, illegal("completeProject", "APPROVED"));

        // The broker plans and marks progress.
        let add = |title: &str, evidence: Value| json!({ "i": { "projectId": id, "title": title, "dueOn": "2025-03-01", "evidence": evidence } });
        let (_, body) = app.post(Some(&broker.token(&app)), ADD_MILESTONE, add("门禁安装", json!(["ftp://x/y.jpg"]))).await;
        assert_eq!((code(&body), refusal(&body).1.as_str()), (Some("BAD_USER_INPUT"), "evidence"), "[{b}] {body}");
        let m = app.ok(Some(&broker.token(&app)), ADD_MILESTONE, add("门禁安装", json!([]))).await["addProjectMilestone"]["milestone"].clone();
        assert_eq!(app.error_code(Some(&director.token(&app)), ADD_MILESTONE, add("验收", json!([]))).await, "FORBIDDEN", "[{b}]");
        let d = app.ok(Some(&broker.token(&app)), START, transition(&id)).await;
        assert_eq!(d["startProject"]["project"]["status"], "IN_PROGRESS");
        assert_eq!(refuse(broker.token(&app), START, transition(&id)).await, illegal("startProject", "IN_PROGRESS"));
        assert_eq!(refuse(staff.clone(), APPROVE, transition(&id)).await, illegal("approveProject", "IN_PROGRESS"));
        // Done once every milestone is.
        let (_, body) = app.post(Some(&broker.token(&app)), COMPLETE, transition(&id)).await;
        assert_eq!((code(&body), refusal(&body).1.as_str()), (Some("BAD_USER_INPUT"), "milestones"), "[{b}] {body}");
        assert!(refusal(&body).0.contains("门禁安装"), "[{b}] {body}");
        let mark = json!({ "i": { "id": m["id"], "done": true, "doneOn": "2025-02-27", "evidence": ["https://example.org/gate.jpg"], "expectedVersion": 1 } });
        let d = app.ok(Some(&broker.token(&app)), MARK_MILESTONE, mark.clone()).await;
        let marked = &d["markProjectMilestone"]["milestone"];
        assert_eq!((marked["done"].as_bool(), marked["doneOn"].as_str(), marked["version"].as_i64()), (Some(true), Some("2025-02-27"), Some(2)));
        assert_eq!(marked["evidence"], json!(["https://example.org/gate.jpg"]));
        assert_eq!(app.error_code(Some(&broker.token(&app)), MARK_MILESTONE, mark).await, "CONFLICT", "[{b}] a stale milestone");
        let d = app.ok(Some(&broker.token(&app)), COMPLETE, transition(&id)).await;
        assert_eq!(d["completeProject"]["project"]["status"], "DONE");
        for (q, action) in [(APPROVE, "approveProject"), (START, "startProject"), (COMPLETE, "completeProject")] {
            assert_eq!(refuse(staff.clone(), q, transition(&id)).await, illegal(action, "DONE"));
        }
        assert_eq!(refuse(staff.clone(), DROP, json!({ "i": { "id": id, "reason": "预算不足" } })).await, illegal("dropProject", "DONE"));
        assert_eq!(refuse(staff.clone(), ADD_MILESTONE, add("追加", json!([]))).await, illegal("addProjectMilestone", "DONE"));
        let again = json!({ "i": { "id": m["id"], "done": false } });
        assert_eq!(refuse(staff.clone(), MARK_MILESTONE, again).await, illegal("markProjectMilestone", "DONE"));

        // Dropped from each open state, with a reason; nothing moves a dropped project.
        for steps in [vec![], vec![APPROVE], vec![APPROVE, START]] {
            let funding = json!([{ "source": "DEPARTMENT", "amountFen": 50_000 }]);
            let d = app.ok(Some(&staff), PROPOSE, proposal(&h, &broker.id, funding)).await;
            let other = d["proposeProject"]["project"]["id"].clone();
            for q in &steps {
                app.ok(Some(&staff), q, transition(&other)).await;
            }
            let (_, body) = app.post(Some(&staff), DROP, json!({ "i": { "id": other, "reason": "  " } })).await;
            assert_eq!((code(&body), refusal(&body).1.as_str()), (Some("BAD_USER_INPUT"), "reason"), "[{b}] {body}");
            assert_eq!(app.error_code(Some(&broker.token(&app)), DROP, json!({ "i": { "id": other, "reason": "不做了" } })).await, "FORBIDDEN");
            let d = app.ok(Some(&staff), DROP, json!({ "i": { "id": other, "reason": "业主意见未统一" } })).await;
            assert_eq!((d["dropProject"]["project"]["status"].as_str(), d["dropProject"]["project"]["dropReason"].as_str()), (Some("DROPPED"), Some("业主意见未统一")));
            for (q, action) in [(APPROVE, "approveProject"), (START, "startProject"), (COMPLETE, "completeProject")] {
                assert_eq!(refuse(staff.clone(), q, transition(&other)).await, illegal(action, "DROPPED"));
            }
            assert_eq!(refuse(staff.clone(), DROP, json!({ "i": { "id": other, "reason": "再放弃" } })).await, illegal("dropProject", "DROPPED"));
        }
    }
}

both_backends! {
    async fn a_projects_funding_is_whole_positive_fen(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "款苑").await;
        let staff = h.staff(&app);
        let broker = Fixture::unit(&app, "款苑住建").await.seated_in(&app, &h.community).await;
        let b = backend.name();
        let count = || async { entity::project::Entity::find().count(&app.db).await.unwrap() };
        let before = count().await;
        for amount in [json!(-100), json!(0), json!(1.5), json!("1.5"), json!("12.00"), json!(1e13), json!("1000000000001"), json!("9223372036854775808"), json!("五百")] {
            let (_, body) = app.post(Some(&staff), PROPOSE, proposal(&h, &broker.id, json!([{ "source": "STREET", "amountFen": amount }]))).await;
            assert_eq!(code(&body), Some("BAD_USER_INPUT"), "[{b}] {amount}: {body}");
            assert_eq!(refusal(&body).1, "amountFen", "[{b}] {amount}: {body}");
        }
        let twice = json!([{ "source": "STREET", "amountFen": 1 }, { "source": "STREET", "amountFen": 2 }]);
        let huge = json!([{ "source": "STREET", "amountFen": "1000000000000" }, { "source": "DEPARTMENT", "amountFen": 1 }]);
        for funding in [json!([]), twice, huge] {
            let (_, body) = app.post(Some(&staff), PROPOSE, proposal(&h, &broker.id, funding.clone())).await;
            assert_eq!((code(&body), refusal(&body).1.as_str()), (Some("BAD_USER_INPUT"), "funding"), "[{b}] {funding}: {body}");
        }
        assert_eq!(count().await, before, "[{b}] refused proposals wrote nothing");
    }
}

async fn counts(app: &TestApp) -> [u64; 3] {
    [
        task::Entity::find().count(&app.db).await.unwrap(),
        task_event::Entity::find().count(&app.db).await.unwrap(),
        project_task::Entity::find().count(&app.db).await.unwrap(),
    ]
}

both_backends! {
    async fn a_project_spawns_a_task_with_its_link_in_one_transaction(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = Fixture::home(&app, "任苑").await;
        let staff = h.staff(&app);
        let director = &h.members[0];
        h.elect(&app, &[director]).await;
        let broker = Fixture::unit(&app, "任苑市政").await.seated_in(&app, &h.community).await;
        let neighbour = Fixture::unit(&app, "任苑供电").await.seated_in(&app, &h.community).await;
        let b = backend.name();
        let d = app.ok(Some(&staff), PROPOSE, proposal(&h, &broker.id, json!([{ "source": "SHARED_INCOME", "amountFen": 80_000 }]))).await;
        let id = d["proposeProject"]["project"]["id"].clone();
        let spawn = |extra: Value| {
            let mut i = json!({ "projectId": id, "title": "门禁线路改造", "category": "OTHER", "description": "配合改造" });
            i.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            json!({ "i": i })
        };

        // Refused spawns write nothing: a proposed project, a bad task, a stale project, the
        // wrong caller.
        let before = counts(&app).await;
        let (_, body) = app.post(Some(&staff), SPAWN, spawn(json!({}))).await;
        assert_eq!(refusal(&body), ("cannot spawnProjectTask a project that is PROPOSED".to_owned(), "status".to_owned()), "[{b}] {body}");
        app.ok(Some(&staff), APPROVE, transition(&id)).await;
        for (extra, expected) in [
            (json!({ "evidence": ["javascript:alert(1)"] }), "BAD_USER_INPUT"),
            (json!({ "title": "   " }), "BAD_USER_INPUT"),
            (json!({ "dueAt": "9999-01-01T00:00:00Z" }), "BAD_USER_INPUT"),
            (json!({ "expectedVersion": 1 }), "CONFLICT"),
        ] {
            assert_eq!(refused(&app, Some(&staff), SPAWN, spawn(extra.clone())).await, expected, "[{b}] {extra}");
        }
        for token in [director.token(&app), broker.token(&app)] {
            assert_eq!(refused(&app, Some(&token), SPAWN, spawn(json!({}))).await, "FORBIDDEN", "[{b}]");
        }
        assert_eq!(counts(&app).await, before, "[{b}] a refused spawn wrote a task, a timeline entry or a link");

        // A spawn writes the task, its first timeline entry and the link, once.
        let d = audited(&app, &staff, "spawnProjectTask", SPAWN, spawn(json!({ "expectedVersion": 2 }))).await;
        let t = d["spawnProjectTask"]["task"].clone();
        assert_eq!((t["status"].as_str(), t["community"]["id"].as_str()), (Some("REPORTED"), Some(h.community.id.as_str())), "[{b}] {t}");
        let after = counts(&app).await;
        assert_eq!([after[0] - before[0], after[1] - before[1], after[2] - before[2]], [1, 1, 1], "[{b}]");
        let seen = project(&app, &staff, &id).await;
        assert_eq!(seen["tasks"], json!([{ "id": t["id"], "status": "REPORTED" }]), "[{b}]");

        // The broker sees the task once it has a share of it; another unit sees neither.
        assert_eq!(project(&app, &broker.token(&app), &id).await["tasks"], json!([]), "[{b}] no share yet");
        crate::collab_support::assign(&app, &h.community.code, t["id"].as_str().unwrap(), &broker.id, "LEAD").await;
        assert_eq!(project(&app, &broker.token(&app), &id).await["tasks"][0]["id"], t["id"], "[{b}]");
        let q = "query($id: ID!) { node(id: $id) { id } }";
        assert!(app.ok(Some(&neighbour.token(&app)), q, json!({ "id": id })).await["node"].is_null(), "[{b}] not the broker");
    }
}

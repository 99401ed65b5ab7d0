//! The whole transition table: every state × action × principal kind, allowed or refused as
//! specified. The expectations below are written from the specification, independently of the
//! server's workflow module.

use entity::assignment::AssignmentStatus as S;
use entity::task::TaskLevel;
use entity::task::TaskStatus as T;
use gongzhi::auth::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::collab_support::*;
use crate::fixtures::{Fixture, Unit};
use crate::support::TestApp;

const STATES: [T; 7] = [T::Reported, T::Assigned, T::InProgress, T::Resolved, T::Verified, T::Reopened, T::Cancelled];

/// The lead share's status that goes with each task state.
fn share_for(t: T) -> S {
    match t {
        T::Reported | T::Assigned | T::Cancelled => S::Pending,
        T::InProgress => S::InProgress,
        T::Resolved | T::Verified => S::Done,
        T::Reopened => S::Accepted,
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    StreetAdmin,
    CommunityAdmin,
    CommunityStaff,
    OtherCommunityStaff,
    AssignedUnit,
    OtherUnit,
    Member,
    Reporter,
    /// City staff (jinjiang), the task still at community level.
    CityAdmin,
    /// City staff (jinjiang), the task escalated to city level.
    CityAdminOnCityTask,
    /// The assigned unit calling with its API key (`Authorization: ApiKey …`).
    AssignedUnitKey,
    /// Another unit of the committee calling with its API key.
    OtherUnitKey,
}

const WHO: [Who; 12] = [
    Who::StreetAdmin,
    Who::CommunityAdmin,
    Who::CommunityStaff,
    Who::OtherCommunityStaff,
    Who::AssignedUnit,
    Who::OtherUnit,
    Who::Member,
    Who::Reporter,
    Who::CityAdmin,
    Who::CityAdminOnCityTask,
    Who::AssignedUnitKey,
    Who::OtherUnitKey,
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Action {
    Assign,
    Update,
    Verify,
    Reopen,
    Cancel,
    Escalate,
    Accept,
    Decline,
    Start,
    Resolve,
}

const ACTIONS: [Action; 10] = [
    Action::Assign,
    Action::Update,
    Action::Verify,
    Action::Reopen,
    Action::Cancel,
    Action::Escalate,
    Action::Accept,
    Action::Decline,
    Action::Start,
    Action::Resolve,
];

fn is_staff_action(a: Action) -> bool {
    matches!(a, Action::Assign | Action::Update | Action::Verify | Action::Reopen | Action::Cancel | Action::Escalate)
}

/// The specification: which states allow which action.
fn allowed_in(a: Action, t: T) -> bool {
    let open = matches!(t, T::Reported | T::Assigned | T::InProgress | T::Reopened);
    let live = matches!(t, T::Assigned | T::InProgress | T::Reopened);
    let share = share_for(t);
    match a {
        Action::Assign => open,
        Action::Update => !matches!(t, T::Verified | T::Cancelled),
        Action::Verify | Action::Reopen => t == T::Resolved,
        Action::Cancel => !matches!(t, T::Verified | T::Cancelled),
        Action::Escalate => open,
        Action::Accept | Action::Decline => live && share == S::Pending,
        Action::Start => live && share == S::Accepted,
        Action::Resolve => live && share == S::InProgress,
    }
}

/// The specification: who may act, and what others get. A unit with an API key is the unit
/// (it acts on its own share, and sees no task without one); city staff see the tasks escalated
/// to the city and act on none of them (staff actions belong to the community and its street).
fn expected(who: Who, a: Action, t: T) -> &'static str {
    let refusal = match (who, is_staff_action(a)) {
        (Who::StreetAdmin | Who::CommunityAdmin | Who::CommunityStaff, true) => None,
        (Who::AssignedUnit | Who::AssignedUnitKey, false) => None,
        // Those who cannot see the task at all.
        (Who::OtherCommunityStaff | Who::OtherUnit | Who::OtherUnitKey | Who::Member | Who::CityAdmin, _) => Some("NOT_FOUND"),
        // Those who see it but may not do this.
        _ => Some("FORBIDDEN"),
    };
    match refusal {
        Some(code) => code,
        None if allowed_in(a, t) => "OK",
        None => "BAD_USER_INPUT",
    }
}

/// The table above acts on tasks at community level, where every staff kind may escalate (to
/// the street). Past the street, only street staff take a task to the city: see
/// `only_street_staff_take_a_task_from_the_street_to_the_city`.
///
/// The specification: the task's status, the lead share's status and the task's level after an
/// allowed action (with only the lead share on the task, as `force` leaves it).
fn outcome(a: Action, t: T) -> (T, S, TaskLevel) {
    let share = share_for(t);
    match a {
        Action::Assign => (if matches!(t, T::Reported | T::Reopened) { T::Assigned } else { t }, share, TaskLevel::Community),
        Action::Update => (t, share, TaskLevel::Community),
        Action::Verify => (T::Verified, share, TaskLevel::Community),
        // Work starts again: the finished share goes back to accepted.
        Action::Reopen => (T::Reopened, S::Accepted, TaskLevel::Community),
        Action::Cancel => (T::Cancelled, share, TaskLevel::Community),
        Action::Escalate => (t, share, TaskLevel::Street),
        Action::Accept => (t, S::Accepted, TaskLevel::Community),
        // Every share declined: back to REPORTED for reassignment.
        Action::Decline => (T::Reported, S::Declined, TaskLevel::Community),
        Action::Start => (T::InProgress, S::InProgress, TaskLevel::Community),
        // The lead share done, no other accepted share: resolved.
        Action::Resolve => (T::Resolved, S::Done, TaskLevel::Community),
    }
}

/// The mutation's field name.
fn field(a: Action) -> String {
    let name = format!("{a:?}");
    let lower = name[..1].to_lowercase() + &name[1..];
    if is_staff_action(a) { format!("{lower}Task") } else { format!("{lower}Assignment") }
}

/// The credential a principal sends.
enum Credential {
    Bearer(String),
    ApiKey(String),
}

async fn send(app: &TestApp, credential: &Credential, query: &str, vars: Value) -> Value {
    let authorization = match credential {
        Credential::Bearer(t) => format!("Bearer {t}"),
        Credential::ApiKey(k) => format!("ApiKey {k}"),
    };
    let req = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", authorization)
        .body(axum::body::Body::from(json!({ "query": query, "variables": vars }).to_string()))
        .unwrap();
    let (status, _, body) = app.send(req).await;
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200, "[{}] {body}", app.backend.name());
    body
}

async fn raise_to_city(app: &TestApp, task_id: &str) {
    entity::task::Entity::update_many()
        .col_expr(entity::task::Column::Level, Expr::value(TaskLevel::City.to_value()))
        .filter(entity::task::Column::Id.eq(uuid(task_id)))
        .exec(&app.db)
        .await
        .unwrap();
}

both_backends! {
    async fn every_state_action_and_principal_is_allowed_or_refused_as_specified(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songjiang = Fixture::street(&app, "松江街道").await;
        let songyuan = songjiang.community(&app, "松园").await;
        let zhuxi = songjiang.community(&app, "竹溪").await;
        let market = Fixture::unit(&app, "松园市场监管所").await.seated_in(&app, &songyuan).await;
        let station = Fixture::unit(&app, "松园派出所").await.seated_in(&app, &songyuan).await;
        let task = Fixture::task_due(&app, &songyuan, "松园综合市场东门占道经营", Some("2030-01-01T00:00:00Z")).await;
        let lead = task.share(&app, &market, "LEAD").await;
        let t = task.id;
        let member = Fixture::member(&app, &songyuan, "林晓东").await;
        let assigned_key = market.api_key(&app, &songyuan).await.secret;
        let other_key = station.api_key(&app, &songyuan).await.secret;
        let tokens = |who: Who| match who {
            Who::StreetAdmin => Credential::Bearer(songjiang.admin(&app)),
            Who::CommunityAdmin => Credential::Bearer(songyuan.admin(&app)),
            Who::CommunityStaff => Credential::Bearer(songyuan.staff(&app)),
            Who::OtherCommunityStaff => Credential::Bearer(zhuxi.staff(&app)),
            Who::AssignedUnit => Credential::Bearer(market.token(&app)),
            Who::OtherUnit => Credential::Bearer(station.token(&app)),
            Who::Member => Credential::Bearer(member.token(&app)),
            Who::Reporter => Credential::Bearer(songjiang.reporter(&app)),
            Who::CityAdmin | Who::CityAdminOnCityTask => Credential::Bearer(app.token(Role::CityAdmin, "jinjiang")),
            Who::AssignedUnitKey => Credential::ApiKey(assigned_key.clone()),
            Who::OtherUnitKey => Credential::ApiKey(other_key.clone()),
        };
        let mut checked = 0;
        for state in STATES {
            for action in ACTIONS {
                for who in WHO {
                    force(&app, &t, state, &lead, share_for(state)).await;
                    if who == Who::CityAdminOnCityTask {
                        raise_to_city(&app, &t).await;
                    }
                    let before = stored(&app, &t).await;
                    let share_before = stored_share(&app, &lead).await;
                    let (query, vars) = match action {
                        Action::Assign => {
                            (ASSIGN.to_owned(), json!({ "i": { "taskId": t, "unitId": station.id, "role": "SUPPORT" } }))
                        }
                        Action::Update => (
                            "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id status level } } }".to_owned(),
                            json!({ "i": { "id": t, "priority": "HIGH" } }),
                        ),
                        Action::Verify | Action::Reopen | Action::Cancel | Action::Escalate => {
                            let name = format!("{:?}", action).to_lowercase();
                            (
                                format!("mutation($i: TaskTransitionInput!) {{ {name}Task(input: $i) {{ task {{ id status level }} }} }}"),
                                json!({ "i": { "id": t, "note": "表驱动测试" } }),
                            )
                        }
                        Action::Accept | Action::Decline | Action::Start | Action::Resolve => {
                            let name = format!("{:?}", action).to_lowercase();
                            (
                                format!(
                                    "mutation($i: AssignmentActionInput!) {{ {name}Assignment(input: $i) {{ assignment {{ id status }} task {{ status level }} }} }}"
                                ),
                                json!({ "i": { "id": lead, "reason": "不属于本单位职责", "note": "ok" } }),
                            )
                        }
                    };
                    let body = send(&app, &tokens(who), &query, vars).await;
                    let want = expected(who, action, state);
                    let got = code(&body);
                    let cell = format!("[{}] {who:?} {action:?} on a {state:?} task", backend.name());
                    assert_eq!(got, want, "{cell}: {body}");
                    if want == "BAD_USER_INPUT" {
                        let msg = body["errors"][0]["message"].as_str().unwrap();
                        assert!(msg.contains(&state.to_value()), "{cell}: the error names the state: {msg}");
                        assert!(msg.contains(&field(action)), "{cell}: the error names the action: {msg}");
                    }
                    if want == "OK" {
                        let (task_after, share_after, level_after) = outcome(action, state);
                        let payload = &body["data"][field(action)];
                        assert_eq!(payload["task"]["status"], task_after.to_value(), "{cell}: the task's status in the answer: {body}");
                        let after = stored(&app, &t).await;
                        assert_eq!((after.status, after.level), (task_after, level_after), "{cell}: the stored task");
                        if is_staff_action(action) {
                            assert_eq!(after.version, before.version + 1, "{cell}: one change, one version");
                        }
                        assert_eq!(stored_share(&app, &lead).await.status, share_after, "{cell}: the stored lead share");
                        if !is_staff_action(action) {
                            assert_eq!(payload["assignment"]["status"], share_after.to_value(), "{cell}: the share in the answer: {body}");
                        }
                        if action == Action::Assign {
                            assert_eq!(payload["assignment"]["status"], "PENDING", "{cell}: the new share: {body}");
                        }
                    }
                    if want != "OK" {
                        let after = stored(&app, &t).await;
                        assert_eq!(
                            (after.status, after.version, after.level),
                            (before.status, before.version, before.level),
                            "a refused {action:?} changed the task"
                        );
                        assert_eq!(stored_share(&app, &lead).await.status, share_before.status, "a refused {action:?} changed the share");
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 7 * 10 * 12);
    }
}

async fn act(app: &TestApp, unit: &Unit, name: &str, id: &str) -> serde_json::Value {
    let token = unit.token(app);
    let q =
        format!("mutation($i: AssignmentActionInput!) {{ {name}Assignment(input: $i) {{ assignment {{ status }} task {{ status }} }} }}");
    app.ok(Some(&token), &q, json!({ "i": { "id": id, "evidence": ["https://img.example/1.jpg"] } })).await
}

both_backends! {
    async fn a_task_resolves_when_the_lead_and_every_accepted_share_are_done_and_staff_verify_it(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
        let traffic = Fixture::unit(&app, "交警中队").await.seated_in(&app, &songyuan).await;
        let station = Fixture::unit(&app, "派出所").await.seated_in(&app, &songyuan).await;
        let task = Fixture::task(&app, &songyuan, "市场周边停车整治").await;
        let lead = task.share(&app, &market, "LEAD").await;
        let support = task.share(&app, &traffic, "SUPPORT").await;
        let idle = task.share(&app, &station, "SUPPORT").await;
        let t = task.id;
        act(&app, &market, "accept", &lead).await;
        act(&app, &traffic, "accept", &support).await;
        let d = act(&app, &market, "start", &lead).await;
        assert_eq!(d["startAssignment"]["task"]["status"], "IN_PROGRESS");
        act(&app, &traffic, "start", &support).await;
        let d = act(&app, &market, "resolve", &lead).await;
        assert_eq!(d["resolveAssignment"]["task"]["status"], "IN_PROGRESS", "an accepted supporting share is still open");
        let d = act(&app, &traffic, "resolve", &support).await;
        assert_eq!(d["resolveAssignment"]["task"]["status"], "RESOLVED", "the station never accepted, so it does not hold the task: {d}");
        let _ = idle;
        let staff = songyuan.staff(&app);
        let d = app.ok(Some(&staff), "mutation($i: TaskTransitionInput!) { verifyTask(input: $i) { task { status closedAt timeline { kind fromStatus toStatus actor } } } }", json!({ "i": { "id": t } })).await;
        let task = &d["verifyTask"]["task"];
        assert_eq!(task["status"], "VERIFIED");
        assert!(!task["closedAt"].is_null());
        let kinds: Vec<&str> = task["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds.first(), Some(&"REPORTED"));
        assert_eq!(kinds.last(), Some(&"VERIFIED"));
        assert!(kinds.contains(&"RESOLVED") && kinds.contains(&"PART_DONE") && kinds.contains(&"ASSIGNED"));
        // The timeline is the status history.
        let statuses: Vec<&str> = task["timeline"].as_array().unwrap().iter().filter_map(|e| e["toStatus"].as_str()).collect();
        assert_eq!(statuses, ["ASSIGNED", "IN_PROGRESS", "RESOLVED", "VERIFIED"]);
    }
}

both_backends! {
    async fn only_units_on_the_joint_committee_can_be_assigned(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let zhuxi = Fixture::community(&app, "竹溪").await;
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
        let health = Fixture::unit(&app, "卫生院").await.seated_in(&app, &songyuan).await;
        let outsider = Fixture::unit(&app, "竹溪物业").await.seated_in(&app, &zhuxi).await;
        let t = Fixture::task(&app, &songyuan, "松园小区门口垃圾").await.id;
        let staff = songyuan.staff(&app);
        let (_, body) = app.post(Some(&staff), ASSIGN, json!({ "i": { "taskId": t, "unitId": outsider.id } })).await;
        assert_eq!(code(&body), "BAD_USER_INPUT");
        assert_eq!(body["errors"][0]["extensions"]["field"], "unitId");
        assert_eq!(stored(&app, &t).await.status, entity::task::TaskStatus::Reported);
        let (_, body) = app.post(Some(&staff), ASSIGN, json!({ "i": { "taskId": t, "unitId": market.id, "role": "LEAD" } })).await;
        assert_eq!(code(&body), "OK", "{body}");
        let (_, body) = app.post(Some(&staff), ASSIGN, json!({ "i": { "taskId": t, "unitId": health.id, "role": "LEAD" } })).await;
        assert_eq!(code(&body), "CONFLICT", "one lead per task");
    }
}

both_backends! {
    async fn two_units_finishing_their_shares_at_once_resolve_the_task_once(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songyuan = Fixture::community(&app, "松园").await;
        let market = Fixture::unit(&app, "市场监管所").await.seated_in(&app, &songyuan).await;
        let traffic = Fixture::unit(&app, "交警中队").await.seated_in(&app, &songyuan).await;
        let resolve = "mutation($i: AssignmentActionInput!) { resolveAssignment(input: $i) { assignment { status } task { status } } }";
        for round in 0..5 {
            let task = Fixture::task(&app, &songyuan, &format!("市场周边联合整治{round}")).await;
            let lead = task.share(&app, &market, "LEAD").await;
            let support = task.share(&app, &traffic, "SUPPORT").await;
            let t = task.id;
            for (unit, share) in [(&market, &lead), (&traffic, &support)] {
                act(&app, unit, "accept", share).await;
                act(&app, unit, "start", share).await;
            }
            assert_eq!(stored(&app, &t).await.status, T::InProgress);
            let (lead_unit, support_unit) = (market.token(&app), traffic.token(&app));
            let ((_, a), (_, b)) = tokio::join!(
                app.post(Some(&lead_unit), resolve, json!({ "i": { "id": lead, "note": "东门已清理" } })),
                app.post(Some(&support_unit), resolve, json!({ "i": { "id": support, "note": "违停已劝离" } }))
            );
            let cell = format!("[{}] round {round}", backend.name());
            assert_eq!((code(&a), code(&b)), ("OK", "OK"), "{cell}: {a} {b}");
            assert_eq!(stored_share(&app, &lead).await.status, S::Done, "{cell}");
            assert_eq!(stored_share(&app, &support).await.status, S::Done, "{cell}");
            assert_eq!(stored(&app, &t).await.status, T::Resolved, "{cell}: both shares done, the task is resolved: {a} {b}");
            // Exactly one of the two answers saw the task resolve, and the timeline says it once.
            let statuses = [&a, &b].map(|r| r["data"]["resolveAssignment"]["task"]["status"].as_str().unwrap().to_owned());
            assert_eq!(statuses.iter().filter(|s| *s == "RESOLVED").count(), 1, "{cell}: {statuses:?}");
            let events =
                entity::task_event::Entity::find().filter(entity::task_event::Column::TaskId.eq(uuid(&t))).all(&app.db).await.unwrap();
            let count = |k: entity::task_event::EventKind| events.iter().filter(|e| e.kind == k).count();
            assert_eq!(count(entity::task_event::EventKind::Resolved), 1, "{cell}: one RESOLVED event");
            assert_eq!(count(entity::task_event::EventKind::PartDone), 2, "{cell}: one PART_DONE per share");
            assert_eq!(events.iter().filter(|e| e.to_status.as_deref() == Some("RESOLVED")).count(), 1, "{cell}");
        }
    }
}

both_backends! {
    async fn only_street_staff_take_a_task_from_the_street_to_the_city(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songjiang = Fixture::street(&app, "松江街道").await;
        let songyuan = songjiang.community(&app, "松园").await;
        let t = Fixture::task(&app, &songyuan, "松园综合市场东门占道经营").await.id;
        let escalate = "mutation($i: TaskTransitionInput!) { escalateTask(input: $i) { task { level } } }";
        let at = |level: TaskLevel| {
            let (db, id) = (app.db.clone(), uuid(&t));
            async move {
                entity::task::Entity::update_many()
                    .col_expr(entity::task::Column::Level, Expr::value(level.to_value()))
                    .filter(entity::task::Column::Id.eq(id))
                    .exec(&db)
                    .await
                    .unwrap();
            }
        };
        let whos = [
            ("street admin", songjiang.admin(&app)),
            ("community admin", songyuan.admin(&app)),
            ("community staff", songyuan.staff(&app)),
        ];
        for (who, token) in &whos {
            // Community → street: any staff of the community, or the street.
            at(TaskLevel::Community).await;
            let d = app.ok(Some(token), escalate, json!({ "i": { "id": t } })).await;
            assert_eq!(d["escalateTask"]["task"]["level"], "STREET", "[{}] {who}", backend.name());
            // Street → city: the street's decision.
            let (_, body) = app.post(Some(token), escalate, json!({ "i": { "id": t } })).await;
            if *who == "street admin" {
                assert_eq!(body["data"]["escalateTask"]["task"]["level"], "CITY", "[{}] {who}: {body}", backend.name());
            } else {
                assert_eq!(code(&body), "FORBIDDEN", "[{}] {who}: {body}", backend.name());
                assert_eq!(body["errors"][0]["message"], "only street staff may escalate tasks to the city", "[{}] {who}", backend.name());
                assert_eq!(stored(&app, &t).await.level, TaskLevel::Street, "[{}] {who}: a refusal changes nothing", backend.name());
            }
            // At the city there is nowhere further.
            at(TaskLevel::City).await;
            let (_, body) = app.post(Some(token), escalate, json!({ "i": { "id": t } })).await;
            assert_eq!(code(&body), "BAD_USER_INPUT", "[{}] {who}: {body}", backend.name());
        }
    }
}

//! The whole transition table: every state × action × principal kind, allowed or refused as
//! specified. The expectations below are written from the specification, independently of the
//! server's workflow module.

use entity::assignment::AssignmentStatus as S;
use entity::task::TaskStatus as T;
use gongzhi::auth::Role;
use sea_orm::EntityTrait;
use serde_json::json;

use crate::collab_support::*;
use crate::support::{TestApp, backends};

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
}

const WHO: [Who; 8] = [
    Who::StreetAdmin,
    Who::CommunityAdmin,
    Who::CommunityStaff,
    Who::OtherCommunityStaff,
    Who::AssignedUnit,
    Who::OtherUnit,
    Who::Member,
    Who::Reporter,
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

/// The specification: who may act, and what others get.
fn expected(who: Who, a: Action, t: T) -> &'static str {
    let refusal = match (who, is_staff_action(a)) {
        (Who::StreetAdmin | Who::CommunityAdmin | Who::CommunityStaff, true) => None,
        (Who::AssignedUnit, false) => None,
        // Those who cannot see the task at all.
        (Who::OtherCommunityStaff | Who::OtherUnit | Who::Member, _) => Some("NOT_FOUND"),
        // Those who see it but may not do this.
        _ => Some("FORBIDDEN"),
    };
    match refusal {
        Some(code) => code,
        None if allowed_in(a, t) => "OK",
        None => "BAD_USER_INPUT",
    }
}

#[tokio::test]
async fn every_state_action_and_principal_is_allowed_or_refused_as_specified() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let w = World::read(&app).await;
        let t = task(&app, "meiling", &w.meiling, "梅岭综合市场东门占道经营", Some("2030-01-01T00:00:00Z")).await;
        let lead = assign(&app, "meiling", &t, w.unit("market-regulation"), "LEAD").await;
        let member = entity::party_member::Entity::find().one(&app.db).await.unwrap().unwrap();
        let tokens = |who: Who| match who {
            Who::StreetAdmin => app.street_admin(),
            Who::CommunityAdmin => app.token(Role::CommunityAdmin, "meiling"),
            Who::CommunityStaff => app.token(Role::CommunityStaff, "meiling"),
            Who::OtherCommunityStaff => app.token(Role::CommunityStaff, "zhuyuan"),
            Who::AssignedUnit => app.token(Role::Unit, "market-regulation"),
            Who::OtherUnit => app.token(Role::Unit, "police"),
            Who::Member => app.token(Role::Member, &member.person_id.to_string()),
            Who::Reporter => app.token(Role::Reporter, "meiling-street"),
        };
        let mut checked = 0;
        for state in STATES {
            for action in ACTIONS {
                for who in WHO {
                    force(&app, &t, state, &lead, share_for(state)).await;
                    let before = stored(&app, &t).await;
                    let share_before = stored_share(&app, &lead).await;
                    let (query, vars) = match action {
                        Action::Assign => {
                            (ASSIGN.to_owned(), json!({ "i": { "taskId": t, "unitId": w.unit("police"), "role": "SUPPORT" } }))
                        }
                        Action::Update => (
                            "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }".to_owned(),
                            json!({ "i": { "id": t, "priority": "HIGH" } }),
                        ),
                        Action::Verify | Action::Reopen | Action::Cancel | Action::Escalate => {
                            let name = format!("{:?}", action).to_lowercase();
                            (
                                format!("mutation($i: TaskTransitionInput!) {{ {name}Task(input: $i) {{ task {{ id }} }} }}"),
                                json!({ "i": { "id": t, "note": "表驱动测试" } }),
                            )
                        }
                        Action::Accept | Action::Decline | Action::Start | Action::Resolve => {
                            let name = format!("{:?}", action).to_lowercase();
                            (
                                format!("mutation($i: AssignmentActionInput!) {{ {name}Assignment(input: $i) {{ assignment {{ id }} }} }}"),
                                json!({ "i": { "id": lead, "reason": "不属于本单位职责", "note": "ok" } }),
                            )
                        }
                    };
                    let (_, body) = app.post(Some(&tokens(who)), &query, vars).await;
                    let want = expected(who, action, state);
                    let got = code(&body);
                    assert_eq!(got, want, "[{}] {who:?} {action:?} on a {state:?} task: {body}", backend.name());
                    if want == "BAD_USER_INPUT" {
                        let msg = body["errors"][0]["message"].as_str().unwrap();
                        let state_name = format!("{state:?}").to_uppercase();
                        assert!(msg.contains(&state_name.replace("INPROGRESS", "IN_PROGRESS")), "the error names the state: {msg}");
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
        assert_eq!(checked, 7 * 10 * 8);
    }
}

async fn act(app: &TestApp, unit: &str, name: &str, id: &str) -> serde_json::Value {
    let token = app.token(Role::Unit, unit);
    let q =
        format!("mutation($i: AssignmentActionInput!) {{ {name}Assignment(input: $i) {{ assignment {{ status }} task {{ status }} }} }}");
    app.ok(Some(&token), &q, json!({ "i": { "id": id, "evidence": ["https://img.example/1.jpg"] } })).await
}

#[tokio::test]
async fn a_task_resolves_when_the_lead_and_every_accepted_share_are_done_and_staff_verify_it() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let w = World::read(&app).await;
        let t = task(&app, "meiling", &w.meiling, "市场周边停车整治", None).await;
        let lead = assign(&app, "meiling", &t, w.unit("market-regulation"), "LEAD").await;
        let support = assign(&app, "meiling", &t, w.unit("traffic-police"), "SUPPORT").await;
        let idle = assign(&app, "meiling", &t, w.unit("police"), "SUPPORT").await;
        act(&app, "market-regulation", "accept", &lead).await;
        act(&app, "traffic-police", "accept", &support).await;
        let d = act(&app, "market-regulation", "start", &lead).await;
        assert_eq!(d["startAssignment"]["task"]["status"], "IN_PROGRESS");
        act(&app, "traffic-police", "start", &support).await;
        let d = act(&app, "market-regulation", "resolve", &lead).await;
        assert_eq!(d["resolveAssignment"]["task"]["status"], "IN_PROGRESS", "an accepted supporting share is still open");
        let d = act(&app, "traffic-police", "resolve", &support).await;
        assert_eq!(d["resolveAssignment"]["task"]["status"], "RESOLVED", "police never accepted, so it does not hold the task: {d}");
        let _ = idle;
        let staff = app.token(Role::CommunityStaff, "meiling");
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

#[tokio::test]
async fn only_units_on_the_joint_committee_can_be_assigned() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let w = World::read(&app).await;
        let seated = app.ok(Some(&app.street_admin()), r#"{ community(code: "zhuyuan") { units { code } } }"#, json!({})).await;
        let seated: Vec<String> =
            seated["community"]["units"].as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap().to_owned()).collect();
        let outsider = w.units.keys().find(|c| !seated.contains(c)).unwrap().clone();
        let t = task(&app, "zhuyuan", &w.zhuyuan, "竹园小区门口垃圾", None).await;
        let staff = app.token(Role::CommunityStaff, "zhuyuan");
        let (_, body) = app.post(Some(&staff), ASSIGN, json!({ "i": { "taskId": t, "unitId": w.unit(&outsider) } })).await;
        assert_eq!(code(&body), "BAD_USER_INPUT");
        assert_eq!(body["errors"][0]["extensions"]["field"], "unitId");
        assert_eq!(stored(&app, &t).await.status, entity::task::TaskStatus::Reported);
        let (_, body) = app.post(Some(&staff), ASSIGN, json!({ "i": { "taskId": t, "unitId": w.unit(&seated[0]), "role": "LEAD" } })).await;
        assert_eq!(code(&body), "OK", "{body}");
        let (_, body) = app.post(Some(&staff), ASSIGN, json!({ "i": { "taskId": t, "unitId": w.unit(&seated[1]), "role": "LEAD" } })).await;
        assert_eq!(code(&body), "CONFLICT", "one lead per task");
    }
}

//! The appeal transition table: every state × action × principal (resident raiser, other
//! resident, compound convenor, community staff, street staff, unit, reporter) allowed or
//! refused as specified, refusals naming the state and the action; and each handler at each
//! tier. The expectations are written from the specification, independently of the server's
//! workflow module.

use entity::appeal;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::*;

const STATES: [&str; 9] = ["RAISED", "ACCEPTED", "SCHEDULED", "ANSWERED", "IN_PROGRESS", "DONE", "MERGED", "REJECTED", "WITHDRAWN"];

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Who {
    Raiser,
    OtherResident,
    Convenor,
    CommunityStaff,
    StreetStaff,
    Unit,
    Reporter,
}

pub const WHO: [Who; 7] = [Who::Raiser, Who::OtherResident, Who::Convenor, Who::CommunityStaff, Who::StreetStaff, Who::Unit, Who::Reporter];

pub const ACTIONS: [&str; 10] = ["accept", "schedule", "answer", "start", "finish", "reject", "merge", "review", "rate", "withdraw"];

/// The specification: the states an action applies to, and the state it leads to.
pub fn spec(action: &str) -> (&'static [&'static str], Option<&'static str>) {
    const UNDECIDED: &[&str] = &["RAISED", "ACCEPTED", "SCHEDULED"];
    match action {
        "accept" => (&["RAISED"], Some("ACCEPTED")),
        "schedule" => (&["ACCEPTED"], Some("SCHEDULED")),
        "answer" => (&["ACCEPTED", "SCHEDULED"], Some("ANSWERED")),
        "start" => (&["ANSWERED"], Some("IN_PROGRESS")),
        "finish" => (&["IN_PROGRESS"], Some("DONE")),
        "reject" => (UNDECIDED, Some("REJECTED")),
        "merge" => (UNDECIDED, Some("MERGED")),
        // A reviewed answer goes back to ACCEPTED, a reviewed rejection to RAISED (below).
        "review" => (&["ANSWERED", "REJECTED"], None),
        "rate" => (&["DONE"], Some("DONE")),
        "withdraw" => (UNDECIDED, Some("WITHDRAWN")),
        "support" => (&["RAISED", "ACCEPTED", "SCHEDULED", "ANSWERED", "IN_PROGRESS"], None),
        other => panic!("unknown action {other}"),
    }
}

/// The specification: who does an action (handlers at their tier; the raiser; other residents).
pub fn may(who: Who, action: &str) -> bool {
    match action {
        "review" | "rate" | "withdraw" => who == Who::Raiser,
        "support" => who == Who::OtherResident,
        _ => matches!(who, Who::Convenor | Who::CommunityStaff | Who::StreetStaff),
    }
}

/// The tier each principal meets the appeal at in the main table: the one it handles.
pub fn tier_for(who: Who) -> &'static str {
    match who {
        Who::CommunityStaff => "COMMUNITY",
        Who::StreetStaff => "STREET",
        Who::Raiser | Who::OtherResident | Who::Convenor | Who::Unit | Who::Reporter => "COMPOUND",
    }
}

/// The expected answer: OK, or the error code.
pub fn expected(who: Who, action: &str, state: &str) -> &'static str {
    if who == Who::Reporter {
        return "FORBIDDEN"; // reporters read; every mutation of theirs is refused
    }
    if who == Who::Unit {
        return "NOT_FOUND"; // it sees no appeal at all
    }
    let (states, _) = spec(action);
    if !states.contains(&state) {
        "CONFLICT"
    } else if may(who, action) {
        "OK"
    } else {
        "FORBIDDEN"
    }
}

/// The action's past participle, as refusals name it.
pub fn past(action: &str) -> &'static str {
    match action {
        "accept" => "accepted",
        "schedule" => "scheduled",
        "answer" => "answered",
        "start" => "started",
        "finish" => "finished",
        "reject" => "rejected",
        "merge" => "merged",
        "review" => "sent for review",
        "rate" => "rated",
        "withdraw" => "withdrawn",
        "support" => "supported",
        other => panic!("unknown action {other}"),
    }
}

/// Puts an appeal into `state` at `tier`, fresh: no review asked, no rating, no merge.
pub async fn force(app: &TestApp, id: &str, state: &str, tier: &str) {
    let uuid = crate::support::decode(id).unwrap().1;
    appeal::Entity::update_many()
        .col_expr(appeal::Column::State, Expr::value(state))
        .col_expr(appeal::Column::Tier, Expr::value(tier))
        .col_expr(appeal::Column::ReviewRequestedAt, Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None))
        .col_expr(appeal::Column::Rating, Expr::value(Option::<String>::None))
        .col_expr(appeal::Column::MergedIntoId, Expr::value(Option::<uuid::Uuid>::None))
        .col_expr(appeal::Column::Version, Expr::col(appeal::Column::Version).add(1))
        .filter(appeal::Column::Id.eq(uuid))
        .exec(&app.db)
        .await
        .unwrap();
}

/// What an appeal is now, read from the database.
pub async fn stored(app: &TestApp, id: &str) -> (String, String, i32) {
    let uuid = crate::support::decode(id).unwrap().1;
    let a = appeal::Entity::find_by_id(uuid).one(&app.db).await.unwrap().unwrap();
    use sea_orm::ActiveEnum;
    (a.state.to_value(), a.tier.to_value(), a.version)
}

/// The mutation and its variables for an action on appeal `id`.
pub fn request(action: &str, id: &str, n: &Neighbourhood, target: &str) -> (String, Value) {
    let name = match action {
        "review" => "requestAppealReview".to_owned(),
        a => format!("{a}Appeal"),
    };
    let input = match action {
        "schedule" => json!({ "id": id, "venueId": n.centre, "on": "2030-01-15" }),
        "answer" => json!({ "id": id, "answer": "已安排处理" }),
        "reject" => json!({ "id": id, "reason": "不属于协商范围" }),
        "merge" => json!({ "id": id, "intoId": target }),
        "rate" => json!({ "id": id, "rating": "SATISFIED", "comment": "满意" }),
        "support" => json!({ "id": id }),
        _ => json!({ "id": id }),
    };
    let selection = if action == "support" { "supportersCount" } else { "appeal { id state tier }" };
    let ty = match action {
        "schedule" => "ScheduleAppealInput",
        "answer" => "AnswerAppealInput",
        "reject" => "RejectAppealInput",
        "merge" => "MergeAppealInput",
        "rate" => "RateAppealInput",
        "support" => "SupportAppealInput",
        _ => "AppealActionInput",
    };
    (format!("mutation($i: {ty}!) {{ {name}(input: $i) {{ {selection} }} }}"), json!({ "i": input }))
}

pub fn token(app: &TestApp, n: &Neighbourhood, who: Who) -> String {
    match who {
        Who::Raiser => n.raiser.token(app),
        Who::OtherResident => n.neighbour.token(app),
        Who::Convenor => n.convenor.token(app),
        Who::CommunityStaff => n.staff(app),
        Who::StreetStaff => n.street(app),
        Who::Unit => n.unit.token(app),
        Who::Reporter => n.reporter(app),
    }
}

/// Runs one cell of the table and checks it; returns whether it was allowed.
pub async fn cell(
    app: &TestApp,
    n: &Neighbourhood,
    (appeal, target): (&str, &str),
    who: Who,
    action: &str,
    state: &str,
    tier: &str,
) -> bool {
    force(app, appeal, state, tier).await;
    let before = stored(app, appeal).await;
    let (query, vars) = request(action, appeal, n, target);
    let (_, body) = app.post(Some(&token(app, n, who)), &query, vars).await;
    let want = expected(who, action, state);
    let got = code(&body).unwrap_or("OK");
    let label = format!("[{}] {who:?} {action} on a {state} appeal at the {tier} tier", app.backend.name());
    assert_eq!(got, want, "{label}: {body}");
    if got == "OK" {
        let (now, now_tier, _) = stored(app, appeal).await;
        let next = match (action, state) {
            ("review", "ANSWERED") => "ACCEPTED",
            ("review", "REJECTED") => "RAISED",
            ("support", s) => s,
            (a, _) => spec(a).1.unwrap(),
        };
        assert_eq!(now, next, "{label}");
        let up = match (action, tier) {
            ("review", "COMPOUND") => "COMMUNITY",
            ("review", "COMMUNITY") => "STREET",
            (_, t) => t,
        };
        assert_eq!(now_tier, up, "{label}: the tier after it");
        return true;
    }
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    if want != "NOT_FOUND" && who != Who::Reporter {
        assert!(
            message.contains(state) && message.contains(past(action)),
            "{label}: the refusal names the state and the action: {message}"
        );
    }
    assert_eq!(stored(app, appeal).await, before, "{label}: a refusal changes nothing");
    false
}

both_backends! {
    async fn every_state_action_and_principal_is_allowed_or_refused_as_specified(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let n = Fixture::neighbourhood(&app, "表驱").await;
        let appeal = raise(&app, &n.raiser, "春苑垃圾清运不及时").await;
        // The appeal a merge folds into: open, of the same compound, raised by another resident.
        let target = raise(&app, &n.neighbour, "春苑垃圾桶不够").await;
        let mut allowed = 0;
        for state in STATES {
            for action in ACTIONS {
                for who in WHO {
                    if cell(&app, &n, (&appeal, &target), who, action, state, tier_for(who)).await {
                        allowed += 1;
                    }
                }
            }
        }
        // Handlers: 7 actions over 12 states × 3 handlers; the raiser: review ×2, rate, withdraw ×3.
        assert_eq!(allowed, 12 * 3 + 6, "[{}]", backend.name());
        assert_eq!(stored(&app, &target).await.0, "RAISED", "the merge target stays open");
    }
}

both_backends! {
    async fn handlers_act_at_their_tiers_only(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let n = Fixture::neighbourhood(&app, "层级").await;
        let appeal = raise(&app, &n.raiser, "春苑路面塌陷").await;
        let target = raise(&app, &n.neighbour, "春苑路面积水").await;
        for tier in ["COMPOUND", "COMMUNITY", "STREET"] {
            for who in [Who::Convenor, Who::CommunityStaff, Who::StreetStaff] {
                let at_tier = match who {
                    Who::Convenor => tier == "COMPOUND",
                    Who::CommunityStaff => tier != "STREET",
                    _ => tier == "STREET",
                };
                for action in ["accept", "schedule", "answer", "start", "finish", "reject", "merge"] {
                    let state = spec(action).0[0];
                    force(&app, &appeal, state, tier).await;
                    let (query, vars) = request(action, &appeal, &n, &target);
                    let (_, body) = app.post(Some(&token(&app, &n, who)), &query, vars).await;
                    let label = format!("[{}] {who:?} {action} on a {state} appeal at the {tier} tier", backend.name());
                    if at_tier {
                        assert!(code(&body).is_none(), "{label}: {body}");
                    } else {
                        assert_eq!(code(&body), Some("FORBIDDEN"), "{label}: {body}");
                        let message = body["errors"][0]["message"].as_str().unwrap();
                        assert!(message.contains(state) && message.contains(past(action)) && message.contains(tier), "{label}: {message}");
                    }
                }
            }
        }
        // A review at the STREET tier has nowhere higher to go.
        force(&app, &appeal, "ANSWERED", "STREET").await;
        let (query, vars) = request("review", &appeal, &n, &target);
        let (_, body) = app.post(Some(&n.raiser.token(&app)), &query, vars).await;
        assert_eq!(code(&body), Some("CONFLICT"), "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("STREET"), "{body}");
    }
}

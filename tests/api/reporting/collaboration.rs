//! Collaboration's figures and datasets: each figure equals a count from the raw records, months
//! and ranges are Beijing time, exports parse back and agree with GraphQL, statements stay flat,
//! refusals carry their codes.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use entity::task::TaskStatus;
use entity::{assignment, task, task_event};
use gongzhi::auth::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use super::*;
use crate::collab_support::uuid;
use crate::fixtures::{Community, Fixture, Unit};

const STATS: &str = r#"query($from: Date, $to: Date, $c: ID, $u: ID, $by: TaskGrouping!) {
  taskStatistics(from: $from, to: $to, communityId: $c, unitId: $u, by: $by) {
    communityId category level month status opened resolved verified reopened cancelled
    overdueNow openNow overdueRate medianHoursToResolve p90HoursToResolve escalationsToStreet escalationsToCity
  }
}"#;

const ASSESS: &str = r#"query($from: Date, $to: Date, $c: ID, $u: ID) {
  unitAssessment(from: $from, to: $to, communityId: $c, unitId: $u) {
    unit { id } assigned accepted declined done doneOnTime onTimeRate
  }
}"#;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The first moment of the first day and the first moment after the last day, Beijing time, in UTC.
fn range(from: &str, to: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    let first = |s: &str| {
        let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap()) - Duration::hours(8)
    };
    (first(from), first(to) + Duration::days(1))
}

async fn act(app: &TestApp, token: &str, mutation: &str, id: &str, extra: Value) {
    let mut input = json!({ "id": id });
    if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
        i.extend(e.clone());
    }
    let input_type = if mutation.ends_with("Assignment") { "AssignmentActionInput" } else { "TaskTransitionInput" };
    let q = format!("mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ __typename }} }}");
    app.ok(Some(token), &q, json!({ "i": input })).await;
}

/// Sets a task's creation, its shares' and its timeline's moments to `created`, then the task's
/// own entries of the given kinds to their moments, and its due time.
async fn retime(app: &TestApp, task_id: &str, created: &str, due: Option<&str>, kinds: &[(&str, &str)]) {
    let t = uuid(task_id);
    task::Entity::update_many()
        .col_expr(task::Column::CreatedAt, Expr::value(at(created)))
        .col_expr(task::Column::DueAt, Expr::value(due.map(at)))
        .filter(task::Column::Id.eq(t))
        .exec(&app.db)
        .await
        .unwrap();
    assignment::Entity::update_many()
        .col_expr(assignment::Column::CreatedAt, Expr::value(at(created)))
        .filter(assignment::Column::TaskId.eq(t))
        .exec(&app.db)
        .await
        .unwrap();
    task_event::Entity::update_many()
        .col_expr(task_event::Column::CreatedAt, Expr::value(at(created)))
        .filter(task_event::Column::TaskId.eq(t))
        .exec(&app.db)
        .await
        .unwrap();
    for (kind, moment) in kinds {
        task_event::Entity::update_many()
            .col_expr(task_event::Column::CreatedAt, Expr::value(at(moment)))
            .filter(task_event::Column::TaskId.eq(t))
            .filter(task_event::Column::Kind.eq(*kind))
            .filter(task_event::Column::AssignmentId.is_null())
            .exec(&app.db)
            .await
            .unwrap();
    }
}

/// The units of the fixture.
struct World {
    community: Community,
    lead: Unit,
    support: Unit,
}

async fn world(app: &TestApp) -> World {
    let community = Fixture::community(app, "松园").await;
    let lead = Fixture::unit(app, "松园城管中队").await.seated_in(app, &community).await;
    let support = Fixture::unit(app, "松园卫生站").await.seated_in(app, &community).await;
    World { community, lead, support }
}

/// One round of work in the world: a task verified, one whose only share is declined, one
/// cancelled, one escalated to the street and the city, one reopened, one open and overdue;
/// with moments on both sides of the October/November boundary (Beijing time) and on the edges
/// of the range 2026-11-05..2026-11-10.
async fn round(app: &TestApp, w: &World) {
    let c = &w.community;
    let staff = c.staff(app);
    let street = c.street_admin(app);
    let (lead, support) = (w.lead.token(app), w.support.token(app));

    // Verified: opened the first moment of November; resolved the first moment after the range.
    let t1 = Fixture::task(app, c, "排水沟堵塞").await;
    let s1 = t1.share(app, &w.lead, "LEAD").await;
    let s1b = t1.share(app, &w.support, "SUPPORT").await;
    act(app, &lead, "acceptAssignment", &s1, json!({})).await;
    act(app, &support, "acceptAssignment", &s1b, json!({})).await;
    act(app, &lead, "startAssignment", &s1, json!({})).await;
    act(app, &lead, "resolveAssignment", &s1, json!({})).await;
    act(app, &support, "startAssignment", &s1b, json!({})).await;
    act(app, &support, "resolveAssignment", &s1b, json!({})).await;
    act(app, &staff, "verifyTask", &t1.id, json!({})).await;
    retime(app, &t1.id, "2026-10-31T16:00:00Z", None, &[("RESOLVED", "2026-11-10T16:00:00Z"), ("VERIFIED", "2026-11-12T00:00:00Z")]).await;

    // Declined: back to REPORTED.
    let t2 = Fixture::task(app, c, "占道经营").await;
    let s2 = t2.share(app, &w.support, "LEAD").await;
    act(app, &support, "declineAssignment", &s2, json!({ "reason": "非本单位职责" })).await;
    retime(app, &t2.id, "2026-11-02T00:00:00Z", None, &[]).await;

    // Cancelled: opened the last second of October.
    let t3 = Fixture::task(app, c, "重复上报").await;
    act(app, &staff, "cancelTask", &t3.id, json!({})).await;
    retime(app, &t3.id, "2026-10-31T15:59:59Z", None, &[("CANCELLED", "2026-11-06T00:00:00Z")]).await;

    // Escalated to the street, then to the city.
    let t4 = Fixture::task(app, c, "违章搭建").await;
    act(app, &staff, "escalateTask", &t4.id, json!({})).await;
    act(app, &street, "escalateTask", &t4.id, json!({})).await;
    retime(app, &t4.id, "2026-11-03T00:00:00Z", Some("2099-01-01T00:00:00Z"), &[("ESCALATED", "2026-11-07T00:00:00Z")]).await;

    // Reopened: resolved the first moment of the range, late for its due time.
    let t5 = Fixture::task(app, c, "垃圾清运").await;
    let s5 = t5.share(app, &w.lead, "LEAD").await;
    for step in ["acceptAssignment", "startAssignment", "resolveAssignment"] {
        act(app, &lead, step, &s5, json!({})).await;
    }
    act(app, &staff, "reopenTask", &t5.id, json!({})).await;
    retime(
        app,
        &t5.id,
        "2026-11-01T00:00:00Z",
        Some("2026-10-31T18:00:00Z"),
        &[("RESOLVED", "2026-11-04T16:00:00Z"), ("REOPENED", "2026-11-08T00:00:00Z")],
    )
    .await;

    // Open and overdue.
    let t6 = Fixture::task(app, c, "路灯损坏").await;
    t6.share(app, &w.support, "LEAD").await;
    retime(app, &t6.id, "2026-11-09T00:00:00Z", Some("2026-11-09T12:00:00Z"), &[]).await;
}

/// The figures counted directly from the stored rows of the community, in GraphQL's form.
async fn expected_figures(app: &TestApp, community: Uuid, from: DateTime<Utc>, end: DateTime<Utc>) -> BTreeMap<String, Value> {
    let tasks = task::Entity::find().filter(task::Column::CommunityId.eq(community)).all(&app.db).await.unwrap();
    let events = task_event::Entity::find().filter(task_event::Column::CommunityId.eq(community)).all(&app.db).await.unwrap();
    let within = |t: DateTime<Utc>| t >= from && t < end;
    let own = |kind: &str| -> Vec<&task_event::Model> {
        events.iter().filter(|e| e.assignment_id.is_none() && e.kind.to_value() == kind && within(e.created_at)).collect()
    };
    let open = [TaskStatus::Reported, TaskStatus::Assigned, TaskStatus::InProgress, TaskStatus::Reopened];
    let now = Utc::now();
    let open_now = tasks.iter().filter(|t| open.contains(&t.status)).count();
    let overdue_now = tasks.iter().filter(|t| open.contains(&t.status) && t.due_at.is_some_and(|d| d < now)).count();
    let created: BTreeMap<Uuid, DateTime<Utc>> = tasks.iter().map(|t| (t.id, t.created_at)).collect();
    let mut hours: Vec<f64> =
        own("RESOLVED").into_iter().map(|e| (e.created_at - created[&e.task_id]).num_seconds() as f64 / 3600.0).collect();
    hours.sort_by(f64::total_cmp);
    let rank = |p: f64| {
        if hours.is_empty() {
            Value::Null
        } else {
            let r = ((p / 100.0) * hours.len() as f64).ceil() as usize;
            json!(hours[r.clamp(1, hours.len()) - 1])
        }
    };
    let level = |l: &str| own("ESCALATED").into_iter().filter(|e| e.level.as_deref() == Some(l)).count();
    let mut m = BTreeMap::new();
    m.insert("opened".into(), json!(tasks.iter().filter(|t| within(t.created_at)).count()));
    m.insert("resolved".into(), json!(own("RESOLVED").len()));
    m.insert("verified".into(), json!(own("VERIFIED").len()));
    m.insert("reopened".into(), json!(own("REOPENED").len()));
    m.insert("cancelled".into(), json!(own("CANCELLED").len()));
    m.insert("openNow".into(), json!(open_now));
    m.insert("overdueNow".into(), json!(overdue_now));
    m.insert("overdueRate".into(), if open_now == 0 { Value::Null } else { json!(overdue_now as f64 / open_now as f64) });
    m.insert("medianHoursToResolve".into(), rank(50.0));
    m.insert("p90HoursToResolve".into(), rank(90.0));
    m.insert("escalationsToStreet".into(), json!(level("STREET")));
    m.insert("escalationsToCity".into(), json!(level("CITY")));
    m
}

/// The unit assessment counted directly from the stored rows, by unit id.
async fn expected_assessment(app: &TestApp, community: Uuid, from: DateTime<Utc>, end: DateTime<Utc>) -> BTreeMap<Uuid, [u64; 5]> {
    let shares = assignment::Entity::find().filter(assignment::Column::CommunityId.eq(community)).all(&app.db).await.unwrap();
    let events = task_event::Entity::find().filter(task_event::Column::CommunityId.eq(community)).all(&app.db).await.unwrap();
    let tasks = task::Entity::find().filter(task::Column::CommunityId.eq(community)).all(&app.db).await.unwrap();
    let within = |t: DateTime<Utc>| t >= from && t < end;
    let mut out: BTreeMap<Uuid, [u64; 5]> = BTreeMap::new();
    for s in &shares {
        let row = out.entry(s.unit_id).or_default();
        if within(s.created_at) {
            row[0] += 1;
        }
        let due = tasks.iter().find(|t| t.id == s.task_id).and_then(|t| t.due_at);
        for e in events.iter().filter(|e| e.assignment_id == Some(s.id) && within(e.created_at)) {
            match e.kind.to_value().as_str() {
                "ACCEPTED" => row[1] += 1,
                "DECLINED" => row[2] += 1,
                "PART_DONE" => {
                    row[3] += 1;
                    if due.is_none_or(|d| e.created_at <= d) {
                        row[4] += 1;
                    }
                }
                _ => {}
            }
        }
    }
    out.retain(|_, r| r.iter().any(|n| *n > 0));
    out
}

fn total(data: &Value) -> BTreeMap<String, Value> {
    let rows = data["taskStatistics"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{data}");
    rows[0]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !["communityId", "category", "level", "month", "status"].contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

both_backends! {
    async fn each_task_figure_is_a_count_of_the_records_in_beijing_time(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let w = world(&app).await;
        round(&app, &w).await;
        let staff = w.community.staff(&app);
        let c = &w.community;
        for (from, to) in [("2026-10-01", "2026-10-31"), ("2026-11-01", "2026-11-30"), ("2026-11-05", "2026-11-10"), ("2026-10-01", "2026-12-31")] {
            let (start, end) = range(from, to);
            let data = app.ok(Some(&staff), STATS, json!({ "from": from, "to": to, "c": c.id, "by": "TOTAL" })).await;
            assert_eq!(total(&data), expected_figures(&app, c.uuid, start, end).await, "{from}..{to}");
        }
        // The edges, by hand: the first moment of `from` counts, the first moment after `to` does not.
        let edge = app.ok(Some(&staff), STATS, json!({ "from": "2026-11-05", "to": "2026-11-10", "c": c.id, "by": "TOTAL" })).await;
        assert_eq!(edge["taskStatistics"][0]["resolved"], json!(1), "{edge}");
        assert_eq!(edge["taskStatistics"][0]["medianHoursToResolve"], json!(88.0), "2026-11-01T00:00Z to 2026-11-04T16:00Z");
        let before = app.ok(Some(&staff), STATS, json!({ "from": "2026-11-01", "to": "2026-11-04", "c": c.id, "by": "TOTAL" })).await;
        assert_eq!(before["taskStatistics"][0]["resolved"], json!(0), "resolved at 2026-11-05 00:00 Beijing: {before}");
        // Months, Beijing time: 15:59:59Z on 31 October is October, 16:00:00Z is November.
        let months = app.ok(Some(&staff), STATS, json!({ "from": "2026-10-01", "to": "2026-11-30", "c": c.id, "by": "MONTH" })).await;
        let opened: BTreeMap<String, i64> = months["taskStatistics"].as_array().unwrap().iter()
            .filter(|r| r["opened"].as_i64().unwrap() > 0)
            .map(|r| (r["month"].as_str().unwrap().to_owned(), r["opened"].as_i64().unwrap())).collect();
        assert_eq!(opened, BTreeMap::from([("2026-10".to_owned(), 1), ("2026-11".to_owned(), 5)]), "{months}");
        // By status: the now figures under each current status.
        let statuses = app.ok(Some(&staff), STATS, json!({ "c": c.id, "by": "STATUS" })).await;
        let open_now: BTreeMap<String, i64> = statuses["taskStatistics"].as_array().unwrap().iter()
            .filter(|r| r["openNow"].as_i64().unwrap() > 0)
            .map(|r| (r["status"].as_str().unwrap().to_owned(), r["openNow"].as_i64().unwrap())).collect();
        assert_eq!(open_now, BTreeMap::from([("ASSIGNED".to_owned(), 1), ("REOPENED".to_owned(), 1), ("REPORTED".to_owned(), 2)]), "{statuses}");
        // By level: the escalated task is the city's.
        let levels = app.ok(Some(&staff), STATS, json!({ "c": c.id, "by": "LEVEL" })).await;
        let city = levels["taskStatistics"].as_array().unwrap().iter().find(|r| r["level"] == "CITY").expect("a city row");
        assert_eq!((city["escalationsToStreet"].as_i64(), city["escalationsToCity"].as_i64()), (Some(1), Some(1)), "{levels}");

        // The units' assessment.
        for (from, to) in [("2026-11-01", "2026-11-30"), ("2026-10-01", "2026-10-31")] {
            let (start, end) = range(from, to);
            let data = app.ok(Some(&staff), ASSESS, json!({ "from": from, "to": to, "c": c.id })).await;
            let got: BTreeMap<Uuid, [u64; 5]> = data["unitAssessment"].as_array().unwrap().iter().map(|r| {
                let n = |k: &str| r[k].as_u64().unwrap();
                (uuid(r["unit"]["id"].as_str().unwrap()), [n("assigned"), n("accepted"), n("declined"), n("done"), n("doneOnTime")])
            }).collect();
            assert_eq!(got, expected_assessment(&app, c.uuid, start, end).await, "{from}..{to}: {data}");
        }
        let nov = app.ok(Some(&staff), ASSESS, json!({ "from": "2026-11-01", "to": "2026-11-30", "c": c.id })).await;
        let lead = nov["unitAssessment"].as_array().unwrap().iter().find(|r| r["unit"]["id"] == json!(w.lead.id)).expect("the lead unit").clone();
        assert_eq!((lead["done"].as_i64(), lead["doneOnTime"].as_i64(), lead["onTimeRate"].as_f64()), (Some(2), Some(1), Some(0.5)), "{lead}");

        // A unit sees the figures of its own tasks and its own row only.
        let support = w.support.token(&app);
        let mine = app.ok(Some(&support), STATS, json!({ "by": "TOTAL" })).await;
        assert_eq!(mine["taskStatistics"][0]["openNow"], json!(2), "the declined task and the overdue one: {mine}");
        let rows = app.ok(Some(&support), ASSESS, json!({})).await;
        let units: Vec<&Value> = rows["unitAssessment"].as_array().unwrap().iter().map(|r| &r["unit"]["id"]).collect();
        assert_eq!(units, vec![&json!(w.support.id)], "{rows}");
    }
}

/// `taskStatistics` rows with the dataset's keys (snake_case).
fn snake(rows: &Value) -> Vec<serde_json::Map<String, Value>> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    let mut s = String::new();
                    for ch in k.chars() {
                        if ch.is_ascii_uppercase() {
                            s.push('_');
                            s.push(ch.to_ascii_lowercase());
                        } else {
                            s.push(ch);
                        }
                    }
                    (s, v.clone())
                })
                .collect()
        })
        .collect()
}

/// Rows in a fixed order, numbers as numbers whatever their notation (`88` and `88.0`).
fn sorted(rows: Vec<serde_json::Map<String, Value>>) -> Vec<serde_json::Map<String, Value>> {
    let mut rows: Vec<serde_json::Map<String, Value>> =
        rows.into_iter().map(|r| r.into_iter().map(|(k, v)| (k, v.as_f64().map_or(v, |n| json!(n)))).collect()).collect();
    rows.sort_by_key(|r| Value::Object(r.clone()).to_string());
    rows
}

both_backends! {
    async fn collaboration_exports_parse_back_and_the_figures_are_those_of_graphql(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let w = world(&app).await;
        round(&app, &w).await;
        let c = &w.community;
        let staff = c.staff(&app);
        app.ok(
            Some(&staff),
            "mutation($i: CreateInspectionInput!) { createInspection(input: $i) { inspection { id } } }",
            json!({ "i": { "communityId": c.id, "patrol": "文明劝导队", "findings": [{ "description": "占道, \"摆摊\"\n二处", "category": "STALL_SPRAWL" }] } }),
        )
        .await;
        let bearer = format!("Bearer {staff}");
        for (dataset, at_least) in [("assignments", 5), ("task-events", 20), ("inspections", 1), ("findings", 1), ("unit-assessment", 2)] {
            let rows = export_both(&app, &bearer, dataset, "").await;
            assert!(rows.len() >= at_least, "{dataset}: {rows:?}");
        }
        for by in ["TOTAL", "COMMUNITY", "CATEGORY", "LEVEL", "MONTH", "STATUS"] {
            let q = format!("from=2026-10-01&to=2026-11-30&communityId={}&by={by}", c.id);
            let nd = export_both(&app, &bearer, "task-figures", &q).await;
            let data = app.ok(Some(&staff), STATS, json!({ "from": "2026-10-01", "to": "2026-11-30", "c": c.id, "by": by })).await;
            let graphql = snake(&data["taskStatistics"]);
            assert_eq!(sorted(nd), sorted(graphql), "{by}");
        }
        let nd = export_both(&app, &bearer, "unit-assessment", "from=2026-11-01&to=2026-11-30").await;
        let data = app.ok(Some(&staff), ASSESS, json!({ "from": "2026-11-01", "to": "2026-11-30" })).await;
        assert_eq!(nd.len(), data["unitAssessment"].as_array().unwrap().len());
        for (row, g) in nd.iter().zip(data["unitAssessment"].as_array().unwrap()) {
            assert_eq!(row["unit_id"], g["unit"]["id"]);
            let n = |v: &Value| v.as_f64();
            assert_eq!((n(&row["done"]), n(&row["done_on_time"]), n(&row["on_time_rate"])), (n(&g["done"]), n(&g["doneOnTime"]), n(&g["onTimeRate"])));
        }
    }
}

both_backends! {
    async fn collaboration_figures_and_exports_cost_the_same_statements_whatever_the_size(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let w = world(&app).await;
        round(&app, &w).await;
        let c = &w.community;
        let staff = c.staff(&app);
        let bearer = format!("Bearer {staff}");
        let probes = [
            ("taskStatistics", STATS),
            ("unitAssessment", ASSESS),
        ];
        async fn costs(app: &TestApp, staff: &str, bearer: &str, c: &Community, probes: &[(&str, &str)]) -> Vec<usize> {
            let mut out = Vec::new();
            for (_, q) in probes {
                for by in ["TOTAL", "MONTH"] {
                    let vars = json!({ "from": "2026-10-01", "to": "2026-11-30", "c": c.id, "by": by });
                    out.push(app.count_statements(app.ok(Some(staff), q, vars)).await.0);
                }
            }
            for dataset in ["tasks", "assignments", "task-events", "inspections", "findings", "task-figures", "unit-assessment"] {
                out.push(app.count_statements(get(app, Some(bearer), &format!("/export/{dataset}.ndjson"))).await.0);
            }
            out
        }
        let small = costs(&app, &staff, &bearer, c, &probes).await;
        for _ in 0..9 {
            round(&app, &w).await;
        }
        let large = costs(&app, &staff, &bearer, c, &probes).await;
        assert_eq!(small, large, "statements per figure and export, one round and ten");
    }
}

both_backends! {
    async fn collaboration_figures_are_refused_to_members_and_outside_the_scope(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let w = world(&app).await;
        let other = Fixture::community(&app, "竹园").await;
        let member = Fixture::member(&app, &w.community, "林晓东").await.token(&app);
        let staff = w.community.staff(&app);
        for q in [STATS, ASSESS] {
            assert_eq!(app.error_code(Some(&member), q, json!({ "by": "TOTAL" })).await, "FORBIDDEN");
            assert_eq!(app.error_code(None, q, json!({ "by": "TOTAL" })).await, "UNAUTHENTICATED");
            assert_eq!(app.error_code(Some(&staff), q, json!({ "c": other.id, "by": "TOTAL" })).await, "NOT_FOUND");
        }
        for dataset in ["task-figures", "unit-assessment"] {
            let got = get(&app, Some(&format!("Bearer {member}")), &format!("/export/{dataset}.csv")).await;
            assert_eq!((got.status, got.code().as_str()), (403, "FORBIDDEN"), "{dataset}");
            let got = get(&app, Some(&format!("Bearer {staff}")), &format!("/export/{dataset}.csv?communityId={}", other.id)).await;
            assert_eq!((got.status, got.code().as_str()), (404, "NOT_FOUND"), "{dataset}");
        }
        // Reporters, street admins and city staff read the figures.
        for token in [app.token(Role::Reporter, "meiling-street"), app.street_admin(), app.token(Role::CityAdmin, "jinjiang")] {
            app.ok(Some(&token), STATS, json!({ "by": "COMMUNITY" })).await;
        }
    }
}

//! The volunteer service's figures and datasets: `volunteerStatistics` over a range and per
//! community against independent counts, the `volunteers`, `activities`, `sign-ups` and
//! `volunteer-figures` exports, no personal data for reporters, flat statement counts.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, TimeZone, Utc};
use entity::{activity, check_in, service_category, sign_up, volunteer};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::*;
use crate::fixtures::{Community, Fixture, Street};
use crate::support::decode;

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

/// The moments the fixture's activities start at, UTC. 31 January 15:59:59 UTC is the last
/// second of January in Beijing, 16:00:00 the first of February (and the first moment of the
/// range 2025-02-01..2025-02-28); 28 February 15:59:59 UTC is the range's last second,
/// 16:00:00 the first of March, outside it.
fn starts() -> [DateTime<Utc>; 4] {
    [at(2025, 1, 31, 15, 59, 59), at(2025, 1, 31, 16, 0, 0), at(2025, 2, 28, 15, 59, 59), at(2025, 2, 28, 16, 0, 0)]
}

const FROM: &str = "2025-02-01";
const TO: &str = "2025-02-28";

/// A street with two communities; per community and per `scale`: two volunteers, four
/// activities (one at each of [`starts`]), each attended by one volunteer, and an approved
/// check-in; one volunteer registered and one check-in approved after the range.
pub struct World {
    pub street: Street,
    pub communities: Vec<Community>,
    /// Every fixture person's name.
    pub names: Vec<String>,
}

pub const PHONE: &str = "13800000000";

async fn set_start(app: &TestApp, id: &str, t: DateTime<Utc>) {
    let a = activity::Entity::find_by_id(decode(id).unwrap().1).one(&app.db).await.unwrap().unwrap();
    let mut m: activity::ActiveModel = a.into();
    m.starts_at = Set(t);
    m.ends_at = Set(t + Duration::hours(2));
    m.update(&app.db).await.unwrap();
}

async fn attend(app: &TestApp, community: &Community, activity: &str, person: Uuid, minutes: i32, t: DateTime<Utc>) {
    sign_up::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community.uuid),
        activity_id: Set(decode(activity).unwrap().1),
        person_id: Set(person),
        status: Set(sign_up::SignUpStatus::Registered),
        checked_in_at: Set(Some(t)),
        checked_out_at: Set(Some(t + Duration::minutes(i64::from(minutes)))),
        service_minutes: Set(Some(minutes)),
        code_failures: Set(0),
        created_at: Set(t - Duration::days(1)),
        updated_at: Set(t),
    }
    .insert(&app.db)
    .await
    .unwrap();
}

async fn approved_check_in(app: &TestApp, community: &Community, person: Uuid, decided: DateTime<Utc>) {
    check_in::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community.uuid),
        person_id: Set(person),
        work_unit: Set("晋江市税务局".into()),
        department: Set(None),
        organization_relation: Set("晋江市税务局机关党委".into()),
        status: Set(check_in::CheckInStatus::Approved),
        requested_at: Set(decided - Duration::days(1)),
        decided_at: Set(Some(decided)),
        decided_by: Set(Some("test".into())),
        decline_reason: Set(None),
        ended_at: Set(None),
        version: Set(1),
    }
    .insert(&app.db)
    .await
    .unwrap();
}

pub async fn world(app: &TestApp, scale: usize) -> World {
    let street = Fixture::street(app, "松江街道").await;
    let mut communities = Vec::new();
    let mut names = Vec::new();
    let categories = [Fixture::category(app, "sanitation").await, Fixture::category(app, "elder-care").await];
    for (ci, cname) in ["松园", "竹溪"].into_iter().enumerate() {
        let c = street.community(app, cname).await;
        for s in 0..scale {
            let mut people = Vec::new();
            for v in 0..2 {
                let name = format!("{cname}义工{s}号{v}");
                let p = Fixture::volunteer_with(app, &c, &name, json!({ "categories": ["elder-care"], "skills": ["急救"] })).await;
                names.push(name);
                people.push(p.person_uuid());
            }
            for (i, t) in starts().into_iter().enumerate() {
                let cat = &categories[(i + ci) % 2];
                let a =
                    Fixture::activity(app, &c, cat, &format!("活动{s}-{i}"), t + Duration::days(400), t + Duration::days(401), 10).await;
                set_start(app, &a, t).await;
                attend(app, &c, &a, people[i % 2], 30 + 15 * i as i32, t).await;
                let mut m: activity::ActiveModel =
                    activity::Entity::find_by_id(decode(&a).unwrap().1).one(&app.db).await.unwrap().unwrap().into();
                m.residents_served = Set(i as i32 + 1);
                m.update(&app.db).await.unwrap();
            }
            approved_check_in(app, &c, people[0], at(2025, 1, 10, 2, 0, 0)).await;
            // Approved the first second after the range: counted for all time, not for the range.
            approved_check_in(app, &c, people[1], at(2025, 2, 28, 16, 0, 0)).await;
        }
        // Registered after the range: counted for all time only.
        let late = volunteer::Entity::find().filter(volunteer::Column::CommunityId.eq(c.uuid)).all(&app.db).await.unwrap();
        let mut m: volunteer::ActiveModel = late[0].clone().into();
        m.registered_at = Set(at(2025, 2, 28, 16, 0, 0));
        m.update(&app.db).await.unwrap();
        for v in late.iter().skip(1) {
            let mut m: volunteer::ActiveModel = v.clone().into();
            m.registered_at = Set(at(2024, 12, 1, 0, 0, 0));
            m.update(&app.db).await.unwrap();
        }
        communities.push(c);
    }
    World { street, communities, names }
}

/// (volunteers, checked-in members, activities, person-times, minutes, residents)
type Figures = (i64, i64, i64, i64, i64, i64);

/// The figures counted straight from the rows, for `communities` and a range (Beijing days).
async fn independent(app: &TestApp, communities: &[Uuid], range: Option<(DateTime<Utc>, DateTime<Utc>)>) -> Value {
    let inside = |t: DateTime<Utc>| range.is_none_or(|(s, e)| t >= s && t < e);
    let before_end = |t: DateTime<Utc>| range.is_none_or(|(_, e)| t < e);
    let codes: HashMap<Uuid, String> =
        service_category::Entity::find().all(&app.db).await.unwrap().into_iter().map(|c| (c.id, c.code)).collect();
    let now = Utc::now();
    let mut by_community: BTreeMap<Uuid, Figures> = communities.iter().map(|c| (*c, Figures::default())).collect();
    let (mut by_category, mut by_month): (BTreeMap<String, Figures>, BTreeMap<String, Figures>) = Default::default();
    let mut total = Figures::default();
    for v in volunteer::Entity::find().all(&app.db).await.unwrap() {
        if let Some(f) = by_community.get_mut(&v.community_id).filter(|_| before_end(v.registered_at)) {
            f.0 += 1;
            total.0 += 1;
        }
    }
    for c in check_in::Entity::find().all(&app.db).await.unwrap() {
        let ok = c.status == check_in::CheckInStatus::Approved && c.decided_at.is_none_or(before_end);
        if let Some(f) = by_community.get_mut(&c.community_id).filter(|_| ok) {
            f.1 += 1;
            total.1 += 1;
        }
    }
    let sign_ups = sign_up::Entity::find().all(&app.db).await.unwrap();
    for a in activity::Entity::find().all(&app.db).await.unwrap() {
        if !by_community.contains_key(&a.community_id)
            || a.status != activity::ActivityStatus::Open
            || a.starts_at > now
            || !inside(a.starts_at)
        {
            continue;
        }
        let served: Vec<&sign_up::Model> = sign_ups.iter().filter(|s| s.activity_id == a.id && s.checked_in_at.is_some()).collect();
        let minutes: i64 = served.iter().map(|s| i64::from(s.service_minutes.unwrap_or(0))).sum();
        let month = (a.starts_at + Duration::hours(8)).format("%Y-%m").to_string();
        for f in [
            by_community.get_mut(&a.community_id).unwrap(),
            by_category.entry(codes[&a.category_id].clone()).or_default(),
            by_month.entry(month).or_default(),
            &mut total,
        ] {
            f.2 += 1;
            f.3 += served.len() as i64;
            f.4 += minutes;
            f.5 += i64::from(a.residents_served);
        }
    }
    let hours = |m: i64| (m as f64 / 60.0 * 100.0).round() / 100.0;
    let t = |f: &Figures| json!({ "activities": f.2, "personTimes": f.3, "hours": hours(f.4), "residentsServed": f.5 });
    json!({
        "volunteers": total.0, "checkedInMembers": total.1, "totals": t(&total),
        "byCommunity": by_community.iter().map(|(c, f)| json!({ "community": { "id": gongzhi::graphql::node::global_id("Community", *c).to_string() },
            "volunteers": f.0, "checkedInMembers": f.1, "totals": t(f) })).collect::<Vec<_>>(),
        "byCategory": by_category.iter().map(|(c, f)| json!({ "category": c, "totals": t(f) })).collect::<Vec<_>>(),
        "byMonth": by_month.iter().map(|(m, f)| json!({ "month": m, "totals": t(f) })).collect::<Vec<_>>(),
    })
}

pub const STATS: &str = "query($c: ID, $from: Date, $to: Date) { volunteerStatistics(communityId: $c, from: $from, to: $to) {
    volunteers checkedInMembers totals { activities personTimes hours residentsServed }
    byCommunity { community { id } volunteers checkedInMembers totals { activities personTimes hours residentsServed } }
    byCategory { category totals { activities personTimes hours residentsServed } }
    byMonth { month totals { activities personTimes hours residentsServed } } } }";

fn feb() -> (DateTime<Utc>, DateTime<Utc>) {
    (at(2025, 1, 31, 16, 0, 0), at(2025, 2, 28, 16, 0, 0))
}

both_backends! {
    async fn volunteer_figures_equal_counts_from_the_records_over_a_range_and_per_community(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let w = world(&app, 1).await;
        let admin = w.street.admin(&app);
        let all: Vec<Uuid> = w.communities.iter().map(|c| c.uuid).collect();
        let songyuan = &w.communities[0];
        for (vars, communities, range) in [
            (json!({}), all.clone(), None),
            (json!({ "from": FROM, "to": TO }), all.clone(), Some(feb())),
            (json!({ "c": songyuan.id, "from": FROM, "to": TO }), vec![songyuan.uuid], Some(feb())),
            (json!({ "c": songyuan.id }), vec![songyuan.uuid], None),
        ] {
            let got = app.ok(Some(&admin), STATS, vars.clone()).await["volunteerStatistics"].clone();
            assert_eq!(got, independent(&app, &communities, range).await, "[{}] {vars}", backend.name());
        }
        // The fixture is the one meant: of 松园's four activities, the range holds the one at
        // its first moment and the one at its last second, not the ones just outside.
        let feb_one = app.ok(Some(&admin), STATS, json!({ "c": songyuan.id, "from": FROM, "to": TO })).await["volunteerStatistics"].clone();
        assert_eq!(feb_one["totals"]["activities"], 2, "{feb_one}");
        assert_eq!(feb_one["totals"]["residentsServed"], 2 + 3);
        assert_eq!((feb_one["volunteers"].clone(), feb_one["checkedInMembers"].clone()), (json!(1), json!(1)));
        assert_eq!(feb_one["byMonth"], json!([{ "month": "2025-02", "totals": { "activities": 2, "personTimes": 2, "hours": 1.75, "residentsServed": 5 } }]));
        let ever = app.ok(Some(&admin), STATS, json!({ "c": songyuan.id })).await["volunteerStatistics"].clone();
        let months: Vec<(String, i64)> = ever["byMonth"].as_array().unwrap().iter()
            .map(|m| (m["month"].as_str().unwrap().to_owned(), m["totals"]["activities"].as_i64().unwrap())).collect();
        assert_eq!(months, vec![("2025-01".to_owned(), 1), ("2025-02".to_owned(), 2), ("2025-03".to_owned(), 1)], "Beijing months");
        assert_eq!((ever["volunteers"].clone(), ever["checkedInMembers"].clone()), (json!(2), json!(2)));
        // Without a range the answer is today's (the fields of before, unchanged).
        let old = "query($c: ID) { volunteerStatistics(communityId: $c) { volunteers checkedInMembers totals { activities } } }";
        assert_eq!(app.ok(Some(&admin), old, json!({ "c": songyuan.id })).await["volunteerStatistics"]["totals"]["activities"], 4);
        // A range that ends before it begins is refused.
        assert_eq!(app.error_code(Some(&admin), STATS, json!({ "from": TO, "to": FROM })).await, "BAD_USER_INPUT");
    }
}

/// Every number as a float, so that `7` and `7.0` compare equal.
fn numbers(v: Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, numbers(v))).collect()),
        Value::Array(a) => Value::Array(a.into_iter().map(numbers).collect()),
        other => other,
    }
}

/// The GraphQL figures as the rows of `volunteer-figures` for a grouping.
fn as_rows(g: &Value, by: &str) -> Vec<Value> {
    let t = |t: &Value| (t["activities"].clone(), t["personTimes"].clone(), t["hours"].clone(), t["residentsServed"].clone());
    let row = |c: Value, cat: Value, m: Value, v: Value, ci: Value, totals: &Value| {
        let (a, p, h, r) = t(totals);
        json!({ "community_id": c, "category": cat, "month": m, "volunteers": v, "checked_in_members": ci,
            "activities": a, "person_times": p, "hours": h, "residents_served": r })
    };
    match by {
        "TOTAL" => vec![row(Value::Null, Value::Null, Value::Null, g["volunteers"].clone(), g["checkedInMembers"].clone(), &g["totals"])],
        "COMMUNITY" => g["byCommunity"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                row(
                    c["community"]["id"].clone(),
                    Value::Null,
                    Value::Null,
                    c["volunteers"].clone(),
                    c["checkedInMembers"].clone(),
                    &c["totals"],
                )
            })
            .collect(),
        "CATEGORY" => g["byCategory"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| row(Value::Null, c["category"].clone(), Value::Null, Value::Null, Value::Null, &c["totals"]))
            .collect(),
        _ => g["byMonth"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| row(Value::Null, Value::Null, m["month"].clone(), Value::Null, Value::Null, &m["totals"]))
            .collect(),
    }
}

both_backends! {
    async fn every_volunteer_dataset_parses_back_and_the_figures_are_graphqls(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let w = world(&app, 1).await;
        let admin = w.street.admin(&app);
        let bearer = format!("Bearer {admin}");
        let songyuan = &w.communities[0];
        for (query, vars) in [
            (String::new(), json!({})),
            (format!("from={FROM}&to={TO}"), json!({ "from": FROM, "to": TO })),
            (format!("communityId={}&from={FROM}", songyuan.id), json!({ "c": songyuan.id, "from": FROM })),
        ] {
            let g = app.ok(Some(&admin), STATS, vars).await["volunteerStatistics"].clone();
            for by in ["TOTAL", "COMMUNITY", "CATEGORY", "MONTH"] {
                let q = if query.is_empty() { format!("by={by}") } else { format!("{query}&by={by}") };
                let rows: Vec<Value> =
                    export_both(&app, &bearer, "volunteer-figures", &q).await.into_iter().map(|r| numbers(Value::Object(r))).collect();
                let expected: Vec<Value> = as_rows(&g, by).into_iter().map(numbers).collect();
                assert_eq!(rows, expected, "[{}] {q}", backend.name());
            }
        }
        // The record datasets: every row of the street, each as its table holds it.
        let all: Vec<Uuid> = w.communities.iter().map(|c| c.uuid).collect();
        let volunteers = export_both(&app, &bearer, "volunteers", "").await;
        let stored = volunteer::Entity::find().filter(volunteer::Column::CommunityId.is_in(all.clone())).all(&app.db).await.unwrap();
        assert_eq!(volunteers.len(), stored.len());
        let v = stored.iter().find(|v| v.community_id == songyuan.uuid).unwrap();
        let row = volunteers.iter().find(|r| r["id"] == json!(gongzhi::graphql::node::global_id("Volunteer", v.id).to_string())).unwrap();
        assert_eq!(row["person_id"], json!(v.person_id.to_string()));
        assert_eq!(row["categories"], json!(v.categories));
        assert_eq!(row["status"], json!("ACTIVE"));
        let activities = export_both(&app, &bearer, "activities", "").await;
        assert_eq!(activities.len(), 8);
        let in_feb = export_both(&app, &bearer, "activities", &format!("from={FROM}&to={TO}")).await;
        assert_eq!(in_feb.len(), 4, "the range edges: its first moment and last second in, the seconds outside out");
        assert!(in_feb.iter().all(|a| a["organiser_kind"] == "COMMUNITY" && a["organiser_id"] == a["community_id"]));
        let sign_ups = export_both(&app, &bearer, "sign-ups", "").await;
        assert_eq!(sign_ups.len(), 8);
        let minutes: i64 = sign_ups.iter().map(|s| s["service_minutes"].as_i64().unwrap()).sum();
        assert_eq!(minutes, 2 * (30 + 45 + 60 + 75));
        let one = export_both(&app, &bearer, "sign-ups", &format!("communityId={}", songyuan.id)).await;
        assert_eq!(one.len(), 4);
    }
}

both_backends! {
    async fn a_reporters_volunteer_exports_hold_no_personal_data(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let w = world(&app, 1).await;
        let reporter = format!("Bearer {}", w.street.reporter(&app));
        let staff = format!("Bearer {}", w.communities[0].staff(&app));
        for who in [&reporter, &staff] {
            for dataset in ["volunteers", "sign-ups", "activities", "volunteer-figures"] {
                for form in ["csv", "ndjson"] {
                    let got = get(&app, Some(who), &format!("/export/{dataset}.{form}")).await;
                    assert_eq!(got.status, 200, "{dataset}.{form}: {}", got.text());
                    let text = got.text();
                    for name in &w.names {
                        assert!(!text.contains(name.as_str()), "{dataset}.{form} names {name}");
                    }
                    assert!(!text.contains(PHONE) && !text.contains("****"), "{dataset}.{form} holds a phone");
                }
            }
        }
        // A reporter reads the figures, no volunteer, activity or sign-up rows (as in GraphQL).
        for dataset in ["volunteers", "sign-ups", "activities"] {
            assert!(export_both(&app, &reporter, dataset, "").await.is_empty(), "{dataset}");
        }
        let figures = export_both(&app, &reporter, "volunteer-figures", "by=COMMUNITY").await;
        assert_eq!(figures.len(), 2);
        assert_eq!(figures[0]["volunteers"], 2);
    }
}

both_backends! {
    async fn volunteer_figures_and_exports_run_as_many_statements_at_ten_times_the_size(backend: Backend) {
        let mut counts = Vec::new();
        for scale in [1, 10] {
            let app = TestApp::demo(&backend).await;
            let w = world(&app, scale).await;
            let admin = w.street.admin(&app);
            let bearer = format!("Bearer {admin}");
            let mut these = Vec::new();
            let (n, _) = app.count_statements(app.ok(Some(&admin), STATS, json!({ "from": FROM, "to": TO }))).await;
            these.push(("volunteerStatistics".to_owned(), n));
            for path in ["volunteers.csv", "activities.csv", "sign-ups.csv", "volunteer-figures.csv?by=COMMUNITY", "volunteer-figures.ndjson?by=MONTH"] {
                let (n, got) = app.count_statements(get(&app, Some(&bearer), &format!("/export/{path}"))).await;
                assert_eq!(got.status, 200, "{path}");
                these.push((path.to_owned(), n));
            }
            counts.push(these);
        }
        assert_eq!(counts[0], counts[1], "[{}] statements, small world vs ten times larger", backend.name());
    }
}

//! Home co-building's figures: `homeStatistics` equals a count made here from the raw rows with
//! the Beijing month's bounds written out in UTC (a project approved at the first moment of
//! November counts in November, one at the first moment of December does not); `home-figures`
//! is `homeStatistics` row for row; units and residents are refused, a reporter reads counts;
//! and the figures read in as many statements for ten times the rows.

use chrono::{DateTime, Datelike, Duration, Utc};
use entity::arrears_case::{self, ArrearsStatus};
use entity::building_leader::{self, LeaderStatus};
use entity::ledger_entry::{self, LedgerKind};
use entity::project::{self, ProjectStatus};
use gongzhi::auth::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use super::*;
use crate::fixtures::Fixture;
use crate::home::fixtures::Home;
use crate::home::{ANSWER, APPLY};

const STATS: &str = r#"query($c: ID, $p: ID, $from: Date, $to: Date, $by: HomeGrouping!) {
  homeStatistics(communityId: $c, compoundId: $p, from: $from, to: $to, by: $by) { communityId compoundId month
    buildings lanes households activeLeaders projectsInProgress arrearsOpen arrearsOpenFen leadersChosen projectsProposed
    projectsApproved approvedBudgetFen projectsDone projectsDropped incomeFen disbursementFen arrearsOpened arrearsPaid
    arrearsPlanAgreed arrearsRefused arrearsEscalated } }"#;

const PROPOSE: &str = "mutation($i: ProposeProjectInput!) { proposeProject(input: $i) { project { id } } }";
const APPROVE: &str = "mutation($i: ProjectTransitionInput!) { approveProject(input: $i) { project { id } } }";
const START: &str = "mutation($i: ProjectTransitionInput!) { startProject(input: $i) { project { id } } }";
const COMPLETE: &str = "mutation($i: ProjectTransitionInput!) { completeProject(input: $i) { project { id } } }";
const DROP: &str = "mutation($i: DropProjectInput!) { dropProject(input: $i) { project { id } } }";
const INCOME: &str = "mutation($i: RecordLedgerIncomeInput!) { recordLedgerIncome(input: $i) { entry { id } } }";
const DISBURSE: &str = "mutation($i: RecordLedgerDisbursementInput!) { recordLedgerDisbursement(input: $i) { entry { id } } }";
const REVERSE: &str = "mutation($i: ReverseLedgerEntryInput!) { reverseLedgerEntry(input: $i) { entry { id } } }";
const OPEN: &str = "mutation($i: OpenArrearsCaseInput!) { openArrearsCase(input: $i) { arrearsCase { id } } }";
const OUTCOME: &str = "mutation($i: SetArrearsOutcomeInput!) { setArrearsOutcome(input: $i) { arrearsCase { id } } }";

/// The first moment of November and of December 2026 in Beijing, in UTC.
const NOV: &str = "2026-10-31T16:00:00Z";
const DEC: &str = "2026-11-30T16:00:00Z";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn uuid(id: &Value) -> uuid::Uuid {
    crate::support::decode(id.as_str().unwrap()).unwrap().1
}

/// A home with `n` of each kind of record, their moments spread either side of November 2026 in
/// Beijing, the first ones exactly on its bounds.
async fn fixture(app: &TestApp, name: &str, n: usize) -> Home {
    let h = Fixture::home(app, name).await;
    let staff = h.staff(app);
    let broker = Fixture::unit(app, &format!("{name}住建")).await.seated_in(app, &h.community).await;
    // Moment `i`: the first moment of November, that of December, the last second of October,
    // then every three days from five days before November.
    let moment = |i: usize| match i {
        0 => t(NOV),
        1 => t(DEC),
        2 => t(NOV) - Duration::seconds(1),
        _ => t(NOV) - Duration::days(5) + Duration::days(3 * (i as i64 - 3)),
    };
    // Leaders of the three buildings, chosen at moments 0, 1, 2.
    for (b, member) in h.members.iter().take(3).enumerate() {
        let d = app.ok(Some(&member.token(app)), APPLY, json!({ "i": { "buildingId": h.buildings[b] } })).await;
        let id = d["applyForBuildingLeader"]["buildingLeader"]["id"].clone();
        app.ok(Some(&staff), ANSWER, json!({ "i": { "id": id, "accept": true } })).await;
        building_leader::Entity::update_many()
            .col_expr(building_leader::Column::MemberAgreedAt, Expr::value(Some(moment(b) - Duration::hours(5))))
            .col_expr(building_leader::Column::ResidentsAgreedAt, Expr::value(Some(moment(b))))
            .filter(building_leader::Column::Id.eq(uuid(&id)))
            .exec(&app.db)
            .await
            .unwrap();
    }
    for i in 0..n {
        // Projects: approved; done (i % 4 == 1), in progress (2), dropped (3).
        let funding = json!([{ "source": "STREET", "amountFen": 10_000 * (i as i64 + 1) }]);
        let p = json!({ "i": { "compoundId": h.compound_id, "title": format!("{name}改造{i}"), "scope": "门禁", "kind": "GATE_ACCESS",
            "brokerUnitId": broker.id, "funding": funding } });
        let id = app.ok(Some(&staff), PROPOSE, p).await["proposeProject"]["project"]["id"].clone();
        let step = |id: &Value| json!({ "i": { "id": id } });
        app.ok(Some(&staff), APPROVE, step(&id)).await;
        match i % 4 {
            1 | 2 => {
                app.ok(Some(&staff), START, step(&id)).await;
                if i % 4 == 1 {
                    app.ok(Some(&staff), COMPLETE, step(&id)).await;
                }
            }
            3 => {
                app.ok(Some(&staff), DROP, json!({ "i": { "id": id, "reason": "业主大会未通过" } })).await;
            }
            _ => {}
        }
        let at = moment(i);
        project::Entity::update_many()
            .col_expr(project::Column::CreatedAt, Expr::value(at - Duration::hours(30)))
            .col_expr(project::Column::ApprovedAt, Expr::value(Some(at)))
            .col_expr(project::Column::DoneAt, Expr::value((i % 4 == 1).then(|| at + Duration::hours(20))))
            .col_expr(project::Column::DroppedAt, Expr::value((i % 4 == 3).then(|| at + Duration::hours(2))))
            .filter(project::Column::Id.eq(uuid(&id)))
            .exec(&app.db)
            .await
            .unwrap();
        // Income for October, November and December in turn; a disbursement on the last day of
        // October, of November, the first of December; every fifth income reversed.
        let month = ["2026-10", "2026-11", "2026-12"][i % 3];
        let income = json!({ "i": { "compoundId": h.compound_id, "source": "CAR_PARK", "month": month, "amountFen": 1_000 + i as i64 } });
        let entry = app.ok(Some(&staff), INCOME, income).await["recordLedgerIncome"]["entry"]["id"].clone();
        if i % 5 == 0 {
            app.ok(Some(&staff), REVERSE, json!({ "i": { "id": entry, "reason": "录入有误" } })).await;
        }
        let day = ["2026-10-31", "2026-11-30", "2026-12-01"][i % 3];
        let paid = json!({ "i": { "compoundId": h.compound_id, "purpose": "维修", "approvedBy": "业主大会决议", "paidOn": day, "amountFen": 300 + i as i64 } });
        app.ok(Some(&staff), DISBURSE, paid).await;
        // Arrears: open (i % 5 == 0), then each outcome in turn.
        let case = json!({ "i": { "compoundId": h.home_id, "buildingId": h.buildings[i % 3], "door": format!("{i}01"), "amountOwedFen": 5_000 + i as i64,
            "owedSince": "2025-07-01" } });
        let case = app.ok(Some(&staff), OPEN, case).await["openArrearsCase"]["arrearsCase"]["id"].clone();
        let outcome = match i % 5 {
            1 => Some(json!({ "outcome": "PAID" })),
            2 => Some(json!({ "outcome": "PLAN_AGREED", "plan": "分三期缴清" })),
            3 => Some(json!({ "outcome": "REFUSED", "note": "业主拒缴" })),
            4 => Some(json!({ "outcome": "ESCALATED", "reason": "提请人民调解" })),
            _ => None,
        };
        if let Some(mut o) = outcome {
            o["id"] = case.clone();
            app.ok(Some(&staff), OUTCOME, json!({ "i": o })).await;
        }
        arrears_case::Entity::update_many()
            .col_expr(arrears_case::Column::CreatedAt, Expr::value(at - Duration::hours(10)))
            .col_expr(arrears_case::Column::OutcomeAt, Expr::value((i % 5 != 0).then_some(at)))
            .filter(arrears_case::Column::Id.eq(uuid(&case)))
            .exec(&app.db)
            .await
            .unwrap();
    }
    h
}

/// November's figures of the home's compound, counted here from the raw rows.
async fn counted(app: &TestApp, h: &Home) -> Value {
    let (from, to) = (t(NOV), t(DEC));
    let inside = |at: Option<DateTime<Utc>>| at.is_some_and(|at| at >= from && at < to);
    let mine = |c: uuid::Uuid| c == h.compound;
    let buildings: Vec<_> =
        entity::building::Entity::find().all(&app.db).await.unwrap().into_iter().filter(|b| mine(b.compound_id)).collect();
    let leaders: Vec<_> = building_leader::Entity::find().all(&app.db).await.unwrap().into_iter().filter(|l| mine(l.compound_id)).collect();
    let projects: Vec<_> = project::Entity::find().all(&app.db).await.unwrap().into_iter().filter(|p| mine(p.compound_id)).collect();
    let entries: Vec<_> = ledger_entry::Entity::find().all(&app.db).await.unwrap().into_iter().filter(|e| mine(e.compound_id)).collect();
    let cases: Vec<_> = arrears_case::Entity::find().all(&app.db).await.unwrap().into_iter().filter(|a| mine(a.compound_id)).collect();
    let november = |d: chrono::NaiveDate| d.format("%Y-%m").to_string() == "2026-11";
    let sum = |kind: LedgerKind| entries.iter().filter(|e| e.kind == kind && november(e.period_start)).map(|e| e.amount_fen).sum::<i64>();
    let outcome = |s: ArrearsStatus| cases.iter().filter(|a| a.status == s && inside(a.outcome_at)).count();
    let open: Vec<_> = cases.iter().filter(|a| a.status == ArrearsStatus::Open).collect();
    json!({
        "buildings": buildings.iter().filter(|b| b.kind == entity::building::BuildingKind::Building).count(),
        "lanes": buildings.iter().filter(|b| b.kind == entity::building::BuildingKind::Lane).count(),
        "households": buildings.iter().map(|b| i64::from(b.households)).sum::<i64>(),
        "activeLeaders": leaders.iter().filter(|l| l.status == LeaderStatus::Active).count(),
        "projectsInProgress": projects.iter().filter(|p| p.status == ProjectStatus::InProgress).count(),
        "arrearsOpen": open.len(),
        "arrearsOpenFen": open.iter().map(|a| a.amount_owed_fen).sum::<i64>(),
        "leadersChosen": leaders.iter().filter(|l| inside(l.residents_agreed_at.max(l.member_agreed_at))).count(),
        "projectsProposed": projects.iter().filter(|p| inside(Some(p.created_at))).count(),
        "projectsApproved": projects.iter().filter(|p| inside(p.approved_at)).count(),
        "approvedBudgetFen": projects.iter().filter(|p| inside(p.approved_at)).map(|p| p.budget_fen).sum::<i64>(),
        "projectsDone": projects.iter().filter(|p| inside(p.done_at)).count(),
        "projectsDropped": projects.iter().filter(|p| inside(p.dropped_at)).count(),
        "incomeFen": sum(LedgerKind::Income),
        "disbursementFen": sum(LedgerKind::Disbursement),
        "arrearsOpened": cases.iter().filter(|a| inside(Some(a.created_at))).count(),
        "arrearsPaid": outcome(ArrearsStatus::Paid),
        "arrearsPlanAgreed": outcome(ArrearsStatus::PlanAgreed),
        "arrearsRefused": outcome(ArrearsStatus::Refused),
        "arrearsEscalated": outcome(ArrearsStatus::Escalated),
    })
}

fn snake(camel: &str) -> String {
    camel.chars().fold(String::new(), |mut out, ch| {
        if ch.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(ch.to_ascii_lowercase());
        out
    })
}

both_backends! {
    async fn home_figures_equal_counts_of_the_raw_rows_over_a_beijing_month(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = fixture(&app, "报表苑", 12).await;
        let staff = h.staff(&app);
        let b = backend.name();
        let vars = json!({ "by": "COMPOUND", "p": h.home_id, "from": "2026-11-01", "to": "2026-11-30" });
        let d = app.ok(Some(&staff), STATS, vars).await;
        let rows = d["homeStatistics"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "[{b}] {rows:?}");
        let row = &rows[0];
        assert_eq!(row["compoundId"], json!(h.compound_id), "[{b}]");
        let expected = counted(&app, &h).await;
        for (k, v) in expected.as_object().unwrap() {
            assert_eq!(&row[k], v, "[{b}] {k}");
        }
        // Not trivial, and the bounds as documented: the project approved at the first moment of
        // November is November's, the one approved at the first moment of December is not.
        assert_eq!(row["buildings"], json!(3));
        assert_eq!(row["households"], json!(150));
        assert_eq!(row["leadersChosen"], json!(1), "[{b}] moment 0 only");
        let approved = row["projectsApproved"].as_i64().unwrap();
        assert!(row["incomeFen"].as_i64().unwrap() > 0 && row["arrearsPaid"].as_i64().unwrap() > 0, "[{b}] {row}");
        let october = app.ok(Some(&staff), STATS, json!({ "by": "TOTAL", "p": h.home_id, "to": "2026-10-31" })).await;
        let december = app.ok(Some(&staff), STATS, json!({ "by": "TOTAL", "p": h.home_id, "from": "2026-12-01", "to": "2026-12-31" })).await;
        assert_eq!(october["homeStatistics"][0]["projectsApproved"], json!(3), "[{b}] moments 2, 3 and 4");
        assert_eq!(december["homeStatistics"][0]["projectsApproved"], json!(1), "[{b}] the first moment of December");
        assert_eq!(approved, 8, "[{b}] moments 0 and 5 to 11");
        let all = app.ok(Some(&staff), STATS, json!({ "by": "TOTAL", "p": h.home_id })).await;
        assert_eq!(all["homeStatistics"][0]["projectsApproved"], json!(12), "[{b}] every project once");
        // By month: the months add up to the whole, and today's state is not a month's.
        let months = app.ok(Some(&staff), STATS, json!({ "by": "MONTH", "p": h.home_id })).await;
        let months = months["homeStatistics"].as_array().unwrap();
        let approved_by_month: i64 = months.iter().map(|m| m["projectsApproved"].as_i64().unwrap()).sum();
        assert_eq!(approved_by_month, 12);
        let nov = months.iter().find(|m| m["month"] == json!("2026-11")).unwrap();
        assert_eq!(nov["projectsApproved"].as_i64(), Some(approved), "[{b}]");
        assert!(nov["buildings"].is_null() && nov["arrearsOpen"].is_null(), "[{b}] {nov}");
    }
}

both_backends! {
    async fn home_figures_export_is_home_statistics_and_is_for_staff_and_reporters_only(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let h = fixture(&app, "导出苑", 6).await;
        let other = fixture(&app, "他导苑", 2).await;
        let staff = h.staff(&app);
        let street = app.token(Role::StreetAdmin, "meiling-street");
        let reporter = app.token(Role::Reporter, "meiling-street");
        let b = backend.name();
        for token in [&staff, &street, &reporter] {
            for by in ["TOTAL", "COMMUNITY", "COMPOUND", "MONTH"] {
                for (vars, query) in [
                    (json!({ "by": by }), format!("by={by}")),
                    (json!({ "by": by, "c": h.community.id, "from": "2026-11-01", "to": "2026-11-30" }),
                        format!("by={by}&communityId={}&from=2026-11-01&to=2026-11-30", h.community.id)),
                    (json!({ "by": by, "p": h.compound_id, "to": "2026-10-31" }), format!("by={by}&compoundId={}&to=2026-10-31", h.compound_id)),
                ] {
                    let d = app.ok(Some(token), STATS, vars).await;
                    let graphql = d["homeStatistics"].as_array().unwrap();
                    let export = export_both(&app, &format!("Bearer {token}"), "home-figures", &query).await;
                    assert_eq!(export.len(), graphql.len(), "[{b}] {query}");
                    for (g, e) in graphql.iter().zip(&export) {
                        let g = g.as_object().unwrap();
                        assert_eq!(g.len(), e.len(), "{query}: every field a column");
                        for (k, v) in g {
                            assert_eq!(v, &e[&snake(k)], "[{b}] {query} {k}");
                        }
                    }
                }
            }
        }
        // A community's staff read their own compounds only; another's is not found.
        let d = app.ok(Some(&staff), STATS, json!({ "by": "COMPOUND" })).await;
        let compounds: Vec<&Value> = d["homeStatistics"].as_array().unwrap().iter().map(|r| &r["compoundId"]).collect();
        assert_eq!(compounds, vec![&json!(h.compound_id)], "[{b}]");
        assert_eq!(app.error_code(Some(&staff), STATS, json!({ "by": "TOTAL", "p": other.compound_id })).await, "NOT_FOUND", "[{b}]");
        assert_eq!(app.error_code(Some(&staff), STATS, json!({ "by": "TOTAL", "c": other.community.id })).await, "NOT_FOUND", "[{b}]");
        // The street sees both; units, residents and the anonymous are refused.
        let d = app.ok(Some(&street), STATS, json!({ "by": "COMPOUND" })).await;
        let seen: Vec<&Value> = d["homeStatistics"].as_array().unwrap().iter().map(|r| &r["compoundId"]).collect();
        assert!(seen.contains(&&json!(h.compound_id)) && seen.contains(&&json!(other.compound_id)), "[{b}]");
        let unit = Fixture::unit(&app, "导出苑单位").await.seated_in(&app, &h.community).await;
        for token in [unit.token(&app), h.members[0].token(&app)] {
            assert_eq!(app.error_code(Some(&token), STATS, json!({ "by": "TOTAL" })).await, "FORBIDDEN", "[{b}]");
            assert_eq!(get(&app, Some(&format!("Bearer {token}")), "/export/home-figures.csv").await.status, 403, "[{b}]");
        }
        assert_eq!(app.error_code(None, STATS, json!({ "by": "TOTAL" })).await, "UNAUTHENTICATED", "[{b}]");
    }
}

both_backends! {
    async fn home_figures_read_in_as_many_statements_for_ten_times_the_rows(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let small = fixture(&app, "小苑", 2).await;
        let large = fixture(&app, "大苑", 20).await;
        for query in ["by=COMPOUND", "by=MONTH", "by=TOTAL&from=2026-11-01&to=2026-11-30"] {
            let mut counts = Vec::new();
            for h in [&small, &large] {
                let auth = format!("Bearer {}", h.staff(&app));
                let path = format!("/export/home-figures.ndjson?{query}");
                // The credential is looked up once and cached for a while: warm it, then count.
                get(&app, Some(&auth), &path).await;
                let (count, got) = app.count_statements(get(&app, Some(&auth), &path)).await;
                assert_eq!(got.status, 200, "{}", got.text());
                assert!(!ndjson(&got).is_empty());
                counts.push(count);
            }
            assert_eq!(counts[0], counts[1], "[{}] {query}: statements flat", backend.name());
            assert!(counts[0] <= 9, "[{}] {query}: {} statements", backend.name(), counts[0]);
        }
    }
}

both_backends! {
    async fn the_demo_street_has_a_year_of_home_figures(backend: Backend) {
        let app = TestApp::new(&backend, crate::support::Content::Demo(1)).await;
        let street = format!("Bearer {}", app.token(Role::StreetAdmin, "meiling-street"));
        let b = backend.name();
        // The twelve months ended before this one, each with the car parks' income.
        let today = gongzhi::home::service::beijing_today();
        let this_month = today.with_day(1).unwrap();
        let first = this_month.checked_sub_months(chrono::Months::new(12)).unwrap();
        let last = this_month.pred_opt().unwrap();
        let months = export_both(&app, &street, "home-figures", &format!("by=MONTH&from={first}&to={last}")).await;
        assert_eq!(months.len(), 12, "[{b}] {months:?}");
        assert!(months.iter().all(|m| m["income_fen"].as_i64().unwrap() > 0), "[{b}] {months:?}");
        let total = export_both(&app, &street, "home-figures", "by=TOTAL").await;
        let total = &total[0];
        for column in ["buildings", "households", "active_leaders", "projects_approved", "projects_done", "arrears_open", "arrears_opened", "arrears_paid"] {
            assert!(total[column].as_i64().unwrap() > 0, "[{b}] {column}: {total:?}");
        }
    }
}

/// The demo street's organisation graph at `scale` with its homes and their affairs.
async fn homes_at(backend: &crate::support::Backend, scale: u32) -> TestApp {
    let app = TestApp::new(backend, crate::support::Content::Graph(scale)).await;
    gongzhi::home::demo::seed(&app.db, "meiling-street").await.unwrap();
    gongzhi::home::demo::seed_affairs(&app.db, "meiling-street").await.unwrap();
    app
}

both_backends! {
    async fn home_and_organisation_figures_cost_the_same_for_the_demo_street_and_ten_times_it(backend: Backend) {
        let small = homes_at(&backend, 1).await;
        let large = homes_at(&backend, 10).await;
        for (dataset, query) in [("home-figures", "by=COMPOUND"), ("home-figures", "by=MONTH"), ("home-figures", "by=COMMUNITY&from=2025-01-01&to=2025-12-31"), ("organisation-figures", "")] {
            let mut counts = Vec::new();
            let mut sizes = Vec::new();
            for app in [&small, &large] {
                let auth = format!("Bearer {}", app.street_admin());
                let path = format!("/export/{dataset}.ndjson?{query}");
                // The credential is looked up once and cached for a while: warm it, then count.
                get(app, Some(&auth), &path).await;
                let (count, got) = app.count_statements(get(app, Some(&auth), &path)).await;
                sizes.push(ndjson(&got).len());
                counts.push(count);
            }
            assert_eq!(counts[0], counts[1], "[{}] {dataset}?{query}: statements flat ({sizes:?} rows)", backend.name());
        }
    }
}

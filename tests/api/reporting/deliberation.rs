//! Consultative democracy's datasets: `deliberation-figures` is `deliberationStatistics` row for
//! row, whatever the grouping and filters; `appeals` carries no personal data; `meetings` and
//! `appeals` parse back from CSV to NDJSON; and each export reads in a bounded number of
//! statements whatever the number of rows.

use chrono::{DateTime, Duration, Utc};
use entity::appeal::{self, AppealState, OutcomeRating};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::*;
use crate::deliberation::fixtures::{Neighbourhood, raise};
use crate::fixtures::Fixture;

const STATS: &str = r#"query($c: ID, $p: ID, $from: Date, $to: Date, $by: DeliberationGrouping!) {
  deliberationStatistics(communityId: $c, compoundId: $p, from: $from, to: $to, by: $by) { communityId compoundId month meetingsHeld
    appealsRaised appealsAnswered appealsDone appealsMerged appealsRejected medianHoursToFirstResponse p90HoursToFirstResponse
    medianHoursToDone p90HoursToDone ratedSatisfied ratedPartly ratedNotSatisfied } }"#;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn snake(camel: &str) -> String {
    let mut out = String::new();
    for ch in camel.chars() {
        if ch.is_ascii_uppercase() {
            out.push('_');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Moves an appeal's moments and state where the fixture wants them.
async fn shape(
    app: &TestApp,
    id: &str,
    state: AppealState,
    raised: DateTime<Utc>,
    closed: Option<DateTime<Utc>>,
    rated: Option<OutcomeRating>,
) {
    let (_, uuid) = crate::support::decode(id).unwrap();
    appeal::Entity::update_many()
        .col_expr(appeal::Column::State, Expr::value(state.to_value()))
        .col_expr(appeal::Column::RaisedAt, Expr::value(raised))
        .col_expr(appeal::Column::RespondedAt, Expr::value(Some(raised + Duration::hours(3))))
        .col_expr(appeal::Column::AnsweredAt, Expr::value(closed.map(|c| c - Duration::hours(1))))
        .col_expr(appeal::Column::ClosedAt, Expr::value(closed))
        .col_expr(appeal::Column::Rating, Expr::value(rated.map(|r| r.to_value())))
        .col_expr(appeal::Column::RatedAt, Expr::value(rated.and(closed.map(|c| c + Duration::hours(2)))))
        .filter(appeal::Column::Id.eq(uuid))
        .exec(&app.db)
        .await
        .unwrap();
}

/// A neighbourhood with appeals either side of the Beijing start of November 2026.
async fn fixture(app: &TestApp, name: &str, appeals: usize) -> Neighbourhood {
    let n = Fixture::neighbourhood(app, name).await;
    for i in 0..appeals {
        let resident = if i % 2 == 0 { &n.raiser } else { &n.summer_resident };
        let id = raise(app, resident, &format!("{name}诉求{i}")).await;
        // 31 October 23:30 and 1 November 00:30 in Beijing, then days later.
        let raised = t("2026-10-31T15:30:00Z") + Duration::hours(if i == 0 { 0 } else { 1 + 24 * (i as i64 - 1) });
        let (state, closed, rated) = match i % 3 {
            0 => (AppealState::Done, Some(raised + Duration::hours(30 + i as i64)), Some(OutcomeRating::Satisfied)),
            1 => (AppealState::Rejected, Some(raised + Duration::hours(5)), None),
            _ => (AppealState::Raised, None, None),
        };
        shape(app, &id, state, raised, closed, rated).await;
    }
    n
}

both_backends! {
    async fn deliberation_figures_export_is_deliberation_statistics(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let n = fixture(&app, "报表议", 6).await;
        let staff = n.staff(&app);
        let auth = format!("Bearer {staff}");
        for by in ["TOTAL", "COMMUNITY", "COMPOUND", "MONTH"] {
            for (vars, query) in [
                (json!({ "by": by }), format!("by={by}")),
                (json!({ "by": by, "c": n.community.id, "from": "2026-11-01", "to": "2026-11-30" }),
                    format!("by={by}&communityId={}&from=2026-11-01&to=2026-11-30", n.community.id)),
                (json!({ "by": by, "p": n.spring, "to": "2026-10-31" }), format!("by={by}&compoundId={}&to=2026-10-31", n.spring)),
            ] {
                let d = app.ok(Some(&staff), STATS, vars).await;
                let graphql = d["deliberationStatistics"].as_array().unwrap();
                let export = export_both(&app, &auth, "deliberation-figures", &query).await;
                assert_eq!(export.len(), graphql.len(), "[{}] {query}", backend.name());
                for (g, e) in graphql.iter().zip(&export) {
                    let g = g.as_object().unwrap();
                    assert_eq!(g.len(), e.len(), "{query}: every field a column");
                    for (k, v) in g {
                        let cell = &e[&snake(k)];
                        match (v.as_f64(), cell.as_f64()) {
                            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{query} {k}: {v} vs {cell}"),
                            _ => assert_eq!(v, cell, "{query} {k}"),
                        }
                    }
                }
            }
        }
        // The month boundary: the appeal raised at 23:30 on 31 October is October's.
        let months = export_both(&app, &auth, "deliberation-figures", "by=MONTH").await;
        let oct = months.iter().find(|r| r["month"] == json!("2026-10")).expect("October");
        assert_eq!(oct["appeals_raised"], json!(1));
        let nov = months.iter().find(|r| r["month"] == json!("2026-11")).expect("November");
        assert_eq!(nov["appeals_raised"], json!(5));
    }
}

both_backends! {
    async fn the_appeals_export_carries_no_personal_data_and_meetings_parse_back(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let n = fixture(&app, "报表私", 4).await;
        let (_, _) = crate::deliberation::meetings::schedule(&app, &n, "报表会议").await;
        let auth = format!("Bearer {}", n.staff(&app));
        let rows = export_both(&app, &auth, "appeals", "").await;
        assert_eq!(rows.len(), 4);
        assert!(rows.iter().all(|r| r["community_id"] == json!(n.community.id) && r.get("raiser_id").is_none()));
        let meetings = export_both(&app, &auth, "meetings", "").await;
        assert_eq!(meetings.len(), 1);
        assert_eq!(meetings[0]["title"], json!("报表会议"));
        for format in ["csv", "ndjson"] {
            let raw = get(&app, Some(&auth), &format!("/export/appeals.{format}")).await.text();
            for r in [&n.raiser, &n.summer_resident] {
                for secret in [&r.name, &r.phone, &r.door, &r.person.to_string()] {
                    assert!(!raw.contains(secret.as_str()), "[{}] {format} shows {secret}", backend.name());
                }
            }
            assert!(!raw.contains("请尽快处理"), "no description");
        }
    }
}

both_backends! {
    async fn deliberation_exports_read_in_as_many_statements_for_ten_times_the_rows(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let small = fixture(&app, "报表小", 3).await;
        let large = fixture(&app, "报表大", 30).await;
        crate::deliberation::meetings::schedule(&app, &small, "小会").await;
        for i in 0..10 {
            crate::deliberation::meetings::schedule(&app, &large, &format!("大会{i}")).await;
        }
        for (dataset, query) in [("deliberation-figures", "by=COMPOUND"), ("deliberation-figures", "by=MONTH"), ("appeals", ""), ("meetings", "")] {
            let mut counts = Vec::new();
            for n in [&small, &large] {
                let auth = format!("Bearer {}", n.staff(&app));
                let path = format!("/export/{dataset}.ndjson?{query}");
                // The second of two requests in a row: the caller's scope is cached by then (for two
                // seconds), so a slow machine does not count its resolution for one side only.
                get(&app, Some(&auth), &path).await;
                let (count, got) = app.count_statements(get(&app, Some(&auth), &path)).await;
                assert_eq!(got.status, 200, "{}", got.text());
                assert!(!ndjson(&got).is_empty());
                counts.push(count);
            }
            assert_eq!(counts[0], counts[1], "[{}] {dataset}: statements flat", backend.name());
        }
    }
}

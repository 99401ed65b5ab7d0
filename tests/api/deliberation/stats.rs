//! Deliberation statistics equal what the records say, for a fixed fixture: a month boundary in
//! Beijing time (half past midnight on 1 November is November), an appeal done one second before
//! the range ends and one done at the very moment it ends, percentiles of the response and done
//! times, ratings by the day they were given, and meetings by the day they were held.

use chrono::{DateTime, Duration, Utc};
use entity::appeal::{self, AppealState, OutcomeRating};
use entity::meeting;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, QueryFilter};

use super::*;

const STATS: &str = r#"query($c: ID, $from: Date, $to: Date, $by: DeliberationGrouping!) {
  deliberationStatistics(communityId: $c, from: $from, to: $to, by: $by) { communityId compoundId month meetingsHeld appealsRaised
    appealsAnswered appealsDone appealsMerged appealsRejected medianHoursToFirstResponse p90HoursToFirstResponse medianHoursToDone
    p90HoursToDone ratedSatisfied ratedPartly ratedNotSatisfied } }"#;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Sets an appeal's moments and state as the fixture wants them.
#[expect(clippy::too_many_arguments, reason = "one appeal's whole history in one call")]
async fn shape(
    app: &TestApp,
    id: &str,
    state: AppealState,
    raised: DateTime<Utc>,
    responded: Option<DateTime<Utc>>,
    answered: Option<DateTime<Utc>>,
    closed: Option<DateTime<Utc>>,
    rated: Option<(OutcomeRating, DateTime<Utc>)>,
) {
    let (_, uuid) = crate::support::decode(id).unwrap();
    appeal::Entity::update_many()
        .col_expr(appeal::Column::State, Expr::value(state.to_value()))
        .col_expr(appeal::Column::RaisedAt, Expr::value(raised))
        .col_expr(appeal::Column::RespondedAt, Expr::value(responded))
        .col_expr(appeal::Column::AnsweredAt, Expr::value(answered))
        .col_expr(appeal::Column::ClosedAt, Expr::value(closed))
        .col_expr(appeal::Column::Rating, Expr::value(rated.map(|r| r.0.to_value())))
        .col_expr(appeal::Column::RatedAt, Expr::value(rated.map(|r| r.1)))
        .filter(appeal::Column::Id.eq(uuid))
        .exec(&app.db)
        .await
        .unwrap();
}

both_backends! {
    async fn deliberation_figures_equal_the_records_across_a_beijing_month_and_a_range_edge(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let n = Fixture::neighbourhood(&app, "统计").await;
        let staff = n.staff(&app);
        let mut ids = Vec::new();
        for i in 0..5 {
            ids.push(raise(&app, &n.raiser, &format!("统计诉求{i}")).await);
        }
        let a_raised = t("2026-10-31T16:30:00Z"); // 1 November 00:30 in Beijing
        shape(&app, &ids[0], AppealState::Done, a_raised, Some(a_raised + Duration::hours(2)), Some(a_raised + Duration::hours(26)),
            Some(t("2026-11-30T15:59:59Z")), Some((OutcomeRating::Satisfied, t("2026-12-01T01:00:00Z")))).await;
        let b_raised = t("2026-10-31T15:30:00Z"); // 31 October 23:30 in Beijing
        shape(&app, &ids[1], AppealState::Rejected, b_raised, Some(b_raised + Duration::hours(10)), None,
            Some(b_raised + Duration::hours(10)), None).await;
        let c_raised = t("2026-11-10T00:00:00Z");
        shape(&app, &ids[2], AppealState::Done, c_raised, Some(c_raised + Duration::hours(4)), Some(c_raised + Duration::hours(30)),
            Some(t("2026-11-30T16:00:00Z")), Some((OutcomeRating::Partly, t("2026-11-30T17:00:00Z")))).await;
        shape(&app, &ids[3], AppealState::Merged, t("2026-11-15T00:00:00Z"), None, None, Some(t("2026-11-16T00:00:00Z")), None).await;
        shape(&app, &ids[4], AppealState::Raised, t("2026-11-20T00:00:00Z"), None, None, None, None).await;
        // A meeting held on 5 November.
        let (m, _) = super::meetings::schedule(&app, &n, "统计会议").await;
        app.ok(Some(&staff), super::meetings::RECORD, json!({ "i": { "meetingId": m, "minutes": "纪要" } })).await;
        meeting::Entity::update_many()
            .col_expr(meeting::Column::HeldAt, Expr::value(t("2026-11-05T02:00:00Z")))
            .filter(meeting::Column::Id.eq(crate::support::decode(&m).unwrap().1))
            .exec(&app.db)
            .await
            .unwrap();

        let november = json!({ "c": n.community.id, "from": "2026-11-01", "to": "2026-11-30", "by": "TOTAL" });
        let d = app.ok(Some(&staff), STATS, november.clone()).await;
        let row = &d["deliberationStatistics"][0];
        assert_eq!(row["meetingsHeld"], 1, "[{b}] {row}");
        assert_eq!(row["appealsRaised"], 4, "[{b}] A (1 Nov 00:30 Beijing), C, D, E; not B (31 Oct): {row}");
        assert_eq!(row["appealsAnswered"], 2, "[{b}] A on 2 Nov, C on 11 Nov: {row}");
        assert_eq!(row["appealsDone"], 1, "[{b}] A one second before the end; C at the end is December: {row}");
        assert_eq!((row["appealsMerged"].as_i64(), row["appealsRejected"].as_i64()), (Some(1), Some(1)), "[{b}] {row}");
        // First responses in November: A 2 h, B 10 h (1 Nov 09:30 Beijing), C 4 h.
        assert_eq!((row["medianHoursToFirstResponse"].as_f64(), row["p90HoursToFirstResponse"].as_f64()), (Some(4.0), Some(10.0)), "[{b}] {row}");
        let a_done = (t("2026-11-30T15:59:59Z") - a_raised).num_seconds() as f64 / 3600.0;
        assert_eq!(row["medianHoursToDone"].as_f64(), Some(a_done), "[{b}] {row}");
        // C was rated on 1 December in Beijing (30 Nov 17:00 UTC); A in December too.
        assert_eq!((row["ratedSatisfied"].as_i64(), row["ratedPartly"].as_i64()), (Some(0), Some(0)), "[{b}] {row}");
        // By month, over all time: October has B, November the rest, December C done and two ratings.
        let d = app.ok(Some(&staff), STATS, json!({ "c": n.community.id, "by": "MONTH" })).await;
        let months: Vec<(String, i64, i64, i64, i64)> = d["deliberationStatistics"].as_array().unwrap().iter()
            .map(|r| (r["month"].as_str().unwrap().to_owned(), r["appealsRaised"].as_i64().unwrap(), r["appealsDone"].as_i64().unwrap(),
                r["ratedSatisfied"].as_i64().unwrap() + r["ratedPartly"].as_i64().unwrap(), r["meetingsHeld"].as_i64().unwrap()))
            .collect();
        assert_eq!(months, vec![("2026-10".to_owned(), 1, 0, 0, 0), ("2026-11".to_owned(), 4, 1, 0, 1), ("2026-12".to_owned(), 0, 1, 2, 0)], "[{b}]");
        // By compound: 春苑 holds the residents' appeals.
        let d = app.ok(Some(&staff), STATS, json!({ "c": n.community.id, "by": "COMPOUND" })).await;
        let rows = d["deliberationStatistics"].as_array().unwrap();
        let spring = rows.iter().find(|r| r["compoundId"] == n.spring.as_str()).unwrap();
        assert_eq!(spring["appealsRaised"], 5, "[{b}] {rows:?}");
        // Reporters read figures; residents, units and other communities' staff do not.
        assert_eq!(app.ok(Some(&n.reporter(&app)), STATS, november.clone()).await["deliberationStatistics"][0]["appealsRaised"], 4);
        assert_eq!(app.error_code(Some(&n.raiser.token(&app)), STATS, november.clone()).await, "FORBIDDEN");
        assert_eq!(app.error_code(Some(&n.unit.token(&app)), STATS, november.clone()).await, "FORBIDDEN");
        assert_eq!(app.error_code(Some(&n.other.staff(&app)), STATS, november.clone()).await, "NOT_FOUND");
        assert_eq!(app.error_code(None, STATS, november).await, "UNAUTHENTICATED");
        let backwards = json!({ "c": n.community.id, "from": "2026-12-01", "to": "2026-11-01", "by": "TOTAL" });
        assert_eq!(app.error_code(Some(&staff), STATS, backwards).await, "BAD_USER_INPUT");
    }
}

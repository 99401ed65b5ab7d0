//! The demo street's deliberation history shows the article's figures (over 100 meetings, over
//! 5,000 issues solved), computed from the records, and equal to counts of the raw rows; and
//! 梅庭莱's car-park decision approved its renovation project.

use entity::appeal::{self, AppealState};
use entity::meeting;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::*;
use crate::support::Content;

both_backends! {
    async fn the_demo_street_shows_the_articles_deliberation_figures_computed_from_the_records(backend: Backend) {
        let app = TestApp::new(&backend, Content::Demo(1)).await;
        let b = backend.name();
        let q = "query($by: DeliberationGrouping!) { deliberationStatistics(by: $by) { communityId month meetingsHeld appealsRaised appealsDone
            appealsRejected appealsMerged ratedSatisfied medianHoursToDone } }";
        let d = app.ok(Some(&app.street_admin()), q, json!({ "by": "TOTAL" })).await;
        let total = &d["deliberationStatistics"][0];
        let held = meeting::Entity::find().filter(meeting::Column::HeldAt.is_not_null()).count(&app.db).await.unwrap();
        let done = appeal::Entity::find().filter(appeal::Column::State.eq(AppealState::Done)).count(&app.db).await.unwrap();
        let raised = appeal::Entity::find().count(&app.db).await.unwrap();
        assert!(held >= 100 && done >= 5_000, "[{b}] the article's figures: {held} meetings, {done} solved");
        assert_eq!(total["meetingsHeld"].as_u64(), Some(held), "[{b}] {total}");
        assert_eq!(total["appealsDone"].as_u64(), Some(done), "[{b}] {total}");
        assert_eq!(total["appealsRaised"].as_u64(), Some(raised), "[{b}] {total}");
        assert!(total["medianHoursToDone"].as_f64().unwrap() > 24.0, "[{b}] {total}");
        // Every community of the street has its share, and the communities add up to the street.
        let d = app.ok(Some(&app.street_admin()), q, json!({ "by": "COMMUNITY" })).await;
        let rows = d["deliberationStatistics"].as_array().unwrap();
        assert_eq!(rows.len(), 15, "[{b}] {rows:?}");
        let sum: u64 = rows.iter().map(|r| r["appealsDone"].as_u64().unwrap()).sum();
        assert_eq!(sum, done, "[{b}]");
        // Months from August 2024 (梅庭莱's car-park appeals), the history from January 2025.
        let d = app.ok(Some(&app.street_admin()), q, json!({ "by": "MONTH" })).await;
        let months: Vec<&str> = d["deliberationStatistics"].as_array().unwrap().iter().map(|r| r["month"].as_str().unwrap()).collect();
        assert_eq!(months.first(), Some(&"2024-08"), "[{b}] {months:?}");
        assert!(months.contains(&"2025-01") && months.contains(&"2026-10"), "[{b}] {months:?}");
        // 梅庭莱's car-park decision: three meetings, the last one's vote passed and approved the
        // car-park project of home co-building, its item taking up the six compounds' appeals.
        let story = meeting::Entity::find().filter(meeting::Column::Title.eq("梅庭莱社区外圈停车场改造协商议事会")).one(&app.db).await.unwrap().unwrap();
        let id = gongzhi::graphql::node::global_id("Meeting", story.id).to_string();
        let page = "query($id: ID!) { node(id: $id) { ... on Meeting { kind state agenda { passed votesFor
            approvedProject { title status home { compound { name } } } appeals { title state } } } } }";
        let d = app.ok(Some(&app.street_admin()), page, json!({ "id": id })).await;
        let item = &d["node"]["agenda"][0];
        assert_eq!((item["passed"].as_bool(), item["votesFor"].as_i64()), (Some(true), Some(412)), "[{b}] {d}");
        assert_eq!(item["approvedProject"]["home"]["compound"]["name"], "奥林春天", "[{b}] {d}");
        assert_eq!(item["appeals"].as_array().unwrap().len(), 6, "[{b}] {d}");
        assert!(item["appeals"].as_array().unwrap().iter().all(|a| a["state"] == "DONE"), "[{b}] {d}");
        let ring = meeting::Entity::find().filter(meeting::Column::CommunityId.eq(story.community_id))
            .filter(meeting::Column::Title.contains("外圈停车")).count(&app.db).await.unwrap();
        assert_eq!(ring, 3, "[{b}] several meetings over the outer ring");
        // A reporter reads the same figures.
        let reporter = app.token(gongzhi::auth::Role::Reporter, "meiling-street");
        let d = app.ok(Some(&reporter), q, json!({ "by": "TOTAL" })).await;
        assert_eq!(d["deliberationStatistics"][0]["appealsDone"].as_u64(), Some(done), "[{b}]");
    }
}

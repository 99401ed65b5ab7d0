//! Migrations from empty, and the demo street's idempotent seeding.
//!
//! The demo is this module's subject, so it counts and names the demo's rows; the other modules
//! build their own fixtures (`fixtures.rs`).

use gongzhi::demo;
use migration::{Migrator, MigratorTrait};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::support::{Content, TestApp, fresh_db};

async fn counts(db: &sea_orm::DatabaseConnection) -> [u64; 6] {
    [
        entity::community::Entity::find().count(db).await.unwrap(),
        entity::compound::Entity::find().count(db).await.unwrap(),
        entity::party_organization::Entity::find().count(db).await.unwrap(),
        entity::party_member::Entity::find().count(db).await.unwrap(),
        entity::person::Entity::find().count(db).await.unwrap(),
        entity::committee_membership::Entity::find().count(db).await.unwrap(),
    ]
}

both_backends! {
    async fn migrations_run_from_empty_and_roll_back(backend: Backend) {
        let test_db = fresh_db(&backend, Content::Bare).await;
        // A full pool: on SQLite a migration whose statements spread over several connections
        // could meet a connection holding the schema from before the last change.
        let db = gongzhi::db::connect(&test_db.url, 8).await.unwrap();
        assert!(!Migrator::get_pending_migrations(&db).await.unwrap().is_empty());
        gongzhi::db::migrate(&db).await.unwrap();
        assert!(Migrator::get_pending_migrations(&db).await.unwrap().is_empty(), "[{}]", backend.name());
        assert_eq!(counts(&db).await, [0; 6]);
        // Running again is a no-op; down and up again works, more than once.
        gongzhi::db::migrate(&db).await.unwrap();
        for _ in 0..3 {
            gongzhi::db::roll_back(&db).await.unwrap();
            assert_eq!(Migrator::get_applied_migrations(&db).await.unwrap().len(), 0, "[{}]", backend.name());
            gongzhi::db::migrate(&db).await.unwrap();
            assert!(Migrator::get_pending_migrations(&db).await.unwrap().is_empty(), "[{}]", backend.name());
        }
        db.close().await.unwrap();
    }
}

both_backends! {
    async fn seeding_the_demo_street_twice_changes_nothing(backend: Backend) {
        let test_db = fresh_db(&backend, Content::Empty).await;
        let db = gongzhi::db::connect(&test_db.url, 2).await.unwrap();
        let first = demo::seed(&db, 1).await.unwrap();
        assert_eq!(first.communities_added, 15);
        assert_eq!(first.second_street.communities_added, 2, "the second street 青阳街道");
        let after_first = counts(&db).await;
        assert_eq!(after_first[0], 15 + 2, "梅岭街道's and 青阳街道's communities");
        assert!(after_first[3] >= 200, "a few hundred party members: {after_first:?}");
        let second = demo::seed(&db, 1).await.unwrap();
        assert_eq!(second.communities_added, 0, "[{}]", backend.name());
        assert_eq!(second.communities_present, 15);
        assert_eq!((second.second_street.communities_added, second.second_street.communities_present), (0, 2));
        assert_eq!(counts(&db).await, after_first, "[{}] a second run changed rows", backend.name());
        // A larger scale adds only what is missing.
        let grown = demo::seed(&db, 2).await.unwrap();
        assert_eq!((grown.communities_added, grown.communities_present), (15, 15));
        // The second street does not grow with the scale.
        assert_eq!((grown.second_street.communities_added, grown.second_street.communities_present), (0, 2));
        assert_eq!(counts(&db).await[0], 30 + 2);
        db.close().await.unwrap();
    }
}

both_backends! {
    async fn the_demo_street_follows_the_article(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let data = app
            .ok(
                Some(&app.street_admin()),
                r#"{
                    streets { code name workingCommittee { name kind children { id } } }
                    meitinglai: community(code: "meitinglai") { name compounds(first: 20) { edges { node { name builtYear } } } }
                    meiling: community(code: "meiling") { name units { code } compounds { edges { node { name kind } } } jointCommittee { name } }
                    zhuyuan: community(code: "zhuyuan") { compounds { edges { node { name partyBranch { name } } } } }
                    communities { totalCount }
                    units(first: 20) { totalCount }
                }"#,
                serde_json::json!({}),
            )
            .await;
        assert_eq!(data["streets"][0]["code"], "meiling-street");
        assert_eq!(data["streets"][0]["workingCommittee"]["kind"], "STREET_WORKING_COMMITTEE");
        assert_eq!(data["streets"][0]["workingCommittee"]["children"].as_array().unwrap().len(), 15);
        assert_eq!(data["communities"]["totalCount"], 15);
        // Units are the city's reference data: 梅岭街道's twelve and 青阳街道's three.
        assert_eq!(data["units"]["totalCount"], 15);
        let six: Vec<&str> =
            data["meitinglai"]["compounds"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["name"].as_str().unwrap()).collect();
        for name in ["奥林春天", "香梅花都", "福源花里", "世纪华庭", "凯旋国际", "华庭新村"] {
            assert!(six.contains(&name), "{name} missing from 梅庭莱: {six:?}");
        }
        assert_eq!(data["meiling"]["units"].as_array().unwrap().len(), 12, "all twelve units sit on 梅岭's committee");
        assert_eq!(data["meiling"]["jointCommittee"]["name"], "梅岭社区联合党委");
        assert!(
            data["meiling"]["compounds"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["node"]["name"] == "梅岭综合市场" && e["node"]["kind"] == "MARKET")
        );
        assert_eq!(data["zhuyuan"]["compounds"]["edges"][0]["node"]["partyBranch"]["name"], "竹园小区党支部");
    }
}

both_backends! {
    async fn the_demo_street_shows_the_market_clean_up_in_motion(backend: Backend) {
        let app = TestApp::new(&backend, Content::Demo(1)).await;
        let data = app
            .ok(
                Some(&app.street_admin()),
                r#"{
                    campaigns { name communities { code } }
                    all: tasks(first: 100) { totalCount edges { node { status level overdue assignments { unit { code } } } } }
                    street: tasks(filter: { level: STREET }) { totalCount }
                    city: tasks(filter: { level: CITY }) { totalCount }
                    inspections { totalCount edges { node { patrol findings { task { id } } } } }
                }"#,
                serde_json::json!({}),
            )
            .await;
        let names: Vec<&str> = data["campaigns"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["党员有担当，市场整治我有责", "农贸市场系列整治"]);
        assert!(data["campaigns"][1]["communities"].as_array().unwrap().len() >= 3, "farmers' markets across several communities");
        let tasks = data["all"]["edges"].as_array().unwrap();
        let statuses: std::collections::BTreeSet<&str> = tasks.iter().map(|t| t["node"]["status"].as_str().unwrap()).collect();
        for s in ["REPORTED", "ASSIGNED", "IN_PROGRESS", "RESOLVED", "VERIFIED", "REOPENED", "CANCELLED"] {
            assert!(statuses.contains(s), "no demo task is {s}");
        }
        let units: std::collections::BTreeSet<&str> = tasks
            .iter()
            .flat_map(|t| t["node"]["assignments"].as_array().unwrap().iter().map(|a| a["unit"]["code"].as_str().unwrap()))
            .collect();
        assert_eq!(units.len(), 12, "the twelve units all have work: {units:?}");
        assert!(data["street"]["totalCount"].as_i64().unwrap() >= 1 && data["city"]["totalCount"].as_i64().unwrap() >= 1);
        assert!(tasks.iter().any(|t| t["node"]["overdue"] == true));
        assert!(data["inspections"]["totalCount"].as_i64().unwrap() >= 2);
        assert!(
            data["inspections"]["edges"].as_array().unwrap().iter().any(|i| i["node"]["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| !f["task"].is_null()))
        );
        // A second run changes nothing.
        let before = entity::task::Entity::find().count(&app.db).await.unwrap();
        gongzhi::demo::seed(&app.db, 1).await.unwrap();
        assert_eq!(entity::task::Entity::find().count(&app.db).await.unwrap(), before);
    }
}

both_backends! {
    async fn the_demo_street_has_a_year_of_task_history_in_every_community(backend: Backend) {
        use chrono::{Duration, Utc};
        use entity::task::TaskStatus;
        use gongzhi::reporting::period::{beijing, month_of, months_ending};
        use sea_orm::{ColumnTrait, QueryFilter};
        let app = TestApp::new(&backend, Content::Demo(1)).await;
        let street = entity::region::Entity::find()
            .filter(entity::region::Column::Code.eq(demo::STREET_CODE))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let communities =
            entity::community::Entity::find().filter(entity::community::Column::StreetId.eq(street.id)).all(&app.db).await.unwrap();
        assert_eq!(communities.len(), 15);
        let tasks = entity::task::Entity::find().all(&app.db).await.unwrap();
        let events = entity::task_event::Entity::find().all(&app.db).await.unwrap();
        let now = Utc::now();
        let this_month = now.with_timezone(&beijing()).date_naive();
        let months: Vec<String> = months_ending(this_month, gongzhi::collaboration::demo::HISTORY_MONTHS + 1)
            .into_iter()
            .take(12)
            .map(|d| d.format("%Y-%m").to_string())
            .collect();
        assert_eq!(months.len(), 12);
        for c in &communities {
            let mine: Vec<&entity::task::Model> = tasks.iter().filter(|t| t.community_id == c.id).collect();
            for m in &months {
                let opened = mine.iter().filter(|t| month_of(t.created_at) == *m).count();
                let resolved = mine.iter().filter(|t| t.resolved_at.is_some_and(|r| month_of(r) == *m)).count();
                let verified =
                    mine.iter().filter(|t| t.status == TaskStatus::Verified && t.closed_at.is_some_and(|r| month_of(r) == *m)).count();
                assert!(opened > 0 && resolved > 0 && verified > 0, "[{}] {} in {m}: {opened} opened, {resolved} resolved, {verified} verified", backend.name(), c.code);
            }
            for s in [TaskStatus::Cancelled, TaskStatus::Verified] {
                assert!(mine.iter().any(|t| t.status == s), "{}: no {s:?} task", c.code);
            }
        }
        assert!(tasks.len() >= 2000, "a few thousand tasks: {}", tasks.len());
        let old = tasks.iter().filter(|t| t.created_at < now - Duration::days(365)).count();
        assert!(old > 0, "the history reaches back a year");
        // The timelines agree with the tasks: the last status change ends in the task's status,
        // every moment is in the past, escalations and reopenings are there and late tasks rose.
        let mut by_task: std::collections::HashMap<uuid::Uuid, Vec<&entity::task_event::Model>> = std::collections::HashMap::new();
        for e in &events {
            by_task.entry(e.task_id).or_default().push(e);
        }
        let name = |s: TaskStatus| sea_orm::ActiveEnum::to_value(&s);
        let mut late = 0;
        for t in &tasks {
            let mut timeline = by_task.remove(&t.id).unwrap_or_default();
            timeline.sort_by_key(|e| (e.created_at, e.id));
            assert_eq!(timeline.first().map(|e| e.kind), Some(entity::task_event::EventKind::Reported), "{}", t.title);
            let last = timeline.iter().rev().find_map(|e| e.to_status.clone()).unwrap_or_else(|| "REPORTED".into());
            assert_eq!(last, name(t.status), "{}: timeline ends in {last}", t.title);
            assert!(timeline.iter().all(|e| e.created_at <= now && e.created_at >= t.created_at));
            if t.resolved_at.zip(t.due_at).is_some_and(|(r, d)| r > d) {
                late += 1;
                assert_ne!(t.level, entity::task::TaskLevel::Community, "a late task rose: {}", t.title);
            }
        }
        assert!(late > 100, "some done late: {late}");
        assert!(tasks.iter().any(|t| t.level == entity::task::TaskLevel::City && t.status == TaskStatus::Verified));
        assert!(events.iter().filter(|e| e.kind == entity::task_event::EventKind::Reopened).count() > 50);
        assert!(events.iter().filter(|e| e.kind == entity::task_event::EventKind::Declined).count() > 50);
    }
}

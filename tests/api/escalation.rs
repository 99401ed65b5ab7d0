//! Three-level escalation (三级联动): an overdue open task rises once per level, however many
//! times the job runs, and is then visible to the higher level.

use chrono::{Duration, Utc};
use entity::task::TaskLevel;
use entity::task_event::{self, EventKind};
use gongzhi::auth::Role;
use gongzhi::changes::Changes;
use gongzhi::collaboration::escalation::job_context;
use gongzhi::collaboration::service::{EscalationPolicy, escalate_overdue};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::collab_support::*;
use crate::fixtures::Fixture;
use crate::support::TestApp;

async fn escalations(app: &TestApp, task: &str) -> usize {
    task_event::Entity::find()
        .filter(task_event::Column::TaskId.eq(uuid(task)))
        .filter(task_event::Column::Kind.eq(EventKind::Escalated))
        .all(&app.db)
        .await
        .unwrap()
        .len()
}

both_backends! {
    async fn an_overdue_task_escalates_once_per_level_whatever_the_number_of_runs(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let songjiang = Fixture::street(&app, "松江街道").await;
        let songyuan = songjiang.community(&app, "松园").await;
        let hour_late = (Utc::now() - Duration::hours(1)).to_rfc3339();
        let days_late = (Utc::now() - Duration::days(4)).to_rfc3339();
        let not_due = (Utc::now() + Duration::days(1)).to_rfc3339();
        let a = Fixture::task_due(&app, &songyuan, "逾期一小时", Some(&hour_late)).await.id;
        let b = Fixture::task_due(&app, &songyuan, "逾期四天", Some(&days_late)).await.id;
        let c = Fixture::task_due(&app, &songyuan, "尚未到期", Some(&not_due)).await.id;
        let d = Fixture::task_due(&app, &songyuan, "已取消", Some(&days_late)).await.id;
        let staff = songyuan.staff(&app);
        app.ok(Some(&staff), "mutation($i: TaskTransitionInput!) { cancelTask(input: $i) { task { id } } }", json!({ "i": { "id": d } }))
            .await;

        let cx = job_context(app.db.clone(), Changes::default());
        let policy = EscalationPolicy::default();
        let now = Utc::now();
        // Concurrent and repeated runs.
        let (r1, r2) = tokio::join!(escalate_overdue(&cx, now, policy), escalate_overdue(&cx, now, policy));
        let mut total = r1.unwrap() + r2.unwrap();
        total += escalate_overdue(&cx, now, policy).await.unwrap();
        total += escalate_overdue(&cx, now, policy).await.unwrap();
        assert_eq!(total, 3, "[{}] street for both, then city for the one four days late", backend.name());
        for _ in 0..3 {
            assert_eq!(escalate_overdue(&cx, now, policy).await.unwrap(), 0);
        }
        assert_eq!((stored(&app, &a).await.level, escalations(&app, &a).await), (TaskLevel::Street, 1));
        assert_eq!((stored(&app, &b).await.level, escalations(&app, &b).await), (TaskLevel::City, 2));
        assert_eq!((stored(&app, &c).await.level, escalations(&app, &c).await), (TaskLevel::Community, 0));
        assert_eq!((stored(&app, &d).await.level, escalations(&app, &d).await), (TaskLevel::Community, 0), "closed tasks never escalate");

        // Recorded on the timeline and in the audit log, by the system.
        let data = app
            .ok(
                Some(&songjiang.admin(&app)),
                r#"{ tasks(filter: { level: STREET }) { totalCount edges { node { id timeline { kind level actor actorKind } } } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(data["tasks"]["totalCount"], 1);
        let timeline = data["tasks"]["edges"][0]["node"]["timeline"].as_array().unwrap();
        let esc = timeline.iter().find(|e| e["kind"] == "ESCALATED").unwrap();
        assert_eq!((esc["level"].as_str(), esc["actorKind"].as_str()), (Some("STREET"), Some("SYSTEM")));
        let audits =
            entity::audit_log::Entity::find().filter(entity::audit_log::Column::Action.eq("escalateTask")).all(&app.db).await.unwrap();
        assert_eq!(audits.len(), 3);
        assert!(audits.iter().all(|r| r.principal == "system:escalation"));

        // City staff see what reached the city, and nothing else.
        let city = app.token(Role::CityAdmin, "jinjiang");
        let data =
            app.ok(Some(&city), "{ viewer { kind } tasks { totalCount edges { node { id level timeline { kind } } } } }", json!({})).await;
        assert_eq!(data["viewer"]["kind"], "CITY_ADMIN");
        assert_eq!(data["tasks"]["totalCount"], 1, "[{}] {data}", backend.name());
        assert_eq!(data["tasks"]["edges"][0]["node"]["id"], b);
        let hidden = app.ok(Some(&city), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": a })).await;
        assert!(hidden["node"].is_null(), "a street-level task is not the city's");
        assert_eq!(
            app.error_code(
                Some(&city),
                "mutation($i: TaskTransitionInput!) { cancelTask(input: $i) { task { id } } }",
                json!({ "i": { "id": b } })
            )
            .await,
            "FORBIDDEN"
        );

        // Overdue filter: open tasks past due.
        let data = app.ok(Some(&staff), "{ tasks(filter: { overdue: true }) { totalCount } }", json!({})).await;
        assert_eq!(data["tasks"]["totalCount"], 2);
    }
}

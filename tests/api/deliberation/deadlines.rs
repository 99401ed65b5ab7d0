//! Deadlines: an appeal past its deadline moves up one tier, once per tier, however many runs
//! and even with two runs racing; at the STREET tier it stays; an answered appeal waits on no
//! deadline.

use chrono::{Duration, Utc};
use entity::appeal;
use gongzhi::changes::Changes;
use gongzhi::config::AppealDeadlines;
use gongzhi::deliberation::service::{deadlines_context, escalate_overdue_appeals};
use sea_orm::EntityTrait;

use super::*;

async fn row(app: &TestApp, id: &str) -> appeal::Model {
    let (_, uuid) = crate::support::decode(id).unwrap();
    appeal::Entity::find_by_id(uuid).one(&app.db).await.unwrap().unwrap()
}

both_backends! {
    async fn an_appeal_past_its_deadline_moves_up_one_tier_once_also_with_two_runs_racing(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let n = Fixture::neighbourhood(&app, "限时").await;
        let staff = n.staff(&app);
        let cx = deadlines_context(app.db.clone(), Changes::default());
        let rules = AppealDeadlines::default();
        let late = raise(&app, &n.raiser, "春苑消防通道堵塞").await;
        let answered = raise(&app, &n.neighbour, "春苑健身器材损坏").await;
        app.ok(Some(&staff), ACCEPT, json!({ "i": { "id": answered } })).await;
        app.ok(Some(&staff), "mutation($i: AnswerAppealInput!) { answerAppeal(input: $i) { appeal { state } } }",
            json!({ "i": { "id": answered, "answer": "已报修。" } })).await;
        let raised = row(&app, &late).await;
        assert_eq!((raised.tier, raised.escalations), (appeal::AppealTier::Compound, 0), "[{b}]");
        let due = raised.due_at.unwrap();
        assert!((due - raised.raised_at - rules.response).num_seconds().abs() < 5, "[{b}] the first response is due in 3 days");

        // Before the deadline nothing moves.
        assert_eq!(escalate_overdue_appeals(&cx, Utc::now(), rules).await.unwrap(), 0, "[{b}]");
        // Past it, two runs racing move it once, up one tier, with a new deadline there.
        let t1 = due + Duration::hours(1);
        let (x, y) = tokio::join!(escalate_overdue_appeals(&cx, t1, rules), escalate_overdue_appeals(&cx, t1, rules));
        assert_eq!(x.unwrap() + y.unwrap(), 1, "[{b}] one of two racing runs moves it");
        let moved = row(&app, &late).await;
        assert_eq!((moved.tier, moved.escalations, moved.state), (appeal::AppealTier::Community, 1, appeal::AppealState::Raised), "[{b}]");
        assert_eq!(moved.due_at, Some(t1 + rules.response), "[{b}] due again at the community");
        assert_eq!(moved.version, raised.version + 1, "[{b}]");
        // Run again at the same moment: nothing.
        assert_eq!(escalate_overdue_appeals(&cx, t1, rules).await.unwrap(), 0, "[{b}] once per tier");
        // The convenor handled the COMPOUND tier; now community staff do.
        let accept = json!({ "i": { "id": late } });
        assert_eq!(app.error_code(Some(&n.convenor.token(&app)), ACCEPT, accept.clone()).await, "FORBIDDEN", "[{b}]");

        // Past the community's deadline too: up to the street, and no higher.
        let t2 = t1 + rules.response + Duration::hours(1);
        assert_eq!(escalate_overdue_appeals(&cx, t2, rules).await.unwrap(), 1, "[{b}]");
        let top = row(&app, &late).await;
        assert_eq!((top.tier, top.escalations), (appeal::AppealTier::Street, 2), "[{b}]");
        for later in [t2 + Duration::days(30), t2 + Duration::days(365)] {
            assert_eq!(escalate_overdue_appeals(&cx, later, rules).await.unwrap(), 0, "[{b}] nothing above the street");
        }
        assert_eq!(row(&app, &late).await.escalations, 2, "[{b}]");
        // Street staff take it up there; community staff no longer can.
        assert_eq!(app.error_code(Some(&staff), ACCEPT, accept.clone()).await, "FORBIDDEN", "[{b}]");
        app.ok(Some(&n.street(&app)), ACCEPT, accept).await;
        // The answered appeal never moved.
        let a = row(&app, &answered).await;
        assert_eq!((a.tier, a.escalations), (appeal::AppealTier::Compound, 0), "[{b}] an answered appeal waits on no deadline");
        // One audit record per move, by the job.
        let moves = entity::audit_log::Entity::find().all(&app.db).await.unwrap().into_iter().filter(|r| r.action == "escalateAppeal").count();
        assert_eq!(moves, 2, "[{b}]");
    }
}

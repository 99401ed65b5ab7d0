//! Deadlines (限时办结): an appeal that waits past its deadline, for its first response while
//! RAISED or for its answer while ACCEPTED or SCHEDULED, moves up one tier (COMPOUND → COMMUNITY
//! → STREET) with a new deadline there, as overdue tasks do. Each run moves each overdue appeal
//! once: the update is conditional on the appeal as it was read, so two runs racing move it
//! once, and having moved it is no longer overdue at the tier it left. At the STREET tier there
//! is nowhere higher: the appeal stays overdue there, for the street to see.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::appeal::{self, AppealState, AppealTier};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveEnum, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;

use crate::auth::Scope;
use crate::changes::Changes;
use crate::config::AppealDeadlines;
use crate::cx::Cx;
use crate::deliberation::workflow::tier_above;
use crate::error::AppResult;
use crate::write::{Audit, Write};

/// The states that wait on a deadline.
const WAITING: [AppealState; 3] = [AppealState::Raised, AppealState::Accepted, AppealState::Scheduled];

/// One run of the deadlines job: every appeal past its deadline below the STREET tier moves up
/// one tier. Returns how many moved.
pub async fn escalate_overdue_appeals(cx: &Cx, now: DateTime<Utc>, deadlines: AppealDeadlines) -> AppResult<usize> {
    let due: Vec<appeal::Model> = appeal::Entity::find()
        .filter(appeal::Column::State.is_in(WAITING))
        .filter(appeal::Column::DueAt.lt(now))
        .filter(appeal::Column::Tier.ne(AppealTier::Street))
        .all(&cx.db)
        .await?;
    let mut moved = 0;
    for a in due {
        let Some(above) = tier_above(a.tier) else { continue };
        let wait = if a.state == AppealState::Raised { deadlines.response } else { deadlines.answer };
        let mut w = Write::begin(cx).await?;
        let result = appeal::Entity::update_many()
            .col_expr(appeal::Column::Tier, Expr::value(above.to_value()))
            .col_expr(appeal::Column::Escalations, Expr::col(appeal::Column::Escalations).add(1))
            .col_expr(appeal::Column::EscalatedAt, Expr::value(now))
            .col_expr(appeal::Column::DueAt, Expr::value(now + wait))
            .col_expr(appeal::Column::Version, Expr::col(appeal::Column::Version).add(1))
            .col_expr(appeal::Column::UpdatedAt, Expr::value(now))
            .filter(appeal::Column::Id.eq(a.id))
            // Unchanged since it was read: an appeal answered, moved or escalated meanwhile is
            // left to the next run, which sees it as it is.
            .filter(appeal::Column::Version.eq(a.version))
            .filter(appeal::Column::Tier.eq(a.tier))
            .filter(appeal::Column::State.is_in(WAITING))
            .filter(appeal::Column::DueAt.lt(now))
            .exec(w.txn())
            .await?;
        if result.rows_affected == 0 {
            continue; // dropping the write rolls it back
        }
        let moved_up = appeal::Model { tier: above, escalations: a.escalations + 1, ..a.clone() };
        let event = super::appeal_event(w.txn(), &moved_up, "escalateAppeal").await?;
        w.stored_event(event);
        let summary = json!({ "from": a.tier.to_value(), "to": above.to_value(), "state": a.state.to_value(), "automatic": true });
        w.commit(Audit::new("escalateAppeal", "Appeal").object(a.id).community(a.community_id).summary(summary)).await?;
        moved += 1;
    }
    Ok(moved)
}

/// The context the job acts under; its records read `system:appeal-deadlines`.
pub fn deadlines_context(db: DatabaseConnection, events: Changes) -> Cx {
    Cx::new(Scope::system([], "system:appeal-deadlines"), crate::db::Db::system(db), "appeal-deadlines-job", events)
}

/// Runs the job every `every` until the process ends.
pub fn spawn_deadlines(db: DatabaseConnection, events: Changes, every: Duration, deadlines: AppealDeadlines) {
    tokio::spawn(async move {
        let cx = deadlines_context(db, events);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match escalate_overdue_appeals(&cx, Utc::now(), deadlines).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(moved = n, "overdue appeals moved up a tier"),
                Err(err) => tracing::warn!(error = %err, "appeal deadlines run failed"),
            }
        }
    });
}

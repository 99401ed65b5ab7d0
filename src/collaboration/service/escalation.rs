//! Escalation (三级联动): one run raises overdue open tasks one level; the job runs it
//! periodically under a system context built once.

use super::*;

use std::time::Duration;

use sea_orm::DatabaseConnection;

use crate::auth::Scope;
use crate::changes::Changes;

/// When open tasks escalate: to the street once overdue, to the city once overdue by `to_city`.
#[derive(Debug, Clone, Copy)]
pub struct EscalationPolicy {
    pub to_city: chrono::Duration,
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        EscalationPolicy { to_city: chrono::Duration::days(3) }
    }
}

/// One run of the escalation job (三级联动): every open, overdue task rises one level when it is
/// due to; the conditional update makes concurrent or repeated runs escalate each task once
/// per level. Returns how many tasks rose.
pub async fn escalate_overdue(cx: &Cx, now: DateTime<Utc>, policy: EscalationPolicy) -> AppResult<usize> {
    let open = [TaskStatus::Reported, TaskStatus::Assigned, TaskStatus::InProgress, TaskStatus::Reopened];
    let due: Vec<task::Model> = task::Entity::find()
        .filter(task::Column::Status.is_in(open))
        .filter(task::Column::DueAt.lt(now))
        .filter(task::Column::Level.ne(TaskLevel::City))
        .all(&cx.db)
        .await?;
    let mut escalated = 0;
    for t in due {
        let Some(due_at) = t.due_at else { continue };
        let target = match t.level {
            TaskLevel::Community => TaskLevel::Street,
            TaskLevel::Street if now - due_at > policy.to_city => TaskLevel::City,
            _ => continue,
        };
        let mut w = Write::begin(cx).await?;
        let result = task::Entity::update_many()
            .col_expr(task::Column::Level, Expr::value(target.to_value()))
            .col_expr(task::Column::EscalatedAt, Expr::value(now))
            .col_expr(task::Column::Version, Expr::col(task::Column::Version).add(1))
            .col_expr(task::Column::UpdatedAt, Expr::value(now))
            .filter(task::Column::Id.eq(t.id))
            // Unchanged since it was read: a task resolved, cancelled, rescheduled or escalated
            // meanwhile is left to the next run, which sees it as it is.
            .filter(task::Column::Version.eq(t.version))
            .filter(task::Column::Level.eq(t.level))
            .filter(task::Column::Status.is_in(open))
            .filter(task::Column::DueAt.lt(now))
            .exec(w.txn())
            .await?;
        if result.rows_affected == 0 {
            continue; // dropping the write rolls it back
        }
        let mut event = Event::new(EventKind::Escalated).note(Some(format!("overdue since {}", due_at.format("%Y-%m-%d %H:%M UTC"))));
        event.level = Some(target);
        push(&mut w, &t, event).await?;
        let summary = json!({ "from": t.level.to_value(), "to": target.to_value(), "automatic": true });
        w.commit(Audit::new("escalateTask", "Task").object(t.id).community(t.community_id).summary(summary)).await?;
        escalated += 1;
    }
    Ok(escalated)
}

/// The communities of a street, for the system scope of jobs.
pub async fn all_community_ids(db: &impl ConnectionTrait) -> AppResult<Vec<Uuid>> {
    Ok(community::Entity::find().select_only().column(community::Column::Id).into_tuple::<Uuid>().all(db).await?)
}

/// The scope the job acts under; its records read `system:escalation`.
pub fn job_context(db: DatabaseConnection, events: Changes) -> Cx {
    Cx::new(Scope::system([], "system:escalation"), crate::db::Db::system(db), "escalation-job", events)
}

/// Runs the job every `every` until the process ends.
pub fn spawn(db: DatabaseConnection, events: Changes, every: Duration, policy: EscalationPolicy) {
    tokio::spawn(async move {
        let cx = job_context(db, events);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match escalate_overdue(&cx, chrono::Utc::now(), policy).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(escalated = n, "overdue tasks escalated"),
                Err(err) => tracing::warn!(error = %err, "escalation run failed"),
            }
        }
    });
}

//! The escalation job (三级联动): periodically raises overdue open tasks one level.

use std::time::Duration;

use sea_orm::DatabaseConnection;

use super::service::{EscalationPolicy, escalate_overdue};
use crate::auth::Scope;
use crate::changes::Changes;
use crate::cx::Cx;

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

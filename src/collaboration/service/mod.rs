//! Rules of multi-department collaboration, one file per sub-noun: campaigns and sites, tasks and
//! their timeline, shares, idempotency keys, inspections, escalation, partner keys, live events.
//! Every function takes the request's context first; reads are filtered by its scope (see
//! `visibility`) and each mutation is one unit of work (`crate::write::Write`) holding the change,
//! its timeline events and its audit record.

use chrono::{DateTime, NaiveDate, Utc};
use entity::assignment::{self, AssignmentRole, AssignmentStatus};
use entity::task::{self, TaskCategory, TaskLevel, TaskPriority, TaskStatus};
use entity::task_event::{self, EventKind};
use entity::{campaign, campaign_community, co_building_unit, community, finding, idempotency_key, inspection, site};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::loaders::{AssignmentId, CampaignId, FindingId, SiteId, TaskId};
use super::visibility::tasks_shared_with;
pub use super::visibility::{assignment_filter, campaign_filter, event_filter, finding_filter, inspection_filter, task_filter};
use super::workflow::{self, AssignmentAction, TaskAction, share_name, status_name};
use crate::auth::{Principal, Scope};
use crate::cx::Cx;
use crate::db::{conflict_on_unique, guarded_update};
use crate::error::{AppError, AppResult};
use crate::organisation::ids::{CompoundId, OrganizationId};
use crate::organisation::loaders::{CommunityId, MembershipId, UnitId};
use crate::paging::{Page, PageArgs};
use crate::validate::{
    check_date, check_optional_date, check_optional_time, check_time, check_version, clean_evidence, clean_name, clean_optional, clean_text,
};
use crate::write::{Audit, Write};

mod assignments;
mod campaigns;
pub mod deliveries;
pub mod escalation;
mod feed;
mod figures;
mod idempotency;
mod inspections;
pub mod live;
mod overdue;
pub mod partner;
mod stats;
pub(crate) mod tasks;
pub mod webhooks;

pub use assignments::*;
pub use campaigns::*;
pub use escalation::{EscalationPolicy, all_community_ids, escalate_overdue};
pub use feed::*;
pub use figures::*;
use idempotency::*;
pub use inspections::*;
pub use overdue::*;
pub use stats::*;
pub use tasks::*;

// ---------------------------------------------------------------- shared by the parts

/// Shares a unit is still to work on.
const OPEN_SHARES: [AssignmentStatus; 3] = [AssignmentStatus::Pending, AssignmentStatus::Accepted, AssignmentStatus::InProgress];
/// Tasks that still need work.
const OPEN_TASKS: [TaskStatus; 4] = [TaskStatus::Reported, TaskStatus::Assigned, TaskStatus::InProgress, TaskStatus::Reopened];

// ---------------------------------------------------------------- the timeline

/// One timeline entry to write.
struct Event<'a> {
    kind: EventKind,
    from: Option<TaskStatus>,
    to: Option<TaskStatus>,
    share: Option<&'a assignment::Model>,
    level: Option<TaskLevel>,
    note: Option<String>,
    evidence: Vec<String>,
}

impl<'a> Event<'a> {
    fn new(kind: EventKind) -> Self {
        Event { kind, from: None, to: None, share: None, level: None, note: None, evidence: Vec::new() }
    }
    fn status(mut self, from: TaskStatus, to: TaskStatus) -> Self {
        if from != to {
            self.from = Some(from);
            self.to = Some(to);
        }
        self
    }
    fn share(mut self, share: &'a assignment::Model) -> Self {
        self.share = Some(share);
        self
    }
    fn note(mut self, note: Option<String>) -> Self {
        self.note = note;
        self
    }
    fn evidence(mut self, evidence: Vec<String>) -> Self {
        self.evidence = evidence;
        self
    }
}

/// Writes a timeline entry in the write's transaction; [`Write::commit`] announces it and hands
/// it to live subscribers once the transaction commits.
async fn push(w: &mut Write<'_>, task: &task::Model, e: Event<'_>) -> AppResult<task_event::Model> {
    let cx = w.cx();
    let model = task_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(task.community_id),
        task_id: Set(task.id),
        kind: Set(e.kind),
        from_status: Set(e.from.map(|s| status_name(s).to_owned())),
        to_status: Set(e.to.map(|s| status_name(s).to_owned())),
        assignment_id: Set(e.share.map(|a| a.id)),
        unit_id: Set(e.share.map(|a| a.unit_id)),
        level: Set(e.level.map(|l| l.to_value())),
        actor_kind: Set(cx.scope.principal().audit_kind().to_owned()),
        actor: Set(cx.scope.label().to_owned()),
        note: Set(e.note),
        evidence: Set(crate::validate::to_json_list(&e.evidence)),
        created_at: Set(Utc::now()),
    }
    .insert(w.txn())
    .await?;
    w.stored_event(model.id);
    Ok(model)
}

/// Loads a task the caller may see, for a change. On PostgreSQL the row stays locked until the
/// transaction ends, so that changes to one task and its assignments happen one after another
/// (two units finishing the last two shares at once must see each other's); SQLite has one
/// writer at a time anyway.
async fn visible_task(w: &Write<'_>, id: Uuid) -> AppResult<task::Model> {
    let cx = w.cx();
    cx.scope.require_authenticated()?;
    w.lock(task::Entity::find_by_id(id).filter(task_filter(&cx.scope))).await?.ok_or_else(|| AppError::not_found("task"))
}

fn illegal(action: &str, status: TaskStatus) -> AppError {
    AppError::BadInput { message: format!("cannot {action} a task that is {}", status_name(status)), field: Some("status".into()) }
}

/// Writes the task's new state guarded by its version.
async fn save_task(txn: &DatabaseTransaction, current: &task::Model, mut model: task::ActiveModel) -> AppResult<task::Model> {
    model.version = Set(current.version + 1);
    model.updated_at = Set(Utc::now());
    guarded_update::<task::Entity, _>(txn, model, task::Column::Id, task::Column::Version, current.id, current.version).await
}

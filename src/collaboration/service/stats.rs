//! Figures of collaboration, computed from the records every time (no stored counters that can
//! drift): tasks opened, resolved, verified, reopened and cancelled, open and overdue now, the
//! time to resolve, escalations to the street and to the city; and the joint committee's
//! assessment of its units (shares assigned, accepted, declined, done and done on time).
//!
//! A range is its first and last Beijing day, both included (`crate::reporting::Period`). Tasks
//! opened count by `created_at`; resolutions, verifications, reopenings, cancellations and
//! escalations count the task's timeline entries (`task_event`, the task's own entries, not the
//! per-share ones) whose moment falls in the range; a share's acceptance, refusal and completion
//! count its timeline entries likewise. "Now" figures (open, overdue) ignore the range. The
//! caller sees the figures of the tasks it sees in the task list, and the shares it sees there:
//! a unit only its own. Each figure reads its rows in a fixed number of statements, whatever the
//! number of records, and aggregates them here, the same on both databases.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::QueryTrait;
use sea_orm::sea_query::Condition;

use super::*;
use crate::reporting::Period;
use crate::reporting::period::month_of;

/// How task figures are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskGrouping {
    Total,
    Community,
    Category,
    Level,
    Month,
    Status,
}

impl TaskGrouping {
    /// The names `by` takes, in the order of the GraphQL enum; the first is the default.
    pub const NAMES: &'static [&'static str] = &["TOTAL", "COMMUNITY", "CATEGORY", "LEVEL", "MONTH", "STATUS"];

    /// The grouping of a name of [`TaskGrouping::NAMES`].
    pub fn from_name(name: &str) -> TaskGrouping {
        match name {
            "COMMUNITY" => TaskGrouping::Community,
            "CATEGORY" => TaskGrouping::Category,
            "LEVEL" => TaskGrouping::Level,
            "MONTH" => TaskGrouping::Month,
            "STATUS" => TaskGrouping::Status,
            _ => TaskGrouping::Total,
        }
    }
}

/// What the figures are for: the range and the filters of the task list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CollabStatsQuery {
    pub period: Period,
    pub community: Option<CommunityId>,
    pub campaign: Option<CampaignId>,
    pub unit: Option<UnitId>,
}

/// One row of task figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFigures {
    /// The group of the row; all none for the total.
    pub community: Option<Uuid>,
    pub category: Option<TaskCategory>,
    pub level: Option<TaskLevel>,
    pub month: Option<String>,
    pub status: Option<TaskStatus>,
    pub opened: u64,
    pub resolved: u64,
    pub verified: u64,
    pub reopened: u64,
    pub cancelled: u64,
    pub open_now: u64,
    pub overdue_now: u64,
    /// Hours from creation to each resolution in the range, sorted.
    pub resolve_hours: Vec<f64>,
    pub escalations_to_street: u64,
    pub escalations_to_city: u64,
}

impl TaskFigures {
    /// Overdue now over open now; none when none is open.
    pub fn overdue_rate(&self) -> Option<f64> {
        (self.open_now > 0).then(|| self.overdue_now as f64 / self.open_now as f64)
    }
    /// Median hours to resolve.
    pub fn median_hours_to_resolve(&self) -> Option<f64> {
        crate::reporting::percentile(&self.resolve_hours, 50.0)
    }
    /// 90th-percentile hours to resolve.
    pub fn p90_hours_to_resolve(&self) -> Option<f64> {
        crate::reporting::percentile(&self.resolve_hours, 90.0)
    }
}

/// One unit's row of the assessment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitFigures {
    pub unit: Uuid,
    /// Shares created in the range.
    pub assigned: u64,
    /// Acceptances, refusals and completions of its shares in the range.
    pub accepted: u64,
    pub declined: u64,
    pub done: u64,
    /// Completions at or before the task's due time, or of tasks with none.
    pub done_on_time: u64,
}

impl UnitFigures {
    /// Done on time over done; none when nothing was done.
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.done > 0).then(|| self.done_on_time as f64 / self.done as f64)
    }
}

fn hours(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_seconds() as f64 / 3600.0
}

/// The timeline entries a task figure counts.
const TASK_KINDS: [EventKind; 5] =
    [EventKind::Resolved, EventKind::Verified, EventKind::Reopened, EventKind::Cancelled, EventKind::Escalated];
/// The timeline entries a unit's assessment counts.
const SHARE_KINDS: [EventKind; 3] = [EventKind::Accepted, EventKind::Declined, EventKind::PartDone];

/// The caller may read figures, and the community asked for is in its scope.
fn check_reader(cx: &Cx, q: &CollabStatsQuery) -> AppResult<()> {
    cx.scope.require_authenticated()?;
    if super::super::visibility::sees(cx.scope.principal()).tasks == super::super::visibility::Tasks::None {
        return Err(AppError::Forbidden("collaboration figures are for staff, units, reporters and city staff".into()));
    }
    if let Some(c) = q.community
        && !cx.scope.sees_community(c.0)
    {
        return Err(AppError::not_found("community"));
    }
    Ok(())
}

/// A condition that a moment column falls in the range.
fn in_range(column: impl ColumnTrait + Copy, period: &Period) -> Condition {
    let mut cond = Condition::all();
    if let Some(start) = period.start() {
        cond = cond.add(column.gte(start));
    }
    if let Some(end) = period.end() {
        cond = cond.add(column.lt(end));
    }
    cond
}

/// The task figures (see the module documentation), in a fixed order of rows; the total is one
/// row even when empty.
pub async fn task_statistics(cx: &Cx, q: CollabStatsQuery, by: TaskGrouping) -> AppResult<Vec<TaskFigures>> {
    check_reader(cx, &q)?;
    let filter = TaskFilter { community_id: q.community, campaign_id: q.campaign, unit_id: q.unit, ..TaskFilter::default() };
    let visible = tasks_select(cx, &filter)?;
    let visible_ids = visible.clone().select_only().column(task::Column::Id).into_query();
    // The task's own entries in the range, of the tasks the caller sees.
    let events_cond = Condition::all()
        .add(task_event::Column::Kind.is_in(TASK_KINDS))
        .add(task_event::Column::AssignmentId.is_null())
        .add(in_range(task_event::Column::CreatedAt, &q.period))
        .add(task_event::Column::TaskId.in_subquery(visible_ids));
    let events = task_event::Entity::find().filter(events_cond.clone()).all(&cx.db).await?;
    // Their tasks, those opened in the range and those open now.
    let event_tasks = Query::select().column(task_event::Column::TaskId).from(task_event::Entity).cond_where(events_cond).to_owned();
    let tasks = visible
        .filter(
            Condition::any()
                .add(in_range(task::Column::CreatedAt, &q.period))
                .add(task::Column::Status.is_in(OPEN_TASKS))
                .add(task::Column::Id.in_subquery(event_tasks)),
        )
        .all(&cx.db)
        .await?;
    let by_id: HashMap<Uuid, &task::Model> = tasks.iter().map(|t| (t.id, t)).collect();
    let now = Utc::now();
    let key = |t: &task::Model, at: DateTime<Utc>| -> TaskFigures {
        let mut f = TaskFigures::default();
        match by {
            TaskGrouping::Total => {}
            TaskGrouping::Community => f.community = Some(t.community_id),
            TaskGrouping::Category => f.category = Some(t.category),
            TaskGrouping::Level => f.level = Some(t.level),
            TaskGrouping::Month => f.month = Some(month_of(at)),
            TaskGrouping::Status => f.status = Some(t.status),
        }
        f
    };
    type Key = (Option<Uuid>, Option<String>, Option<String>, Option<String>, Option<String>);
    let mut out: BTreeMap<Key, TaskFigures> = BTreeMap::new();
    fn slot(out: &mut BTreeMap<Key, TaskFigures>, f: TaskFigures) -> &mut TaskFigures {
        let k =
            (f.community, f.category.map(|c| c.to_value()), f.level.map(|l| l.to_value()), f.month.clone(), f.status.map(|s| s.to_value()));
        out.entry(k).or_insert(f)
    }
    for t in &tasks {
        if q.period.contains(t.created_at) {
            slot(&mut out, key(t, t.created_at)).opened += 1;
        }
        if OPEN_TASKS.contains(&t.status) {
            // Now figures, by month in the row of the current month.
            let f = slot(&mut out, key(t, now));
            f.open_now += 1;
            if t.due_at.is_some_and(|d| d < now) {
                f.overdue_now += 1;
            }
        }
    }
    for e in &events {
        let Some(t) = by_id.get(&e.task_id) else { continue };
        let f = slot(&mut out, key(t, e.created_at));
        match e.kind {
            EventKind::Resolved => {
                f.resolved += 1;
                f.resolve_hours.push(hours(t.created_at, e.created_at));
            }
            EventKind::Verified => f.verified += 1,
            EventKind::Reopened => f.reopened += 1,
            EventKind::Cancelled => f.cancelled += 1,
            EventKind::Escalated => match e.level.as_deref() {
                Some("STREET") => f.escalations_to_street += 1,
                Some("CITY") => f.escalations_to_city += 1,
                _ => {}
            },
            EventKind::Reported
            | EventKind::Updated
            | EventKind::Assigned
            | EventKind::Accepted
            | EventKind::Declined
            | EventKind::Started
            | EventKind::PartDone
            | EventKind::Commented
            | EventKind::SeatEnded => {}
        }
    }
    if by == TaskGrouping::Total && out.is_empty() {
        out.insert((None, None, None, None, None), TaskFigures::default());
    }
    let mut rows: Vec<TaskFigures> = out.into_values().collect();
    for f in &mut rows {
        f.resolve_hours.sort_by(f64::total_cmp);
    }
    Ok(rows)
}

/// The joint committee's assessment of its units (see the module documentation): a row per
/// unit with a share in the range, by unit id.
pub async fn unit_assessment(cx: &Cx, q: CollabStatsQuery) -> AppResult<Vec<UnitFigures>> {
    check_reader(cx, &q)?;
    let mut shares_cond = Condition::all().add(assignment_filter(&cx.scope));
    if let Some(c) = q.community {
        shares_cond = shares_cond.add(assignment::Column::CommunityId.eq(c.0));
    }
    if let Some(u) = q.unit {
        shares_cond = shares_cond.add(assignment::Column::UnitId.eq(u.0));
    }
    if let Some(c) = q.campaign {
        shares_cond = shares_cond.add(assignment::Column::TaskId.in_subquery(
            Query::select().column(task::Column::Id).from(task::Entity).and_where(task::Column::CampaignId.eq(c.0)).to_owned(),
        ));
    }
    let share_ids = Query::select().column(assignment::Column::Id).from(assignment::Entity).cond_where(shares_cond.clone()).to_owned();
    let events_cond = Condition::all()
        .add(task_event::Column::Kind.is_in(SHARE_KINDS))
        .add(in_range(task_event::Column::CreatedAt, &q.period))
        .add(task_event::Column::AssignmentId.in_subquery(share_ids));
    let events = task_event::Entity::find().filter(events_cond.clone()).all(&cx.db).await?;
    let event_shares = Query::select().column(task_event::Column::AssignmentId).from(task_event::Entity).cond_where(events_cond).to_owned();
    let relevant =
        Condition::any().add(in_range(assignment::Column::CreatedAt, &q.period)).add(assignment::Column::Id.in_subquery(event_shares));
    let shares = assignment::Entity::find().filter(shares_cond.clone()).filter(relevant.clone()).all(&cx.db).await?;
    // The due times of their tasks.
    let share_tasks =
        Query::select().column(assignment::Column::TaskId).from(assignment::Entity).cond_where(shares_cond).cond_where(relevant).to_owned();
    let due: HashMap<Uuid, Option<DateTime<Utc>>> = task::Entity::find()
        .filter(task::Column::Id.in_subquery(share_tasks))
        .select_only()
        .column(task::Column::Id)
        .column(task::Column::DueAt)
        .into_tuple::<(Uuid, Option<DateTime<Utc>>)>()
        .all(&cx.db)
        .await?
        .into_iter()
        .collect();
    let unit_of: HashMap<Uuid, Uuid> = shares.iter().map(|s| (s.id, s.unit_id)).collect();
    let mut out: BTreeMap<Uuid, UnitFigures> = BTreeMap::new();
    for s in &shares {
        let f = out.entry(s.unit_id).or_insert_with(|| UnitFigures { unit: s.unit_id, ..UnitFigures::default() });
        if q.period.contains(s.created_at) {
            f.assigned += 1;
        }
    }
    for e in &events {
        let Some(unit) = e.assignment_id.and_then(|a| unit_of.get(&a)) else { continue };
        let f = out.entry(*unit).or_insert_with(|| UnitFigures { unit: *unit, ..UnitFigures::default() });
        match e.kind {
            EventKind::Accepted => f.accepted += 1,
            EventKind::Declined => f.declined += 1,
            EventKind::PartDone => {
                f.done += 1;
                if due.get(&e.task_id).copied().flatten().is_none_or(|d| e.created_at <= d) {
                    f.done_on_time += 1;
                }
            }
            _ => {}
        }
    }
    Ok(out.into_values().collect())
}

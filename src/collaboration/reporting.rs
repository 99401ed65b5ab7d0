//! What collaboration feeds to reporting: its records as datasets (see `crate::reporting`),
//! each read through the same scoped selects as the GraphQL lists.

use std::sync::Arc;

use chrono::Utc;
use entity::task::{self, TaskStatus};
use entity::{assignment, finding, inspection, task_event};
use sea_orm::sea_query::Query;
use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::graphql::kind;
use super::loaders::CampaignId;
use super::service::tasks::{TaskFilter, tasks_select};
use super::service::{self, CollabStatsQuery, TaskGrouping};
use super::visibility::{assignment_filter, event_filter, finding_filter, inspection_filter};
use crate::cx::Cx;
use crate::error::AppResult;
use crate::organisation::loaders::{CommunityId, UnitId};
use crate::reporting::{About, Cell, Column, Dataset, Filter, Filters, Record, Row, Rows, col, records, stream};

/// Collaboration's datasets.
pub fn datasets() -> Vec<Arc<dyn Dataset>> {
    vec![
        Arc::new(Tasks),
        Arc::new(Assignments),
        Arc::new(TaskEvents),
        Arc::new(Inspections),
        Arc::new(Findings),
        Arc::new(TaskFiguresSet),
        Arc::new(UnitAssessmentSet),
    ]
}

/// The tasks in the caller's scope, one row each.
pub struct Tasks;

const TASK_COLUMNS: &[Column] = &[
    col("id", "The task's global id, as in GraphQL."),
    col("community_id", "Its community's global id."),
    col("campaign_id", "The campaign it belongs to, if any."),
    col("site_id", "The site it is about, if any."),
    col("title", "Title."),
    col("description", "Description."),
    col("category", "Kind of work (STALL_SPRAWL, SANITATION, PARKING, ...)."),
    col("priority", "LOW, NORMAL, HIGH or URGENT."),
    col("status", "REPORTED, ASSIGNED, IN_PROGRESS, RESOLVED, VERIFIED, REOPENED or CANCELLED."),
    col("level", "The level handling it: COMMUNITY, STREET or CITY."),
    col("due_at", "When it is due (UTC)."),
    col("overdue", "Open and past its due time at the moment of the export."),
    col("created_at", "When it was opened (UTC)."),
    col("resolved_at", "When it was last resolved (UTC)."),
    col("closed_at", "When it was verified or cancelled (UTC)."),
    col("escalated_at", "When it last moved up a level (UTC)."),
];

const OPEN: [TaskStatus; 4] = [TaskStatus::Reported, TaskStatus::Assigned, TaskStatus::InProgress, TaskStatus::Reopened];

#[async_trait::async_trait]
impl Dataset for Tasks {
    fn about(&self) -> About {
        About {
            name: "tasks",
            doc: "Tasks, opened within the range (Beijing days).",
            columns: TASK_COLUMNS,
            filters: &[Filter::Period, Filter::Community, Filter::Campaign, Filter::Unit],
            groupings: &[],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        let filter = TaskFilter {
            community_id: f.community.map(CommunityId),
            campaign_id: f.campaign.map(CampaignId),
            unit_id: f.unit.map(UnitId),
            ..TaskFilter::default()
        };
        let mut select = tasks_select(&cx, &filter)?.order_by_asc(task::Column::Id);
        if let Some(start) = f.period.start() {
            select = select.filter(task::Column::CreatedAt.gte(start));
        }
        if let Some(end) = f.period.end() {
            select = select.filter(task::Column::CreatedAt.lt(end));
        }
        let now = Utc::now();
        stream(&cx, select, move |t: task::Model| {
            vec![
                Cell::id(kind::TASK, t.id),
                Cell::id(kind::COMMUNITY, t.community_id),
                Cell::opt_id(kind::CAMPAIGN, t.campaign_id),
                Cell::opt_id(kind::SITE, t.site_id),
                t.title.into(),
                t.description.into(),
                t.category.to_value().into(),
                t.priority.to_value().into(),
                t.status.to_value().into(),
                t.level.to_value().into(),
                t.due_at.into(),
                (OPEN.contains(&t.status) && t.due_at.is_some_and(|d| d < now)).into(),
                t.created_at.into(),
                t.resolved_at.into(),
                t.closed_at.into(),
                t.escalated_at.into(),
            ]
        })
        .await
    }
}

/// A select's moment column within the range of the filters.
fn within<E: EntityTrait>(mut select: sea_orm::Select<E>, column: impl ColumnTrait + Copy, f: &Filters) -> sea_orm::Select<E> {
    if let Some(start) = f.period.start() {
        select = select.filter(column.gte(start));
    }
    if let Some(end) = f.period.end() {
        select = select.filter(column.lt(end));
    }
    select
}

/// The shares of the tasks in the caller's scope, one row each (a unit sees only its own).
pub struct Assignments;

const ASSIGNMENT_COLUMNS: &[Column] = &[
    col("id", "The share's global id (`Assignment`), as in GraphQL."),
    col("task_id", "Its task's global id."),
    col("community_id", "Its community's global id."),
    col("unit_id", "The co-building unit's global id."),
    col("role", "LEAD or SUPPORT."),
    col("status", "PENDING, ACCEPTED, DECLINED, IN_PROGRESS or DONE."),
    col("decline_reason", "Why the unit declined, if it did."),
    col("seat_ended", "The unit's seat on the joint committee ended while the share was open."),
    col("created_at", "When the share was assigned (UTC)."),
    col("updated_at", "When the share last changed (UTC); the moments of acceptance, refusal and completion are in `task-events`."),
];

#[async_trait::async_trait]
impl Dataset for Assignments {
    fn about(&self) -> About {
        About {
            name: "assignments",
            doc: "Shares of tasks (指派) for co-building units, assigned within the range (Beijing days).",
            columns: ASSIGNMENT_COLUMNS,
            filters: &[Filter::Period, Filter::Community, Filter::Campaign, Filter::Unit],
            groupings: &[],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        cx.scope.require_authenticated()?;
        let mut select = assignment::Entity::find().filter(assignment_filter(&cx.scope)).order_by_asc(assignment::Column::Id);
        if let Some(c) = f.community {
            select = select.filter(assignment::Column::CommunityId.eq(c));
        }
        if let Some(u) = f.unit {
            select = select.filter(assignment::Column::UnitId.eq(u));
        }
        if let Some(c) = f.campaign {
            let of_campaign =
                Query::select().column(task::Column::Id).from(task::Entity).and_where(task::Column::CampaignId.eq(c)).to_owned();
            select = select.filter(assignment::Column::TaskId.in_subquery(of_campaign));
        }
        let select = within(select, assignment::Column::CreatedAt, &f);
        stream(&cx, select, |a: assignment::Model| {
            vec![
                Cell::id(kind::ASSIGNMENT, a.id),
                Cell::id(kind::TASK, a.task_id),
                Cell::id(kind::COMMUNITY, a.community_id),
                Cell::id(kind::CO_BUILDING_UNIT, a.unit_id),
                a.role.to_value().into(),
                a.status.to_value().into(),
                a.decline_reason.into(),
                a.seat_ended.into(),
                a.created_at.into(),
                a.updated_at.into(),
            ]
        })
        .await
    }
}

/// The timeline entries of the tasks in the caller's scope, one row each.
pub struct TaskEvents;

const EVENT_COLUMNS: &[Column] = &[
    col("id", "The entry's global id (`TaskEvent`), as in GraphQL."),
    col("task_id", "Its task's global id."),
    col("community_id", "Its community's global id."),
    col(
        "kind",
        "What happened: REPORTED, UPDATED, ASSIGNED, ACCEPTED, DECLINED, STARTED, PART_DONE, RESOLVED, VERIFIED, REOPENED, CANCELLED, ESCALATED, COMMENTED or SEAT_ENDED.",
    ),
    col("from_status", "The task's status before, when it changed."),
    col("to_status", "The task's status after, when it changed."),
    col("level", "For escalations: the level reached (STREET or CITY)."),
    col("assignment_id", "The share concerned, for share entries."),
    col("unit_id", "The co-building unit concerned, for share entries."),
    col("actor_kind", "The kind of principal that acted (COMMUNITY_STAFF, UNIT, SYSTEM, ...)."),
    col(
        "actor",
        "Who acted, as in GraphQL (`unit:<code>`, `system:escalation`, `community_staff:<street>/<community>`); a unit sees other units as `unit`, and a person only as `member`.",
    ),
    col("note", "The note, reason or comment."),
    col("at", "When it happened (UTC)."),
];

/// An actor's label as the caller may read it: what GraphQL's `TaskEvent.actor` shows, and a
/// person's label without the person.
fn actor_for(viewer_unit: bool, viewer_label: &str, actor: String) -> String {
    if viewer_unit && actor.starts_with("unit:") && actor != viewer_label {
        "unit".to_owned()
    } else if actor.starts_with("member:") {
        "member".to_owned()
    } else {
        actor
    }
}

#[async_trait::async_trait]
impl Dataset for TaskEvents {
    fn about(&self) -> About {
        About {
            name: "task-events",
            doc: "Entries of the task timelines (transitions, share changes, escalations, comments) within the range (Beijing days).",
            columns: EVENT_COLUMNS,
            filters: &[Filter::Period, Filter::Community],
            groupings: &[],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        cx.scope.require_authenticated()?;
        let mut select = task_event::Entity::find().filter(event_filter(&cx.scope)).order_by_asc(task_event::Column::Id);
        if let Some(c) = f.community {
            select = select.filter(task_event::Column::CommunityId.eq(c));
        }
        let select = within(select, task_event::Column::CreatedAt, &f);
        let viewer_unit = cx.scope.unit_id().is_some();
        let viewer_label = cx.scope.label().to_owned();
        stream(&cx, select, move |e: task_event::Model| {
            vec![
                Cell::id(kind::TASK_EVENT, e.id),
                Cell::id(kind::TASK, e.task_id),
                Cell::id(kind::COMMUNITY, e.community_id),
                e.kind.to_value().into(),
                e.from_status.into(),
                e.to_status.into(),
                e.level.into(),
                Cell::opt_id(kind::ASSIGNMENT, e.assignment_id),
                Cell::opt_id(kind::CO_BUILDING_UNIT, e.unit_id),
                e.actor_kind.into(),
                actor_for(viewer_unit, &viewer_label, e.actor).into(),
                e.note.into(),
                e.created_at.into(),
            ]
        })
        .await
    }
}

/// The inspections in the caller's scope (staff and reporters), one row each.
pub struct Inspections;

const INSPECTION_COLUMNS: &[Column] = &[
    col("id", "The inspection's global id, as in GraphQL."),
    col("community_id", "Its community's global id."),
    col("site_id", "The site inspected, if any."),
    col("patrol", "The patrol team, e.g. 文明劝导队."),
    col("inspected_at", "When it was inspected (UTC)."),
    col("note", "General note."),
    col("created_by", "Who recorded it (the staff account's label)."),
    col("created_at", "When it was recorded (UTC)."),
];

#[async_trait::async_trait]
impl Dataset for Inspections {
    fn about(&self) -> About {
        About {
            name: "inspections",
            doc: "Inspections (巡查) by patrol teams, inspected within the range (Beijing days).",
            columns: INSPECTION_COLUMNS,
            filters: &[Filter::Period, Filter::Community],
            groupings: &[],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        cx.scope.require_authenticated()?;
        let mut select = inspection::Entity::find().filter(inspection_filter(&cx.scope)).order_by_asc(inspection::Column::Id);
        if let Some(c) = f.community {
            select = select.filter(inspection::Column::CommunityId.eq(c));
        }
        let select = within(select, inspection::Column::InspectedAt, &f);
        stream(&cx, select, |i: inspection::Model| {
            vec![
                Cell::id(kind::INSPECTION, i.id),
                Cell::id(kind::COMMUNITY, i.community_id),
                Cell::opt_id(kind::SITE, i.site_id),
                i.patrol.into(),
                i.inspected_at.into(),
                i.note.into(),
                i.created_by.into(),
                i.created_at.into(),
            ]
        })
        .await
    }
}

/// The findings of the inspections in the caller's scope, one row each.
pub struct Findings;

const FINDING_COLUMNS: &[Column] = &[
    col("id", "The finding's global id, as in GraphQL."),
    col("community_id", "Its community's global id."),
    col("inspection_id", "Its inspection's global id."),
    col("description", "What was found."),
    col("category", "Kind of problem (STALL_SPRAWL, SANITATION, PARKING, ...)."),
    col("evidence", "Photo URLs, as a JSON array."),
    col("task_id", "The task made from it, if any."),
    col("created_at", "When it was recorded (UTC)."),
];

#[async_trait::async_trait]
impl Dataset for Findings {
    fn about(&self) -> About {
        About {
            name: "findings",
            doc: "What inspections found, recorded within the range (Beijing days).",
            columns: FINDING_COLUMNS,
            filters: &[Filter::Period, Filter::Community],
            groupings: &[],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        cx.scope.require_authenticated()?;
        let mut select = finding::Entity::find().filter(finding_filter(&cx.scope)).order_by_asc(finding::Column::Id);
        if let Some(c) = f.community {
            select = select.filter(finding::Column::CommunityId.eq(c));
        }
        let select = within(select, finding::Column::CreatedAt, &f);
        stream(&cx, select, |x: finding::Model| {
            vec![
                Cell::id(kind::FINDING, x.id),
                Cell::id(kind::COMMUNITY, x.community_id),
                Cell::id(kind::INSPECTION, x.inspection_id),
                x.description.into(),
                x.category.to_value().into(),
                x.evidence.into(),
                Cell::opt_id(kind::TASK, x.task_id),
                x.created_at.into(),
            ]
        })
        .await
    }
}

fn stats_query(f: &Filters) -> CollabStatsQuery {
    CollabStatsQuery {
        period: f.period,
        community: f.community.map(CommunityId),
        campaign: f.campaign.map(CampaignId),
        unit: f.unit.map(UnitId),
    }
}

impl Record for service::TaskFigures {
    const COLUMNS: &'static [Column] = &[
        col("community_id", "The community of the row (by COMMUNITY)."),
        col("category", "The kind of work of the row (by CATEGORY)."),
        col("level", "The level handling the tasks now (by LEVEL)."),
        col("month", "The month of the row, YYYY-MM, Beijing time (by MONTH; the now figures in the current month)."),
        col("status", "The tasks' current status (by STATUS)."),
        col("opened", "Tasks opened (created) in the range."),
        col("resolved", "Resolutions in the range."),
        col("verified", "Verifications in the range."),
        col("reopened", "Reopenings in the range."),
        col("cancelled", "Cancellations in the range."),
        col("overdue_now", "Tasks open now and past their due time, whatever the range."),
        col("open_now", "Tasks open now, whatever the range."),
        col("overdue_rate", "overdue_now / open_now; empty when none is open."),
        col("median_hours_to_resolve", "Median hours from creation to resolution, of the resolutions in the range."),
        col("p90_hours_to_resolve", "90th-percentile hours from creation to resolution, of the resolutions in the range."),
        col("escalations_to_street", "Escalations to the street in the range."),
        col("escalations_to_city", "Escalations to the city in the range."),
    ];

    fn cells(self) -> Row {
        vec![
            Cell::opt_id(kind::COMMUNITY, self.community),
            self.category.map(|c| c.to_value()).into(),
            self.level.map(|l| l.to_value()).into(),
            self.month.clone().into(),
            self.status.map(|s| s.to_value()).into(),
            Cell::count(self.opened),
            Cell::count(self.resolved),
            Cell::count(self.verified),
            Cell::count(self.reopened),
            Cell::count(self.cancelled),
            Cell::count(self.overdue_now),
            Cell::count(self.open_now),
            self.overdue_rate().into(),
            self.median_hours_to_resolve().into(),
            self.p90_hours_to_resolve().into(),
            Cell::count(self.escalations_to_street),
            Cell::count(self.escalations_to_city),
        ]
    }
}

/// The task figures, as `taskStatistics` answers them.
pub struct TaskFiguresSet;

#[async_trait::async_trait]
impl Dataset for TaskFiguresSet {
    fn about(&self) -> About {
        About {
            name: "task-figures",
            doc: "Task figures over the range (Beijing days), in total or grouped: the rows of GraphQL `taskStatistics`.",
            columns: <service::TaskFigures as Record>::COLUMNS,
            filters: &[Filter::Period, Filter::Community, Filter::Campaign, Filter::Unit, Filter::By],
            groupings: TaskGrouping::NAMES,
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        let by = TaskGrouping::from_name(f.by.unwrap_or("TOTAL"));
        Ok(records(service::task_statistics(&cx, stats_query(&f), by).await?))
    }
}

impl Record for service::UnitFigures {
    const COLUMNS: &'static [Column] = &[
        col("unit_id", "The co-building unit's global id."),
        col("assigned", "Shares assigned to it (created) in the range."),
        col("accepted", "Shares it accepted in the range."),
        col("declined", "Shares it declined in the range."),
        col("done", "Shares it finished in the range."),
        col("done_on_time", "Of those, finished at or before the task's due time, or of a task with none."),
        col("on_time_rate", "done_on_time / done; empty when nothing was finished."),
    ];

    fn cells(self) -> Row {
        vec![
            Cell::id(kind::CO_BUILDING_UNIT, self.unit),
            Cell::count(self.assigned),
            Cell::count(self.accepted),
            Cell::count(self.declined),
            Cell::count(self.done),
            Cell::count(self.done_on_time),
            self.on_time_rate().into(),
        ]
    }
}

/// The joint committee's assessment of its units, as `unitAssessment` answers it.
pub struct UnitAssessmentSet;

#[async_trait::async_trait]
impl Dataset for UnitAssessmentSet {
    fn about(&self) -> About {
        About {
            name: "unit-assessment",
            doc: "The joint committee's assessment of its co-building units over the range (Beijing days): the rows of GraphQL `unitAssessment`.",
            columns: <service::UnitFigures as Record>::COLUMNS,
            filters: &[Filter::Period, Filter::Community, Filter::Campaign, Filter::Unit],
            groupings: &[],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        Ok(records(service::unit_assessment(&cx, stats_query(&f)).await?))
    }
}

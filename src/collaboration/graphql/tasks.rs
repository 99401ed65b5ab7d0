//! Tasks (任务) and their timelines: types, the task list, and the staff's changes to a task.
//! Over 500 lines as one cohesive thing: the task, its enums, its timeline entry and the
//! mutations on the task itself, which the schema lists together.

use super::*;

/// Kinds of work (what the task is about).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::task::TaskCategory")]
pub enum TaskCategory {
    /// Stalls spreading onto the road (占道摆摊).
    StallSprawl,
    /// Sanitation (环境卫生).
    Sanitation,
    /// Parking order (停车整治).
    Parking,
    /// Food safety (食品安全).
    FoodSafety,
    /// Traffic order (交通秩序).
    TrafficOrder,
    /// Fire safety (消防安全).
    FireSafety,
    /// Illegal construction (违章搭建).
    IllegalConstruction,
    /// Greening, pocket green spaces (绿化).
    Greening,
    /// Anything else.
    Other,
}

/// How urgent a task is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::task::TaskPriority")]
pub enum TaskPriority {
    /// When there is time.
    Low,
    /// Normal.
    Normal,
    /// Soon.
    High,
    /// At once.
    Urgent,
}

/// Where a task is in its workflow.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::task::TaskStatus")]
pub enum TaskStatus {
    /// Reported, waiting to be assigned.
    Reported,
    /// Assigned to units; nobody has started.
    Assigned,
    /// A unit is working on it.
    InProgress,
    /// The units are done; staff verify it.
    Resolved,
    /// Verified by staff: closed.
    Verified,
    /// Resolved but not good enough: back to work.
    Reopened,
    /// Cancelled: closed.
    Cancelled,
}

/// The level handling a task (三级联动: community → street → city).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::task::TaskLevel")]
pub enum TaskLevel {
    /// The community handles it.
    Community,
    /// Escalated to the street.
    Street,
    /// Escalated to the city.
    City,
}
/// What happened on a task's timeline.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::task_event::EventKind")]
pub enum EventKind {
    /// The task was reported.
    Reported,
    /// The task was edited.
    Updated,
    /// A share was assigned to a unit.
    Assigned,
    /// A unit accepted its share.
    Accepted,
    /// A unit declined its share.
    Declined,
    /// Work started.
    Started,
    /// A unit finished its share.
    PartDone,
    /// Every share needed is done: the task is resolved.
    Resolved,
    /// Staff verified the result.
    Verified,
    /// Staff reopened the task.
    Reopened,
    /// Staff cancelled the task.
    Cancelled,
    /// The task rose a level.
    Escalated,
    /// A comment.
    Commented,
    /// The unit's seat on the community's joint committee ended while its share was open: the
    /// share is flagged (`Assignment.seatEnded`) for staff to reassign (`reassignShare`).
    SeatEnded,
}

/// A task (任务): work in one community, split across co-building units, with a workflow,
/// a timeline and escalation up the three levels.
pub struct Task(pub task::Model);
crate::graphql::connection::connection_node!(plain Task);

/// A task's fields read from its row (`overdue`, which reads the clock, is left to its resolver).
impl PlainFields for Task {
    fn plain_field(&self, name: &str) -> Option<async_graphql::Value> {
        use async_graphql::{ScalarType, Value};
        let time = |t: Option<DateTime<Utc>>| t.map_or(Value::Null, |t| t.to_value());
        let t = &self.0;
        Some(match name {
            "id" => global_id_value(kind::TASK, t.id),
            "title" => Value::from(t.title.as_str()),
            "description" => Value::from(t.description.as_str()),
            "category" => Value::from(TaskCategory::from(t.category)),
            "priority" => Value::from(TaskPriority::from(t.priority)),
            "status" => Value::from(TaskStatus::from(t.status)),
            "level" => Value::from(TaskLevel::from(t.level)),
            "dueAt" => time(t.due_at),
            "reportedBy" => Value::from(t.reported_by.as_str()),
            "createdAt" => t.created_at.to_value(),
            "updatedAt" => t.updated_at.to_value(),
            "resolvedAt" => time(t.resolved_at),
            "closedAt" => time(t.closed_at),
            "escalatedAt" => time(t.escalated_at),
            "version" => Value::from(t.version),
            _ => return None,
        })
    }
}

/// A task (任务): work in one community, split across co-building units, with a workflow,
/// a timeline and escalation up the three levels.
#[Object]
impl Task {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::TASK, self.0.id)
    }
    /// Short title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What is to be done.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Kind of work.
    async fn category(&self) -> TaskCategory {
        self.0.category.into()
    }
    /// Urgency.
    async fn priority(&self) -> TaskPriority {
        self.0.priority.into()
    }
    /// Where the task is in its workflow.
    async fn status(&self) -> TaskStatus {
        self.0.status.into()
    }
    /// The level handling it.
    async fn level(&self) -> TaskLevel {
        self.0.level.into()
    }
    /// When it is due.
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        self.0.due_at
    }
    /// Whether it is open and past its due time.
    async fn overdue(&self) -> bool {
        crate::collaboration::workflow::is_open(self.0.status) && self.0.due_at.is_some_and(|d| d < Utc::now())
    }
    /// Photo URLs attached when reported.
    async fn evidence(&self) -> Vec<String> {
        from_json_list(&self.0.evidence)
    }
    /// Who reported it (principal, e.g. `community-staff:meiling`).
    async fn reported_by(&self) -> &str {
        &self.0.reported_by
    }
    /// When it was reported.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When it was resolved.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
    /// When it was closed (verified or cancelled).
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// When it last rose a level.
    async fn escalated_at(&self) -> Option<DateTime<Utc>> {
        self.0.escalated_at
    }
    /// Version, incremented by every change; pass it as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The community the task belongs to.
    async fn community(&self, ctx: &Context<'_>) -> Result<Inline<Community>> {
        crate::organisation::graphql::community_of(ctx, self.0.community_id).await.map(Inline)
    }
    /// The campaign it is part of.
    async fn campaign(&self, ctx: &Context<'_>) -> Result<Option<Campaign>> {
        match self.0.campaign_id {
            Some(c) => Ok(crate::collaboration::loaders::collab_loader(ctx)?.load_one(CampaignId(c)).await?.map(Campaign)),
            None => Ok(None),
        }
    }
    /// Where the work happens.
    async fn site(&self, ctx: &Context<'_>) -> Result<Option<Site>> {
        match self.0.site_id {
            Some(s) => Ok(crate::collaboration::loaders::collab_loader(ctx)?.load_one(SiteId(s)).await?.map(Site)),
            None => Ok(None),
        }
    }
    /// The units' shares (a partner department sees only its own).
    async fn assignments(&self, ctx: &Context<'_>) -> Result<Vec<Assignment>> {
        Ok(crate::collaboration::loaders::collab_loader(ctx)?
            .load_one(SharesOfTask(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Assignment)
            .collect())
    }
    /// Every transition, assignment change and comment, oldest first: the status history.
    async fn timeline(&self, ctx: &Context<'_>) -> Result<Vec<TaskEvent>> {
        Ok(crate::collaboration::loaders::collab_loader(ctx)?
            .load_one(TimelineOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(TaskEvent)
            .collect())
    }
}

// ---------------------------------------------------------------- Assignment

/// One entry of a task's timeline: a transition, an assignment change, an escalation or a comment.
pub struct TaskEvent(pub task_event::Model);

/// One entry of a task's timeline: a transition, an assignment change, an escalation or a comment.
#[Object]
impl TaskEvent {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::TASK_EVENT, self.0.id)
    }
    /// What happened.
    async fn kind(&self) -> EventKind {
        self.0.kind.into()
    }
    /// The task's status before, when it changed.
    async fn from_status(&self) -> Option<&str> {
        self.0.from_status.as_deref()
    }
    /// The task's status after, when it changed.
    async fn to_status(&self) -> Option<&str> {
        self.0.to_status.as_deref()
    }
    /// For escalations: the level reached.
    async fn level(&self) -> Option<&str> {
        self.0.level.as_deref()
    }
    /// The kind of principal that acted (`COMMUNITY_STAFF`, `UNIT`, `SYSTEM`, …).
    async fn actor_kind(&self) -> &str {
        &self.0.actor_kind
    }
    /// Who acted, e.g. `unit:market-regulation` or `system:escalation`. A partner department sees
    /// other units only as `unit`: what another department does on a shared task is its own.
    async fn actor(&self, ctx: &Context<'_>) -> Result<String> {
        let scope = &rc(ctx)?.cx.scope;
        let other_unit = scope.unit_id().is_some() && self.0.actor.starts_with("unit:") && self.0.actor != scope.label();
        Ok(if other_unit { "unit".to_owned() } else { self.0.actor.clone() })
    }
    /// The note, reason or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Photo URLs attached.
    async fn evidence(&self) -> Vec<String> {
        from_json_list(&self.0.evidence)
    }
    /// When it happened.
    async fn at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The unit concerned, for share events.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<CoBuildingUnit>> {
        match self.0.unit_id {
            Some(u) => Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(UnitOfEvent(u)).await?.map(CoBuildingUnit)),
            None => Ok(None),
        }
    }
    /// The task.
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        Ok(crate::collaboration::loaders::collab_loader(ctx)?.load_one(TaskId(self.0.task_id)).await?.map(Task))
    }
}

// ---------------------------------------------------------------- Inspection and Finding

// ---------------------------------------------------------------- queries

/// Filters on task lists.
#[derive(InputObject, Default)]
pub struct TaskFilter {
    /// Only this community.
    pub community_id: Option<ID>,
    /// Only this campaign.
    pub campaign_id: Option<ID>,
    /// Only these statuses.
    pub statuses: Option<Vec<TaskStatus>>,
    /// Only this level (e.g. `STREET` for what was escalated to the street).
    pub level: Option<TaskLevel>,
    /// Only tasks with a share for this unit.
    pub unit_id: Option<ID>,
    /// Only open tasks past their due time.
    #[graphql(default)]
    pub overdue: bool,
    /// Only tasks with an open share whose unit's committee seat ended (`Assignment.seatEnded`):
    /// the shares staff have to reassign.
    #[graphql(default)]
    pub has_shares_of_ended_seats: bool,
}

impl TaskFilter {
    fn decode(&self) -> Result<service::TaskFilter, AppError> {
        Ok(service::TaskFilter {
            community_id: self
                .community_id
                .as_ref()
                .map(|id| expect_id(id, kind::COMMUNITY, "communityId").map(CommunityId))
                .transpose()?,
            campaign_id: self.campaign_id.as_ref().map(|id| expect_id(id, kind::CAMPAIGN, "campaignId").map(CampaignId)).transpose()?,
            statuses: self.statuses.clone().unwrap_or_default().into_iter().map(Into::into).collect(),
            level: self.level.map(Into::into),
            unit_id: self.unit_id.as_ref().map(|id| expect_id(id, kind::CO_BUILDING_UNIT, "unitId").map(UnitId)).transpose()?,
            overdue: self.overdue,
            has_shares_of_ended_seats: self.has_shares_of_ended_seats,
        })
    }
}

struct TaskCount(service::TaskFilter);

#[async_trait::async_trait]
impl CountSource for TaskCount {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        service::task_count(&rc(ctx)?.cx, &self.0).await
    }
}

/// Queries of tasks.
#[derive(Default)]
pub struct TaskQuery;

/// Queries of tasks.
#[Object]
impl TaskQuery {
    /// Tasks in the caller's scope: staff and reporters see their communities' tasks; a partner
    /// department sees the tasks it has a share of.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Filters.")] filter: Option<TaskFilter>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Task>> {
        let r = rc(ctx)?;
        let args = PageArgs::new(first, after, last, before)?;
        let filter = filter.unwrap_or_default().decode()?;
        let page = service::tasks(&r.cx, &filter, &args).await?;
        Ok(page.into_connection(|m| m.id, Task, TotalCount::lazy(TaskCount(filter))))
    }
}

/// Input of `createTask`.
#[derive(InputObject)]
pub struct CreateTaskInput {
    /// The community the task belongs to.
    pub community_id: ID,
    /// Short title.
    pub title: String,
    /// What is to be done.
    #[graphql(default)]
    pub description: String,
    /// Kind of work.
    pub category: TaskCategory,
    /// Urgency.
    #[graphql(default_with = "TaskPriority::Normal")]
    pub priority: TaskPriority,
    /// When it is due; past it, the task escalates.
    pub due_at: Option<DateTime<Utc>>,
    /// The campaign it belongs to (the community must take part).
    pub campaign_id: Option<ID>,
    /// Where the work happens.
    pub site_id: Option<ID>,
    /// Photo URLs.
    #[graphql(default)]
    pub evidence: Vec<String>,
}

/// Result of `createTask` and `createTaskFromFinding`.
#[derive(SimpleObject)]
pub struct TaskPayload {
    /// The task.
    pub task: Task,
}

/// Input of `updateTask`; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateTaskInput {
    /// The task.
    pub id: ID,
    /// The version the change is based on; a mismatch answers `CONFLICT`.
    pub expected_version: Option<i32>,
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New urgency.
    pub priority: Option<TaskPriority>,
    /// New due time.
    pub due_at: Option<DateTime<Utc>>,
    /// New photo URLs.
    pub evidence: Option<Vec<String>>,
}

/// Input of the staff transitions `verifyTask`, `reopenTask`, `cancelTask` and `escalateTask`.
#[derive(InputObject)]
pub struct TaskTransitionInput {
    /// The task.
    pub id: ID,
    /// The version the change is based on; a mismatch answers `CONFLICT`.
    pub expected_version: Option<i32>,
    /// Why, for the timeline.
    pub note: Option<String>,
}

/// Input of `commentOnTask`.
#[derive(InputObject)]
pub struct CommentOnTaskInput {
    /// The task.
    pub task_id: ID,
    /// The comment.
    pub note: String,
    /// Photo URLs.
    #[graphql(default)]
    pub evidence: Vec<String>,
    /// A retry with the same key returns the first comment and adds nothing.
    pub idempotency_key: Option<String>,
}

/// Result of `commentOnTask`.
#[derive(SimpleObject)]
pub struct CommentOnTaskPayload {
    /// The task.
    pub task: Task,
    /// The comment's timeline entry.
    pub event: TaskEvent,
}

/// Creating and editing tasks.
#[derive(Default)]
pub struct TaskMutation;

/// Creating and editing tasks.
#[Object]
impl TaskMutation {
    /// Reports a task in a community (staff).
    async fn create_task(&self, ctx: &Context<'_>, input: CreateTaskInput) -> Result<TaskPayload> {
        let r = rc(ctx)?;
        let new = service::NewTask {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId").map(CommunityId)?,
            title: input.title,
            description: input.description,
            category: input.category.into(),
            priority: input.priority.into(),
            due_at: input.due_at,
            campaign_id: input.campaign_id.as_ref().map(|id| expect_id(id, kind::CAMPAIGN, "campaignId").map(CampaignId)).transpose()?,
            site_id: input.site_id.as_ref().map(|id| expect_id(id, kind::SITE, "siteId").map(SiteId)).transpose()?,
            evidence: input.evidence,
        };
        Ok(TaskPayload { task: Task(service::create_task(&r.cx, new).await?) })
    }

    /// Edits an open task (staff).
    async fn update_task(&self, ctx: &Context<'_>, input: UpdateTaskInput) -> Result<TaskPayload> {
        let r = rc(ctx)?;
        let id = TaskId(expect_id(&input.id, kind::TASK, "id")?);
        let changes = service::TaskChanges {
            expected_version: input.expected_version,
            title: input.title,
            description: input.description,
            priority: input.priority.map(Into::into),
            due_at: input.due_at,
            evidence: input.evidence,
        };
        Ok(TaskPayload { task: Task(service::update_task(&r.cx, id, changes).await?) })
    }
}

/// The staff's transitions of a task.
#[derive(Default)]
pub struct TaskTransitionMutation;

/// The staff's transitions of a task.
#[Object]
impl TaskTransitionMutation {
    /// Closes a resolved task as verified (staff).
    async fn verify_task(&self, ctx: &Context<'_>, input: TaskTransitionInput) -> Result<TaskPayload> {
        staff(ctx, input, TaskAction::Verify).await
    }

    /// Sends a resolved task back to work (staff).
    async fn reopen_task(&self, ctx: &Context<'_>, input: TaskTransitionInput) -> Result<TaskPayload> {
        staff(ctx, input, TaskAction::Reopen).await
    }

    /// Cancels an open task (staff).
    async fn cancel_task(&self, ctx: &Context<'_>, input: TaskTransitionInput) -> Result<TaskPayload> {
        staff(ctx, input, TaskAction::Cancel).await
    }
}

/// Comments on a task.
#[derive(Default)]
pub struct CommentMutation;

/// Comments on a task.
#[Object]
impl CommentMutation {
    /// Adds a comment to a task's timeline (staff, or a unit with a share).
    async fn comment_on_task(&self, ctx: &Context<'_>, input: CommentOnTaskInput) -> Result<CommentOnTaskPayload> {
        let r = rc(ctx)?;
        let task = TaskId(expect_id(&input.task_id, kind::TASK, "taskId")?);
        let (task, event) = service::comment(&r.cx, task, input.note, input.evidence, input.idempotency_key).await?;
        Ok(CommentOnTaskPayload { task: Task(task), event: TaskEvent(event) })
    }
}

pub(super) async fn staff(ctx: &Context<'_>, input: TaskTransitionInput, action: TaskAction) -> Result<TaskPayload> {
    let r = rc(ctx)?;
    let id = TaskId(expect_id(&input.id, kind::TASK, "id")?);
    Ok(TaskPayload { task: Task(service::staff_action(&r.cx, id, action, input.expected_version, input.note).await?) })
}

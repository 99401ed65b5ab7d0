//! GraphQL types, queries, mutations and the live `taskEvents` subscription of collaboration.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject, Subscription};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{api_key, assignment, campaign, finding, inspection, site, task, task_event};
use futures_util::Stream;
use uuid::Uuid;

use super::loaders::*;
use super::workflow::{AssignmentAction, TaskAction};
use super::{partner, service};
use crate::error::AppError;
use crate::graphql::connection::{Conn, CountSource, TotalCount};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::organisation::graphql::{
    CoBuildingUnit, CommitteeMembership, Community, Compound, EndCommitteeMembershipInput, EndCommitteeMembershipPayload, PartyOrganization,
};
use crate::organisation::loaders::{CommunityId, CompoundId, OrganizationId, UnitId, UnitOfEvent};
use crate::paging::PageArgs;
use crate::validate::from_json_list;

/// The type names this noun's global ids carry.
pub mod kind {
    pub use crate::organisation::graphql::kind::*;
    pub const CAMPAIGN: &str = "Campaign";
    pub const SITE: &str = "Site";
    pub const TASK: &str = "Task";
    pub const ASSIGNMENT: &str = "Assignment";
    pub const TASK_EVENT: &str = "TaskEvent";
    pub const INSPECTION: &str = "Inspection";
    pub const FINDING: &str = "Finding";
    pub const API_KEY: &str = "ApiKey";
}

// ---------------------------------------------------------------- enums

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

/// A unit's role on a task.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::assignment::AssignmentRole")]
pub enum AssignmentRole {
    /// The lead unit: the task resolves when its share is done.
    Lead,
    /// A supporting unit.
    Support,
}

/// A unit's progress on its share.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::assignment::AssignmentStatus")]
pub enum AssignmentStatus {
    /// Waiting for the unit to accept or decline.
    Pending,
    /// Accepted, not started.
    Accepted,
    /// Declined, with a reason.
    Declined,
    /// Being worked on.
    InProgress,
    /// Done.
    Done,
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

/// What a site is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::site::SiteKind")]
pub enum SiteKind {
    /// A market, such as 梅岭综合市场.
    Market,
    /// A street or lane.
    Street,
    /// A compound gate.
    CompoundGate,
    /// A compound.
    Compound,
    /// Anything else.
    Other,
}

// ---------------------------------------------------------------- Campaign

/// A campaign (专项行动): a street-level action across communities, e.g. 党员有担当，市场整治我有责.
pub struct Campaign(pub campaign::Model);

/// A campaign (专项行动): a street-level action across communities, e.g. 党员有担当，市场整治我有责.
#[Object]
impl Campaign {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::CAMPAIGN, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What it sets out to achieve.
    async fn goal(&self) -> &str {
        &self.0.goal
    }
    /// First day.
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    /// Last day, if set.
    async fn ends_on(&self) -> Option<NaiveDate> {
        self.0.ends_on
    }
    /// The organisation leading it.
    async fn lead_organization(&self, ctx: &Context<'_>) -> Result<Option<PartyOrganization>> {
        match self.0.lead_organization_id {
            Some(id) => {
                Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(OrganizationId(id)).await?.map(PartyOrganization::Local))
            }
            None => Ok(None),
        }
    }
    /// The communities taking part (those the caller may see).
    async fn communities(&self, ctx: &Context<'_>) -> Result<Vec<Community>> {
        let ids = crate::collaboration::loaders::collab_loader(ctx)?.load_one(CampaignCommunities(self.0.id)).await?.unwrap_or_default();
        Ok(crate::organisation::loaders::org_loader(ctx)?
            .load_many(ids.into_iter().map(CommunityId))
            .await?
            .into_values()
            .map(Community)
            .collect())
    }
    /// Version, incremented by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

// ---------------------------------------------------------------- Site

/// A place in a community where work happens: a market, a street, a compound gate.
pub struct Site(pub site::Model);

/// A place in a community where work happens: a market, a street, a compound gate.
#[Object]
impl Site {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::SITE, self.0.id)
    }
    /// Name, e.g. 梅岭综合市场.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the site is.
    async fn kind(&self) -> SiteKind {
        self.0.kind.into()
    }
    /// Address.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// The community.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        Ok(Community(loaded(
            crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityId(self.0.community_id)).await?,
            "community",
        )?))
    }
    /// The compound the site belongs to, if any.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Option<Compound>> {
        match self.0.compound_id {
            Some(c) => Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(CompoundId(c)).await?.map(Compound)),
            None => Ok(None),
        }
    }
}

// ---------------------------------------------------------------- Task

/// A task (任务): work in one community, split across co-building units, with a workflow,
/// a timeline and escalation up the three levels.
pub struct Task(pub task::Model);
crate::graphql::connection::connection_node!(Task);

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
        super::workflow::is_open(self.0.status) && self.0.due_at.is_some_and(|d| d < Utc::now())
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
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        Ok(Community(loaded(
            crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityId(self.0.community_id)).await?,
            "community",
        )?))
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

/// A unit's share of a task (指派), with its own status.
pub struct Assignment(pub assignment::Model);

/// A unit's share of a task (指派), with its own status.
#[Object]
impl Assignment {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::ASSIGNMENT, self.0.id)
    }
    /// Lead or supporting unit.
    async fn role(&self) -> AssignmentRole {
        self.0.role.into()
    }
    /// The unit's progress.
    async fn status(&self) -> AssignmentStatus {
        self.0.status.into()
    }
    /// Why the unit declined.
    async fn decline_reason(&self) -> Option<&str> {
        self.0.decline_reason.as_deref()
    }
    /// The latest note on the share.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// When the share was assigned.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the share last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Version, incremented by every change; pass it as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Whether the unit's seat on the community's joint committee ended (`endCommitteeMembership`)
    /// while this share was open. The unit no longer sees the task; staff hand the share to a
    /// seated unit with `reassignShare`, or cancel the task.
    async fn seat_ended(&self) -> bool {
        self.0.seat_ended
    }
    /// The unit.
    async fn unit(&self, ctx: &Context<'_>) -> Result<CoBuildingUnit> {
        Ok(CoBuildingUnit(loaded(crate::organisation::loaders::org_loader(ctx)?.load_one(UnitId(self.0.unit_id)).await?, "unit")?))
    }
    /// The task.
    async fn task(&self, ctx: &Context<'_>) -> Result<Task> {
        Ok(Task(loaded(crate::collaboration::loaders::collab_loader(ctx)?.load_one(TaskId(self.0.task_id)).await?, "task")?))
    }
}

// ---------------------------------------------------------------- TaskEvent

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

/// An inspection (巡查) of a site by a patrol team such as the civility patrol (文明劝导队).
pub struct Inspection(pub inspection::Model);
crate::graphql::connection::connection_node!(Inspection);

/// An inspection (巡查) of a site by a patrol team such as the civility patrol (文明劝导队).
#[Object]
impl Inspection {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::INSPECTION, self.0.id)
    }
    /// The patrol team.
    async fn patrol(&self) -> &str {
        &self.0.patrol
    }
    /// When the inspection took place.
    async fn inspected_at(&self) -> DateTime<Utc> {
        self.0.inspected_at
    }
    /// General note.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Who recorded it.
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    /// The community.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        Ok(Community(loaded(
            crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityId(self.0.community_id)).await?,
            "community",
        )?))
    }
    /// The site inspected.
    async fn site(&self, ctx: &Context<'_>) -> Result<Option<Site>> {
        match self.0.site_id {
            Some(s) => Ok(crate::collaboration::loaders::collab_loader(ctx)?.load_one(SiteId(s)).await?.map(Site)),
            None => Ok(None),
        }
    }
    /// What was found.
    async fn findings(&self, ctx: &Context<'_>) -> Result<Vec<Finding>> {
        Ok(crate::collaboration::loaders::collab_loader(ctx)?
            .load_one(FindingsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Finding)
            .collect())
    }
}

/// Something an inspection found; `createTaskFromFinding` turns it into a task.
pub struct Finding(pub finding::Model);

/// Something an inspection found; `createTaskFromFinding` turns it into a task.
#[Object]
impl Finding {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::FINDING, self.0.id)
    }
    /// What was found.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Kind of problem.
    async fn category(&self) -> TaskCategory {
        self.0.category.into()
    }
    /// Photo URLs.
    async fn evidence(&self) -> Vec<String> {
        from_json_list(&self.0.evidence)
    }
    /// The task made from it, if any.
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        match self.0.task_id {
            Some(t) => Ok(crate::collaboration::loaders::collab_loader(ctx)?.load_one(TaskId(t)).await?.map(Task)),
            None => Ok(None),
        }
    }
}

// ---------------------------------------------------------------- ApiKey

/// A partner department's API key. The secret itself is shown only once, when it is created.
pub struct ApiKey(pub api_key::Model);

/// A partner department's API key. The secret itself is shown only once, when it is created.
#[Object]
impl ApiKey {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::API_KEY, self.0.id)
    }
    /// What the key is for, e.g. 市场监管局工单系统.
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// The first characters of the key, to recognise it.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    /// The unit the key acts as.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<CoBuildingUnit>> {
        Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(UnitId(self.0.unit_id)).await?.map(CoBuildingUnit))
    }
    /// Who issued it.
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    /// When it was issued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was revoked.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// When it was last used (to the minute).
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// Whether it still works.
    async fn active(&self) -> bool {
        self.0.revoked_at.is_none()
    }
}

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
            community_id: self.community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId")).transpose()?,
            campaign_id: self.campaign_id.as_ref().map(|id| expect_id(id, kind::CAMPAIGN, "campaignId")).transpose()?,
            statuses: self.statuses.clone().unwrap_or_default().into_iter().map(Into::into).collect(),
            level: self.level.map(Into::into),
            unit_id: self.unit_id.as_ref().map(|id| expect_id(id, kind::CO_BUILDING_UNIT, "unitId")).transpose()?,
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

/// Queries of collaboration.
#[derive(Default)]
pub struct CollabQuery;

/// Queries of collaboration.
#[Object]
impl CollabQuery {
    /// The campaigns the caller's communities take part in.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn campaigns(&self, ctx: &Context<'_>) -> Result<Vec<Campaign>> {
        Ok(service::campaigns(&rc(ctx)?.cx).await?.into_iter().map(Campaign).collect())
    }

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

    /// Inspections in the caller's scope (staff and reporters).
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn inspections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Inspection>> {
        let r = rc(ctx)?;
        let args = PageArgs::new(first, after, last, before)?;
        let community = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId")).transpose()?;
        let page = service::inspections(&r.cx, community, &args).await?;
        Ok(page.into_connection(|m| m.id, Inspection, TotalCount::lazy(InspectionCount(community))))
    }

    /// The sites of a community.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn sites(&self, ctx: &Context<'_>, #[graphql(desc = "The community.")] community_id: ID) -> Result<Vec<Site>> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let c = expect_id(&community_id, kind::COMMUNITY, "communityId")?;
        Ok(crate::collaboration::loaders::collab_loader(ctx)?
            .load_one(SitesOf(c))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Site)
            .collect())
    }

    /// API keys of partner departments (street admins).
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn api_keys(&self, ctx: &Context<'_>, #[graphql(desc = "Only this unit's keys.")] unit_id: Option<ID>) -> Result<Vec<ApiKey>> {
        let r = rc(ctx)?;
        let unit = unit_id.as_ref().map(|id| expect_id(id, kind::CO_BUILDING_UNIT, "unitId")).transpose()?;
        Ok(partner::api_keys(&r.cx, unit).await?.into_iter().map(ApiKey).collect())
    }
}

struct InspectionCount(Option<Uuid>);

#[async_trait::async_trait]
impl CountSource for InspectionCount {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        service::inspection_count(&rc(ctx)?.cx, self.0).await
    }
}

// ---------------------------------------------------------------- mutations

/// Input of `createCampaign`.
#[derive(InputObject)]
pub struct CreateCampaignInput {
    /// Name, e.g. 农贸市场系列整治.
    pub name: String,
    /// What it sets out to achieve.
    #[graphql(default)]
    pub goal: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: Option<NaiveDate>,
    /// The communities taking part.
    pub community_ids: Vec<ID>,
    /// The leading party organisation (a joint committee or branch).
    pub lead_organization_id: Option<ID>,
}

/// Result of `createCampaign`.
#[derive(SimpleObject)]
pub struct CreateCampaignPayload {
    /// The new campaign.
    pub campaign: Campaign,
}

/// Input of `updateCampaign`; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateCampaignInput {
    /// The campaign.
    pub id: ID,
    /// The version the change is based on; a mismatch answers `CONFLICT`.
    pub expected_version: Option<i32>,
    /// New name.
    pub name: Option<String>,
    /// New goal.
    pub goal: Option<String>,
    /// New last day.
    pub ends_on: Option<NaiveDate>,
    /// Communities joining the campaign.
    #[graphql(default)]
    pub add_community_ids: Vec<ID>,
    /// Communities leaving the campaign; each must have no open task in it, and one community
    /// stays at least.
    #[graphql(default)]
    pub remove_community_ids: Vec<ID>,
}

/// Result of `updateCampaign`.
#[derive(SimpleObject)]
pub struct UpdateCampaignPayload {
    /// The campaign as changed.
    pub campaign: Campaign,
}

/// Input of `createSite`.
#[derive(InputObject)]
pub struct CreateSiteInput {
    /// The community.
    pub community_id: ID,
    /// Name, unique in the community.
    pub name: String,
    /// What the site is.
    pub kind: SiteKind,
    /// The compound, if the site is part of one.
    pub compound_id: Option<ID>,
    /// Address.
    pub address: Option<String>,
}

/// Result of `createSite`.
#[derive(SimpleObject)]
pub struct CreateSitePayload {
    /// The new site.
    pub site: Site,
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

/// Input of `assignTask`.
#[derive(InputObject)]
pub struct AssignTaskInput {
    /// The task.
    pub task_id: ID,
    /// The unit; it must sit on the community's joint committee.
    pub unit_id: ID,
    /// Lead or supporting unit.
    #[graphql(default_with = "AssignmentRole::Support")]
    pub role: AssignmentRole,
    /// The task version the change is based on.
    pub expected_version: Option<i32>,
    /// A note for the unit.
    pub note: Option<String>,
}

/// Result of `assignTask`.
#[derive(SimpleObject)]
pub struct AssignTaskPayload {
    /// The task.
    pub task: Task,
    /// The new share.
    pub assignment: Assignment,
}

/// Input of `reassignShare`.
#[derive(InputObject)]
pub struct ReassignShareInput {
    /// The share whose unit's committee seat ended (`seatEnded: true`).
    pub id: ID,
    /// The unit taking the share over; it must sit on the community's joint committee.
    pub unit_id: ID,
    /// The share's version the change is based on; a mismatch answers `CONFLICT`.
    pub expected_version: Option<i32>,
    /// A note for the unit taking over.
    pub note: Option<String>,
}

/// Result of `reassignShare`.
#[derive(SimpleObject)]
pub struct ReassignSharePayload {
    /// The task.
    pub task: Task,
    /// The new share: the same role, pending with the unit taking over.
    pub assignment: Assignment,
    /// The share given up: declined, still flagged `seatEnded`.
    pub previous: Assignment,
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

/// Input of a unit's action on its share.
#[derive(InputObject)]
pub struct AssignmentActionInput {
    /// The share.
    pub id: ID,
    /// The share's version the change is based on; a mismatch answers `CONFLICT`.
    pub expected_version: Option<i32>,
    /// A note for the timeline.
    pub note: Option<String>,
    /// Photo URLs, e.g. of the cleared street.
    #[graphql(default)]
    pub evidence: Vec<String>,
    /// Required to decline: why.
    pub reason: Option<String>,
    /// A retry with the same key returns the first result and changes nothing again.
    pub idempotency_key: Option<String>,
}

/// Result of a unit's action on its share.
#[derive(SimpleObject)]
pub struct AssignmentPayload {
    /// The share as it is now.
    pub assignment: Assignment,
    /// The task as it is now.
    pub task: Task,
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

/// One finding of an inspection.
#[derive(InputObject)]
pub struct FindingInput {
    /// What was found.
    pub description: String,
    /// Kind of problem.
    pub category: TaskCategory,
    /// Photo URLs.
    #[graphql(default)]
    pub evidence: Vec<String>,
}

/// Input of `createInspection`.
#[derive(InputObject)]
pub struct CreateInspectionInput {
    /// The community.
    pub community_id: ID,
    /// The site inspected.
    pub site_id: Option<ID>,
    /// The patrol team, e.g. 文明劝导队.
    pub patrol: String,
    /// When (default now).
    pub inspected_at: Option<DateTime<Utc>>,
    /// General note.
    pub note: Option<String>,
    /// What was found.
    #[graphql(default)]
    pub findings: Vec<FindingInput>,
}

/// Result of `createInspection`.
#[derive(SimpleObject)]
pub struct CreateInspectionPayload {
    /// The inspection with its findings.
    pub inspection: Inspection,
}

/// Input of `createTaskFromFinding`.
#[derive(InputObject)]
pub struct CreateTaskFromFindingInput {
    /// The finding.
    pub finding_id: ID,
    /// Title (default: the start of the finding's description).
    pub title: Option<String>,
    /// Urgency.
    #[graphql(default_with = "TaskPriority::Normal")]
    pub priority: TaskPriority,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// The campaign it belongs to.
    pub campaign_id: Option<ID>,
}

/// Input of `createApiKey`.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// The unit the key acts as.
    pub unit_id: ID,
    /// What the key is for.
    pub label: String,
}

/// Result of `createApiKey`.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    /// The key's record.
    pub api_key: ApiKey,
    /// The key itself, shown this once: send it as `Authorization: ApiKey <secret>`.
    pub secret: String,
}

/// Input of `revokeApiKey`.
#[derive(InputObject)]
pub struct RevokeApiKeyInput {
    /// The key.
    pub id: ID,
}

/// Result of `revokeApiKey`.
#[derive(SimpleObject)]
pub struct RevokeApiKeyPayload {
    /// The revoked key.
    pub api_key: ApiKey,
}

fn ids(list: &[ID], k: &str, field: &str) -> Result<Vec<Uuid>, AppError> {
    list.iter().map(|id| expect_id(id, k, field)).collect()
}

/// Mutations of collaboration; each is one transaction with its timeline and audit record.
#[derive(Default)]
pub struct CollabMutation;

impl CollabMutation {
    async fn staff(&self, ctx: &Context<'_>, input: TaskTransitionInput, action: TaskAction) -> Result<TaskPayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::TASK, "id")?;
        Ok(TaskPayload { task: Task(service::staff_action(&r.cx, id, action, input.expected_version, input.note).await?) })
    }

    async fn share(&self, ctx: &Context<'_>, input: AssignmentActionInput, action: AssignmentAction) -> Result<AssignmentPayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::ASSIGNMENT, "id")?;
        let share = service::ShareInput {
            expected_version: input.expected_version,
            note: input.note,
            evidence: input.evidence,
            reason: input.reason,
            idempotency_key: input.idempotency_key,
        };
        let (task, assignment) = service::share_action(&r.cx, id, action, share).await?;
        Ok(AssignmentPayload { assignment: Assignment(assignment), task: Task(task) })
    }
}

/// Mutations of collaboration; each is one transaction with its timeline and audit record.
#[Object]
impl CollabMutation {
    /// Launches a campaign across communities of the street (street admins).
    async fn create_campaign(&self, ctx: &Context<'_>, input: CreateCampaignInput) -> Result<CreateCampaignPayload> {
        let r = rc(ctx)?;
        let new = service::NewCampaign {
            name: input.name,
            goal: input.goal,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            community_ids: ids(&input.community_ids, kind::COMMUNITY, "communityIds")?,
            lead_organization_id: input
                .lead_organization_id
                .as_ref()
                .map(|id| expect_id(id, kind::PARTY_ORGANIZATION, "leadOrganizationId"))
                .transpose()?,
        };
        Ok(CreateCampaignPayload { campaign: Campaign(service::create_campaign(&r.cx, new).await?) })
    }

    /// Edits a campaign, or lets more communities join it (street admins).
    async fn update_campaign(&self, ctx: &Context<'_>, input: UpdateCampaignInput) -> Result<UpdateCampaignPayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::CAMPAIGN, "id")?;
        let changes = service::CampaignChanges {
            expected_version: input.expected_version,
            name: input.name,
            goal: input.goal,
            ends_on: input.ends_on,
            add_community_ids: ids(&input.add_community_ids, kind::COMMUNITY, "addCommunityIds")?,
            remove_community_ids: ids(&input.remove_community_ids, kind::COMMUNITY, "removeCommunityIds")?,
        };
        Ok(UpdateCampaignPayload { campaign: Campaign(service::update_campaign(&r.cx, id, changes).await?) })
    }

    /// Adds a site to a community (staff).
    async fn create_site(&self, ctx: &Context<'_>, input: CreateSiteInput) -> Result<CreateSitePayload> {
        let r = rc(ctx)?;
        let new = service::NewSite {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId")?,
            name: input.name,
            kind: input.kind.into(),
            compound_id: input.compound_id.as_ref().map(|id| expect_id(id, kind::COMPOUND, "compoundId")).transpose()?,
            address: input.address,
        };
        Ok(CreateSitePayload { site: Site(service::create_site(&r.cx, new).await?) })
    }

    /// Reports a task in a community (staff).
    async fn create_task(&self, ctx: &Context<'_>, input: CreateTaskInput) -> Result<TaskPayload> {
        let r = rc(ctx)?;
        let new = service::NewTask {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId")?,
            title: input.title,
            description: input.description,
            category: input.category.into(),
            priority: input.priority.into(),
            due_at: input.due_at,
            campaign_id: input.campaign_id.as_ref().map(|id| expect_id(id, kind::CAMPAIGN, "campaignId")).transpose()?,
            site_id: input.site_id.as_ref().map(|id| expect_id(id, kind::SITE, "siteId")).transpose()?,
            evidence: input.evidence,
        };
        Ok(TaskPayload { task: Task(service::create_task(&r.cx, new).await?) })
    }

    /// Edits an open task (staff).
    async fn update_task(&self, ctx: &Context<'_>, input: UpdateTaskInput) -> Result<TaskPayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::TASK, "id")?;
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

    /// Gives a co-building unit of the community's joint committee a share of a task (staff).
    async fn assign_task(&self, ctx: &Context<'_>, input: AssignTaskInput) -> Result<AssignTaskPayload> {
        let r = rc(ctx)?;
        let task = expect_id(&input.task_id, kind::TASK, "taskId")?;
        let unit = expect_id(&input.unit_id, kind::CO_BUILDING_UNIT, "unitId")?;
        let (task, share) = service::assign_task(&r.cx, task, unit, input.role.into(), input.expected_version, input.note).await?;
        Ok(AssignTaskPayload { task: Task(task), assignment: Assignment(share) })
    }

    /// Hands an open share whose unit's committee seat ended to another unit seated on the
    /// community's joint committee (staff).
    async fn reassign_share(&self, ctx: &Context<'_>, input: ReassignShareInput) -> Result<ReassignSharePayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::ASSIGNMENT, "id")?;
        let unit = expect_id(&input.unit_id, kind::CO_BUILDING_UNIT, "unitId")?;
        let (task, share, previous) = service::reassign_share(&r.cx, id, unit, input.expected_version, input.note).await?;
        Ok(ReassignSharePayload { task: Task(task), assignment: Assignment(share), previous: Assignment(previous) })
    }

    /// Ends a unit's seat on a joint committee (street or community administrators). The unit's
    /// open shares of the community's open tasks are flagged `seatEnded`, with a `SEAT_ENDED`
    /// entry on each task's timeline, for staff to reassign.
    async fn end_committee_membership(
        &self,
        ctx: &Context<'_>,
        input: EndCommitteeMembershipInput,
    ) -> Result<EndCommitteeMembershipPayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::COMMITTEE_MEMBERSHIP, "id")?;
        let (m, _) = service::end_committee_seat(&r.cx, id, input.until, input.expected_version).await?;
        Ok(EndCommitteeMembershipPayload { membership: CommitteeMembership(m) })
    }

    /// Closes a resolved task as verified (staff).
    async fn verify_task(&self, ctx: &Context<'_>, input: TaskTransitionInput) -> Result<TaskPayload> {
        self.staff(ctx, input, TaskAction::Verify).await
    }

    /// Sends a resolved task back to work (staff).
    async fn reopen_task(&self, ctx: &Context<'_>, input: TaskTransitionInput) -> Result<TaskPayload> {
        self.staff(ctx, input, TaskAction::Reopen).await
    }

    /// Cancels an open task (staff).
    async fn cancel_task(&self, ctx: &Context<'_>, input: TaskTransitionInput) -> Result<TaskPayload> {
        self.staff(ctx, input, TaskAction::Cancel).await
    }

    /// Raises an open task one level: community → street (community or street staff), street →
    /// city (street staff only: taking a task to the city is the street's decision).
    async fn escalate_task(&self, ctx: &Context<'_>, input: TaskTransitionInput) -> Result<TaskPayload> {
        self.staff(ctx, input, TaskAction::Escalate).await
    }

    /// The assigned unit accepts its share.
    async fn accept_assignment(&self, ctx: &Context<'_>, input: AssignmentActionInput) -> Result<AssignmentPayload> {
        self.share(ctx, input, AssignmentAction::Accept).await
    }

    /// The assigned unit declines its share, giving a `reason`.
    async fn decline_assignment(&self, ctx: &Context<'_>, input: AssignmentActionInput) -> Result<AssignmentPayload> {
        self.share(ctx, input, AssignmentAction::Decline).await
    }

    /// The assigned unit starts work on its share.
    async fn start_assignment(&self, ctx: &Context<'_>, input: AssignmentActionInput) -> Result<AssignmentPayload> {
        self.share(ctx, input, AssignmentAction::Start).await
    }

    /// The assigned unit reports its share done, with notes and evidence.
    async fn resolve_assignment(&self, ctx: &Context<'_>, input: AssignmentActionInput) -> Result<AssignmentPayload> {
        self.share(ctx, input, AssignmentAction::Resolve).await
    }

    /// Adds a comment to a task's timeline (staff, or a unit with a share).
    async fn comment_on_task(&self, ctx: &Context<'_>, input: CommentOnTaskInput) -> Result<CommentOnTaskPayload> {
        let r = rc(ctx)?;
        let task = expect_id(&input.task_id, kind::TASK, "taskId")?;
        let (task, event) = service::comment(&r.cx, task, input.note, input.evidence, input.idempotency_key).await?;
        Ok(CommentOnTaskPayload { task: Task(task), event: TaskEvent(event) })
    }

    /// Records a patrol's inspection with its findings (staff).
    async fn create_inspection(&self, ctx: &Context<'_>, input: CreateInspectionInput) -> Result<CreateInspectionPayload> {
        let r = rc(ctx)?;
        let new = service::NewInspection {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId")?,
            site_id: input.site_id.as_ref().map(|id| expect_id(id, kind::SITE, "siteId")).transpose()?,
            patrol: input.patrol,
            inspected_at: input.inspected_at,
            note: input.note,
            findings: input
                .findings
                .into_iter()
                .map(|f| service::NewFinding { description: f.description, category: f.category.into(), evidence: f.evidence })
                .collect(),
        };
        Ok(CreateInspectionPayload { inspection: Inspection(service::create_inspection(&r.cx, new).await?) })
    }

    /// Turns an inspection finding into a task in one step (staff).
    async fn create_task_from_finding(&self, ctx: &Context<'_>, input: CreateTaskFromFindingInput) -> Result<TaskPayload> {
        let r = rc(ctx)?;
        let finding = expect_id(&input.finding_id, kind::FINDING, "findingId")?;
        let extra = service::FindingTask {
            title: input.title,
            priority: input.priority.into(),
            due_at: input.due_at,
            campaign_id: input.campaign_id.as_ref().map(|id| expect_id(id, kind::CAMPAIGN, "campaignId")).transpose()?,
        };
        Ok(TaskPayload { task: Task(service::task_from_finding(&r.cx, finding, extra).await?) })
    }

    /// Issues an API key for a partner department (street admins). The secret is shown once.
    async fn create_api_key(&self, ctx: &Context<'_>, input: CreateApiKeyInput) -> Result<CreateApiKeyPayload> {
        let r = rc(ctx)?;
        let unit = expect_id(&input.unit_id, kind::CO_BUILDING_UNIT, "unitId")?;
        let (key, secret) = partner::create_api_key(&r.cx, unit, &input.label).await?;
        Ok(CreateApiKeyPayload { api_key: ApiKey(key), secret })
    }

    /// Revokes an API key at once (street admins).
    async fn revoke_api_key(&self, ctx: &Context<'_>, input: RevokeApiKeyInput) -> Result<RevokeApiKeyPayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::API_KEY, "id")?;
        let key = partner::revoke_api_key(&r.cx, id).await?;
        Ok(RevokeApiKeyPayload { api_key: ApiKey(key) })
    }
}

// ---------------------------------------------------------------- subscription

/// Live updates.
#[derive(Default)]
pub struct CollabSubscription;

/// Live updates.
#[Subscription]
impl CollabSubscription {
    /// Timeline entries of tasks as they are committed, within the subscriber's scope.
    async fn task_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
        #[graphql(desc = "Only this campaign.")] campaign_id: Option<ID>,
        #[graphql(desc = "Only tasks with a share for this unit.")] unit_id: Option<ID>,
    ) -> Result<impl Stream<Item = TaskEvent> + use<>> {
        use futures_util::StreamExt;
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let community = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId")).transpose()?;
        let campaign = campaign_id.as_ref().map(|id| expect_id(id, kind::CAMPAIGN, "campaignId")).transpose()?;
        let unit = unit_id.as_ref().map(|id| expect_id(id, kind::CO_BUILDING_UNIT, "unitId")).transpose()?;
        let scope = r.cx.scope.clone();
        let stream =
            tokio_stream::wrappers::BroadcastStream::new(ctx.data::<super::live::LiveTasks>()?.subscribe()).filter_map(move |item| {
                let out = match item {
                    Ok(e)
                        if super::visibility::sees_live_event(&scope, &e)
                            && community.is_none_or(|c| c == e.event.community_id)
                            && campaign.is_none_or(|c| Some(c) == e.campaign_id)
                            && unit.is_none_or(|u| e.unit_ids.contains(&u)) =>
                    {
                        Some(TaskEvent(e.event.clone()))
                    }
                    // A lagging subscriber skips what it missed rather than failing.
                    _ => None,
                };
                std::future::ready(out)
            });
        Ok(stream)
    }
}

/// Collaboration's objects that `node(id:)` refetches.
pub enum CollabNode {
    Campaign(Campaign),
    Site(Site),
    Task(Task),
    Assignment(Assignment),
    TaskEvent(TaskEvent),
    Inspection(Inspection),
}

/// Resolves collaboration's global ids through the scoped loaders; other kinds give `None`.
pub async fn resolve_node(ctx: &Context<'_>, k: &str, uuid: Uuid) -> Result<Option<CollabNode>, AppError> {
    use CollabNode as Node;
    let loader = &crate::collaboration::loaders::collab_loader(ctx)?;
    Ok(match k {
        kind::CAMPAIGN => loader.load_one(CampaignId(uuid)).await?.map(|m| Node::Campaign(Campaign(m))),
        kind::SITE => loader.load_one(SiteId(uuid)).await?.map(|m| Node::Site(Site(m))),
        kind::TASK => loader.load_one(TaskId(uuid)).await?.map(|m| Node::Task(Task(m))),
        kind::ASSIGNMENT => loader.load_one(AssignmentId(uuid)).await?.map(|m| Node::Assignment(Assignment(m))),
        kind::TASK_EVENT => loader.load_one(EventId(uuid)).await?.map(|m| Node::TaskEvent(TaskEvent(m))),
        kind::INSPECTION => loader.load_one(InspectionId(uuid)).await?.map(|m| Node::Inspection(Inspection(m))),
        _ => None,
    })
}

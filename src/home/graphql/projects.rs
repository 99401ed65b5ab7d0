//! Renovation projects (微改造) of a compound, their milestones and the tasks they spawned.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{project, project_milestone};

use super::{Fen, Home, kind};
use crate::collaboration::graphql::{Task, TaskCategory, TaskPriority};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::home::ids::{MilestoneId, ProjectId};
use crate::home::loaders::*;
use crate::home::service::{self, Funding, MilestoneProgress, NewMilestone, NewProject, ProjectAction};
use crate::organisation::graphql::CoBuildingUnit;
use crate::organisation::ids::{CompoundId, UnitId};
use crate::organisation::loaders::org_loader;
use crate::validate::from_json_list;

/// What a renovation project renovates.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::project::ProjectKind")]
pub enum ProjectKind {
    /// The gate's access system (大门智能系统).
    GateAccess,
    /// Drains and underground pipes (地下管道).
    Drainage,
    /// Road signs and markings (交通标志标线).
    RoadMarking,
    /// A car park (停车场).
    CarPark,
    /// Anything else.
    Other,
}

/// Where a renovation project stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::project::ProjectStatus")]
pub enum ProjectStatus {
    /// Proposed, waiting for the community's approval.
    Proposed,
    /// Approved; work has not begun.
    Approved,
    /// Work is under way.
    InProgress,
    /// Finished, every milestone done.
    Done,
    /// Given up, with a reason.
    Dropped,
}

/// Who proposed a renovation project.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::project::ProposedAs")]
pub enum ProposedAs {
    /// Staff of the community or the street.
    CommunityStaff,
    /// A member of the compound's owners' committee in office.
    OwnersCommittee,
}

/// Where a renovation project's money comes from.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "crate::home::service::FundingSource")]
pub enum FundingSource {
    /// The compound's housing maintenance fund (维修基金).
    MaintenanceFund,
    /// The owners' shared income (公共收益).
    SharedIncome,
    /// A department.
    Department,
    /// The street.
    Street,
}

/// One source of a project's funding and its amount.
#[derive(SimpleObject)]
pub struct ProjectFunding {
    /// Where the money comes from.
    pub source: FundingSource,
    /// How much, in fen (integer; 100 is 1 yuan).
    pub amount_fen: i64,
}

/// A renovation project (微改造) of a compound: gate access, drains, road markings, a car park.
/// Brokered by a co-building unit seated on the community's joint committee; funded from up to
/// four sources, its budget their sum. Seen by staff of the community (and the street), by the
/// compound's owners' committee in office and its residents, and by the unit that brokers it.
pub struct Project(pub project::Model);

/// A renovation project (微改造) of a compound: gate access, drains, road markings, a car park.
/// Brokered by a co-building unit seated on the community's joint committee; funded from up to
/// four sources, its budget their sum. Seen by staff of the community (and the street), by the
/// compound's owners' committee in office and its residents, and by the unit that brokers it.
#[Object]
impl Project {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::PROJECT, self.0.id)
    }
    /// The home (compound) renovated.
    async fn home(&self, ctx: &Context<'_>) -> Result<Home> {
        Ok(Home(loaded(org_loader(ctx)?.load_one(CompoundId(self.0.compound_id)).await?, "compound")?))
    }
    /// Short title, e.g. 外圈临时停车场改造.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What is to be done.
    async fn scope(&self) -> &str {
        &self.0.scope
    }
    /// What is renovated.
    async fn kind(&self) -> ProjectKind {
        self.0.kind.into()
    }
    /// Where it stands.
    async fn status(&self) -> ProjectStatus {
        self.0.status.into()
    }
    /// The co-building unit that brokers it, where the caller sees units.
    async fn broker(&self, ctx: &Context<'_>) -> Result<Option<CoBuildingUnit>> {
        Ok(org_loader(ctx)?.load_one(UnitId(self.0.broker_unit_id)).await?.map(CoBuildingUnit))
    }
    /// The budget in fen: the sum of the funding.
    async fn budget_fen(&self) -> i64 {
        self.0.budget_fen
    }
    /// The funding, source by source (the sources that give nothing left out).
    async fn funding(&self) -> Vec<ProjectFunding> {
        Funding::of(&self.0).into_iter().map(|(source, amount_fen)| ProjectFunding { source: source.into(), amount_fen }).collect()
    }
    /// Who proposed it.
    async fn proposed_as(&self) -> ProposedAs {
        self.0.proposed_as.into()
    }
    /// Why it was dropped.
    async fn drop_reason(&self) -> Option<&str> {
        self.0.drop_reason.as_deref()
    }
    /// When it was proposed.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was approved.
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    /// When work began.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    /// When it was finished.
    async fn done_at(&self) -> Option<DateTime<Utc>> {
        self.0.done_at
    }
    /// When it was dropped.
    async fn dropped_at(&self) -> Option<DateTime<Utc>> {
        self.0.dropped_at
    }
    /// Version, incremented by every change; pass it as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Its milestones, by date.
    async fn milestones(&self, ctx: &Context<'_>) -> Result<Vec<ProjectMilestone>> {
        Ok(home_loader(ctx)?.load_one(MilestonesOf(self.0.id)).await?.unwrap_or_default().into_iter().map(ProjectMilestone).collect())
    }
    /// The collaboration tasks it spawned for its units (`spawnProjectTask`), as collaboration
    /// shows them to the caller: a unit sees those shared with it.
    async fn tasks(&self, ctx: &Context<'_>) -> Result<Vec<Task>> {
        Ok(home_loader(ctx)?.load_one(TasksOfProject(self.0.id)).await?.unwrap_or_default().into_iter().map(Task).collect())
    }
}

/// A milestone of a renovation project: a title, a date, evidence links, done or not.
pub struct ProjectMilestone(pub project_milestone::Model);

/// A milestone of a renovation project: a title, a date, evidence links, done or not.
#[Object]
impl ProjectMilestone {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::PROJECT_MILESTONE, self.0.id)
    }
    /// The project.
    async fn project(&self, ctx: &Context<'_>) -> Result<Project> {
        Ok(Project(loaded(home_loader(ctx)?.load_one(ProjectId(self.0.project_id)).await?, "project")?))
    }
    /// What is reached, e.g. 道闸与车位划线完成.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The day it is planned for.
    async fn due_on(&self) -> Date {
        Date(self.0.due_on)
    }
    /// Whether it is done.
    async fn done(&self) -> bool {
        self.0.done
    }
    /// The day it was done.
    async fn done_on(&self) -> Option<Date> {
        self.0.done_on.map(Date)
    }
    /// Evidence: http(s) links to photos and documents.
    async fn evidence(&self) -> Vec<String> {
        from_json_list(&self.0.evidence)
    }
    /// Version, incremented by every change; pass it as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// One source of a proposed project's funding.
#[derive(InputObject)]
pub struct ProjectFundingInput {
    /// Where the money comes from (each source at most once).
    pub source: FundingSource,
    /// How much, in whole fen from 1 to 10^12: a number or a string of digits.
    pub amount_fen: Fen,
}

/// Input of `proposeProject`.
#[derive(InputObject)]
pub struct ProposeProjectInput {
    /// The compound (a `Compound` or `Home` id).
    pub compound_id: ID,
    /// Short title (at most 200 characters).
    pub title: String,
    /// What is to be done (at most 5000 characters).
    #[graphql(default)]
    pub scope: String,
    /// What is renovated.
    pub kind: ProjectKind,
    /// The co-building unit that brokers it: it must sit, with an active seat, on the community's
    /// joint committee.
    pub broker_unit_id: ID,
    /// The funding, at least one source; the budget is their sum.
    pub funding: Vec<ProjectFundingInput>,
}

/// Input of `approveProject`, `startProject` and `completeProject`.
#[derive(InputObject)]
pub struct ProjectTransitionInput {
    /// The project.
    pub id: ID,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Input of `dropProject`.
#[derive(InputObject)]
pub struct DropProjectInput {
    /// The project.
    pub id: ID,
    /// Why it is dropped (at most 500 characters).
    pub reason: String,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Input of `addProjectMilestone`.
#[derive(InputObject)]
pub struct AddProjectMilestoneInput {
    /// The project.
    pub project_id: ID,
    /// What is to be reached (at most 200 characters).
    pub title: String,
    /// The day it is planned for.
    pub due_on: Date,
    /// Evidence: at most 20 http(s) links.
    #[graphql(default)]
    pub evidence: Vec<String>,
}

/// Input of `markProjectMilestone`.
#[derive(InputObject)]
pub struct MarkProjectMilestoneInput {
    /// The milestone.
    pub id: ID,
    /// Done, or not done after all.
    pub done: bool,
    /// The day it was done (today in Beijing when omitted).
    pub done_on: Option<Date>,
    /// Evidence links to add (http(s); at most 20 in all).
    #[graphql(default)]
    pub evidence: Vec<String>,
    /// The milestone's version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Input of `spawnProjectTask`.
#[derive(InputObject)]
pub struct SpawnProjectTaskInput {
    /// The project (approved or in progress).
    pub project_id: ID,
    /// The task's short title.
    pub title: String,
    /// What is to be done.
    #[graphql(default)]
    pub description: String,
    /// Kind of work.
    pub category: TaskCategory,
    /// Urgency.
    #[graphql(default_with = "TaskPriority::Normal")]
    pub priority: TaskPriority,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// Photo URLs.
    #[graphql(default)]
    pub evidence: Vec<String>,
    /// The project's version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Result of the project mutations.
#[derive(SimpleObject)]
pub struct ProjectPayload {
    /// The project.
    pub project: Project,
}

/// Result of the milestone mutations.
#[derive(SimpleObject)]
pub struct ProjectMilestonePayload {
    /// The milestone.
    pub milestone: ProjectMilestone,
}

/// Result of `spawnProjectTask`.
#[derive(SimpleObject)]
pub struct SpawnProjectTaskPayload {
    /// The project.
    pub project: Project,
    /// The collaboration task filed for it, in the project's community.
    pub task: Task,
}

/// Mutations of home co-building: renovation projects.
#[derive(Default)]
pub struct ProjectsMutation;

fn project_id(id: &ID, field: &str) -> Result<ProjectId, crate::error::AppError> {
    Ok(ProjectId(expect_id(id, kind::PROJECT, field)?))
}

async fn transition(
    ctx: &Context<'_>,
    id: &ID,
    action: ProjectAction,
    reason: Option<String>,
    expected: Option<i32>,
) -> Result<ProjectPayload> {
    let r = rc(ctx)?;
    r.cx.scope.require_authenticated()?;
    let model = service::transition_project(&r.cx, project_id(id, "id")?, action, reason, expected).await?;
    Ok(ProjectPayload { project: Project(model) })
}

/// Mutations of home co-building: renovation projects.
#[Object]
impl ProjectsMutation {
    /// Proposes a renovation project for a compound (community staff, or a member of its owners'
    /// committee in office). The broker must sit on the community's joint committee
    /// (`BAD_USER_INPUT` on `brokerUnitId` otherwise); amounts that are not whole positive fen are
    /// `BAD_USER_INPUT`.
    async fn propose_project(&self, ctx: &Context<'_>, input: ProposeProjectInput) -> Result<ProjectPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let compound = match expect_id(&input.compound_id, kind::HOME, "compoundId") {
            Ok(id) => id,
            Err(_) => expect_id(&input.compound_id, kind::COMPOUND, "compoundId")?,
        };
        let new = NewProject {
            compound_id: CompoundId(compound),
            title: input.title,
            scope: input.scope,
            kind: input.kind.into(),
            broker_unit_id: UnitId(expect_id(&input.broker_unit_id, kind::CO_BUILDING_UNIT, "brokerUnitId")?),
            funding: input.funding.into_iter().map(|f| (f.source.into(), f.amount_fen.0)).collect(),
        };
        Ok(ProjectPayload { project: Project(service::propose_project(&r.cx, new).await?) })
    }

    /// Approves a proposed project (community staff): PROPOSED → APPROVED.
    async fn approve_project(&self, ctx: &Context<'_>, input: ProjectTransitionInput) -> Result<ProjectPayload> {
        transition(ctx, &input.id, ProjectAction::Approve, None, input.expected_version).await
    }

    /// Work begins (community staff or the brokering unit): APPROVED → IN_PROGRESS.
    async fn start_project(&self, ctx: &Context<'_>, input: ProjectTransitionInput) -> Result<ProjectPayload> {
        transition(ctx, &input.id, ProjectAction::Start, None, input.expected_version).await
    }

    /// Work is finished (community staff or the brokering unit): IN_PROGRESS → DONE, once every
    /// milestone is done.
    async fn complete_project(&self, ctx: &Context<'_>, input: ProjectTransitionInput) -> Result<ProjectPayload> {
        transition(ctx, &input.id, ProjectAction::Complete, None, input.expected_version).await
    }

    /// Gives a project up, with a reason (community staff): from PROPOSED, APPROVED or
    /// IN_PROGRESS to DROPPED.
    async fn drop_project(&self, ctx: &Context<'_>, input: DropProjectInput) -> Result<ProjectPayload> {
        transition(ctx, &input.id, ProjectAction::Drop, Some(input.reason), input.expected_version).await
    }

    /// Adds a milestone to a project not yet done or dropped (community staff or the brokering
    /// unit).
    async fn add_project_milestone(&self, ctx: &Context<'_>, input: AddProjectMilestoneInput) -> Result<ProjectMilestonePayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let new = NewMilestone {
            project_id: project_id(&input.project_id, "projectId")?,
            title: input.title,
            due_on: input.due_on.0,
            evidence: input.evidence,
        };
        Ok(ProjectMilestonePayload { milestone: ProjectMilestone(service::add_milestone(&r.cx, new).await?) })
    }

    /// Marks a milestone done (or not) and adds evidence, while its project is approved or in
    /// progress (community staff or the brokering unit).
    async fn mark_project_milestone(&self, ctx: &Context<'_>, input: MarkProjectMilestoneInput) -> Result<ProjectMilestonePayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let id = MilestoneId(expect_id(&input.id, kind::PROJECT_MILESTONE, "id")?);
        let progress = MilestoneProgress {
            done: input.done,
            done_on: input.done_on.map(|d| d.0),
            evidence: input.evidence,
            expected_version: input.expected_version,
        };
        Ok(ProjectMilestonePayload { milestone: ProjectMilestone(service::mark_milestone(&r.cx, id, progress).await?) })
    }

    /// Files a collaboration task for an approved or running project (community staff): the task
    /// (status REPORTED, in the project's community) and its link to the project are written
    /// together or not at all; assign it to units with `assignTask`.
    async fn spawn_project_task(&self, ctx: &Context<'_>, input: SpawnProjectTaskInput) -> Result<SpawnProjectTaskPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let id = project_id(&input.project_id, "projectId")?;
        let task = service::ProjectTask {
            title: input.title,
            description: input.description,
            category: input.category.into(),
            priority: input.priority.into(),
            due_at: input.due_at,
            evidence: input.evidence,
        };
        let (project, task) = service::spawn_task(&r.cx, id, task, input.expected_version).await?;
        Ok(SpawnProjectTaskPayload { project: Project(project), task: Task(task) })
    }
}

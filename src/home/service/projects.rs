//! Renovation projects (微改造) of a compound: gate access, drains, road markings, car parks.
//! Community staff (and the street's) or the compound's owners' committee propose; staff approve
//! and drop; staff or the brokering co-building unit start, add milestones, mark them and finish.
//!
//! ```text
//!  PROPOSED --approve--> APPROVED --start--> IN_PROGRESS --complete (every milestone done)--> DONE
//!      \________________________\_________________\--drop (with a reason)--> DROPPED
//! ```
//!
//! The budget is the sum of the funding sources, each a whole amount of fen: it is computed, never
//! sent, so that the two cannot disagree. A project spawns collaboration tasks for its units
//! (`spawn_task`): the task and its link to the project are written in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use entity::project::{self, ProjectKind, ProjectStatus, ProposedAs};
use entity::task::{TaskCategory, TaskPriority};
use entity::{co_building_unit, project_milestone, project_task, task};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::{beijing_today, lock_compound, parse_fen, roles};
use crate::collaboration::service::{NewTask, insert_task};
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::home::ids::{MilestoneId, ProjectId};
use crate::home::visibility::{Acting, Roles, acting, project_filter};
use crate::organisation::ids::{CommunityId, CompoundId, UnitId};
use crate::validate::{clean_evidence, clean_name, clean_text, from_json_list, to_json_list};
use crate::write::{Audit, Write};

/// Where a project's money comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// A project's funding, in fen per source; the budget is their sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Funding {
    pub maintenance_fund: i64,
    pub shared_income: i64,
    pub department: i64,
    pub street: i64,
}

impl Funding {
    /// The funding as the caller sent it: each source at most once, each amount a whole number
    /// of fen from 1 to the maximum, at least one source; the budget stays within the maximum.
    pub fn parse(sources: &[(FundingSource, String)]) -> AppResult<Funding> {
        if sources.is_empty() {
            return Err(AppError::bad_input("funding", "name at least one funding source and its amount"));
        }
        let mut f = Funding::default();
        for (source, raw) in sources {
            let amount = parse_fen("amountFen", raw)?;
            let slot = match source {
                FundingSource::MaintenanceFund => &mut f.maintenance_fund,
                FundingSource::SharedIncome => &mut f.shared_income,
                FundingSource::Department => &mut f.department,
                FundingSource::Street => &mut f.street,
            };
            if *slot != 0 {
                return Err(AppError::bad_input("funding", "a funding source is named twice"));
            }
            *slot = amount;
        }
        if f.budget() > super::MAX_AMOUNT_FEN {
            return Err(AppError::bad_input(
                "funding",
                format!("the budget (the sum of the funding) is at most {} fen", super::MAX_AMOUNT_FEN),
            ));
        }
        Ok(f)
    }

    /// The budget: the sum of the sources (each at most 10^12 fen, so the sum cannot overflow).
    pub fn budget(&self) -> i64 {
        self.maintenance_fund + self.shared_income + self.department + self.street
    }

    /// The funding of a stored project, source by source, leaving out the sources that give nothing.
    pub fn of(p: &project::Model) -> Vec<(FundingSource, i64)> {
        [
            (FundingSource::MaintenanceFund, p.maintenance_fund_fen),
            (FundingSource::SharedIncome, p.shared_income_fen),
            (FundingSource::Department, p.department_fen),
            (FundingSource::Street, p.street_fen),
        ]
        .into_iter()
        .filter(|(_, fen)| *fen != 0)
        .collect()
    }
}

/// What is done to a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectAction {
    Approve,
    Start,
    Complete,
    Drop,
}

impl ProjectAction {
    /// The mutation's name, for error messages and the audit log.
    pub fn name(self) -> &'static str {
        match self {
            ProjectAction::Approve => "approveProject",
            ProjectAction::Start => "startProject",
            ProjectAction::Complete => "completeProject",
            ProjectAction::Drop => "dropProject",
        }
    }

    /// Who may do it: staff approve and drop; staff or the brokering unit mark progress.
    fn allowed(self, who: Acting) -> bool {
        match self {
            ProjectAction::Approve | ProjectAction::Drop => who == Acting::Staff,
            ProjectAction::Start | ProjectAction::Complete => matches!(who, Acting::Staff | Acting::Broker),
        }
    }

    fn refusal(self) -> &'static str {
        match self {
            ProjectAction::Approve => "renovation projects are approved by community staff",
            ProjectAction::Drop => "renovation projects are dropped by community staff",
            ProjectAction::Start | ProjectAction::Complete => "progress is marked by community staff or the unit that brokers the project",
        }
    }
}

/// The status after `action`, or `None` when the action is not allowed in `status`.
pub fn project_transition(status: ProjectStatus, action: ProjectAction) -> Option<ProjectStatus> {
    use ProjectStatus::*;
    match (action, status) {
        (ProjectAction::Approve, Proposed) => Some(Approved),
        (ProjectAction::Start, Approved) => Some(InProgress),
        (ProjectAction::Complete, InProgress) => Some(Done),
        (ProjectAction::Drop, Proposed | Approved | InProgress) => Some(Dropped),
        _ => None,
    }
}

/// Refuses `action` on a project that is `status`, naming both (as collaboration's tasks do).
fn illegal(action: &str, status: ProjectStatus) -> AppError {
    AppError::BadInput { message: format!("cannot {action} a project that is {}", status.to_value()), field: Some("status".into()) }
}

/// A project to propose.
pub struct NewProject {
    pub compound_id: CompoundId,
    pub title: String,
    pub scope: String,
    pub kind: ProjectKind,
    pub broker_unit_id: UnitId,
    /// Each source with its amount as sent.
    pub funding: Vec<(FundingSource, String)>,
}

/// Checks that the brokering unit exists and sits, with an active seat, on the community's
/// joint committee: `BAD_USER_INPUT` on `brokerUnitId` otherwise.
async fn check_broker(w: &Write<'_>, community_id: Uuid, unit_id: UnitId) -> AppResult<co_building_unit::Model> {
    let unit = co_building_unit::Entity::find_by_id(unit_id.0)
        .one(w.txn())
        .await?
        .ok_or_else(|| AppError::bad_input("brokerUnitId", "no such co-building unit"))?;
    if !crate::organisation::service::unit_sits_on(w.txn(), CommunityId(community_id), unit_id).await? {
        return Err(AppError::bad_input(
            "brokerUnitId",
            format!("{} does not sit on this community's joint committee: a project is brokered by a unit with an active seat", unit.name),
        ));
    }
    Ok(unit)
}

/// Proposes a renovation project for a compound (community staff, or a member of its owners'
/// committee in office).
pub async fn propose_project(cx: &Cx, input: NewProject) -> AppResult<project::Model> {
    cx.scope.require_authenticated()?;
    let title = clean_name("title", &input.title, 200)?;
    let scope_text = clean_text("scope", &input.scope, 5000)?;
    let funding = Funding::parse(&input.funding)?;
    let w = Write::begin(cx).await?;
    let compound = lock_compound(&w, input.compound_id).await?;
    let roles = roles(w.txn(), &cx.scope).await?;
    let proposed_as = match acting(&cx.scope, &roles, compound.community_id, compound.id, None, None) {
        Some(Acting::Staff) => ProposedAs::CommunityStaff,
        Some(Acting::OwnersCommittee) => ProposedAs::OwnersCommittee,
        Some(Acting::BuildingLeader | Acting::Broker) | None => {
            return Err(AppError::Forbidden(
                "renovation projects are proposed by community staff or the compound's owners' committee".into(),
            ));
        }
    };
    let unit = check_broker(&w, compound.community_id, input.broker_unit_id).await?;
    let now = Utc::now();
    let model = project::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(compound.community_id),
        compound_id: Set(compound.id),
        title: Set(title),
        scope: Set(scope_text),
        kind: Set(input.kind),
        broker_unit_id: Set(unit.id),
        status: Set(ProjectStatus::Proposed),
        maintenance_fund_fen: Set(funding.maintenance_fund),
        shared_income_fen: Set(funding.shared_income),
        department_fen: Set(funding.department),
        street_fen: Set(funding.street),
        budget_fen: Set(funding.budget()),
        proposed_by: Set(cx.scope.label().to_owned()),
        proposed_as: Set(proposed_as),
        drop_reason: Set(None),
        approved_at: Set(None),
        started_at: Set(None),
        done_at: Set(None),
        dropped_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(w.txn())
    .await?;
    w.commit(Audit::new("proposeProject", "Project").object(model.id).community(model.community_id).summary(json!({
        "compoundId": model.compound_id,
        "kind": model.kind.to_value(),
        "brokerUnit": unit.code,
        "budgetFen": model.budget_fen,
        "proposedAs": model.proposed_as.to_value(),
    })))
    .await?;
    Ok(model)
}

/// Locks a project the caller sees; `NOT_FOUND` otherwise.
async fn lock_project(w: &Write<'_>, id: ProjectId, roles: &Roles) -> AppResult<project::Model> {
    let scope = &w.cx().scope;
    w.lock(project::Entity::find_by_id(id.0).filter(project_filter(scope, roles))).await?.ok_or_else(|| AppError::not_found("project"))
}

/// Who the caller acts as on a project.
fn acting_on(cx: &Cx, roles: &Roles, p: &project::Model) -> Option<Acting> {
    acting(&cx.scope, roles, p.community_id, p.compound_id, None, Some(p.broker_unit_id))
}

/// Writes the project's new state if it is still at the version read.
async fn save(w: &Write<'_>, current: &project::Model, mut row: project::ActiveModel) -> AppResult<project::Model> {
    row.version = Set(current.version + 1);
    row.updated_at = Set(Utc::now());
    crate::db::guarded_update::<project::Entity, _>(
        w.txn(),
        row,
        project::Column::Id,
        project::Column::Version,
        current.id,
        current.version,
    )
    .await
}

/// Approves, starts, completes or drops a project (`reason`: why it is dropped, required then).
pub async fn transition_project(
    cx: &Cx,
    id: ProjectId,
    action: ProjectAction,
    reason: Option<String>,
    expected: Option<i32>,
) -> AppResult<project::Model> {
    cx.scope.require_authenticated()?;
    let reason = match action {
        ProjectAction::Drop => Some(clean_name("reason", reason.as_deref().unwrap_or_default(), 500)?),
        ProjectAction::Approve | ProjectAction::Start | ProjectAction::Complete => None,
    };
    let w = Write::begin(cx).await?;
    let (model, audit) = transition_in(&w, id, action, reason, expected).await?;
    w.commit(audit).await?;
    Ok(model)
}

/// [`transition_project`] inside the caller's write: the project as written and its audit entry.
/// A mutation of another noun that moves a project with a change of its own (a deliberation
/// decision approving one) calls this and commits with its own audit entry.
pub async fn transition_in(
    w: &Write<'_>,
    id: ProjectId,
    action: ProjectAction,
    reason: Option<String>,
    expected: Option<i32>,
) -> AppResult<(project::Model, Audit)> {
    let cx = w.cx();
    let roles = roles(w.txn(), &cx.scope).await?;
    let current = lock_project(w, id, &roles).await?;
    if !acting_on(cx, &roles, &current).is_some_and(|who| action.allowed(who)) {
        return Err(AppError::Forbidden(action.refusal().into()));
    }
    Write::expect_version(expected, current.version)?;
    let next = project_transition(current.status, action).ok_or_else(|| illegal(action.name(), current.status))?;
    if action == ProjectAction::Complete {
        let open: Vec<String> = project_milestone::Entity::find()
            .filter(project_milestone::Column::CommunityId.eq(current.community_id))
            .filter(project_milestone::Column::ProjectId.eq(current.id))
            .filter(project_milestone::Column::Done.eq(false))
            .all(w.txn())
            .await?
            .into_iter()
            .map(|m| m.title)
            .collect();
        if !open.is_empty() {
            return Err(AppError::bad_input(
                "milestones",
                format!("a project is done once its milestones are: not yet done: {}", open.join("; ")),
            ));
        }
    }
    let now = Utc::now();
    let mut row: project::ActiveModel = current.clone().into();
    row.status = Set(next);
    match action {
        ProjectAction::Approve => row.approved_at = Set(Some(now)),
        ProjectAction::Start => row.started_at = Set(Some(now)),
        ProjectAction::Complete => row.done_at = Set(Some(now)),
        ProjectAction::Drop => {
            row.dropped_at = Set(Some(now));
            row.drop_reason = Set(reason);
        }
    }
    let model = save(w, &current, row).await?;
    let audit = Audit::new(action.name(), "Project")
        .object(model.id)
        .community(model.community_id)
        .summary(json!({ "from": current.status.to_value(), "to": model.status.to_value() }));
    Ok((model, audit))
}

/// A milestone to add.
pub struct NewMilestone {
    pub project_id: ProjectId,
    pub title: String,
    pub due_on: NaiveDate,
    pub evidence: Vec<String>,
}

/// Adds a milestone to a project not yet done or dropped (staff or the brokering unit).
pub async fn add_milestone(cx: &Cx, input: NewMilestone) -> AppResult<project_milestone::Model> {
    cx.scope.require_authenticated()?;
    let title = clean_name("title", &input.title, 200)?;
    let due_on = crate::validate::check_date("dueOn", input.due_on)?;
    let evidence = clean_evidence(input.evidence)?;
    let w = Write::begin(cx).await?;
    let roles = roles(w.txn(), &cx.scope).await?;
    let project = lock_project(&w, input.project_id, &roles).await?;
    if !matches!(acting_on(cx, &roles, &project), Some(Acting::Staff | Acting::Broker)) {
        return Err(AppError::Forbidden("milestones are added by community staff or the unit that brokers the project".into()));
    }
    if matches!(project.status, ProjectStatus::Done | ProjectStatus::Dropped) {
        return Err(illegal("addProjectMilestone", project.status));
    }
    let now = Utc::now();
    let model = project_milestone::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(project.community_id),
        project_id: Set(project.id),
        title: Set(title),
        due_on: Set(due_on),
        evidence: Set(to_json_list(&evidence)),
        done: Set(false),
        done_on: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(w.txn())
    .await?;
    w.commit(
        Audit::new("addProjectMilestone", "ProjectMilestone")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "projectId": project.id, "dueOn": model.due_on })),
    )
    .await?;
    Ok(model)
}

/// A milestone's progress: done or not (and on which day, today by default), with evidence links
/// to add.
pub struct MilestoneProgress {
    pub done: bool,
    pub done_on: Option<NaiveDate>,
    pub evidence: Vec<String>,
    pub expected_version: Option<i32>,
}

/// Marks a milestone done (or not done again) and adds evidence, while its project is approved or
/// in progress (staff or the brokering unit).
pub async fn mark_milestone(cx: &Cx, id: MilestoneId, progress: MilestoneProgress) -> AppResult<project_milestone::Model> {
    cx.scope.require_authenticated()?;
    let done_on = crate::validate::check_optional_date("doneOn", progress.done_on)?;
    let added = clean_evidence(progress.evidence)?;
    let w = Write::begin(cx).await?;
    let roles = roles(w.txn(), &cx.scope).await?;
    let visible = project::Entity::find().select_only().column(project::Column::Id).filter(project_filter(&cx.scope, &roles));
    let found = project_milestone::Entity::find_by_id(id.0)
        .filter(project_milestone::Column::ProjectId.in_subquery(visible.into_query()))
        .one(w.txn())
        .await?
        .ok_or_else(|| AppError::not_found("milestone"))?;
    // The project's row orders changes to it and its milestones.
    let project = lock_project(&w, ProjectId(found.project_id), &roles).await?;
    let current = w.lock(project_milestone::Entity::find_by_id(found.id)).await?.ok_or_else(|| AppError::not_found("milestone"))?;
    if !matches!(acting_on(cx, &roles, &project), Some(Acting::Staff | Acting::Broker)) {
        return Err(AppError::Forbidden("progress is marked by community staff or the unit that brokers the project".into()));
    }
    Write::expect_version(progress.expected_version, current.version)?;
    if !matches!(project.status, ProjectStatus::Approved | ProjectStatus::InProgress) {
        return Err(illegal("markProjectMilestone", project.status));
    }
    let mut evidence = from_json_list(&current.evidence);
    evidence.extend(added);
    let evidence = clean_evidence(evidence)?;
    let (id, version) = (current.id, current.version);
    let mut row: project_milestone::ActiveModel = current.into();
    row.done = Set(progress.done);
    row.done_on = Set(progress.done.then(|| done_on.unwrap_or_else(beijing_today)));
    row.evidence = Set(to_json_list(&evidence));
    row.version = Set(version + 1);
    row.updated_at = Set(Utc::now());
    let model = crate::db::guarded_update::<project_milestone::Entity, _>(
        w.txn(),
        row,
        project_milestone::Column::Id,
        project_milestone::Column::Version,
        id,
        version,
    )
    .await?;
    w.commit(
        Audit::new("markProjectMilestone", "ProjectMilestone")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "projectId": project.id, "done": model.done, "evidence": evidence.len() })),
    )
    .await?;
    Ok(model)
}

/// A collaboration task for a project's units.
pub struct ProjectTask {
    pub title: String,
    pub description: String,
    pub category: TaskCategory,
    pub priority: TaskPriority,
    pub due_at: Option<DateTime<Utc>>,
    pub evidence: Vec<String>,
}

/// Files a collaboration task for an approved or running project (community staff), linked to
/// it. The task is written through collaboration's own task creation, inside this write: the
/// task, its first timeline entry and the link commit together, or none of them.
pub async fn spawn_task(cx: &Cx, id: ProjectId, input: ProjectTask, expected: Option<i32>) -> AppResult<(project::Model, task::Model)> {
    cx.scope.require_authenticated()?;
    let mut w = Write::begin(cx).await?;
    let roles = roles(w.txn(), &cx.scope).await?;
    let project = lock_project(&w, id, &roles).await?;
    if acting_on(cx, &roles, &project) != Some(Acting::Staff) {
        return Err(AppError::Forbidden("only community staff may file tasks for a project".into()));
    }
    Write::expect_version(expected, project.version)?;
    if !matches!(project.status, ProjectStatus::Approved | ProjectStatus::InProgress) {
        return Err(illegal("spawnProjectTask", project.status));
    }
    let new = NewTask {
        community_id: CommunityId(project.community_id),
        title: input.title,
        description: input.description,
        category: input.category,
        priority: input.priority,
        due_at: input.due_at,
        campaign_id: None,
        site_id: None,
        evidence: input.evidence,
    };
    let (task, _) = insert_task(&mut w, new, "spawnProjectTask").await?;
    project_task::ActiveModel {
        task_id: Set(task.id),
        community_id: Set(project.community_id),
        project_id: Set(project.id),
        created_at: Set(Utc::now()),
    }
    .insert(w.txn())
    .await?;
    w.commit(
        Audit::new("spawnProjectTask", "Project")
            .object(project.id)
            .community(project.community_id)
            .summary(json!({ "taskId": task.id, "title": task.title, "category": task.category.to_value() })),
    )
    .await?;
    Ok((project, task))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_workflow_as_a_table() {
        use ProjectAction::*;
        use ProjectStatus::*;
        let statuses = [Proposed, Approved, InProgress, Done, Dropped];
        let allowed = [(Approve, Proposed, Approved), (Start, Approved, InProgress), (Complete, InProgress, Done)];
        for action in [Approve, Start, Complete, Drop] {
            for status in statuses {
                let expected = match action {
                    Drop => matches!(status, Proposed | Approved | InProgress).then_some(Dropped),
                    _ => allowed.iter().find(|(a, s, _)| *a == action && *s == status).map(|(_, _, n)| *n),
                };
                assert_eq!(project_transition(status, action), expected, "{action:?} on {status:?}");
            }
        }
        let refused = illegal(Approve.name(), Done);
        assert_eq!(refused.to_string(), "cannot approveProject a project that is DONE");
    }

    #[test]
    fn staff_approve_and_drop_the_broker_marks_progress() {
        for who in [Acting::Staff, Acting::OwnersCommittee, Acting::BuildingLeader, Acting::Broker] {
            assert_eq!(ProjectAction::Approve.allowed(who), who == Acting::Staff);
            assert_eq!(ProjectAction::Drop.allowed(who), who == Acting::Staff);
            assert_eq!(ProjectAction::Start.allowed(who), matches!(who, Acting::Staff | Acting::Broker));
            assert_eq!(ProjectAction::Complete.allowed(who), matches!(who, Acting::Staff | Acting::Broker));
        }
    }

    #[test]
    fn the_budget_is_the_sum_of_the_funding() {
        let f = Funding::parse(&[(FundingSource::Street, "600".into()), (FundingSource::MaintenanceFund, "400".into())]);
        assert_eq!(f.as_ref().map(Funding::budget).ok(), Some(1000));
        assert!(Funding::parse(&[]).is_err());
        assert!(Funding::parse(&[(FundingSource::Street, "1".into()), (FundingSource::Street, "2".into())]).is_err());
        assert!(Funding::parse(&[(FundingSource::Street, "0".into())]).is_err());
        let max = super::super::MAX_AMOUNT_FEN.to_string();
        assert!(
            Funding::parse(&[(FundingSource::Street, max.clone()), (FundingSource::Department, max)]).is_err(),
            "the sum overflows the bound"
        );
    }
}

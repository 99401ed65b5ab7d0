//! Shares of a task (指派): types, assigning and reassigning them, and the units' actions on their own.

use super::*;

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

/// Assigning and reassigning shares.
#[derive(Default)]
pub struct AssignmentMutation;

/// Assigning and reassigning shares.
#[Object]
impl AssignmentMutation {
    /// Gives a co-building unit of the community's joint committee a share of a task (staff).
    async fn assign_task(&self, ctx: &Context<'_>, input: AssignTaskInput) -> Result<AssignTaskPayload> {
        let r = rc(ctx)?;
        let task = TaskId(expect_id(&input.task_id, kind::TASK, "taskId")?);
        let unit = UnitId(expect_id(&input.unit_id, kind::CO_BUILDING_UNIT, "unitId")?);
        let (task, share) = service::assign_task(&r.cx, task, unit, input.role.into(), input.expected_version, input.note).await?;
        Ok(AssignTaskPayload { task: Task(task), assignment: Assignment(share) })
    }

    /// Hands an open share whose unit's committee seat ended to another unit seated on the
    /// community's joint committee (staff).
    async fn reassign_share(&self, ctx: &Context<'_>, input: ReassignShareInput) -> Result<ReassignSharePayload> {
        let r = rc(ctx)?;
        let id = AssignmentId(expect_id(&input.id, kind::ASSIGNMENT, "id")?);
        let unit = UnitId(expect_id(&input.unit_id, kind::CO_BUILDING_UNIT, "unitId")?);
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
        let id = MembershipId(expect_id(&input.id, kind::COMMITTEE_MEMBERSHIP, "id")?);
        let (m, _) = service::end_committee_seat(&r.cx, id, input.until.map(|d| d.0), input.expected_version).await?;
        Ok(EndCommitteeMembershipPayload { membership: CommitteeMembership(m) })
    }
}

/// A unit's actions on its own share.
#[derive(Default)]
pub struct ShareMutation;

/// A unit's actions on its own share.
#[Object]
impl ShareMutation {
    /// The assigned unit accepts its share.
    async fn accept_assignment(&self, ctx: &Context<'_>, input: AssignmentActionInput) -> Result<AssignmentPayload> {
        share(ctx, input, AssignmentAction::Accept).await
    }

    /// The assigned unit declines its share, giving a `reason`.
    async fn decline_assignment(&self, ctx: &Context<'_>, input: AssignmentActionInput) -> Result<AssignmentPayload> {
        share(ctx, input, AssignmentAction::Decline).await
    }

    /// The assigned unit starts work on its share.
    async fn start_assignment(&self, ctx: &Context<'_>, input: AssignmentActionInput) -> Result<AssignmentPayload> {
        share(ctx, input, AssignmentAction::Start).await
    }

    /// The assigned unit reports its share done, with notes and evidence.
    async fn resolve_assignment(&self, ctx: &Context<'_>, input: AssignmentActionInput) -> Result<AssignmentPayload> {
        share(ctx, input, AssignmentAction::Resolve).await
    }
}

pub(super) async fn share(ctx: &Context<'_>, input: AssignmentActionInput, action: AssignmentAction) -> Result<AssignmentPayload> {
    let r = rc(ctx)?;
    let id = AssignmentId(expect_id(&input.id, kind::ASSIGNMENT, "id")?);
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

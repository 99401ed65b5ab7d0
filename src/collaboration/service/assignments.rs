//! Shares of a task: assigning, a unit's actions on its own, and what ending a committee seat
//! does to them.

use super::*;

/// Assigns a share of a task to a co-building unit that sits on the community's joint committee.
pub async fn assign_task(
    cx: &Cx,
    task_id: TaskId,
    unit_id: UnitId,
    role: AssignmentRole,
    expected_version: Option<i32>,
    note: Option<String>,
) -> AppResult<(task::Model, assignment::Model)> {
    let task_id = task_id.0;
    let unit_id = unit_id.0;
    let note = clean_optional("note", note, 2000)?;
    let mut w = Write::begin(cx).await?;
    let current = visible_task(&w, task_id).await?;
    cx.scope.require_staff(current.community_id, "assign tasks")?;
    check_version(expected_version, current.version, "the task")?;
    let Some(next) = workflow::task_transition(current.status, TaskAction::Assign) else {
        return Err(illegal(TaskAction::Assign.name(), current.status));
    };
    let unit =
        co_building_unit::Entity::find_by_id(unit_id).one(w.txn()).await?.ok_or_else(|| AppError::bad_input("unitId", "no such unit"))?;
    if !crate::organisation::service::unit_sits_on(w.txn(), CommunityId(current.community_id), UnitId(unit.id)).await? {
        return Err(AppError::bad_input("unitId", format!("{} does not sit on this community's joint committee", unit.name)));
    }
    let shares = assignment::Entity::find()
        .filter(assignment::Column::CommunityId.eq(current.community_id))
        .filter(assignment::Column::TaskId.eq(task_id))
        .all(w.txn())
        .await?;
    if role == AssignmentRole::Lead
        && shares.iter().any(|a| a.role == AssignmentRole::Lead && a.status != AssignmentStatus::Declined && a.unit_id != unit.id)
    {
        return Err(AppError::Conflict("the task already has a lead unit".into()));
    }
    let now = Utc::now();
    let share = give_share(&w, &current, &unit, shares.iter().find(|a| a.unit_id == unit.id), role, &note, now).await?;
    let mut model: task::ActiveModel = current.clone().into();
    model.status = Set(next);
    let updated = save_task(w.txn(), &current, model).await?;
    push(&mut w, &updated, Event::new(EventKind::Assigned).status(current.status, next).share(&share).note(note)).await?;
    w.commit(
        Audit::new("assignTask", "Task")
            .object(updated.id)
            .community(updated.community_id)
            .summary(json!({ "unit": unit.code, "role": role.to_value(), "status": status_name(next) })),
    )
    .await?;
    Ok((updated, share))
}

/// Gives `unit` a pending share of the task: its declined share asked again, or a new one. A
/// share it holds and has not declined is a `CONFLICT`.
async fn give_share(
    w: &Write<'_>,
    task: &task::Model,
    unit: &co_building_unit::Model,
    existing: Option<&assignment::Model>,
    role: AssignmentRole,
    note: &Option<String>,
    now: DateTime<Utc>,
) -> AppResult<assignment::Model> {
    match existing {
        Some(a) if a.status != AssignmentStatus::Declined => {
            Err(AppError::Conflict(format!("{} already has a share of this task", unit.name)))
        }
        Some(declined) => {
            let mut m: assignment::ActiveModel = declined.clone().into();
            m.role = Set(role);
            m.status = Set(AssignmentStatus::Pending);
            m.decline_reason = Set(None);
            m.note = Set(note.clone());
            m.seat_ended = Set(false);
            m.updated_at = Set(now);
            m.version = Set(declined.version + 1);
            guarded_update::<assignment::Entity, _>(
                w.txn(),
                m,
                assignment::Column::Id,
                assignment::Column::Version,
                declined.id,
                declined.version,
            )
            .await
        }
        None => Ok(assignment::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(task.community_id),
            task_id: Set(task.id),
            unit_id: Set(unit.id),
            role: Set(role),
            status: Set(AssignmentStatus::Pending),
            decline_reason: Set(None),
            note: Set(note.clone()),
            seat_ended: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(w.txn())
        .await
        .map_err(|e| conflict_on_unique(e, "this unit already has a share of this task"))?),
    }
}

// ---------------------------------------------------------------- ended committee seats

/// Ends a unit's seat on a community's joint committee (administrators). The unit's open shares
/// of the community's open tasks are flagged `seat_ended`, each with a `SEAT_ENDED` entry on
/// its task's timeline, so that staff find them (the `has_shares_of_ended_seats` task filter)
/// and reassign them ([`reassign_share`]): the unit no longer sees them. Returns the seat and
/// the number of shares flagged.
pub async fn end_committee_seat(
    cx: &Cx,
    id: MembershipId,
    until: Option<NaiveDate>,
    expected_version: Option<i32>,
) -> AppResult<(entity::committee_membership::Model, usize)> {
    let mut w = Write::begin(cx).await?;
    let seat = crate::organisation::service::end_membership(w.txn(), cx, id, until, expected_version).await?;
    let unit =
        co_building_unit::Entity::find_by_id(seat.unit_id).one(w.txn()).await?.ok_or_else(|| AppError::internal("seat of no unit"))?;
    // Share changes take their task's lock first; so does this, in a fixed order.
    let tasks = w
        .lock_all(
            task::Entity::find()
                .filter(task::Column::CommunityId.eq(seat.community_id))
                .filter(task::Column::Status.is_in(OPEN_TASKS))
                .filter(tasks_shared_with(task::Column::Id, unit.id))
                .order_by_asc(task::Column::Id),
        )
        .await?;
    let now = Utc::now();
    let ends = seat.until.map(|d| d.to_string()).unwrap_or_default();
    let mut flagged = 0;
    for t in &tasks {
        let shares = assignment::Entity::find()
            .filter(assignment::Column::CommunityId.eq(t.community_id))
            .filter(assignment::Column::TaskId.eq(t.id))
            .filter(assignment::Column::UnitId.eq(unit.id))
            .filter(assignment::Column::Status.is_in(OPEN_SHARES))
            .filter(assignment::Column::SeatEnded.eq(false))
            .all(w.txn())
            .await?;
        for share in shares {
            let mut m: assignment::ActiveModel = share.clone().into();
            m.seat_ended = Set(true);
            m.updated_at = Set(now);
            m.version = Set(share.version + 1);
            let share = guarded_update::<assignment::Entity, _>(
                w.txn(),
                m,
                assignment::Column::Id,
                assignment::Column::Version,
                share.id,
                share.version,
            )
            .await?;
            let note = format!("{}'s seat on the joint committee ends {ends}: reassign its share", unit.name);
            push(&mut w, t, Event::new(EventKind::SeatEnded).share(&share).note(Some(note))).await?;
            flagged += 1;
        }
    }
    w.commit(
        Audit::new("endCommitteeMembership", "CommitteeMembership")
            .object(seat.id)
            .community(seat.community_id)
            .summary(json!({ "until": seat.until, "unit": unit.code, "sharesFlagged": flagged })),
    )
    .await?;
    Ok((seat, flagged))
}

/// Hands an open share whose unit's seat ended to another unit that sits on the community's
/// joint committee (staff): the old share is declined, the new unit gets a pending share of the
/// same role. Returns the task, the new share and the old one.
pub async fn reassign_share(
    cx: &Cx,
    id: AssignmentId,
    unit_id: UnitId,
    expected_version: Option<i32>,
    note: Option<String>,
) -> AppResult<(task::Model, assignment::Model, assignment::Model)> {
    let id = id.0;
    let unit_id = unit_id.0;
    cx.scope.require_authenticated()?;
    let note = clean_optional("note", note, 2000)?;
    let mut w = Write::begin(cx).await?;
    let seen = assignment::Entity::find_by_id(id)
        .filter(assignment_filter(&cx.scope))
        .one(w.txn())
        .await?
        .ok_or_else(|| AppError::not_found("assignment"))?;
    let current = visible_task(&w, seen.task_id).await?;
    cx.scope.require_staff(current.community_id, "reassign shares")?;
    // Read again under the task's lock.
    let share = assignment::Entity::find_by_id(seen.id).one(w.txn()).await?.ok_or_else(|| AppError::not_found("assignment"))?;
    check_version(expected_version, share.version, "the assignment")?;
    if !share.seat_ended || !OPEN_SHARES.contains(&share.status) {
        return Err(AppError::bad_input("id", "only an open share whose unit's committee seat ended is reassigned"));
    }
    let Some(next) = workflow::task_transition(current.status, TaskAction::Assign) else {
        return Err(illegal("reassignShare", current.status));
    };
    let unit =
        co_building_unit::Entity::find_by_id(unit_id).one(w.txn()).await?.ok_or_else(|| AppError::bad_input("unitId", "no such unit"))?;
    if unit.id == share.unit_id
        || !crate::organisation::service::unit_sits_on(w.txn(), CommunityId(current.community_id), UnitId(unit.id)).await?
    {
        return Err(AppError::bad_input("unitId", format!("{} does not sit on this community's joint committee", unit.name)));
    }
    let now = Utc::now();
    let mut old: assignment::ActiveModel = share.clone().into();
    old.status = Set(AssignmentStatus::Declined);
    old.decline_reason = Set(Some("the unit's seat on the joint committee ended; the share was reassigned".into()));
    old.updated_at = Set(now);
    old.version = Set(share.version + 1);
    let previous =
        guarded_update::<assignment::Entity, _>(w.txn(), old, assignment::Column::Id, assignment::Column::Version, share.id, share.version)
            .await?;
    let existing = assignment::Entity::find()
        .filter(assignment::Column::CommunityId.eq(current.community_id))
        .filter(assignment::Column::TaskId.eq(current.id))
        .filter(assignment::Column::UnitId.eq(unit.id))
        .one(w.txn())
        .await?;
    let taken = give_share(&w, &current, &unit, existing.as_ref(), share.role, &note, now).await?;
    let mut model: task::ActiveModel = current.clone().into();
    model.status = Set(next);
    let updated = save_task(w.txn(), &current, model).await?;
    let from_unit = co_building_unit::Entity::find_by_id(share.unit_id).one(w.txn()).await?.map(|u| u.code).unwrap_or_default();
    let event_note = Some(note.unwrap_or_else(|| format!("takes over the share of {from_unit}, whose committee seat ended")));
    push(&mut w, &updated, Event::new(EventKind::Assigned).status(current.status, next).share(&taken).note(event_note)).await?;
    w.commit(
        Audit::new("reassignShare", "Assignment")
            .object(taken.id)
            .community(updated.community_id)
            .summary(json!({ "from": from_unit, "to": unit.code, "role": taken.role.to_value(), "previous": previous.id })),
    )
    .await?;
    Ok((updated, taken, previous))
}

/// What a unit sends with an action on its share.
#[derive(Default)]
pub struct ShareInput {
    pub expected_version: Option<i32>,
    pub note: Option<String>,
    pub evidence: Vec<String>,
    pub reason: Option<String>,
    pub idempotency_key: Option<String>,
}

/// A unit accepts, declines, starts or resolves its own share of a task.
pub async fn share_action(
    cx: &Cx,
    id: AssignmentId,
    action: AssignmentAction,
    input: ShareInput,
) -> AppResult<(task::Model, assignment::Model)> {
    let id = id.0;
    cx.scope.require_authenticated()?;
    let note = clean_optional("note", input.note, 2000)?;
    let evidence = clean_evidence(input.evidence)?;
    let key = clean_key(input.idempotency_key)?;
    let reason = clean_optional("reason", input.reason, 500)?;
    if action == AssignmentAction::Decline && reason.is_none() {
        return Err(AppError::bad_input("reason", "say why the share is declined"));
    }
    let w = Write::begin(cx).await?;
    let share = assignment::Entity::find_by_id(id)
        .filter(assignment_filter(&cx.scope))
        .one(w.txn())
        .await?
        .ok_or_else(|| AppError::not_found("assignment"))?;
    if cx.scope.unit_id() != Some(share.unit_id) {
        return Err(AppError::Forbidden("only the assigned unit acts on its share".into()));
    }
    // The task's lock first, then the key, in the same order as every task change takes them.
    let current = visible_task(&w, share.task_id).await?;
    // The key names one action on one share: reused for another, it is a CONFLICT.
    let mut w = match claim(w, &key, &format!("{}:{}", action.name(), share.id), share.id).await? {
        Ok(w) => w,
        Err(first) => return replay_share(cx, first).await,
    };
    // Read the share again under the task's lock: a concurrent change may have moved it.
    let share = assignment::Entity::find_by_id(share.id).one(w.txn()).await?.ok_or_else(|| AppError::not_found("assignment"))?;
    check_version(input.expected_version, share.version, "the assignment")?;
    let Some(next_share) = workflow::assignment_transition(current.status, share.status, action) else {
        return Err(AppError::BadInput {
            message: format!(
                "cannot {} an assignment that is {} on a task that is {}",
                action.name(),
                share_name(share.status),
                status_name(current.status)
            ),
            field: Some("status".into()),
        });
    };
    let now = Utc::now();
    let mut m: assignment::ActiveModel = share.clone().into();
    m.status = Set(next_share);
    m.updated_at = Set(now);
    m.version = Set(share.version + 1);
    if action == AssignmentAction::Decline {
        m.decline_reason = Set(reason.clone());
    }
    if note.is_some() {
        m.note = Set(note.clone());
    }
    let updated_share =
        guarded_update::<assignment::Entity, _>(w.txn(), m, assignment::Column::Id, assignment::Column::Version, share.id, share.version)
            .await?;

    let shares = assignment::Entity::find()
        .filter(assignment::Column::CommunityId.eq(current.community_id))
        .filter(assignment::Column::TaskId.eq(current.id))
        .all(w.txn())
        .await?;
    let states: Vec<(bool, AssignmentStatus)> = shares.iter().map(|a| (a.role == AssignmentRole::Lead, a.status)).collect();
    let next_task = workflow::task_after_shares(current.status, &states);
    let task = if next_task != current.status {
        let mut t: task::ActiveModel = current.clone().into();
        t.status = Set(next_task);
        if next_task == TaskStatus::Resolved {
            t.resolved_at = Set(Some(now));
        }
        save_task(w.txn(), &current, t).await?
    } else {
        current.clone()
    };
    let kind = match action {
        AssignmentAction::Accept => EventKind::Accepted,
        AssignmentAction::Decline => EventKind::Declined,
        AssignmentAction::Start => EventKind::Started,
        AssignmentAction::Resolve => EventKind::PartDone,
    };
    let event_note = if action == AssignmentAction::Decline { reason.clone() } else { note.clone() };
    push(&mut w, &task, Event::new(kind).share(&updated_share).note(event_note).evidence(evidence)).await?;
    if next_task != current.status {
        let kind = match next_task {
            TaskStatus::Resolved => EventKind::Resolved,
            TaskStatus::InProgress => EventKind::Started,
            _ => EventKind::Updated,
        };
        push(&mut w, &task, Event::new(kind).status(current.status, next_task)).await?;
    }
    w.commit(
        Audit::new(action.name(), "Assignment")
            .object(updated_share.id)
            .community(task.community_id)
            .summary(json!({ "share": share_name(next_share), "task": status_name(task.status) })),
    )
    .await?;
    Ok((task, updated_share))
}

async fn replay_share(cx: &Cx, share_id: Uuid) -> AppResult<(task::Model, assignment::Model)> {
    let share = assignment::Entity::find_by_id(share_id)
        .filter(assignment_filter(&cx.scope))
        .one(&cx.db)
        .await?
        .ok_or_else(|| AppError::not_found("assignment"))?;
    let task = task::Entity::find_by_id(share.task_id)
        .filter(task_filter(&cx.scope))
        .one(&cx.db)
        .await?
        .ok_or_else(|| AppError::not_found("task"))?;
    Ok((task, share))
}

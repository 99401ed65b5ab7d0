//! Tasks: the task list, creating, editing and the staff's transitions, comments.

use super::*;

/// Filters on task lists.
#[derive(Default, Clone)]
pub struct TaskFilter {
    pub community_id: Option<CommunityId>,
    pub campaign_id: Option<CampaignId>,
    pub statuses: Vec<TaskStatus>,
    pub level: Option<TaskLevel>,
    pub unit_id: Option<UnitId>,
    /// Only open tasks past their due time.
    pub overdue: bool,
    /// Only tasks with an open share whose unit's committee seat ended.
    pub has_shares_of_ended_seats: bool,
}

pub(crate) fn tasks_select(cx: &Cx, filter: &TaskFilter) -> AppResult<Select<task::Entity>> {
    cx.scope.require_authenticated()?;
    let mut select = task::Entity::find().filter(task_filter(&cx.scope));
    if let Some(c) = filter.community_id {
        select = select.filter(task::Column::CommunityId.eq(c.0));
    }
    if let Some(c) = filter.campaign_id {
        select = select.filter(task::Column::CampaignId.eq(c.0));
    }
    if !filter.statuses.is_empty() {
        select = select.filter(task::Column::Status.is_in(filter.statuses.clone()));
    }
    if let Some(level) = filter.level {
        select = select.filter(task::Column::Level.eq(level));
    }
    if let Some(unit) = filter.unit_id {
        select = select.filter(
            task::Column::Id.in_subquery(
                Query::select()
                    .column(assignment::Column::TaskId)
                    .from(assignment::Entity)
                    .and_where(assignment::Column::UnitId.eq(unit.0))
                    .to_owned(),
            ),
        );
    }
    if filter.has_shares_of_ended_seats {
        // Through the shares the scope may see: a unit learns nothing of other units' shares.
        select = select.filter(
            task::Column::Id.in_subquery(
                Query::select()
                    .column(assignment::Column::TaskId)
                    .from(assignment::Entity)
                    .cond_where(assignment_filter(&cx.scope))
                    .and_where(assignment::Column::SeatEnded.eq(true))
                    .and_where(assignment::Column::Status.is_in(OPEN_SHARES))
                    .to_owned(),
            ),
        );
    }
    if filter.overdue {
        select = select
            .filter(task::Column::Status.is_in([TaskStatus::Reported, TaskStatus::Assigned, TaskStatus::InProgress, TaskStatus::Reopened]))
            .filter(task::Column::DueAt.lt(Utc::now()));
    }
    Ok(select)
}

/// One page of the tasks in scope.
pub async fn tasks(cx: &Cx, filter: &TaskFilter, args: &PageArgs) -> AppResult<Page<task::Model>> {
    let select = tasks_select(cx, filter)?;
    Ok(args.finish(args.apply(select, task::Column::Id).all(&cx.db).await?))
}

/// How many tasks in scope match.
pub async fn task_count(cx: &Cx, filter: &TaskFilter) -> AppResult<u64> {
    Ok(tasks_select(cx, filter)?.count(&cx.db).await?)
}

/// A task to create.
pub struct NewTask {
    pub community_id: CommunityId,
    pub title: String,
    pub description: String,
    pub category: TaskCategory,
    pub priority: TaskPriority,
    pub due_at: Option<DateTime<Utc>>,
    pub campaign_id: Option<CampaignId>,
    pub site_id: Option<SiteId>,
    pub evidence: Vec<String>,
}

pub(super) async fn check_links(w: &Write<'_>, community_id: Uuid, campaign_id: Option<Uuid>, site_id: Option<Uuid>) -> AppResult<()> {
    let txn = w.txn();
    if let Some(c) = campaign_id {
        // Holds the campaign while the task is filed into it (see `update_campaign`).
        w.lock_shared(campaign::Entity::find_by_id(c)).await?;
        let linked = campaign_community::Entity::find()
            .filter(campaign_community::Column::CommunityId.eq(community_id))
            .filter(campaign_community::Column::CampaignId.eq(c))
            .count(txn)
            .await?;
        if linked == 0 {
            return Err(AppError::bad_input("campaignId", "the community does not take part in this campaign"));
        }
    }
    if let Some(s) = site_id {
        let found = site::Entity::find_by_id(s).filter(site::Column::CommunityId.eq(community_id)).count(txn).await?;
        if found == 0 {
            return Err(AppError::bad_input("siteId", "no such site in this community"));
        }
    }
    Ok(())
}

/// Creates a task in a community the caller is staff of (status REPORTED).
pub async fn create_task(cx: &Cx, input: NewTask) -> AppResult<task::Model> {
    cx.scope.require_staff(input.community_id.0, "create tasks")?;
    let mut w = Write::begin(cx).await?;
    let (task, audit) = insert_task(&mut w, input, "createTask").await?;
    w.commit(audit).await?;
    Ok(task)
}

/// Writes a new task and its first timeline entry in the caller's write; returns the task and its
/// audit entry. The caller has checked the right to create it. A mutation of another noun that
/// files a task with a change of its own (a renovation project spawning one) calls this inside
/// its `Write` and commits with its own audit entry, so that the task and the change exist
/// together or not at all.
pub async fn insert_task(w: &mut Write<'_>, input: NewTask, action: &str) -> AppResult<(task::Model, Audit)> {
    let cx = w.cx();
    let community_id = input.community_id.0;
    let campaign_id = input.campaign_id.map(|c| c.0);
    let site_id = input.site_id.map(|s| s.0);
    let title = clean_name("title", &input.title, 200)?;
    let description = clean_text("description", &input.description, 5000)?;
    let evidence = clean_evidence(input.evidence)?;
    check_optional_time("dueAt", input.due_at)?;
    check_links(w, community_id, campaign_id, site_id).await?;
    let now = Utc::now();
    let task = task::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        campaign_id: Set(campaign_id),
        site_id: Set(site_id),
        title: Set(title),
        description: Set(description),
        category: Set(input.category),
        priority: Set(input.priority),
        status: Set(TaskStatus::Reported),
        level: Set(TaskLevel::Community),
        due_at: Set(input.due_at),
        evidence: Set(crate::validate::to_json_list(&evidence)),
        reported_by: Set(cx.scope.label().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        resolved_at: Set(None),
        closed_at: Set(None),
        escalated_at: Set(None),
        version: Set(1),
    }
    .insert(w.txn())
    .await?;
    push(w, &task, Event::new(EventKind::Reported).evidence(evidence)).await?;
    let summary = json!({ "title": task.title, "category": task.category.to_value(), "priority": task.priority.to_value() });
    let audit = Audit::new(action, "Task").object(task.id).community(task.community_id).summary(summary);
    Ok((task, audit))
}

/// Changes to a task's description; absent fields stay.
#[derive(Default)]
pub struct TaskChanges {
    pub expected_version: Option<i32>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub priority: Option<TaskPriority>,
    pub due_at: Option<DateTime<Utc>>,
    pub evidence: Option<Vec<String>>,
}

/// Edits an open task (staff).
pub async fn update_task(cx: &Cx, id: TaskId, changes: TaskChanges) -> AppResult<task::Model> {
    let id = id.0;
    let mut w = Write::begin(cx).await?;
    let current = visible_task(&w, id).await?;
    cx.scope.require_staff(current.community_id, "update tasks")?;
    check_version(changes.expected_version, current.version, "the task")?;
    if workflow::task_transition(current.status, TaskAction::Update).is_none() {
        return Err(illegal(TaskAction::Update.name(), current.status));
    }
    let mut model: task::ActiveModel = current.clone().into();
    let mut changed = Vec::new();
    if let Some(t) = changes.title {
        model.title = Set(clean_name("title", &t, 200)?);
        changed.push("title");
    }
    if let Some(d) = changes.description {
        model.description = Set(clean_text("description", &d, 5000)?);
        changed.push("description");
    }
    if let Some(p) = changes.priority {
        model.priority = Set(p);
        changed.push("priority");
    }
    if let Some(d) = changes.due_at {
        model.due_at = Set(Some(check_time("dueAt", d)?));
        changed.push("dueAt");
    }
    if let Some(e) = changes.evidence {
        model.evidence = Set(crate::validate::to_json_list(&clean_evidence(e)?));
        changed.push("evidence");
    }
    let updated = save_task(w.txn(), &current, model).await?;
    push(&mut w, &updated, Event::new(EventKind::Updated).note(Some(format!("changed {}", changed.join(", "))))).await?;
    w.commit(
        Audit::new("updateTask", "Task")
            .object(updated.id)
            .community(updated.community_id)
            .summary(json!({ "changed": changed, "version": updated.version })),
    )
    .await?;
    Ok(updated)
}

/// Verifies, reopens, cancels or escalates a task (staff).
pub async fn staff_action(
    cx: &Cx,
    id: TaskId,
    action: TaskAction,
    expected_version: Option<i32>,
    note: Option<String>,
) -> AppResult<task::Model> {
    let id = id.0;
    let note = clean_optional("note", note, 2000)?;
    let mut w = Write::begin(cx).await?;
    let current = visible_task(&w, id).await?;
    cx.scope.require_staff(current.community_id, action.refusal_name())?;
    check_version(expected_version, current.version, "the task")?;
    let Some(next) = workflow::task_transition(current.status, action) else {
        return Err(illegal(action.name(), current.status));
    };
    let now = Utc::now();
    let mut model: task::ActiveModel = current.clone().into();
    model.status = Set(next);
    let (kind, level) = match action {
        TaskAction::Verify => {
            model.closed_at = Set(Some(now));
            (EventKind::Verified, None)
        }
        TaskAction::Cancel => {
            model.closed_at = Set(Some(now));
            (EventKind::Cancelled, None)
        }
        TaskAction::Reopen => {
            model.resolved_at = Set(None);
            (EventKind::Reopened, None)
        }
        TaskAction::Escalate => {
            let Some(level) = workflow::next_level(current.level) else {
                return Err(AppError::BadInput { message: "the task is already at city level".into(), field: Some("level".into()) });
            };
            // The street decides what it cannot solve: community staff raise a task to the
            // street, never past it.
            if level == TaskLevel::City && !matches!(cx.scope.principal(), Principal::StreetAdmin { .. }) {
                return Err(AppError::Forbidden("only street staff may escalate tasks to the city".into()));
            }
            model.level = Set(level);
            model.escalated_at = Set(Some(now));
            (EventKind::Escalated, Some(level))
        }
        TaskAction::Assign | TaskAction::Update => return Err(AppError::internal("not a staff transition")),
    };
    let updated = save_task(w.txn(), &current, model).await?;
    let mut reopened_shares = Vec::new();
    if action == TaskAction::Reopen {
        // Work starts again: finished shares go back to accepted.
        let done = assignment::Entity::find()
            .filter(assignment::Column::CommunityId.eq(current.community_id))
            .filter(assignment::Column::TaskId.eq(current.id))
            .filter(assignment::Column::Status.eq(AssignmentStatus::Done))
            .all(w.txn())
            .await?;
        let now = Utc::now();
        for share in done {
            let mut m: assignment::ActiveModel = share.clone().into();
            m.status = Set(AssignmentStatus::Accepted);
            m.version = Set(share.version + 1);
            m.updated_at = Set(now);
            reopened_shares.push(
                guarded_update::<assignment::Entity, _>(
                    w.txn(),
                    m,
                    assignment::Column::Id,
                    assignment::Column::Version,
                    share.id,
                    share.version,
                )
                .await?,
            );
        }
    }
    let mut event = Event::new(kind).status(current.status, next).note(note);
    event.level = level;
    push(&mut w, &updated, event).await?;
    // Each unit sees its own share reopened on the timeline.
    for share in &reopened_shares {
        let note = Some(format!("{} → {}", share_name(AssignmentStatus::Done), share_name(share.status)));
        push(&mut w, &updated, Event::new(EventKind::Reopened).share(share).note(note)).await?;
    }
    w.commit(
        Audit::new(action.name(), "Task")
            .object(updated.id)
            .community(updated.community_id)
            .summary(json!({ "from": status_name(current.status), "to": status_name(next), "level": updated.level.to_value() })),
    )
    .await?;
    Ok(updated)
}

/// Adds a comment to a task's timeline (anyone who may see the task, except reporters).
pub async fn comment(
    cx: &Cx,
    task_id: TaskId,
    note: String,
    evidence: Vec<String>,
    idempotency_key: Option<String>,
) -> AppResult<(task::Model, task_event::Model)> {
    let task_id = task_id.0;
    cx.scope.require_authenticated()?;
    if matches!(cx.scope.principal(), Principal::Reporter { .. }) {
        return Err(AppError::Forbidden("reporters read; they do not comment".into()));
    }
    let note = clean_name("note", &note, 2000)?;
    let evidence = clean_evidence(evidence)?;
    let key = clean_key(idempotency_key)?;
    let w = Write::begin(cx).await?;
    let task = visible_task(&w, task_id).await?;
    let event_id_hint = Uuid::now_v7();
    let mut w = match claim(w, &key, &format!("commentOnTask:{}", task.id), event_id_hint).await? {
        Ok(w) => w,
        Err(first) => {
            let event = task_event::Entity::find_by_id(first)
                .filter(event_filter(&cx.scope))
                .one(&cx.db)
                .await?
                .ok_or_else(|| AppError::not_found("comment"))?;
            return Ok((task, event));
        }
    };
    let mut event = push(&mut w, &task, Event::new(EventKind::Commented).note(Some(note)).evidence(evidence)).await?;
    if key.is_some() {
        // Point the key at the comment it produced.
        idempotency_key::Entity::update_many()
            .col_expr(idempotency_key::Column::ObjectId, Expr::value(event.id))
            .filter(idempotency_key::Column::ObjectId.eq(event_id_hint))
            .exec(w.txn())
            .await?;
    }
    if let Some(u) = cx.scope.unit_id() {
        // A unit's comment is its own timeline entry.
        let mut m: task_event::ActiveModel = event.clone().into();
        m.unit_id = Set(Some(u));
        event = m.update(w.txn()).await?;
    }
    w.commit(Audit::new("commentOnTask", "Task").object(task.id).community(task.community_id).summary(json!({ "event": event.id })))
        .await?;
    Ok((task, event))
}

//! Follow-through (有人抓落实): a decided agenda item's action items, each with an owner (a party
//! organisation of the community, a unit seated on its joint committee, a property manager of
//! it, or a person), a due day, progress notes with evidence, OPEN until done. An action that
//! needs departments is filed as a collaboration task in the same transaction (through
//! collaboration's own task creation; `ActionItem.task`), and that task's verification closes
//! it: [`ActionsFollowTasks`] is registered on the change bus, so it runs inside the
//! `verifyTask` write and both commit together. The appeals an item takes up follow its
//! actions: the first action starts them (ANSWERED → IN_PROGRESS), the last one done finishes
//! them (IN_PROGRESS → DONE).

use chrono::{DateTime, NaiveDate, Utc};
use entity::action_item::{self, ActionStatus};
use entity::action_note;
use entity::agenda_appeal;
use entity::agenda_item;
use entity::appeal::{self, AppealState};
use entity::meeting_participant::PartyKind;
use entity::task::{TaskCategory, TaskPriority};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use super::meetings::{Party, check_party, lock_meeting, move_appeal};
use crate::collaboration::service::{NewTask, insert_task};
use crate::cx::Cx;
use crate::deliberation::ids::{ActionItemId, AgendaItemId, MeetingId};
use crate::deliberation::visibility::{self, ties};
use crate::deliberation::workflow::Action;
use crate::error::{AppError, AppResult};
use crate::organisation::ids::CommunityId;
use crate::validate::{check_date, clean_evidence, clean_name, clean_text};
use crate::write::{Audit, Write};

/// The collaboration task an action that needs departments becomes.
pub struct ActionTask {
    pub description: String,
    pub category: TaskCategory,
    pub priority: TaskPriority,
    pub due_at: Option<DateTime<Utc>>,
}

/// An action item to add to a decided item.
pub struct NewAction {
    pub title: String,
    pub owner: Party,
    pub due_on: NaiveDate,
    pub task: Option<ActionTask>,
}

/// The appeals an agenda item takes up, locked, in one order.
async fn appeals_of_item(w: &Write<'_>, community: Uuid, item: Uuid, state: AppealState) -> AppResult<Vec<appeal::Model>> {
    let ids: Vec<Uuid> = agenda_appeal::Entity::find()
        .filter(agenda_appeal::Column::CommunityId.eq(community))
        .filter(agenda_appeal::Column::AgendaItemId.eq(item))
        .all(w.txn())
        .await?
        .into_iter()
        .map(|l| l.appeal_id)
        .collect();
    w.lock_all(
        appeal::Entity::find()
            .filter(appeal::Column::CommunityId.eq(community))
            .filter(appeal::Column::Id.is_in(ids))
            .filter(appeal::Column::State.eq(state))
            .order_by_asc(appeal::Column::Id),
    )
    .await
}

/// Adds an action item to a decided item (whoever runs the meeting); with `task`, files the
/// collaboration task it becomes in the same write. The item's answered appeals start.
pub async fn add_action_item(cx: &Cx, item: AgendaItemId, input: NewAction) -> AppResult<action_item::Model> {
    cx.scope.require_authenticated()?;
    let title = clean_name("title", &input.title, 200)?;
    let due_on = check_date("dueOn", input.due_on)?;
    if input.owner.kind == PartyKind::OwnersCommittee {
        return Err(AppError::bad_input("owner", "an action is owned by a party organisation, a unit, a property manager or a person"));
    }
    if input.task.is_some() && input.owner.kind != PartyKind::Unit {
        return Err(AppError::bad_input("task", "an action that needs departments is owned by a co-building unit"));
    }
    let mut w = Write::begin(cx).await?;
    let found = w
        .lock(agenda_item::Entity::find_by_id(item.0).filter(visibility::agenda_filter(&cx.scope)))
        .await?
        .ok_or_else(|| AppError::not_found("agenda item"))?;
    let m = lock_meeting(&w, MeetingId(found.meeting_id)).await?;
    if found.decision.is_none() {
        return Err(AppError::Conflict("the item is not decided yet: actions follow a decision".into()));
    }
    check_party(&w, m.community_id, input.owner, "owner").await?;
    let task = match input.task {
        Some(t) => {
            let new = NewTask {
                community_id: CommunityId(m.community_id),
                title: title.clone(),
                description: clean_text("description", &t.description, 5000)?,
                category: t.category,
                priority: t.priority,
                due_at: t.due_at,
                campaign_id: None,
                site_id: None,
                evidence: Vec::new(),
            };
            Some(insert_task(&mut w, new, "addActionItem").await?.0)
        }
        None => None,
    };
    let now = Utc::now();
    let action = action_item::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(m.community_id),
        agenda_item_id: Set(found.id),
        title: Set(title),
        owner_kind: Set(input.owner.kind),
        owner_id: Set(input.owner.id),
        due_on: Set(due_on),
        status: Set(ActionStatus::Open),
        task_id: Set(task.as_ref().map(|t| t.id)),
        done_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(w.txn())
    .await?;
    let ties = ties(w.txn(), &cx.scope).await?;
    let mut started = Vec::new();
    for a in appeals_of_item(&w, m.community_id, found.id, AppealState::Answered).await? {
        let event = move_appeal(&w, &ties, &a, Action::Start, "addActionItem", |_| {}).await?;
        w.stored_event(event);
        started.push(a.id);
    }
    w.commit(Audit::new("addActionItem", "ActionItem").object(action.id).community(action.community_id).summary(json!({
        "agendaItemId": found.id, "ownerKind": action.owner_kind.to_value(), "taskId": action.task_id, "started": started,
    })))
    .await?;
    Ok(action)
}

/// The action items a collaboration task carries out, among those the caller sees.
pub async fn action_items_of_task(cx: &Cx, task: crate::collaboration::loaders::TaskId) -> AppResult<Vec<action_item::Model>> {
    cx.scope.require_authenticated()?;
    Ok(action_item::Entity::find()
        .filter(action_item::Column::TaskId.eq(task.0))
        .filter(visibility::action_filter(&cx.scope))
        .order_by_asc(action_item::Column::Id)
        .all(&cx.db)
        .await?)
}

/// Locks an action item the caller may work on (whoever runs its meeting, or its owner).
async fn lock_action(w: &Write<'_>, id: ActionItemId) -> AppResult<action_item::Model> {
    let cx = w.cx();
    let a = w
        .lock(action_item::Entity::find_by_id(id.0).filter(visibility::action_filter(&cx.scope)))
        .await?
        .ok_or_else(|| AppError::not_found("action item"))?;
    if !visibility::owns_action(&cx.scope, &a) {
        let item =
            agenda_item::Entity::find_by_id(a.agenda_item_id).one(w.txn()).await?.ok_or_else(|| AppError::not_found("agenda item"))?;
        lock_meeting(w, MeetingId(item.meeting_id)).await?;
    }
    Ok(a)
}

/// Notes progress on an open action item, with evidence.
pub async fn record_action_progress(cx: &Cx, id: ActionItemId, note: String, evidence: Option<String>) -> AppResult<action_note::Model> {
    cx.scope.require_authenticated()?;
    let note = clean_text("note", &note, 2000)?;
    let evidence = clean_evidence(evidence.into_iter().collect())?.into_iter().next();
    let w = Write::begin(cx).await?;
    let a = lock_action(&w, id).await?;
    if a.status != ActionStatus::Open {
        return Err(AppError::Conflict("the action item is done".into()));
    }
    let n = action_note::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(a.community_id),
        action_item_id: Set(a.id),
        note: Set(note),
        evidence: Set(evidence),
        recorded_by: Set(cx.scope.label().to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(w.txn())
    .await?;
    w.commit(Audit::new("recordActionProgress", "ActionItem").object(a.id).community(a.community_id).summary(json!({ "noteId": n.id })))
        .await?;
    Ok(n)
}

/// Marks an open action item done, unless a collaboration task carries it out (its
/// verification closes it). The item's appeals finish once its last action is done.
pub async fn complete_action_item(cx: &Cx, id: ActionItemId, expected: Option<i32>) -> AppResult<action_item::Model> {
    cx.scope.require_authenticated()?;
    let mut w = Write::begin(cx).await?;
    let a = lock_action(&w, id).await?;
    Write::expect_version(expected, a.version)?;
    if a.status != ActionStatus::Open {
        return Err(AppError::Conflict("the action item is already done".into()));
    }
    if a.task_id.is_some() {
        return Err(AppError::Conflict(
            "this action item is carried out by a collaboration task: it is done when the task is verified".into(),
        ));
    }
    let now = Utc::now();
    let mut row: action_item::ActiveModel = a.clone().into();
    row.status = Set(ActionStatus::Done);
    row.done_at = Set(Some(now));
    row.version = Set(a.version + 1);
    row.updated_at = Set(now);
    let done = crate::db::guarded_update::<action_item::Entity, _>(
        w.txn(),
        row,
        action_item::Column::Id,
        action_item::Column::Version,
        a.id,
        a.version,
    )
    .await?;
    let (finished, events) = finish_if_done(w.txn(), done.community_id, done.agenda_item_id, now, "completeActionItem").await?;
    for e in events {
        w.stored_event(e);
    }
    w.commit(
        Audit::new("completeActionItem", "ActionItem")
            .object(done.id)
            .community(done.community_id)
            .summary(json!({ "finished": finished })),
    )
    .await?;
    Ok(done)
}

/// When no action of the item is open any more, its appeals in progress are done, each with its
/// timeline entry as `kind`. Returns the appeals finished and their entries' ids.
async fn finish_if_done(
    txn: &DatabaseTransaction,
    community: Uuid,
    item: Uuid,
    now: DateTime<Utc>,
    kind: &str,
) -> AppResult<(Vec<Uuid>, Vec<Uuid>)> {
    let open = action_item::Entity::find()
        .filter(action_item::Column::CommunityId.eq(community))
        .filter(action_item::Column::AgendaItemId.eq(item))
        .filter(action_item::Column::Status.eq(ActionStatus::Open))
        .count(txn)
        .await?;
    if open > 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let ids: Vec<Uuid> = agenda_appeal::Entity::find()
        .filter(agenda_appeal::Column::CommunityId.eq(community))
        .filter(agenda_appeal::Column::AgendaItemId.eq(item))
        .all(txn)
        .await?
        .into_iter()
        .map(|l| l.appeal_id)
        .collect();
    let rows = appeal::Entity::find()
        .filter(appeal::Column::CommunityId.eq(community))
        .filter(appeal::Column::Id.is_in(ids))
        .filter(appeal::Column::State.eq(AppealState::InProgress))
        .all(txn)
        .await?;
    let in_progress: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
    if !in_progress.is_empty() {
        appeal::Entity::update_many()
            .col_expr(appeal::Column::State, Expr::value(AppealState::Done.to_value()))
            .col_expr(appeal::Column::ClosedAt, Expr::value(now))
            .col_expr(appeal::Column::Version, Expr::col(appeal::Column::Version).add(1))
            .col_expr(appeal::Column::UpdatedAt, Expr::value(now))
            .filter(appeal::Column::CommunityId.eq(community))
            .filter(appeal::Column::Id.is_in(in_progress.clone()))
            .filter(appeal::Column::State.eq(AppealState::InProgress))
            .exec(txn)
            .await?;
    }
    let mut events = Vec::new();
    for a in rows {
        let done = appeal::Model { state: AppealState::Done, closed_at: Some(now), version: a.version + 1, ..a };
        events.push(super::appeal_event(txn, &done, kind).await?);
    }
    Ok((in_progress, events))
}

/// A verified collaboration task closes the action items it carries out, and the appeals of
/// their items follow; inside the `verifyTask` write (registered on the change bus at start-up).
pub struct ActionsFollowTasks;

#[async_trait::async_trait]
impl crate::changes::FollowUp for ActionsFollowTasks {
    async fn follow(&self, txn: &DatabaseTransaction, action: &str, object_id: Option<Uuid>, _events: &[Uuid]) -> AppResult<Vec<Uuid>> {
        let (Some(task), "verifyTask") = (object_id, action) else { return Ok(Vec::new()) };
        let open = action_item::Entity::find()
            .filter(action_item::Column::TaskId.eq(task))
            .filter(action_item::Column::Status.eq(ActionStatus::Open))
            .all(txn)
            .await?;
        let now = Utc::now();
        let mut events = Vec::new();
        for a in open {
            action_item::Entity::update_many()
                .col_expr(action_item::Column::Status, Expr::value(ActionStatus::Done.to_value()))
                .col_expr(action_item::Column::DoneAt, Expr::value(now))
                .col_expr(action_item::Column::Version, Expr::col(action_item::Column::Version).add(1))
                .col_expr(action_item::Column::UpdatedAt, Expr::value(now))
                .filter(action_item::Column::CommunityId.eq(a.community_id))
                .filter(action_item::Column::Id.eq(a.id))
                .exec(txn)
                .await?;
            events.extend(finish_if_done(txn, a.community_id, a.agenda_item_id, now, "verifyTask").await?.1);
        }
        Ok(events)
    }
}

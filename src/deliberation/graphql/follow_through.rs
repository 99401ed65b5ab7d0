//! The follow-through of a decision (有人抓落实): action items with their owners, progress notes
//! and the collaboration tasks that carry them out.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{action_item, action_note};

use super::parties::{PartyInput, PartyKind, party, party_id};
use super::{agenda_item_id, kind};
use crate::collaboration::graphql::{Task, TaskCategory, TaskPriority};
use crate::collaboration::loaders::{TaskId, collab_loader};
use crate::deliberation::ids::ActionItemId;
use crate::deliberation::loaders::{NotesOf, deliberation_loader};
use crate::deliberation::service::{self, ActionTask, NewAction};
use crate::error::AppError;
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};

/// Where an action item stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::action_item::ActionStatus")]
pub enum ActionStatus {
    /// To be done.
    Open,
    /// Done (for one carried out by a collaboration task: the task was verified).
    Done,
}

/// An action item (落实) of a decision: what is to be done, by whom, by when.
pub struct ActionItem(pub action_item::Model);

/// An action item (落实) of a decision: what is to be done, by whom, by when.
#[Object]
impl ActionItem {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::ACTION_ITEM, self.0.id)
    }
    /// What is to be done.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What kind of party owns it.
    async fn owner_kind(&self) -> PartyKind {
        self.0.owner_kind.into()
    }
    /// Who owns it: a person's id, or the global id of the organisation, unit or property manager.
    async fn owner_id(&self) -> ID {
        party_id(self.0.owner_kind, self.0.owner_id)
    }
    /// The day it is due.
    async fn due_on(&self) -> Date {
        Date(self.0.due_on)
    }
    /// Where it stands.
    async fn status(&self) -> ActionStatus {
        self.0.status.into()
    }
    /// When it was done.
    async fn done_at(&self) -> Option<DateTime<Utc>> {
        self.0.done_at
    }
    /// The collaboration task that carries it out, when it needs departments (to those who see
    /// the task); its verification closes the action.
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        match self.0.task_id {
            Some(t) => Ok(collab_loader(ctx)?.load_one(TaskId(t)).await?.map(Task)),
            None => Ok(None),
        }
    }
    /// Progress notes, oldest first.
    async fn notes(&self, ctx: &Context<'_>) -> Result<Vec<ActionNote>> {
        let rows = deliberation_loader(ctx)?.load_one(NotesOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(ActionNote).collect())
    }
    /// Version, incremented when it is done; pass it as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A progress note on an action item.
pub struct ActionNote(pub action_note::Model);

/// A progress note on an action item.
#[Object]
impl ActionNote {
    /// What was done.
    async fn note(&self) -> &str {
        &self.0.note
    }
    /// Evidence: an http(s) URL.
    async fn evidence(&self) -> Option<&str> {
        self.0.evidence.as_deref()
    }
    /// Who recorded it.
    async fn recorded_by(&self) -> &str {
        &self.0.recorded_by
    }
    /// When.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// The collaboration task an action that needs departments becomes.
#[derive(InputObject)]
pub struct ActionTaskInput {
    /// What the departments are to do (at most 5000 characters).
    pub description: String,
    /// The task's category.
    pub category: TaskCategory,
    /// The task's priority.
    pub priority: TaskPriority,
    /// When the task is due.
    pub due_at: Option<DateTime<Utc>>,
}

/// Input of `addActionItem`.
#[derive(InputObject)]
pub struct AddActionItemInput {
    /// The decided item.
    pub agenda_item_id: ID,
    /// What is to be done (at most 200 characters).
    pub title: String,
    /// Who owns it: a party organisation, a seated unit, a property manager or a person.
    pub owner: PartyInput,
    /// The day it is due.
    pub due_on: Date,
    /// When it needs departments: the collaboration task it becomes (the owner must be a unit).
    pub task: Option<ActionTaskInput>,
}

/// Input of `recordActionProgress`.
#[derive(InputObject)]
pub struct RecordActionProgressInput {
    /// The open action item.
    pub action_item_id: ID,
    /// What was done (at most 2000 characters).
    pub note: String,
    /// Evidence: an http(s) URL.
    pub evidence: Option<String>,
}

/// Input of `completeActionItem`.
#[derive(InputObject)]
pub struct CompleteActionItemInput {
    /// The open action item (not one carried out by a task: the task's verification closes it).
    pub action_item_id: ID,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Result of the action item mutations.
#[derive(SimpleObject)]
pub struct ActionItemPayload {
    /// The action item.
    pub action_item: ActionItem,
}

fn action_item_id(id: &ID) -> Result<ActionItemId, AppError> {
    Ok(ActionItemId(expect_id(id, kind::ACTION_ITEM, "actionItemId")?))
}

/// Queries of consultative democracy: the follow-through of decisions.
#[derive(Default)]
pub struct FollowThroughQuery;

/// Queries of consultative democracy: the follow-through of decisions.
#[Object]
impl FollowThroughQuery {
    /// The action items a collaboration task carries out (the link from the task's side), among
    /// those the caller sees.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn action_items_of_task(&self, ctx: &Context<'_>, #[graphql(desc = "The task.")] task_id: ID) -> Result<Vec<ActionItem>> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let task = TaskId(expect_id(&task_id, crate::collaboration::graphql::kind::TASK, "taskId")?);
        Ok(service::action_items_of_task(&r.cx, task).await?.into_iter().map(ActionItem).collect())
    }
}

/// Mutations of consultative democracy: the follow-through of decisions.
#[derive(Default)]
pub struct FollowThroughMutation;

/// Mutations of consultative democracy: the follow-through of decisions.
#[Object]
impl FollowThroughMutation {
    /// Adds an action item to a decided item; one that needs departments becomes a
    /// collaboration task in the same transaction. The item's answered appeals start.
    async fn add_action_item(&self, ctx: &Context<'_>, input: AddActionItemInput) -> Result<ActionItemPayload> {
        let r = rc(ctx)?;
        let new = NewAction {
            title: input.title,
            owner: party(&input.owner, "owner")?,
            due_on: input.due_on.0,
            task: input.task.map(|t| ActionTask {
                description: t.description,
                category: t.category.into(),
                priority: t.priority.into(),
                due_at: t.due_at,
            }),
        };
        let a = service::add_action_item(&r.cx, agenda_item_id(&input.agenda_item_id)?, new).await?;
        Ok(ActionItemPayload { action_item: ActionItem(a) })
    }

    /// Notes progress on an open action item (whoever runs its meeting, or its owner).
    async fn record_action_progress(&self, ctx: &Context<'_>, input: RecordActionProgressInput) -> Result<ActionItemPayload> {
        let r = rc(ctx)?;
        let id = action_item_id(&input.action_item_id)?;
        service::record_action_progress(&r.cx, id, input.note, input.evidence).await?;
        let a = deliberation_loader(ctx)?.load_one(id).await?.ok_or_else(|| AppError::not_found("action item"))?;
        Ok(ActionItemPayload { action_item: ActionItem(a) })
    }

    /// Marks an open action item done (whoever runs its meeting, or its owner); the item's
    /// appeals are DONE once its last action is.
    async fn complete_action_item(&self, ctx: &Context<'_>, input: CompleteActionItemInput) -> Result<ActionItemPayload> {
        let r = rc(ctx)?;
        let a = service::complete_action_item(&r.cx, action_item_id(&input.action_item_id)?, input.expected_version).await?;
        Ok(ActionItemPayload { action_item: ActionItem(a) })
    }
}

//! Live task events. Events are rows of `task_event`, written in the same transaction as the
//! change and handed over by the change bus (`crate::changes`) only after that transaction
//! commits, here or on another instance, so no event is ever emitted for a change that rolled
//! back. Each committed batch is loaded once and fanned out to this instance's subscribers.

use std::collections::HashMap;
use std::sync::Arc;

use entity::{assignment, task, task_event};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::error::AppResult;

/// A committed event with what subscribers filter on.
#[derive(Debug, Clone)]
pub struct LiveEvent {
    pub event: task_event::Model,
    pub campaign_id: Option<Uuid>,
    /// The task's level when the event was published.
    pub task_level: Option<task::TaskLevel>,
    /// Units with a share of the task when the event was published.
    pub unit_ids: Vec<Uuid>,
}

/// Fan-out of committed task events to this instance's subscribers.
#[derive(Clone)]
pub struct LiveTasks {
    sender: broadcast::Sender<Arc<LiveEvent>>,
}

impl Default for LiveTasks {
    fn default() -> Self {
        LiveTasks { sender: broadcast::channel(1024).0 }
    }
}

impl LiveTasks {
    /// How many live subscriptions listen on this instance.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }

    /// A new receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.sender.subscribe()
    }
}

#[async_trait::async_trait]
impl crate::changes::EventSink for LiveTasks {
    async fn deliver(&self, db: &DatabaseConnection, ids: &[Uuid]) {
        if self.sender.receiver_count() == 0 {
            return;
        }
        match load(db, ids).await {
            Ok(events) => {
                for e in events {
                    let _ = self.sender.send(Arc::new(e));
                }
            }
            Err(err) => tracing::warn!(error = %err, "could not publish task events"),
        }
    }
}
async fn load(db: &DatabaseConnection, ids: &[Uuid]) -> AppResult<Vec<LiveEvent>> {
    let events = task_event::Entity::find()
        .filter(task_event::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(task_event::Column::Id)
        .all(db)
        .await?;
    let task_ids: Vec<Uuid> = events.iter().map(|e| e.task_id).collect();
    let tasks: HashMap<Uuid, task::Model> =
        task::Entity::find().filter(task::Column::Id.is_in(task_ids.clone())).all(db).await?.into_iter().map(|t| (t.id, t)).collect();
    let mut units: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for a in assignment::Entity::find().filter(assignment::Column::TaskId.is_in(task_ids)).all(db).await? {
        units.entry(a.task_id).or_default().push(a.unit_id);
    }
    Ok(events
        .into_iter()
        .map(|event| LiveEvent {
            campaign_id: tasks.get(&event.task_id).and_then(|t| t.campaign_id),
            task_level: tasks.get(&event.task_id).map(|t| t.level),
            unit_ids: units.get(&event.task_id).cloned().unwrap_or_default(),
            event,
        })
        .collect())
}

//! Live appeal events. Events are rows of `appeal_event`, written in the same transaction as the
//! change and handed over by the change bus (`crate::changes`) only after that transaction
//! commits, here or on another instance, so no event is ever emitted for a change that rolled
//! back. Each committed batch is loaded once, with each appeal's raiser and supporters, and
//! fanned out to this instance's subscribers, who filter it by their scope.

use std::collections::HashMap;
use std::sync::Arc;

use entity::{appeal, appeal_event, appeal_support};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::auth::Scope;
use crate::error::AppResult;

/// A committed appeal event with who may follow it.
#[derive(Debug, Clone)]
pub struct LiveAppealEvent {
    pub event: appeal_event::Model,
    /// The resident who raised the appeal, if any.
    pub raiser: Option<Uuid>,
    /// The residents who support it.
    pub supporters: Vec<Uuid>,
}

impl LiveAppealEvent {
    /// Whether `scope` follows this event: staff of its community, its raiser, its supporters.
    pub fn seen_by(&self, scope: &Scope) -> bool {
        if scope.is_staff_of(self.event.community_id) {
            return true;
        }
        scope.person_id().is_some_and(|me| self.raiser == Some(me) || self.supporters.contains(&me))
    }
}

/// Fan-out of committed appeal events to this instance's subscribers.
#[derive(Clone)]
pub struct LiveAppeals {
    sender: broadcast::Sender<Arc<LiveAppealEvent>>,
}

impl Default for LiveAppeals {
    fn default() -> Self {
        LiveAppeals { sender: broadcast::channel(1024).0 }
    }
}

impl LiveAppeals {
    /// How many live subscriptions listen on this instance.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }

    /// A new receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveAppealEvent>> {
        self.sender.subscribe()
    }
}

#[async_trait::async_trait]
impl crate::changes::EventSink for LiveAppeals {
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
            Err(err) => tracing::warn!(error = %err, "could not publish appeal events"),
        }
    }
}

/// The appeal events among `ids` (others are another noun's), with raisers and supporters.
async fn load(db: &DatabaseConnection, ids: &[Uuid]) -> AppResult<Vec<LiveAppealEvent>> {
    let events = appeal_event::Entity::find()
        .filter(appeal_event::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(appeal_event::Column::Id)
        .all(db)
        .await?;
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let appeal_ids: Vec<Uuid> = events.iter().map(|e| e.appeal_id).collect();
    let raisers: HashMap<Uuid, Option<Uuid>> = appeal::Entity::find()
        .filter(appeal::Column::Id.is_in(appeal_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.raiser_person_id))
        .collect();
    let mut supporters: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for s in appeal_support::Entity::find().filter(appeal_support::Column::AppealId.is_in(appeal_ids)).all(db).await? {
        supporters.entry(s.appeal_id).or_default().push(s.person_id);
    }
    Ok(events
        .into_iter()
        .map(|event| LiveAppealEvent {
            raiser: raisers.get(&event.appeal_id).copied().flatten(),
            supporters: supporters.get(&event.appeal_id).cloned().unwrap_or_default(),
            event,
        })
        .collect())
}

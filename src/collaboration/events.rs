//! Live task events. Events are rows of `task_event`, written in the same transaction as the
//! change, and published only after that transaction commits, so no event is ever emitted for a
//! change that rolled back. On PostgreSQL the commit also sends `NOTIFY gongzhi_task_events`
//! (delivered by PostgreSQL only on commit), so that every instance behind a load balancer
//! delivers the events to its own subscribers.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use entity::{assignment, task, task_event};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, QueryOrder, Statement};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::error::AppResult;

/// The PostgreSQL channel events are announced on.
pub const CHANNEL: &str = "gongzhi_task_events";
/// The PostgreSQL channel on which every committed change is announced, so that other
/// instances drop their cached responses at once.
pub const CHANGES: &str = "gongzhi_changes";

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

/// Fan-out of committed events to this instance's subscribers.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<LiveEvent>>,
    instance: Uuid,
    /// Counts committed changes seen by this instance; read by the response cache.
    changes: Arc<AtomicU64>,
}

impl Default for EventBus {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(1024);
        EventBus { sender, instance: Uuid::now_v7(), changes: Arc::default() }
    }
}

impl EventBus {
    /// Notes that data changed (a commit here or on another instance).
    pub fn changed(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
    }

    /// The number of changes noted so far.
    pub fn generation(&self) -> u64 {
        self.changes.load(Ordering::SeqCst)
    }

    /// How many live subscriptions listen on this instance.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }

    /// A new receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.sender.subscribe()
    }

    /// Inside the transaction: on PostgreSQL, announce the events to other instances
    /// (PostgreSQL delivers the notification only if the transaction commits).
    pub async fn announce(&self, txn: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<()> {
        if ids.is_empty() || txn.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let payload = format!("{}:{}", self.instance, ids.iter().map(Uuid::to_string).collect::<Vec<_>>().join(","));
        txn.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, "SELECT pg_notify($1, $2)", [CHANNEL.into(), payload.into()]))
            .await?;
        Ok(())
    }

    /// Inside a mutation's transaction: on PostgreSQL, tell other instances that data changed
    /// (delivered only if the transaction commits). This instance notes it after the commit.
    pub async fn announce_change(&self, txn: &impl ConnectionTrait) -> AppResult<()> {
        if txn.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANGES.into(), self.instance.to_string().into()],
        ))
        .await?;
        Ok(())
    }

    /// After the commit: deliver the events to this instance's subscribers.
    pub async fn publish(&self, db: &DatabaseConnection, ids: &[Uuid]) {
        if ids.is_empty() {
            return;
        }
        self.changed();
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

    /// Listens for other instances' events on PostgreSQL and delivers them here.
    pub fn listen(&self, db: DatabaseConnection) {
        if db.get_database_backend() != DbBackend::Postgres {
            return;
        }
        let bus = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(err) = bus.listen_once(&db).await {
                    tracing::warn!(error = %err, "event listener stopped; reconnecting");
                }
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
        });
    }

    async fn listen_once(&self, db: &DatabaseConnection) -> anyhow::Result<()> {
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(db.get_postgres_connection_pool()).await?;
        listener.listen_all([CHANNEL, CHANGES]).await?;
        // Whatever changed while the listener was away is no longer in the cache.
        self.changed();
        loop {
            let note = listener.recv().await?;
            if note.channel() == CHANGES {
                // Own notices too: a commit whose request was cut short (time limit) never
                // reached the handler's own bump.
                self.changed();
                continue;
            }
            let Some((instance, ids)) = note.payload().split_once(':') else { continue };
            if instance == self.instance.to_string() {
                continue; // published locally already
            }
            let ids: Vec<Uuid> = ids.split(',').filter_map(|s| s.parse().ok()).collect();
            self.publish(db, &ids).await;
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

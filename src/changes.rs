//! The change bus: what happens after a write commits, in one place for every noun.
//!
//! - A counter of committed changes (`generation`): cached answers and resolved scopes made
//!   before a change are no longer served (see `http::responses`, `auth::cache`).
//! - On PostgreSQL, `NOTIFY` inside the transaction (delivered only if it commits): other
//!   instances bump their counters at once, and receive the ids of the stored events the change
//!   wrote.
//! - Stored events (rows a noun writes with its change, such as a task's timeline) are handed
//!   after the commit to the sinks registered at start-up (a noun's live subscriptions), here and
//!   on every other instance. The bus knows only their ids; what they are is the sink's business.
//! - Follow-ups ([`FollowUp`]), registered at start-up like the sinks, run inside a write's
//!   transaction just before it commits: one noun's part of another noun's change (a verified
//!   task closing the action item it carries out), so that both commit together or not at all,
//!   while the noun that writes never names the noun that follows.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement};
use uuid::Uuid;

use crate::error::AppResult;

/// The PostgreSQL channel on which stored events' ids are announced.
pub const EVENTS: &str = "gongzhi_events";
/// The PostgreSQL channel on which every committed change is announced, so that other
/// instances drop their cached answers at once.
pub const CHANGES: &str = "gongzhi_changes";

/// Where committed stored events go: a noun's live subscriptions, for one.
#[async_trait::async_trait]
pub trait EventSink: Send + Sync {
    /// Delivers the stored events of these ids, committed here or on another instance.
    async fn deliver(&self, db: &DatabaseConnection, ids: &[Uuid]);
}

/// One noun's part of another noun's write, run in that write's transaction before it commits.
#[async_trait::async_trait]
pub trait FollowUp: Send + Sync {
    /// Follows the write whose audit record names `action` on the object `object_id`, which
    /// wrote the stored events `events` (its own and those of the follow-ups before this one);
    /// returns the ids of the stored events it wrote (handed to the sinks with the write's own);
    /// an error rolls the whole write back.
    async fn follow(&self, txn: &DatabaseTransaction, action: &str, object_id: Option<Uuid>, events: &[Uuid]) -> AppResult<Vec<Uuid>>;
}

/// The change bus of one instance: cheap to clone.
#[derive(Clone)]
pub struct Changes {
    instance: Uuid,
    counter: Arc<AtomicU64>,
    sinks: Arc<[Arc<dyn EventSink>]>,
    follow_ups: Arc<[Arc<dyn FollowUp>]>,
    /// The system pool the sinks load committed events with, once the server names it (on
    /// PostgreSQL a request's own pool sees no row outside a scoped transaction).
    system: Arc<std::sync::OnceLock<DatabaseConnection>>,
}

impl Default for Changes {
    fn default() -> Self {
        Changes::with_sinks(Vec::new())
    }
}

impl Changes {
    /// A bus handing committed stored events to `sinks`.
    pub fn with_sinks(sinks: Vec<Arc<dyn EventSink>>) -> Self {
        Changes { instance: Uuid::now_v7(), counter: Arc::default(), sinks: sinks.into(), follow_ups: Arc::new([]), system: Arc::default() }
    }

    /// The bus with these follow-ups of writes (see [`FollowUp`]).
    pub fn following(mut self, follow_ups: Vec<Arc<dyn FollowUp>>) -> Self {
        self.follow_ups = follow_ups.into();
        self
    }

    /// Inside the transaction, before it commits: every follow-up of the write, in the order
    /// they were registered, each told the stored events written so far; adds the stored events
    /// they wrote to `events`.
    pub async fn follow(&self, txn: &DatabaseTransaction, action: &str, object_id: Option<Uuid>, events: &mut Vec<Uuid>) -> AppResult<()> {
        for f in self.follow_ups.iter() {
            let more = f.follow(txn, action, object_id, events).await?;
            events.extend(more);
        }
        Ok(())
    }

    /// Names the system pool committed events are loaded with (see `crate::db::connect_system`).
    pub fn deliver_with(&self, system: DatabaseConnection) {
        let _ = self.system.set(system);
    }

    /// Notes that data changed (a commit here or on another instance).
    pub fn changed(&self) {
        self.counter.fetch_add(1, Ordering::SeqCst);
    }

    /// The number of changes noted so far.
    pub fn generation(&self) -> u64 {
        self.counter.load(Ordering::SeqCst)
    }

    /// Inside the transaction: on PostgreSQL, tell other instances that data changed and which
    /// stored events it wrote (delivered only if the transaction commits).
    pub async fn announce(&self, txn: &impl ConnectionTrait, events: &[Uuid]) -> AppResult<()> {
        self.announce_change(txn).await?;
        self.announce_events(txn, events).await
    }

    /// Inside the transaction: on PostgreSQL, tell other instances that data changed.
    pub async fn announce_change(&self, txn: &impl ConnectionTrait) -> AppResult<()> {
        if txn.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        notify(txn, CHANGES, self.instance.to_string()).await
    }

    /// Inside the transaction: on PostgreSQL, tell other instances which stored events it wrote.
    pub async fn announce_events(&self, txn: &impl ConnectionTrait, events: &[Uuid]) -> AppResult<()> {
        if events.is_empty() || txn.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let ids = events.iter().map(Uuid::to_string).collect::<Vec<_>>().join(",");
        notify(txn, EVENTS, format!("{}:{ids}", self.instance)).await
    }

    /// After the commit: note the change here and hand its stored events to the sinks.
    pub async fn committed(&self, db: &DatabaseConnection, events: &[Uuid]) {
        self.changed();
        if events.is_empty() {
            return;
        }
        let db = self.system.get().unwrap_or(db);
        for sink in self.sinks.iter() {
            sink.deliver(db, events).await;
        }
    }

    /// Listens for other instances' changes and events on PostgreSQL.
    pub fn listen(&self, db: DatabaseConnection) {
        if db.get_database_backend() != DbBackend::Postgres {
            return;
        }
        let bus = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(err) = bus.listen_once(&db).await {
                    tracing::warn!(error = %err, "change listener stopped; reconnecting");
                }
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
        });
    }

    async fn listen_once(&self, db: &DatabaseConnection) -> anyhow::Result<()> {
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(db.get_postgres_connection_pool()).await?;
        listener.listen_all([EVENTS, CHANGES]).await?;
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
                continue; // delivered locally already
            }
            let ids: Vec<Uuid> = ids.split(',').filter_map(|s| s.parse().ok()).collect();
            for sink in self.sinks.iter() {
                sink.deliver(db, &ids).await;
            }
        }
    }
}

async fn notify(txn: &impl ConnectionTrait, channel: &str, payload: String) -> AppResult<()> {
    txn.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, "SELECT pg_notify($1, $2)", [channel.into(), payload.into()]))
        .await?;
    Ok(())
}

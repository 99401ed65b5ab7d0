//! The unit of work: every mutation writes through one, and commits in one place.
//!
//! ```ignore
//! let mut w = Write::begin(cx).await?;
//! let task = w.lock(task::Entity::find_by_id(id)).await?.ok_or_else(|| AppError::not_found("task"))?;
//! Write::expect_version(expected, task.version)?;
//! // … statements on `w.txn()`; stored events noted with `w.stored_event(id)` …
//! w.commit(Audit::new("cancelTask", "Task").object(task.id).community(task.community_id)).await?;
//! ```
//!
//! [`Write::commit`] requires the audit entry and does, in this order: the follow-ups other nouns
//! registered on the change bus (`changes::FollowUp`, inside the transaction), the audit row, the change
//! announcement inside the transaction (PostgreSQL `NOTIFY`, delivered only on commit), the
//! commit, then this instance's change counter (cached answers and scopes are no longer served)
//! and the hand-over of stored events to live subscribers. Dropping a `Write` without committing
//! rolls everything back and announces nothing.

use chrono::Utc;
use entity::{audit_log, community};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QuerySelect, Select, Set};
use serde_json::Value;
use uuid::Uuid;

use crate::cx::Cx;
use crate::error::{AppError, AppResult};

/// What a mutation did, for the audit log.
#[derive(Debug, Clone)]
pub struct Audit {
    /// Verb and noun, e.g. `createCompound`.
    pub action: String,
    /// The changed object's type, e.g. `Compound`.
    pub object_type: String,
    pub object_id: Option<Uuid>,
    /// The community the change belongs to, when it is tenant data.
    pub community_id: Option<Uuid>,
    /// The streets a change of no one community is recorded in, one record each (a city's staff
    /// account concerns every street of the city); empty for the scope's street.
    pub streets: Vec<Uuid>,
    /// What changed: field names and non-personal values.
    pub summary: Value,
}

impl Audit {
    /// An entry for `action` on an object of `object_type`.
    pub fn new(action: &str, object_type: &str) -> Self {
        Audit {
            action: action.to_owned(),
            object_type: object_type.to_owned(),
            object_id: None,
            community_id: None,
            streets: Vec::new(),
            summary: Value::Object(Default::default()),
        }
    }

    /// The changed object.
    pub fn object(mut self, id: Uuid) -> Self {
        self.object_id = Some(id);
        self
    }

    /// The community the change belongs to.
    pub fn community(mut self, id: Uuid) -> Self {
        self.community_id = Some(id);
        self
    }

    /// The community the change belongs to, if it is tenant data.
    pub fn community_opt(mut self, id: Option<Uuid>) -> Self {
        self.community_id = id;
        self
    }

    /// The streets a change of no one community is recorded in.
    pub fn streets(mut self, streets: impl IntoIterator<Item = Uuid>) -> Self {
        self.streets = streets.into_iter().collect();
        self
    }

    /// What changed.
    pub fn summary(mut self, summary: Value) -> Self {
        self.summary = summary;
        self
    }
}

/// One mutation's transaction.
pub struct Write<'a> {
    cx: &'a Cx,
    txn: DatabaseTransaction,
    /// Stored events written in this transaction (a task's timeline, say), handed to live
    /// subscribers after the commit.
    events: Vec<Uuid>,
}

impl<'a> Write<'a> {
    /// Begins the mutation's transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so that concurrent writers queue on the busy timeout instead of failing when
    /// they upgrade a read lock. A read-only caller (a reporter, by key or by token) is refused
    /// `FORBIDDEN` here, before any database work, so that no mutation can forget it.
    pub async fn begin(cx: &'a Cx) -> AppResult<Write<'a>> {
        if cx.scope.is_read_only() {
            return Err(AppError::Forbidden("reporters read; they change nothing".into()));
        }
        let txn = crate::db::begin_write(&cx.db).await?;
        Ok(Write { cx, txn, events: Vec::new() })
    }

    /// The transaction, for the mutation's statements.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// The context the write runs in.
    pub fn cx(&self) -> &'a Cx {
        self.cx
    }

    /// Reads a row and holds it until the commit, so that concurrent writers of the same row
    /// run one after the other: `SELECT … FOR UPDATE` on PostgreSQL; on SQLite the transaction
    /// already holds the database's write lock.
    pub async fn lock<E: EntityTrait>(&self, select: Select<E>) -> AppResult<Option<E::Model>> {
        let select = if self.txn.get_database_backend() == DbBackend::Postgres { select.lock_exclusive() } else { select };
        Ok(select.one(&self.txn).await?)
    }

    /// Reads rows like [`Write::lock`], holding each until the commit.
    pub async fn lock_all<E: EntityTrait>(&self, select: Select<E>) -> AppResult<Vec<E::Model>> {
        let select = if self.txn.get_database_backend() == DbBackend::Postgres { select.lock_exclusive() } else { select };
        Ok(select.all(&self.txn).await?)
    }

    /// Reads a row and keeps others from changing it until the commit, while letting them read
    /// and share it: `SELECT … FOR SHARE` on PostgreSQL; on SQLite the transaction already holds
    /// the database's write lock.
    pub async fn lock_shared<E: EntityTrait>(&self, select: Select<E>) -> AppResult<Option<E::Model>> {
        let select = if self.txn.get_database_backend() == DbBackend::Postgres { select.lock_shared() } else { select };
        Ok(select.one(&self.txn).await?)
    }

    /// `CONFLICT` when the caller expected another version of the object than the stored one.
    pub fn expect_version(expected: Option<i32>, actual: i32) -> AppResult<()> {
        match expected {
            Some(v) if v != actual => Err(AppError::Stale(format!(
                "the object is at version {actual}, not {v}: it was changed since it was read; read it again and retry"
            ))),
            _ => Ok(()),
        }
    }

    /// Notes a stored event written in this transaction, to be handed to live subscribers once
    /// the transaction commits.
    pub fn stored_event(&mut self, id: Uuid) {
        self.events.push(id);
    }

    /// Commits the mutation with its audit record (see the module documentation for the order).
    pub async fn commit(self, audit: Audit) -> AppResult<()> {
        let Write { cx, txn, mut events } = self;
        cx.changes.follow(&txn, &audit.action, audit.object_id, &mut events).await?;
        record(&txn, cx, audit).await?;
        cx.changes.announce(&txn, &events).await?;
        txn.commit().await?;
        cx.changes.committed(cx.db.pool(), &events).await;
        Ok(())
    }

    /// Commits what a refused attempt must leave behind (a count of wrong attendance codes, say)
    /// and nothing else: no audit record, since the mutation itself did not happen, and no change
    /// announcement, since nothing any answer shows has changed.
    pub async fn commit_refused_attempt(self) -> AppResult<()> {
        self.txn.commit().await?;
        Ok(())
    }
}

/// Writes one audit record inside the mutation's transaction, so that the record exists exactly
/// when the change does.
async fn record(txn: &DatabaseTransaction, cx: &Cx, audit: Audit) -> AppResult<()> {
    let streets = match audit.community_id {
        Some(c) => vec![
            community::Entity::find_by_id(c)
                .select_only()
                .column(community::Column::StreetId)
                .into_tuple::<Uuid>()
                .one(txn)
                .await?
                .ok_or_else(|| AppError::internal("audited community vanished"))?,
        ],
        None if !audit.streets.is_empty() => audit.streets.clone(),
        None => vec![cx.scope.streets().next().ok_or_else(|| AppError::internal("an audited action has no street"))?],
    };
    let now = Utc::now();
    let rows = streets.into_iter().map(|street_id| audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        street_id: Set(street_id),
        community_id: Set(audit.community_id),
        principal_kind: Set(cx.scope.principal().audit_kind().to_owned()),
        principal: Set(cx.scope.label().to_owned()),
        action: Set(audit.action.clone()),
        object_type: Set(audit.object_type.clone()),
        object_id: Set(audit.object_id),
        summary: Set(audit.summary.to_string()),
        request_id: Set(cx.request_id.chars().take(64).collect()),
        client_request_id: Set(cx.client_request_id.as_ref().map(|id| id.chars().take(64).collect())),
        created_at: Set(now),
    });
    audit_log::Entity::insert_many(rows).exec(txn).await?;
    Ok(())
}

//! The partners' feed of task events: the timeline entries a caller may see (`event_filter`),
//! oldest first, after a cursor, for systems that cannot hold a WebSocket.
//!
//! The feed must show every committed event exactly once to a reader who pages on while events
//! are being added. Event ids are UUID v7 made before the commit, so a transaction that commits
//! later can hold a smaller id than one the reader has already paged past: the feed does not
//! page by id but by `task_event.commit_seq`, which the database fills (see the migration
//! `m20261212_000001_order_task_events_by_commit`):
//!
//! - PostgreSQL: the writing transaction's id. A page holds only rows whose transaction is older
//!   than the oldest transaction still running when the page is read
//!   (`pg_snapshot_xmin(pg_current_snapshot())`, in the same statement as the rows): every such
//!   transaction has ended, so every row with a smaller `commit_seq` than the cursor's that will
//!   ever exist is already visible, and any row committed later carries a larger one. The price:
//!   an event appears once the transactions that began before its own have ended, usually within
//!   milliseconds.
//! - SQLite: writers are serialised (`crate::db::begin_write` takes the write lock at once), so
//!   insertion order is commit order, and `commit_seq` is the row's `rowid`.
//!
//! The cursor is (`commit_seq`, id), ties broken by id. A page is one statement, however many
//! rows it holds.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{FromQueryResult, QueryTrait};

use super::*;

/// Where the reader of the feed stands: after the event with this `commit_seq` and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedCursor {
    pub seq: i64,
    pub id: Uuid,
}

impl FeedCursor {
    /// The opaque text of the cursor.
    pub fn encode(&self) -> String {
        let mut bytes = b"f1:".to_vec();
        bytes.extend_from_slice(&self.seq.to_be_bytes());
        bytes.extend_from_slice(self.id.as_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The cursor of an opaque text, if it is one of the feed's.
    pub fn decode(s: &str) -> Option<FeedCursor> {
        let bytes = URL_SAFE_NO_PAD.decode(s).ok()?;
        let rest = bytes.strip_prefix(b"f1:")?;
        if rest.len() != 24 {
            return None;
        }
        let (seq, id) = rest.split_at(8);
        Some(FeedCursor { seq: i64::from_be_bytes(seq.try_into().ok()?), id: Uuid::from_slice(id).ok()? })
    }
}

/// One page of the feed: events with their cursors, oldest first.
#[derive(Debug, Default)]
pub struct FeedPage {
    pub items: Vec<(FeedCursor, task_event::Model)>,
    /// Whether more events were there when the page was read.
    pub has_next: bool,
}

/// The events after `after` that the caller may see, at most `first`; only those of tasks with
/// a share for `unit` when it is named.
pub async fn task_event_feed(cx: &Cx, after: Option<FeedCursor>, first: u64, unit: Option<UnitId>) -> AppResult<FeedPage> {
    let seq = || Expr::col((task_event::Entity, Alias::new("commit_seq")));
    let mut select = task_event::Entity::find().filter(event_filter(&cx.scope));
    if let Some(unit) = unit {
        select = select.filter(tasks_shared_with(task_event::Column::TaskId, unit.0));
    }
    if let Some(c) = after {
        select = select.filter(
            sea_orm::Condition::any()
                .add(seq().gt(c.seq))
                .add(sea_orm::Condition::all().add(seq().eq(c.seq)).add(task_event::Column::Id.gt(c.id))),
        );
    }
    let backend = cx.db.get_database_backend();
    if backend == sea_orm::DbBackend::Postgres {
        // Only rows of transactions older than every transaction still running (see above).
        select = select.filter(Expr::cust("\"task_event\".\"commit_seq\" < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"));
    }
    let select =
        select.column_as(seq(), "feed_seq").order_by(seq(), sea_orm::Order::Asc).order_by_asc(task_event::Column::Id).limit(first + 1);
    let rows = cx.db.query_all_raw(select.build(backend)).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let event = task_event::Model::from_query_result(&row, "")?;
        let seq: i64 = row.try_get("", "feed_seq")?;
        items.push((FeedCursor { seq, id: event.id }, event));
    }
    let has_next = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok(FeedPage { items, has_next })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_others_do_not() {
        let c = FeedCursor { seq: 1 << 40, id: Uuid::now_v7() };
        assert_eq!(FeedCursor::decode(&c.encode()), Some(c));
        assert_eq!(FeedCursor::decode(&crate::paging::encode_cursor(c.id)), None, "a list's cursor is not the feed's");
        assert_eq!(FeedCursor::decode("not a cursor"), None);
    }
}

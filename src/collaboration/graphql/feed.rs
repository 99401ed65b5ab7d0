//! The partners' feed of task events (`taskEvents`), for systems that cannot hold a WebSocket.

use super::*;
use crate::graphql::connection::PageInfo;
use crate::paging::{DEFAULT_PAGE, MAX_PAGE};
use service::FeedCursor;

/// A page of the feed of task events, oldest first.
#[derive(SimpleObject)]
pub struct TaskEventConnection {
    /// The events of this page with their cursors.
    pub edges: Vec<TaskEventEdge>,
    /// Whether more events were there when the page was read, and the cursors of this one.
    /// Keep `endCursor` (or the last edge's cursor) and ask again with `after` for what follows.
    pub page_info: PageInfo,
}

/// An event of the feed with the cursor that points at it.
#[derive(SimpleObject)]
pub struct TaskEventEdge {
    /// Opaque cursor of this event, for `after`. It orders events by their commit: every event
    /// committed after a page was read comes after that page's cursors.
    pub cursor: String,
    /// The event.
    pub node: TaskEvent,
}

/// The feed of task events.
#[derive(Default)]
pub struct FeedQuery;

/// The feed of task events.
#[Object]
impl FeedQuery {
    /// Timeline entries of tasks, oldest first, that the caller may see: a partner department the
    /// entries of the tasks it has a share of (without other units' share events), staff their
    /// communities'. Page on with `after` set to the last cursor; a reader who keeps paging sees
    /// every committed entry exactly once, also while entries are being added.
    #[graphql(complexity = "PageArgs::complexity(first, None, child_complexity)")]
    async fn task_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cursor of the last event read: the page starts after it (none: from the first event).")] after: Option<
            String,
        >,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Only tasks with a share for this unit.")] unit_id: Option<ID>,
    ) -> Result<TaskEventConnection> {
        let r = rc(ctx)?;
        let first = match first {
            None => DEFAULT_PAGE,
            Some(n) if (0..=MAX_PAGE as i32).contains(&n) => n as u64,
            Some(_) => return Err(AppError::bad_input("first", format!("`first` must be between 0 and {MAX_PAGE}")).into()),
        };
        let after = after
            .map(|c| FeedCursor::decode(&c).ok_or_else(|| AppError::bad_input("after", "`after` is not a cursor of this feed")))
            .transpose()?;
        let unit = unit_id.as_ref().map(|id| expect_id(id, kind::CO_BUILDING_UNIT, "unitId").map(UnitId)).transpose()?;
        let page = service::task_event_feed(&r.cx, after, first, unit).await?;
        let edges: Vec<TaskEventEdge> =
            page.items.into_iter().map(|(cursor, event)| TaskEventEdge { cursor: cursor.encode(), node: TaskEvent(event) }).collect();
        let page_info = PageInfo {
            has_next_page: page.has_next,
            has_previous_page: after.is_some(),
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        };
        Ok(TaskEventConnection { edges, page_info })
    }
}

//! Relay connections with keyset cursors over UUID v7 primary keys.
//!
//! Rows are ordered by id (UUID v7: creation order). A cursor is the opaque encoding of a row's
//! id; `first`/`after` pages forward, `last`/`before` backward. `first` defaults to 20 and is
//! capped at [`MAX_PAGE`]. Nested connections are loaded for many parents in one statement
//! with a window function (`ROW_NUMBER() OVER (PARTITION BY parent ORDER BY id)`).

use std::collections::HashMap;

use async_graphql::connection::CursorType;
use async_graphql::{Context, Object, OutputType, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{Alias, Asterisk, Condition, Expr, ExprTrait, Order, Query, WindowStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Select};
use uuid::Uuid;

use crate::audit::graphql::AuditRecord;
use crate::collaboration::graphql::{Inspection, Task};
use crate::error::{AppError, AppResult};
use crate::organisation::graphql::{CoBuildingUnit, Community, Compound, PartyMember};
use crate::volunteers::graphql::{Activity, CheckIn, Demand, Volunteer};

/// Default page size.
pub const DEFAULT_PAGE: u64 = 20;
/// Largest page a caller may ask for.
pub const MAX_PAGE: u64 = 100;

/// An opaque keyset cursor: the id of the row it points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdCursor(pub Uuid);

impl CursorType for IdCursor {
    type Error = AppError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bad = || AppError::BadInput { message: "invalid cursor".into(), field: None };
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        let rest = bytes.strip_prefix(b"c1:").ok_or_else(bad)?;
        Uuid::from_slice(rest).map(IdCursor).map_err(|_| bad())
    }

    fn encode_cursor(&self) -> String {
        let mut bytes = b"c1:".to_vec();
        bytes.extend_from_slice(self.0.as_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }
}

/// Paging direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Forward,
    Backward,
}

/// Validated paging arguments; hashable so that they can be part of DataLoader keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub direction: Direction,
    pub limit: u64,
    pub cursor: Option<Uuid>,
}

impl Default for PageArgs {
    fn default() -> Self {
        PageArgs { direction: Direction::Forward, limit: DEFAULT_PAGE, cursor: None }
    }
}

impl PageArgs {
    /// Validates Relay arguments: at most one of `first`/`last`, each within 0..=100.
    pub fn new(first: Option<i32>, after: Option<String>, last: Option<i32>, before: Option<String>) -> AppResult<Self> {
        let size = |name: &str, n: i32| -> AppResult<u64> {
            if n < 0 {
                return Err(AppError::bad_input(name, format!("`{name}` must not be negative")));
            }
            let n = n as u64;
            if n > MAX_PAGE {
                return Err(AppError::bad_input(name, format!("`{name}` must be at most {MAX_PAGE}")));
            }
            Ok(n)
        };
        let cursor = |name: &str, c: Option<String>| -> AppResult<Option<Uuid>> {
            c.map(|c| {
                IdCursor::decode_cursor(&c).map(|c| c.0).map_err(|_| AppError::bad_input(name, format!("`{name}` is not a valid cursor")))
            })
            .transpose()
        };
        match (first, last) {
            (Some(_), Some(_)) => Err(AppError::bad_input("last", "pass either `first` or `last`, not both")),
            (_, Some(last)) => {
                if after.is_some() {
                    return Err(AppError::bad_input("after", "`after` pages forward; use `before` with `last`"));
                }
                Ok(PageArgs { direction: Direction::Backward, limit: size("last", last)?, cursor: cursor("before", before)? })
            }
            (first, None) => {
                if before.is_some() {
                    return Err(AppError::bad_input("before", "`before` pages backward; use it with `last`"));
                }
                let limit = first.map(|f| size("first", f)).transpose()?.unwrap_or(DEFAULT_PAGE);
                Ok(PageArgs { direction: Direction::Forward, limit, cursor: cursor("after", after)? })
            }
        }
    }

    /// Complexity of a connection field: the page size times the cost of one node.
    pub fn complexity(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
        let n = first.or(last).unwrap_or(DEFAULT_PAGE as i32).clamp(1, MAX_PAGE as i32) as usize;
        n.saturating_mul(child.max(1)).saturating_add(crate::graphql::limits::DB_FIELD)
    }

    /// Restricts a query to this page (keyset on `id`), fetching one extra row to learn
    /// whether more exist.
    pub fn apply<E: EntityTrait>(&self, select: Select<E>, id: E::Column) -> Select<E> {
        let select = match (self.direction, self.cursor) {
            (Direction::Forward, Some(c)) => select.filter(id.gt(c)),
            (Direction::Backward, Some(c)) => select.filter(id.lt(c)),
            (_, None) => select,
        };
        let select = match self.direction {
            Direction::Forward => select.order_by_asc(id),
            Direction::Backward => select.order_by_desc(id),
        };
        select.limit(self.limit + 1)
    }

    /// Turns the rows fetched by [`PageArgs::apply`] into a page.
    pub fn finish<T>(&self, mut rows: Vec<T>) -> Page<T> {
        let more = rows.len() as u64 > self.limit;
        rows.truncate(self.limit as usize);
        match self.direction {
            Direction::Forward => Page { items: rows, has_next: more, has_previous: self.cursor.is_some() },
            Direction::Backward => {
                rows.reverse();
                Page { items: rows, has_next: self.cursor.is_some(), has_previous: more }
            }
        }
    }
}

/// One page of rows.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
    pub has_previous: bool,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page { items: Vec::new(), has_next: false, has_previous: false }
    }
}

impl<T> Page<T> {
    /// Builds the GraphQL connection, wrapping each row.
    pub fn into_connection<N>(self, id: impl Fn(&T) -> Uuid, wrap: impl Fn(T) -> N, total: TotalCount) -> Conn<N> {
        let edges: Vec<Edge<N>> = self.items.into_iter().map(|row| Edge { cursor: IdCursor(id(&row)), node: wrap(row) }).collect();
        let page_info = PageInfo {
            has_next_page: self.has_next,
            has_previous_page: self.has_previous,
            start_cursor: edges.first().map(|e| e.cursor.encode_cursor()),
            end_cursor: edges.last().map(|e| e.cursor.encode_cursor()),
        };
        Conn { edges, page_info, total }
    }
}

/// Counts the rows behind a connection when `totalCount` is asked for.
#[async_trait::async_trait]
pub trait CountSource: Send + Sync {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError>;
}

/// Where a connection's `totalCount` comes from.
pub enum TotalCount {
    /// Known when the page was built.
    Known(u64),
    /// Counted on demand (batched by the request's DataLoaders).
    Lazy(Box<dyn CountSource>),
}

impl TotalCount {
    pub fn lazy(source: impl CountSource + 'static) -> Self {
        TotalCount::Lazy(Box::new(source))
    }
}

/// Information about a page of a connection.
#[derive(SimpleObject)]
pub struct PageInfo {
    /// Whether more items follow this page.
    pub has_next_page: bool,
    /// Whether items precede this page.
    pub has_previous_page: bool,
    /// Cursor of the first item of the page.
    pub start_cursor: Option<String>,
    /// Cursor of the last item of the page.
    pub end_cursor: Option<String>,
}

/// One item of a connection with its cursor.
pub struct Edge<N> {
    cursor: IdCursor,
    node: N,
}

/// An item of a page with the cursor that points at it.
#[Object(
    concrete(name = "CommunityEdge", params(Community)),
    concrete(name = "CompoundEdge", params(Compound)),
    concrete(name = "PartyMemberEdge", params(PartyMember)),
    concrete(name = "CoBuildingUnitEdge", params(CoBuildingUnit)),
    concrete(name = "AuditRecordEdge", params(AuditRecord)),
    concrete(name = "TaskEdge", params(Task)),
    concrete(name = "InspectionEdge", params(Inspection)),
    concrete(name = "VolunteerEdge", params(Volunteer)),
    concrete(name = "DemandEdge", params(Demand)),
    concrete(name = "ActivityEdge", params(Activity)),
    concrete(name = "CheckInEdge", params(CheckIn))
)]
impl<N: OutputType> Edge<N> {
    /// Opaque cursor of this item, for `after`/`before`.
    async fn cursor(&self) -> String {
        self.cursor.encode_cursor()
    }
    /// The item.
    async fn node(&self) -> &N {
        &self.node
    }
}

/// A page of a list (Relay connection).
pub struct Conn<N> {
    edges: Vec<Edge<N>>,
    page_info: PageInfo,
    total: TotalCount,
}

/// A page of a list (a Relay connection): its items with cursors, whether more pages exist,
/// and how many items the whole list holds. Page with `first`/`after` or `last`/`before`.
#[Object(
    concrete(name = "CommunityConnection", params(Community)),
    concrete(name = "CompoundConnection", params(Compound)),
    concrete(name = "PartyMemberConnection", params(PartyMember)),
    concrete(name = "CoBuildingUnitConnection", params(CoBuildingUnit)),
    concrete(name = "AuditRecordConnection", params(AuditRecord)),
    concrete(name = "TaskConnection", params(Task)),
    concrete(name = "InspectionConnection", params(Inspection)),
    concrete(name = "VolunteerConnection", params(Volunteer)),
    concrete(name = "DemandConnection", params(Demand)),
    concrete(name = "ActivityConnection", params(Activity)),
    concrete(name = "CheckInConnection", params(CheckIn))
)]
impl<N: OutputType> Conn<N>
where
    Edge<N>: OutputType,
{
    /// Whether more pages exist, and the cursors of this one.
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }
    /// The items of this page with their cursors.
    async fn edges(&self) -> Vec<&Edge<N>> {
        self.edges.iter().collect()
    }
    /// The items of this page.
    async fn nodes(&self) -> Vec<&N> {
        self.edges.iter().map(|e| &e.node).collect()
    }
    /// Number of items across all pages (within what the caller may see).
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        let n = match &self.total {
            TotalCount::Known(n) => *n,
            TotalCount::Lazy(source) => source.count(ctx).await?,
        };
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }
}

/// Loads one page of children for each parent in a single statement, using a window function
/// so that every parent gets at most `limit + 1` rows.
pub async fn child_pages<E>(
    db: &impl ConnectionTrait,
    parent: E::Column,
    id: E::Column,
    parents: &[Uuid],
    filter: Condition,
    args: &PageArgs,
    parent_of: impl Fn(&E::Model) -> Uuid,
) -> AppResult<HashMap<Uuid, Page<E::Model>>>
where
    E: EntityTrait + Default,
    E::Model: FromQueryResult + Send + Sync,
{
    let mut pages: HashMap<Uuid, Page<E::Model>> = HashMap::new();
    if parents.is_empty() {
        return Ok(pages);
    }
    let order = match args.direction {
        Direction::Forward => Order::Asc,
        Direction::Backward => Order::Desc,
    };
    // `filter` may be an OR of rules; it must narrow the rows, never widen them.
    let mut cond = Condition::all().add(filter).add(parent.is_in(parents.iter().copied()));
    if let Some(c) = args.cursor {
        cond = cond.add(match args.direction {
            Direction::Forward => id.gt(c),
            Direction::Backward => id.lt(c),
        });
    }
    let row_number = Alias::new("row_number_in_parent");
    let mut inner = Query::select();
    inner
        .column(Asterisk)
        .from(E::default())
        .expr_window_as(
            Expr::cust("ROW_NUMBER()"),
            WindowStatement::partition_by(parent).order_by(id, order.clone()).to_owned(),
            row_number.clone(),
        )
        .cond_where(cond);
    let mut outer = Query::select();
    outer
        .column(Asterisk)
        .from_subquery(inner, Alias::new("paged"))
        .and_where(ExprTrait::lte(Expr::col(row_number), args.limit + 1))
        .order_by(parent, Order::Asc)
        .order_by(id, order);
    let stmt = db.get_database_backend().build(&outer);
    let rows = E::Model::find_by_statement(stmt).all(db).await?;
    let mut grouped: HashMap<Uuid, Vec<E::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(parent_of(&row)).or_default().push(row);
    }
    for (key, rows) in grouped {
        // Rows arrive in the page's direction, as `finish` expects.
        let page = args.finish(rows);
        pages.insert(key, page);
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let id = Uuid::now_v7();
        assert_eq!(IdCursor::decode_cursor(&IdCursor(id).encode_cursor()).unwrap(), IdCursor(id)); // ok: test
        assert!(IdCursor::decode_cursor("not-a-cursor").is_err());
    }

    #[test]
    fn page_args_validate_sizes() {
        assert_eq!(PageArgs::new(None, None, None, None).unwrap().limit, DEFAULT_PAGE); // ok: test
        assert!(matches!(PageArgs::new(Some(101), None, None, None), Err(AppError::BadInput { .. })));
        assert!(matches!(PageArgs::new(Some(-1), None, None, None), Err(AppError::BadInput { .. })));
        assert!(matches!(PageArgs::new(Some(1), None, Some(1), None), Err(AppError::BadInput { .. })));
        assert_eq!(PageArgs::new(None, None, Some(5), None).unwrap().direction, Direction::Backward); // ok: test
    }

    #[test]
    fn finish_reports_more_rows() {
        let args = PageArgs { direction: Direction::Forward, limit: 2, cursor: None };
        let page = args.finish(vec![1, 2, 3]);
        assert_eq!(page.items, vec![1, 2]);
        assert!(page.has_next && !page.has_previous);
        let back = PageArgs { direction: Direction::Backward, limit: 2, cursor: None };
        let page = back.finish(vec![9, 8, 7]);
        assert_eq!(page.items, vec![8, 9]);
        assert!(page.has_previous && !page.has_next);
    }
}

//! Keyset paging over UUID v7 primary keys, free of GraphQL: services page with it, and the
//! GraphQL kit (`graphql::connection`) turns pages into Relay connections.
//!
//! Rows are ordered by id (UUID v7: creation order). A cursor is the opaque encoding of a row's
//! id; `first`/`after` pages forward, `last`/`before` backward. `first` defaults to 20 and is
//! capped at [`MAX_PAGE`]. Nested pages are loaded for many parents in one statement with a
//! window function (`ROW_NUMBER() OVER (PARTITION BY parent ORDER BY id)`).

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{Alias, Asterisk, Condition, Expr, ExprTrait, Order, Query, WindowStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Select};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Default page size.
pub const DEFAULT_PAGE: u64 = 20;
/// Largest page a caller may ask for.
pub const MAX_PAGE: u64 = 100;

/// The opaque cursor of a row's id.
pub fn encode_cursor(id: Uuid) -> String {
    let mut bytes = b"c1:".to_vec();
    bytes.extend_from_slice(id.as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The id a cursor points at, if it is one of ours.
pub fn decode_cursor(s: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(s).ok()?;
    let rest = bytes.strip_prefix(b"c1:")?;
    Uuid::from_slice(rest).ok()
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
            c.map(|c| decode_cursor(&c).ok_or_else(|| AppError::bad_input(name, format!("`{name}` is not a valid cursor")))).transpose()
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
        assert_eq!(decode_cursor(&encode_cursor(id)), Some(id));
        assert_eq!(decode_cursor("not-a-cursor"), None);
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

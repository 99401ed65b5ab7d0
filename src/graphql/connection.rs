//! Relay connections over the pages of [`crate::paging`]: cursors, edges, page info and a
//! `totalCount` counted only when asked for.

use std::borrow::Cow;

use async_graphql::connection::CursorType;
use async_graphql::{ContainerType, Context, Object, SimpleObject, TypeName, Value};
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::inline::{Inline, PlainFields};
use crate::paging::{DEFAULT_PAGE, MAX_PAGE, Page, PageArgs};

/// A type listed in pages: it names its connection and edge types in the schema
/// (`CommunityConnection`, `CommunityEdge`), and its items resolve inline (see
/// [`crate::graphql::inline`]). Declare it with `connection_node!` beside the type.
pub trait ConnectionNode: ContainerType + PlainFields {
    /// The connection type's name.
    const CONNECTION: &'static str;
    /// The edge type's name.
    const EDGE: &'static str;
}

/// Declares that a GraphQL type is listed in pages: `connection_node!(Community)` names
/// `CommunityConnection` and `CommunityEdge`. `connection_node!(plain Community)` says the type
/// implements [`PlainFields`] beside it; otherwise none of its fields is plain.
macro_rules! connection_node {
    (plain $($node:ident),+ $(,)?) => {
        $(impl $crate::graphql::connection::ConnectionNode for $node {
            const CONNECTION: &'static str = concat!(stringify!($node), "Connection");
            const EDGE: &'static str = concat!(stringify!($node), "Edge");
        })+
    };
    ($($node:ident),+ $(,)?) => {
        $crate::graphql::connection::connection_node!(plain $($node),+);
        $(impl $crate::graphql::inline::PlainFields for $node {})+
    };
}
pub(crate) use connection_node;

impl<N: ConnectionNode> TypeName for Conn<N> {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed(N::CONNECTION)
    }
}

impl<N: ConnectionNode> TypeName for Edge<N> {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed(N::EDGE)
    }
}

/// An opaque keyset cursor: the id of the row it points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdCursor(pub Uuid);

impl CursorType for IdCursor {
    type Error = AppError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        crate::paging::decode_cursor(s).map(IdCursor).ok_or_else(|| AppError::BadInput { message: "invalid cursor".into(), field: None })
    }

    fn encode_cursor(&self) -> String {
        crate::paging::encode_cursor(self.0)
    }
}

/// Complexity of connection fields (kept here: complexity is GraphQL's notion, paging is not).
impl PageArgs {
    /// Complexity of a connection field: the page size times the cost of one node.
    pub fn complexity(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
        let n = first.or(last).unwrap_or(DEFAULT_PAGE as i32).clamp(1, MAX_PAGE as i32) as usize;
        n.saturating_mul(child.max(1)).saturating_add(crate::graphql::limits::DB_FIELD)
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
#[Object(name_type)]
impl<N: ConnectionNode> Edge<N> {
    /// Opaque cursor of this item, for `after`/`before`.
    async fn cursor(&self) -> String {
        self.cursor.encode_cursor()
    }
    /// The item.
    async fn node(&self) -> Inline<&N> {
        Inline(&self.node)
    }
}

impl<N: ConnectionNode> PlainFields for Edge<N> {
    fn plain_field(&self, name: &str) -> Option<Value> {
        (name == "cursor").then(|| Value::String(self.cursor.encode_cursor()))
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
#[Object(name_type)]
impl<N: ConnectionNode> Conn<N> {
    /// Whether more pages exist, and the cursors of this one.
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }
    /// The items of this page with their cursors.
    async fn edges(&self) -> Vec<Inline<&Edge<N>>> {
        self.edges.iter().map(Inline).collect()
    }
    /// The items of this page.
    async fn nodes(&self) -> Vec<Inline<&N>> {
        self.edges.iter().map(|e| Inline(&e.node)).collect()
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

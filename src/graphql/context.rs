//! Per-request values every noun uses: the service context and the scope cache.

use async_graphql::Context;

use std::sync::Arc;

use crate::auth::{Scope, ScopeCache};
use crate::changes::Changes;
use crate::cx::Cx;
use crate::db::Db;
use crate::error::AppError;

/// What every resolver needs about the current request, whatever its noun: the service context
/// and the scope cache. Built for each request (never shared), like the nouns' DataLoaders that
/// the root attaches beside it (`graphql::request_data`), so no cache outlives a request or
/// crosses a tenant.
pub struct RequestContext {
    /// Scope, database and request id, as service calls take them.
    pub cx: Cx,
    /// Resolved scopes of recent credentials; cleared by changes that narrow or widen them.
    pub scopes: Arc<ScopeCache>,
}

impl RequestContext {
    pub fn new(db: Db, scope: Scope, request_id: String, scopes: Arc<ScopeCache>, changes: Changes) -> Self {
        RequestContext { cx: Cx::new(scope, db, request_id, changes), scopes }
    }
}

/// A row that a visible row refers to; its absence is our bug, reported as `INTERNAL`.
pub fn loaded<T>(value: Option<T>, what: &str) -> async_graphql::Result<T> {
    value.ok_or_else(|| AppError::internal(format_args!("{what} referenced by a visible row is missing")).into())
}

/// The request context of a resolver. A schema executed without one fails closed.
pub fn rc<'a>(ctx: &Context<'a>) -> Result<&'a RequestContext, AppError> {
    ctx.data::<RequestContext>().map_err(|_| AppError::internal("request context missing"))
}

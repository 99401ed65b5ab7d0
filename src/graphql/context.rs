//! Per-request values: the scope, the database and the request's DataLoaders.

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache};
use sea_orm::DatabaseConnection;

use std::sync::Arc;

use crate::auth::{Scope, ScopeCache};
use crate::cx::Cx;
use crate::error::AppError;
use crate::organisation::loaders::OrgLoader;

/// Everything a resolver needs about the current request. Built in the HTTP handler for each
/// request (never shared), so DataLoader caches cannot outlive a request or cross a tenant.
pub struct RequestContext {
    /// Scope, database and request id, as service calls take them.
    pub cx: Cx,
    pub org: DataLoader<OrgLoader, HashMapCache>,
    /// Resolved scopes of recent credentials; cleared by changes that narrow or widen them.
    pub scopes: Arc<ScopeCache>,
}

impl RequestContext {
    pub fn new(db: DatabaseConnection, scope: Scope, request_id: String, scopes: Arc<ScopeCache>) -> Self {
        let org = DataLoader::with_cache(OrgLoader::new(db.clone(), scope.clone()), tokio::spawn, HashMapCache::default());
        RequestContext { cx: Cx::new(scope, db, request_id), org, scopes }
    }
}

/// The request context of a resolver. A schema executed without one fails closed.
pub fn rc<'a>(ctx: &Context<'a>) -> Result<&'a RequestContext, AppError> {
    ctx.data::<RequestContext>().map_err(|_| AppError::internal("request context missing"))
}

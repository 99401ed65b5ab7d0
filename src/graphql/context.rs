//! Per-request values: the scope, the database and the request's DataLoaders.

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache};

use std::sync::Arc;

use crate::auth::{Scope, ScopeCache};
use crate::changes::Changes;
use crate::collaboration::loaders::CollabLoader;
use crate::cx::Cx;
use crate::db::Db;
use crate::error::AppError;
use crate::organisation::loaders::OrgLoader;
use crate::volunteers::loaders::VolunteerLoader;

/// Everything a resolver needs about the current request. Built in the HTTP handler for each
/// request (never shared), so DataLoader caches cannot outlive a request or cross a tenant.
pub struct RequestContext {
    /// Scope, database and request id, as service calls take them.
    pub cx: Cx,
    pub org: DataLoader<OrgLoader, HashMapCache>,
    pub collab: DataLoader<CollabLoader, HashMapCache>,
    pub volunteers: DataLoader<VolunteerLoader, HashMapCache>,
    /// Resolved scopes of recent credentials; cleared by changes that narrow or widen them.
    pub scopes: Arc<ScopeCache>,
}

impl RequestContext {
    pub fn new(db: Db, scope: Scope, request_id: String, scopes: Arc<ScopeCache>, changes: Changes) -> Self {
        let org = DataLoader::with_cache(OrgLoader::new(db.clone(), scope.clone()), tokio::spawn, HashMapCache::default());
        let collab = DataLoader::with_cache(CollabLoader::new(db.clone(), scope.clone()), tokio::spawn, HashMapCache::default());
        let volunteers = DataLoader::with_cache(VolunteerLoader::new(db.clone(), scope.clone()), tokio::spawn, HashMapCache::default());
        RequestContext { cx: Cx::new(scope, db, request_id, changes), org, collab, volunteers, scopes }
    }

    /// A context for a long-lived subscription: its loaders keep no cache, so every event is
    /// resolved against the current data.
    pub fn for_subscription(db: Db, scope: Scope, scopes: Arc<ScopeCache>, changes: Changes) -> Self {
        let rc = Self::new(db, scope, "subscription".into(), scopes, changes);
        rc.org.enable_all_cache(false);
        rc.collab.enable_all_cache(false);
        rc.volunteers.enable_all_cache(false);
        rc
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

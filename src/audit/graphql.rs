//! The audit log in GraphQL.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::audit_log;

use super::service::{self, AuditFilter};
use crate::error::AppError;
use crate::graphql::connection::{Conn, CountSource, TotalCount};
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};
use crate::organisation::graphql::Community;
use crate::organisation::loaders::CommunityId;
use crate::paging::PageArgs;

/// The type names this noun's global ids carry.
pub mod kind {
    pub use crate::organisation::graphql::kind::*;
    pub const AUDIT_RECORD: &str = "AuditRecord";
}

/// One audit record: who changed what, where and when.
pub struct AuditRecord(pub audit_log::Model);
crate::graphql::connection::connection_node!(AuditRecord);

/// One audit record: who changed what, where and when.
#[Object]
impl AuditRecord {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::AUDIT_RECORD, self.0.id)
    }
    /// When the change was committed.
    async fn at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The kind of principal that made the change (`STREET_ADMIN`, `UNIT`, `SYSTEM`, …).
    async fn principal_kind(&self) -> &str {
        &self.0.principal_kind
    }
    /// Who made the change, e.g. `community-staff:zhuyuan` or `unit:police`.
    async fn principal(&self) -> &str {
        &self.0.principal
    }
    /// The mutation, e.g. `createCompound`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The type of the changed object, e.g. `Compound`.
    async fn object_type(&self) -> &str {
        &self.0.object_type
    }
    /// The global id of the changed object.
    async fn object_id(&self) -> Option<ID> {
        self.0.object_id.map(|id| global_id(&self.0.object_type, id))
    }
    /// The community the change belongs to, if it is community data.
    async fn community(&self, ctx: &Context<'_>) -> Result<Option<Community>> {
        match self.0.community_id {
            Some(c) => Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityId(c)).await?.map(Community)),
            None => Ok(None),
        }
    }
    /// What changed, as a JSON object (field names and non-personal values).
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// The request that made the change: the server's id, sent back in the `x-request-id`
    /// response header and found in the server's log.
    async fn request_id(&self) -> &str {
        &self.0.request_id
    }
    /// The `x-request-id` the client sent with the request, if it sent one (the client's own
    /// correlation id, not checked by the server).
    async fn client_request_id(&self) -> Option<&str> {
        self.0.client_request_id.as_deref()
    }
}

/// Filters on the audit log.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    /// Only this community.
    pub community_id: Option<ID>,
    /// Only this action, e.g. `createCompound`.
    pub action: Option<String>,
    /// Only changes to this object.
    pub object_id: Option<ID>,
}

impl AuditLogFilter {
    fn decode(self) -> Result<AuditFilter, AppError> {
        Ok(AuditFilter {
            community_id: self
                .community_id
                .as_ref()
                .map(|id| expect_id(id, kind::COMMUNITY, "communityId").map(CommunityId))
                .transpose()?,
            action: self.action,
            object_id: self
                .object_id
                .as_ref()
                .map(|id| {
                    crate::graphql::ids::parse_global_id(id)
                        .map(|(_, u)| u)
                        .ok_or_else(|| AppError::bad_input("objectId", "not a valid id"))
                })
                .transpose()?,
        })
    }
}

struct AuditCount(Option<ID>, Option<String>, Option<ID>);

#[async_trait::async_trait]
impl CountSource for AuditCount {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        let filter = AuditLogFilter { community_id: self.0.clone(), action: self.1.clone(), object_id: self.2.clone() }.decode()?;
        service::audit_count(&rc(ctx)?.cx, filter).await
    }
}

/// Queries of the audit log.
#[derive(Default)]
pub struct AuditQuery;

/// Queries of the audit log.
#[Object]
impl AuditQuery {
    /// The audit log, oldest first (use `last` for the newest). Street admins read their street's,
    /// community admins their community's; others are refused.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Filters.")] filter: Option<AuditLogFilter>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<AuditRecord>> {
        let r = rc(ctx)?;
        let args = PageArgs::new(first, after, last, before)?;
        let filter = filter.unwrap_or_default();
        let count = AuditCount(filter.community_id.clone(), filter.action.clone(), filter.object_id.clone());
        let page = service::audit_log(&r.cx, filter.decode()?, &args).await?;
        Ok(page.into_connection(|m| m.id, AuditRecord, TotalCount::lazy(count)))
    }
}

//! Writing and reading audit records.

use chrono::Utc;
use entity::{audit_log, community};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Principal;
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::organisation::loaders::CommunityId;
use crate::paging::{Page, PageArgs};

/// What a mutation did, for the audit log.
pub struct Entry<'a> {
    /// Verb and noun, e.g. `createCompound`.
    pub action: &'a str,
    /// The community the change belongs to, when it is tenant data.
    pub community_id: Option<Uuid>,
    /// The changed object's type, e.g. `Compound`.
    pub object_type: &'a str,
    pub object_id: Option<Uuid>,
    /// What changed: field names and non-personal values.
    pub summary: Value,
}

/// Writes one audit record inside the mutation's transaction `txn`, so that the record exists
/// exactly when the change does.
pub async fn record(txn: &impl ConnectionTrait, cx: &Cx, entry: Entry<'_>) -> AppResult<()> {
    let street_id = match entry.community_id {
        Some(c) => community::Entity::find_by_id(c)
            .select_only()
            .column(community::Column::StreetId)
            .into_tuple::<Uuid>()
            .one(txn)
            .await?
            .ok_or_else(|| AppError::internal("audited community vanished"))?,
        None => cx.scope.streets().next().ok_or_else(|| AppError::internal("an audited action has no street"))?,
    };
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        street_id: Set(street_id),
        community_id: Set(entry.community_id),
        principal_kind: Set(principal_kind(cx.scope.principal()).to_owned()),
        principal: Set(cx.scope.label().to_owned()),
        action: Set(entry.action.to_owned()),
        object_type: Set(entry.object_type.to_owned()),
        object_id: Set(entry.object_id),
        summary: Set(entry.summary.to_string()),
        request_id: Set(cx.request_id.chars().take(64).collect()),
        client_request_id: Set(cx.client_request_id.as_ref().map(|id| id.chars().take(64).collect())),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    // Every mutation writes one audit record: the place to tell other instances that data changed.
    cx.changes.announce_change(txn).await
}

/// The principal kind as recorded.
pub fn principal_kind(p: &Principal) -> &'static str {
    p.audit_kind()
}

/// Filters on the audit log.
#[derive(Default)]
pub struct AuditFilter {
    pub community_id: Option<CommunityId>,
    pub action: Option<String>,
    pub object_id: Option<Uuid>,
}

/// One page of the audit log: a street admin reads the street's, a community admin their
/// community's; everyone else is refused.
pub async fn audit_log(cx: &Cx, filter: AuditFilter, args: &PageArgs) -> AppResult<Page<audit_log::Model>> {
    let select = scoped(cx, filter)?;
    Ok(args.finish(args.apply(select, audit_log::Column::Id).all(&cx.db).await?))
}

/// How many records match.
pub async fn audit_count(cx: &Cx, filter: AuditFilter) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(scoped(cx, filter)?.count(&cx.db).await?)
}

fn scoped(cx: &Cx, filter: AuditFilter) -> AppResult<sea_orm::Select<audit_log::Entity>> {
    let mut select = audit_log::Entity::find().filter(super::visibility::audit_filter(&cx.scope)?);
    if let Some(c) = filter.community_id {
        select = select.filter(audit_log::Column::CommunityId.eq(c.0));
    }
    if let Some(a) = filter.action {
        select = select.filter(audit_log::Column::Action.eq(a));
    }
    if let Some(o) = filter.object_id {
        select = select.filter(audit_log::Column::ObjectId.eq(o));
    }
    Ok(select)
}

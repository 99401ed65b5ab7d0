//! Reading audit records. They are written by the unit of work (`crate::write`), one per
//! mutation, in its transaction.

use entity::audit_log;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::Principal;
use crate::cx::Cx;
use crate::error::AppResult;
use crate::organisation::loaders::CommunityId;
use crate::paging::{Page, PageArgs};

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

/// One record, as `node(id:)` refetches it: for its readers; `None` for everyone else, as for a
/// record that does not exist.
pub async fn audit_record(cx: &Cx, id: Uuid) -> AppResult<Option<audit_log::Model>> {
    let Ok(readable) = super::visibility::audit_filter(&cx.scope) else { return Ok(None) };
    Ok(audit_log::Entity::find_by_id(id).filter(readable).one(&cx.db).await?)
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

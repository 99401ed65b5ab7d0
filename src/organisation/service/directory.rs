//! Rules of the directory: the streets and communities a scope reaches into.

use super::*;

/// The cities the scope reaches into: those of the streets it reaches into.
pub async fn cities(cx: &Cx) -> AppResult<Vec<region::Model>> {
    cx.scope.require_authenticated()?;
    let ids: Vec<Uuid> = cx.scope.streets().collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let parents = region::Entity::find().select_only().column(region::Column::ParentId).filter(region::Column::Id.is_in(ids));
    Ok(region::Entity::find()
        .filter(region::Column::Kind.eq(region::RegionKind::City))
        .filter(region::Column::Id.in_subquery(sea_orm::QueryTrait::into_query(parents)))
        .order_by_asc(region::Column::Id)
        .all(&cx.db)
        .await?)
}

/// The streets the scope reaches into.
pub async fn streets(cx: &Cx) -> AppResult<Vec<region::Model>> {
    cx.scope.require_authenticated()?;
    let ids: Vec<Uuid> = cx.scope.streets().collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(region::Entity::find().filter(region::Column::Id.is_in(ids)).order_by_asc(region::Column::Id).all(&cx.db).await?)
}

/// One page of the communities in cx.scope.
pub async fn communities(cx: &Cx, args: &PageArgs) -> AppResult<Page<community::Model>> {
    cx.scope.require_authenticated()?;
    let select = community::Entity::find().filter(cx.scope.tenant_filter(community::Column::Id));
    Ok(args.finish(args.apply(select, community::Column::Id).all(&cx.db).await?))
}

/// How many communities are in cx.scope.
pub fn community_count(cx: &Cx) -> u64 {
    cx.scope.community_count() as u64
}

/// Every community in scope, in creation order.
pub async fn all_communities(cx: &Cx) -> AppResult<Vec<community::Model>> {
    if cx.scope.community_count() == 0 {
        return Ok(Vec::new());
    }
    Ok(community::Entity::find()
        .filter(cx.scope.tenant_filter(community::Column::Id))
        .order_by_asc(community::Column::Id)
        .all(&cx.db)
        .await?)
}

/// A community in scope by code.
pub async fn community_by_code(cx: &Cx, code: &str) -> AppResult<Option<community::Model>> {
    cx.scope.require_authenticated()?;
    Ok(community::Entity::find()
        .filter(community::Column::Code.eq(code))
        .filter(cx.scope.tenant_filter(community::Column::Id))
        .order_by_asc(community::Column::Id)
        .one(&cx.db)
        .await?)
}

//! Enterprises named in a community (辖区企业): staff register them, and raise appeals for them
//! (我为企业解难题). An enterprise has no login in this part. A name is unique in its community.

use chrono::Utc;
use entity::enterprise;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use crate::cx::Cx;
use crate::deliberation::visibility;
use crate::error::AppResult;
use crate::organisation::ids::CommunityId;
use crate::validate::{clean_name, clean_optional};
use crate::write::{Audit, Write};

/// Registers an enterprise of one of the caller's communities (community staff); a name taken in
/// the community is a `CONFLICT`.
pub async fn register_enterprise(cx: &Cx, community: CommunityId, name: &str, address: Option<String>) -> AppResult<enterprise::Model> {
    cx.scope.require_staff(community.0, "register enterprises")?;
    let name = clean_name("name", name, 100)?;
    let address = clean_optional("address", address, 200)?;
    let w = Write::begin(cx).await?;
    let model = enterprise::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community.0),
        name: Set(name),
        address: Set(address),
        version: Set(1),
        created_at: Set(Utc::now()),
    }
    .insert(w.txn())
    .await
    .map_err(|e| crate::db::conflict_on_unique(e, "an enterprise of this name is already registered in the community"))?;
    w.commit(
        Audit::new("registerEnterprise", "Enterprise")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "name": model.name })),
    )
    .await?;
    Ok(model)
}

/// The enterprises of a community the caller sees (its staff), in the order registered.
pub async fn enterprises(cx: &Cx, community: CommunityId) -> AppResult<Vec<enterprise::Model>> {
    cx.scope.require_authenticated()?;
    Ok(enterprise::Entity::find()
        .filter(visibility::enterprise_filter(&cx.scope, enterprise::Column::CommunityId))
        .filter(enterprise::Column::CommunityId.eq(community.0))
        .order_by_asc(enterprise::Column::Id)
        .all(&cx.db)
        .await?)
}

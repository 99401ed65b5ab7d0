//! Partner departments' API keys: random, shown once, stored as a SHA-256 hash, bound to one
//! unit, revocable, listed with their last use. `Authorization: ApiKey <key>` gives the unit's
//! scope: its own shares and the tasks they belong to, in the communities of the issuing street
//! whose joint committee it sits on.

use chrono::Utc;
use entity::{api_key, co_building_unit, committee_membership, community, region};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Scope;
use crate::auth::api_keys::{hash_key, new_secret};
use crate::collaboration::loaders::ApiKeyId;
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::organisation::loaders::UnitId;
use crate::validate::clean_name;
use crate::write::{Audit, Write};

/// Issues a key for a unit; the secret is returned once and never stored.
pub async fn create_api_key(cx: &Cx, unit_id: UnitId, label: &str) -> AppResult<(api_key::Model, String)> {
    let unit_id = unit_id.0;
    let street = key_street(cx)?.ok_or_else(|| AppError::bad_input("street", "name the street the key is for"))?;
    let label = clean_name("label", label, 100)?;
    let w = Write::begin(cx).await?;
    let unit =
        co_building_unit::Entity::find_by_id(unit_id).one(w.txn()).await?.ok_or_else(|| AppError::bad_input("unitId", "no such unit"))?;
    let seated = Scope::for_unit(w.txn(), unit.id, Some(street)).await?;
    if seated.community_count() == 0 {
        return Err(AppError::bad_input("unitId", "the unit sits on no joint committee of this street"));
    }
    let secret = new_secret();
    let model = api_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        unit_id: Set(unit.id),
        street_id: Set(Some(street)),
        label: Set(label),
        prefix: Set(secret.chars().take(12).collect()),
        key_hash: Set(hash_key(&secret)),
        created_by: Set(cx.scope.label().to_owned()),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        last_used_at: Set(None),
    }
    .insert(w.txn())
    .await?;
    w.commit(
        Audit::new("createApiKey", "ApiKey")
            .object(model.id)
            .summary(json!({ "unit": unit.code, "label": model.label, "prefix": model.prefix })),
    )
    .await?;
    Ok((model, secret))
}

/// Revokes a key; requests with it fail with `UNAUTHENTICATED` from then on.
pub async fn revoke_api_key(cx: &Cx, id: ApiKeyId) -> AppResult<api_key::Model> {
    let id = id.0;
    let street = key_street(cx)?;
    let w = Write::begin(cx).await?;
    let key =
        api_key::Entity::find_by_id(id).filter(of_street(street)).one(w.txn()).await?.ok_or_else(|| AppError::not_found("API key"))?;
    if key.revoked_at.is_some() {
        return Err(AppError::Conflict("the key is already revoked".into()));
    }
    let mut m: api_key::ActiveModel = key.clone().into();
    m.revoked_at = Set(Some(Utc::now()));
    let updated = m.update(w.txn()).await?;
    w.commit(Audit::new("revokeApiKey", "ApiKey").object(updated.id).summary(json!({ "prefix": updated.prefix }))).await?;
    Ok(updated)
}

/// The street whose keys the caller manages: a street admin's own; for the server's command
/// line, the street it names (none: every street).
fn key_street(cx: &Cx) -> AppResult<Option<Uuid>> {
    Ok(match cx.scope.require_street_admin("API keys")? {
        Some(street) => Some(street),
        None => cx.scope.streets().next(),
    })
}

/// Keys of `street`, or every key when none is named (the server's own command line).
fn of_street(street: Option<Uuid>) -> sea_orm::sea_query::SimpleExpr {
    match street {
        Some(s) => api_key::Column::StreetId.eq(s),
        None => sea_orm::sea_query::Expr::cust("1 = 1"),
    }
}

/// One key of the caller's street, as `node(id:)` refetches it: for the street's admins (and the
/// command line); `None` for everyone else, as for a key that does not exist.
pub async fn api_key(cx: &Cx, id: ApiKeyId) -> AppResult<Option<api_key::Model>> {
    let Ok(street) = key_street(cx) else { return Ok(None) };
    Ok(api_key::Entity::find_by_id(id.0).filter(of_street(street)).one(&cx.db).await?)
}

/// The keys of the caller's street: of one unit, or of every unit (street admins).
pub async fn api_keys(cx: &Cx, unit_id: Option<UnitId>) -> AppResult<Vec<api_key::Model>> {
    let unit_id = unit_id.map(|c| c.0);
    let street = key_street(cx)?;
    let mut select = api_key::Entity::find().filter(of_street(street)).order_by_asc(api_key::Column::Id);
    if let Some(u) = unit_id {
        select = select.filter(api_key::Column::UnitId.eq(u));
    }
    Ok(select.all(&cx.db).await?)
}

/// The street an action on a unit is recorded under when no principal anchors one: the street
/// of a committee the unit sits on, else the first street.
pub async fn street_of_unit(db: &impl ConnectionTrait, unit_id: Uuid) -> AppResult<Uuid> {
    if let Some(seat) = committee_membership::Entity::find().filter(committee_membership::Column::UnitId.eq(unit_id)).one(db).await?
        && let Some(c) = community::Entity::find_by_id(seat.community_id).one(db).await?
    {
        return Ok(c.street_id);
    }
    region::Entity::find()
        .filter(region::Column::Kind.eq(region::RegionKind::Street))
        .order_by_asc(region::Column::Id)
        .one(db)
        .await?
        .map(|r| r.id)
        .ok_or_else(|| AppError::bad_input("unit", "the database holds no street"))
}

//! Reporting keys: the credentials of reporting tools. A key is random, shown once and stored as
//! a SHA-256 hash (`auth::reporting_keys`); it reports on one street, or on one community of it
//! (a community key), read-only, until it expires (90 days unless told, a year at most) or is
//! revoked. A street admin issues keys for the street or any of its communities, a community
//! admin for their own community only; the server's command line for the street it names.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{community, region, reporting_key};
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Principal;
use crate::auth::reporting_keys::{hash_key, new_secret};
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::paging::{Page, PageArgs};
use crate::validate::clean_name;
use crate::write::{Audit, Write};

/// How long a key lasts when the issuer does not say.
pub const DEFAULT_DAYS: i64 = 90;
/// How long a key may last at most.
pub const MAX_DAYS: i64 = 366;

/// A key with the street and community it reports on.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub key: reporting_key::Model,
    pub street: region::Model,
    pub community: Option<community::Model>,
}

/// Whose keys the caller manages.
#[derive(Debug, Clone, Copy)]
enum Manager {
    /// A street's: its own keys and those of its communities.
    Street(Uuid),
    /// One community's keys only.
    Community(Uuid),
}

/// Whose keys the caller manages: street admins their street's, community admins their
/// community's, the server's command line the street it names; others are refused.
fn manager(cx: &Cx) -> AppResult<Manager> {
    cx.scope.require_authenticated()?;
    let refused = || AppError::Forbidden("reporting keys are managed by street and community administrators".into());
    match cx.scope.principal() {
        Principal::StreetAdmin { street_id } => Ok(Manager::Street(*street_id)),
        Principal::CommunityAdmin { community_id } => Ok(Manager::Community(*community_id)),
        Principal::System => cx.scope.streets().next().map(Manager::Street).ok_or_else(refused),
        Principal::Anonymous
        | Principal::CityAdmin { .. }
        | Principal::CommunityStaff { .. }
        | Principal::Unit { .. }
        | Principal::Member { .. }
        | Principal::Reporter { .. } => Err(refused()),
    }
}

/// The keys a manager sees.
fn managed(m: Manager) -> Condition {
    match m {
        Manager::Street(s) => Condition::all().add(reporting_key::Column::StreetId.eq(s)),
        Manager::Community(c) => Condition::all().add(reporting_key::Column::CommunityId.eq(c)),
    }
}

/// When a new key expires: `expires_at`, or 90 days from now; in the future and at most a year
/// away.
pub fn expiry(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> AppResult<DateTime<Utc>> {
    let at = expires_at.unwrap_or(now + Duration::days(DEFAULT_DAYS));
    if at <= now {
        return Err(AppError::bad_input("expiresAt", "a key must expire in the future"));
    }
    if at > now + Duration::days(MAX_DAYS) {
        return Err(AppError::bad_input("expiresAt", "a key lasts a year at most"));
    }
    Ok(at)
}

/// Issues a key for the caller's street, or for `community_id`; the secret is returned once and
/// never stored. A community admin issues for their own community only.
pub async fn issue(cx: &Cx, label: &str, community_id: Option<Uuid>, expires_at: Option<DateTime<Utc>>) -> AppResult<(IssuedKey, String)> {
    let m = manager(cx)?;
    let label = clean_name("label", label, 100)?;
    let now = Utc::now();
    let expires_at = expiry(expires_at, now)?;
    let w = Write::begin(cx).await?;
    let (street, community) = match (m, community_id) {
        (Manager::Community(_), None) => {
            return Err(AppError::Forbidden("street keys are issued by street administrators; name your community".into()));
        }
        (Manager::Community(own), Some(c)) if c != own => return Err(AppError::not_found("community")),
        (Manager::Community(own), Some(_)) => {
            let c = community::Entity::find_by_id(own).one(w.txn()).await?.ok_or_else(|| AppError::not_found("community"))?;
            (c.street_id, Some(c))
        }
        (Manager::Street(s), Some(c)) => {
            let c = community::Entity::find_by_id(c)
                .filter(community::Column::StreetId.eq(s))
                .one(w.txn())
                .await?
                .ok_or_else(|| AppError::not_found("community"))?;
            (s, Some(c))
        }
        (Manager::Street(s), None) => (s, None),
    };
    let street = region::Entity::find_by_id(street).one(w.txn()).await?.ok_or_else(|| AppError::not_found("street"))?;
    let secret = new_secret();
    let key = reporting_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        street_id: Set(street.id),
        community_id: Set(community.as_ref().map(|c| c.id)),
        label: Set(label),
        key_hash: Set(hash_key(&secret)),
        created_by: Set(cx.scope.label().to_owned()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
        version: Set(1),
    }
    .insert(w.txn())
    .await?;
    w.commit(
        Audit::new("issueReportingKey", "ReportingKey")
            .object(key.id)
            .community_opt(key.community_id)
            .summary(json!({ "label": key.label, "expiresAt": key.expires_at.to_rfc3339() })),
    )
    .await?;
    Ok((IssuedKey { key, street, community }, secret))
}

/// Revokes a key; requests with it are `UNAUTHENTICATED` from then on, on every instance.
pub async fn revoke(cx: &Cx, id: Uuid, expected_version: Option<i32>) -> AppResult<IssuedKey> {
    let m = manager(cx)?;
    let w = Write::begin(cx).await?;
    let key =
        w.lock(reporting_key::Entity::find_by_id(id).filter(managed(m))).await?.ok_or_else(|| AppError::not_found("reporting key"))?;
    Write::expect_version(expected_version, key.version)?;
    if key.revoked_at.is_some() {
        return Err(AppError::Conflict("the key is already revoked".into()));
    }
    let version = key.version + 1;
    let mut row: reporting_key::ActiveModel = key.into();
    row.revoked_at = Set(Some(Utc::now()));
    row.version = Set(version);
    let key = row.update(w.txn()).await?;
    let mut keys = with_places(w.txn(), vec![key.clone()]).await?;
    w.commit(
        Audit::new("revokeReportingKey", "ReportingKey")
            .object(key.id)
            .community_opt(key.community_id)
            .summary(json!({ "label": key.label })),
    )
    .await?;
    keys.pop().ok_or_else(|| AppError::internal("a revoked key's street vanished"))
}

/// One page of the keys the caller manages, oldest first; revoked ones only when asked for.
pub async fn list(cx: &Cx, args: &PageArgs, include_revoked: bool) -> AppResult<Page<IssuedKey>> {
    let m = manager(cx)?;
    let mut select = reporting_key::Entity::find().filter(managed(m));
    if !include_revoked {
        select = select.filter(reporting_key::Column::RevokedAt.is_null());
    }
    let rows = args.apply(select, reporting_key::Column::Id).all(&cx.db).await?;
    let page = args.finish(rows);
    let items = with_places(&cx.db, page.items).await?;
    Ok(Page { items, has_next: page.has_next, has_previous: page.has_previous })
}

/// How many keys `list` would page through.
pub async fn count(cx: &Cx, include_revoked: bool) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    let m = manager(cx)?;
    let mut select = reporting_key::Entity::find().filter(managed(m));
    if !include_revoked {
        select = select.filter(reporting_key::Column::RevokedAt.is_null());
    }
    Ok(select.count(&cx.db).await?)
}

/// One key the caller manages, or none (`node(id:)`).
pub async fn get(cx: &Cx, id: Uuid) -> AppResult<Option<IssuedKey>> {
    let Ok(m) = manager(cx) else { return Ok(None) };
    let Some(key) = reporting_key::Entity::find_by_id(id).filter(managed(m)).one(&cx.db).await? else { return Ok(None) };
    Ok(with_places(&cx.db, vec![key]).await?.pop())
}

/// The keys with their streets and communities, in two statements.
async fn with_places(db: &impl ConnectionTrait, keys: Vec<reporting_key::Model>) -> AppResult<Vec<IssuedKey>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let streets: HashMap<Uuid, region::Model> = region::Entity::find()
        .filter(region::Column::Id.is_in(keys.iter().map(|k| k.street_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let ids: Vec<Uuid> = keys.iter().filter_map(|k| k.community_id).collect();
    let communities: HashMap<Uuid, community::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        community::Entity::find().filter(community::Column::Id.is_in(ids)).all(db).await?.into_iter().map(|c| (c.id, c)).collect()
    };
    keys.into_iter()
        .map(|key| {
            let street = streets.get(&key.street_id).cloned().ok_or_else(|| AppError::internal("a reporting key's street is missing"))?;
            let community = key.community_id.and_then(|c| communities.get(&c).cloned());
            Ok(IssuedKey { key, street, community })
        })
        .collect()
}

/// The keys of a street for the server's command line, revoked ones included (no scope: the
/// operator names the street).
pub async fn of_street(db: &impl ConnectionTrait, street_id: Uuid) -> AppResult<Vec<IssuedKey>> {
    use sea_orm::QueryOrder;
    let keys = reporting_key::Entity::find()
        .filter(reporting_key::Column::StreetId.eq(street_id))
        .order_by_asc(reporting_key::Column::Id)
        .all(db)
        .await?;
    with_places(db, keys).await
}

//! API keys as credentials: random, shown once, stored as a SHA-256 hash, bound to one unit and
//! the street that issued it, revocable. `Authorization: ApiKey <key>` is the unit's scope in that
//! street. Issuing, listing and revoking keys is the collaboration platform's (`partner`).

use chrono::{Duration, Utc};
use entity::{api_key, co_building_unit};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

use super::Scope;
use crate::error::{AppError, AppResult};

/// Prefix of every key, so that leaked keys are easy to recognise and scan for.
pub const KEY_PREFIX: &str = "gzk_";

/// A fresh random key.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::fill(&mut bytes);
    format!("{KEY_PREFIX}{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// The stored hash of a key.
pub fn hash_key(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The scope of an API key; unknown and revoked keys are `UNAUTHENTICATED`.
pub async fn authenticate(db: &DatabaseConnection, secret: &str) -> AppResult<Scope> {
    let refused = || AppError::Unauthenticated("the API key is unknown or revoked".into());
    if !secret.starts_with(KEY_PREFIX) || secret.len() > 200 {
        return Err(refused());
    }
    let key = api_key::Entity::find().filter(api_key::Column::KeyHash.eq(hash_key(secret))).one(db).await?.ok_or_else(refused)?;
    if key.revoked_at.is_some() {
        return Err(refused());
    }
    let unit = co_building_unit::Entity::find_by_id(key.unit_id).one(db).await?.ok_or_else(refused)?;
    let now = Utc::now();
    if key.last_used_at.is_none_or(|t| now - t > Duration::seconds(60)) {
        // Throttled so that a busy partner does not write on every request.
        api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, sea_orm::sea_query::Expr::value(now))
            .filter(api_key::Column::Id.eq(key.id))
            .exec(db)
            .await?;
    }
    // A key without a street predates street binding: it reaches nothing, so it is refused.
    let street = key.street_id.ok_or_else(refused)?;
    Ok(Scope::for_unit(db, unit.id, Some(street)).await?.labelled(&format!("unit:{}", unit.code)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_random_and_hashed() {
        let a = super::new_secret();
        let b = super::new_secret();
        assert_ne!(a, b);
        assert!(a.starts_with(super::KEY_PREFIX) && a.len() == 52);
        assert_eq!(super::hash_key(&a).len(), 64);
        assert_ne!(super::hash_key(&a), a);
    }
}

//! Reporting keys as credentials: random, shown once, stored as a SHA-256 hash, for one street or
//! one community of it, expiring, revocable. `Authorization: ApiKey gzr_…` is a read-only
//! reporter's scope: the street's communities, or the key's one community. Issuing, listing and
//! revoking keys is reporting's (`reporting::keys`).

use chrono::{DateTime, Duration, Utc};
use entity::reporting_key;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::Scope;
pub use super::api_keys::hash_key;
use crate::error::{AppError, AppResult};

/// Prefix of every reporting key, distinct from partner keys' (`gzk_`), so that a leaked key is
/// recognised and a request is routed to the right table.
pub const KEY_PREFIX: &str = "gzr_";

/// A fresh random reporting key.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::fill(&mut bytes);
    format!("{KEY_PREFIX}{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Whether a presented key is a reporting key (by its prefix).
pub fn is_reporting_key(secret: &str) -> bool {
    secret.starts_with(KEY_PREFIX)
}

/// The scope of a reporting key and when the key expires; unknown, revoked and expired keys are
/// `UNAUTHENTICATED`.
pub async fn authenticate(db: &DatabaseConnection, secret: &str) -> AppResult<(Scope, DateTime<Utc>)> {
    let refused = || AppError::Unauthenticated("the reporting key is unknown, revoked or expired".into());
    if !is_reporting_key(secret) || secret.len() > 200 {
        return Err(refused());
    }
    let key =
        reporting_key::Entity::find().filter(reporting_key::Column::KeyHash.eq(hash_key(secret))).one(db).await?.ok_or_else(refused)?;
    let now = Utc::now();
    if key.revoked_at.is_some() || key.expires_at <= now {
        return Err(refused());
    }
    if key.last_used_at.is_none_or(|t| now - t > Duration::seconds(60)) {
        // Throttled so that a busy reporting tool does not write on every request.
        reporting_key::Entity::update_many()
            .col_expr(reporting_key::Column::LastUsedAt, sea_orm::sea_query::Expr::value(now))
            .filter(reporting_key::Column::Id.eq(key.id))
            .exec(db)
            .await?;
    }
    let scope = Scope::for_reporter(db, key.street_id, key.community_id).await?.labelled(&format!("reporting-key:{}", key.id));
    Ok((scope, key.expires_at))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reporting_keys_are_random_hashed_and_told_apart_from_partner_keys() {
        let a = super::new_secret();
        assert_ne!(a, super::new_secret());
        assert!(super::is_reporting_key(&a) && a.len() == 52);
        assert!(!super::is_reporting_key(&crate::auth::api_keys::new_secret()));
        assert_eq!(super::hash_key(&a).len(), 64);
    }
}

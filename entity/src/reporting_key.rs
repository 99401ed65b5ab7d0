//! A reporting tool's key, stored as a hash: for a street, or for one community of it (a
//! community key); read-only, expiring, revocable.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reporting_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The street the key reports on.
    pub street_id: Uuid,
    /// The one community a community key reports on; none for a street key.
    pub community_id: Option<Uuid>,
    pub label: String,
    #[sea_orm(unique)]
    pub key_hash: String,
    /// Who issued the key (the issuer's audit label).
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A partner department's webhook: an HTTPS endpoint a street's administrator registered for a
//! unit. Its deliveries are signed with `secret` (HMAC-SHA-256), which is why the secret is kept
//! as it is and never shown again after registration.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The street whose administrator registered it: it receives events of that street only.
    pub street_id: Uuid,
    pub unit_id: Uuid,
    pub url: String,
    pub secret: String,
    pub enabled: bool,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub disabled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

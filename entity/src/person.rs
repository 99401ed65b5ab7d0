//! A person; shared across communities. Personal data is masked by the API.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub gender: Option<String>,
    pub birth_year: Option<i32>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// SHA-256 of the national ID number; the number itself is never stored.
    pub id_number_hash: Option<String>,
    pub home_community_id: Option<Uuid>,
    /// The person's login at the city's OpenID Connect issuer: the value of the claim people are
    /// matched by (`sub` unless the operator chose another); unique.
    #[sea_orm(unique)]
    pub oidc_subject: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

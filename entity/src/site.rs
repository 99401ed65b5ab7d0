//! A place in a community where work happens.
use sea_orm::entity::prelude::*;

/// What a site is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum SiteKind {
    #[sea_orm(string_value = "MARKET")]
    Market,
    #[sea_orm(string_value = "STREET")]
    Street,
    #[sea_orm(string_value = "COMPOUND_GATE")]
    CompoundGate,
    #[sea_orm(string_value = "COMPOUND")]
    Compound,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "site")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub name: String,
    pub kind: SiteKind,
    pub compound_id: Option<Uuid>,
    pub address: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

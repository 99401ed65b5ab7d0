//! A co-building unit (共建单位): a partner department.
use sea_orm::entity::prelude::*;

/// What kind of department a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum UnitKind {
    #[sea_orm(string_value = "PUBLIC_SECURITY")]
    PublicSecurity,
    #[sea_orm(string_value = "HOUSING")]
    Housing,
    #[sea_orm(string_value = "LAW_ENFORCEMENT")]
    LawEnforcement,
    #[sea_orm(string_value = "HEALTH")]
    Health,
    #[sea_orm(string_value = "TRAFFIC_POLICE")]
    TrafficPolice,
    #[sea_orm(string_value = "MUNICIPAL")]
    Municipal,
    #[sea_orm(string_value = "FIRE")]
    Fire,
    #[sea_orm(string_value = "MARKET_REGULATION")]
    MarketRegulation,
    #[sea_orm(string_value = "UTILITY")]
    Utility,
    #[sea_orm(string_value = "TELECOM")]
    Telecom,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "co_building_unit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A building or lane (楼栋 / 街巷) inside a compound, with its label and households. Tenant data.
use sea_orm::entity::prelude::*;

/// Whether the row is a building or a lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum BuildingKind {
    /// 楼栋, e.g. "3栋".
    #[sea_orm(string_value = "BUILDING")]
    Building,
    /// 街巷, e.g. "梅岭路东段".
    #[sea_orm(string_value = "LANE")]
    Lane,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "building")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Uuid,
    pub kind: BuildingKind,
    pub label: String,
    pub households: i32,
    pub version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

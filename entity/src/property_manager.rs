//! A property manager's (物业) contract with a compound; running while `ended_on` is null.
//! Fees in integer fen. Tenant data.
use sea_orm::entity::prelude::*;

/// Who manages the property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ManagerKind {
    /// A property management company (物业公司).
    #[sea_orm(string_value = "COMPANY")]
    Company,
    /// The owners' self-management group (物业自治小组).
    #[sea_orm(string_value = "SELF_MANAGEMENT_GROUP")]
    SelfManagementGroup,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "property_manager")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Uuid,
    pub kind: ManagerKind,
    pub name: String,
    pub contract_start: Date,
    pub contract_end: Option<Date>,
    pub ended_on: Option<Date>,
    /// The property fee per m² of floor area and month, in fen.
    pub fee_rate_fen: i64,
    pub version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

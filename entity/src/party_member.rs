//! A party member registered in a community. Tenant data.
use sea_orm::entity::prelude::*;

/// Resident member, or in-service member whose organisational relation is elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum MemberKind {
    #[sea_orm(string_value = "RESIDENT")]
    Resident,
    #[sea_orm(string_value = "IN_SERVICE")]
    InService,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "party_member")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub person_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub kind: MemberKind,
    pub joined_on: Option<Date>,
    pub work_unit: Option<String>,
    pub organization_relation: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A unit's seat on a community's joint committee. Tenant data.
use sea_orm::entity::prelude::*;

/// The unit's role on the committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum MembershipRole {
    #[sea_orm(string_value = "MEMBER_UNIT")]
    MemberUnit,
    #[sea_orm(string_value = "PART_TIME_MEMBER")]
    PartTimeMember,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "committee_membership")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub committee_id: Uuid,
    pub unit_id: Uuid,
    pub role: MembershipRole,
    pub since: Date,
    pub until: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

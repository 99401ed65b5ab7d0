//! A party organisation inside a community. Tenant data.
use sea_orm::entity::prelude::*;

/// Kinds of party organisation stored per community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum OrganizationKind {
    #[sea_orm(string_value = "JOINT_COMMITTEE")]
    JointCommittee,
    #[sea_orm(string_value = "COMMUNITY_BRANCH")]
    CommunityBranch,
    #[sea_orm(string_value = "COMPOUND_BRANCH")]
    CompoundBranch,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "party_organization")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub kind: OrganizationKind,
    pub name: String,
    pub parent_id: Option<Uuid>,
    pub compound_id: Option<Uuid>,
    pub founded_on: Option<Date>,
    /// The party member (of this organisation) who is its secretary (书记).
    pub secretary_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

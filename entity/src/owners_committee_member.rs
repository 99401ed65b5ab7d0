//! A member of an owners' committee's term, with a role. Tenant data.
use sea_orm::entity::prelude::*;

/// A member's role on the committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum CommitteeRole {
    /// 主任.
    #[sea_orm(string_value = "DIRECTOR")]
    Director,
    /// 副主任.
    #[sea_orm(string_value = "DEPUTY_DIRECTOR")]
    DeputyDirector,
    /// 委员.
    #[sea_orm(string_value = "MEMBER")]
    Member,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "owners_committee_member")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub committee_id: Uuid,
    pub person_id: Uuid,
    pub role: CommitteeRole,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

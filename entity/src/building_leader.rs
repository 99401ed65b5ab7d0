//! A party member's two-way selection (双向选择) as leader of a building or lane
//! (党员楼(街巷)长): from the application or nomination through the appointment to stepping
//! down. Tenant data.
use sea_orm::entity::prelude::*;

/// Which side began the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Initiative {
    /// The member applied.
    #[sea_orm(string_value = "APPLICATION")]
    Application,
    /// The residents' side nominated the member.
    #[sea_orm(string_value = "NOMINATION")]
    Nomination,
}

/// Where a selection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum LeaderStatus {
    /// One side has agreed; the other has not answered.
    #[sea_orm(string_value = "PROPOSED")]
    Proposed,
    /// Both sides agreed: the member leads the building.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// The other side said no.
    #[sea_orm(string_value = "DECLINED")]
    Declined,
    /// The leader stepped down (or was stood down).
    #[sea_orm(string_value = "ENDED")]
    Ended,
}

/// Who spoke for the residents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ResidentsSide {
    /// The compound branch's secretary (书记).
    #[sea_orm(string_value = "BRANCH_SECRETARY")]
    BranchSecretary,
    /// A member of the compound's owners' committee.
    #[sea_orm(string_value = "OWNERS_COMMITTEE")]
    OwnersCommittee,
    /// Community staff, for the residents.
    #[sea_orm(string_value = "COMMUNITY_STAFF")]
    CommunityStaff,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "building_leader")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Uuid,
    pub building_id: Uuid,
    pub member_id: Uuid,
    pub person_id: Uuid,
    pub initiated_by: Initiative,
    pub status: LeaderStatus,
    pub member_agreed_at: Option<DateTimeUtc>,
    pub residents_agreed_at: Option<DateTimeUtc>,
    pub residents_side: Option<ResidentsSide>,
    /// Who spoke for the residents (the principal's label).
    pub residents_agent: Option<String>,
    pub term_start: Option<Date>,
    pub term_end: Option<Date>,
    pub ended_on: Option<Date>,
    pub end_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A renovation project (微改造) of a compound, brokered by a co-building unit, with its funding
//! in integer fen per source and its budget (their sum). Tenant data.
use sea_orm::entity::prelude::*;

/// What is renovated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ProjectKind {
    /// The gate's access system (大门智能系统).
    #[sea_orm(string_value = "GATE_ACCESS")]
    GateAccess,
    /// Drains and underground pipes (地下管道).
    #[sea_orm(string_value = "DRAINAGE")]
    Drainage,
    /// Road signs and markings (交通标志标线).
    #[sea_orm(string_value = "ROAD_MARKING")]
    RoadMarking,
    /// A car park (停车场).
    #[sea_orm(string_value = "CAR_PARK")]
    CarPark,
    /// Anything else.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Where a project stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ProjectStatus {
    #[sea_orm(string_value = "PROPOSED")]
    Proposed,
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "DONE")]
    Done,
    #[sea_orm(string_value = "DROPPED")]
    Dropped,
}

/// Who proposed a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ProposedAs {
    /// Staff of the community or the street.
    #[sea_orm(string_value = "COMMUNITY_STAFF")]
    CommunityStaff,
    /// A member of the compound's owners' committee in office.
    #[sea_orm(string_value = "OWNERS_COMMITTEE")]
    OwnersCommittee,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Uuid,
    pub title: String,
    pub scope: String,
    pub kind: ProjectKind,
    pub broker_unit_id: Uuid,
    pub status: ProjectStatus,
    /// From the compound's housing maintenance fund (维修基金), in fen.
    pub maintenance_fund_fen: i64,
    /// From the owners' shared income (公共收益), in fen.
    pub shared_income_fen: i64,
    /// From a department, in fen.
    pub department_fen: i64,
    /// From the street, in fen.
    pub street_fen: i64,
    /// The sum of the four sources, in fen.
    pub budget_fen: i64,
    /// The proposer's label.
    pub proposed_by: String,
    pub proposed_as: ProposedAs,
    pub drop_reason: Option<String>,
    pub approved_at: Option<DateTimeUtc>,
    pub started_at: Option<DateTimeUtc>,
    pub done_at: Option<DateTimeUtc>,
    pub dropped_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

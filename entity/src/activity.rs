//! A volunteer activity.
use sea_orm::entity::prelude::*;

/// Whether the activity goes ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ActivityStatus {
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// What kind of activity it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ActivityKind {
    /// Volunteer service (志愿服务).
    #[sea_orm(string_value = "SERVICE")]
    Service,
    /// The monthly party theme day (主题党日).
    #[sea_orm(string_value = "PARTY_THEME_DAY")]
    PartyThemeDay,
    /// A neighbourly-home pilot (近邻家园).
    #[sea_orm(string_value = "NEIGHBOURLY_HOME")]
    NeighbourlyHome,
}

/// Who organises the activity; `organiser_id` names the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum OrganiserKind {
    /// The community itself (`organiser_id` is the community's id).
    #[sea_orm(string_value = "COMMUNITY")]
    Community,
    /// A party organisation of the community: its joint committee or a branch.
    #[sea_orm(string_value = "PARTY_ORGANIZATION")]
    PartyOrganization,
    /// A co-building unit seated on the community's joint committee.
    #[sea_orm(string_value = "UNIT")]
    Unit,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub demand_id: Option<Uuid>,
    pub category_id: Uuid,
    pub title: String,
    pub description: String,
    pub place: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub capacity: i32,
    /// The principal who created it, as audit records name it.
    pub organizer: String,
    pub kind: ActivityKind,
    pub organiser_kind: OrganiserKind,
    pub organiser_id: Uuid,
    pub status: ActivityStatus,
    pub residents_served: i32,
    pub code_hash: Option<String>,
    pub code_expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

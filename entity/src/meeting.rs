//! Deliberation meetings (议事会): a 协商民主议事会, a 见面会 with the property manager and the owners'
//! committee, or a 联席会议, at a venue of the community, convened by a person, planned then held
//! with its minutes; for owners' matters the number of owners eligible to vote. Tenant data.
use sea_orm::entity::prelude::*;

/// What kind of meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum MeetingKind {
    /// A deliberation meeting (协商民主议事会).
    #[sea_orm(string_value = "DELIBERATION")]
    Deliberation,
    /// Residents meeting the property manager and the owners' committee (见面会).
    #[sea_orm(string_value = "RESIDENTS_MEETING")]
    ResidentsMeeting,
    /// A joint meeting of the branch, the residents' committee, the owners' committee and the property manager (联席会议).
    #[sea_orm(string_value = "JOINT_MEETING")]
    JointMeeting,
}

/// Where a meeting stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MeetingState {
    /// Planned; its agenda is being set.
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    /// Held, with its minutes and attendance.
    #[sea_orm(string_value = "HELD")]
    Held,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub venue_id: Uuid,
    pub kind: MeetingKind,
    pub title: String,
    pub starts_at: DateTimeUtc,
    pub convenor_id: Option<Uuid>,
    pub state: MeetingState,
    #[sea_orm(column_type = "Text", nullable)]
    pub minutes: Option<String>,
    pub eligible_voters: Option<i32>,
    pub held_at: Option<DateTimeUtc>,
    pub created_by: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! One entry of a task's timeline.
//!
//! The table also has `commit_seq`, the order in which rows were committed, filled by the
//! database and read only by the partners' feed (`collaboration::service::feed`); it is no field
//! here, so that no writer can set it.
use sea_orm::entity::prelude::*;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum EventKind {
    #[sea_orm(string_value = "REPORTED")]
    Reported,
    #[sea_orm(string_value = "UPDATED")]
    Updated,
    #[sea_orm(string_value = "ASSIGNED")]
    Assigned,
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    #[sea_orm(string_value = "DECLINED")]
    Declined,
    #[sea_orm(string_value = "STARTED")]
    Started,
    #[sea_orm(string_value = "PART_DONE")]
    PartDone,
    #[sea_orm(string_value = "RESOLVED")]
    Resolved,
    #[sea_orm(string_value = "VERIFIED")]
    Verified,
    #[sea_orm(string_value = "REOPENED")]
    Reopened,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    #[sea_orm(string_value = "ESCALATED")]
    Escalated,
    #[sea_orm(string_value = "COMMENTED")]
    Commented,
    #[sea_orm(string_value = "SEAT_ENDED")]
    SeatEnded,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub task_id: Uuid,
    pub kind: EventKind,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub assignment_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub level: Option<String>,
    pub actor_kind: String,
    pub actor: String,
    pub note: Option<String>,
    /// JSON array of evidence URLs.
    pub evidence: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A task: tenant work with an explicit workflow.
use sea_orm::entity::prelude::*;

/// Kinds of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum TaskCategory {
    #[sea_orm(string_value = "STALL_SPRAWL")]
    StallSprawl,
    #[sea_orm(string_value = "SANITATION")]
    Sanitation,
    #[sea_orm(string_value = "PARKING")]
    Parking,
    #[sea_orm(string_value = "FOOD_SAFETY")]
    FoodSafety,
    #[sea_orm(string_value = "TRAFFIC_ORDER")]
    TrafficOrder,
    #[sea_orm(string_value = "FIRE_SAFETY")]
    FireSafety,
    #[sea_orm(string_value = "ILLEGAL_CONSTRUCTION")]
    IllegalConstruction,
    #[sea_orm(string_value = "GREENING")]
    Greening,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum TaskPriority {
    #[sea_orm(string_value = "LOW")]
    Low,
    #[sea_orm(string_value = "NORMAL")]
    Normal,
    #[sea_orm(string_value = "HIGH")]
    High,
    #[sea_orm(string_value = "URGENT")]
    Urgent,
}

/// Workflow states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum TaskStatus {
    #[sea_orm(string_value = "REPORTED")]
    Reported,
    #[sea_orm(string_value = "ASSIGNED")]
    Assigned,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "RESOLVED")]
    Resolved,
    #[sea_orm(string_value = "VERIFIED")]
    Verified,
    #[sea_orm(string_value = "REOPENED")]
    Reopened,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// The level handling the task (三级联动).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum TaskLevel {
    #[sea_orm(string_value = "COMMUNITY")]
    Community,
    #[sea_orm(string_value = "STREET")]
    Street,
    #[sea_orm(string_value = "CITY")]
    City,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub campaign_id: Option<Uuid>,
    pub site_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub category: TaskCategory,
    pub priority: TaskPriority,
    pub status: TaskStatus,
    pub level: TaskLevel,
    pub due_at: Option<DateTimeUtc>,
    /// JSON array of evidence URLs.
    pub evidence: String,
    pub reported_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub escalated_at: Option<DateTimeUtc>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

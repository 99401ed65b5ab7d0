//! A sign-up for an activity, with attendance.
use sea_orm::entity::prelude::*;

/// Registered, waiting, or cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum SignUpStatus {
    #[sea_orm(string_value = "REGISTERED")]
    Registered,
    #[sea_orm(string_value = "WAITING")]
    Waiting,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_up")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub activity_id: Uuid,
    pub person_id: Uuid,
    pub status: SignUpStatus,
    pub checked_in_at: Option<DateTimeUtc>,
    pub checked_out_at: Option<DateTimeUtc>,
    pub service_minutes: Option<i32>,
    /// Wrong attendance codes this volunteer tried since the activity's code was issued.
    pub code_failures: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

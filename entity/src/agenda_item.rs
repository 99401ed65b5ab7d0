//! The items of a meeting's agenda, in order, each with its decision (决议) once taken: the text and,
//! for owners' matters, the votes for, against and abstaining and whether it passed. Tenant
//! data.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agenda_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub meeting_id: Uuid,
    pub position: i32,
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision: Option<String>,
    pub votes_for: Option<i32>,
    pub votes_against: Option<i32>,
    pub votes_abstain: Option<i32>,
    pub passed: Option<bool>,
    /// The renovation project (home co-building) the decision approved, if any.
    pub approves_project_id: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

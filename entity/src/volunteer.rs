//! A volunteer registered in a community, with their resource list.
use sea_orm::entity::prelude::*;

/// Whether the volunteer takes part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum VolunteerStatus {
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "INACTIVE")]
    Inactive,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub person_id: Uuid,
    pub compound_id: Option<Uuid>,
    /// JSON array of category codes.
    pub categories: String,
    /// JSON array of skills.
    pub skills: String,
    pub department_strength: Option<String>,
    pub industry: Option<String>,
    /// JSON array of weekly slots such as `SAT_AM`.
    pub availability: String,
    pub status: VolunteerStatus,
    pub registered_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A selection round of innovation cases (创新案例评选) opened by street staff.
use sea_orm::entity::prelude::*;

/// Whether the round takes cases and scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum RoundStatus {
    /// Cases are submitted and scored.
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// Scores are final and the selected cases are published.
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "selection_round")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub street_id: Uuid,
    pub title: String,
    /// JSON array of `{ "name": …, "maxPoints": … }`, in the order scores give their points.
    pub criteria: String,
    pub status: RoundStatus,
    /// How many cases closing the round selected.
    pub selected_count: i32,
    /// The principal who opened it, as audit records name it.
    pub opened_by: String,
    pub opened_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

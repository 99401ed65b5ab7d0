//! A reviewer's score of an innovation case: one per reviewer and case.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_score")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub round_id: Uuid,
    pub street_id: Uuid,
    pub case_id: Uuid,
    pub reviewer_id: Uuid,
    /// JSON array of integer points, one per criterion of the round, in its order.
    pub points: String,
    pub total: i32,
    pub comment: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

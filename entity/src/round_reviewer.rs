//! A reviewer of a selection round: a person or a co-building unit named by street staff.
use sea_orm::entity::prelude::*;

/// Who the reviewer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ReviewerKind {
    /// A person (`person_id`), scoring with their own login.
    #[sea_orm(string_value = "PERSON")]
    Person,
    /// A co-building unit (`unit_id`), scoring with the unit's login.
    #[sea_orm(string_value = "UNIT")]
    Unit,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "round_reviewer")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub round_id: Uuid,
    pub street_id: Uuid,
    pub kind: ReviewerKind,
    pub person_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    /// The person's or unit's name when named.
    pub name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! An owners' committee (业委会) of a compound, one row per elected term; in office while
//! `ended_on` is null. Tenant data.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "owners_committee")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Uuid,
    pub elected_on: Date,
    pub term_start: Date,
    pub term_end: Option<Date>,
    pub ended_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A region above the communities: the city and its streets.
use sea_orm::entity::prelude::*;

/// Level of a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum RegionKind {
    #[sea_orm(string_value = "CITY")]
    City,
    #[sea_orm(string_value = "STREET")]
    Street,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "region")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub kind: RegionKind,
    pub code: String,
    pub name: String,
    /// The street's party working committee (街道党工委), when the region is a street.
    pub committee_name: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

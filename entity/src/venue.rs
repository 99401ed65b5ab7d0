//! A deliberation venue (议事场所): a community's deliberation centre (社区事务协商议事中心) or a
//! compound's deliberation station (小区议事站), with its convenor (a person). Tenant data.
use sea_orm::entity::prelude::*;

/// Which kind of venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum VenueKind {
    /// The community's deliberation centre (社区事务协商议事中心): no compound.
    #[sea_orm(string_value = "CENTRE")]
    Centre,
    /// A compound's deliberation station (小区议事站).
    #[sea_orm(string_value = "STATION")]
    Station,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "venue")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    /// The compound of a station; none for the centre.
    pub compound_id: Option<Uuid>,
    pub kind: VenueKind,
    pub name: String,
    /// The convenor (召集人): a person, e.g. the compound branch's secretary or a staff member.
    pub convenor_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

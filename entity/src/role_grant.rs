//! A person's grant of a gongzhi role: the staff accounts of people who log in through the
//! city's OpenID Connect issuer. The anchor the role needs is set: a region (the city of a
//! city admin, the street of a street admin or reporter, or optionally the street a unit's staff
//! are limited to), a community (community admin or staff) or a unit (a partner's staff).
use sea_orm::entity::prelude::*;

/// The role granted, written as gongzhi's token roles are (kebab-case). A person with no grant
/// is a member; membership is never granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum GrantRole {
    #[sea_orm(string_value = "city-admin")]
    CityAdmin,
    #[sea_orm(string_value = "street-admin")]
    StreetAdmin,
    #[sea_orm(string_value = "community-admin")]
    CommunityAdmin,
    #[sea_orm(string_value = "community-staff")]
    CommunityStaff,
    #[sea_orm(string_value = "unit")]
    Unit,
    #[sea_orm(string_value = "reporter")]
    Reporter,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role_grant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Uuid,
    pub role: GrantRole,
    /// The city (city admin) or street (street admin, reporter; for a unit, the street it is
    /// limited to).
    pub region_id: Option<Uuid>,
    /// The community of a community admin or staff member.
    pub community_id: Option<Uuid>,
    /// The partner department of a unit's staff member.
    pub unit_id: Option<Uuid>,
    /// Who granted it (an audit label, e.g. `cli:role`).
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! Who is invited to a meeting (a person, a party organisation, a co-building unit, an owners'
//! committee or a property manager), once each, and whether they attended. Tenant data.
use sea_orm::entity::prelude::*;

/// Who takes part in a meeting or owns an action item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum PartyKind {
    /// A person.
    #[sea_orm(string_value = "PERSON")]
    Person,
    /// A party organisation of the community.
    #[sea_orm(string_value = "PARTY_ORGANIZATION")]
    PartyOrganization,
    /// A co-building unit seated on the community's joint committee.
    #[sea_orm(string_value = "UNIT")]
    Unit,
    /// A compound's owners' committee.
    #[sea_orm(string_value = "OWNERS_COMMITTEE")]
    OwnersCommittee,
    /// A compound's property manager.
    #[sea_orm(string_value = "PROPERTY_MANAGER")]
    PropertyManager,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_participant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub meeting_id: Uuid,
    pub party_kind: PartyKind,
    pub party_id: Uuid,
    pub attended: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A person's residence (住址): a stay in a compound of a community, with the building or lane
//! when known and the door (门牌, personal data). At most one current (not ended) per person.
//! Tenant data.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "residence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub person_id: Uuid,
    pub compound_id: Uuid,
    pub building_id: Option<Uuid>,
    /// The door (门牌), e.g. "3单元502"; personal data.
    pub door: Option<String>,
    /// The first day of the stay.
    pub since: Date,
    /// The day the stay ended (the next one's first day); none while current.
    pub until: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

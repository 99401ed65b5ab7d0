//! A contact attempt on a property-fee arrears case: the day, the channel and what came of it.
//! Carries the case's compound and building, so that visibility filters it as the case. Append-only.
//! Tenant data.
use sea_orm::entity::prelude::*;

use crate::arrears_case::ArrearsRole;

/// How the household was contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ContactChannel {
    /// A visit at the door (上门).
    #[sea_orm(string_value = "VISIT")]
    Visit,
    /// A phone call.
    #[sea_orm(string_value = "PHONE")]
    Phone,
    /// A written notice (催缴通知书).
    #[sea_orm(string_value = "NOTICE")]
    Notice,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "arrears_contact")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub case_id: Uuid,
    /// The case's compound.
    pub compound_id: Uuid,
    /// The case's building or lane.
    pub building_id: Uuid,
    pub contacted_on: Date,
    pub channel: ContactChannel,
    /// What came of it.
    pub result: String,
    pub recorded_by: String,
    pub recorded_as: ArrearsRole,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

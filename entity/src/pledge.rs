//! A pledge of a practice campaign (我为群众办实事 / 我为企业解难题 / 我为社会做好事): made by a party
//! organisation, a seated unit or a person of the community, due on a day, fulfilled with
//! evidence. Tenant data.
use sea_orm::entity::prelude::*;

pub use crate::action_item::ActionStatus as PledgeStatus;
pub use crate::meeting_participant::PartyKind;

/// The practice campaign a pledge belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum PracticeCampaign {
    /// 我为群众办实事: practical things for residents.
    #[sea_orm(string_value = "FOR_RESIDENTS")]
    ForResidents,
    /// 我为企业解难题: enterprises' difficulties solved.
    #[sea_orm(string_value = "FOR_ENTERPRISES")]
    ForEnterprises,
    /// 我为社会做好事: good deeds for society.
    #[sea_orm(string_value = "FOR_SOCIETY")]
    ForSociety,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pledge")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub campaign: PracticeCampaign,
    pub pledger_kind: PartyKind,
    pub pledger_id: Uuid,
    pub title: String,
    pub due_on: Date,
    pub status: PledgeStatus,
    /// http(s) URLs, as a JSON list.
    #[sea_orm(column_type = "Text")]
    pub evidence: String,
    pub done_at: Option<DateTimeUtc>,
    pub created_by: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

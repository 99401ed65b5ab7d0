//! An innovation case (创新案例) an organisation submitted to a selection round.
use sea_orm::entity::prelude::*;

/// The platform of the street's work the case belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum Platform {
    /// 党建引领平台: the party-building organisation graph.
    #[sea_orm(string_value = "ORGANISATION_GRAPH")]
    OrganisationGraph,
    /// 党群义工平台: the party-masses volunteer service.
    #[sea_orm(string_value = "VOLUNTEER_SERVICE")]
    VolunteerService,
    /// 多维协作平台: multi-department collaboration.
    #[sea_orm(string_value = "COLLABORATION")]
    Collaboration,
    /// 协商民主平台: consultative democracy.
    #[sea_orm(string_value = "CONSULTATIVE_DEMOCRACY")]
    ConsultativeDemocracy,
    /// 家园共建平台: home co-building.
    #[sea_orm(string_value = "HOME_CO_BUILDING")]
    HomeCoBuilding,
}

/// Where the case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum CaseStatus {
    /// Submitted, under review while the round is open.
    #[sea_orm(string_value = "SUBMITTED")]
    Submitted,
    /// Selected when the round closed: published to every community of the street.
    #[sea_orm(string_value = "SELECTED")]
    Selected,
    /// Not selected when the round closed.
    #[sea_orm(string_value = "NOT_SELECTED")]
    NotSelected,
}

/// Which kind of organisation submitted the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum SubmitterKind {
    /// A party organisation of the community (`organization_id`): a branch or the joint committee.
    #[sea_orm(string_value = "PARTY_ORGANIZATION")]
    PartyOrganization,
    /// A co-building unit (`unit_id`) seated on the community's joint committee.
    #[sea_orm(string_value = "UNIT")]
    Unit,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "innovation_case")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub round_id: Uuid,
    pub street_id: Uuid,
    /// The community the case comes from.
    pub community_id: Uuid,
    pub community_name: String,
    pub submitter_kind: SubmitterKind,
    pub organization_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub submitter_name: String,
    pub title: String,
    pub summary: String,
    pub platform: Platform,
    /// JSON array of http(s) URLs.
    pub evidence_links: String,
    pub status: CaseStatus,
    /// The sum of its scores' totals, kept with each score under the case's row lock.
    pub score_total: i32,
    pub score_count: i32,
    /// The principal who submitted it, as audit records name it.
    pub submitted_by: String,
    pub submitted_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A property-fee arrears case (物业费催缴) of a compound: a household named by its building (or
//! lane) and door only, never by a person, the amount it owes in fen, since when, and the outcome
//! reached with it. At most one case per door not yet paid. Tenant data.
use sea_orm::entity::prelude::*;

/// Where an arrears case stands: open, or the outcome reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ArrearsStatus {
    /// Opened, no outcome yet.
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// The arrears are paid; the case is closed for good.
    #[sea_orm(string_value = "PAID")]
    Paid,
    /// A payment plan is agreed (分期缴纳).
    #[sea_orm(string_value = "PLAN_AGREED")]
    PlanAgreed,
    /// The household refuses to pay.
    #[sea_orm(string_value = "REFUSED")]
    Refused,
    /// Handed on (mediation, the street, a court).
    #[sea_orm(string_value = "ESCALATED")]
    Escalated,
}

/// Who opened a case or recorded a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ArrearsRole {
    #[sea_orm(string_value = "COMMUNITY_STAFF")]
    CommunityStaff,
    #[sea_orm(string_value = "OWNERS_COMMITTEE")]
    OwnersCommittee,
    #[sea_orm(string_value = "BUILDING_LEADER")]
    BuildingLeader,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "arrears_case")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Uuid,
    /// The building or lane of the compound.
    pub building_id: Uuid,
    /// The door (门牌), e.g. "2单元301": the household, with no name.
    pub door: String,
    /// Positive whole fen.
    pub amount_owed_fen: i64,
    /// The first day the fees have been owed since.
    pub owed_since: Date,
    pub status: ArrearsStatus,
    /// The payment plan agreed (PLAN_AGREED only).
    pub plan: Option<String>,
    /// Why and to whom the case was escalated (ESCALATED only).
    pub escalation_reason: Option<String>,
    /// A note made when the case was opened.
    pub note: Option<String>,
    /// A note on the latest outcome.
    pub outcome_note: Option<String>,
    /// When the latest outcome was set.
    pub outcome_at: Option<DateTimeUtc>,
    pub opened_as: ArrearsRole,
    pub created_by: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

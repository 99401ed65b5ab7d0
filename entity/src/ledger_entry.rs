//! An entry of a compound's shared-income ledger (公共收益): income or a disbursement, in fen;
//! a reversal carries the opposite sign and names the entry it reverses. Append-only. Tenant data.
use sea_orm::entity::prelude::*;

/// Money in or out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum LedgerKind {
    #[sea_orm(string_value = "INCOME")]
    Income,
    #[sea_orm(string_value = "DISBURSEMENT")]
    Disbursement,
}

/// Where shared income comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum IncomeSource {
    /// Parking fees (停车收益).
    #[sea_orm(string_value = "CAR_PARK")]
    CarPark,
    /// Advertising in lifts and on boards (广告收益).
    #[sea_orm(string_value = "ADVERTISING")]
    Advertising,
    /// Rent of shared rooms and grounds (场地租金).
    #[sea_orm(string_value = "VENUE_RENT")]
    VenueRent,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Who recorded an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum RecordedAs {
    #[sea_orm(string_value = "COMMUNITY_STAFF")]
    CommunityStaff,
    #[sea_orm(string_value = "OWNERS_COMMITTEE")]
    OwnersCommittee,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Uuid,
    pub kind: LedgerKind,
    /// Income only.
    pub source: Option<IncomeSource>,
    /// Disbursements only.
    pub purpose: Option<String>,
    /// Disbursements only: who approved it (the owners' meeting, the committee).
    pub approved_by: Option<String>,
    pub period_start: Date,
    pub period_end: Date,
    /// The year the entry counts in: its period's first day's.
    pub year: i32,
    /// Positive; negative for a reversal.
    pub amount_fen: i64,
    pub note: Option<String>,
    /// The entry this one reverses.
    pub reverses_id: Option<Uuid>,
    /// Why it was reversed.
    pub reason: Option<String>,
    pub recorded_by: String,
    pub recorded_as: RecordedAs,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! The shared-income ledger (公共收益) of a compound: entries, reversals and yearly totals.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Datelike, Utc};
use entity::ledger_entry;

use super::{Fen, Home, home_compound_id, kind};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::home::ids::LedgerEntryId;
use crate::home::loaders::*;
use crate::home::service::{self, NewDisbursement, NewIncome, PeriodInput};
use crate::organisation::ids::CompoundId;
use crate::organisation::loaders::org_loader;

/// Money in or out of a compound's shared income.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::ledger_entry::LedgerKind")]
pub enum LedgerKind {
    /// Income.
    Income,
    /// A disbursement.
    Disbursement,
}

/// Where shared income comes from.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::ledger_entry::IncomeSource")]
pub enum IncomeSource {
    /// Parking fees (停车收益).
    CarPark,
    /// Advertising in lifts and on boards (广告收益).
    Advertising,
    /// Rent of shared rooms and grounds (场地租金).
    VenueRent,
    /// Anything else.
    Other,
}

/// Who recorded a ledger entry.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::ledger_entry::RecordedAs")]
pub enum LedgerKeeper {
    /// Staff of the community or the street.
    CommunityStaff,
    /// A member of the compound's owners' committee in office.
    OwnersCommittee,
}

/// An entry of a compound's shared-income ledger (公共收益): income over a period, or a
/// disbursement. Entries are never changed or removed; a correction is a reversing entry of the
/// opposite sign. Seen by staff of the community and the compound's owners' committee in office.
pub struct LedgerEntry(pub ledger_entry::Model);

/// An entry of a compound's shared-income ledger (公共收益): income over a period, or a
/// disbursement. Entries are never changed or removed; a correction is a reversing entry of the
/// opposite sign. Seen by staff of the community and the compound's owners' committee in office.
#[Object]
impl LedgerEntry {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::LEDGER_ENTRY, self.0.id)
    }
    /// The home (compound) whose ledger it is.
    async fn home(&self, ctx: &Context<'_>) -> Result<Home> {
        Ok(Home(loaded(org_loader(ctx)?.load_one(CompoundId(self.0.compound_id)).await?, "compound")?))
    }
    /// Income or a disbursement.
    async fn kind(&self) -> LedgerKind {
        self.0.kind.into()
    }
    /// Where income comes from (income only).
    async fn source(&self) -> Option<IncomeSource> {
        self.0.source.map(Into::into)
    }
    /// What a disbursement paid for.
    async fn purpose(&self) -> Option<&str> {
        self.0.purpose.as_deref()
    }
    /// Who approved a disbursement (the owners' meeting, the committee).
    async fn approved_by(&self) -> Option<&str> {
        self.0.approved_by.as_deref()
    }
    /// The first day of the period the entry covers (a disbursement's day of payment).
    async fn period_start(&self) -> Date {
        Date(self.0.period_start)
    }
    /// The last day of the period.
    async fn period_end(&self) -> Date {
        Date(self.0.period_end)
    }
    /// The month the period is, as `2025-03`, when it is exactly a calendar month.
    async fn month(&self) -> Option<String> {
        let (start, end) = (self.0.period_start, self.0.period_end);
        let whole = start.day() == 1 && end.succ_opt().is_some_and(|next| next.day() == 1) && start.month() == end.month();
        whole.then(|| start.format("%Y-%m").to_string())
    }
    /// The year the entry counts in: that of its period's first day.
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// The amount in fen: positive, negative for a reversal.
    async fn amount_fen(&self) -> i64 {
        self.0.amount_fen
    }
    /// A note.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The entry this one reverses.
    async fn reverses(&self, ctx: &Context<'_>) -> Result<Option<LedgerEntry>> {
        match self.0.reverses_id {
            Some(id) => Ok(home_loader(ctx)?.load_one(LedgerEntryId(id)).await?.map(LedgerEntry)),
            None => Ok(None),
        }
    }
    /// The entry that reversed this one, if any.
    async fn reversed_by(&self, ctx: &Context<'_>) -> Result<Option<LedgerEntry>> {
        Ok(home_loader(ctx)?.load_one(ReversalOf(self.0.id)).await?.map(LedgerEntry))
    }
    /// Why it reversed the entry it reverses.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// Who recorded it.
    async fn recorded_as(&self) -> LedgerKeeper {
        self.0.recorded_as.into()
    }
    /// When it was recorded.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One year of a compound's shared income: income and disbursements (net of reversals) and the
/// balance, summed by the database.
#[derive(SimpleObject)]
pub struct LedgerYear {
    /// The year.
    pub year: i32,
    /// Income in fen.
    pub income_fen: i64,
    /// Disbursements in fen.
    pub disbursement_fen: i64,
    /// Income less disbursements, in fen.
    pub balance_fen: i64,
}

impl From<service::LedgerYear> for LedgerYear {
    fn from(y: service::LedgerYear) -> Self {
        LedgerYear { year: y.year, income_fen: y.income_fen, disbursement_fen: y.disbursement_fen, balance_fen: y.balance_fen() }
    }
}

/// Input of `recordLedgerIncome`. The period is a `month`, or `from` and `to`.
#[derive(InputObject)]
pub struct RecordLedgerIncomeInput {
    /// The compound (a `Compound` or `Home` id).
    pub compound_id: ID,
    /// Where the income comes from.
    pub source: IncomeSource,
    /// The calendar month it covers, as `2025-03`.
    pub month: Option<String>,
    /// The first day it covers (with `to`).
    pub from: Option<Date>,
    /// The last day it covers (with `from`; at most a year after it).
    pub to: Option<Date>,
    /// The amount, in whole fen from 1 to 10^12: a number or a string of digits.
    pub amount_fen: Fen,
    /// A note (at most 500 characters).
    pub note: Option<String>,
}

/// Input of `recordLedgerDisbursement`.
#[derive(InputObject)]
pub struct RecordLedgerDisbursementInput {
    /// The compound (a `Compound` or `Home` id).
    pub compound_id: ID,
    /// What it pays for (at most 200 characters).
    pub purpose: String,
    /// Who approved it: the owners' meeting's resolution, the committee (at most 200 characters).
    pub approved_by: String,
    /// The day it was paid.
    pub paid_on: Date,
    /// The amount, in whole fen from 1 to 10^12: a number or a string of digits.
    pub amount_fen: Fen,
    /// A note (at most 500 characters).
    pub note: Option<String>,
}

/// Input of `reverseLedgerEntry`.
#[derive(InputObject)]
pub struct ReverseLedgerEntryInput {
    /// The entry to reverse.
    pub id: ID,
    /// Why (at most 500 characters).
    pub reason: String,
}

/// Result of the ledger mutations.
#[derive(SimpleObject)]
pub struct LedgerEntryPayload {
    /// The entry written.
    pub entry: LedgerEntry,
}

/// Mutations of home co-building: the shared-income ledger. There is no update and no delete.
#[derive(Default)]
pub struct LedgerMutation;

/// Mutations of home co-building: the shared-income ledger. There is no update and no delete.
#[Object]
impl LedgerMutation {
    /// Records shared income of a compound (community staff or its owners' committee in office).
    /// Amounts that are not whole positive fen up to 10^12 are `BAD_USER_INPUT`, and nothing is
    /// written.
    async fn record_ledger_income(&self, ctx: &Context<'_>, input: RecordLedgerIncomeInput) -> Result<LedgerEntryPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let new = NewIncome {
            compound_id: home_compound_id(&input.compound_id)?,
            source: input.source.into(),
            period: PeriodInput { month: input.month, from: input.from.map(|d| d.0), to: input.to.map(|d| d.0) },
            amount: input.amount_fen.0,
            note: input.note,
        };
        Ok(LedgerEntryPayload { entry: LedgerEntry(service::record_income(&r.cx, new).await?) })
    }

    /// Records a disbursement of a compound's shared income (community staff or its owners'
    /// committee in office), with who approved it.
    async fn record_ledger_disbursement(&self, ctx: &Context<'_>, input: RecordLedgerDisbursementInput) -> Result<LedgerEntryPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let new = NewDisbursement {
            compound_id: home_compound_id(&input.compound_id)?,
            purpose: input.purpose,
            approved_by: input.approved_by,
            paid_on: input.paid_on.0,
            amount: input.amount_fen.0,
            note: input.note,
        };
        Ok(LedgerEntryPayload { entry: LedgerEntry(service::record_disbursement(&r.cx, new).await?) })
    }

    /// Corrects an entry by a reversing entry of the opposite sign, linked to it (community staff
    /// or the owners' committee). An entry is reversed once (`CONFLICT` the second time); a
    /// reversal is not reversed.
    async fn reverse_ledger_entry(&self, ctx: &Context<'_>, input: ReverseLedgerEntryInput) -> Result<LedgerEntryPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let id = LedgerEntryId(expect_id(&input.id, kind::LEDGER_ENTRY, "id")?);
        Ok(LedgerEntryPayload { entry: LedgerEntry(service::reverse_entry(&r.cx, id, input.reason).await?) })
    }
}

//! The shared-income ledger (公共收益) of a compound: income (car parks, advertising, rent of
//! shared rooms) over a month or a range of days, and disbursements approved by the owners.
//! Kept by community staff and the compound's owners' committee in office.
//!
//! Append-only: there is no update and no delete. A mistake is corrected by a reversing entry
//! (`reverse_entry`), of the opposite sign and linked to the original, at most one per original;
//! a reversal is not itself reversed (record the right entry instead). An entry counts in the year
//! its period begins; totals per year are sums in SQL (see the loaders).

use chrono::{Datelike, NaiveDate, Utc};
use entity::ledger_entry::{self, IncomeSource, LedgerKind, RecordedAs};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::{lock_compound, parse_fen, roles};
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::home::ids::LedgerEntryId;
use crate::home::visibility::{Acting, acting, ledger_entry_filter};
use crate::organisation::ids::CompoundId;
use crate::validate::{check_date, clean_name, clean_optional};
use crate::write::{Audit, Write};

/// The period an income entry covers, as sent: a calendar month (`2025-03`), or the first and
/// last day of a range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodInput {
    pub month: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl PeriodInput {
    /// The first and last day: a month, or a range whose end is not before its start and that
    /// spans at most a year. Anything else is `BAD_USER_INPUT` on `period`.
    pub fn days(&self) -> AppResult<(NaiveDate, NaiveDate)> {
        let bad = |why: &str| AppError::bad_input("period", format!("{why}: give a month (2025-03) or the first and last day (from, to)"));
        let (start, end) = match (&self.month, self.from, self.to) {
            (Some(month), None, None) => {
                let start = NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d").map_err(|_| bad("not a month"))?;
                let next = start.checked_add_months(chrono::Months::new(1)).ok_or_else(|| bad("not a month"))?;
                (start, next.pred_opt().ok_or_else(|| bad("not a month"))?)
            }
            (None, Some(from), Some(to)) => (from, to),
            _ => return Err(bad("one period is needed")),
        };
        check_date("period", start)?;
        check_date("period", end)?;
        if end < start {
            return Err(bad("the period ends before it begins"));
        }
        if start.checked_add_months(chrono::Months::new(12)).is_none_or(|a_year_on| end >= a_year_on) {
            return Err(bad("a period spans a year at most"));
        }
        Ok((start, end))
    }
}

/// Income to record.
pub struct NewIncome {
    pub compound_id: CompoundId,
    pub source: IncomeSource,
    pub period: PeriodInput,
    /// As sent; whole fen, positive.
    pub amount: String,
    pub note: Option<String>,
}

/// A disbursement to record.
pub struct NewDisbursement {
    pub compound_id: CompoundId,
    pub purpose: String,
    pub approved_by: String,
    pub paid_on: NaiveDate,
    /// As sent; whole fen, positive.
    pub amount: String,
    pub note: Option<String>,
}

/// Who keeps the ledger: community staff and the compound's owners' committee in office.
fn keeper(who: Option<Acting>) -> AppResult<RecordedAs> {
    match who {
        Some(Acting::Staff) => Ok(RecordedAs::CommunityStaff),
        Some(Acting::OwnersCommittee) => Ok(RecordedAs::OwnersCommittee),
        Some(Acting::BuildingLeader | Acting::Broker) | None => {
            Err(AppError::Forbidden("the shared-income ledger is kept by community staff and the compound's owners' committee".into()))
        }
    }
}

/// The row of a new entry; `kind`-specific columns are set by the caller.
struct Entry {
    community_id: Uuid,
    compound_id: Uuid,
    kind: LedgerKind,
    period: (NaiveDate, NaiveDate),
    amount_fen: i64,
    note: Option<String>,
    recorded_as: RecordedAs,
}

fn row(cx: &Cx, e: Entry) -> ledger_entry::ActiveModel {
    ledger_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(e.community_id),
        compound_id: Set(e.compound_id),
        kind: Set(e.kind),
        source: Set(None),
        purpose: Set(None),
        approved_by: Set(None),
        period_start: Set(e.period.0),
        period_end: Set(e.period.1),
        year: Set(e.period.0.year()),
        amount_fen: Set(e.amount_fen),
        note: Set(e.note),
        reverses_id: Set(None),
        reason: Set(None),
        recorded_by: Set(cx.scope.label().to_owned()),
        recorded_as: Set(e.recorded_as),
        created_at: Set(Utc::now()),
    }
}

/// Records shared income of a compound (community staff or its owners' committee).
pub async fn record_income(cx: &Cx, input: NewIncome) -> AppResult<ledger_entry::Model> {
    cx.scope.require_authenticated()?;
    let amount_fen = parse_fen("amountFen", &input.amount)?;
    let period = input.period.days()?;
    let note = clean_optional("note", input.note, 500)?;
    let w = Write::begin(cx).await?;
    let compound = lock_compound(&w, input.compound_id).await?;
    let roles = roles(w.txn(), &cx.scope).await?;
    let recorded_as = keeper(acting(&cx.scope, &roles, compound.community_id, compound.id, None, None))?;
    let mut entry = row(
        cx,
        Entry {
            community_id: compound.community_id,
            compound_id: compound.id,
            kind: LedgerKind::Income,
            period,
            amount_fen,
            note,
            recorded_as,
        },
    );
    entry.source = Set(Some(input.source));
    let model = entry.insert(w.txn()).await?;
    w.commit(Audit::new("recordLedgerIncome", "LedgerEntry").object(model.id).community(model.community_id).summary(json!({
        "compoundId": model.compound_id,
        "source": input.source.to_value(),
        "year": model.year,
        "amountFen": model.amount_fen,
    })))
    .await?;
    Ok(model)
}

/// Records a disbursement of a compound's shared income (community staff or its owners' committee).
pub async fn record_disbursement(cx: &Cx, input: NewDisbursement) -> AppResult<ledger_entry::Model> {
    cx.scope.require_authenticated()?;
    let amount_fen = parse_fen("amountFen", &input.amount)?;
    let purpose = clean_name("purpose", &input.purpose, 200)?;
    let approved_by = clean_name("approvedBy", &input.approved_by, 200)?;
    let paid_on = check_date("paidOn", input.paid_on)?;
    let note = clean_optional("note", input.note, 500)?;
    let w = Write::begin(cx).await?;
    let compound = lock_compound(&w, input.compound_id).await?;
    let roles = roles(w.txn(), &cx.scope).await?;
    let recorded_as = keeper(acting(&cx.scope, &roles, compound.community_id, compound.id, None, None))?;
    let mut entry = row(
        cx,
        Entry {
            community_id: compound.community_id,
            compound_id: compound.id,
            kind: LedgerKind::Disbursement,
            period: (paid_on, paid_on),
            amount_fen,
            note,
            recorded_as,
        },
    );
    entry.purpose = Set(Some(purpose));
    entry.approved_by = Set(Some(approved_by));
    let model = entry.insert(w.txn()).await?;
    w.commit(Audit::new("recordLedgerDisbursement", "LedgerEntry").object(model.id).community(model.community_id).summary(json!({
        "compoundId": model.compound_id,
        "year": model.year,
        "amountFen": model.amount_fen,
    })))
    .await?;
    Ok(model)
}

/// Reverses an entry (community staff or the owners' committee): a new entry of the same kind,
/// period and year with the opposite amount, linked to the original. Once per entry (`CONFLICT`
/// the second time); a reversal is not reversed (`BAD_USER_INPUT`).
pub async fn reverse_entry(cx: &Cx, id: LedgerEntryId, reason: String) -> AppResult<ledger_entry::Model> {
    cx.scope.require_authenticated()?;
    let reason = clean_name("reason", &reason, 500)?;
    let w = Write::begin(cx).await?;
    let roles = roles(w.txn(), &cx.scope).await?;
    let original = w
        .lock(ledger_entry::Entity::find_by_id(id.0).filter(ledger_entry_filter(&cx.scope, &roles)))
        .await?
        .ok_or_else(|| AppError::not_found("ledger entry"))?;
    let recorded_as = keeper(acting(&cx.scope, &roles, original.community_id, original.compound_id, None, None))?;
    if original.reverses_id.is_some() {
        return Err(AppError::bad_input("id", "a reversal is not reversed: record the right entry instead"));
    }
    let reversed = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::CommunityId.eq(original.community_id))
        .filter(ledger_entry::Column::ReversesId.eq(original.id))
        .count(w.txn())
        .await?;
    if reversed > 0 {
        return Err(AppError::Conflict("the entry has already been reversed; an entry is reversed once".into()));
    }
    let mut entry = row(
        cx,
        Entry {
            community_id: original.community_id,
            compound_id: original.compound_id,
            kind: original.kind,
            period: (original.period_start, original.period_end),
            amount_fen: -original.amount_fen,
            note: None,
            recorded_as,
        },
    );
    entry.source = Set(original.source);
    entry.purpose = Set(original.purpose.clone());
    entry.approved_by = Set(original.approved_by.clone());
    entry.year = Set(original.year);
    entry.reverses_id = Set(Some(original.id));
    entry.reason = Set(Some(reason));
    let model = entry
        .insert(w.txn())
        .await
        .map_err(|e| crate::db::conflict_on_unique(e, "the entry has already been reversed; an entry is reversed once"))?;
    w.commit(Audit::new("reverseLedgerEntry", "LedgerEntry").object(model.id).community(model.community_id).summary(json!({
        "reverses": original.id,
        "kind": model.kind.to_value(),
        "amountFen": model.amount_fen,
    })))
    .await?;
    Ok(model)
}

/// One year of a compound's ledger: income, disbursements (both net of reversals) and the balance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LedgerYear {
    pub year: i32,
    pub income_fen: i64,
    pub disbursement_fen: i64,
}

impl LedgerYear {
    /// Income less disbursements.
    pub fn balance_fen(&self) -> i64 {
        self.income_fen - self.disbursement_fen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn a_period_is_a_month_or_a_range_of_at_most_a_year() {
        let month = |m: &str| PeriodInput { month: Some(m.into()), ..PeriodInput::default() };
        let range = |from, to| PeriodInput { from: Some(from), to: Some(to), ..PeriodInput::default() };
        assert_eq!(month("2025-02").days().ok(), Some((day(2025, 2, 1), day(2025, 2, 28))));
        assert_eq!(month("2024-12").days().ok(), Some((day(2024, 12, 1), day(2024, 12, 31))));
        assert_eq!(range(day(2025, 1, 1), day(2025, 12, 31)).days().ok(), Some((day(2025, 1, 1), day(2025, 12, 31))));
        assert_eq!(range(day(2025, 3, 5), day(2025, 3, 5)).days().ok(), Some((day(2025, 3, 5), day(2025, 3, 5))));
        let refused = [
            month("2025-13"),
            month("March"),
            range(day(2025, 3, 5), day(2025, 3, 4)),
            range(day(2025, 1, 1), day(2026, 1, 1)),
            PeriodInput::default(),
            PeriodInput { month: Some("2025-01".into()), from: Some(day(2025, 1, 1)), to: Some(day(2025, 1, 2)) },
            PeriodInput { from: Some(day(2025, 1, 1)), ..PeriodInput::default() },
        ];
        for p in refused {
            assert!(matches!(p.days(), Err(AppError::BadInput { field: Some(f), .. }) if f == "period"), "{p:?}");
        }
    }

    #[test]
    fn the_ledger_is_kept_by_staff_and_the_owners_committee() {
        assert_eq!(keeper(Some(Acting::Staff)).ok(), Some(RecordedAs::CommunityStaff));
        assert_eq!(keeper(Some(Acting::OwnersCommittee)).ok(), Some(RecordedAs::OwnersCommittee));
        for who in [Some(Acting::BuildingLeader), Some(Acting::Broker), None] {
            assert!(matches!(keeper(who), Err(AppError::Forbidden(_))), "{who:?}");
        }
    }
}

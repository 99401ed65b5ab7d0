//! The shared-income ledger's loaders: entries by id, a compound's entries of a year, a reversal
//! of an entry, and the yearly totals of compounds, summed in SQL (`SUM … GROUP BY`), all through
//! `home::visibility`.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::ledger_entry::{self, LedgerKind};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::HomeLoader;
use crate::error::AppError;
use crate::graphql::batch::{by, group, loader_key};
use crate::home::ids::LedgerEntryId;
use crate::home::service::LedgerYear;
use crate::home::visibility;

loader_key!(/// The yearly totals of a compound's ledger the caller sees, the latest year first.
    LedgerTotalsOf);
loader_key!(/// The entry that reverses an entry, if any.
    ReversalOf);

/// The ledger entries of a compound in a year, in the order of their periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LedgerEntriesOf(pub Uuid, pub i32);

impl Loader<LedgerEntryId> for HomeLoader {
    type Value = ledger_entry::Model;
    type Error = AppError;
    async fn load(&self, keys: &[LedgerEntryId]) -> Result<HashMap<LedgerEntryId, Self::Value>, Self::Error> {
        let roles = self.roles().await?;
        let rows = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::ledger_entry_filter(&self.scope, roles))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| LedgerEntryId(m.id)))
    }
}

impl Loader<ReversalOf> for HomeLoader {
    type Value = ledger_entry::Model;
    type Error = AppError;
    async fn load(&self, keys: &[ReversalOf]) -> Result<HashMap<ReversalOf, Self::Value>, Self::Error> {
        let roles = self.roles().await?;
        let rows = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::ReversesId.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::ledger_entry_filter(&self.scope, roles))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().filter_map(|m| m.reverses_id.map(|r| (ReversalOf(r), m))).collect())
    }
}

impl Loader<LedgerEntriesOf> for HomeLoader {
    type Value = Vec<ledger_entry::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[LedgerEntriesOf]) -> Result<HashMap<LedgerEntriesOf, Self::Value>, Self::Error> {
        let roles = self.roles().await?;
        let rows = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::CompoundId.is_in(keys.iter().map(|k| k.0)))
            .filter(ledger_entry::Column::Year.is_in(keys.iter().map(|k| k.1)))
            .filter(visibility::ledger_entry_filter(&self.scope, roles))
            .order_by_asc(ledger_entry::Column::PeriodStart)
            .order_by_asc(ledger_entry::Column::Id)
            .all(&self.db)
            .await?;
        let mut out = group(rows, |m| LedgerEntriesOf(m.compound_id, m.year));
        out.retain(|k, _| keys.contains(k));
        Ok(out)
    }
}

impl Loader<LedgerTotalsOf> for HomeLoader {
    type Value = Vec<LedgerYear>;
    type Error = AppError;
    async fn load(&self, keys: &[LedgerTotalsOf]) -> Result<HashMap<LedgerTotalsOf, Self::Value>, Self::Error> {
        let roles = self.roles().await?;
        // One row per compound, year and kind; reversals are negative and net out in the sum.
        let sums: Vec<(Uuid, i32, String, i64)> = ledger_entry::Entity::find()
            .select_only()
            .column(ledger_entry::Column::CompoundId)
            .column(ledger_entry::Column::Year)
            .column(ledger_entry::Column::Kind)
            .column_as(Expr::cust("CAST(SUM(amount_fen) AS BIGINT)"), "total_fen")
            .filter(ledger_entry::Column::CompoundId.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::ledger_totals_filter(&self.scope, roles))
            .group_by(ledger_entry::Column::CompoundId)
            .group_by(ledger_entry::Column::Year)
            .group_by(ledger_entry::Column::Kind)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut years: HashMap<(Uuid, i32), LedgerYear> = HashMap::new();
        for (compound, year, kind, total) in sums {
            let y = years.entry((compound, year)).or_insert(LedgerYear { year, ..LedgerYear::default() });
            if kind == LedgerKind::Income.to_value() {
                y.income_fen += total;
            } else if kind == LedgerKind::Disbursement.to_value() {
                y.disbursement_fen += total;
            }
        }
        let mut out: HashMap<LedgerTotalsOf, Vec<LedgerYear>> = HashMap::new();
        for ((compound, _), y) in years {
            out.entry(LedgerTotalsOf(compound)).or_default().push(y);
        }
        for list in out.values_mut() {
            list.sort_by_key(|y| std::cmp::Reverse(y.year));
        }
        Ok(out)
    }
}

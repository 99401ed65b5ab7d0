//! What home co-building feeds to reporting (see `crate::reporting`): its figures, the rows of
//! `homeStatistics` itself, with the same arguments. Its rows (projects, ledger entries, arrears
//! cases) are not exported: they are the owners' business, and a reporting tool reads their
//! counts and sums only.

use std::sync::Arc;

use super::graphql::kind;
use super::service::{self, HomeFigures, HomeGrouping, HomeStatsQuery};
use crate::cx::Cx;
use crate::error::AppResult;
use crate::organisation::ids::{CommunityId, CompoundId};
use crate::reporting::{About, Cell, Column, Dataset, Filter, Filters, Record, Row, Rows, col, records};

/// Home co-building's datasets.
pub fn datasets() -> Vec<Arc<dyn Dataset>> {
    vec![Arc::new(HomeFiguresDataset)]
}

/// The figures of `homeStatistics`, a row per group.
pub struct HomeFiguresDataset;

impl Record for HomeFigures {
    const COLUMNS: &'static [Column] = &[
        col("community_id", "The community of the row (grouped by COMMUNITY or COMPOUND)."),
        col("compound_id", "The compound of the row (grouped by COMPOUND)."),
        col("month", "The month of the row, YYYY-MM in Beijing time (grouped by MONTH)."),
        col("buildings", "Buildings (楼栋), today; empty when grouped by MONTH."),
        col("lanes", "Lanes (街巷), today; empty when grouped by MONTH."),
        col("households", "Households the buildings and lanes record, today; empty when grouped by MONTH."),
        col("active_leaders", "Building and lane leaders in office, today; empty when grouped by MONTH."),
        col("projects_in_progress", "Renovation projects in progress, today; empty when grouped by MONTH."),
        col("arrears_open", "Property-fee arrears cases open, today; empty when grouped by MONTH."),
        col("arrears_open_fen", "What the open arrears cases owe, in fen, today; empty when grouped by MONTH."),
        col("leaders_chosen", "Building and lane leaders chosen: both sides of the two-way selection agreed."),
        col("projects_proposed", "Renovation projects proposed."),
        col("projects_approved", "Renovation projects approved."),
        col("approved_budget_fen", "The budgets of the projects approved, in fen."),
        col("projects_done", "Renovation projects done."),
        col("projects_dropped", "Renovation projects dropped."),
        col("income_fen", "Shared income net of reversals, in fen, by the first day of the period each entry covers."),
        col("disbursement_fen", "Disbursements of shared income net of reversals, in fen, by the day they were paid."),
        col("arrears_opened", "Property-fee arrears cases opened."),
        col("arrears_paid", "Arrears cases that ended paid."),
        col("arrears_plan_agreed", "Arrears cases with a payment plan agreed."),
        col("arrears_refused", "Arrears cases where the owner refused."),
        col("arrears_escalated", "Arrears cases escalated."),
    ];

    fn cells(self) -> Row {
        let s = self.state;
        let today = |f: fn(&service::HomeState) -> i64| s.as_ref().map(f).into();
        vec![
            Cell::opt_id(kind::COMMUNITY, self.community),
            Cell::opt_id(kind::COMPOUND, self.compound),
            self.month.into(),
            today(|s| count(s.buildings)),
            today(|s| count(s.lanes)),
            today(|s| count(s.households)),
            today(|s| count(s.active_leaders)),
            today(|s| count(s.projects_in_progress)),
            today(|s| count(s.arrears_open)),
            today(|s| s.arrears_open_fen),
            Cell::count(self.leaders_chosen),
            Cell::count(self.projects_proposed),
            Cell::count(self.projects_approved),
            self.approved_budget_fen.into(),
            Cell::count(self.projects_done),
            Cell::count(self.projects_dropped),
            self.income_fen.into(),
            self.disbursement_fen.into(),
            Cell::count(self.arrears_opened),
            Cell::count(self.arrears_paid),
            Cell::count(self.arrears_plan_agreed),
            Cell::count(self.arrears_refused),
            Cell::count(self.arrears_escalated),
        ]
    }
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[async_trait::async_trait]
impl Dataset for HomeFiguresDataset {
    fn about(&self) -> About {
        About {
            name: "home-figures",
            doc: "Figures of home co-building, as homeStatistics: today's buildings, households, leaders, projects in progress and open arrears; leaders chosen, projects proposed, approved (with budgets), done and dropped, shared income and disbursements, arrears cases opened and their outcomes, each counted in the range by its own moment (Beijing days).",
            columns: HomeFigures::COLUMNS,
            filters: &[Filter::Period, Filter::Community, Filter::Compound, Filter::By],
            groupings: &["TOTAL", "COMMUNITY", "COMPOUND", "MONTH"],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        let by = match f.by {
            Some("COMMUNITY") => HomeGrouping::Community,
            Some("COMPOUND") => HomeGrouping::Compound,
            Some("MONTH") => HomeGrouping::Month,
            _ => HomeGrouping::Total,
        };
        let q = HomeStatsQuery {
            community: f.community.map(CommunityId),
            compound: f.compound.map(CompoundId),
            from: f.period.from,
            to: f.period.to,
            by,
        };
        Ok(records(service::home_statistics(&cx, q).await?))
    }
}

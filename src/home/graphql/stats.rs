//! The figures of home co-building: rows a chart takes directly.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};

use super::{home_compound_id, kind};
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};
use crate::home::service::{self, HomeFigures as Figures, HomeGrouping as Grouping, HomeStatsQuery};
use crate::organisation::ids::CommunityId;

/// How home co-building's figures are grouped.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum HomeGrouping {
    /// One row for the whole scope.
    Total,
    /// A row per community.
    Community,
    /// A row per compound.
    Compound,
    /// A row per month, Beijing time (today's state is null in these rows).
    Month,
}

/// One row of home co-building's figures. Today's state (buildings to open arrears) is the same
/// whatever the range and null when grouped by month; the other figures count what happened in
/// the range.
#[derive(SimpleObject)]
pub struct HomeFigures {
    /// The community of the row (grouped by community or compound).
    pub community_id: Option<ID>,
    /// The compound of the row (grouped by compound).
    pub compound_id: Option<ID>,
    /// The month of the row, `YYYY-MM` in Beijing time (grouped by month).
    pub month: Option<String>,
    /// Buildings (楼栋), today.
    pub buildings: Option<i32>,
    /// Lanes (街巷), today.
    pub lanes: Option<i32>,
    /// Households the buildings and lanes record, today.
    pub households: Option<i32>,
    /// Building and lane leaders in office, today.
    pub active_leaders: Option<i32>,
    /// Renovation projects in progress, today.
    pub projects_in_progress: Option<i32>,
    /// Property-fee arrears cases open, today.
    pub arrears_open: Option<i32>,
    /// What the open arrears cases owe, in fen, today.
    pub arrears_open_fen: Option<i64>,
    /// Building and lane leaders chosen: both sides of the two-way selection agreed.
    pub leaders_chosen: i32,
    /// Renovation projects proposed.
    pub projects_proposed: i32,
    /// Renovation projects approved.
    pub projects_approved: i32,
    /// The budgets of the projects approved, in fen.
    pub approved_budget_fen: i64,
    /// Renovation projects done.
    pub projects_done: i32,
    /// Renovation projects dropped.
    pub projects_dropped: i32,
    /// Shared income (公共收益) net of reversals, in fen, by the first day of the period each
    /// entry covers.
    pub income_fen: i64,
    /// Disbursements of shared income net of reversals, in fen, by the day they were paid.
    pub disbursement_fen: i64,
    /// Property-fee arrears cases opened.
    pub arrears_opened: i32,
    /// Arrears cases that ended paid.
    pub arrears_paid: i32,
    /// Arrears cases with a payment plan agreed.
    pub arrears_plan_agreed: i32,
    /// Arrears cases where the owner refused.
    pub arrears_refused: i32,
    /// Arrears cases escalated (to mediation or the courts).
    pub arrears_escalated: i32,
}

fn n(x: u64) -> i32 {
    i32::try_from(x).unwrap_or(i32::MAX)
}

impl From<Figures> for HomeFigures {
    fn from(f: Figures) -> Self {
        let s = f.state;
        HomeFigures {
            community_id: f.community.map(|c| global_id(kind::COMMUNITY, c)),
            compound_id: f.compound.map(|c| global_id(kind::COMPOUND, c)),
            month: f.month,
            buildings: s.map(|s| n(s.buildings)),
            lanes: s.map(|s| n(s.lanes)),
            households: s.map(|s| n(s.households)),
            active_leaders: s.map(|s| n(s.active_leaders)),
            projects_in_progress: s.map(|s| n(s.projects_in_progress)),
            arrears_open: s.map(|s| n(s.arrears_open)),
            arrears_open_fen: s.map(|s| s.arrears_open_fen),
            leaders_chosen: n(f.leaders_chosen),
            projects_proposed: n(f.projects_proposed),
            projects_approved: n(f.projects_approved),
            approved_budget_fen: f.approved_budget_fen,
            projects_done: n(f.projects_done),
            projects_dropped: n(f.projects_dropped),
            income_fen: f.income_fen,
            disbursement_fen: f.disbursement_fen,
            arrears_opened: n(f.arrears_opened),
            arrears_paid: n(f.arrears_paid),
            arrears_plan_agreed: n(f.arrears_plan_agreed),
            arrears_refused: n(f.arrears_refused),
            arrears_escalated: n(f.arrears_escalated),
        }
    }
}

/// Queries of home co-building: figures.
#[derive(Default)]
pub struct HomeFiguresQuery;

/// Queries of home co-building: figures.
#[Object]
impl HomeFiguresQuery {
    /// Figures of home co-building from the records, for the caller's communities, one of them or
    /// one compound, over a range of days (Beijing time, both ends included), in total or grouped
    /// (street and community staff, reporting tools). Counts and sums only: no person, no door.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn home_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
        #[graphql(desc = "Only this compound (a `Compound` or `Home` id).")] compound_id: Option<ID>,
        #[graphql(desc = "The first day, Beijing time.")] from: Option<Date>,
        #[graphql(desc = "The last day, Beijing time.")] to: Option<Date>,
        #[graphql(desc = "How the rows are grouped.", default_with = "HomeGrouping::Total")] by: HomeGrouping,
    ) -> Result<Vec<HomeFigures>> {
        let q = HomeStatsQuery {
            community: community_id.map(|c| expect_id(&c, kind::COMMUNITY, "communityId").map(CommunityId)).transpose()?,
            compound: compound_id.as_ref().map(home_compound_id).transpose()?,
            from: from.map(|d| d.0),
            to: to.map(|d| d.0),
            by: match by {
                HomeGrouping::Total => Grouping::Total,
                HomeGrouping::Community => Grouping::Community,
                HomeGrouping::Compound => Grouping::Compound,
                HomeGrouping::Month => Grouping::Month,
            },
        };
        Ok(service::home_statistics(&rc(ctx)?.cx, q).await?.into_iter().map(Into::into).collect())
    }
}

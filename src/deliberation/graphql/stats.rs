//! The statistics of consultative democracy: rows a chart takes directly.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};

use super::kind;
use crate::deliberation::service::{self, Figures, Grouping, StatsQuery};
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};
use crate::organisation::ids::CommunityId;

/// How deliberation figures are grouped.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum DeliberationGrouping {
    /// One row for the whole scope.
    Total,
    /// A row per community.
    Community,
    /// A row per compound (appeals located at no compound in a row of their community).
    Compound,
    /// A row per month, Beijing time.
    Month,
}

/// One row of deliberation figures.
#[derive(SimpleObject)]
pub struct DeliberationFigures {
    /// The community of the row (grouped by community or compound).
    pub community_id: Option<ID>,
    /// The compound of the row (grouped by compound; null for appeals at no compound).
    pub compound_id: Option<ID>,
    /// The month of the row, `YYYY-MM` in Beijing time (grouped by month).
    pub month: Option<String>,
    /// Meetings held.
    pub meetings_held: i32,
    /// Appeals raised.
    pub appeals_raised: i32,
    /// Appeals answered.
    pub appeals_answered: i32,
    /// Appeals done (solved).
    pub appeals_done: i32,
    /// Appeals merged into another.
    pub appeals_merged: i32,
    /// Appeals rejected.
    pub appeals_rejected: i32,
    /// Median hours from raising to the first response (acceptance or rejection).
    pub median_hours_to_first_response: Option<f64>,
    /// 90th-percentile hours from raising to the first response.
    pub p90_hours_to_first_response: Option<f64>,
    /// Median hours from raising to done.
    pub median_hours_to_done: Option<f64>,
    /// 90th-percentile hours from raising to done.
    pub p90_hours_to_done: Option<f64>,
    /// Outcomes rated satisfied.
    pub rated_satisfied: i32,
    /// Outcomes rated partly satisfied.
    pub rated_partly: i32,
    /// Outcomes rated not satisfied.
    pub rated_not_satisfied: i32,
}

fn n(x: u64) -> i32 {
    i32::try_from(x).unwrap_or(i32::MAX)
}

impl From<Figures> for DeliberationFigures {
    fn from(f: Figures) -> Self {
        DeliberationFigures {
            community_id: f.community.map(|c| global_id(kind::COMMUNITY, c)),
            compound_id: f.compound.map(|c| global_id(kind::COMPOUND, c)),
            month: f.month.clone(),
            meetings_held: n(f.meetings_held),
            appeals_raised: n(f.raised),
            appeals_answered: n(f.answered),
            appeals_done: n(f.done),
            appeals_merged: n(f.merged),
            appeals_rejected: n(f.rejected),
            median_hours_to_first_response: Figures::percentile(&f.response_hours, 50.0),
            p90_hours_to_first_response: Figures::percentile(&f.response_hours, 90.0),
            median_hours_to_done: Figures::percentile(&f.done_hours, 50.0),
            p90_hours_to_done: Figures::percentile(&f.done_hours, 90.0),
            rated_satisfied: n(f.satisfied),
            rated_partly: n(f.partly),
            rated_not_satisfied: n(f.not_satisfied),
        }
    }
}

/// Queries of consultative democracy: statistics.
#[derive(Default)]
pub struct DeliberationStatsQuery;

/// Queries of consultative democracy: statistics.
#[Object]
impl DeliberationStatsQuery {
    /// Figures of consultative democracy from the records, for the caller's communities, one of
    /// them or one compound, over a range of days (Beijing time, both ends included), in total or
    /// grouped (street and community staff, reporting tools).
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn deliberation_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
        #[graphql(desc = "Only this compound (a `Compound` or `Home` id).")] compound_id: Option<ID>,
        #[graphql(desc = "The first day, Beijing time.")] from: Option<Date>,
        #[graphql(desc = "The last day, Beijing time.")] to: Option<Date>,
        #[graphql(desc = "How the rows are grouped.", default_with = "DeliberationGrouping::Total")] by: DeliberationGrouping,
    ) -> Result<Vec<DeliberationFigures>> {
        let q = StatsQuery {
            community: community_id.map(|c| expect_id(&c, kind::COMMUNITY, "communityId").map(CommunityId)).transpose()?,
            compound: compound_id.as_ref().map(super::venues::compound_id).transpose()?,
            from: from.map(|d| d.0),
            to: to.map(|d| d.0),
            by: match by {
                DeliberationGrouping::Total => Grouping::Total,
                DeliberationGrouping::Community => Grouping::Community,
                DeliberationGrouping::Compound => Grouping::Compound,
                DeliberationGrouping::Month => Grouping::Month,
            },
        };
        Ok(service::statistics(&rc(ctx)?.cx, q).await?.into_iter().map(Into::into).collect())
    }
}

//! Statistics of the volunteer service, computed from the records.

use crate::graphql::scalars::Date;
use async_graphql::{Context, ID, Object, Result, SimpleObject};

use super::{hours, kind};
use crate::graphql::context::rc;
use crate::graphql::ids::expect_id;
use crate::organisation::graphql::{Community, community_of};
use crate::organisation::loaders::CommunityId;
use crate::reporting::Period;
use crate::volunteers::stats::{self, CommunityFigures, Totals};

/// Totals of the volunteer service for a slice.
#[derive(SimpleObject)]
pub struct ServiceTotals {
    /// Activities held.
    pub activities: i32,
    /// Person-times of service (参与服务人次).
    pub person_times: i32,
    /// Service hours.
    pub hours: f64,
    /// Residents served.
    pub residents_served: i32,
}

impl From<&Totals> for ServiceTotals {
    fn from(t: &Totals) -> Self {
        let n = |x: u64| i32::try_from(x).unwrap_or(i32::MAX);
        ServiceTotals {
            activities: n(t.activities),
            person_times: n(t.person_times),
            hours: hours(t.minutes),
            residents_served: n(t.residents_served),
        }
    }
}

/// Totals of one category.
#[derive(SimpleObject)]
pub struct CategoryTotals {
    /// The category's code.
    pub category: String,
    /// Its totals.
    pub totals: ServiceTotals,
}

/// Totals of one month.
#[derive(SimpleObject)]
pub struct MonthTotals {
    /// The month, `YYYY-MM` (Beijing time).
    pub month: String,
    /// Its totals.
    pub totals: ServiceTotals,
}

/// The figures of one community.
pub struct CommunityServiceTotals {
    community_id: uuid::Uuid,
    figures: CommunityFigures,
}

/// The figures of one community.
#[Object]
impl CommunityServiceTotals {
    /// The community.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        community_of(ctx, self.community_id).await
    }
    /// Volunteers registered (before the range ends).
    async fn volunteers(&self) -> i32 {
        i32::try_from(self.figures.volunteers).unwrap_or(i32::MAX)
    }
    /// In-service members checked in (approved before the range ends).
    async fn checked_in_members(&self) -> i32 {
        i32::try_from(self.figures.checked_in_members).unwrap_or(i32::MAX)
    }
    /// Its totals.
    async fn totals(&self) -> ServiceTotals {
        (&self.figures.totals).into()
    }
}

/// Statistics of the volunteer service, computed from the records.
#[derive(SimpleObject)]
pub struct VolunteerStatistics {
    /// Volunteers registered.
    pub volunteers: i32,
    /// In-service members checked in (approved).
    pub checked_in_members: i32,
    /// Totals over everything.
    pub totals: ServiceTotals,
    /// By category.
    pub by_category: Vec<CategoryTotals>,
    /// By month, oldest first.
    pub by_month: Vec<MonthTotals>,
    /// By community: one row for every community asked about (zeros included).
    pub by_community: Vec<CommunityServiceTotals>,
}

/// Queries of the volunteer service: stats.
#[derive(Default)]
pub struct StatsQuery;

/// Queries of the volunteer service: stats.
#[Object]
impl StatsQuery {
    /// Statistics of the volunteer service for the caller's communities, or one of them, over a
    /// range of Beijing days (all time when no range is given). Activities count by their
    /// start within the range; volunteers and checked-in members are those registered or
    /// approved before the range ends.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn volunteer_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
        #[graphql(desc = "The first day, Beijing time (included).")] from: Option<Date>,
        #[graphql(desc = "The last day, Beijing time (included).")] to: Option<Date>,
    ) -> Result<VolunteerStatistics> {
        let c = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId").map(CommunityId)).transpose()?;
        let s = stats::statistics(&rc(ctx)?.cx, c, Period::new(from.map(|d| d.0), to.map(|d| d.0))?).await?;
        let n = |x: u64| i32::try_from(x).unwrap_or(i32::MAX);
        Ok(VolunteerStatistics {
            volunteers: n(s.volunteers),
            checked_in_members: n(s.checked_in_members),
            totals: (&s.totals).into(),
            by_category: s.by_category.iter().map(|(c, t)| CategoryTotals { category: c.clone(), totals: t.into() }).collect(),
            by_month: s.by_month.iter().map(|(m, t)| MonthTotals { month: m.clone(), totals: t.into() }).collect(),
            by_community: s
                .by_community
                .into_iter()
                .map(|(community_id, figures)| CommunityServiceTotals { community_id, figures })
                .collect(),
        })
    }
}

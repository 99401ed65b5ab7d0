//! The figures of collaboration: rows a chart takes directly (see `service::stats`).

use super::*;
use crate::reporting::Period;

/// How task figures are grouped.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TaskGrouping {
    /// One row for the whole scope.
    Total,
    /// A row per community.
    Community,
    /// A row per kind of work.
    Category,
    /// A row per level handling the task now (community, street, city).
    Level,
    /// A row per month, Beijing time: each figure in the month of its moment; the "now" figures
    /// in the current month's row.
    Month,
    /// A row per current status of the task.
    Status,
}

impl From<TaskGrouping> for service::TaskGrouping {
    fn from(g: TaskGrouping) -> Self {
        match g {
            TaskGrouping::Total => service::TaskGrouping::Total,
            TaskGrouping::Community => service::TaskGrouping::Community,
            TaskGrouping::Category => service::TaskGrouping::Category,
            TaskGrouping::Level => service::TaskGrouping::Level,
            TaskGrouping::Month => service::TaskGrouping::Month,
            TaskGrouping::Status => service::TaskGrouping::Status,
        }
    }
}

fn n(x: u64) -> i32 {
    i32::try_from(x).unwrap_or(i32::MAX)
}

/// One row of task figures.
#[derive(SimpleObject)]
pub struct TaskFigures {
    /// The community of the row (grouped by community).
    pub community_id: Option<ID>,
    /// The kind of work of the row (grouped by category).
    pub category: Option<TaskCategory>,
    /// The level of the row (grouped by level).
    pub level: Option<TaskLevel>,
    /// The month of the row, `YYYY-MM` in Beijing time (grouped by month).
    pub month: Option<String>,
    /// The current status of the row (grouped by status).
    pub status: Option<TaskStatus>,
    /// Tasks opened (created) in the range.
    pub opened: i32,
    /// Resolutions in the range (a task resolved again after reopening counts again).
    pub resolved: i32,
    /// Verifications in the range.
    pub verified: i32,
    /// Reopenings in the range.
    pub reopened: i32,
    /// Cancellations in the range.
    pub cancelled: i32,
    /// Tasks open now and past their due time, whatever the range.
    pub overdue_now: i32,
    /// Tasks open now, whatever the range.
    pub open_now: i32,
    /// `overdueNow / openNow`; null when none is open.
    pub overdue_rate: Option<f64>,
    /// Median hours from a task's creation to its resolution, of the resolutions in the range.
    pub median_hours_to_resolve: Option<f64>,
    /// 90th-percentile hours from a task's creation to its resolution, of the resolutions in the range.
    pub p90_hours_to_resolve: Option<f64>,
    /// Escalations to the street in the range.
    pub escalations_to_street: i32,
    /// Escalations to the city in the range.
    pub escalations_to_city: i32,
}

impl From<service::TaskFigures> for TaskFigures {
    fn from(f: service::TaskFigures) -> Self {
        TaskFigures {
            community_id: f.community.map(|c| global_id(kind::COMMUNITY, c)),
            category: f.category.map(Into::into),
            level: f.level.map(Into::into),
            month: f.month.clone(),
            status: f.status.map(Into::into),
            opened: n(f.opened),
            resolved: n(f.resolved),
            verified: n(f.verified),
            reopened: n(f.reopened),
            cancelled: n(f.cancelled),
            overdue_now: n(f.overdue_now),
            open_now: n(f.open_now),
            overdue_rate: f.overdue_rate(),
            median_hours_to_resolve: f.median_hours_to_resolve(),
            p90_hours_to_resolve: f.p90_hours_to_resolve(),
            escalations_to_street: n(f.escalations_to_street),
            escalations_to_city: n(f.escalations_to_city),
        }
    }
}

/// The joint committee's assessment of one co-building unit over a range.
pub struct UnitAssessment(pub service::UnitFigures);

/// The joint committee's assessment of one co-building unit over a range.
#[Object]
impl UnitAssessment {
    /// The unit.
    async fn unit(&self, ctx: &Context<'_>) -> Result<CoBuildingUnit> {
        let unit = crate::organisation::loaders::org_loader(ctx)?.load_one(UnitId(self.0.unit)).await?;
        Ok(CoBuildingUnit(unit.ok_or_else(|| AppError::not_found("unit"))?))
    }
    /// Shares assigned to it (created) in the range.
    async fn assigned(&self) -> i32 {
        n(self.0.assigned)
    }
    /// Shares it accepted in the range.
    async fn accepted(&self) -> i32 {
        n(self.0.accepted)
    }
    /// Shares it declined in the range.
    async fn declined(&self) -> i32 {
        n(self.0.declined)
    }
    /// Shares it finished in the range.
    async fn done(&self) -> i32 {
        n(self.0.done)
    }
    /// Of those, finished at or before the task's due time, or of a task with none.
    async fn done_on_time(&self) -> i32 {
        n(self.0.done_on_time)
    }
    /// `doneOnTime / done`; null when nothing was finished.
    async fn on_time_rate(&self) -> Option<f64> {
        self.0.on_time_rate()
    }
}

/// Queries of collaboration figures.
#[derive(Default)]
pub struct CollabStatsQuery;

fn query(
    from: Option<Date>,
    to: Option<Date>,
    community_id: Option<ID>,
    campaign_id: Option<ID>,
    unit_id: Option<ID>,
) -> Result<service::CollabStatsQuery, AppError> {
    Ok(service::CollabStatsQuery {
        period: Period::new(from.map(|d| d.0), to.map(|d| d.0))?,
        community: community_id.map(|c| expect_id(&c, kind::COMMUNITY, "communityId").map(CommunityId)).transpose()?,
        campaign: campaign_id.map(|c| expect_id(&c, kind::CAMPAIGN, "campaignId").map(CampaignId)).transpose()?,
        unit: unit_id.map(|u| expect_id(&u, kind::CO_BUILDING_UNIT, "unitId").map(UnitId)).transpose()?,
    })
}

/// Queries of collaboration figures.
#[Object]
impl CollabStatsQuery {
    /// Task figures from the records, over a range of days (Beijing time, both ends included),
    /// for the tasks the caller sees in the task list (staff and reporters their communities',
    /// a unit the tasks it has a share of, city staff what was escalated to the city), in total
    /// or grouped.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    #[expect(clippy::too_many_arguments, reason = "a figure takes its range, its three filters and its grouping")]
    async fn task_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The first day, Beijing time.")] from: Option<Date>,
        #[graphql(desc = "The last day, Beijing time (included).")] to: Option<Date>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
        #[graphql(desc = "Only this campaign's tasks.")] campaign_id: Option<ID>,
        #[graphql(desc = "Only tasks with a share for this unit.")] unit_id: Option<ID>,
        #[graphql(desc = "How the rows are grouped.", default_with = "TaskGrouping::Total")] by: TaskGrouping,
    ) -> Result<Vec<TaskFigures>> {
        let q = query(from, to, community_id, campaign_id, unit_id)?;
        Ok(service::task_statistics(&rc(ctx)?.cx, q, by.into()).await?.into_iter().map(Into::into).collect())
    }

    /// The joint committee's assessment of its co-building units over a range of days (Beijing
    /// time, both ends included): a row per unit with shares in the range, of the shares the
    /// caller sees (a unit only its own).
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn unit_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The first day, Beijing time.")] from: Option<Date>,
        #[graphql(desc = "The last day, Beijing time (included).")] to: Option<Date>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
        #[graphql(desc = "Only shares of this campaign's tasks.")] campaign_id: Option<ID>,
        #[graphql(desc = "Only this unit.")] unit_id: Option<ID>,
    ) -> Result<Vec<UnitAssessment>> {
        let q = query(from, to, community_id, campaign_id, unit_id)?;
        Ok(service::unit_assessment(&rc(ctx)?.cx, q).await?.into_iter().map(UnitAssessment).collect())
    }
}

//! What collaboration feeds to reporting: its records as datasets (see `crate::reporting`),
//! each read through the same scoped selects as the GraphQL lists.

use std::sync::Arc;

use chrono::Utc;
use entity::task::{self, TaskStatus};
use sea_orm::{ActiveEnum, ColumnTrait, QueryFilter, QueryOrder};

use super::graphql::kind;
use super::loaders::CampaignId;
use super::service::tasks::{TaskFilter, tasks_select};
use crate::cx::Cx;
use crate::error::AppResult;
use crate::organisation::loaders::{CommunityId, UnitId};
use crate::reporting::{About, Cell, Column, Dataset, Filter, Filters, Rows, col, stream};

/// Collaboration's datasets.
pub fn datasets() -> Vec<Arc<dyn Dataset>> {
    vec![Arc::new(Tasks)]
}

/// The tasks in the caller's scope, one row each.
pub struct Tasks;

const TASK_COLUMNS: &[Column] = &[
    col("id", "The task's global id, as in GraphQL."),
    col("community_id", "Its community's global id."),
    col("campaign_id", "The campaign it belongs to, if any."),
    col("site_id", "The site it is about, if any."),
    col("title", "Title."),
    col("description", "Description."),
    col("category", "Kind of work (STALL_SPRAWL, SANITATION, PARKING, ...)."),
    col("priority", "LOW, NORMAL, HIGH or URGENT."),
    col("status", "REPORTED, ASSIGNED, IN_PROGRESS, RESOLVED, VERIFIED, REOPENED or CANCELLED."),
    col("level", "The level handling it: COMMUNITY, STREET or CITY."),
    col("due_at", "When it is due (UTC)."),
    col("overdue", "Open and past its due time at the moment of the export."),
    col("created_at", "When it was opened (UTC)."),
    col("resolved_at", "When it was last resolved (UTC)."),
    col("closed_at", "When it was verified or cancelled (UTC)."),
    col("escalated_at", "When it last moved up a level (UTC)."),
];

const OPEN: [TaskStatus; 4] = [TaskStatus::Reported, TaskStatus::Assigned, TaskStatus::InProgress, TaskStatus::Reopened];

#[async_trait::async_trait]
impl Dataset for Tasks {
    fn about(&self) -> About {
        About {
            name: "tasks",
            doc: "Tasks, opened within the range (Beijing days).",
            columns: TASK_COLUMNS,
            filters: &[Filter::Period, Filter::Community, Filter::Campaign, Filter::Unit],
            groupings: &[],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        let filter = TaskFilter {
            community_id: f.community.map(CommunityId),
            campaign_id: f.campaign.map(CampaignId),
            unit_id: f.unit.map(UnitId),
            ..TaskFilter::default()
        };
        let mut select = tasks_select(&cx, &filter)?.order_by_asc(task::Column::Id);
        if let Some(start) = f.period.start() {
            select = select.filter(task::Column::CreatedAt.gte(start));
        }
        if let Some(end) = f.period.end() {
            select = select.filter(task::Column::CreatedAt.lt(end));
        }
        let now = Utc::now();
        stream(&cx, select, move |t: task::Model| {
            vec![
                Cell::id(kind::TASK, t.id),
                Cell::id(kind::COMMUNITY, t.community_id),
                Cell::opt_id(kind::CAMPAIGN, t.campaign_id),
                Cell::opt_id(kind::SITE, t.site_id),
                t.title.into(),
                t.description.into(),
                t.category.to_value().into(),
                t.priority.to_value().into(),
                t.status.to_value().into(),
                t.level.to_value().into(),
                t.due_at.into(),
                (OPEN.contains(&t.status) && t.due_at.is_some_and(|d| d < now)).into(),
                t.created_at.into(),
                t.resolved_at.into(),
                t.closed_at.into(),
                t.escalated_at.into(),
            ]
        })
        .await
    }
}

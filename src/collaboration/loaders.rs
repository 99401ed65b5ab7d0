//! DataLoaders of collaboration, one per request with its scope: every batch is filtered by
//! the scope's visibility rules (see `visibility`), so no relation reaches outside it.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{assignment, campaign, campaign_community, finding, inspection, site, task, task_event};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::visibility::{
    assignment_filter, campaign_community_filter, campaign_filter, event_filter, finding_filter, inspection_filter, site_filter,
    task_filter,
};
use crate::auth::Scope;
use crate::error::AppError;
use crate::graphql::batch::{by, group, loader_key};

/// Batches and caches collaboration relations for one request.
pub struct CollabLoader {
    db: crate::db::Db,
    scope: Scope,
}

/// This request's collaboration loader (built for each request by the root, see `graphql::request_data`).
pub fn collab_loader<'a>(
    ctx: &async_graphql::Context<'a>,
) -> Result<&'a async_graphql::dataloader::DataLoader<CollabLoader, async_graphql::dataloader::HashMapCache>, AppError> {
    ctx.data::<async_graphql::dataloader::DataLoader<CollabLoader, async_graphql::dataloader::HashMapCache>>()
        .map_err(|_| AppError::internal("collaboration loader missing"))
}

impl CollabLoader {
    pub fn new(db: crate::db::Db, scope: Scope) -> Self {
        CollabLoader { db, scope }
    }
}

loader_key!(/// Task by id.
    TaskId);
loader_key!(/// The shares of a task.
    SharesOfTask);
loader_key!(/// Share by id.
    AssignmentId);
loader_key!(/// The timeline of a task.
    TimelineOf);
loader_key!(/// Timeline entry by id.
    EventId);
loader_key!(/// Site by id.
    SiteId);
loader_key!(/// The sites of a community.
    SitesOf);
loader_key!(/// Campaign by id.
    CampaignId);
loader_key!(/// The communities taking part in a campaign.
    CampaignCommunities);
loader_key!(/// Inspection by id.
    InspectionId);
loader_key!(/// The findings of an inspection.
    FindingsOf);
loader_key!(/// Finding by id.
    FindingId);
loader_key!(/// A partner department's API key by id.
    ApiKeyId);

impl Loader<TaskId> for CollabLoader {
    type Value = task::Model;
    type Error = AppError;
    async fn load(&self, keys: &[TaskId]) -> Result<HashMap<TaskId, Self::Value>, Self::Error> {
        let rows = task::Entity::find()
            .filter(task::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(task_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| TaskId(m.id)))
    }
}

impl Loader<SharesOfTask> for CollabLoader {
    type Value = Vec<assignment::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[SharesOfTask]) -> Result<HashMap<SharesOfTask, Self::Value>, Self::Error> {
        let rows = assignment::Entity::find()
            .filter(assignment::Column::TaskId.is_in(keys.iter().map(|k| k.0)))
            .filter(assignment_filter(&self.scope))
            .order_by_asc(assignment::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| SharesOfTask(m.task_id)))
    }
}

impl Loader<AssignmentId> for CollabLoader {
    type Value = assignment::Model;
    type Error = AppError;
    async fn load(&self, keys: &[AssignmentId]) -> Result<HashMap<AssignmentId, Self::Value>, Self::Error> {
        let rows = assignment::Entity::find()
            .filter(assignment::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(assignment_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| AssignmentId(m.id)))
    }
}

impl Loader<TimelineOf> for CollabLoader {
    type Value = Vec<task_event::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[TimelineOf]) -> Result<HashMap<TimelineOf, Self::Value>, Self::Error> {
        let rows = task_event::Entity::find()
            .filter(task_event::Column::TaskId.is_in(keys.iter().map(|k| k.0)))
            .filter(event_filter(&self.scope))
            .order_by_asc(task_event::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| TimelineOf(m.task_id)))
    }
}

impl Loader<EventId> for CollabLoader {
    type Value = task_event::Model;
    type Error = AppError;
    async fn load(&self, keys: &[EventId]) -> Result<HashMap<EventId, Self::Value>, Self::Error> {
        let rows = task_event::Entity::find()
            .filter(task_event::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(event_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| EventId(m.id)))
    }
}

impl Loader<SiteId> for CollabLoader {
    type Value = site::Model;
    type Error = AppError;
    async fn load(&self, keys: &[SiteId]) -> Result<HashMap<SiteId, Self::Value>, Self::Error> {
        let rows = site::Entity::find()
            .filter(site::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(site_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| SiteId(m.id)))
    }
}

impl Loader<SitesOf> for CollabLoader {
    type Value = Vec<site::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[SitesOf]) -> Result<HashMap<SitesOf, Self::Value>, Self::Error> {
        let rows = site::Entity::find()
            .filter(site::Column::CommunityId.is_in(keys.iter().map(|k| k.0)))
            .filter(site_filter(&self.scope))
            .order_by_asc(site::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| SitesOf(m.community_id)))
    }
}

impl Loader<CampaignId> for CollabLoader {
    type Value = campaign::Model;
    type Error = AppError;
    async fn load(&self, keys: &[CampaignId]) -> Result<HashMap<CampaignId, Self::Value>, Self::Error> {
        let rows = campaign::Entity::find()
            .filter(campaign::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(campaign_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| CampaignId(m.id)))
    }
}

impl Loader<CampaignCommunities> for CollabLoader {
    type Value = Vec<Uuid>;
    type Error = AppError;
    async fn load(&self, keys: &[CampaignCommunities]) -> Result<HashMap<CampaignCommunities, Self::Value>, Self::Error> {
        let rows = campaign_community::Entity::find()
            .filter(campaign_community::Column::CampaignId.is_in(keys.iter().map(|k| k.0)))
            .filter(campaign_community_filter(&self.scope))
            .order_by_asc(campaign_community::Column::CommunityId)
            .all(&self.db)
            .await?;
        let mut map: HashMap<CampaignCommunities, Vec<Uuid>> = HashMap::new();
        for r in rows {
            map.entry(CampaignCommunities(r.campaign_id)).or_default().push(r.community_id);
        }
        Ok(map)
    }
}

impl Loader<InspectionId> for CollabLoader {
    type Value = inspection::Model;
    type Error = AppError;
    async fn load(&self, keys: &[InspectionId]) -> Result<HashMap<InspectionId, Self::Value>, Self::Error> {
        let rows = inspection::Entity::find()
            .filter(inspection::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(inspection_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| InspectionId(m.id)))
    }
}

impl Loader<FindingId> for CollabLoader {
    type Value = finding::Model;
    type Error = AppError;
    async fn load(&self, keys: &[FindingId]) -> Result<HashMap<FindingId, Self::Value>, Self::Error> {
        let rows = finding::Entity::find()
            .filter(finding::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(finding_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| FindingId(m.id)))
    }
}

impl Loader<FindingsOf> for CollabLoader {
    type Value = Vec<finding::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[FindingsOf]) -> Result<HashMap<FindingsOf, Self::Value>, Self::Error> {
        let visible: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let inspections = inspection::Entity::find()
            .filter(inspection::Column::Id.is_in(visible))
            .filter(inspection_filter(&self.scope))
            .all(&self.db)
            .await?;
        if inspections.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = finding::Entity::find()
            .filter(finding::Column::InspectionId.is_in(inspections.iter().map(|i| i.id)))
            .filter(finding_filter(&self.scope))
            .order_by_asc(finding::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| FindingsOf(m.inspection_id)))
    }
}

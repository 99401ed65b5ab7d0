//! GraphQL types, queries, mutations and the live `taskEvents` subscription of collaboration, one
//! file per sub-noun; the roots merge the parts in the order of the schema's fields.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Enum, ID, InputObject, MergedObject, Object, Result, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use entity::{api_key, assignment, campaign, finding, inspection, site, task, task_event, webhook_delivery};
use futures_util::Stream;
use uuid::Uuid;

use super::loaders::*;
use super::service;
use super::workflow::{AssignmentAction, TaskAction};
use crate::error::AppError;
use crate::graphql::connection::{Conn, CountSource, TotalCount};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id, global_id_value};
use crate::graphql::inline::{Inline, PlainFields};
use crate::organisation::graphql::{
    CoBuildingUnit, CommitteeMembership, Community, Compound, EndCommitteeMembershipInput, EndCommitteeMembershipPayload, PartyOrganization,
};
use crate::organisation::loaders::{CommunityId, CompoundId, MembershipId, OrganizationId, UnitId, UnitOfEvent};
use crate::paging::PageArgs;
use crate::validate::from_json_list;

mod assignments;
mod campaigns;
mod escalation;
mod feed;
mod inspections;
mod live;
mod partner;
mod stats;
mod tasks;
mod webhooks;

pub use assignments::*;
pub use campaigns::*;
pub use escalation::*;
pub use feed::*;
pub use inspections::*;
pub use live::*;
pub use partner::*;
pub use stats::*;
pub use tasks::*;
pub use webhooks::*;

/// The type names this noun's global ids carry.
pub mod kind {
    pub use crate::organisation::graphql::kind::*;
    pub const CAMPAIGN: &str = "Campaign";
    pub const SITE: &str = "Site";
    pub const TASK: &str = "Task";
    pub const ASSIGNMENT: &str = "Assignment";
    pub const TASK_EVENT: &str = "TaskEvent";
    pub const INSPECTION: &str = "Inspection";
    pub const FINDING: &str = "Finding";
    pub const API_KEY: &str = "ApiKey";
    pub const WEBHOOK: &str = "Webhook";
    pub const WEBHOOK_DELIVERY: &str = "WebhookDelivery";
}

/// Queries of collaboration.
#[derive(MergedObject, Default)]
pub struct CollabQuery(CampaignQuery, TaskQuery, FeedQuery, InspectionQuery, SiteQuery, PartnerQuery, WebhookQuery, CollabStatsQuery);

/// Mutations of collaboration; each is one transaction with its timeline and audit record.
#[derive(MergedObject, Default)]
pub struct CollabMutation(
    CampaignMutation,
    TaskMutation,
    AssignmentMutation,
    TaskTransitionMutation,
    EscalationMutation,
    ShareMutation,
    CommentMutation,
    InspectionMutation,
    PartnerMutation,
    WebhookMutation,
);

fn ids(list: &[ID], k: &str, field: &str) -> Result<Vec<Uuid>, AppError> {
    list.iter().map(|id| expect_id(id, k, field)).collect()
}

/// Collaboration's objects that `node(id:)` refetches.
pub enum CollabNode {
    Campaign(Campaign),
    Site(Site),
    Task(Task),
    Assignment(Assignment),
    TaskEvent(TaskEvent),
    Inspection(Inspection),
    Finding(Finding),
    ApiKey(ApiKey),
    Webhook(Webhook),
    WebhookDelivery(WebhookDelivery),
}

/// Resolves collaboration's global ids through the scoped loaders; other kinds give `None`.
pub async fn resolve_node(ctx: &Context<'_>, k: &str, uuid: Uuid) -> Result<Option<CollabNode>, AppError> {
    use CollabNode as Node;
    let loader = &crate::collaboration::loaders::collab_loader(ctx)?;
    Ok(match k {
        kind::CAMPAIGN => loader.load_one(CampaignId(uuid)).await?.map(|m| Node::Campaign(Campaign(m))),
        kind::SITE => loader.load_one(SiteId(uuid)).await?.map(|m| Node::Site(Site(m))),
        kind::TASK => loader.load_one(TaskId(uuid)).await?.map(|m| Node::Task(Task(m))),
        kind::ASSIGNMENT => loader.load_one(AssignmentId(uuid)).await?.map(|m| Node::Assignment(Assignment(m))),
        kind::TASK_EVENT => loader.load_one(EventId(uuid)).await?.map(|m| Node::TaskEvent(TaskEvent(m))),
        kind::INSPECTION => loader.load_one(InspectionId(uuid)).await?.map(|m| Node::Inspection(Inspection(m))),
        kind::FINDING => loader.load_one(FindingId(uuid)).await?.map(|m| Node::Finding(Finding(m))),
        kind::API_KEY => service::partner::api_key(&rc(ctx)?.cx, ApiKeyId(uuid)).await?.map(|m| Node::ApiKey(ApiKey(m))),
        kind::WEBHOOK => service::webhooks::webhook(&rc(ctx)?.cx, uuid).await?.map(|m| Node::Webhook(Webhook(m))),
        kind::WEBHOOK_DELIVERY => {
            service::webhooks::webhook_delivery(&rc(ctx)?.cx, uuid).await?.map(|m| Node::WebhookDelivery(WebhookDelivery(m)))
        }
        _ => None,
    })
}

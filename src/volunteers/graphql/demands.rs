//! The demand list (需求清单) and the invitations to its demands.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{demand, invitation};

use super::{Count, ServiceCategory, Suggestion, Volunteer, kind};
use crate::graphql::connection::{Conn, TotalCount};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::organisation::graphql::{Community, Compound};
use crate::organisation::loaders::{CommunityId, CompoundId};
use crate::paging::PageArgs;
use crate::validate::from_json_list as list;
use crate::volunteers::ids::{CategoryId, DemandId, InvitationId, VolunteerId};
use crate::volunteers::loaders::*;
use crate::volunteers::service;

/// Where a demand stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::demand::DemandStatus")]
pub enum DemandStatus {
    /// Looking for volunteers.
    Open,
    /// Enough volunteers accepted.
    Filled,
    /// Closed by staff.
    Closed,
    /// Cancelled by staff.
    Cancelled,
}

/// A volunteer's answer to an invitation.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::invitation::InvitationStatus")]
pub enum InvitationStatus {
    /// Not answered yet.
    Invited,
    /// Accepted.
    Accepted,
    /// Declined.
    Declined,
}

/// An entry of a community's demand list (需求清单).
pub struct Demand(pub demand::Model);
crate::graphql::connection::connection_node!(Demand);

/// An entry of a community's demand list (需求清单).
#[Object]
impl Demand {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::DEMAND, self.0.id)
    }
    /// Short title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What is needed.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// The category.
    async fn category(&self, ctx: &Context<'_>) -> Result<ServiceCategory> {
        Ok(ServiceCategory(loaded(
            crate::volunteers::loaders::volunteer_loader(ctx)?.load_one(CategoryId(self.0.category_id)).await?,
            "category",
        )?))
    }
    /// The community.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        crate::organisation::graphql::community_of(ctx, self.0.community_id).await
    }
    /// The compound, if the need is in one.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Option<Compound>> {
        match self.0.compound_id {
            Some(c) => Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(CompoundId(c)).await?.map(Compound)),
            None => Ok(None),
        }
    }
    /// Where.
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }
    /// From when.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// Until when.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
    /// How many volunteers are needed.
    async fn headcount(&self) -> i32 {
        self.0.headcount
    }
    /// Skills wanted.
    async fn skills_wanted(&self) -> Vec<String> {
        list(&self.0.skills_wanted)
    }
    /// Where the demand stands.
    async fn status(&self) -> DemandStatus {
        self.0.status.into()
    }
    /// Version, incremented by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Invitations sent (staff).
    async fn invitations(&self, ctx: &Context<'_>) -> Result<Vec<Invitation>> {
        Ok(crate::volunteers::loaders::volunteer_loader(ctx)?
            .load_one(InvitationsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Invitation)
            .collect())
    }
    /// The volunteers of the community ranked for this demand, best first, with the parts of each
    /// score: category offered 40, share of wanted skills 30, available in the demand's weekly
    /// slot 15, same compound 10, fairness (served less in the last 90 days) 5. Staff only.
    async fn suggested_volunteers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many (default 10, at most 50).", default = 10)] first: i32,
    ) -> Result<Vec<Suggestion>> {
        let n = usize::try_from(first.clamp(0, 50)).unwrap_or(10);
        let rows = crate::volunteers::loaders::volunteer_loader(ctx)?.load_one(SuggestedVolunteers(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().take(n).map(|(v, parts)| Suggestion { volunteer: Volunteer(v), parts }).collect())
    }
}

/// A volunteer invited to a demand.
pub struct Invitation(pub invitation::Model);

/// A volunteer invited to a demand.
#[Object]
impl Invitation {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::INVITATION, self.0.id)
    }
    /// The volunteer's answer.
    async fn status(&self) -> InvitationStatus {
        self.0.status.into()
    }
    /// The volunteer.
    async fn volunteer(&self, ctx: &Context<'_>) -> Result<Option<Volunteer>> {
        Ok(crate::volunteers::loaders::volunteer_loader(ctx)?.load_one(VolunteerId(self.0.volunteer_id)).await?.map(Volunteer))
    }
    /// When it was sent.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was answered.
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
}

/// Input of `postDemand`.
#[derive(InputObject)]
pub struct PostDemandInput {
    /// The community.
    pub community_id: ID,
    /// The category.
    pub category_id: ID,
    /// Short title.
    pub title: String,
    /// What is needed.
    #[graphql(default)]
    pub description: String,
    /// The compound, if the need is in one.
    pub compound_id: Option<ID>,
    /// Where.
    pub place: Option<String>,
    /// From when.
    pub starts_at: DateTime<Utc>,
    /// Until when.
    pub ends_at: DateTime<Utc>,
    /// How many volunteers (1 to 500).
    pub headcount: i32,
    /// Skills wanted.
    #[graphql(default)]
    pub skills_wanted: Vec<String>,
}

/// Input of `closeDemand` and `cancelDemand`.
#[derive(InputObject)]
pub struct DemandStatusInput {
    /// The demand.
    pub id: ID,
    /// The version the change is based on.
    pub expected_version: Option<i32>,
}

/// Result of the demand mutations.
#[derive(SimpleObject)]
pub struct DemandPayload {
    /// The demand.
    pub demand: Demand,
}

/// Input of `inviteVolunteer`.
#[derive(InputObject)]
pub struct InviteVolunteerInput {
    /// The demand.
    pub demand_id: ID,
    /// The volunteer (of the same community).
    pub volunteer_id: ID,
}

/// Input of `respondToInvitation`.
#[derive(InputObject)]
pub struct RespondToInvitationInput {
    /// The invitation.
    pub id: ID,
    /// Accept (true) or decline (false).
    pub accept: bool,
}

/// Result of the invitation mutations.
#[derive(SimpleObject)]
pub struct InvitationPayload {
    /// The invitation.
    pub invitation: Invitation,
}

/// Queries of the volunteer service: demands.
#[derive(Default)]
pub struct DemandsQuery;

/// Queries of the volunteer service: demands.
#[Object]
impl DemandsQuery {
    /// The demand lists of the caller's communities.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    #[expect(clippy::too_many_arguments, reason = "a list query takes its filters and the four Relay paging arguments")]
    async fn demands(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
        #[graphql(desc = "Only this status.")] status: Option<DemandStatus>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Demand>> {
        let r = rc(ctx)?;
        let args = PageArgs::new(first, after, last, before)?;
        let c = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId").map(CommunityId)).transpose()?;
        let page = service::demands(&r.cx, c, status.map(Into::into), &args).await?;
        Ok(page.into_connection(|m| m.id, Demand, TotalCount::lazy(Count::Demands(c, status.map(Into::into)))))
    }
}

/// Mutations of the volunteer service: demands; each is one transaction with its audit record.
#[derive(Default)]
pub struct DemandsMutation;

/// Mutations of the volunteer service: demands; each is one transaction with its audit record.
#[Object]
impl DemandsMutation {
    /// Posts a demand on a community's demand list (community staff, or a compound branch's
    /// secretary for a demand at that compound).
    async fn post_demand(&self, ctx: &Context<'_>, input: PostDemandInput) -> Result<DemandPayload> {
        let new = service::NewDemand {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId").map(CommunityId)?,
            category_id: expect_id(&input.category_id, kind::SERVICE_CATEGORY, "categoryId").map(CategoryId)?,
            title: input.title,
            description: input.description,
            compound_id: input.compound_id.as_ref().map(|id| expect_id(id, kind::COMPOUND, "compoundId").map(CompoundId)).transpose()?,
            place: input.place,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            headcount: input.headcount,
            skills_wanted: input.skills_wanted,
        };
        Ok(DemandPayload { demand: Demand(service::post_demand(&rc(ctx)?.cx, new).await?) })
    }

    /// Closes a demand (staff, or the secretary of its compound's branch).
    async fn close_demand(&self, ctx: &Context<'_>, input: DemandStatusInput) -> Result<DemandPayload> {
        let id = expect_id(&input.id, kind::DEMAND, "id").map(DemandId)?;
        Ok(DemandPayload {
            demand: Demand(service::set_demand_status(&rc(ctx)?.cx, id, demand::DemandStatus::Closed, input.expected_version).await?),
        })
    }

    /// Cancels a demand (staff, or the secretary of its compound's branch).
    async fn cancel_demand(&self, ctx: &Context<'_>, input: DemandStatusInput) -> Result<DemandPayload> {
        let id = expect_id(&input.id, kind::DEMAND, "id").map(DemandId)?;
        Ok(DemandPayload {
            demand: Demand(service::set_demand_status(&rc(ctx)?.cx, id, demand::DemandStatus::Cancelled, input.expected_version).await?),
        })
    }

    /// Invites a (suggested) volunteer to a demand (staff).
    async fn invite_volunteer(&self, ctx: &Context<'_>, input: InviteVolunteerInput) -> Result<InvitationPayload> {
        let d = expect_id(&input.demand_id, kind::DEMAND, "demandId").map(DemandId)?;
        let v = expect_id(&input.volunteer_id, kind::VOLUNTEER, "volunteerId").map(VolunteerId)?;
        Ok(InvitationPayload { invitation: Invitation(service::invite(&rc(ctx)?.cx, d, v).await?) })
    }

    /// The invited volunteer accepts or declines.
    async fn respond_to_invitation(&self, ctx: &Context<'_>, input: RespondToInvitationInput) -> Result<InvitationPayload> {
        let id = expect_id(&input.id, kind::INVITATION, "id").map(InvitationId)?;
        Ok(InvitationPayload { invitation: Invitation(service::respond(&rc(ctx)?.cx, id, input.accept).await?) })
    }
}

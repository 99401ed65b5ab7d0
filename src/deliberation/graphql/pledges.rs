//! Practice campaigns (我为群众办实事 / 我为企业解难题 / 我为社会做好事): pledges and their counts.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::pledge;

use super::kind;
use super::parties::{PartyInput, PartyKind, party, party_id};
use crate::deliberation::service::{self, NewPledge, PledgeFilter};
use crate::error::AppError;
use crate::graphql::connection::{Conn, CountSource, TotalCount};
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};
use crate::organisation::ids::CommunityId;
use crate::paging::PageArgs;
use crate::validate::from_json_list;

/// A practice campaign.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::pledge::PracticeCampaign")]
pub enum PracticeCampaign {
    /// 我为群众办实事: practical things for residents.
    ForResidents,
    /// 我为企业解难题: enterprises' difficulties solved.
    ForEnterprises,
    /// 我为社会做好事: good deeds for society.
    ForSociety,
}

/// A pledge of a practice campaign: seen by the community's staff and by its pledger.
pub struct Pledge(pub pledge::Model);
crate::graphql::connection::connection_node!(Pledge);

/// A pledge of a practice campaign: seen by the community's staff and by its pledger.
#[Object]
impl Pledge {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::PLEDGE, self.0.id)
    }
    /// The campaign.
    async fn campaign(&self) -> PracticeCampaign {
        self.0.campaign.into()
    }
    /// The community.
    async fn community_id(&self) -> ID {
        global_id(kind::COMMUNITY, self.0.community_id)
    }
    /// What kind of party pledged.
    async fn pledger_kind(&self) -> PartyKind {
        self.0.pledger_kind.into()
    }
    /// Who pledged: a person's id, or the global id of the party organisation or unit.
    async fn pledger_id(&self) -> ID {
        party_id(self.0.pledger_kind, self.0.pledger_id)
    }
    /// What is pledged.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The day it is due.
    async fn due_on(&self) -> Date {
        Date(self.0.due_on)
    }
    /// Whether it is fulfilled.
    async fn fulfilled(&self) -> bool {
        self.0.status == pledge::PledgeStatus::Done
    }
    /// Evidence of its fulfilment: http(s) URLs.
    async fn evidence(&self) -> Vec<String> {
        from_json_list(&self.0.evidence)
    }
    /// When it was fulfilled.
    async fn fulfilled_at(&self) -> Option<DateTime<Utc>> {
        self.0.done_at
    }
    /// Version, incremented when it is fulfilled; pass it as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// The counts of one practice campaign in one community.
#[derive(SimpleObject)]
pub struct PracticeCampaignFigures {
    /// The campaign.
    pub campaign: PracticeCampaign,
    /// The community.
    pub community_id: ID,
    /// Pledges made.
    pub pledged: i32,
    /// Pledges fulfilled.
    pub fulfilled: i32,
    /// Pledges open past their due day (Beijing time).
    pub overdue: i32,
}

/// What a pledges list's `totalCount` counts.
struct PledgeCount(PledgeFilter);

#[async_trait::async_trait]
impl CountSource for PledgeCount {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        service::pledge_count(&rc(ctx)?.cx, self.0).await
    }
}

fn community(id: Option<ID>) -> Result<Option<CommunityId>, AppError> {
    id.map(|c| expect_id(&c, kind::COMMUNITY, "communityId").map(CommunityId)).transpose()
}

/// Queries of consultative democracy: practice campaigns.
#[derive(Default)]
pub struct PledgesQuery;

/// Queries of consultative democracy: practice campaigns.
#[Object]
impl PledgesQuery {
    /// The pledges the caller sees (staff: their communities'; a unit or a person: their own),
    /// oldest first.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    #[expect(clippy::too_many_arguments, reason = "a list query takes its filters and the four Relay paging arguments")]
    async fn pledges(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community's.")] community_id: Option<ID>,
        #[graphql(desc = "Only this campaign's.")] campaign: Option<PracticeCampaign>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Pledge>> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let filter = PledgeFilter { community_id: community(community_id)?, campaign: campaign.map(Into::into) };
        let args = PageArgs::new(first, after, last, before)?;
        let page = service::pledges(&r.cx, filter, &args).await?;
        Ok(page.into_connection(|m| m.id, Pledge, TotalCount::lazy(PledgeCount(filter))))
    }

    /// Pledges made, fulfilled and overdue per practice campaign and community, for the caller's
    /// communities or one of them (street and community staff, reporting tools).
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn practice_campaigns(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
    ) -> Result<Vec<PracticeCampaignFigures>> {
        let counts = service::campaign_counts(&rc(ctx)?.cx, community(community_id)?).await?;
        let n = |x: u64| i32::try_from(x).unwrap_or(i32::MAX);
        Ok(counts
            .into_iter()
            .map(|((campaign, c), f)| PracticeCampaignFigures {
                campaign: campaign.into(),
                community_id: global_id(kind::COMMUNITY, c),
                pledged: n(f.pledged),
                fulfilled: n(f.fulfilled),
                overdue: n(f.overdue),
            })
            .collect())
    }
}

/// Input of `makePledge`.
#[derive(InputObject)]
pub struct MakePledgeInput {
    /// The community.
    pub community_id: ID,
    /// The campaign.
    pub campaign: PracticeCampaign,
    /// Who pledges: a party organisation of the community, a seated unit, or a person.
    pub pledger: PartyInput,
    /// What is pledged (at most 200 characters).
    pub title: String,
    /// The day it is due.
    pub due_on: Date,
}

/// Input of `fulfilPledge`.
#[derive(InputObject)]
pub struct FulfilPledgeInput {
    /// The open pledge.
    pub id: ID,
    /// Evidence: at least one, at most 20 http(s) URLs.
    pub evidence: Vec<String>,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Result of the pledge mutations.
#[derive(SimpleObject)]
pub struct PledgePayload {
    /// The pledge.
    pub pledge: Pledge,
}

/// Mutations of consultative democracy: practice campaigns.
#[derive(Default)]
pub struct PledgesMutation;

/// Mutations of consultative democracy: practice campaigns.
#[Object]
impl PledgesMutation {
    /// Makes a pledge: the community's staff for a party organisation, a seated unit or a
    /// person of it; a unit or a person for itself.
    async fn make_pledge(&self, ctx: &Context<'_>, input: MakePledgeInput) -> Result<PledgePayload> {
        let r = rc(ctx)?;
        let new = NewPledge {
            community: CommunityId(expect_id(&input.community_id, kind::COMMUNITY, "communityId")?),
            campaign: input.campaign.into(),
            pledger: party(&input.pledger, "pledger")?,
            title: input.title,
            due_on: input.due_on.0,
        };
        Ok(PledgePayload { pledge: Pledge(service::make_pledge(&r.cx, new).await?) })
    }

    /// Fulfils an open pledge with its evidence (staff, or its pledger), once.
    async fn fulfil_pledge(&self, ctx: &Context<'_>, input: FulfilPledgeInput) -> Result<PledgePayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::PLEDGE, "id")?;
        Ok(PledgePayload { pledge: Pledge(service::fulfil_pledge(&r.cx, id, input.evidence, input.expected_version).await?) })
    }
}

//! Campaigns (专项行动) and the sites where work happens: their types, queries and mutations.

use super::*;

/// What a site is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::site::SiteKind")]
pub enum SiteKind {
    /// A market, such as 梅岭综合市场.
    Market,
    /// A street or lane.
    Street,
    /// A compound gate.
    CompoundGate,
    /// A compound.
    Compound,
    /// Anything else.
    Other,
}

/// A campaign (专项行动): a street-level action across communities, e.g. 党员有担当，市场整治我有责.
pub struct Campaign(pub campaign::Model);

/// A campaign (专项行动): a street-level action across communities, e.g. 党员有担当，市场整治我有责.
#[Object]
impl Campaign {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::CAMPAIGN, self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What it sets out to achieve.
    async fn goal(&self) -> &str {
        &self.0.goal
    }
    /// First day.
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }
    /// Last day, if set.
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }
    /// The organisation leading it.
    async fn lead_organization(&self, ctx: &Context<'_>) -> Result<Option<PartyOrganization>> {
        match self.0.lead_organization_id {
            Some(id) => {
                Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(OrganizationId(id)).await?.map(PartyOrganization::Local))
            }
            None => Ok(None),
        }
    }
    /// The communities taking part (those the caller may see).
    async fn communities(&self, ctx: &Context<'_>) -> Result<Vec<Community>> {
        let ids = crate::collaboration::loaders::collab_loader(ctx)?.load_one(CampaignCommunities(self.0.id)).await?.unwrap_or_default();
        let mut found = crate::organisation::loaders::org_loader(ctx)?.load_many(ids.iter().copied().map(CommunityId)).await?;
        // In the order of the campaign's ids, not the loader's map's.
        Ok(ids.into_iter().filter_map(|id| found.remove(&CommunityId(id))).map(Community).collect())
    }
    /// Version, incremented by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

// ---------------------------------------------------------------- Site

/// A place in a community where work happens: a market, a street, a compound gate.
pub struct Site(pub site::Model);

/// A place in a community where work happens: a market, a street, a compound gate.
#[Object]
impl Site {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::SITE, self.0.id)
    }
    /// Name, e.g. 梅岭综合市场.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the site is.
    async fn kind(&self) -> SiteKind {
        self.0.kind.into()
    }
    /// Address.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// The community.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        crate::organisation::graphql::community_of(ctx, self.0.community_id).await
    }
    /// The compound the site belongs to, if any.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Option<Compound>> {
        match self.0.compound_id {
            Some(c) => Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(CompoundId(c)).await?.map(Compound)),
            None => Ok(None),
        }
    }
}

// ---------------------------------------------------------------- Task

/// Queries of campaigns.
#[derive(Default)]
pub struct CampaignQuery;

/// Queries of campaigns.
#[Object]
impl CampaignQuery {
    /// The campaigns the caller's communities take part in.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn campaigns(&self, ctx: &Context<'_>) -> Result<Vec<Campaign>> {
        Ok(service::campaigns(&rc(ctx)?.cx).await?.into_iter().map(Campaign).collect())
    }
}

/// Queries of sites.
#[derive(Default)]
pub struct SiteQuery;

/// Queries of sites.
#[Object]
impl SiteQuery {
    /// The sites of a community.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn sites(&self, ctx: &Context<'_>, #[graphql(desc = "The community.")] community_id: ID) -> Result<Vec<Site>> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let c = expect_id(&community_id, kind::COMMUNITY, "communityId")?;
        Ok(crate::collaboration::loaders::collab_loader(ctx)?
            .load_one(SitesOf(c))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Site)
            .collect())
    }
}

/// Input of `createCampaign`.
#[derive(InputObject)]
pub struct CreateCampaignInput {
    /// Name, e.g. 农贸市场系列整治.
    pub name: String,
    /// What it sets out to achieve.
    #[graphql(default)]
    pub goal: String,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Option<Date>,
    /// The communities taking part.
    pub community_ids: Vec<ID>,
    /// The leading party organisation (a joint committee or branch).
    pub lead_organization_id: Option<ID>,
}

/// Result of `createCampaign`.
#[derive(SimpleObject)]
pub struct CreateCampaignPayload {
    /// The new campaign.
    pub campaign: Campaign,
}

/// Input of `updateCampaign`; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateCampaignInput {
    /// The campaign.
    pub id: ID,
    /// The version the change is based on; a mismatch answers `CONFLICT`.
    pub expected_version: Option<i32>,
    /// New name.
    pub name: Option<String>,
    /// New goal.
    pub goal: Option<String>,
    /// New last day.
    pub ends_on: Option<Date>,
    /// Communities joining the campaign.
    #[graphql(default)]
    pub add_community_ids: Vec<ID>,
    /// Communities leaving the campaign; each must have no open task in it, and one community
    /// stays at least.
    #[graphql(default)]
    pub remove_community_ids: Vec<ID>,
}

/// Result of `updateCampaign`.
#[derive(SimpleObject)]
pub struct UpdateCampaignPayload {
    /// The campaign as changed.
    pub campaign: Campaign,
}

/// Input of `createSite`.
#[derive(InputObject)]
pub struct CreateSiteInput {
    /// The community.
    pub community_id: ID,
    /// Name, unique in the community.
    pub name: String,
    /// What the site is.
    pub kind: SiteKind,
    /// The compound, if the site is part of one.
    pub compound_id: Option<ID>,
    /// Address.
    pub address: Option<String>,
}

/// Result of `createSite`.
#[derive(SimpleObject)]
pub struct CreateSitePayload {
    /// The new site.
    pub site: Site,
}

/// Mutations of campaigns and sites.
#[derive(Default)]
pub struct CampaignMutation;

/// Mutations of campaigns and sites.
#[Object]
impl CampaignMutation {
    /// Launches a campaign across communities of the street (street admins).
    async fn create_campaign(&self, ctx: &Context<'_>, input: CreateCampaignInput) -> Result<CreateCampaignPayload> {
        let r = rc(ctx)?;
        let new = service::NewCampaign {
            name: input.name,
            goal: input.goal,
            starts_on: input.starts_on.0,
            ends_on: input.ends_on.map(|d| d.0),
            community_ids: ids(&input.community_ids, kind::COMMUNITY, "communityIds")?.into_iter().map(CommunityId).collect(),
            lead_organization_id: input
                .lead_organization_id
                .as_ref()
                .map(|id| expect_id(id, kind::PARTY_ORGANIZATION, "leadOrganizationId").map(OrganizationId))
                .transpose()?,
        };
        Ok(CreateCampaignPayload { campaign: Campaign(service::create_campaign(&r.cx, new).await?) })
    }

    /// Edits a campaign, or lets more communities join it (street admins).
    async fn update_campaign(&self, ctx: &Context<'_>, input: UpdateCampaignInput) -> Result<UpdateCampaignPayload> {
        let r = rc(ctx)?;
        let id = CampaignId(expect_id(&input.id, kind::CAMPAIGN, "id")?);
        let changes = service::CampaignChanges {
            expected_version: input.expected_version,
            name: input.name,
            goal: input.goal,
            ends_on: input.ends_on.map(|d| d.0),
            add_community_ids: ids(&input.add_community_ids, kind::COMMUNITY, "addCommunityIds")?.into_iter().map(CommunityId).collect(),
            remove_community_ids: ids(&input.remove_community_ids, kind::COMMUNITY, "removeCommunityIds")?
                .into_iter()
                .map(CommunityId)
                .collect(),
        };
        Ok(UpdateCampaignPayload { campaign: Campaign(service::update_campaign(&r.cx, id, changes).await?) })
    }

    /// Adds a site to a community (staff).
    async fn create_site(&self, ctx: &Context<'_>, input: CreateSiteInput) -> Result<CreateSitePayload> {
        let r = rc(ctx)?;
        let new = service::NewSite {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId").map(CommunityId)?,
            name: input.name,
            kind: input.kind.into(),
            compound_id: input.compound_id.as_ref().map(|id| expect_id(id, kind::COMPOUND, "compoundId").map(CompoundId)).transpose()?,
            address: input.address,
        };
        Ok(CreateSitePayload { site: Site(service::create_site(&r.cx, new).await?) })
    }
}

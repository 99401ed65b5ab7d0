//! Appeals (诉求) in full: raising them and listing those the caller sees.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::appeal;

use super::venues::compound_id;
use super::{Enterprise, Venue, kind};
use crate::deliberation::ids::{AppealId, EnterpriseId, VenueId};
use crate::deliberation::loaders::deliberation_loader;
use crate::deliberation::service::{self, AppealFilter, NewAppeal, OnBehalf};
use crate::error::AppError;
use crate::graphql::connection::{Conn, CountSource, TotalCount};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::home::graphql::Building;
use crate::home::ids::BuildingId;
use crate::home::loaders::home_loader;
use crate::organisation::graphql::{CoBuildingUnit, Community, Compound, PartyOrganization, Person};
use crate::organisation::ids::{CommunityId, CompoundId, OrganizationId, UnitId};
use crate::organisation::loaders::{PersonOfVisibleRow, org_loader};
use crate::paging::PageArgs;
use crate::validate::from_json_list;

/// What an appeal is about.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::appeal::AppealCategory")]
pub enum AppealCategory {
    /// Property management (物业).
    Property,
    /// Environment and sanitation (环境卫生).
    Environment,
    /// Traffic and parking (交通停车).
    TrafficParking,
    /// Safety (安全).
    Safety,
    /// Public facilities (公共设施).
    Facilities,
    /// Neighbours (邻里).
    Neighbours,
    /// An enterprise's business matter (企业经营).
    Business,
    /// Anything else.
    Other,
}

/// Who raised an appeal.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::appeal::RaiserKind")]
pub enum RaiserKind {
    /// A resident, for their compound.
    Resident,
    /// An enterprise of the community, through staff.
    Enterprise,
    /// A party organisation of the community, through staff.
    PartyOrganization,
    /// A co-building unit seated on the community's joint committee, through staff.
    Unit,
}

/// The tier that handles an appeal: COMPOUND → COMMUNITY → STREET.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::appeal::AppealTier")]
pub enum AppealTier {
    /// The compound's deliberation station (小区议事站) and its convenor, or community staff.
    Compound,
    /// The community's staff and deliberation centre (社区事务协商议事中心).
    Community,
    /// The street's staff.
    Street,
}

/// Where an appeal stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::appeal::AppealState")]
pub enum AppealState {
    /// Raised; waiting for the first response (acceptance or rejection).
    Raised,
    /// Accepted at its tier; waiting for the answer.
    Accepted,
    /// On the agenda of a venue, on a day.
    Scheduled,
    /// Answered (有人回应).
    Answered,
    /// Being carried out (有人抓落实).
    InProgress,
    /// Done; the raiser may rate the outcome.
    Done,
    /// Merged into another appeal of the community.
    Merged,
    /// Rejected, with a reason.
    Rejected,
    /// Withdrawn by its raiser.
    Withdrawn,
}

/// The raiser's rating of an outcome.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::appeal::OutcomeRating")]
pub enum OutcomeRating {
    /// Satisfied (满意).
    Satisfied,
    /// Partly satisfied (基本满意).
    Partly,
    /// Not satisfied (不满意).
    Not,
}

/// An appeal (诉求) in full: seen by staff of its community, by its raiser, and by the convenor
/// of its compound's station. Others read it on the public board (`BoardAppeal`).
pub struct Appeal(pub appeal::Model);
crate::graphql::connection::connection_node!(Appeal);

/// An appeal (诉求) in full: seen by staff of its community, by its raiser, and by the convenor
/// of its compound's station. Others read it on the public board (`BoardAppeal`).
#[Object]
impl Appeal {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::APPEAL, self.0.id)
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What the matter is, in the raiser's words.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Category.
    async fn category(&self) -> AppealCategory {
        self.0.category.into()
    }
    /// Where it stands.
    async fn state(&self) -> AppealState {
        self.0.state.into()
    }
    /// The tier that handles it now.
    async fn tier(&self) -> AppealTier {
        self.0.tier.into()
    }
    /// The community.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        crate::organisation::graphql::community_of(ctx, self.0.community_id).await
    }
    /// The compound it is located in, if any.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Option<Compound>> {
        match self.0.compound_id {
            Some(c) => Ok(Some(Compound(loaded(org_loader(ctx)?.load_one(CompoundId(c)).await?, "compound")?))),
            None => Ok(None),
        }
    }
    /// The building or lane it is located at, if any.
    async fn building(&self, ctx: &Context<'_>) -> Result<Option<Building>> {
        match self.0.building_id {
            Some(b) => Ok(home_loader(ctx)?.load_one(BuildingId(b)).await?.map(Building)),
            None => Ok(None),
        }
    }
    /// A site described in words, if any.
    async fn site(&self) -> Option<&str> {
        self.0.site.as_deref()
    }
    /// Photos: http(s) URLs.
    async fn photos(&self) -> Vec<String> {
        from_json_list(&self.0.photos)
    }
    /// Who raised it.
    async fn raiser_kind(&self) -> RaiserKind {
        self.0.raiser_kind.into()
    }
    /// The resident who raised it; contacts masked unless the caller is staff or the person.
    async fn raiser(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(p) = self.0.raiser_person_id else { return Ok(None) };
        let p = loaded(org_loader(ctx)?.load_one(PersonOfVisibleRow(p)).await?, "person")?;
        let reveal = rc(ctx)?.cx.scope.reveals_person(Some(self.0.community_id), p.id);
        Ok(Some(Person(p, reveal)))
    }
    /// The enterprise it was raised for (seen by staff), if any.
    async fn enterprise(&self, ctx: &Context<'_>) -> Result<Option<Enterprise>> {
        match self.0.enterprise_id {
            Some(e) => Ok(deliberation_loader(ctx)?.load_one(EnterpriseId(e)).await?.map(Enterprise)),
            None => Ok(None),
        }
    }
    /// The party organisation it was raised for, if any.
    async fn party_organization(&self, ctx: &Context<'_>) -> Result<Option<PartyOrganization>> {
        match self.0.organization_id {
            Some(o) => Ok(org_loader(ctx)?.load_one(OrganizationId(o)).await?.map(PartyOrganization::Local)),
            None => Ok(None),
        }
    }
    /// The co-building unit it was raised for, if any.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<CoBuildingUnit>> {
        match self.0.unit_id {
            Some(u) => Ok(org_loader(ctx)?.load_one(UnitId(u)).await?.map(CoBuildingUnit)),
            None => Ok(None),
        }
    }
    /// The answer, once answered.
    async fn answer(&self) -> Option<&str> {
        self.0.answer.as_deref()
    }
    /// Why it was rejected.
    async fn reject_reason(&self) -> Option<&str> {
        self.0.reject_reason.as_deref()
    }
    /// The appeal it was merged into.
    async fn merged_into(&self, ctx: &Context<'_>) -> Result<Option<Appeal>> {
        match self.0.merged_into_id {
            Some(a) => Ok(deliberation_loader(ctx)?.load_one(AppealId(a)).await?.map(Appeal)),
            None => Ok(None),
        }
    }
    /// The venue whose agenda it is on, when scheduled.
    async fn scheduled_venue(&self, ctx: &Context<'_>) -> Result<Option<Venue>> {
        match self.0.scheduled_venue_id {
            Some(v) => Ok(deliberation_loader(ctx)?.load_one(VenueId(v)).await?.map(Venue)),
            None => Ok(None),
        }
    }
    /// The day it is on the venue's agenda.
    async fn scheduled_on(&self) -> Option<Date> {
        self.0.scheduled_on.map(Date)
    }
    /// The current deadline: the first response while RAISED, the answer while ACCEPTED or
    /// SCHEDULED; past it, the appeal moves up a tier.
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        self.0.due_at
    }
    /// How many times a missed deadline moved it up a tier.
    async fn escalations(&self) -> i32 {
        self.0.escalations
    }
    /// When a missed deadline last moved it up a tier.
    async fn escalated_at(&self) -> Option<DateTime<Utc>> {
        self.0.escalated_at
    }
    /// When its raiser asked for a review (once only).
    async fn review_requested_at(&self) -> Option<DateTime<Utc>> {
        self.0.review_requested_at
    }
    /// The raiser's rating of the outcome, once DONE and rated.
    async fn rating(&self) -> Option<OutcomeRating> {
        self.0.rating.map(Into::into)
    }
    /// The raiser's comment on the outcome.
    async fn rating_comment(&self) -> Option<&str> {
        self.0.rating_comment.as_deref()
    }
    /// How many residents support it (附议).
    async fn supporters_count(&self) -> i32 {
        self.0.supporters
    }
    /// When it was raised.
    async fn raised_at(&self) -> DateTime<Utc> {
        self.0.raised_at
    }
    /// When it was first responded to (accepted or rejected).
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
    /// When it was answered.
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }
    /// When it was done, merged, rejected or withdrawn.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// Version, incremented by every change of its state; pass it as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Input of `raiseAppeal`. A resident raises for the compound they live in (compound and
/// community follow from their residence); staff raise for exactly one of an enterprise, a party
/// organisation or a seated unit, at a compound of the community, a site, or both.
#[derive(InputObject)]
pub struct RaiseAppealInput {
    /// Title (at most 100 characters).
    pub title: String,
    /// What the matter is (at most 2000 characters).
    pub description: String,
    /// Category.
    pub category: AppealCategory,
    /// The community (staff, for an appeal at a site only).
    pub community_id: Option<ID>,
    /// The compound (a `Compound` or `Home` id); a resident's own when given.
    pub compound_id: Option<ID>,
    /// A building or lane of the compound.
    pub building_id: Option<ID>,
    /// A site described in words (at most 200 characters).
    pub site: Option<String>,
    /// Photos: at most 9 http(s) URLs.
    #[graphql(default)]
    pub photos: Vec<String>,
    /// Staff: the enterprise of the community the appeal is raised for.
    pub enterprise_id: Option<ID>,
    /// Staff: the party organisation of the community the appeal is raised for.
    pub party_organization_id: Option<ID>,
    /// Staff: the co-building unit seated on the community's joint committee the appeal is raised for.
    pub unit_id: Option<ID>,
}

/// Result of the appeal mutations.
#[derive(SimpleObject)]
pub struct AppealPayload {
    /// The appeal.
    pub appeal: Appeal,
}

/// What an appeals list's `totalCount` counts.
struct AppealCount(AppealFilter);

#[async_trait::async_trait]
impl CountSource for AppealCount {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        service::appeal_count(&rc(ctx)?.cx, self.0).await
    }
}

fn on_behalf(input: &RaiseAppealInput) -> Result<Option<OnBehalf>, AppError> {
    match (&input.enterprise_id, &input.party_organization_id, &input.unit_id) {
        (None, None, None) => Ok(None),
        (Some(e), None, None) => Ok(Some(OnBehalf::Enterprise(EnterpriseId(expect_id(e, kind::ENTERPRISE, "enterpriseId")?)))),
        (None, Some(o), None) => {
            Ok(Some(OnBehalf::Organization(OrganizationId(expect_id(o, kind::PARTY_ORGANIZATION, "partyOrganizationId")?))))
        }
        (None, None, Some(u)) => Ok(Some(OnBehalf::Unit(UnitId(expect_id(u, kind::CO_BUILDING_UNIT, "unitId")?)))),
        _ => Err(AppError::bad_input("enterpriseId", "raise for at most one of an enterprise, a party organisation and a unit")),
    }
}

/// Queries of consultative democracy: appeals.
#[derive(Default)]
pub struct AppealsQuery;

/// Queries of consultative democracy: appeals.
#[Object]
impl AppealsQuery {
    /// The appeals the caller sees in full (staff: their communities'; a person: those they
    /// raised and those of the compound whose station they convene), oldest first.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    #[expect(clippy::too_many_arguments, reason = "a list query takes its filters and the four Relay paging arguments")]
    async fn appeals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community's.")] community_id: Option<ID>,
        #[graphql(desc = "Only this compound's (a `Compound` or `Home` id).")] compound_id: Option<ID>,
        #[graphql(desc = "Only appeals in this state.")] state: Option<AppealState>,
        #[graphql(desc = "Only appeals at this tier.")] tier: Option<AppealTier>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Appeal>> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let filter = AppealFilter {
            community_id: community_id.map(|c| expect_id(&c, kind::COMMUNITY, "communityId").map(CommunityId)).transpose()?,
            compound_id: compound_id.as_ref().map(super::venues::compound_id).transpose()?,
            state: state.map(Into::into),
            tier: tier.map(Into::into),
        };
        let args = PageArgs::new(first, after, last, before)?;
        let page = service::appeals(&r.cx, filter, &args).await?;
        Ok(page.into_connection(|m| m.id, Appeal, TotalCount::lazy(AppealCount(filter))))
    }
}

/// Mutations of consultative democracy: raising appeals.
#[derive(Default)]
pub struct AppealsMutation;

/// Mutations of consultative democracy: raising appeals.
#[Object]
impl AppealsMutation {
    /// Raises an appeal: a resident for their compound, or staff for an enterprise or an
    /// organisation. It starts at the COMPOUND tier when its compound has a station, else at the
    /// COMMUNITY tier, and waits for its first response for the configured time.
    async fn raise_appeal(&self, ctx: &Context<'_>, input: RaiseAppealInput) -> Result<AppealPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let new = NewAppeal {
            on_behalf: on_behalf(&input)?,
            community_id: input.community_id.as_ref().map(|c| expect_id(c, kind::COMMUNITY, "communityId").map(CommunityId)).transpose()?,
            compound_id: input.compound_id.as_ref().map(compound_id).transpose()?,
            building_id: input.building_id.as_ref().map(|b| expect_id(b, kind::BUILDING, "buildingId").map(BuildingId)).transpose()?,
            site: input.site,
            title: input.title,
            description: input.description,
            category: input.category.into(),
            photos: input.photos,
        };
        Ok(AppealPayload { appeal: Appeal(service::raise_appeal(&r.cx, new).await?) })
    }
}

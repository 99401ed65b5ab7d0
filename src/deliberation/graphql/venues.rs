//! Venues (议事场所): the community's deliberation centre and the compounds' stations.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::venue;

use super::kind;
use crate::deliberation::ids::VenueId;
use crate::deliberation::service::{self, NewVenue, VenuePlace};
use crate::deliberation::visibility;
use crate::error::AppError;
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::organisation::graphql::{Community, Compound, Person};
use crate::organisation::ids::{CommunityId, CompoundId};
use crate::organisation::loaders::{PersonOfVisibleRow, org_loader};

/// Which kind of venue.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::venue::VenueKind")]
pub enum VenueKind {
    /// The community's deliberation centre (社区事务协商议事中心).
    Centre,
    /// A compound's deliberation station (小区议事站).
    Station,
}

/// A deliberation venue (议事场所): the community's deliberation centre (社区事务协商议事中心) or a
/// compound's deliberation station (小区议事站), with its convenor (召集人).
pub struct Venue(pub venue::Model);

/// A deliberation venue (议事场所): the community's deliberation centre (社区事务协商议事中心) or a
/// compound's deliberation station (小区议事站), with its convenor (召集人).
#[Object]
impl Venue {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::VENUE, self.0.id)
    }
    /// Centre or station.
    async fn kind(&self) -> VenueKind {
        self.0.kind.into()
    }
    /// Name, e.g. 奥林春天小区议事站.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The community.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        crate::organisation::graphql::community_of(ctx, self.0.community_id).await
    }
    /// The compound of a station; null for the centre.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Option<Compound>> {
        match self.0.compound_id {
            Some(c) => Ok(Some(Compound(loaded(org_loader(ctx)?.load_one(CompoundId(c)).await?, "compound")?))),
            None => Ok(None),
        }
    }
    /// The convenor, a person: shown to staff and the community's people (contacts masked
    /// outside staff); null for units, reporters and the city, or when none is set.
    async fn convenor(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let r = rc(ctx)?;
        let Some(p) = self.0.convenor_id else { return Ok(None) };
        if !visibility::shows_convenor(&r.cx.scope, self.0.community_id) {
            return Ok(None);
        }
        let p = loaded(org_loader(ctx)?.load_one(PersonOfVisibleRow(p)).await?, "person")?;
        let reveal = r.cx.scope.reveals_person(Some(self.0.community_id), p.id);
        Ok(Some(Person(p, reveal)))
    }
    /// Version, incremented by every change; pass it as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Input of `createVenue`: exactly one of `communityId` (its centre) and `compoundId` (its station).
#[derive(InputObject)]
pub struct CreateVenueInput {
    /// The community whose deliberation centre this is.
    pub community_id: Option<ID>,
    /// The compound (a `Compound` or `Home` id) whose station this is.
    pub compound_id: Option<ID>,
    /// Name (at most 100 characters).
    pub name: String,
    /// The convenor: a person the caller knows (`Person.id`).
    pub convenor_id: Option<ID>,
}

/// Input of `setVenueConvenor`.
#[derive(InputObject)]
pub struct SetVenueConvenorInput {
    /// The venue.
    pub id: ID,
    /// The convenor (a person's id); null clears it.
    pub convenor_id: MaybeUndefined<ID>,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Result of the venue mutations.
#[derive(SimpleObject)]
pub struct VenuePayload {
    /// The venue.
    pub venue: Venue,
}

pub(super) use crate::organisation::graphql::person_id;

pub(super) fn compound_id(id: &ID) -> Result<CompoundId, AppError> {
    let uuid = match expect_id(id, kind::HOME, "compoundId") {
        Ok(id) => id,
        Err(_) => expect_id(id, kind::COMPOUND, "compoundId")?,
    };
    Ok(CompoundId(uuid))
}

/// Queries of consultative democracy: venues.
#[derive(Default)]
pub struct VenuesQuery;

/// Queries of consultative democracy: venues.
#[Object]
impl VenuesQuery {
    /// The venues of a community: its centre, then its stations.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn venues(&self, ctx: &Context<'_>, #[graphql(desc = "The community.")] community_id: ID) -> Result<Vec<Venue>> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let community = CommunityId(expect_id(&community_id, kind::COMMUNITY, "communityId")?);
        Ok(service::venues(&r.cx, community).await?.into_iter().map(Venue).collect())
    }
}

/// Mutations of consultative democracy: venues.
#[derive(Default)]
pub struct VenuesMutation;

/// Mutations of consultative democracy: venues.
#[Object]
impl VenuesMutation {
    /// Creates a community's deliberation centre or a compound's station (community staff); a
    /// second centre for the community or station for the compound answers `CONFLICT`.
    async fn create_venue(&self, ctx: &Context<'_>, input: CreateVenueInput) -> Result<VenuePayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let place = match (&input.community_id, &input.compound_id) {
            (Some(c), None) => VenuePlace::Centre(CommunityId(expect_id(c, kind::COMMUNITY, "communityId")?)),
            (None, Some(c)) => VenuePlace::Station(compound_id(c)?),
            _ => {
                return Err(
                    AppError::bad_input("communityId", "name exactly one of communityId (a centre) and compoundId (a station)").into()
                );
            }
        };
        let convenor = input.convenor_id.as_ref().map(|p| person_id(p, "convenorId")).transpose()?;
        let model = service::create_venue(&r.cx, NewVenue { place, name: input.name, convenor }).await?;
        Ok(VenuePayload { venue: Venue(model) })
    }

    /// Sets or clears a venue's convenor (community staff).
    async fn set_venue_convenor(&self, ctx: &Context<'_>, input: SetVenueConvenorInput) -> Result<VenuePayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let id = VenueId(expect_id(&input.id, kind::VENUE, "id")?);
        let convenor = match &input.convenor_id {
            MaybeUndefined::Value(p) => Some(person_id(p, "convenorId")?),
            MaybeUndefined::Null => None,
            MaybeUndefined::Undefined => return Err(AppError::bad_input("convenorId", "give the convenor, or null to clear it").into()),
        };
        let model = service::set_convenor(&r.cx, id, convenor, input.expected_version).await?;
        Ok(VenuePayload { venue: Venue(model) })
    }
}

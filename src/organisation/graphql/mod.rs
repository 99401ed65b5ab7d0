//! GraphQL types, queries and mutations of the organisation graph, one file per sub-noun (the
//! same names as in `service/`): `directory` (streets, communities), `compounds`, `party` (party
//! organisations), `committees` (co-building units and their seats), `members` (party members
//! and people) and `viewer`. Thin: resolvers decode arguments, follow relations through the
//! request's DataLoader and call the service. The noun's roots merge the parts in the order
//! their fields appear in the schema.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Enum, ID, InputObject, MergedObject, Object, Result, SimpleObject};
use entity::{co_building_unit, committee_membership, community, compound, party_member, party_organization, person, region};
use uuid::Uuid;

use super::ids::PersonId;
use super::loaders::*;
use super::service;
use crate::auth::PrincipalKind;
use crate::error::AppError;
use crate::graphql::connection::{Conn, CountSource, TotalCount};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id, global_id_value};
use crate::graphql::inline::{Inline, PlainFields};
use crate::paging::PageArgs;
use async_graphql::Value;

mod committees;
mod compounds;
mod directory;
mod figures;
mod members;
mod party;
mod viewer;

pub use committees::*;
pub use compounds::*;
pub use directory::*;
pub use figures::*;
pub use members::*;
pub use party::*;
pub use viewer::*;

/// Queries of the organisation graph.
#[derive(MergedObject, Default)]
pub struct OrgQuery(DirectoryQuery, UnitsQuery, FiguresQuery);

/// Mutations of the organisation graph; each is checked against the caller's scope and role.
#[derive(MergedObject, Default)]
pub struct OrgMutation(CompoundsMutation, PartyMutation, CommitteesMutation, MembersMutation);

/// The community a visible row belongs to (a row the scope sees has a community it sees).
pub async fn community_of(ctx: &Context<'_>, id: Uuid) -> Result<Community> {
    Ok(Community(loaded(org_loader(ctx)?.load_one(CommunityId(id)).await?, "community")?))
}

/// The type names this noun's global ids carry.
pub mod kind {
    pub const CITY: &str = "City";
    pub const STREET: &str = "Street";
    pub const COMMUNITY: &str = "Community";
    pub const COMPOUND: &str = "Compound";
    pub const PARTY_ORGANIZATION: &str = "PartyOrganization";
    pub const PARTY_MEMBER: &str = "PartyMember";
    pub const CO_BUILDING_UNIT: &str = "CoBuildingUnit";
    pub const COMMITTEE_MEMBERSHIP: &str = "CommitteeMembership";
    pub const PERSON: &str = "Person";
}

/// Counts behind `totalCount`, batched by the request's loader.
#[async_trait::async_trait]
impl CountSource for CountKey {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(*self).await?.unwrap_or(0))
    }
}

/// A connection field's paging arguments.
fn page_args(first: Option<i32>, after: Option<String>, last: Option<i32>, before: Option<String>) -> Result<PageArgs> {
    Ok(PageArgs::new(first, after, last, before)?)
}

/// The organisation graph's objects that `node(id:)` refetches.
pub enum OrgNode {
    City(City),
    Street(Street),
    Community(Community),
    Compound(Compound),
    PartyOrganization(PartyOrganization),
    PartyMember(PartyMember),
    CoBuildingUnit(CoBuildingUnit),
    CommitteeMembership(CommitteeMembership),
    Person(Person),
}

/// Resolves a global id of this noun through the scoped loaders; other kinds, unknown or
/// out-of-scope ids give `None`.
pub async fn resolve_node(ctx: &Context<'_>, k: &str, uuid: Uuid) -> Result<Option<OrgNode>, AppError> {
    use OrgNode as Node;
    let loader = &crate::organisation::loaders::org_loader(ctx)?;
    Ok(match k {
        kind::CITY => loader.load_one(CityId(uuid)).await?.map(|m| Node::City(City(m))),
        kind::STREET => loader.load_one(StreetId(uuid)).await?.map(|m| Node::Street(Street(m))),
        kind::COMMUNITY => loader.load_one(CommunityId(uuid)).await?.map(|m| Node::Community(Community(m))),
        kind::COMPOUND => loader.load_one(CompoundId(uuid)).await?.map(|m| Node::Compound(Compound(m))),
        kind::PARTY_ORGANIZATION => match loader.load_one(OrganizationId(uuid)).await? {
            Some(m) => Some(Node::PartyOrganization(PartyOrganization::Local(m))),
            None => loader.load_one(StreetId(uuid)).await?.map(|s| Node::PartyOrganization(PartyOrganization::Street(s))),
        },
        kind::PARTY_MEMBER => loader.load_one(MemberId(uuid)).await?.map(|m| Node::PartyMember(PartyMember(m))),
        kind::CO_BUILDING_UNIT => loader.load_one(UnitId(uuid)).await?.map(|m| Node::CoBuildingUnit(CoBuildingUnit(m))),
        kind::COMMITTEE_MEMBERSHIP => loader.load_one(MembershipId(uuid)).await?.map(|m| Node::CommitteeMembership(CommitteeMembership(m))),
        kind::PERSON => {
            let cx = &rc(ctx)?.cx;
            service::visible_person(cx, PersonId(uuid)).await?.map(|(p, reveal)| Node::Person(Person(p, reveal)))
        }
        _ => None,
    })
}

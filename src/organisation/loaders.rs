//! DataLoaders of the organisation graph. One loader per request, holding that request's scope:
//! every batch it runs is filtered by the scope, so a relation followed from any parent can
//! never reach outside it. Each key type is one batched statement per query level.
//!
//! Over 650 lines and kept whole on purpose: it is one cohesive thing, the organisation graph's
//! single `OrgLoader` with its key newtypes and one `Loader` impl per key (regions, communities,
//! compounds, organisations, memberships, units, people, pages), each reading through
//! `organisation::visibility`. Split by sub-noun, every file would hold a piece of the same
//! struct's impls and the shared page and count helpers, and none would read on its own.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::Utc;
use entity::party_organization::OrganizationKind;
use entity::{co_building_unit, committee_membership, community, compound, party_member, party_organization, person, region};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::auth::Scope;
use crate::error::AppError;
use crate::graphql::batch::{by, group};
pub use crate::organisation::ids::{CityId, CommunityId, CompoundId, MemberId, MembershipId, OrganizationId, StreetId, UnitId};
use crate::organisation::visibility;
use crate::paging::{Page, PageArgs, child_pages};

/// Batches and caches the organisation graph's relations for one request.
pub struct OrgLoader {
    db: crate::db::Db,
    scope: Scope,
}

/// This request's organisation loader (built for each request by the root, see `graphql::request_data`).
pub fn org_loader<'a>(
    ctx: &async_graphql::Context<'a>,
) -> Result<&'a async_graphql::dataloader::DataLoader<OrgLoader, async_graphql::dataloader::HashMapCache>, AppError> {
    ctx.data::<async_graphql::dataloader::DataLoader<OrgLoader, async_graphql::dataloader::HashMapCache>>()
        .map_err(|_| AppError::internal("organisation loader missing"))
}

impl OrgLoader {
    pub fn new(db: crate::db::Db, scope: Scope) -> Self {
        OrgLoader { db, scope }
    }
}

/// The party branch of a compound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BranchOfCompound(pub Uuid);
/// The joint committee of a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JointCommitteeOf(pub Uuid);
/// All party organisations of a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrganizationsOf(pub Uuid);
/// The child organisations of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChildrenOf(pub Uuid);
/// The joint committees under a street's working committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JointCommitteesOfStreet(pub Uuid);
/// The unit memberships of a joint committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MembershipsOfCommittee(pub Uuid);
/// A unit's memberships on committees the scope can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MembershipsOfUnit(pub Uuid);
/// The unit named by a task timeline entry. A key of its own, apart from [`UnitId`], so that
/// the units of shares and of timeline entries, asked for at different moments of one query,
/// each load in one batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnitOfEvent(pub Uuid);
/// The units sitting on a community's joint committee today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnitsOfCommunity(pub Uuid);
/// The community of a row the caller already sees (their own volunteering or check-in, which
/// outlives their ties to that community). Communities are shared data; what hangs below
/// them stays behind the scope's filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommunityOfVisibleRow(pub Uuid);
/// The person behind a row the caller already sees (a member, the viewer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PersonOfVisibleRow(pub Uuid);

/// Whose members a member page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberParent {
    Community(Uuid),
    Branch(Uuid),
}

/// One page of members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemberPage(pub MemberParent, pub PageArgs);
/// One page of a street's communities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommunityPage(pub Uuid, pub PageArgs);
/// The streets of a city the scope reaches into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StreetsOfCity(pub Uuid);
/// One page of a community's compounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CompoundPage(pub Uuid, pub PageArgs);

/// A count behind a connection's `totalCount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountKey {
    CompoundsOf(Uuid),
    CommunitiesOf(Uuid),
    Members(MemberParent),
}

fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

/// Memberships in force today.
pub fn active_membership() -> Condition {
    let today = today();
    Condition::all()
        .add(committee_membership::Column::Since.lte(today))
        .add(Condition::any().add(committee_membership::Column::Until.is_null()).add(committee_membership::Column::Until.gt(today)))
}

impl OrgLoader {
    fn membership_filter(&self) -> Condition {
        visibility::seats(&self.scope)
    }
}

impl Loader<StreetId> for OrgLoader {
    type Value = region::Model;
    type Error = AppError;

    async fn load(&self, keys: &[StreetId]) -> Result<HashMap<StreetId, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).filter(|id| self.scope.sees_street(*id)).collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = region::Entity::find().filter(region::Column::Id.is_in(ids)).all(&self.db).await?;
        Ok(by(rows, |m| StreetId(m.id)))
    }
}

impl Loader<CityId> for OrgLoader {
    type Value = region::Model;
    type Error = AppError;

    /// A city is visible when the scope reaches into one of its streets.
    async fn load(&self, keys: &[CityId]) -> Result<HashMap<CityId, Self::Value>, Self::Error> {
        let streets: Vec<Uuid> = self.scope.streets().collect();
        if streets.is_empty() {
            return Ok(HashMap::new());
        }
        let cities = region::Entity::find()
            .select_only()
            .column(region::Column::ParentId)
            .filter(region::Column::Id.is_in(streets))
            .filter(region::Column::ParentId.is_in(keys.iter().map(|k| k.0)));
        let rows = region::Entity::find()
            .filter(region::Column::Kind.eq(region::RegionKind::City))
            .filter(region::Column::Id.in_subquery(sea_orm::QueryTrait::into_query(cities)))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| CityId(m.id)))
    }
}

impl Loader<StreetsOfCity> for OrgLoader {
    type Value = Vec<region::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[StreetsOfCity]) -> Result<HashMap<StreetsOfCity, Self::Value>, Self::Error> {
        let streets: Vec<Uuid> = self.scope.streets().collect();
        if streets.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = region::Entity::find()
            .filter(region::Column::Kind.eq(region::RegionKind::Street))
            .filter(region::Column::Id.is_in(streets))
            .filter(region::Column::ParentId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(region::Column::Id)
            .all(&self.db)
            .await?;
        let mut map: HashMap<StreetsOfCity, Vec<region::Model>> = HashMap::new();
        for row in rows {
            if let Some(city) = row.parent_id {
                map.entry(StreetsOfCity(city)).or_default().push(row);
            }
        }
        Ok(map)
    }
}

impl Loader<CommunityPage> for OrgLoader {
    type Value = Page<community::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[CommunityPage]) -> Result<HashMap<CommunityPage, Self::Value>, Self::Error> {
        let mut out = HashMap::new();
        for (args, parents) in by_args(keys.iter().map(|k| (k.1, k.0))) {
            let filter = Condition::all().add(self.scope.tenant_filter(community::Column::Id));
            let pages = child_pages::<community::Entity>(
                &self.db,
                community::Column::StreetId,
                community::Column::Id,
                &parents,
                filter,
                &args,
                |m| m.street_id,
            )
            .await?;
            for parent in parents {
                out.insert(CommunityPage(parent, args), pages.get(&parent).cloned().unwrap_or_default());
            }
        }
        Ok(out)
    }
}

impl Loader<CommunityId> for OrgLoader {
    type Value = community::Model;
    type Error = AppError;

    async fn load(&self, keys: &[CommunityId]) -> Result<HashMap<CommunityId, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).filter(|id| self.scope.sees_community(*id)).collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = community::Entity::find()
            .filter(community::Column::Id.is_in(ids))
            .filter(self.scope.tenant_filter(community::Column::Id))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| CommunityId(m.id)))
    }
}

impl Loader<CompoundId> for OrgLoader {
    type Value = compound::Model;
    type Error = AppError;

    async fn load(&self, keys: &[CompoundId]) -> Result<HashMap<CompoundId, Self::Value>, Self::Error> {
        let rows = compound::Entity::find()
            .filter(compound::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(self.scope.tenant_filter(compound::Column::CommunityId))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| CompoundId(m.id)))
    }
}

impl Loader<OrganizationId> for OrgLoader {
    type Value = party_organization::Model;
    type Error = AppError;

    async fn load(&self, keys: &[OrganizationId]) -> Result<HashMap<OrganizationId, Self::Value>, Self::Error> {
        let rows = party_organization::Entity::find()
            .filter(party_organization::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(self.scope.tenant_filter(party_organization::Column::CommunityId))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| OrganizationId(m.id)))
    }
}

impl Loader<BranchOfCompound> for OrgLoader {
    type Value = party_organization::Model;
    type Error = AppError;

    async fn load(&self, keys: &[BranchOfCompound]) -> Result<HashMap<BranchOfCompound, Self::Value>, Self::Error> {
        let rows = party_organization::Entity::find()
            .filter(party_organization::Column::CompoundId.is_in(keys.iter().map(|k| k.0)))
            .filter(party_organization::Column::Kind.eq(OrganizationKind::CompoundBranch))
            .filter(self.scope.tenant_filter(party_organization::Column::CommunityId))
            .order_by_asc(party_organization::Column::Id)
            .all(&self.db)
            .await?;
        let mut map = HashMap::new();
        for row in rows {
            if let Some(compound) = row.compound_id {
                map.entry(BranchOfCompound(compound)).or_insert(row);
            }
        }
        Ok(map)
    }
}

impl Loader<JointCommitteeOf> for OrgLoader {
    type Value = party_organization::Model;
    type Error = AppError;

    async fn load(&self, keys: &[JointCommitteeOf]) -> Result<HashMap<JointCommitteeOf, Self::Value>, Self::Error> {
        let rows = party_organization::Entity::find()
            .filter(party_organization::Column::CommunityId.is_in(keys.iter().map(|k| k.0)))
            .filter(party_organization::Column::Kind.eq(OrganizationKind::JointCommittee))
            .filter(self.scope.tenant_filter(party_organization::Column::CommunityId))
            .order_by_asc(party_organization::Column::Id)
            .all(&self.db)
            .await?;
        let mut map = HashMap::new();
        for row in rows {
            map.entry(JointCommitteeOf(row.community_id)).or_insert(row);
        }
        Ok(map)
    }
}

impl Loader<OrganizationsOf> for OrgLoader {
    type Value = Vec<party_organization::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[OrganizationsOf]) -> Result<HashMap<OrganizationsOf, Self::Value>, Self::Error> {
        let rows = party_organization::Entity::find()
            .filter(party_organization::Column::CommunityId.is_in(keys.iter().map(|k| k.0)))
            .filter(self.scope.tenant_filter(party_organization::Column::CommunityId))
            .order_by_asc(party_organization::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| OrganizationsOf(m.community_id)))
    }
}

impl Loader<ChildrenOf> for OrgLoader {
    type Value = Vec<party_organization::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[ChildrenOf]) -> Result<HashMap<ChildrenOf, Self::Value>, Self::Error> {
        let rows = party_organization::Entity::find()
            .filter(party_organization::Column::ParentId.is_in(keys.iter().map(|k| k.0)))
            .filter(self.scope.tenant_filter(party_organization::Column::CommunityId))
            .order_by_asc(party_organization::Column::Id)
            .all(&self.db)
            .await?;
        let mut map: HashMap<ChildrenOf, Self::Value> = HashMap::new();
        for row in rows {
            if let Some(parent) = row.parent_id {
                map.entry(ChildrenOf(parent)).or_default().push(row);
            }
        }
        Ok(map)
    }
}

impl Loader<JointCommitteesOfStreet> for OrgLoader {
    type Value = Vec<party_organization::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[JointCommitteesOfStreet]) -> Result<HashMap<JointCommitteesOfStreet, Self::Value>, Self::Error> {
        let communities: HashMap<Uuid, Uuid> = community::Entity::find()
            .select_only()
            .column(community::Column::Id)
            .column(community::Column::StreetId)
            .filter(community::Column::StreetId.is_in(keys.iter().map(|k| k.0)))
            .filter(self.scope.tenant_filter(community::Column::Id))
            .into_tuple::<(Uuid, Uuid)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        if communities.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = party_organization::Entity::find()
            .filter(party_organization::Column::CommunityId.is_in(communities.keys().copied()))
            .filter(party_organization::Column::Kind.eq(OrganizationKind::JointCommittee))
            .order_by_asc(party_organization::Column::Id)
            .all(&self.db)
            .await?;
        let mut map: HashMap<JointCommitteesOfStreet, Self::Value> = HashMap::new();
        for row in rows {
            if let Some(street) = communities.get(&row.community_id) {
                map.entry(JointCommitteesOfStreet(*street)).or_default().push(row);
            }
        }
        Ok(map)
    }
}

impl Loader<MembershipsOfCommittee> for OrgLoader {
    type Value = Vec<committee_membership::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[MembershipsOfCommittee]) -> Result<HashMap<MembershipsOfCommittee, Self::Value>, Self::Error> {
        let rows = committee_membership::Entity::find()
            .filter(committee_membership::Column::CommitteeId.is_in(keys.iter().map(|k| k.0)))
            .filter(self.membership_filter())
            .order_by_asc(committee_membership::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| MembershipsOfCommittee(m.committee_id)))
    }
}

impl Loader<MembershipsOfUnit> for OrgLoader {
    type Value = Vec<committee_membership::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[MembershipsOfUnit]) -> Result<HashMap<MembershipsOfUnit, Self::Value>, Self::Error> {
        let rows = committee_membership::Entity::find()
            .filter(committee_membership::Column::UnitId.is_in(keys.iter().map(|k| k.0)))
            .filter(self.membership_filter())
            .order_by_asc(committee_membership::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| MembershipsOfUnit(m.unit_id)))
    }
}

impl Loader<MembershipId> for OrgLoader {
    type Value = committee_membership::Model;
    type Error = AppError;

    async fn load(&self, keys: &[MembershipId]) -> Result<HashMap<MembershipId, Self::Value>, Self::Error> {
        let rows = committee_membership::Entity::find()
            .filter(committee_membership::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(self.membership_filter())
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| MembershipId(m.id)))
    }
}

impl Loader<UnitId> for OrgLoader {
    type Value = co_building_unit::Model;
    type Error = AppError;

    async fn load(&self, keys: &[UnitId]) -> Result<HashMap<UnitId, Self::Value>, Self::Error> {
        let rows = co_building_unit::Entity::find()
            .filter(co_building_unit::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::units(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| UnitId(m.id)))
    }
}

impl Loader<UnitOfEvent> for OrgLoader {
    type Value = co_building_unit::Model;
    type Error = AppError;

    async fn load(&self, keys: &[UnitOfEvent]) -> Result<HashMap<UnitOfEvent, Self::Value>, Self::Error> {
        let ids: Vec<UnitId> = keys.iter().map(|k| UnitId(k.0)).collect();
        let units = <Self as Loader<UnitId>>::load(self, &ids).await?;
        Ok(units.into_iter().map(|(k, v)| (UnitOfEvent(k.0), v)).collect())
    }
}

impl Loader<UnitsOfCommunity> for OrgLoader {
    type Value = Vec<co_building_unit::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[UnitsOfCommunity]) -> Result<HashMap<UnitsOfCommunity, Self::Value>, Self::Error> {
        let seats: Vec<(Uuid, Uuid)> = committee_membership::Entity::find()
            .select_only()
            .column(committee_membership::Column::CommunityId)
            .column(committee_membership::Column::UnitId)
            .filter(committee_membership::Column::CommunityId.is_in(keys.iter().map(|k| k.0)))
            .filter(self.membership_filter())
            .filter(active_membership())
            .order_by_asc(committee_membership::Column::Id)
            .into_tuple()
            .all(&self.db)
            .await?;
        if seats.is_empty() {
            return Ok(HashMap::new());
        }
        let units = by(
            co_building_unit::Entity::find()
                .filter(co_building_unit::Column::Id.is_in(seats.iter().map(|s| s.1)))
                .filter(visibility::units(&self.scope))
                .all(&self.db)
                .await?,
            |u| u.id,
        );
        let mut map: HashMap<UnitsOfCommunity, Self::Value> = HashMap::new();
        for (community, unit) in seats {
            if let Some(u) = units.get(&unit) {
                let list = map.entry(UnitsOfCommunity(community)).or_default();
                if !list.iter().any(|x| x.id == u.id) {
                    list.push(u.clone());
                }
            }
        }
        Ok(map)
    }
}

impl Loader<MemberId> for OrgLoader {
    type Value = party_member::Model;
    type Error = AppError;

    async fn load(&self, keys: &[MemberId]) -> Result<HashMap<MemberId, Self::Value>, Self::Error> {
        let rows = party_member::Entity::find()
            .filter(party_member::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::members(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| MemberId(m.id)))
    }
}

impl Loader<CommunityOfVisibleRow> for OrgLoader {
    type Value = community::Model;
    type Error = AppError;

    async fn load(&self, keys: &[CommunityOfVisibleRow]) -> Result<HashMap<CommunityOfVisibleRow, Self::Value>, Self::Error> {
        if !visibility::sees_behind_visible_rows(&self.scope) {
            return Ok(HashMap::new());
        }
        let rows = community::Entity::find().filter(community::Column::Id.is_in(keys.iter().map(|k| k.0))).all(&self.db).await?;
        Ok(by(rows, |m| CommunityOfVisibleRow(m.id)))
    }
}

impl Loader<PersonOfVisibleRow> for OrgLoader {
    type Value = person::Model;
    type Error = AppError;

    async fn load(&self, keys: &[PersonOfVisibleRow]) -> Result<HashMap<PersonOfVisibleRow, Self::Value>, Self::Error> {
        if !visibility::sees_behind_visible_rows(&self.scope) {
            return Ok(HashMap::new());
        }
        let rows = person::Entity::find().filter(person::Column::Id.is_in(keys.iter().map(|k| k.0))).all(&self.db).await?;
        Ok(by(rows, |m| PersonOfVisibleRow(m.id)))
    }
}

impl Loader<CompoundPage> for OrgLoader {
    type Value = Page<compound::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[CompoundPage]) -> Result<HashMap<CompoundPage, Self::Value>, Self::Error> {
        let mut out = HashMap::new();
        for (args, parents) in by_args(keys.iter().map(|k| (k.1, k.0))) {
            let filter = Condition::all().add(self.scope.tenant_filter(compound::Column::CommunityId));
            let pages = child_pages::<compound::Entity>(
                &self.db,
                compound::Column::CommunityId,
                compound::Column::Id,
                &parents,
                filter,
                &args,
                |m| m.community_id,
            )
            .await?;
            for parent in parents {
                out.insert(CompoundPage(parent, args), pages.get(&parent).cloned().unwrap_or_default());
            }
        }
        Ok(out)
    }
}

impl Loader<MemberPage> for OrgLoader {
    type Value = Page<party_member::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[MemberPage]) -> Result<HashMap<MemberPage, Self::Value>, Self::Error> {
        let mut out = HashMap::new();
        let by_community = by_args(keys.iter().filter_map(|k| match k.0 {
            MemberParent::Community(c) => Some((k.1, c)),
            MemberParent::Branch(_) => None,
        }));
        let by_branch = by_args(keys.iter().filter_map(|k| match k.0 {
            MemberParent::Branch(b) => Some((k.1, b)),
            MemberParent::Community(_) => None,
        }));
        for (args, parents) in by_community {
            let pages = child_pages::<party_member::Entity>(
                &self.db,
                party_member::Column::CommunityId,
                party_member::Column::Id,
                &parents,
                visibility::members(&self.scope),
                &args,
                |m| m.community_id,
            )
            .await?;
            for parent in parents {
                out.insert(MemberPage(MemberParent::Community(parent), args), pages.get(&parent).cloned().unwrap_or_default());
            }
        }
        for (args, parents) in by_branch {
            let pages = child_pages::<party_member::Entity>(
                &self.db,
                party_member::Column::BranchId,
                party_member::Column::Id,
                &parents,
                visibility::members(&self.scope),
                &args,
                |m| m.branch_id.unwrap_or_default(),
            )
            .await?;
            for parent in parents {
                out.insert(MemberPage(MemberParent::Branch(parent), args), pages.get(&parent).cloned().unwrap_or_default());
            }
        }
        Ok(out)
    }
}

impl Loader<CountKey> for OrgLoader {
    type Value = u64;
    type Error = AppError;

    async fn load(&self, keys: &[CountKey]) -> Result<HashMap<CountKey, Self::Value>, Self::Error> {
        let mut out: HashMap<CountKey, u64> = keys.iter().map(|k| (*k, 0)).collect();
        let compounds: Vec<Uuid> = keys.iter().filter_map(|k| if let CountKey::CompoundsOf(c) = k { Some(*c) } else { None }).collect();
        let streets: Vec<Uuid> = keys.iter().filter_map(|k| if let CountKey::CommunitiesOf(s) = k { Some(*s) } else { None }).collect();
        if !streets.is_empty() {
            let rows: Vec<(Uuid, i64)> = community::Entity::find()
                .select_only()
                .column(community::Column::StreetId)
                .column_as(community::Column::Id.count(), "n")
                .filter(community::Column::StreetId.is_in(streets))
                .filter(self.scope.tenant_filter(community::Column::Id))
                .group_by(community::Column::StreetId)
                .into_tuple()
                .all(&self.db)
                .await?;
            for (s, n) in rows {
                out.insert(CountKey::CommunitiesOf(s), n.max(0) as u64);
            }
        }
        let communities: Vec<Uuid> =
            keys.iter().filter_map(|k| if let CountKey::Members(MemberParent::Community(c)) = k { Some(*c) } else { None }).collect();
        let branches: Vec<Uuid> =
            keys.iter().filter_map(|k| if let CountKey::Members(MemberParent::Branch(b)) = k { Some(*b) } else { None }).collect();
        if !compounds.is_empty() {
            let rows: Vec<(Uuid, i64)> = compound::Entity::find()
                .select_only()
                .column(compound::Column::CommunityId)
                .column_as(compound::Column::Id.count(), "n")
                .filter(compound::Column::CommunityId.is_in(compounds))
                .filter(self.scope.tenant_filter(compound::Column::CommunityId))
                .group_by(compound::Column::CommunityId)
                .into_tuple()
                .all(&self.db)
                .await?;
            for (c, n) in rows {
                out.insert(CountKey::CompoundsOf(c), n.max(0) as u64);
            }
        }
        for (column, parents, wrap) in [
            (party_member::Column::CommunityId, communities, MemberParent::Community as fn(Uuid) -> MemberParent),
            (party_member::Column::BranchId, branches, MemberParent::Branch as fn(Uuid) -> MemberParent),
        ] {
            if parents.is_empty() {
                continue;
            }
            let rows: Vec<(Uuid, i64)> = party_member::Entity::find()
                .select_only()
                .column(column)
                .column_as(party_member::Column::Id.count(), "n")
                .filter(column.is_in(parents))
                .filter(visibility::members(&self.scope))
                .group_by(column)
                .into_tuple()
                .all(&self.db)
                .await?;
            for (p, n) in rows {
                out.insert(CountKey::Members(wrap(p)), n.max(0) as u64);
            }
        }
        Ok(out)
    }
}

/// Groups (page args, parent) pairs so that parents asking for the same page share a statement.
fn by_args(pairs: impl Iterator<Item = (PageArgs, Uuid)>) -> HashMap<PageArgs, Vec<Uuid>> {
    let mut map: HashMap<PageArgs, Vec<Uuid>> = HashMap::new();
    for (args, parent) in pairs {
        let list = map.entry(args).or_default();
        if !list.contains(&parent) {
            list.push(parent);
        }
    }
    map
}

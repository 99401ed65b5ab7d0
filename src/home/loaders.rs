//! DataLoaders of home co-building, one per request with its scope and the caller's roles; every
//! batch reads through `home::visibility`, as the service does.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::building_leader::LeaderStatus;
use entity::{building, building_leader, owners_committee, owners_committee_member, person, property_manager, residence};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use tokio::sync::OnceCell;
use uuid::Uuid;

use super::visibility::{self, Roles};
use crate::auth::Scope;
use crate::error::AppError;
use crate::graphql::batch::{by, group, loader_key};

/// Rows by id.
pub use super::ids::{
    ArrearsCaseId, ArrearsContactId, BuildingId, BuildingLeaderId, LedgerEntryId, MilestoneId, OwnersCommitteeId, ProjectId,
    PropertyManagerId, ResidenceId,
};

mod arrears;
mod ledger;
mod projects;
pub use arrears::*;
pub use ledger::*;
pub use projects::*;

/// Batches and caches home co-building's relations for one request.
pub struct HomeLoader {
    db: crate::db::Db,
    scope: Scope,
    /// The caller's roles, read at most once per request.
    roles: OnceCell<Roles>,
}

/// This request's home loader (built for each request by the root, see `graphql::request_data`).
pub fn home_loader<'a>(
    ctx: &async_graphql::Context<'a>,
) -> Result<&'a async_graphql::dataloader::DataLoader<HomeLoader, async_graphql::dataloader::HashMapCache>, AppError> {
    ctx.data::<async_graphql::dataloader::DataLoader<HomeLoader, async_graphql::dataloader::HashMapCache>>()
        .map_err(|_| AppError::internal("home loader missing"))
}

impl HomeLoader {
    pub fn new(db: crate::db::Db, scope: Scope) -> Self {
        HomeLoader { db, scope, roles: OnceCell::new() }
    }

    /// The caller's roles (secretary, owners' committee member, building leader).
    pub async fn roles(&self) -> Result<&Roles, AppError> {
        self.roles.get_or_try_init(|| super::service::roles(&self.db, &self.scope)).await
    }
}

/// A row that names a person, with that person (read in the same batch, so that a page costs one
/// more statement for its people however many rows it lists).
pub type WithPerson<M> = (M, person::Model);

/// `rows` with their people, in one statement; a row whose person is missing is left out.
async fn with_people<M>(db: &impl ConnectionTrait, rows: Vec<M>, person_of: impl Fn(&M) -> Uuid) -> Result<Vec<WithPerson<M>>, AppError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let people = by(person::Entity::find().filter(person::Column::Id.is_in(rows.iter().map(&person_of))).all(db).await?, |p| p.id);
    Ok(rows.into_iter().filter_map(|m| people.get(&person_of(&m)).cloned().map(|p| (m, p))).collect())
}

loader_key!(/// The buildings and lanes of a compound.
    BuildingsOf);
loader_key!(/// The owners' committee in office of a compound.
    CommitteeOf);
loader_key!(/// Every owners' committee of a compound, newest first.
    CommitteesOf);
loader_key!(/// The members of an owners' committee.
    MembersOf);
loader_key!(/// The property manager in charge of a compound.
    ManagerOf);
loader_key!(/// Every property manager of a compound, newest first.
    ManagersOf);
loader_key!(/// The active leader of a building or lane.
    LeaderOf);
loader_key!(/// The leaders of a building or lane, past and present, newest first.
    LeadersOf);
loader_key!(/// The selections of a compound's building leaders the caller sees, newest first.
    SelectionsOf);

impl Loader<BuildingId> for HomeLoader {
    type Value = building::Model;
    type Error = AppError;
    async fn load(&self, keys: &[BuildingId]) -> Result<HashMap<BuildingId, Self::Value>, Self::Error> {
        let rows = building::Entity::find()
            .filter(building::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::structure_filter(&self.scope, building::Column::CommunityId))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| BuildingId(m.id)))
    }
}

impl Loader<BuildingsOf> for HomeLoader {
    type Value = Vec<building::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[BuildingsOf]) -> Result<HashMap<BuildingsOf, Self::Value>, Self::Error> {
        let rows = building::Entity::find()
            .filter(building::Column::CompoundId.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::structure_filter(&self.scope, building::Column::CommunityId))
            .order_by_asc(building::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| BuildingsOf(m.compound_id)))
    }
}

impl Loader<OwnersCommitteeId> for HomeLoader {
    type Value = owners_committee::Model;
    type Error = AppError;
    async fn load(&self, keys: &[OwnersCommitteeId]) -> Result<HashMap<OwnersCommitteeId, Self::Value>, Self::Error> {
        let rows = owners_committee::Entity::find()
            .filter(owners_committee::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::structure_filter(&self.scope, owners_committee::Column::CommunityId))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| OwnersCommitteeId(m.id)))
    }
}

impl Loader<CommitteeOf> for HomeLoader {
    type Value = owners_committee::Model;
    type Error = AppError;
    async fn load(&self, keys: &[CommitteeOf]) -> Result<HashMap<CommitteeOf, Self::Value>, Self::Error> {
        let rows = owners_committee::Entity::find()
            .filter(owners_committee::Column::CompoundId.is_in(keys.iter().map(|k| k.0)))
            .filter(owners_committee::Column::EndedOn.is_null())
            .filter(visibility::structure_filter(&self.scope, owners_committee::Column::CommunityId))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| CommitteeOf(m.compound_id)))
    }
}

impl Loader<CommitteesOf> for HomeLoader {
    type Value = Vec<owners_committee::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[CommitteesOf]) -> Result<HashMap<CommitteesOf, Self::Value>, Self::Error> {
        let rows = owners_committee::Entity::find()
            .filter(owners_committee::Column::CompoundId.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::structure_filter(&self.scope, owners_committee::Column::CommunityId))
            .order_by_desc(owners_committee::Column::TermStart)
            .order_by_desc(owners_committee::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| CommitteesOf(m.compound_id)))
    }
}

impl Loader<MembersOf> for HomeLoader {
    type Value = Vec<WithPerson<owners_committee_member::Model>>;
    type Error = AppError;
    async fn load(&self, keys: &[MembersOf]) -> Result<HashMap<MembersOf, Self::Value>, Self::Error> {
        let rows = owners_committee_member::Entity::find()
            .filter(owners_committee_member::Column::CommitteeId.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::names_filter(&self.scope, owners_committee_member::Column::CommunityId))
            .order_by_asc(owners_committee_member::Column::Id)
            .all(&self.db)
            .await?;
        let rows = with_people(&self.db, rows, |m| m.person_id).await?;
        Ok(group(rows, |(m, _)| MembersOf(m.committee_id)))
    }
}

impl Loader<PropertyManagerId> for HomeLoader {
    type Value = property_manager::Model;
    type Error = AppError;
    async fn load(&self, keys: &[PropertyManagerId]) -> Result<HashMap<PropertyManagerId, Self::Value>, Self::Error> {
        let rows = property_manager::Entity::find()
            .filter(property_manager::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::structure_filter(&self.scope, property_manager::Column::CommunityId))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| PropertyManagerId(m.id)))
    }
}

impl Loader<ManagerOf> for HomeLoader {
    type Value = property_manager::Model;
    type Error = AppError;
    async fn load(&self, keys: &[ManagerOf]) -> Result<HashMap<ManagerOf, Self::Value>, Self::Error> {
        let rows = property_manager::Entity::find()
            .filter(property_manager::Column::CompoundId.is_in(keys.iter().map(|k| k.0)))
            .filter(property_manager::Column::EndedOn.is_null())
            .filter(visibility::structure_filter(&self.scope, property_manager::Column::CommunityId))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| ManagerOf(m.compound_id)))
    }
}

impl Loader<ManagersOf> for HomeLoader {
    type Value = Vec<property_manager::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[ManagersOf]) -> Result<HashMap<ManagersOf, Self::Value>, Self::Error> {
        let rows = property_manager::Entity::find()
            .filter(property_manager::Column::CompoundId.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::structure_filter(&self.scope, property_manager::Column::CommunityId))
            .order_by_desc(property_manager::Column::ContractStart)
            .order_by_desc(property_manager::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| ManagersOf(m.compound_id)))
    }
}

impl Loader<BuildingLeaderId> for HomeLoader {
    type Value = WithPerson<building_leader::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[BuildingLeaderId]) -> Result<HashMap<BuildingLeaderId, Self::Value>, Self::Error> {
        let roles = self.roles().await?;
        let rows = building_leader::Entity::find()
            .filter(building_leader::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::leader_filter(&self.scope, roles))
            .all(&self.db)
            .await?;
        let rows = with_people(&self.db, rows, |m| m.person_id).await?;
        Ok(by(rows, |(m, _)| BuildingLeaderId(m.id)))
    }
}

impl Loader<LeaderOf> for HomeLoader {
    type Value = WithPerson<building_leader::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[LeaderOf]) -> Result<HashMap<LeaderOf, Self::Value>, Self::Error> {
        let roles = self.roles().await?;
        let rows = building_leader::Entity::find()
            .filter(building_leader::Column::BuildingId.is_in(keys.iter().map(|k| k.0)))
            .filter(building_leader::Column::Status.eq(LeaderStatus::Active))
            .filter(visibility::leader_filter(&self.scope, roles))
            .all(&self.db)
            .await?;
        let rows = with_people(&self.db, rows, |m| m.person_id).await?;
        Ok(by(rows, |(m, _)| LeaderOf(m.building_id)))
    }
}

impl Loader<LeadersOf> for HomeLoader {
    type Value = Vec<WithPerson<building_leader::Model>>;
    type Error = AppError;
    async fn load(&self, keys: &[LeadersOf]) -> Result<HashMap<LeadersOf, Self::Value>, Self::Error> {
        let roles = self.roles().await?;
        let rows = building_leader::Entity::find()
            .filter(building_leader::Column::BuildingId.is_in(keys.iter().map(|k| k.0)))
            .filter(building_leader::Column::Status.is_in([LeaderStatus::Active, LeaderStatus::Ended]))
            .filter(visibility::leader_filter(&self.scope, roles))
            .order_by_desc(building_leader::Column::Id)
            .all(&self.db)
            .await?;
        let rows = with_people(&self.db, rows, |m| m.person_id).await?;
        Ok(group(rows, |(m, _)| LeadersOf(m.building_id)))
    }
}

impl Loader<SelectionsOf> for HomeLoader {
    type Value = Vec<WithPerson<building_leader::Model>>;
    type Error = AppError;
    async fn load(&self, keys: &[SelectionsOf]) -> Result<HashMap<SelectionsOf, Self::Value>, Self::Error> {
        let roles = self.roles().await?;
        let rows = building_leader::Entity::find()
            .filter(building_leader::Column::CompoundId.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::leader_filter(&self.scope, roles))
            .order_by_desc(building_leader::Column::Id)
            .all(&self.db)
            .await?;
        let rows = with_people(&self.db, rows, |m| m.person_id).await?;
        Ok(group(rows, |(m, _)| SelectionsOf(m.compound_id)))
    }
}

impl Loader<ResidenceId> for HomeLoader {
    type Value = residence::Model;
    type Error = AppError;
    async fn load(&self, keys: &[ResidenceId]) -> Result<HashMap<ResidenceId, Self::Value>, Self::Error> {
        let rows = residence::Entity::find()
            .filter(residence::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::residence_filter(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| ResidenceId(m.id)))
    }
}

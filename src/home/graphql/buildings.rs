//! Buildings and lanes (楼栋 / 街巷) of a compound.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use entity::building;

use super::{BuildingLeader, Home, kind};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::home::ids::BuildingId;
use crate::home::loaders::*;
use crate::home::service::{self, BuildingChanges, NewBuilding};
use crate::home::visibility;
use crate::organisation::ids::CompoundId;
use crate::organisation::loaders::org_loader;

/// Whether a row is a building or a lane.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::building::BuildingKind")]
pub enum BuildingKind {
    /// A building (楼栋), e.g. "3栋".
    Building,
    /// A lane (街巷), e.g. "梅岭路东段".
    Lane,
}

/// A building or lane (楼栋 / 街巷) of a compound, led by a party member chosen by two-way selection.
pub struct Building(pub building::Model);

/// A building or lane (楼栋 / 街巷) of a compound, led by a party member chosen by two-way selection.
#[Object]
impl Building {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::BUILDING, self.0.id)
    }
    /// Building or lane.
    async fn kind(&self) -> BuildingKind {
        self.0.kind.into()
    }
    /// Label, unique in the compound, e.g. "3栋" or "梅岭路东段".
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// Number of households. Shown to community staff, to the street, the city, units and
    /// reporters (a count, no personal data), and to the building's own leader; null for other
    /// residents.
    async fn households(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        let roles = home_loader(ctx)?.loader().roles().await?;
        Ok(visibility::households(&rc(ctx)?.cx.scope, roles, self.0.community_id, self.0.id, self.0.households))
    }
    /// Version, incremented by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The home (compound) the building or lane belongs to.
    async fn home(&self, ctx: &Context<'_>) -> Result<Home> {
        Ok(Home(loaded(org_loader(ctx)?.load_one(CompoundId(self.0.compound_id)).await?, "compound")?))
    }
    /// The active leader (楼长 / 街巷长), if any, where the caller sees names (inside the community).
    async fn leader(&self, ctx: &Context<'_>) -> Result<Option<BuildingLeader>> {
        Ok(home_loader(ctx)?.load_one(LeaderOf(self.0.id)).await?.map(BuildingLeader::of))
    }
    /// The leaders of the building or lane, past and present, newest first, where the caller sees names.
    async fn leader_history(&self, ctx: &Context<'_>) -> Result<Vec<BuildingLeader>> {
        Ok(home_loader(ctx)?.load_one(LeadersOf(self.0.id)).await?.unwrap_or_default().into_iter().map(BuildingLeader::of).collect())
    }
}

/// Input of `addBuilding`.
#[derive(InputObject)]
pub struct AddBuildingInput {
    /// The compound (a `Compound` id).
    pub compound_id: ID,
    /// Building or lane.
    #[graphql(default_with = "BuildingKind::Building")]
    pub kind: BuildingKind,
    /// Label, unique in the compound (at most 50 characters), e.g. "3栋".
    pub label: String,
    /// Number of households (0 to 10000).
    pub households: i32,
}

/// Result of `addBuilding`.
#[derive(SimpleObject)]
pub struct AddBuildingPayload {
    /// The new building or lane.
    pub building: Building,
}

/// Input of `updateBuilding`: the fields to change.
#[derive(InputObject)]
pub struct UpdateBuildingInput {
    /// The building or lane.
    pub id: ID,
    /// New label, unique in the compound (at most 50 characters).
    pub label: Option<String>,
    /// New number of households (0 to 10000).
    pub households: Option<i32>,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Result of `updateBuilding`.
#[derive(SimpleObject)]
pub struct UpdateBuildingPayload {
    /// The building or lane as changed.
    pub building: Building,
}

/// Mutations of home co-building: buildings and lanes.
#[derive(Default)]
pub struct BuildingsMutation;

/// Mutations of home co-building: buildings and lanes.
#[Object]
impl BuildingsMutation {
    /// Adds a building or lane to a compound (community staff).
    async fn add_building(&self, ctx: &Context<'_>, input: AddBuildingInput) -> Result<AddBuildingPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let compound_id = CompoundId(expect_id(&input.compound_id, kind::COMPOUND, "compoundId")?);
        let model = service::add_building(
            &r.cx,
            NewBuilding { compound_id, kind: input.kind.into(), label: input.label, households: input.households },
        )
        .await?;
        Ok(AddBuildingPayload { building: Building(model) })
    }

    /// Renames a building or lane or corrects its households count (community staff).
    async fn update_building(&self, ctx: &Context<'_>, input: UpdateBuildingInput) -> Result<UpdateBuildingPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let id = BuildingId(expect_id(&input.id, kind::BUILDING, "id")?);
        let changes = BuildingChanges { label: input.label, households: input.households, expected_version: input.expected_version };
        Ok(UpdateBuildingPayload { building: Building(service::update_building(&r.cx, id, changes).await?) })
    }
}

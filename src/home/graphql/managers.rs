//! Property managers (物业) and the management mode.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::property_manager;

use super::{Home, ManagementMode, expected, kind};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::home::ids::PropertyManagerId;
use crate::home::service::{self, NewManager};
use crate::organisation::ids::CompoundId;
use crate::organisation::loaders::org_loader;

/// Who manages a compound's property.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::property_manager::ManagerKind")]
pub enum ManagerKind {
    /// A property management company (物业公司).
    Company,
    /// The owners' self-management group (物业自治小组).
    SelfManagementGroup,
}

/// A property manager's (物业) contract with a compound: a company or the owners'
/// self-management group. One is in charge at a time; a new manager ends the old contract on the
/// day the new one begins.
pub struct PropertyManager(pub property_manager::Model);

/// A property manager's (物业) contract with a compound: a company or the owners'
/// self-management group. One is in charge at a time; a new manager ends the old contract on the
/// day the new one begins.
#[Object]
impl PropertyManager {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::PROPERTY_MANAGER, self.0.id)
    }
    /// A company or the owners' self-management group.
    async fn kind(&self) -> ManagerKind {
        self.0.kind.into()
    }
    /// The management mode this contract gives the compound.
    async fn mode(&self) -> ManagementMode {
        service::management_mode(Some(&self.0)).into()
    }
    /// Name of the company or group, e.g. 宝龙·金色花园物业自治小组.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The contract's first day.
    async fn contract_start(&self) -> Date {
        Date(self.0.contract_start)
    }
    /// The contract's agreed last day, if set.
    async fn contract_end(&self) -> Option<Date> {
        self.0.contract_end.map(Date)
    }
    /// The day the contract ended (the next manager's first day); null while in charge.
    async fn ended_on(&self) -> Option<Date> {
        self.0.ended_on.map(Date)
    }
    /// Whether it is the manager in charge.
    async fn in_charge(&self) -> bool {
        self.0.ended_on.is_none()
    }
    /// The property fee per m² of floor area and month, in fen (integer; 150 is 1.50 yuan).
    async fn fee_rate_fen(&self) -> i64 {
        self.0.fee_rate_fen
    }
    /// Version, incremented by every change; pass it as `expectedVersion` to end it safely.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The home (compound) it manages.
    async fn home(&self, ctx: &Context<'_>) -> Result<Home> {
        Ok(Home(loaded(org_loader(ctx)?.load_one(CompoundId(self.0.compound_id)).await?, "compound")?))
    }
}

/// Input of `changePropertyManager`.
#[derive(InputObject)]
pub struct ChangePropertyManagerInput {
    /// The compound (a `Compound` id).
    pub compound_id: ID,
    /// A company or the owners' self-management group.
    pub kind: ManagerKind,
    /// Name of the company or group (at most 100 characters).
    pub name: String,
    /// The contract's first day; the contract in charge ends that day.
    pub contract_start: Date,
    /// The contract's agreed last day.
    pub contract_end: Option<Date>,
    /// The property fee per m² of floor area and month, in fen (0 to 100000).
    pub fee_rate_fen: i64,
    /// The manager in charge as the caller read it: null when none is; omit to skip the check.
    /// When another manager has been put in charge since, the change answers `CONFLICT`.
    pub replaces: MaybeUndefined<ID>,
}

/// Result of `changePropertyManager`.
#[derive(SimpleObject)]
pub struct ChangePropertyManagerPayload {
    /// The manager now in charge.
    pub property_manager: PropertyManager,
    /// The contract it ended, if one was in charge.
    pub ended: Option<PropertyManager>,
}

/// Input of `endPropertyManagement`.
#[derive(InputObject)]
pub struct EndPropertyManagementInput {
    /// The contract in charge (a `PropertyManager` id).
    pub id: ID,
    /// Its last day.
    pub ended_on: Date,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Result of `endPropertyManagement`.
#[derive(SimpleObject)]
pub struct EndPropertyManagementPayload {
    /// The ended contract.
    pub property_manager: PropertyManager,
}

/// Mutations of home co-building: property managers.
#[derive(Default)]
pub struct PropertyManagersMutation;

/// Mutations of home co-building: property managers.
#[Object]
impl PropertyManagersMutation {
    /// Puts a new property manager in charge of a compound (community staff); the contract in
    /// charge, if any, ends on the day the new one begins.
    async fn change_property_manager(&self, ctx: &Context<'_>, input: ChangePropertyManagerInput) -> Result<ChangePropertyManagerPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let compound_id = CompoundId(expect_id(&input.compound_id, kind::COMPOUND, "compoundId")?);
        let replaces = expected(input.replaces, kind::PROPERTY_MANAGER, PropertyManagerId)?;
        let (model, ended) = service::change_manager(
            &r.cx,
            NewManager {
                compound_id,
                kind: input.kind.into(),
                name: input.name,
                contract_start: input.contract_start.0,
                contract_end: input.contract_end.map(|d| d.0),
                fee_rate_fen: input.fee_rate_fen,
                replaces,
            },
        )
        .await?;
        Ok(ChangePropertyManagerPayload { property_manager: PropertyManager(model), ended: ended.map(PropertyManager) })
    }

    /// Ends the contract in charge without a successor (community staff): the compound's
    /// management mode becomes `NONE`.
    async fn end_property_management(&self, ctx: &Context<'_>, input: EndPropertyManagementInput) -> Result<EndPropertyManagementPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let id = PropertyManagerId(expect_id(&input.id, kind::PROPERTY_MANAGER, "id")?);
        let model = service::end_management(&r.cx, id, input.ended_on.0, input.expected_version).await?;
        Ok(EndPropertyManagementPayload { property_manager: PropertyManager(model) })
    }
}

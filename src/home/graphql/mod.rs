//! GraphQL types, queries and mutations of home co-building, one file per sub-noun (the same
//! names as in `service/`): `homes` (a compound's home, the roots `home` and `homes`),
//! `buildings`, `committees` (owners' committees), `managers` (property managers), `leaders`
//! (building and lane leaders by two-way selection), `residents` (residents and where they
//! live), `projects` (renovation projects), `ledger` (the shared-income ledger) and `arrears`
//! (property-fee arrears help). Thin:
//! resolvers decode arguments, follow relations through the request's DataLoaders and call the
//! service.

mod arrears;
mod buildings;
mod committees;
mod homes;
mod leaders;
mod ledger;
mod managers;
mod projects;
mod residents;
mod stats;

pub use arrears::*;
pub use buildings::*;
pub use committees::*;
pub use homes::*;
pub use leaders::*;
pub use ledger::*;
pub use managers::*;
pub use projects::*;
pub use residents::*;
pub use stats::*;

use async_graphql::{Context, ID, InputValueError, InputValueResult, MaybeUndefined, MergedObject, Result, Scalar, ScalarType, Value};
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::ids::expect_id;
use crate::home::loaders::*;
use crate::home::service::Expected;
use crate::organisation::loaders::{CompoundId, org_loader};

/// The type names this noun's global ids carry.
pub mod kind {
    pub use crate::organisation::graphql::kind::*;
    pub const HOME: &str = "Home";
    pub const BUILDING: &str = "Building";
    pub const OWNERS_COMMITTEE: &str = "OwnersCommittee";
    pub const PROPERTY_MANAGER: &str = "PropertyManager";
    pub const BUILDING_LEADER: &str = "BuildingLeader";
    pub const RESIDENCE: &str = "Residence";
    pub const PROJECT: &str = "Project";
    pub const PROJECT_MILESTONE: &str = "ProjectMilestone";
    pub const LEDGER_ENTRY: &str = "LedgerEntry";
    pub const ARREARS_CASE: &str = "ArrearsCase";
    pub const ARREARS_CONTACT: &str = "ArrearsContact";
}

/// Queries of home co-building.
#[derive(MergedObject, Default)]
pub struct HomeQuery(HomesQuery, ResidentsQuery, HomeFiguresQuery);

/// Mutations of home co-building, in the order the schema lists them; each is one transaction
/// with its audit record.
#[derive(MergedObject, Default)]
pub struct HomeMutation(
    BuildingsMutation,
    OwnersCommitteesMutation,
    PropertyManagersMutation,
    BuildingLeadersMutation,
    ResidentsMutation,
    ProjectsMutation,
    LedgerMutation,
    ArrearsMutation,
);

/// Home co-building's objects that `node(id:)` refetches.
pub enum HomeNode {
    Home(Home),
    Building(Building),
    OwnersCommittee(OwnersCommittee),
    PropertyManager(PropertyManager),
    BuildingLeader(Box<BuildingLeader>),
    Residence(Residence),
    Project(Project),
    ProjectMilestone(ProjectMilestone),
    LedgerEntry(LedgerEntry),
    ArrearsCase(ArrearsCase),
    ArrearsContact(ArrearsContact),
}

/// Resolves home co-building's global ids through the scoped loaders.
pub async fn resolve_node(ctx: &Context<'_>, k: &str, uuid: Uuid) -> Result<Option<HomeNode>, AppError> {
    use HomeNode as Node;
    let loader = home_loader(ctx)?;
    Ok(match k {
        kind::HOME => org_loader(ctx)?.load_one(CompoundId(uuid)).await?.map(|m| Node::Home(Home(m))),
        kind::BUILDING => loader.load_one(BuildingId(uuid)).await?.map(|m| Node::Building(Building(m))),
        kind::OWNERS_COMMITTEE => loader.load_one(OwnersCommitteeId(uuid)).await?.map(|m| Node::OwnersCommittee(OwnersCommittee(m))),
        kind::PROPERTY_MANAGER => loader.load_one(PropertyManagerId(uuid)).await?.map(|m| Node::PropertyManager(PropertyManager(m))),
        kind::BUILDING_LEADER => {
            loader.load_one(BuildingLeaderId(uuid)).await?.map(|m| Node::BuildingLeader(Box::new(BuildingLeader::of(m))))
        }
        kind::RESIDENCE => loader.load_one(ResidenceId(uuid)).await?.map(|m| Node::Residence(Residence(m))),
        kind::PROJECT => loader.load_one(ProjectId(uuid)).await?.map(|m| Node::Project(Project(m))),
        kind::PROJECT_MILESTONE => loader.load_one(MilestoneId(uuid)).await?.map(|m| Node::ProjectMilestone(ProjectMilestone(m))),
        kind::LEDGER_ENTRY => loader.load_one(LedgerEntryId(uuid)).await?.map(|m| Node::LedgerEntry(LedgerEntry(m))),
        kind::ARREARS_CASE => loader.load_one(ArrearsCaseId(uuid)).await?.map(|m| Node::ArrearsCase(ArrearsCase(m))),
        kind::ARREARS_CONTACT => loader.load_one(ArrearsContactId(uuid)).await?.map(|m| Node::ArrearsContact(ArrearsContact(m))),
        _ => None,
    })
}

/// An amount of money as sent, before the service reads it as whole fen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fen(pub String);

/// An amount of money in fen (分; 100 fen are 1 yuan), as input: a JSON number or a string of
/// digits. Only whole amounts from 1 to 10^12 fen are accepted; negative, zero, fractional or
/// larger amounts are refused with `BAD_USER_INPUT` naming the field, and nothing is written.
#[Scalar(name = "Fen")]
impl ScalarType for Fen {
    fn parse(value: Value) -> InputValueResult<Self> {
        // Any number or string is taken as sent: the service, not the parser, decides what an
        // amount is, so that every refusal is the same BAD_USER_INPUT naming the field.
        match value {
            Value::Number(n) => Ok(Fen(n.to_string())),
            Value::String(s) => Ok(Fen(s)),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::Number(_) | Value::String(_))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// A compound's id as sent, a `Home` or a `Compound` id.
fn home_compound_id(id: &ID) -> Result<CompoundId, AppError> {
    let uuid = match expect_id(id, kind::HOME, "compoundId") {
        Ok(id) => id,
        Err(_) => expect_id(id, kind::COMPOUND, "compoundId")?,
    };
    Ok(CompoundId(uuid))
}

/// A "replaces" argument: absent (no check), null (none expected) or the id of the row expected.
fn expected<T>(value: MaybeUndefined<ID>, kind: &str, wrap: impl Fn(Uuid) -> T) -> Result<Expected<T>, AppError> {
    Ok(match value {
        MaybeUndefined::Undefined => Expected::Unchecked,
        MaybeUndefined::Null => Expected::Nothing,
        MaybeUndefined::Value(id) => Expected::This(wrap(expect_id(&id, kind, "replaces")?)),
    })
}

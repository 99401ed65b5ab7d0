//! GraphQL types, queries and mutations of the volunteer service.

mod activities;
mod attendance;
mod categories;
mod check_ins;
mod demands;
mod matching;
mod stats;
mod volunteers;

pub use activities::*;
pub use attendance::*;
pub use categories::*;
pub use check_ins::*;
pub use demands::*;
pub use matching::*;
pub use stats::*;
pub use volunteers::*;

use async_graphql::{Context, MergedObject, Result};
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::connection::CountSource;
use crate::graphql::context::{loaded, rc};
use crate::organisation::graphql::Person;
use crate::organisation::loaders::CommunityId;
use crate::organisation::loaders::PersonOfVisibleRow;
use crate::volunteers::loaders::*;
use crate::volunteers::service;
use entity::{check_in, demand};

/// The type names this noun's global ids carry.
pub mod kind {
    pub use crate::organisation::graphql::kind::*;
    pub const SERVICE_CATEGORY: &str = "ServiceCategory";
    pub const VOLUNTEER: &str = "Volunteer";
    pub const CHECK_IN: &str = "CheckIn";
    pub const DEMAND: &str = "Demand";
    pub const INVITATION: &str = "Invitation";
    pub const ACTIVITY: &str = "Activity";
    pub const SIGN_UP: &str = "SignUp";
}

pub(super) async fn person(ctx: &Context<'_>, community_id: Uuid, person_id: Uuid) -> Result<Person> {
    let r = rc(ctx)?;
    let p = loaded(crate::organisation::loaders::org_loader(ctx)?.load_one(PersonOfVisibleRow(person_id)).await?, "person")?;
    let reveal = r.cx.scope.reveals_person(Some(community_id), p.id);
    Ok(Person(p, reveal))
}

/// What a list's `totalCount` counts.
pub(super) enum Count {
    Volunteers(Option<CommunityId>),
    CheckIns(Option<CommunityId>, Option<check_in::CheckInStatus>),
    Demands(Option<CommunityId>, Option<demand::DemandStatus>),
    Activities(Option<CommunityId>),
}

#[async_trait::async_trait]
impl CountSource for Count {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        let cx = &rc(ctx)?.cx;
        match self {
            Count::Volunteers(c) => service::volunteer_count(cx, *c).await,
            Count::CheckIns(c, s) => service::check_in_count(cx, *c, *s).await,
            Count::Demands(c, s) => service::demand_count(cx, *c, *s).await,
            Count::Activities(c) => service::activity_count(cx, *c).await,
        }
    }
}

/// Queries of the volunteer service, in the order the schema lists them.
#[derive(MergedObject, Default)]
pub struct VolunteerQuery(CategoriesQuery, VolunteersQuery, CheckInsQuery, DemandsQuery, ActivitiesQuery, AttendanceQuery, StatsQuery);

/// Mutations of the volunteer service, in the order the schema lists them; each is one transaction with its audit record.
#[derive(MergedObject, Default)]
pub struct VolunteerMutation(
    CategoriesMutation,
    VolunteersMutation,
    CheckInsMutation,
    DemandsMutation,
    ActivitiesMutation,
    AttendanceMutation,
);

/// The volunteer platform's objects that `node(id:)` refetches.
pub enum VolunteerNode {
    Volunteer(Volunteer),
    CheckIn(CheckIn),
    Demand(Demand),
    Activity(Activity),
    SignUp(SignUp),
    Invitation(Invitation),
    ServiceCategory(ServiceCategory),
}

/// Resolves the volunteer service's global ids through the scoped loaders.
pub async fn resolve_node(ctx: &Context<'_>, k: &str, uuid: Uuid) -> Result<Option<VolunteerNode>, AppError> {
    use VolunteerNode as Node;
    let loader = &crate::volunteers::loaders::volunteer_loader(ctx)?;
    Ok(match k {
        kind::VOLUNTEER => loader.load_one(VolunteerId(uuid)).await?.map(|m| Node::Volunteer(Volunteer(m))),
        kind::CHECK_IN => loader.load_one(CheckInId(uuid)).await?.map(|m| Node::CheckIn(CheckIn(m))),
        kind::DEMAND => loader.load_one(DemandId(uuid)).await?.map(|m| Node::Demand(Demand(m))),
        kind::ACTIVITY => loader.load_one(ActivityId(uuid)).await?.map(|m| Node::Activity(Activity(m))),
        kind::SIGN_UP => loader.load_one(SignUpId(uuid)).await?.map(|m| Node::SignUp(SignUp(m))),
        kind::INVITATION => loader.load_one(InvitationId(uuid)).await?.map(|m| Node::Invitation(Invitation(m))),
        kind::SERVICE_CATEGORY => loader.load_one(CategoryId(uuid)).await?.map(|m| Node::ServiceCategory(ServiceCategory(m))),
        _ => None,
    })
}

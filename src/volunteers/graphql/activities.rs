//! Activities (活动) and sign-ups with a waiting list.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject, Union};
use chrono::{DateTime, Utc};
use entity::{activity, sign_up};

use super::{Count, Demand, ServiceCategory, hours, kind, person};
use crate::error::AppError;
use crate::graphql::connection::{Conn, TotalCount};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id, parse_global_id};
use crate::organisation::graphql::{CoBuildingUnit, Community, PartyOrganization, Person};
use crate::organisation::ids::{OrganizationId, UnitId};
use crate::organisation::loaders::{CommunityId, org_loader};
use crate::paging::PageArgs;
use crate::volunteers::ids::{ActivityId, CategoryId, DemandId, SignUpId};
use crate::volunteers::loaders::*;
use crate::volunteers::service;

/// Whether a sign-up has a place.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::sign_up::SignUpStatus")]
pub enum SignUpStatus {
    /// Has a place.
    Registered,
    /// On the waiting list.
    Waiting,
    /// Cancelled.
    Cancelled,
}

/// What kind of activity it is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::activity::ActivityKind")]
pub enum ActivityKind {
    /// Volunteer service (志愿服务).
    Service,
    /// The monthly party theme day (主题党日).
    PartyThemeDay,
    /// A neighbourly-home pilot (近邻家园).
    NeighbourlyHome,
}

/// Who organises an activity.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::activity::OrganiserKind")]
pub enum ActivityOrganiserKind {
    /// The community itself.
    Community,
    /// A party organisation of the community: its joint committee or a branch.
    PartyOrganization,
    /// A co-building unit with a seat on the community's joint committee.
    Unit,
}

/// The organisation that runs an activity (活动共联): the community, one of its party
/// organisations, or a co-building unit seated on its joint committee.
#[derive(Union)]
pub enum ActivityOrganiser {
    /// The community itself.
    Community(Community),
    /// A party organisation of the community.
    PartyOrganization(PartyOrganization),
    /// A co-building unit seated on the community's joint committee.
    CoBuildingUnit(CoBuildingUnit),
}

/// A volunteer activity (活动).
pub struct Activity(pub activity::Model);
crate::graphql::connection::connection_node!(Activity);

/// A volunteer activity (活动).
#[Object]
impl Activity {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::ACTIVITY, self.0.id)
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Description.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// The category.
    async fn category(&self, ctx: &Context<'_>) -> Result<ServiceCategory> {
        Ok(ServiceCategory(loaded(
            crate::volunteers::loaders::volunteer_loader(ctx)?.load_one(CategoryId(self.0.category_id)).await?,
            "category",
        )?))
    }
    /// The community.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        crate::organisation::graphql::community_of(ctx, self.0.community_id).await
    }
    /// The demand it answers, if any.
    async fn demand(&self, ctx: &Context<'_>) -> Result<Option<Demand>> {
        match self.0.demand_id {
            Some(d) => Ok(crate::volunteers::loaders::volunteer_loader(ctx)?.load_one(DemandId(d)).await?.map(Demand)),
            None => Ok(None),
        }
    }
    /// Where.
    async fn place(&self) -> &str {
        &self.0.place
    }
    /// Start.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// End.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
    /// Places.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }
    /// Who recorded the activity (the principal, as audit records name it).
    async fn organizer(&self) -> &str {
        &self.0.organizer
    }
    /// Volunteer service, a party theme day or a neighbourly-home pilot.
    async fn kind(&self) -> ActivityKind {
        self.0.kind.into()
    }
    /// What kind of organisation runs it.
    async fn organiser_kind(&self) -> ActivityOrganiserKind {
        self.0.organiser_kind.into()
    }
    /// The organisation that runs it; null when the caller may not see that organisation (a
    /// unit is shown to those who see units).
    async fn organised_by(&self, ctx: &Context<'_>) -> Result<Option<ActivityOrganiser>> {
        let loader = org_loader(ctx)?;
        let id = self.0.organiser_id;
        Ok(match self.0.organiser_kind {
            activity::OrganiserKind::Community => {
                loader.load_one(CommunityId(id)).await?.map(|c| ActivityOrganiser::Community(Community(c)))
            }
            activity::OrganiserKind::PartyOrganization => {
                loader.load_one(OrganizationId(id)).await?.map(|o| ActivityOrganiser::PartyOrganization(PartyOrganization::Local(o)))
            }
            activity::OrganiserKind::Unit => {
                loader.load_one(UnitId(id)).await?.map(|u| ActivityOrganiser::CoBuildingUnit(CoBuildingUnit(u)))
            }
        })
    }
    /// Whether it was cancelled.
    async fn cancelled(&self) -> bool {
        self.0.status == activity::ActivityStatus::Cancelled
    }
    /// Residents served, as recorded by the organiser.
    async fn residents_served(&self) -> i32 {
        self.0.residents_served
    }
    /// Version, incremented by every change; pass it as `expectedVersion` to change safely.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Sign-ups: all of them for staff, one's own for a volunteer.
    async fn sign_ups(&self, ctx: &Context<'_>) -> Result<Vec<SignUp>> {
        Ok(crate::volunteers::loaders::volunteer_loader(ctx)?
            .load_one(SignUpsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(SignUp)
            .collect())
    }
}

/// A sign-up for an activity, with attendance.
pub struct SignUp(pub sign_up::Model);

/// A sign-up for an activity, with attendance.
#[Object]
impl SignUp {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::SIGN_UP, self.0.id)
    }
    /// Registered, waiting or cancelled.
    async fn status(&self) -> SignUpStatus {
        self.0.status.into()
    }
    /// The volunteer.
    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        person(ctx, self.0.community_id, self.0.person_id).await
    }
    /// The activity.
    async fn activity(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
        Ok(crate::volunteers::loaders::volunteer_loader(ctx)?.load_one(ActivityId(self.0.activity_id)).await?.map(Activity))
    }
    /// When the volunteer was checked in.
    async fn checked_in_at(&self) -> Option<DateTime<Utc>> {
        self.0.checked_in_at
    }
    /// When the volunteer was checked out.
    async fn checked_out_at(&self) -> Option<DateTime<Utc>> {
        self.0.checked_out_at
    }
    /// Service hours, from check-in to check-out.
    async fn hours(&self) -> f64 {
        hours(self.0.service_minutes.unwrap_or(0).max(0) as u64)
    }
    /// When the sign-up was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Input of `createActivity`: on its own, or from a demand whose fields fill what is left out.
#[derive(InputObject)]
pub struct CreateActivityInput {
    /// The community.
    pub community_id: ID,
    /// The demand it answers.
    pub demand_id: Option<ID>,
    /// The category.
    pub category_id: Option<ID>,
    /// Title.
    pub title: Option<String>,
    /// Description.
    #[graphql(default)]
    pub description: String,
    /// Where.
    pub place: Option<String>,
    /// Start.
    pub starts_at: Option<DateTime<Utc>>,
    /// End.
    pub ends_at: Option<DateTime<Utc>>,
    /// Places (1 to 10000); more sign-ups join the waiting list.
    pub capacity: i32,
    /// Volunteer service (the default), a party theme day or a neighbourly-home pilot.
    #[graphql(default_with = "ActivityKind::Service")]
    pub kind: ActivityKind,
    /// The organisation that runs it: the community (the default), one of its party
    /// organisations (its joint committee or a branch), or a co-building unit with a seat on its
    /// joint committee today; anything else is refused with `BAD_USER_INPUT`.
    pub organiser_id: Option<ID>,
}

/// The organiser an id names: a community, a party organisation or a co-building unit.
fn organiser(id: &ID) -> Result<service::Organiser, AppError> {
    match parse_global_id(id) {
        Some((k, uuid)) if k == kind::COMMUNITY => Ok(service::Organiser::Community(CommunityId(uuid))),
        Some((k, uuid)) if k == kind::PARTY_ORGANIZATION => Ok(service::Organiser::PartyOrganization(OrganizationId(uuid))),
        Some((k, uuid)) if k == kind::CO_BUILDING_UNIT => Ok(service::Organiser::Unit(UnitId(uuid))),
        Some((k, _)) => Err(AppError::bad_input(
            "organiserId",
            format!("an activity is organised by a community, a party organisation or a co-building unit, not a {k}"),
        )),
        None => Err(AppError::bad_input("organiserId", "not a valid id")),
    }
}

/// Result of the activity mutations.
#[derive(SimpleObject)]
pub struct ActivityPayload {
    /// The activity.
    pub activity: Activity,
}

/// Input of `cancelActivity`.
#[derive(InputObject)]
pub struct CancelActivityInput {
    /// The activity.
    pub id: ID,
    /// The version the change is based on; a mismatch answers `CONFLICT` and changes nothing.
    pub expected_version: Option<i32>,
}

/// Input of `signUp`.
#[derive(InputObject)]
pub struct SignUpInput {
    /// The activity.
    pub activity_id: ID,
}

/// Input of `cancelSignUp`.
#[derive(InputObject)]
pub struct CancelSignUpInput {
    /// The sign-up.
    pub id: ID,
}

/// Result of the sign-up mutations.
#[derive(SimpleObject)]
pub struct SignUpPayload {
    /// The sign-up.
    pub sign_up: SignUp,
}

/// Queries of the volunteer service: activities.
#[derive(Default)]
pub struct ActivitiesQuery;

/// Queries of the volunteer service: activities.
#[Object]
impl ActivitiesQuery {
    /// The activities of the caller's communities.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Activity>> {
        let r = rc(ctx)?;
        let args = PageArgs::new(first, after, last, before)?;
        let c = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId").map(CommunityId)).transpose()?;
        let page = service::activities(&r.cx, c, &args).await?;
        Ok(page.into_connection(|m| m.id, Activity, TotalCount::lazy(Count::Activities(c))))
    }
}

/// Mutations of the volunteer service: activities; each is one transaction with its audit record.
#[derive(Default)]
pub struct ActivitiesMutation;

/// Mutations of the volunteer service: activities; each is one transaction with its audit record.
#[Object]
impl ActivitiesMutation {
    /// Creates an activity (the community's staff), for the community or the organisation that runs it.
    async fn create_activity(&self, ctx: &Context<'_>, input: CreateActivityInput) -> Result<ActivityPayload> {
        let new = service::NewActivity {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId").map(CommunityId)?,
            demand_id: input.demand_id.as_ref().map(|id| expect_id(id, kind::DEMAND, "demandId").map(DemandId)).transpose()?,
            category_id: input
                .category_id
                .as_ref()
                .map(|id| expect_id(id, kind::SERVICE_CATEGORY, "categoryId").map(CategoryId))
                .transpose()?,
            title: input.title,
            description: input.description,
            place: input.place,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            capacity: input.capacity,
            kind: input.kind.into(),
            organiser: input.organiser_id.as_ref().map(organiser).transpose()?,
        };
        Ok(ActivityPayload { activity: Activity(service::create_activity(&rc(ctx)?.cx, new).await?) })
    }

    /// Signs the caller up; beyond the capacity they join the waiting list.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> Result<SignUpPayload> {
        let a = expect_id(&input.activity_id, kind::ACTIVITY, "activityId").map(ActivityId)?;
        Ok(SignUpPayload { sign_up: SignUp(service::sign_up(&rc(ctx)?.cx, a).await?) })
    }

    /// Cancels a sign-up (the volunteer or staff); the first on the waiting list moves up.
    async fn cancel_sign_up(&self, ctx: &Context<'_>, input: CancelSignUpInput) -> Result<SignUpPayload> {
        let id = expect_id(&input.id, kind::SIGN_UP, "id").map(SignUpId)?;
        Ok(SignUpPayload { sign_up: SignUp(service::cancel_sign_up(&rc(ctx)?.cx, id).await?) })
    }

    /// Cancels an activity nobody has attended yet (staff); its sign-ups are cancelled with it.
    async fn cancel_activity(&self, ctx: &Context<'_>, input: CancelActivityInput) -> Result<ActivityPayload> {
        let id = expect_id(&input.id, kind::ACTIVITY, "id").map(ActivityId)?;
        Ok(ActivityPayload { activity: Activity(service::cancel_activity(&rc(ctx)?.cx, id, input.expected_version).await?) })
    }
}

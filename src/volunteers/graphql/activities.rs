//! Activities (活动) and sign-ups with a waiting list.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{activity, sign_up};

use super::{Count, Demand, ServiceCategory, hours, kind, person};
use crate::graphql::connection::{Conn, TotalCount};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::organisation::graphql::{Community, Person};
use crate::organisation::loaders::CommunityId;
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
    /// The organiser (principal).
    async fn organizer(&self) -> &str {
        &self.0.organizer
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
    /// Creates an activity (staff).
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

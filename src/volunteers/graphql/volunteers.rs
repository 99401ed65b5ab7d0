//! Volunteers (义工) and what they offer (资源清单).

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::volunteer;

use super::{Count, Demand, DemandSuggestion, kind, person};
use crate::error::AppError;
use crate::graphql::connection::{Conn, TotalCount};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::organisation::graphql::{Community, Compound, Person};
use crate::organisation::loaders::CommunityOfVisibleRow;
use crate::organisation::loaders::{CommunityId, CompoundId};
use crate::paging::PageArgs;
use crate::validate::from_json_list as list;
use crate::volunteers::ids::VolunteerId;
use crate::volunteers::loaders::*;
use crate::volunteers::service::{self, Profile};

/// A volunteer (义工) of a community, with what they offer (资源清单).
pub struct Volunteer(pub volunteer::Model);
crate::graphql::connection::connection_node!(Volunteer);

/// A volunteer (义工) of a community, with what they offer (资源清单).
#[Object]
impl Volunteer {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::VOLUNTEER, self.0.id)
    }
    /// The person; personal data masked outside staff scope.
    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        person(ctx, self.0.community_id, self.0.person_id).await
    }
    /// The community (also one the volunteer no longer serves in).
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        Ok(Community(loaded(
            crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityOfVisibleRow(self.0.community_id)).await?,
            "community",
        )?))
    }
    /// The compound the volunteer lives in.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Option<Compound>> {
        match self.0.compound_id {
            Some(c) => Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(CompoundId(c)).await?.map(Compound)),
            None => Ok(None),
        }
    }
    /// Codes of the categories offered.
    async fn categories(&self) -> Vec<String> {
        list(&self.0.categories)
    }
    /// Personal skills (个人专长).
    async fn skills(&self) -> Vec<String> {
        list(&self.0.skills)
    }
    /// Department strength (部门优势).
    async fn department_strength(&self) -> Option<&str> {
        self.0.department_strength.as_deref()
    }
    /// Industry (行业特点).
    async fn industry(&self) -> Option<&str> {
        self.0.industry.as_deref()
    }
    /// Weekly availability: slots such as `SAT_AM`, `WED_EVE` (Beijing time).
    async fn availability(&self) -> Vec<String> {
        list(&self.0.availability)
    }
    /// Whether the volunteer takes part.
    async fn active(&self) -> bool {
        self.0.status == volunteer::VolunteerStatus::Active
    }
    /// When they registered.
    async fn registered_at(&self) -> DateTime<Utc> {
        self.0.registered_at
    }
    /// Version, incremented by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The open demands that suit the volunteer best.
    async fn suggested_demands(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many (default 10, at most 50).", default = 10)] first: i32,
    ) -> Result<Vec<DemandSuggestion>> {
        let n = usize::try_from(first.clamp(0, 50)).unwrap_or(10);
        let rows = crate::volunteers::loaders::volunteer_loader(ctx)?.load_one(SuggestedDemands(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().take(n).map(|(d, parts)| DemandSuggestion { demand: Demand(d), parts }).collect())
    }
}

/// What a volunteer offers (资源清单); absent fields stay as they are.
#[derive(InputObject, Default)]
pub struct ProfileInput {
    /// Codes of the categories offered.
    pub categories: Option<Vec<String>>,
    /// Personal skills (个人专长).
    pub skills: Option<Vec<String>>,
    /// Department strength (部门优势).
    pub department_strength: Option<String>,
    /// Industry (行业特点).
    pub industry: Option<String>,
    /// Weekly slots such as `SAT_AM`, `WED_EVE` (Beijing time).
    pub availability: Option<Vec<String>>,
    /// The compound the volunteer lives in.
    pub compound_id: Option<ID>,
}

impl ProfileInput {
    fn decode(self) -> Result<Profile, AppError> {
        Ok(Profile {
            categories: self.categories,
            skills: self.skills,
            department_strength: self.department_strength,
            industry: self.industry,
            availability: self.availability,
            compound_id: self.compound_id.as_ref().map(|id| expect_id(id, kind::COMPOUND, "compoundId").map(CompoundId)).transpose()?,
        })
    }
}

/// Input of `registerVolunteer`: staff give `personId` or `name` (and `phone`); a member registers themself.
#[derive(InputObject)]
pub struct RegisterVolunteerInput {
    /// The community.
    pub community_id: ID,
    /// A known person (`Person.id`).
    pub person_id: Option<ID>,
    /// Name of a new person.
    pub name: Option<String>,
    /// Phone of a new person.
    pub phone: Option<String>,
    /// What the volunteer offers.
    #[graphql(default)]
    pub profile: ProfileInput,
}

/// Input of `updateVolunteerProfile`.
#[derive(InputObject)]
pub struct UpdateVolunteerProfileInput {
    /// The volunteer.
    pub id: ID,
    /// The version the change is based on; a mismatch answers `CONFLICT`.
    pub expected_version: Option<i32>,
    /// The changes.
    pub profile: ProfileInput,
}

/// Result of the volunteer mutations.
#[derive(SimpleObject)]
pub struct VolunteerPayload {
    /// The volunteer.
    pub volunteer: Volunteer,
}

/// Queries of the volunteer service: volunteers.
#[derive(Default)]
pub struct VolunteersQuery;

/// Queries of the volunteer service: volunteers.
#[Object]
impl VolunteersQuery {
    /// Volunteers: staff see their community's, a member sees their own.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn volunteers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Volunteer>> {
        let r = rc(ctx)?;
        let args = PageArgs::new(first, after, last, before)?;
        let c = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId").map(CommunityId)).transpose()?;
        let page = service::volunteers(&r.cx, c, &args).await?;
        Ok(page.into_connection(|m| m.id, Volunteer, TotalCount::lazy(Count::Volunteers(c))))
    }
}

/// Mutations of the volunteer service: volunteers; each is one transaction with its audit record.
#[derive(Default)]
pub struct VolunteersMutation;

/// Mutations of the volunteer service: volunteers; each is one transaction with its audit record.
#[Object]
impl VolunteersMutation {
    /// Registers a volunteer (community staff, or a member for themself).
    async fn register_volunteer(&self, ctx: &Context<'_>, input: RegisterVolunteerInput) -> Result<VolunteerPayload> {
        let new = service::NewVolunteer {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId").map(CommunityId)?,
            person_id: input.person_id.map(|id| crate::organisation::graphql::person_id(&id, "personId")).transpose()?,
            name: input.name,
            phone: input.phone,
            profile: input.profile.decode()?,
        };
        Ok(VolunteerPayload { volunteer: Volunteer(service::register_volunteer(&rc(ctx)?.cx, new).await?) })
    }

    /// Edits a volunteer's resource list (the volunteer, or staff of the community).
    async fn update_volunteer_profile(&self, ctx: &Context<'_>, input: UpdateVolunteerProfileInput) -> Result<VolunteerPayload> {
        let id = expect_id(&input.id, kind::VOLUNTEER, "id").map(VolunteerId)?;
        let v = service::update_profile(&rc(ctx)?.cx, id, input.profile.decode()?, input.expected_version).await?;
        Ok(VolunteerPayload { volunteer: Volunteer(v) })
    }
}

//! GraphQL types, queries and mutations of the volunteer service.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{activity, check_in, demand, invitation, service_category, sign_up, volunteer};
use uuid::Uuid;

use super::loaders::*;
use super::matching::ScoreParts;
use super::service::{self, Attendance, CheckInAction, Profile};
use super::stats::{self, Totals};
use crate::error::AppError;
use crate::graphql::connection::{Conn, CountSource, TotalCount};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::organisation::graphql::{Community, Compound, Person};
use crate::organisation::loaders::{CommunityId, CommunityOfVisibleRow, CompoundId, PersonOfVisibleRow};
use crate::paging::PageArgs;
use crate::validate::from_json_list as list;

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

async fn person(ctx: &Context<'_>, community_id: Uuid, person_id: Uuid) -> Result<Person> {
    let r = rc(ctx)?;
    let p = loaded(crate::organisation::loaders::org_loader(ctx)?.load_one(PersonOfVisibleRow(person_id)).await?, "person")?;
    let reveal = r.cx.scope.reveals_person(Some(community_id), p.id);
    Ok(Person(p, reveal))
}

// ---------------------------------------------------------------- enums

/// Where a check-in stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::check_in::CheckInStatus")]
pub enum CheckInStatus {
    /// Waiting for community staff.
    Pending,
    /// Approved: the member serves in this community.
    Approved,
    /// Declined by staff.
    Declined,
    /// Ended.
    Ended,
}

/// Where a demand stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::demand::DemandStatus")]
pub enum DemandStatus {
    /// Looking for volunteers.
    Open,
    /// Enough volunteers accepted.
    Filled,
    /// Closed by staff.
    Closed,
    /// Cancelled by staff.
    Cancelled,
}

/// A volunteer's answer to an invitation.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::invitation::InvitationStatus")]
pub enum InvitationStatus {
    /// Not answered yet.
    Invited,
    /// Accepted.
    Accepted,
    /// Declined.
    Declined,
}

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

// ---------------------------------------------------------------- types

/// A category of the demand list, e.g. 环境卫生整治.
pub struct ServiceCategory(pub service_category::Model);

/// A category of the demand list, e.g. 环境卫生整治.
#[Object]
impl ServiceCategory {
    /// Globally unique id.
    async fn id(&self) -> ID {
        global_id(kind::SERVICE_CATEGORY, self.0.id)
    }
    /// Readable code, e.g. `sanitation`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// When it was retired, if it was.
    async fn retired_at(&self) -> Option<DateTime<Utc>> {
        self.0.retired_at
    }
}

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

/// An in-service member's check-in (报到) to a community.
pub struct CheckIn(pub check_in::Model);
crate::graphql::connection::connection_node!(CheckIn);

/// An in-service member's check-in (报到) to a community.
#[Object]
impl CheckIn {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::CHECK_IN, self.0.id)
    }
    /// The member.
    async fn person(&self, ctx: &Context<'_>) -> Result<Person> {
        person(ctx, self.0.community_id, self.0.person_id).await
    }
    /// The community checked in to (also after the check-in ended).
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        Ok(Community(loaded(
            crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityOfVisibleRow(self.0.community_id)).await?,
            "community",
        )?))
    }
    /// Employer (工作单位).
    async fn work_unit(&self) -> &str {
        &self.0.work_unit
    }
    /// Department.
    async fn department(&self) -> Option<&str> {
        self.0.department.as_deref()
    }
    /// Where the organisational relation (组织关系) sits.
    async fn organization_relation(&self) -> &str {
        &self.0.organization_relation
    }
    /// Where the check-in stands.
    async fn status(&self) -> CheckInStatus {
        self.0.status.into()
    }
    /// When it was asked for.
    async fn requested_at(&self) -> DateTime<Utc> {
        self.0.requested_at
    }
    /// When staff decided.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// Why staff declined.
    async fn decline_reason(&self) -> Option<&str> {
        self.0.decline_reason.as_deref()
    }
    /// When it ended.
    async fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.0.ended_at
    }
}

/// The parts of a matching score (see the ranking rules in the API documentation of `suggestedVolunteers`).
#[derive(SimpleObject)]
pub struct ScorePartsView {
    /// 40 when the volunteer offers the demand's category.
    pub category: f64,
    /// Up to 30, by the share of wanted skills the volunteer has.
    pub skills: f64,
    /// 15 when the volunteer is available in the demand's weekly slot.
    pub availability: f64,
    /// 10 when the volunteer lives in the demand's compound.
    pub compound: f64,
    /// Up to 5: more for those who served less in the last 90 days.
    pub fairness: f64,
}

impl From<ScoreParts> for ScorePartsView {
    fn from(p: ScoreParts) -> Self {
        ScorePartsView { category: p.category, skills: p.skills, availability: p.availability, compound: p.compound, fairness: p.fairness }
    }
}

/// A volunteer suggested for a demand.
pub struct Suggestion {
    volunteer: Volunteer,
    parts: ScoreParts,
}

/// A volunteer suggested for a demand, with the score and its parts.
#[Object]
impl Suggestion {
    /// The volunteer.
    async fn volunteer(&self) -> &Volunteer {
        &self.volunteer
    }
    /// Total score (0 to 100).
    async fn score(&self) -> f64 {
        self.parts.total()
    }
    /// What the score is made of.
    async fn parts(&self) -> ScorePartsView {
        self.parts.into()
    }
}

/// A demand suggested to a volunteer.
pub struct DemandSuggestion {
    demand: Demand,
    parts: ScoreParts,
}

/// A demand suggested to a volunteer, with the score and its parts.
#[Object]
impl DemandSuggestion {
    /// The demand.
    async fn demand(&self) -> &Demand {
        &self.demand
    }
    /// Total score (0 to 100).
    async fn score(&self) -> f64 {
        self.parts.total()
    }
    /// What the score is made of.
    async fn parts(&self) -> ScorePartsView {
        self.parts.into()
    }
}

/// An entry of a community's demand list (需求清单).
pub struct Demand(pub demand::Model);
crate::graphql::connection::connection_node!(Demand);

/// An entry of a community's demand list (需求清单).
#[Object]
impl Demand {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::DEMAND, self.0.id)
    }
    /// Short title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What is needed.
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
        Ok(Community(loaded(
            crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityId(self.0.community_id)).await?,
            "community",
        )?))
    }
    /// The compound, if the need is in one.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Option<Compound>> {
        match self.0.compound_id {
            Some(c) => Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(CompoundId(c)).await?.map(Compound)),
            None => Ok(None),
        }
    }
    /// Where.
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }
    /// From when.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// Until when.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
    /// How many volunteers are needed.
    async fn headcount(&self) -> i32 {
        self.0.headcount
    }
    /// Skills wanted.
    async fn skills_wanted(&self) -> Vec<String> {
        list(&self.0.skills_wanted)
    }
    /// Where the demand stands.
    async fn status(&self) -> DemandStatus {
        self.0.status.into()
    }
    /// Version, incremented by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Invitations sent (staff).
    async fn invitations(&self, ctx: &Context<'_>) -> Result<Vec<Invitation>> {
        Ok(crate::volunteers::loaders::volunteer_loader(ctx)?
            .load_one(InvitationsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Invitation)
            .collect())
    }
    /// The volunteers of the community ranked for this demand, best first, with the parts of each
    /// score: category offered 40, share of wanted skills 30, available in the demand's weekly
    /// slot 15, same compound 10, fairness (served less in the last 90 days) 5. Staff only.
    async fn suggested_volunteers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many (default 10, at most 50).", default = 10)] first: i32,
    ) -> Result<Vec<Suggestion>> {
        let n = usize::try_from(first.clamp(0, 50)).unwrap_or(10);
        let rows = crate::volunteers::loaders::volunteer_loader(ctx)?.load_one(SuggestedVolunteers(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().take(n).map(|(v, parts)| Suggestion { volunteer: Volunteer(v), parts }).collect())
    }
}

/// A volunteer invited to a demand.
pub struct Invitation(pub invitation::Model);

/// A volunteer invited to a demand.
#[Object]
impl Invitation {
    /// Globally unique id.
    async fn id(&self) -> ID {
        global_id(kind::INVITATION, self.0.id)
    }
    /// The volunteer's answer.
    async fn status(&self) -> InvitationStatus {
        self.0.status.into()
    }
    /// The volunteer.
    async fn volunteer(&self, ctx: &Context<'_>) -> Result<Option<Volunteer>> {
        Ok(crate::volunteers::loaders::volunteer_loader(ctx)?.load_one(VolunteerId(self.0.volunteer_id)).await?.map(Volunteer))
    }
    /// When it was sent.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was answered.
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
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
        Ok(Community(loaded(
            crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityId(self.0.community_id)).await?,
            "community",
        )?))
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

fn hours(minutes: u64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

/// A volunteer's service record: the activities attended and the hours served.
pub struct ServiceRecord {
    person_id: Uuid,
    sign_ups: Vec<sign_up::Model>,
}

/// A volunteer's service record: the activities attended and the hours served.
#[Object]
impl ServiceRecord {
    /// The person's id.
    async fn person_id(&self) -> ID {
        ID(self.person_id.to_string())
    }
    /// Attended sign-ups, oldest first.
    async fn attended(&self) -> Vec<SignUp> {
        self.sign_ups.iter().cloned().map(SignUp).collect()
    }
    /// How many times the person served (参与服务人次).
    async fn person_times(&self) -> i32 {
        i32::try_from(self.sign_ups.len()).unwrap_or(i32::MAX)
    }
    /// Total service hours.
    async fn hours(&self) -> f64 {
        hours(self.sign_ups.iter().map(|s| s.service_minutes.unwrap_or(0).max(0) as u64).sum())
    }
}

/// Totals of the volunteer service for a slice.
#[derive(SimpleObject)]
pub struct ServiceTotals {
    /// Activities held.
    pub activities: i32,
    /// Person-times of service (参与服务人次).
    pub person_times: i32,
    /// Service hours.
    pub hours: f64,
    /// Residents served.
    pub residents_served: i32,
}

impl From<&Totals> for ServiceTotals {
    fn from(t: &Totals) -> Self {
        let n = |x: u64| i32::try_from(x).unwrap_or(i32::MAX);
        ServiceTotals {
            activities: n(t.activities),
            person_times: n(t.person_times),
            hours: hours(t.minutes),
            residents_served: n(t.residents_served),
        }
    }
}

/// Totals of one category.
#[derive(SimpleObject)]
pub struct CategoryTotals {
    /// The category's code.
    pub category: String,
    /// Its totals.
    pub totals: ServiceTotals,
}

/// Totals of one month.
#[derive(SimpleObject)]
pub struct MonthTotals {
    /// The month, `YYYY-MM` (Beijing time).
    pub month: String,
    /// Its totals.
    pub totals: ServiceTotals,
}

/// Statistics of the volunteer service, computed from the records.
#[derive(SimpleObject)]
pub struct VolunteerStatistics {
    /// Volunteers registered.
    pub volunteers: i32,
    /// In-service members checked in (approved).
    pub checked_in_members: i32,
    /// Totals over everything.
    pub totals: ServiceTotals,
    /// By category.
    pub by_category: Vec<CategoryTotals>,
    /// By month, oldest first.
    pub by_month: Vec<MonthTotals>,
}

// ---------------------------------------------------------------- queries

/// What a list's `totalCount` counts.
enum Count {
    Volunteers(Option<Uuid>),
    CheckIns(Option<Uuid>, Option<check_in::CheckInStatus>),
    Demands(Option<Uuid>, Option<demand::DemandStatus>),
    Activities(Option<Uuid>),
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

/// Queries of the volunteer service.
#[derive(Default)]
pub struct VolunteerQuery;

/// Queries of the volunteer service.
#[Object]
impl VolunteerQuery {
    /// The categories of the demand list.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn service_categories(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Also retired ones.", default = false)] include_retired: bool,
    ) -> Result<Vec<ServiceCategory>> {
        Ok(service::categories(&rc(ctx)?.cx, include_retired).await?.into_iter().map(ServiceCategory).collect())
    }

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
        let c = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId")).transpose()?;
        let page = service::volunteers(&r.cx, c, &args).await?;
        Ok(page.into_connection(|m| m.id, Volunteer, TotalCount::lazy(Count::Volunteers(c))))
    }

    /// Check-ins, oldest first: staff see their community's, a member sees their own.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    #[expect(clippy::too_many_arguments, reason = "a filtered connection: two filters and four paging arguments")]
    async fn check_ins(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
        #[graphql(desc = "Only this status.")] status: Option<CheckInStatus>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<CheckIn>> {
        let r = rc(ctx)?;
        let args = PageArgs::new(first, after, last, before)?;
        let c = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId")).transpose()?;
        let status = status.map(Into::into);
        let page = service::check_ins(&r.cx, c, status, &args).await?;
        Ok(page.into_connection(|m| m.id, CheckIn, TotalCount::lazy(Count::CheckIns(c, status))))
    }

    /// The demand lists of the caller's communities.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    #[expect(clippy::too_many_arguments, reason = "a filtered connection: two filters and four paging arguments")]
    async fn demands(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
        #[graphql(desc = "Only this status.")] status: Option<DemandStatus>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Demand>> {
        let r = rc(ctx)?;
        let args = PageArgs::new(first, after, last, before)?;
        let c = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId")).transpose()?;
        let page = service::demands(&r.cx, c, status.map(Into::into), &args).await?;
        Ok(page.into_connection(|m| m.id, Demand, TotalCount::lazy(Count::Demands(c, status.map(Into::into)))))
    }

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
        let c = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId")).transpose()?;
        let page = service::activities(&r.cx, c, &args).await?;
        Ok(page.into_connection(|m| m.id, Activity, TotalCount::lazy(Count::Activities(c))))
    }

    /// A service record: the caller's own, or (staff) a person's in their communities.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn service_record(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person (UUID); the caller by default.")] person_id: Option<ID>,
    ) -> Result<ServiceRecord> {
        let p = person_id.map(|id| Uuid::parse_str(&id).map_err(|_| AppError::bad_input("personId", "not a person id"))).transpose()?;
        let (person_id, sign_ups) = service::service_record(&rc(ctx)?.cx, p).await?;
        Ok(ServiceRecord { person_id, sign_ups })
    }

    /// Statistics of the volunteer service for the caller's communities, or one of them.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn volunteer_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
    ) -> Result<VolunteerStatistics> {
        let c = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId")).transpose()?;
        let s = stats::statistics(&rc(ctx)?.cx, c).await?;
        let n = |x: u64| i32::try_from(x).unwrap_or(i32::MAX);
        Ok(VolunteerStatistics {
            volunteers: n(s.volunteers),
            checked_in_members: n(s.checked_in_members),
            totals: (&s.totals).into(),
            by_category: s.by_category.iter().map(|(c, t)| CategoryTotals { category: c.clone(), totals: t.into() }).collect(),
            by_month: s.by_month.iter().map(|(m, t)| MonthTotals { month: m.clone(), totals: t.into() }).collect(),
        })
    }
}

// ---------------------------------------------------------------- mutations

/// Input of `createServiceCategory`.
#[derive(InputObject)]
pub struct CreateServiceCategoryInput {
    /// Code: lowercase letters, digits and dashes.
    pub code: String,
    /// Name.
    pub name: String,
}

/// Input of `retireServiceCategory`.
#[derive(InputObject)]
pub struct RetireServiceCategoryInput {
    /// The category.
    pub id: ID,
}

/// Result of the category mutations.
#[derive(SimpleObject)]
pub struct ServiceCategoryPayload {
    /// The category.
    pub category: ServiceCategory,
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
            compound_id: self.compound_id.as_ref().map(|id| expect_id(id, kind::COMPOUND, "compoundId")).transpose()?,
        })
    }
}

/// Input of `registerVolunteer`: staff give `personId` or `name` (and `phone`); a member registers themself.
#[derive(InputObject)]
pub struct RegisterVolunteerInput {
    /// The community.
    pub community_id: ID,
    /// A known person (UUID).
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

/// Input of `requestCheckIn`.
#[derive(InputObject)]
pub struct RequestCheckInInput {
    /// The community the member lives in.
    pub community_id: ID,
    /// Employer (工作单位).
    pub work_unit: String,
    /// Department.
    pub department: Option<String>,
    /// Where the organisational relation (组织关系) sits.
    pub organization_relation: String,
}

/// Input of `approveCheckIn`, `declineCheckIn` and `endCheckIn`.
#[derive(InputObject)]
pub struct CheckInDecisionInput {
    /// The check-in.
    pub id: ID,
    /// Why (for declining).
    pub reason: Option<String>,
}

/// Result of the check-in mutations.
#[derive(SimpleObject)]
pub struct CheckInPayload {
    /// The check-in.
    pub check_in: CheckIn,
}

/// Input of `postDemand`.
#[derive(InputObject)]
pub struct PostDemandInput {
    /// The community.
    pub community_id: ID,
    /// The category.
    pub category_id: ID,
    /// Short title.
    pub title: String,
    /// What is needed.
    #[graphql(default)]
    pub description: String,
    /// The compound, if the need is in one.
    pub compound_id: Option<ID>,
    /// Where.
    pub place: Option<String>,
    /// From when.
    pub starts_at: DateTime<Utc>,
    /// Until when.
    pub ends_at: DateTime<Utc>,
    /// How many volunteers (1 to 500).
    pub headcount: i32,
    /// Skills wanted.
    #[graphql(default)]
    pub skills_wanted: Vec<String>,
}

/// Input of `closeDemand` and `cancelDemand`.
#[derive(InputObject)]
pub struct DemandStatusInput {
    /// The demand.
    pub id: ID,
    /// The version the change is based on.
    pub expected_version: Option<i32>,
}

/// Result of the demand mutations.
#[derive(SimpleObject)]
pub struct DemandPayload {
    /// The demand.
    pub demand: Demand,
}

/// Input of `inviteVolunteer`.
#[derive(InputObject)]
pub struct InviteVolunteerInput {
    /// The demand.
    pub demand_id: ID,
    /// The volunteer (of the same community).
    pub volunteer_id: ID,
}

/// Input of `respondToInvitation`.
#[derive(InputObject)]
pub struct RespondToInvitationInput {
    /// The invitation.
    pub id: ID,
    /// Accept (true) or decline (false).
    pub accept: bool,
}

/// Result of the invitation mutations.
#[derive(SimpleObject)]
pub struct InvitationPayload {
    /// The invitation.
    pub invitation: Invitation,
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

/// Input of `recordResidentsServed`.
#[derive(InputObject)]
pub struct RecordResidentsServedInput {
    /// The activity.
    pub activity_id: ID,
    /// Residents served.
    pub residents_served: i32,
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

/// Input of `issueAttendanceCode`.
#[derive(InputObject)]
pub struct IssueAttendanceCodeInput {
    /// The activity.
    pub activity_id: ID,
}

/// Result of `issueAttendanceCode`.
#[derive(SimpleObject)]
pub struct AttendanceCodePayload {
    /// The activity.
    pub activity: Activity,
    /// The code to show the volunteers; valid two hours.
    pub code: String,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
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

/// Input of `checkInAttendance` and `checkOutAttendance`: the organiser gives `signUpId`; a
/// volunteer gives `activityId` and the `code` the organiser shows.
#[derive(InputObject)]
pub struct AttendanceInput {
    /// The sign-up (organiser).
    pub sign_up_id: Option<ID>,
    /// The activity (volunteer with a code).
    pub activity_id: Option<ID>,
    /// The code (volunteer).
    pub code: Option<String>,
}

impl AttendanceInput {
    fn decode(self) -> Result<Attendance, AppError> {
        match (self.sign_up_id, self.activity_id, self.code) {
            (Some(s), None, None) => Ok(Attendance::ByOrganiser { sign_up_id: expect_id(&s, kind::SIGN_UP, "signUpId")? }),
            (None, Some(a), Some(code)) => Ok(Attendance::ByCode { activity_id: expect_id(&a, kind::ACTIVITY, "activityId")?, code }),
            _ => Err(AppError::bad_input("signUpId", "give `signUpId`, or `activityId` with `code`")),
        }
    }
}

/// Result of the sign-up mutations.
#[derive(SimpleObject)]
pub struct SignUpPayload {
    /// The sign-up.
    pub sign_up: SignUp,
}

/// Mutations of the volunteer service; each is one transaction with its audit record.
#[derive(Default)]
pub struct VolunteerMutation;

/// Mutations of the volunteer service; each is one transaction with its audit record.
#[Object]
impl VolunteerMutation {
    /// Adds a category to the demand list (street admins).
    async fn create_service_category(&self, ctx: &Context<'_>, input: CreateServiceCategoryInput) -> Result<ServiceCategoryPayload> {
        Ok(ServiceCategoryPayload { category: ServiceCategory(service::create_category(&rc(ctx)?.cx, &input.code, &input.name).await?) })
    }

    /// Retires a category (street admins).
    async fn retire_service_category(&self, ctx: &Context<'_>, input: RetireServiceCategoryInput) -> Result<ServiceCategoryPayload> {
        let id = expect_id(&input.id, kind::SERVICE_CATEGORY, "id")?;
        Ok(ServiceCategoryPayload { category: ServiceCategory(service::retire_category(&rc(ctx)?.cx, id).await?) })
    }

    /// Registers a volunteer (community staff, or a member for themself).
    async fn register_volunteer(&self, ctx: &Context<'_>, input: RegisterVolunteerInput) -> Result<VolunteerPayload> {
        let new = service::NewVolunteer {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId")?,
            person_id: input
                .person_id
                .map(|id| Uuid::parse_str(&id).map_err(|_| AppError::bad_input("personId", "not a person id")))
                .transpose()?,
            name: input.name,
            phone: input.phone,
            profile: input.profile.decode()?,
        };
        Ok(VolunteerPayload { volunteer: Volunteer(service::register_volunteer(&rc(ctx)?.cx, new).await?) })
    }

    /// Edits a volunteer's resource list (the volunteer, or staff of the community).
    async fn update_volunteer_profile(&self, ctx: &Context<'_>, input: UpdateVolunteerProfileInput) -> Result<VolunteerPayload> {
        let id = expect_id(&input.id, kind::VOLUNTEER, "id")?;
        let v = service::update_profile(&rc(ctx)?.cx, id, input.profile.decode()?, input.expected_version).await?;
        Ok(VolunteerPayload { volunteer: Volunteer(v) })
    }

    /// An in-service member checks in (报到) to a community; one active check-in at a time.
    async fn request_check_in(&self, ctx: &Context<'_>, input: RequestCheckInInput) -> Result<CheckInPayload> {
        let r = rc(ctx)?;
        let new = service::NewCheckIn {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId")?,
            work_unit: input.work_unit,
            department: input.department,
            organization_relation: input.organization_relation,
        };
        Ok(CheckInPayload { check_in: CheckIn(service::request_check_in(&r.cx, new).await?) })
    }

    /// Approves a pending check-in (staff of that community only); the member becomes a volunteer there.
    async fn approve_check_in(&self, ctx: &Context<'_>, input: CheckInDecisionInput) -> Result<CheckInPayload> {
        self.decide(ctx, input, CheckInAction::Approve).await
    }

    /// Declines a pending check-in (staff of that community only).
    async fn decline_check_in(&self, ctx: &Context<'_>, input: CheckInDecisionInput) -> Result<CheckInPayload> {
        self.decide(ctx, input, CheckInAction::Decline).await
    }

    /// Ends a check-in (the member, or staff of that community).
    async fn end_check_in(&self, ctx: &Context<'_>, input: CheckInDecisionInput) -> Result<CheckInPayload> {
        self.decide(ctx, input, CheckInAction::End).await
    }

    /// Posts a demand on a community's demand list (community staff, or a compound branch's
    /// secretary for a demand at that compound).
    async fn post_demand(&self, ctx: &Context<'_>, input: PostDemandInput) -> Result<DemandPayload> {
        let new = service::NewDemand {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId")?,
            category_id: expect_id(&input.category_id, kind::SERVICE_CATEGORY, "categoryId")?,
            title: input.title,
            description: input.description,
            compound_id: input.compound_id.as_ref().map(|id| expect_id(id, kind::COMPOUND, "compoundId")).transpose()?,
            place: input.place,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            headcount: input.headcount,
            skills_wanted: input.skills_wanted,
        };
        Ok(DemandPayload { demand: Demand(service::post_demand(&rc(ctx)?.cx, new).await?) })
    }

    /// Closes a demand (staff, or the secretary of its compound's branch).
    async fn close_demand(&self, ctx: &Context<'_>, input: DemandStatusInput) -> Result<DemandPayload> {
        let id = expect_id(&input.id, kind::DEMAND, "id")?;
        Ok(DemandPayload {
            demand: Demand(service::set_demand_status(&rc(ctx)?.cx, id, demand::DemandStatus::Closed, input.expected_version).await?),
        })
    }

    /// Cancels a demand (staff, or the secretary of its compound's branch).
    async fn cancel_demand(&self, ctx: &Context<'_>, input: DemandStatusInput) -> Result<DemandPayload> {
        let id = expect_id(&input.id, kind::DEMAND, "id")?;
        Ok(DemandPayload {
            demand: Demand(service::set_demand_status(&rc(ctx)?.cx, id, demand::DemandStatus::Cancelled, input.expected_version).await?),
        })
    }

    /// Invites a (suggested) volunteer to a demand (staff).
    async fn invite_volunteer(&self, ctx: &Context<'_>, input: InviteVolunteerInput) -> Result<InvitationPayload> {
        let d = expect_id(&input.demand_id, kind::DEMAND, "demandId")?;
        let v = expect_id(&input.volunteer_id, kind::VOLUNTEER, "volunteerId")?;
        Ok(InvitationPayload { invitation: Invitation(service::invite(&rc(ctx)?.cx, d, v).await?) })
    }

    /// The invited volunteer accepts or declines.
    async fn respond_to_invitation(&self, ctx: &Context<'_>, input: RespondToInvitationInput) -> Result<InvitationPayload> {
        let id = expect_id(&input.id, kind::INVITATION, "id")?;
        Ok(InvitationPayload { invitation: Invitation(service::respond(&rc(ctx)?.cx, id, input.accept).await?) })
    }

    /// Creates an activity (staff).
    async fn create_activity(&self, ctx: &Context<'_>, input: CreateActivityInput) -> Result<ActivityPayload> {
        let new = service::NewActivity {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId")?,
            demand_id: input.demand_id.as_ref().map(|id| expect_id(id, kind::DEMAND, "demandId")).transpose()?,
            category_id: input.category_id.as_ref().map(|id| expect_id(id, kind::SERVICE_CATEGORY, "categoryId")).transpose()?,
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
        let a = expect_id(&input.activity_id, kind::ACTIVITY, "activityId")?;
        Ok(SignUpPayload { sign_up: SignUp(service::sign_up(&rc(ctx)?.cx, a).await?) })
    }

    /// Cancels a sign-up (the volunteer or staff); the first on the waiting list moves up.
    async fn cancel_sign_up(&self, ctx: &Context<'_>, input: CancelSignUpInput) -> Result<SignUpPayload> {
        let id = expect_id(&input.id, kind::SIGN_UP, "id")?;
        Ok(SignUpPayload { sign_up: SignUp(service::cancel_sign_up(&rc(ctx)?.cx, id).await?) })
    }

    /// Cancels an activity nobody has attended yet (staff); its sign-ups are cancelled with it.
    async fn cancel_activity(&self, ctx: &Context<'_>, input: CancelActivityInput) -> Result<ActivityPayload> {
        let id = expect_id(&input.id, kind::ACTIVITY, "id")?;
        Ok(ActivityPayload { activity: Activity(service::cancel_activity(&rc(ctx)?.cx, id, input.expected_version).await?) })
    }

    /// Issues a one-time attendance code (staff); volunteers check themselves in with it.
    async fn issue_attendance_code(&self, ctx: &Context<'_>, input: IssueAttendanceCodeInput) -> Result<AttendanceCodePayload> {
        let a = expect_id(&input.activity_id, kind::ACTIVITY, "activityId")?;
        let (activity, code) = service::issue_code(&rc(ctx)?.cx, a).await?;
        Ok(AttendanceCodePayload { expires_at: activity.code_expires_at, activity: Activity(activity), code })
    }

    /// Checks a volunteer in (the organiser, or the volunteer with the code).
    async fn check_in_attendance(&self, ctx: &Context<'_>, input: AttendanceInput) -> Result<SignUpPayload> {
        Ok(SignUpPayload { sign_up: SignUp(service::attend(&rc(ctx)?.cx, input.decode()?, false).await?) })
    }

    /// Checks a volunteer out; the time since check-in counts as service hours.
    async fn check_out_attendance(&self, ctx: &Context<'_>, input: AttendanceInput) -> Result<SignUpPayload> {
        Ok(SignUpPayload { sign_up: SignUp(service::attend(&rc(ctx)?.cx, input.decode()?, true).await?) })
    }

    /// Records how many residents an activity served (staff).
    async fn record_residents_served(&self, ctx: &Context<'_>, input: RecordResidentsServedInput) -> Result<ActivityPayload> {
        let a = expect_id(&input.activity_id, kind::ACTIVITY, "activityId")?;
        Ok(ActivityPayload { activity: Activity(service::record_residents(&rc(ctx)?.cx, a, input.residents_served).await?) })
    }
}

impl VolunteerMutation {
    async fn decide(&self, ctx: &Context<'_>, input: CheckInDecisionInput, action: CheckInAction) -> Result<CheckInPayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::CHECK_IN, "id")?;
        // Approved and ended check-ins change the member's scope; the commit's change
        // announcement ends the reuse of cached scopes.
        let model = service::decide_check_in(&r.cx, id, action, input.reason).await?;
        Ok(CheckInPayload { check_in: CheckIn(model) })
    }
}

/// The volunteer platform's objects that `node(id:)` refetches.
pub enum VolunteerNode {
    Volunteer(Volunteer),
    CheckIn(CheckIn),
    Demand(Demand),
    Activity(Activity),
    SignUp(SignUp),
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
        _ => None,
    })
}

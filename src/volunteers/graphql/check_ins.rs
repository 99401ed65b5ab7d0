//! Check-ins (报到) of in-service members to a community.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::check_in;

use super::{Count, kind, person};
use crate::graphql::connection::{Conn, TotalCount};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::organisation::graphql::{Community, Person};
use crate::organisation::loaders::CommunityId;
use crate::organisation::loaders::CommunityOfVisibleRow;
use crate::paging::PageArgs;
use crate::volunteers::ids::CheckInId;
use crate::volunteers::service::{self, CheckInAction};

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

/// Queries of the volunteer service: check-ins.
#[derive(Default)]
pub struct CheckInsQuery;

/// Queries of the volunteer service: check-ins.
#[Object]
impl CheckInsQuery {
    /// Check-ins, oldest first: staff see their community's, a member sees their own.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    #[expect(clippy::too_many_arguments, reason = "a list query takes its filters and the four Relay paging arguments")]
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
        let c = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId").map(CommunityId)).transpose()?;
        let status = status.map(Into::into);
        let page = service::check_ins(&r.cx, c, status, &args).await?;
        Ok(page.into_connection(|m| m.id, CheckIn, TotalCount::lazy(Count::CheckIns(c, status))))
    }
}

/// Mutations of the volunteer service: check-ins; each is one transaction with its audit record.
#[derive(Default)]
pub struct CheckInsMutation;

/// Mutations of the volunteer service: check-ins; each is one transaction with its audit record.
#[Object]
impl CheckInsMutation {
    /// An in-service member checks in (报到) to a community; one active check-in at a time.
    async fn request_check_in(&self, ctx: &Context<'_>, input: RequestCheckInInput) -> Result<CheckInPayload> {
        let r = rc(ctx)?;
        let new = service::NewCheckIn {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId").map(CommunityId)?,
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
}

impl CheckInsMutation {
    async fn decide(&self, ctx: &Context<'_>, input: CheckInDecisionInput, action: CheckInAction) -> Result<CheckInPayload> {
        let r = rc(ctx)?;
        let id = expect_id(&input.id, kind::CHECK_IN, "id").map(CheckInId)?;
        // Approved and ended check-ins change the member's scope; the commit's change
        // announcement ends the reuse of cached scopes.
        let model = service::decide_check_in(&r.cx, id, action, input.reason).await?;
        Ok(CheckInPayload { check_in: CheckIn(model) })
    }
}

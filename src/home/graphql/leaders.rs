//! Building and lane leaders by two-way selection (党员楼(街巷)长, 双向选择).

use crate::graphql::scalars::Date;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{building_leader, person};

use super::{Building, kind};
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::home::ids::{BuildingId, BuildingLeaderId};
use crate::home::loaders::*;
use crate::home::service;
use crate::organisation::graphql::PartyMember;
use crate::organisation::ids::MemberId;
use crate::organisation::loaders::{PersonOfVisibleRow, org_loader};

/// Where a building leader's selection stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::building_leader::LeaderStatus")]
pub enum LeaderStatus {
    /// One side has agreed; the other has not answered yet.
    Proposed,
    /// Both sides agreed: the member leads the building or lane.
    Active,
    /// The other side said no.
    Declined,
    /// The leader stepped down, or was stood down.
    Ended,
}

/// Which side began a selection.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::building_leader::Initiative")]
pub enum LeaderInitiative {
    /// The member applied.
    Application,
    /// The residents' side nominated the member.
    Nomination,
}

/// Who spoke for the residents in a selection.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::building_leader::ResidentsSide")]
pub enum ResidentsSide {
    /// The compound branch's secretary (书记).
    BranchSecretary,
    /// A member of the compound's owners' committee in office.
    OwnersCommittee,
    /// Community staff, for the residents.
    CommunityStaff,
}

/// A party member's two-way selection (双向选择) as leader of a building or lane (党员楼(街巷)长):
/// from the application or nomination, through the appointment once both sides agreed, to
/// stepping down. A leader's name is public inside the community; the phone is shown in full
/// only to staff of the community and to the person.
pub struct BuildingLeader(pub building_leader::Model, pub person::Model);

impl BuildingLeader {
    /// A selection the caller sees, with its member's person.
    pub fn of((m, p): (building_leader::Model, person::Model)) -> Self {
        BuildingLeader(m, p)
    }

    /// A selection just written by the caller, with its member's person.
    async fn written(ctx: &Context<'_>, m: building_leader::Model) -> Result<Self> {
        let p = loaded(org_loader(ctx)?.load_one(PersonOfVisibleRow(m.person_id)).await?, "person")?;
        Ok(BuildingLeader(m, p))
    }
}

/// A party member's two-way selection (双向选择) as leader of a building or lane (党员楼(街巷)长):
/// from the application or nomination, through the appointment once both sides agreed, to
/// stepping down. A leader's name is public inside the community; the phone is shown in full
/// only to staff of the community and to the person.
#[Object]
impl BuildingLeader {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::BUILDING_LEADER, self.0.id)
    }
    /// The building or lane.
    async fn building(&self, ctx: &Context<'_>) -> Result<Building> {
        Ok(Building(loaded(home_loader(ctx)?.load_one(BuildingId(self.0.building_id)).await?, "building")?))
    }
    /// Where the selection stands.
    async fn status(&self) -> LeaderStatus {
        self.0.status.into()
    }
    /// Which side began it.
    async fn initiated_by(&self) -> LeaderInitiative {
        self.0.initiated_by.into()
    }
    /// The member's name.
    async fn name(&self) -> &str {
        &self.1.name
    }
    /// The member's phone: in full for staff of the community and the person, masked otherwise.
    async fn phone(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let reveal = rc(ctx)?.cx.scope.reveals_person(Some(self.0.community_id), self.1.id);
        Ok(self.1.phone.as_deref().map(|phone| if reveal { phone.to_owned() } else { crate::organisation::service::mask_phone(phone) }))
    }
    /// Whether the phone is shown in full.
    async fn personal_data_visible(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(rc(ctx)?.cx.scope.reveals_person(Some(self.0.community_id), self.0.person_id))
    }
    /// The member's party registration, where the caller sees party members (staff, and the member).
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<PartyMember>> {
        Ok(org_loader(ctx)?.load_one(MemberId(self.0.member_id)).await?.map(PartyMember))
    }
    /// When the member agreed (applied, or accepted the nomination).
    async fn member_agreed_at(&self) -> Option<DateTime<Utc>> {
        self.0.member_agreed_at
    }
    /// When the residents' side agreed (nominated, or accepted the application).
    async fn residents_agreed_at(&self) -> Option<DateTime<Utc>> {
        self.0.residents_agreed_at
    }
    /// Who spoke for the residents.
    async fn residents_side(&self) -> Option<ResidentsSide> {
        self.0.residents_side.map(Into::into)
    }
    /// The first day of the term: the day both sides had agreed (Beijing time).
    async fn term_start(&self) -> Option<Date> {
        self.0.term_start.map(Date)
    }
    /// The last day of the term, if one was set.
    async fn term_end(&self) -> Option<Date> {
        self.0.term_end.map(Date)
    }
    /// The day the leader stepped down (Beijing time).
    async fn ended_on(&self) -> Option<Date> {
        self.0.ended_on.map(Date)
    }
    /// Why the leader stepped down.
    async fn end_reason(&self) -> Option<&str> {
        self.0.end_reason.as_deref()
    }
    /// Version, incremented by every change; pass it as `expectedVersion` to answer safely.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Input of `applyForBuildingLeader`.
#[derive(InputObject)]
pub struct ApplyForBuildingLeaderInput {
    /// The building or lane.
    pub building_id: ID,
    /// The last day of the term offered, after today.
    pub term_end: Option<Date>,
}

/// Input of `nominateBuildingLeader`.
#[derive(InputObject)]
pub struct NominateBuildingLeaderInput {
    /// The building or lane.
    pub building_id: ID,
    /// The party member nominated: a member of the compound's branch.
    pub member_id: ID,
    /// The last day of the term offered, after today.
    pub term_end: Option<Date>,
}

/// Input of `answerBuildingLeaderSelection`.
#[derive(InputObject)]
pub struct AnswerBuildingLeaderSelectionInput {
    /// The selection (a `BuildingLeader` id).
    pub id: ID,
    /// Agree (appoints the leader) or decline.
    pub accept: bool,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Input of `stepDownBuildingLeader`.
#[derive(InputObject)]
pub struct StepDownBuildingLeaderInput {
    /// The active leader (a `BuildingLeader` id).
    pub id: ID,
    /// Why (at most 500 characters).
    pub reason: Option<String>,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Result of the building leader mutations.
#[derive(SimpleObject)]
pub struct BuildingLeaderPayload {
    /// The selection.
    pub building_leader: BuildingLeader,
}

/// Mutations of home co-building: building and lane leaders by two-way selection.
#[derive(Default)]
pub struct BuildingLeadersMutation;

/// Mutations of home co-building: building and lane leaders by two-way selection.
#[Object]
impl BuildingLeadersMutation {
    /// A party member of the compound's branch applies to lead a building or lane (the member
    /// principal, for themself); the residents' side answers.
    async fn apply_for_building_leader(&self, ctx: &Context<'_>, input: ApplyForBuildingLeaderInput) -> Result<BuildingLeaderPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let building = BuildingId(expect_id(&input.building_id, kind::BUILDING, "buildingId")?);
        let model = service::apply(&r.cx, building, input.term_end.map(|d| d.0)).await?;
        Ok(BuildingLeaderPayload { building_leader: BuildingLeader::written(ctx, model).await? })
    }

    /// The residents' side (the compound branch's secretary, a member of its owners' committee, or
    /// community staff) nominates a party member of the branch; the member answers.
    async fn nominate_building_leader(&self, ctx: &Context<'_>, input: NominateBuildingLeaderInput) -> Result<BuildingLeaderPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let building = BuildingId(expect_id(&input.building_id, kind::BUILDING, "buildingId")?);
        let member = MemberId(expect_id(&input.member_id, kind::PARTY_MEMBER, "memberId")?);
        let model = service::nominate(&r.cx, building, member, input.term_end.map(|d| d.0)).await?;
        Ok(BuildingLeaderPayload { building_leader: BuildingLeader::written(ctx, model).await? })
    }

    /// The side that has not agreed yet answers a selection; agreeing appoints the leader
    /// (`CONFLICT` when the building already has one).
    async fn answer_building_leader_selection(
        &self,
        ctx: &Context<'_>,
        input: AnswerBuildingLeaderSelectionInput,
    ) -> Result<BuildingLeaderPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let id = BuildingLeaderId(expect_id(&input.id, kind::BUILDING_LEADER, "id")?);
        let model = service::answer(&r.cx, id, input.accept, input.expected_version).await?;
        Ok(BuildingLeaderPayload { building_leader: BuildingLeader::written(ctx, model).await? })
    }

    /// An active leader steps down (themself), or is stood down by the residents' side.
    async fn step_down_building_leader(&self, ctx: &Context<'_>, input: StepDownBuildingLeaderInput) -> Result<BuildingLeaderPayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let id = BuildingLeaderId(expect_id(&input.id, kind::BUILDING_LEADER, "id")?);
        let model = service::step_down(&r.cx, id, input.reason, input.expected_version).await?;
        Ok(BuildingLeaderPayload { building_leader: BuildingLeader::written(ctx, model).await? })
    }
}

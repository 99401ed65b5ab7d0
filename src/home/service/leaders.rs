//! Building and lane leaders by two-way selection (党员楼(街巷)长, 双向选择): a party member of
//! the compound's branch applies, or the residents' side (the branch's secretary, a member of the
//! owners' committee in office, or community staff for them) nominates one; the appointment
//! exists only once the other side agrees. One active leader per building or lane, held by a
//! unique partial index behind a lock on the building's row.

use chrono::{NaiveDate, Utc};
use entity::building;
use entity::building_leader::{self, Initiative, LeaderStatus};
use entity::party_member;
use entity::party_organization::{self, OrganizationKind};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::{beijing_today, roles};
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::home::ids::{BuildingId, BuildingLeaderId};
use crate::home::visibility::{self, residents_side};
use crate::organisation::ids::MemberId;
use crate::validate::clean_optional;
use crate::write::{Audit, Write};

/// Locks a building or lane in the caller's sight; `NOT_FOUND` otherwise.
async fn lock_building(w: &Write<'_>, id: Uuid) -> AppResult<building::Model> {
    let cx = w.cx();
    w.lock(building::Entity::find_by_id(id).filter(visibility::structure_filter(&cx.scope, building::Column::CommunityId)))
        .await?
        .ok_or_else(|| AppError::not_found("building"))
}

/// The party member registration of `person` (or the member `member`) in the branch of the
/// building's compound: who may lead its buildings.
async fn member_of_compound(
    db: &impl ConnectionTrait,
    building: &building::Model,
    filter: sea_orm::sea_query::SimpleExpr,
) -> AppResult<Option<party_member::Model>> {
    let branch = party_organization::Entity::find()
        .filter(party_organization::Column::CommunityId.eq(building.community_id))
        .filter(party_organization::Column::CompoundId.eq(building.compound_id))
        .filter(party_organization::Column::Kind.eq(OrganizationKind::CompoundBranch))
        .one(db)
        .await?;
    let Some(branch) = branch else { return Ok(None) };
    Ok(party_member::Entity::find()
        .filter(party_member::Column::CommunityId.eq(building.community_id))
        .filter(party_member::Column::BranchId.eq(branch.id))
        .filter(filter)
        .one(db)
        .await?)
}

/// Refuses a second proposal while one is active for the same member and building.
async fn refuse_if_leading(db: &impl ConnectionTrait, building: &building::Model, member: Uuid) -> AppResult<()> {
    let leading = building_leader::Entity::find()
        .filter(building_leader::Column::CommunityId.eq(building.community_id))
        .filter(building_leader::Column::BuildingId.eq(building.id))
        .filter(building_leader::Column::MemberId.eq(member))
        .filter(building_leader::Column::Status.eq(LeaderStatus::Active))
        .count(db)
        .await?;
    if leading > 0 {
        return Err(AppError::Conflict("the member already leads this building".into()));
    }
    Ok(())
}

fn check_term_end(term_end: Option<NaiveDate>) -> AppResult<Option<NaiveDate>> {
    let end = crate::validate::check_optional_date("termEnd", term_end)?;
    if end.is_some_and(|e| e <= beijing_today()) {
        return Err(AppError::bad_input("termEnd", "a term ends after today"));
    }
    Ok(end)
}

/// Writes a changed selection if it is still at the version read; the one-active-leader index
/// answers `CONFLICT` should a second appointment ever get past the building's lock.
async fn save(
    db: &impl ConnectionTrait,
    row: building_leader::ActiveModel,
    current: &building_leader::Model,
) -> AppResult<building_leader::Model> {
    let result = building_leader::Entity::update_many()
        .set(row)
        .filter(building_leader::Column::Id.eq(current.id))
        .filter(building_leader::Column::Version.eq(current.version))
        .exec(db)
        .await
        .map_err(|e| crate::db::conflict_on_unique(e, "another leader was appointed to this building at the same time"))?;
    if result.rows_affected == 0 {
        return Err(AppError::Conflict("the selection was changed concurrently; read it again and retry".into()));
    }
    building_leader::Entity::find_by_id(current.id).one(db).await?.ok_or_else(|| AppError::internal("updated selection vanished"))
}

const OPEN_PROPOSAL: &str = "an application or nomination of this member for this building is already open";

/// A party member of the compound's branch applies to lead a building or lane: the member's side
/// has agreed; the residents' side answers.
pub async fn apply(cx: &Cx, building_id: BuildingId, term_end: Option<NaiveDate>) -> AppResult<building_leader::Model> {
    cx.scope.require_authenticated()?;
    let term_end = check_term_end(term_end)?;
    let Some(me) = cx.scope.person_id() else {
        return Err(AppError::Forbidden("party members apply to lead a building for themselves".into()));
    };
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let building = lock_building(&w, building_id.0).await?;
    let member = member_of_compound(txn, &building, party_member::Column::PersonId.eq(me))
        .await?
        .ok_or_else(|| AppError::Forbidden("only party members of the compound's branch may lead its buildings and lanes".into()))?;
    refuse_if_leading(txn, &building, member.id).await?;
    let now = Utc::now();
    let model = building_leader::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(building.community_id),
        compound_id: Set(building.compound_id),
        building_id: Set(building.id),
        member_id: Set(member.id),
        person_id: Set(member.person_id),
        initiated_by: Set(Initiative::Application),
        status: Set(LeaderStatus::Proposed),
        member_agreed_at: Set(Some(now)),
        residents_agreed_at: Set(None),
        residents_side: Set(None),
        residents_agent: Set(None),
        term_start: Set(None),
        term_end: Set(term_end),
        ended_on: Set(None),
        end_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(|e| crate::db::conflict_on_unique(e, OPEN_PROPOSAL))?;
    w.commit(
        Audit::new("applyForBuildingLeader", "BuildingLeader")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "buildingId": model.building_id })),
    )
    .await?;
    Ok(model)
}

/// The residents' side (branch secretary, owners' committee member, community staff) nominates a
/// party member of the compound's branch: the residents have agreed; the member answers.
pub async fn nominate(
    cx: &Cx,
    building_id: BuildingId,
    member_id: MemberId,
    term_end: Option<NaiveDate>,
) -> AppResult<building_leader::Model> {
    cx.scope.require_authenticated()?;
    let term_end = check_term_end(term_end)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let building = lock_building(&w, building_id.0).await?;
    let roles = roles(txn, &cx.scope).await?;
    let side = residents_side(&cx.scope, &roles, building.community_id, building.compound_id).ok_or_else(|| {
        AppError::Forbidden(
            "building leaders are nominated by the compound branch's secretary, its owners' committee, or community staff".into(),
        )
    })?;
    let member = member_of_compound(txn, &building, party_member::Column::Id.eq(member_id.0))
        .await?
        .ok_or_else(|| AppError::bad_input("memberId", "not a party member of this compound's branch"))?;
    refuse_if_leading(txn, &building, member.id).await?;
    let now = Utc::now();
    let model = building_leader::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(building.community_id),
        compound_id: Set(building.compound_id),
        building_id: Set(building.id),
        member_id: Set(member.id),
        person_id: Set(member.person_id),
        initiated_by: Set(Initiative::Nomination),
        status: Set(LeaderStatus::Proposed),
        member_agreed_at: Set(None),
        residents_agreed_at: Set(Some(now)),
        residents_side: Set(Some(side)),
        residents_agent: Set(Some(cx.scope.label().to_owned())),
        term_start: Set(None),
        term_end: Set(term_end),
        ended_on: Set(None),
        end_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(|e| crate::db::conflict_on_unique(e, OPEN_PROPOSAL))?;
    w.commit(
        Audit::new("nominateBuildingLeader", "BuildingLeader")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "buildingId": model.building_id, "side": side.to_value() })),
    )
    .await?;
    Ok(model)
}

/// The side that has not agreed yet answers a selection: the nominated member, or the residents'
/// side for an application. Agreeing appoints the leader, unless the building has one already
/// (`CONFLICT`: one active leader per building or lane).
pub async fn answer(cx: &Cx, id: BuildingLeaderId, accept: bool, expected: Option<i32>) -> AppResult<building_leader::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let roles = roles(txn, &cx.scope).await?;
    let current = w
        .lock(building_leader::Entity::find_by_id(id.0).filter(visibility::leader_filter(&cx.scope, &roles)))
        .await?
        .ok_or_else(|| AppError::not_found("building leader selection"))?;
    let now = Utc::now();
    let mut row: building_leader::ActiveModel = current.clone().into();
    if current.member_agreed_at.is_none() {
        if cx.scope.person_id() != Some(current.person_id) {
            return Err(AppError::Forbidden("only the nominated member answers a nomination".into()));
        }
        row.member_agreed_at = Set(accept.then_some(now));
    } else {
        let side = residents_side(&cx.scope, &roles, current.community_id, current.compound_id).ok_or_else(|| {
            AppError::Forbidden(
                "applications are answered by the compound branch's secretary, its owners' committee, or community staff".into(),
            )
        })?;
        row.residents_agreed_at = Set(accept.then_some(now));
        row.residents_side = Set(Some(side));
        row.residents_agent = Set(Some(cx.scope.label().to_owned()));
    }
    if current.status != LeaderStatus::Proposed {
        return Err(AppError::BadInput {
            message: format!("cannot answer a selection that is {}", current.status.to_value()),
            field: Some("status".into()),
        });
    }
    Write::expect_version(expected, current.version)?;
    if accept {
        // The building's row orders appointments to it: the second finds the first's leader.
        lock_building(&w, current.building_id).await?;
        let leader = building_leader::Entity::find()
            .filter(building_leader::Column::CommunityId.eq(current.community_id))
            .filter(building_leader::Column::BuildingId.eq(current.building_id))
            .filter(building_leader::Column::Status.eq(LeaderStatus::Active))
            .count(txn)
            .await?;
        if leader > 0 {
            return Err(AppError::Conflict("the building already has a leader; they step down before another is appointed".into()));
        }
        row.status = Set(LeaderStatus::Active);
        row.term_start = Set(Some(beijing_today()));
    } else {
        row.status = Set(LeaderStatus::Declined);
    }
    row.version = Set(current.version + 1);
    row.updated_at = Set(now);
    let model = save(txn, row, &current).await?;
    w.commit(
        Audit::new("answerBuildingLeaderSelection", "BuildingLeader")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "accept": accept, "status": model.status.to_value() })),
    )
    .await?;
    Ok(model)
}

/// An active leader steps down (themself), or is stood down by the residents' side; the history
/// stays.
pub async fn step_down(cx: &Cx, id: BuildingLeaderId, reason: Option<String>, expected: Option<i32>) -> AppResult<building_leader::Model> {
    cx.scope.require_authenticated()?;
    let reason = clean_optional("reason", reason, 500)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let roles = roles(txn, &cx.scope).await?;
    let current = w
        .lock(building_leader::Entity::find_by_id(id.0).filter(visibility::leader_filter(&cx.scope, &roles)))
        .await?
        .ok_or_else(|| AppError::not_found("building leader"))?;
    let own = cx.scope.person_id() == Some(current.person_id);
    if !own && residents_side(&cx.scope, &roles, current.community_id, current.compound_id).is_none() {
        return Err(AppError::Forbidden(
            "a leader steps down themself, or is stood down by the compound branch's secretary, its owners' committee or community staff"
                .into(),
        ));
    }
    if current.status != LeaderStatus::Active {
        return Err(AppError::BadInput {
            message: format!("cannot step down from a selection that is {}", current.status.to_value()),
            field: Some("status".into()),
        });
    }
    Write::expect_version(expected, current.version)?;
    let mut row: building_leader::ActiveModel = current.clone().into();
    row.status = Set(LeaderStatus::Ended);
    row.ended_on = Set(Some(beijing_today()));
    row.end_reason = Set(reason);
    row.version = Set(current.version + 1);
    row.updated_at = Set(Utc::now());
    let model = save(txn, row, &current).await?;
    w.commit(
        Audit::new("stepDownBuildingLeader", "BuildingLeader")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "buildingId": model.building_id, "self": own })),
    )
    .await?;
    Ok(model)
}

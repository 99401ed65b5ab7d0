//! Rules of co-building units and their seats on joint committees.

use super::*;

/// One page of the co-building units the scope may see.
pub async fn units(cx: &Cx, args: &PageArgs) -> AppResult<Page<co_building_unit::Model>> {
    cx.scope.require_authenticated()?;
    let select = co_building_unit::Entity::find().filter(visibility::units(&cx.scope));
    Ok(args.finish(args.apply(select, co_building_unit::Column::Id).all(&cx.db).await?))
}

/// How many co-building units the scope may see.
pub async fn unit_count(cx: &Cx) -> AppResult<u64> {
    cx.scope.require_authenticated()?;
    Ok(co_building_unit::Entity::find().filter(visibility::units(&cx.scope)).count(&cx.db).await?)
}

/// A unit the scope may see, by code.
pub async fn unit_by_code(cx: &Cx, code: &str) -> AppResult<Option<co_building_unit::Model>> {
    cx.scope.require_authenticated()?;
    Ok(co_building_unit::Entity::find()
        .filter(co_building_unit::Column::Code.eq(code))
        .filter(visibility::units(&cx.scope))
        .one(&cx.db)
        .await?)
}

/// A unit's new seat on a community's joint committee.
pub struct NewMembership {
    pub community_id: CommunityId,
    pub unit_id: UnitId,
    pub role: MembershipRole,
    pub since: Option<NaiveDate>,
}

/// Seats a co-building unit on a community's joint committee.
pub async fn add_membership(cx: &Cx, input: NewMembership) -> AppResult<committee_membership::Model> {
    cx.scope.require_admin(input.community_id.0)?;
    let since = crate::validate::check_date("since", input.since.unwrap_or_else(|| Utc::now().date_naive()))?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let unit = co_building_unit::Entity::find_by_id(input.unit_id.0)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::bad_input("unitId", "no such unit"))?;
    let committee = party_organization::Entity::find()
        .filter(party_organization::Column::CommunityId.eq(input.community_id.0))
        .filter(party_organization::Column::Kind.eq(OrganizationKind::JointCommittee))
        .order_by_asc(party_organization::Column::Id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::bad_input("communityId", "the community has no joint committee"))?;
    let open = committee_membership::Entity::find()
        .filter(committee_membership::Column::CommunityId.eq(input.community_id.0))
        .filter(committee_membership::Column::UnitId.eq(unit.id))
        .filter(committee_membership::Column::Until.is_null())
        .one(txn)
        .await?;
    if open.is_some() {
        return Err(AppError::Conflict(format!("{} already sits on this joint committee", unit.name)));
    }
    let model = committee_membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(input.community_id.0),
        committee_id: Set(committee.id),
        unit_id: Set(unit.id),
        role: Set(input.role),
        since: Set(since),
        until: Set(None),
        version: Set(1),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    w.commit(
        Audit::new("addCommitteeMembership", "CommitteeMembership")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "unit": unit.code, "role": model.role.to_value(), "since": model.since })),
    )
    .await?;
    Ok(model)
}

/// Ends a unit's seat on a joint committee, inside the caller's transaction: the collaboration
/// service flags the unit's open shares in the same one, and writes the audit record.
pub async fn end_membership(
    txn: &DatabaseTransaction,
    cx: &Cx,
    id: crate::organisation::ids::MembershipId,
    until: Option<NaiveDate>,
    expected_version: Option<i32>,
) -> AppResult<committee_membership::Model> {
    let id = id.0;
    cx.scope.require_authenticated()?;
    crate::validate::check_optional_date("until", until)?;
    let current = committee_membership::Entity::find_by_id(id)
        .filter(visibility::seats(&cx.scope))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("membership"))?;
    cx.scope.require_admin(current.community_id)?;
    check_version(expected_version, current.version, "the membership")?;
    if current.until.is_some() {
        return Err(AppError::Conflict("the membership has already ended".into()));
    }
    let until = until.unwrap_or_else(|| Utc::now().date_naive());
    if until < current.since {
        return Err(AppError::bad_input("until", "`until` must not be before the membership began"));
    }
    let mut model: committee_membership::ActiveModel = current.clone().into();
    model.until = Set(Some(until));
    model.version = Set(current.version + 1);
    guarded_update::<committee_membership::Entity, _>(
        txn,
        model,
        committee_membership::Column::Id,
        committee_membership::Column::Version,
        id,
        current.version,
    )
    .await
}

/// Whether a unit sits on a community's joint committee today.
pub async fn unit_sits_on(
    db: &impl ConnectionTrait,
    community_id: crate::organisation::ids::CommunityId,
    unit_id: crate::organisation::ids::UnitId,
) -> AppResult<bool> {
    let (community_id, unit_id) = (community_id.0, unit_id.0);
    Ok(committee_membership::Entity::find()
        .filter(committee_membership::Column::CommunityId.eq(community_id))
        .filter(committee_membership::Column::UnitId.eq(unit_id))
        .filter(active_membership())
        .count(db)
        .await?
        > 0)
}

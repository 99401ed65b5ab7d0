//! Rules of party organisations: branches and their secretaries.

use super::*;

/// A party branch to create: for a compound, or for the community itself.
pub struct NewBranch {
    pub community_id: Option<CommunityId>,
    pub compound_id: Option<CompoundId>,
    pub name: String,
    pub founded_on: Option<NaiveDate>,
}

/// Creates a party branch under the community's joint committee.
pub async fn create_party_branch(cx: &Cx, input: NewBranch) -> AppResult<party_organization::Model> {
    cx.scope.require_authenticated()?;
    let name = clean_name("name", &input.name, 100)?;
    crate::validate::check_optional_date("foundedOn", input.founded_on)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let (community_id, compound_id, kind) = match (input.compound_id.map(|c| c.0), input.community_id.map(|c| c.0)) {
        (Some(compound_id), _) => {
            let compound = compound::Entity::find_by_id(compound_id)
                .filter(cx.scope.tenant_filter(compound::Column::CommunityId))
                .one(txn)
                .await?
                .ok_or_else(|| AppError::bad_input("compoundId", "no such compound"))?;
            if let Some(CommunityId(c)) = input.community_id
                && c != compound.community_id
            {
                return Err(AppError::bad_input("communityId", "the compound is in another community"));
            }
            (compound.community_id, Some(compound_id), OrganizationKind::CompoundBranch)
        }
        (None, Some(c)) => (c, None, OrganizationKind::CommunityBranch),
        (None, None) => return Err(AppError::bad_input("communityId", "give `communityId` or `compoundId`")),
    };
    cx.scope.require_admin(community_id)?;
    if let Some(compound_id) = compound_id {
        let existing = party_organization::Entity::find()
            .filter(party_organization::Column::CommunityId.eq(community_id))
            .filter(party_organization::Column::CompoundId.eq(compound_id))
            .one(txn)
            .await?;
        if existing.is_some() {
            return Err(AppError::Conflict("this compound already has a party branch".into()));
        }
    }
    let parent = party_organization::Entity::find()
        .filter(party_organization::Column::CommunityId.eq(community_id))
        .filter(party_organization::Column::Kind.eq(OrganizationKind::JointCommittee))
        .order_by_asc(party_organization::Column::Id)
        .one(txn)
        .await?;
    let model = party_organization::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        kind: Set(kind),
        name: Set(name),
        parent_id: Set(parent.map(|p| p.id)),
        compound_id: Set(compound_id),
        founded_on: Set(input.founded_on),
        secretary_id: Set(None),
        version: Set(1),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await
    .map_err(|e| conflict_on_unique(e, "this compound already has a party branch"))?;
    w.commit(
        Audit::new("createPartyBranch", "PartyOrganization")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "name": model.name, "kind": model.kind.to_value() })),
    )
    .await?;
    Ok(model)
}

/// Appoints one of an organisation's members its secretary (书记), or with `None` leaves the
/// post vacant (street or community administrators). A branch's secretary is a member of that
/// branch; a joint committee's, a member registered in its community.
pub async fn set_secretary(
    cx: &Cx,
    organization_id: OrganizationId,
    member_id: Option<MemberId>,
    expected_version: Option<i32>,
) -> AppResult<party_organization::Model> {
    cx.scope.require_authenticated()?;
    let OrganizationId(organization_id) = organization_id;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let current = party_organization::Entity::find_by_id(organization_id)
        .filter(cx.scope.tenant_filter(party_organization::Column::CommunityId))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("party organisation"))?;
    cx.scope.require_admin(current.community_id)?;
    check_version(expected_version, current.version, "the party organisation")?;
    let secretary = match member_id {
        None => None,
        Some(MemberId(id)) => {
            let member = party_member::Entity::find_by_id(id)
                .filter(party_member::Column::CommunityId.eq(current.community_id))
                .one(txn)
                .await?
                .ok_or_else(|| AppError::bad_input("memberId", "no such party member in this community"))?;
            if current.kind != OrganizationKind::JointCommittee && member.branch_id != Some(current.id) {
                return Err(AppError::bad_input("memberId", "the secretary must be a member of this branch"));
            }
            Some(member)
        }
    };
    let mut model: party_organization::ActiveModel = current.clone().into();
    model.secretary_id = Set(secretary.as_ref().map(|m| m.id));
    model.version = Set(current.version + 1);
    let updated = guarded_update::<party_organization::Entity, _>(
        txn,
        model,
        party_organization::Column::Id,
        party_organization::Column::Version,
        organization_id,
        current.version,
    )
    .await?;
    w.commit(
        Audit::new("setPartySecretary", "PartyOrganization")
            .object(updated.id)
            .community(updated.community_id)
            .summary(json!({ "name": updated.name, "secretaryId": updated.secretary_id, "previous": current.secretary_id })),
    )
    .await?;
    Ok(updated)
}

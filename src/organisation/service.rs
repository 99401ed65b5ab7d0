//! Rules of the organisation graph. Every function takes the request's scope first; reads are
//! filtered by it and writes are checked against it. Each mutation runs in one transaction.

use chrono::{NaiveDate, Utc};
use entity::co_building_unit;
use entity::committee_membership::{self, MembershipRole};
use entity::community;
use entity::compound::{self, CompoundKind};
use entity::party_member::{self, MemberKind};
use entity::party_organization::{self, OrganizationKind};
use entity::{person, region};
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;
use sha2::Sha256;
use uuid::Uuid;

use crate::cx::Cx;
use crate::db::{conflict_on_unique, guarded_update};
use crate::error::{AppError, AppResult};
use crate::organisation::loaders::active_membership;
use crate::organisation::visibility;
use crate::paging::{Page, PageArgs};
use crate::validate::{check_version, clean_name, clean_optional, clean_phone};
use crate::write::{Audit, Write};

// ---------------------------------------------------------------- reads

/// The streets the scope reaches into.
pub async fn streets(cx: &Cx) -> AppResult<Vec<region::Model>> {
    cx.scope.require_authenticated()?;
    let ids: Vec<Uuid> = cx.scope.streets().collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(region::Entity::find().filter(region::Column::Id.is_in(ids)).order_by_asc(region::Column::Id).all(&cx.db).await?)
}

/// One page of the communities in cx.scope.
pub async fn communities(cx: &Cx, args: &PageArgs) -> AppResult<Page<community::Model>> {
    cx.scope.require_authenticated()?;
    let select = community::Entity::find().filter(cx.scope.tenant_filter(community::Column::Id));
    Ok(args.finish(args.apply(select, community::Column::Id).all(&cx.db).await?))
}

/// How many communities are in cx.scope.
pub fn community_count(cx: &Cx) -> u64 {
    cx.scope.community_count() as u64
}

/// Every community in scope, in creation order.
pub async fn all_communities(cx: &Cx) -> AppResult<Vec<community::Model>> {
    if cx.scope.community_count() == 0 {
        return Ok(Vec::new());
    }
    Ok(community::Entity::find()
        .filter(cx.scope.tenant_filter(community::Column::Id))
        .order_by_asc(community::Column::Id)
        .all(&cx.db)
        .await?)
}

/// A community in scope by code.
pub async fn community_by_code(cx: &Cx, code: &str) -> AppResult<Option<community::Model>> {
    cx.scope.require_authenticated()?;
    Ok(community::Entity::find()
        .filter(community::Column::Code.eq(code))
        .filter(cx.scope.tenant_filter(community::Column::Id))
        .order_by_asc(community::Column::Id)
        .one(&cx.db)
        .await?)
}

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

// ---------------------------------------------------------------- validation

fn check_built_year(year: Option<i32>) -> AppResult<Option<i32>> {
    let this_year = Utc::now().date_naive().format("%Y").to_string().parse::<i32>().unwrap_or(2100);
    match year {
        Some(y) if !(1900..=this_year).contains(&y) => {
            Err(AppError::bad_input("builtYear", format!("`builtYear` must be between 1900 and {this_year}")))
        }
        other => Ok(other),
    }
}

fn check_households(n: Option<i32>) -> AppResult<Option<i32>> {
    match n {
        Some(n) if !(0..=100_000).contains(&n) => Err(AppError::bad_input("households", "`households` must be between 0 and 100000")),
        other => Ok(other),
    }
}

/// The key of ID-number hashes: `GONGZHI_ID_NUMBER_KEY`, else the token secret. Keyed, because
/// the space of resident ID numbers is small enough to hash through without a key.
fn id_number_key() -> &'static [u8] {
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KEY.get_or_init(|| match std::env::var("GONGZHI_ID_NUMBER_KEY") {
        Ok(k) if !k.is_empty() => k,
        _ => crate::config::jwt_secret().0,
    })
    .as_bytes()
}

/// Keyed hash (HMAC-SHA-256) of a national ID number; the number itself is never stored.
pub fn hash_id_number(value: &str) -> AppResult<String> {
    let v = value.trim().to_ascii_uppercase();
    let valid =
        v.len() == 18 && v.chars().take(17).all(|c| c.is_ascii_digit()) && v.chars().last().is_some_and(|c| c.is_ascii_digit() || c == 'X');
    if !valid {
        return Err(AppError::bad_input("idNumber", "`idNumber` must be an 18-character resident ID number"));
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(id_number_key()).map_err(|_| AppError::internal("ID-number key"))?;
    mac.update(v.as_bytes());
    Ok(mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect())
}

// ---------------------------------------------------------------- compounds

/// A compound to create.
pub struct NewCompound {
    pub community_id: Uuid,
    pub name: String,
    pub kind: CompoundKind,
    pub built_year: Option<i32>,
    pub households: Option<i32>,
    pub address: Option<String>,
}

/// Creates a compound in a community the caller administers.
pub async fn create_compound(cx: &Cx, input: NewCompound) -> AppResult<compound::Model> {
    cx.scope.require_admin(input.community_id)?;
    let name = clean_name("name", &input.name, 100)?;
    let built_year = check_built_year(input.built_year)?;
    let households = check_households(input.households)?;
    let address = clean_optional("address", input.address, 200)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    if compound_named(txn, input.community_id, &name).await?.is_some() {
        return Err(AppError::Conflict(format!("a compound named {name} already exists in this community")));
    }
    let now = Utc::now();
    let model = compound::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(input.community_id),
        name: Set(name),
        kind: Set(input.kind),
        built_year: Set(built_year),
        households: Set(households),
        address: Set(address),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(|e| conflict_on_unique(e, "a compound with this name already exists in this community"))?;
    let summary =
        json!({ "name": model.name, "kind": model.kind.to_value(), "builtYear": model.built_year, "households": model.households });
    w.commit(Audit::new("createCompound", "Compound").object(model.id).community(model.community_id).summary(summary)).await?;
    Ok(model)
}

async fn compound_named(db: &impl ConnectionTrait, community_id: Uuid, name: &str) -> AppResult<Option<compound::Model>> {
    Ok(compound::Entity::find()
        .filter(compound::Column::CommunityId.eq(community_id))
        .filter(compound::Column::Name.eq(name))
        .one(db)
        .await?)
}

/// Changes to a compound; absent fields stay as they are.
#[derive(Default)]
pub struct CompoundChanges {
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub kind: Option<CompoundKind>,
    pub built_year: Option<i32>,
    pub households: Option<i32>,
    pub address: Option<String>,
}

/// Updates a compound; community staff may keep its facts current.
pub async fn update_compound(cx: &Cx, id: Uuid, changes: CompoundChanges) -> AppResult<compound::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let current = compound::Entity::find_by_id(id)
        .filter(cx.scope.tenant_filter(compound::Column::CommunityId))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("compound"))?;
    cx.scope.require_staff(current.community_id, "update compounds")?;
    check_version(changes.expected_version, current.version, "the compound")?;
    let mut model: compound::ActiveModel = current.clone().into();
    if let Some(name) = changes.name {
        let name = clean_name("name", &name, 100)?;
        if name != current.name && compound_named(txn, current.community_id, &name).await?.is_some() {
            return Err(AppError::Conflict(format!("a compound named {name} already exists in this community")));
        }
        model.name = Set(name);
    }
    if let Some(kind) = changes.kind {
        model.kind = Set(kind);
    }
    if changes.built_year.is_some() {
        model.built_year = Set(check_built_year(changes.built_year)?);
    }
    if changes.households.is_some() {
        model.households = Set(check_households(changes.households)?);
    }
    if changes.address.is_some() {
        model.address = Set(clean_optional("address", changes.address, 200)?);
    }
    model.version = Set(current.version + 1);
    model.updated_at = Set(Utc::now());
    let updated =
        guarded_update::<compound::Entity, _>(txn, model, compound::Column::Id, compound::Column::Version, id, current.version).await?;
    w.commit(Audit::new("updateCompound", "Compound").object(updated.id).community(updated.community_id).summary(
        json!({ "name": updated.name, "builtYear": updated.built_year, "households": updated.households, "version": updated.version }),
    ))
    .await?;
    Ok(updated)
}

// ---------------------------------------------------------------- party organisations

/// A party branch to create: for a compound, or for the community itself.
pub struct NewBranch {
    pub community_id: Option<Uuid>,
    pub compound_id: Option<Uuid>,
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
    let (community_id, compound_id, kind) = match (input.compound_id, input.community_id) {
        (Some(compound_id), _) => {
            let compound = compound::Entity::find_by_id(compound_id)
                .filter(cx.scope.tenant_filter(compound::Column::CommunityId))
                .one(txn)
                .await?
                .ok_or_else(|| AppError::bad_input("compoundId", "no such compound"))?;
            if let Some(c) = input.community_id {
                if c != compound.community_id {
                    return Err(AppError::bad_input("communityId", "the compound is in another community"));
                }
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
    organization_id: Uuid,
    member_id: Option<Uuid>,
    expected_version: Option<i32>,
) -> AppResult<party_organization::Model> {
    cx.scope.require_authenticated()?;
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
        Some(id) => {
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

/// The organisations whose secretary the calling member is (none for other principals).
pub async fn organizations_led(cx: &Cx) -> AppResult<Vec<party_organization::Model>> {
    let Some(person) = cx.scope.person_id() else { return Ok(Vec::new()) };
    let members: Vec<Uuid> = party_member::Entity::find()
        .select_only()
        .column(party_member::Column::Id)
        .filter(party_member::Column::PersonId.eq(person))
        .filter(cx.scope.tenant_filter(party_member::Column::CommunityId))
        .into_tuple()
        .all(&cx.db)
        .await?;
    if members.is_empty() {
        return Ok(Vec::new());
    }
    Ok(party_organization::Entity::find()
        .filter(party_organization::Column::SecretaryId.is_in(members))
        .filter(cx.scope.tenant_filter(party_organization::Column::CommunityId))
        .order_by_asc(party_organization::Column::Id)
        .all(&cx.db)
        .await?)
}

// ---------------------------------------------------------------- committee memberships

/// A unit's new seat on a community's joint committee.
pub struct NewMembership {
    pub community_id: Uuid,
    pub unit_id: Uuid,
    pub role: MembershipRole,
    pub since: Option<NaiveDate>,
}

/// Seats a co-building unit on a community's joint committee.
pub async fn add_membership(cx: &Cx, input: NewMembership) -> AppResult<committee_membership::Model> {
    cx.scope.require_admin(input.community_id)?;
    let since = crate::validate::check_date("since", input.since.unwrap_or_else(|| Utc::now().date_naive()))?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let unit =
        co_building_unit::Entity::find_by_id(input.unit_id).one(txn).await?.ok_or_else(|| AppError::bad_input("unitId", "no such unit"))?;
    let committee = party_organization::Entity::find()
        .filter(party_organization::Column::CommunityId.eq(input.community_id))
        .filter(party_organization::Column::Kind.eq(OrganizationKind::JointCommittee))
        .order_by_asc(party_organization::Column::Id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::bad_input("communityId", "the community has no joint committee"))?;
    let open = committee_membership::Entity::find()
        .filter(committee_membership::Column::CommunityId.eq(input.community_id))
        .filter(committee_membership::Column::UnitId.eq(unit.id))
        .filter(committee_membership::Column::Until.is_null())
        .one(txn)
        .await?;
    if open.is_some() {
        return Err(AppError::Conflict(format!("{} already sits on this joint committee", unit.name)));
    }
    let model = committee_membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(input.community_id),
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
    id: Uuid,
    until: Option<NaiveDate>,
    expected_version: Option<i32>,
) -> AppResult<committee_membership::Model> {
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
pub async fn unit_sits_on(db: &impl ConnectionTrait, community_id: Uuid, unit_id: Uuid) -> AppResult<bool> {
    Ok(committee_membership::Entity::find()
        .filter(committee_membership::Column::CommunityId.eq(community_id))
        .filter(committee_membership::Column::UnitId.eq(unit_id))
        .filter(active_membership())
        .count(db)
        .await?
        > 0)
}

// ---------------------------------------------------------------- party members

/// A party member to register; a new person is created unless `person_id` names one.
pub struct NewMember {
    pub community_id: Uuid,
    pub person_id: Option<Uuid>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub id_number: Option<String>,
    pub kind: MemberKind,
    pub branch_id: Option<Uuid>,
    pub work_unit: Option<String>,
    pub organization_relation: Option<String>,
    pub joined_on: Option<NaiveDate>,
}

async fn check_branch(db: &impl ConnectionTrait, community_id: Uuid, branch_id: Uuid) -> AppResult<()> {
    let branch =
        party_organization::Entity::find_by_id(branch_id).filter(party_organization::Column::CommunityId.eq(community_id)).one(db).await?;
    match branch {
        Some(b) if b.kind != OrganizationKind::JointCommittee => Ok(()),
        Some(_) => Err(AppError::bad_input("branchId", "members belong to a branch, not to the joint committee")),
        None => Err(AppError::bad_input("branchId", "no such branch in this community")),
    }
}

/// A person the caller knows as staff: living in, registered in, volunteering in or checked in
/// to one of the communities the caller is staff of. Anyone else answers `BAD_USER_INPUT` as if
/// unknown, so that a guessed id neither links nor unmasks a stranger; a person from elsewhere
/// checks in themself or is registered anew.
pub async fn person_known_to_staff(db: &impl ConnectionTrait, cx: &Cx, id: Uuid) -> AppResult<person::Model> {
    let unknown = || AppError::bad_input("personId", "no such person in your communities");
    let p = person::Entity::find_by_id(id).one(db).await?.ok_or_else(unknown)?;
    if p.home_community_id.is_some_and(|c| cx.scope.is_staff_of(c)) {
        return Ok(p);
    }
    let scope = &cx.scope;
    let linked = party_member::Entity::find()
        .filter(party_member::Column::PersonId.eq(id))
        .filter(scope.staff_filter(party_member::Column::CommunityId))
        .count(db)
        .await?
        + entity::volunteer::Entity::find()
            .filter(entity::volunteer::Column::PersonId.eq(id))
            .filter(scope.staff_filter(entity::volunteer::Column::CommunityId))
            .count(db)
            .await?
        + entity::check_in::Entity::find()
            .filter(entity::check_in::Column::PersonId.eq(id))
            .filter(scope.staff_filter(entity::check_in::Column::CommunityId))
            .count(db)
            .await?;
    if linked == 0 {
        return Err(unknown());
    }
    Ok(p)
}

/// Registers a party member in a community the caller is staff of.
pub async fn register_member(cx: &Cx, input: NewMember) -> AppResult<party_member::Model> {
    cx.scope.require_staff(input.community_id, "register members")?;
    let phone = clean_phone(input.phone)?;
    let address = clean_optional("address", input.address, 200)?;
    let id_hash = input.id_number.as_deref().map(hash_id_number).transpose()?;
    let work_unit = clean_optional("workUnit", input.work_unit, 100)?;
    let relation = clean_optional("organizationRelation", input.organization_relation, 200)?;
    crate::validate::check_optional_date("joinedOn", input.joined_on)?;
    let now = Utc::now();
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    if let Some(branch) = input.branch_id {
        check_branch(txn, input.community_id, branch).await?;
    }
    let person_id = match input.person_id {
        Some(id) => person_known_to_staff(txn, cx, id).await?.id,
        None => {
            let name = clean_name("name", input.name.as_deref().unwrap_or(""), 50)?;
            let home = (input.kind == MemberKind::Resident).then_some(input.community_id);
            person::ActiveModel {
                id: Set(Uuid::now_v7()),
                name: Set(name),
                gender: Set(None),
                birth_year: Set(None),
                phone: Set(phone),
                address: Set(address),
                id_number_hash: Set(id_hash),
                home_community_id: Set(home),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?
            .id
        }
    };
    let exists = party_member::Entity::find()
        .filter(party_member::Column::CommunityId.eq(input.community_id))
        .filter(party_member::Column::PersonId.eq(person_id))
        .one(txn)
        .await?;
    if exists.is_some() {
        return Err(AppError::Conflict("this person is already registered as a member of this community".into()));
    }
    let model = party_member::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(input.community_id),
        person_id: Set(person_id),
        branch_id: Set(input.branch_id),
        kind: Set(input.kind),
        joined_on: Set(input.joined_on),
        work_unit: Set(work_unit),
        organization_relation: Set(relation),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(|e| conflict_on_unique(e, "this person is already registered as a member of this community"))?;
    w.commit(
        Audit::new("registerPartyMember", "PartyMember")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "kind": model.kind.to_value(), "newPerson": input.person_id.is_none() })),
    )
    .await?;
    Ok(model)
}

/// Changes to a party member and their person record; absent fields stay.
#[derive(Default)]
pub struct MemberChanges {
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub kind: Option<MemberKind>,
    pub branch_id: Option<Uuid>,
    pub work_unit: Option<String>,
    pub organization_relation: Option<String>,
}

/// Updates a party member in a community the caller is staff of.
pub async fn update_member(cx: &Cx, id: Uuid, changes: MemberChanges) -> AppResult<party_member::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let current = party_member::Entity::find_by_id(id)
        .filter(visibility::members(&cx.scope))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("party member"))?;
    cx.scope.require_staff(current.community_id, "update members")?;
    check_version(changes.expected_version, current.version, "the member")?;
    let changed: Vec<&str> = [
        ("name", changes.name.is_some()),
        ("phone", changes.phone.is_some()),
        ("kind", changes.kind.is_some()),
        ("branchId", changes.branch_id.is_some()),
        ("workUnit", changes.work_unit.is_some()),
        ("organizationRelation", changes.organization_relation.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect();
    if changes.name.is_some() || changes.phone.is_some() {
        let mut p: person::ActiveModel = person::Entity::find_by_id(current.person_id)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::internal("member without person"))?
            .into();
        if let Some(name) = &changes.name {
            p.name = Set(clean_name("name", name, 50)?);
        }
        if changes.phone.is_some() {
            p.phone = Set(clean_phone(changes.phone)?);
        }
        p.updated_at = Set(Utc::now());
        p.version = Set(p.version.as_ref() + 1);
        p.update(txn).await?;
    }
    let mut model: party_member::ActiveModel = current.clone().into();
    if let Some(kind) = changes.kind {
        model.kind = Set(kind);
    }
    if let Some(branch) = changes.branch_id {
        check_branch(txn, current.community_id, branch).await?;
        model.branch_id = Set(Some(branch));
    }
    if changes.work_unit.is_some() {
        model.work_unit = Set(clean_optional("workUnit", changes.work_unit, 100)?);
    }
    if changes.organization_relation.is_some() {
        model.organization_relation = Set(clean_optional("organizationRelation", changes.organization_relation, 200)?);
    }
    model.version = Set(current.version + 1);
    model.updated_at = Set(Utc::now());
    let updated =
        guarded_update::<party_member::Entity, _>(txn, model, party_member::Column::Id, party_member::Column::Version, id, current.version)
            .await?;
    w.commit(
        Audit::new("updatePartyMember", "PartyMember")
            .object(updated.id)
            .community(updated.community_id)
            // Field names only: the values may be personal data.
            .summary(json!({ "changed": changed, "version": updated.version })),
    )
    .await?;
    Ok(updated)
}

/// Masks a phone number for callers outside staff scope: `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let head: String = chars.iter().take(3.min(chars.len() - 4)).collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_and_validated() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("1234"), "****");
        assert!(clean_phone(Some("abc".into())).is_err());
        assert!(clean_phone(Some("+86 138-1234-5678".into())).is_ok());
    }

    #[test]
    fn id_numbers_are_hashed_never_kept() {
        let h = hash_id_number("35058219900101123x").unwrap(); // ok: test
        assert_eq!(h.len(), 64);
        assert!(!h.contains("350582"));
        assert!(hash_id_number("123").is_err());
    }
}

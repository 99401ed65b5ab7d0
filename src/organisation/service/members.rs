//! Rules of party members and the people behind them (personal data kept out of sight).

use super::*;

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
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(id_number_key()).map_err(|_| AppError::internal("ID-number key"))?;
    mac.update(v.as_bytes());
    Ok(mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect())
}

/// A party member to register; a new person is created unless `person_id` names one.
pub struct NewMember {
    pub community_id: CommunityId,
    pub person_id: Option<PersonId>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub id_number: Option<String>,
    pub kind: MemberKind,
    pub branch_id: Option<OrganizationId>,
    pub work_unit: Option<String>,
    pub organization_relation: Option<String>,
    pub joined_on: Option<NaiveDate>,
}

async fn check_branch(db: &impl ConnectionTrait, community_id: CommunityId, branch_id: OrganizationId) -> AppResult<()> {
    let (CommunityId(community_id), OrganizationId(branch_id)) = (community_id, branch_id);
    let branch =
        party_organization::Entity::find_by_id(branch_id).filter(party_organization::Column::CommunityId.eq(community_id)).one(db).await?;
    match branch {
        Some(b) if b.kind != OrganizationKind::JointCommittee => Ok(()),
        Some(_) => Err(AppError::bad_input("branchId", "members belong to a branch, not to the joint committee")),
        None => Err(AppError::bad_input("branchId", "no such branch in this community")),
    }
}

/// The people staff know: living in, registered in, volunteering in, checked in or signed up to,
/// or residing in one of the communities the caller is staff of; never-true for anyone else.
fn known_to_staff(scope: &crate::auth::Scope) -> sea_orm::Condition {
    use entity::{check_in, residence, sign_up, volunteer};
    use sea_orm::QueryTrait;
    fn linked<E: EntityTrait>(person: E::Column, community: E::Column, scope: &crate::auth::Scope) -> sea_orm::sea_query::SimpleExpr {
        let rows = E::find().select_only().column(person).filter(scope.staff_filter(community)).into_query();
        person::Column::Id.in_subquery(rows)
    }
    // `person` is no tenant table (row-level security does not guard it), so its own clause is
    // the scope's, not a tenant filter the suite may drop.
    let staff: Vec<Uuid> = scope.staff_communities().collect();
    let home = if staff.is_empty() { sea_orm::sea_query::Expr::cust("1 = 0") } else { person::Column::HomeCommunityId.is_in(staff) };
    sea_orm::Condition::any()
        .add(home)
        .add(linked::<party_member::Entity>(party_member::Column::PersonId, party_member::Column::CommunityId, scope))
        .add(linked::<volunteer::Entity>(volunteer::Column::PersonId, volunteer::Column::CommunityId, scope))
        .add(linked::<check_in::Entity>(check_in::Column::PersonId, check_in::Column::CommunityId, scope))
        .add(linked::<sign_up::Entity>(sign_up::Column::PersonId, sign_up::Column::CommunityId, scope))
        .add(linked::<residence::Entity>(residence::Column::PersonId, residence::Column::CommunityId, scope))
}

/// A person the caller knows as staff (see `known_to_staff`), in one statement. Anyone else
/// answers `BAD_USER_INPUT` as if unknown, so that a guessed id neither links nor unmasks a
/// stranger; a person from elsewhere checks in themself or is registered anew.
pub async fn person_known_to_staff(db: &impl ConnectionTrait, cx: &Cx, id: PersonId) -> AppResult<person::Model> {
    person::Entity::find_by_id(id.0)
        .filter(known_to_staff(&cx.scope))
        .one(db)
        .await?
        .ok_or_else(|| AppError::bad_input("personId", "no such person in your communities"))
}

/// A person as `node(id:)` refetches them, with whether their personal data shows: the caller
/// themself, and staff of a community the person is known in (in full, as on the rows that lead
/// to them). Anyone else gets `None`, as for an id that does not exist.
pub async fn visible_person(cx: &Cx, id: PersonId) -> AppResult<Option<(person::Model, bool)>> {
    let scope = &cx.scope;
    let mut cond = known_to_staff(scope);
    if let Some(me) = scope.person_id() {
        cond = cond.add(person::Column::Id.eq(me));
    }
    let found = person::Entity::find_by_id(id.0).filter(cond).one(&cx.db).await?;
    Ok(found.map(|p| (p, true)))
}

/// Registers a party member in a community the caller is staff of.
pub async fn register_member(cx: &Cx, input: NewMember) -> AppResult<party_member::Model> {
    cx.scope.require_staff(input.community_id.0, "register members")?;
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
            let home = (input.kind == MemberKind::Resident).then_some(input.community_id.0);
            person::ActiveModel {
                id: Set(Uuid::now_v7()),
                name: Set(name),
                gender: Set(None),
                birth_year: Set(None),
                phone: Set(phone),
                address: Set(address),
                id_number_hash: Set(id_hash),
                home_community_id: Set(home),
                oidc_subject: Set(None),
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
        .filter(party_member::Column::CommunityId.eq(input.community_id.0))
        .filter(party_member::Column::PersonId.eq(person_id))
        .one(txn)
        .await?;
    if exists.is_some() {
        return Err(AppError::Conflict("this person is already registered as a member of this community".into()));
    }
    let model = party_member::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(input.community_id.0),
        person_id: Set(person_id),
        branch_id: Set(input.branch_id.map(|b| b.0)),
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
    pub branch_id: Option<OrganizationId>,
    pub work_unit: Option<String>,
    pub organization_relation: Option<String>,
}

/// Updates a party member in a community the caller is staff of.
pub async fn update_member(cx: &Cx, id: MemberId, changes: MemberChanges) -> AppResult<party_member::Model> {
    let MemberId(id) = id;
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
        check_branch(txn, CommunityId(current.community_id), branch).await?;
        model.branch_id = Set(Some(branch.0));
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

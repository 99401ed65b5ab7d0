//! Staff accounts: the roles people hold in gongzhi (`role_grant`), and the link of a person to
//! their login at the city's OpenID Connect issuer (`person.oidc_subject`).
//!
//! A person who logs in through the issuer is a member (a resident) unless they hold a grant.
//! With several grants, the `X-Gongzhi-Role` header chooses one: a role (`community-staff`; of
//! several grants of that role, the oldest), a grant's id, or `member`. Without the header the
//! broadest grant is taken: city admin, then street admin, community admin, community staff,
//! unit, reporter; among equals the oldest.

use chrono::Utc;
use entity::role_grant::{self, GrantRole};
use entity::{co_building_unit, community, person, region};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::oidc::PersonClaim;
use super::token::{Claims, Role};
use crate::error::{AppError, AppResult};

/// The gongzhi role of a grant.
pub fn role_of(grant: GrantRole) -> Role {
    match grant {
        GrantRole::CityAdmin => Role::CityAdmin,
        GrantRole::StreetAdmin => Role::StreetAdmin,
        GrantRole::CommunityAdmin => Role::CommunityAdmin,
        GrantRole::CommunityStaff => Role::CommunityStaff,
        GrantRole::Unit => Role::Unit,
        GrantRole::Reporter => Role::Reporter,
    }
}

/// The grant of a gongzhi role; `None` for `member`, which is never granted.
pub fn grant_of(role: Role) -> Option<GrantRole> {
    match role {
        Role::CityAdmin => Some(GrantRole::CityAdmin),
        Role::StreetAdmin => Some(GrantRole::StreetAdmin),
        Role::CommunityAdmin => Some(GrantRole::CommunityAdmin),
        Role::CommunityStaff => Some(GrantRole::CommunityStaff),
        Role::Unit => Some(GrantRole::Unit),
        Role::Reporter => Some(GrantRole::Reporter),
        Role::Member => None,
    }
}

/// How broad a role is, broadest first: the order a choice among several grants follows.
fn breadth(role: GrantRole) -> u8 {
    match role {
        GrantRole::CityAdmin => 0,
        GrantRole::StreetAdmin => 1,
        GrantRole::CommunityAdmin => 2,
        GrantRole::CommunityStaff => 3,
        GrantRole::Unit => 4,
        GrantRole::Reporter => 5,
    }
}

/// The person a verified token's claim names; an unknown login is `UNAUTHENTICATED`.
pub async fn person_of_login(db: &impl ConnectionTrait, claim: &PersonClaim, claims: &Map<String, Value>) -> AppResult<Uuid> {
    let name = claim.name();
    let value = match claims.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(AppError::Unauthenticated(format!("token lacks the `{name}` claim gongzhi knows people by"))),
    };
    let unknown = || {
        AppError::Unauthenticated(format!(
            "this login is not known to gongzhi: no person is linked to its `{name}`; ask the community to link the login first"
        ))
    };
    let found: Vec<Uuid> = match claim {
        PersonClaim::Phone => {
            if claims.get("phone_number_verified") == Some(&Value::Bool(false)) {
                return Err(AppError::Unauthenticated("the login's phone number is not verified".into()));
            }
            let number: String = value.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
            let mut forms = vec![number.clone()];
            if let Some(national) = number.strip_prefix("+86") {
                forms.push(national.to_owned());
            }
            person::Entity::find()
                .select_only()
                .column(person::Column::Id)
                .filter(person::Column::Phone.is_in(forms))
                .limit(2)
                .into_tuple()
                .all(db)
                .await?
        }
        PersonClaim::Subject(_) => {
            person::Entity::find()
                .select_only()
                .column(person::Column::Id)
                .filter(person::Column::OidcSubject.eq(value))
                .limit(2)
                .into_tuple()
                .all(db)
                .await?
        }
    };
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(unknown()),
        _ => Err(AppError::Unauthenticated(
            "this login's phone number belongs to several people in gongzhi; link the login to one person by its subject instead".into(),
        )),
    }
}

/// Claims of a role the operator trusts the issuer for (`GONGZHI_OIDC_TRUST_ROLES`): the claim is
/// an object like gongzhi's own tokens' claims (`role` and its anchor). A member is always the
/// person the login is linked to, whatever the claim says.
pub fn claims_of_trusted_role(value: &Value, person: Uuid, claim: &str) -> AppResult<Claims> {
    #[derive(serde::Deserialize)]
    struct Trusted {
        role: Role,
        city: Option<String>,
        street: Option<String>,
        community: Option<String>,
        unit: Option<String>,
    }
    let bad = |why: String| AppError::Unauthenticated(format!("token's `{claim}` claim {why}"));
    let t: Trusted = serde_json::from_value(value.clone()).map_err(|e| bad(format!("is not a gongzhi role: {e}")))?;
    let mut claims = Claims::new(t.role, std::time::Duration::ZERO);
    claims.city = t.city;
    claims.street = t.street;
    claims.community = t.community;
    claims.unit = t.unit;
    claims.person = Some(person);
    claims.validate().map_err(|why| bad(why.replace("--", "")))?;
    Ok(claims.with_subject())
}

/// Claims of the person's grant chosen by `choice` (the `X-Gongzhi-Role` header: a role, a
/// grant's id or `member`), else of their broadest grant; a member's without any grant.
pub async fn claims_of_grants(db: &impl ConnectionTrait, person: Uuid, choice: Option<&str>) -> AppResult<Claims> {
    let member = || {
        let mut claims = Claims::new(Role::Member, std::time::Duration::ZERO);
        claims.person = Some(person);
        claims.with_subject()
    };
    let mut grants = of_person(db, person).await?;
    let choice = choice.map(str::trim).filter(|c| !c.is_empty());
    let chosen =
        match choice {
            None => grants.into_iter().next(),
            Some("member") => None,
            Some(choice) => {
                if let Ok(id) = Uuid::parse_str(choice) {
                    grants.retain(|g| g.id == id);
                } else {
                    let role: Role = serde_json::from_value(Value::String(choice.to_owned())).map_err(|_| {
                        AppError::Unauthenticated(format!("X-Gongzhi-Role `{choice}` is neither a gongzhi role nor a grant's id"))
                    })?;
                    grants.retain(|g| Some(g.role) == grant_of(role));
                }
                Some(grants.into_iter().next().ok_or_else(|| {
                    AppError::Unauthenticated(format!("this login holds no grant `{choice}` in gongzhi (X-Gongzhi-Role)"))
                })?)
            }
        };
    match chosen {
        None => Ok(member()),
        Some(grant) => claims_of_grant(db, &grant).await,
    }
}

/// The claims a grant stands for, with the codes of its anchors.
async fn claims_of_grant(db: &impl ConnectionTrait, grant: &role_grant::Model) -> AppResult<Claims> {
    let gone = || AppError::Unauthenticated("the login's grant refers to a place or unit that no longer exists".into());
    let region_code = |id: Option<Uuid>| async move {
        match id {
            Some(id) => region::Entity::find_by_id(id).one(db).await?.map(|r| r.code).ok_or_else(gone).map(Some),
            None => Ok(None),
        }
    };
    let mut claims = Claims::new(role_of(grant.role), std::time::Duration::ZERO);
    claims.person = Some(grant.person_id);
    match grant.role {
        GrantRole::CityAdmin => claims.city = region_code(grant.region_id).await?,
        GrantRole::StreetAdmin | GrantRole::Reporter => claims.street = region_code(grant.region_id).await?,
        GrantRole::CommunityAdmin | GrantRole::CommunityStaff => {
            let id = grant.community_id.ok_or_else(gone)?;
            let c = community::Entity::find_by_id(id).one(db).await?.ok_or_else(gone)?;
            claims.street = region_code(Some(c.street_id)).await?;
            claims.community = Some(c.code);
        }
        GrantRole::Unit => {
            let id = grant.unit_id.ok_or_else(gone)?;
            claims.unit = Some(co_building_unit::Entity::find_by_id(id).one(db).await?.ok_or_else(gone)?.code);
            claims.street = region_code(grant.region_id).await?;
        }
    }
    claims.validate().map_err(|_| gone())?;
    Ok(claims.with_subject())
}

/// A person's grants, in the order of choice: broadest first, then oldest.
pub async fn of_person(db: &impl ConnectionTrait, person: Uuid) -> AppResult<Vec<role_grant::Model>> {
    let mut grants = role_grant::Entity::find()
        .filter(role_grant::Column::PersonId.eq(person))
        .order_by_asc(role_grant::Column::CreatedAt)
        .order_by_asc(role_grant::Column::Id)
        .all(db)
        .await?;
    grants.sort_by_key(|g| breadth(g.role));
    Ok(grants)
}

/// Every grant, oldest first.
pub async fn all(db: &impl ConnectionTrait) -> AppResult<Vec<role_grant::Model>> {
    Ok(role_grant::Entity::find().order_by_asc(role_grant::Column::CreatedAt).order_by_asc(role_grant::Column::Id).all(db).await?)
}

/// Where a grant is anchored, by code, as the command line names it.
#[derive(Debug, Clone, Default)]
pub struct Anchor {
    /// City code (city admin).
    pub city: Option<String>,
    /// Street code (street admin, reporter; for a unit, the street it is limited to; for a
    /// community, the street it is in, when its code is not unique).
    pub street: Option<String>,
    /// Community code (community admin or staff).
    pub community: Option<String>,
    /// Unit code (unit).
    pub unit: Option<String>,
}

/// Grants `role` at `anchor` to `person`, recorded as by `by`. The anchor must name what the
/// role needs; members are not granted.
pub async fn grant(db: &impl ConnectionTrait, person: Uuid, role: Role, anchor: &Anchor, by: &str) -> AppResult<role_grant::Model> {
    let invalid = |why: String| AppError::BadInput { message: why, field: None };
    let grant_role = grant_of(role).ok_or_else(|| invalid("a person without grants is a member: there is nothing to grant".into()))?;
    person::Entity::find_by_id(person).one(db).await?.ok_or_else(|| invalid(format!("no person `{person}`")))?;
    let need = |what: &str, v: &Option<String>| v.clone().ok_or_else(|| invalid(format!("this role needs --{what}")));
    let region = |kind: region::RegionKind, code: String| async move {
        region::Entity::find()
            .filter(region::Column::Kind.eq(kind))
            .filter(region::Column::Code.eq(code.as_str()))
            .one(db)
            .await?
            .map(|r| r.id)
            .ok_or_else(|| AppError::BadInput {
                message: format!("no {} with code `{code}`", if kind == region::RegionKind::City { "city" } else { "street" }),
                field: None,
            })
    };
    let (mut region_id, mut community_id, mut unit_id) = (None, None, None);
    match grant_role {
        GrantRole::CityAdmin => region_id = Some(region(region::RegionKind::City, need("city", &anchor.city)?).await?),
        GrantRole::StreetAdmin | GrantRole::Reporter => {
            region_id = Some(region(region::RegionKind::Street, need("street", &anchor.street)?).await?)
        }
        GrantRole::CommunityAdmin | GrantRole::CommunityStaff => {
            let code = need("community", &anchor.community)?;
            let mut query = community::Entity::find().filter(community::Column::Code.eq(code.as_str()));
            if let Some(street) = &anchor.street {
                query = query.filter(community::Column::StreetId.eq(region(region::RegionKind::Street, street.clone()).await?));
            }
            let mut found = query.limit(2).all(db).await?;
            if found.len() > 1 {
                return Err(invalid(format!("community code `{code}` is in several streets: name its --street")));
            }
            community_id = Some(found.pop().ok_or_else(|| invalid(format!("no community with code `{code}`")))?.id);
        }
        GrantRole::Unit => {
            let code = need("unit", &anchor.unit)?;
            let unit = co_building_unit::Entity::find().filter(co_building_unit::Column::Code.eq(code.as_str())).one(db).await?;
            unit_id = Some(unit.ok_or_else(|| invalid(format!("no unit with code `{code}`")))?.id);
            if let Some(street) = &anchor.street {
                region_id = Some(region(region::RegionKind::Street, street.clone()).await?);
            }
        }
    }
    Ok(role_grant::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_id: Set(person),
        role: Set(grant_role),
        region_id: Set(region_id),
        community_id: Set(community_id),
        unit_id: Set(unit_id),
        created_by: Set(by.to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?)
}

/// Revokes (deletes) a grant; the person's next login no longer has its role.
pub async fn revoke(db: &impl ConnectionTrait, id: Uuid) -> AppResult<role_grant::Model> {
    let grant = role_grant::Entity::find_by_id(id).one(db).await?.ok_or_else(|| AppError::not_found("role grant"))?;
    role_grant::Entity::delete_by_id(id).exec(db).await?;
    Ok(grant)
}

/// Links a person to their login (the value of the issuer's person claim), or unlinks them
/// with `None`. A login already linked to another person is refused.
pub async fn link_login(db: &impl ConnectionTrait, person: Uuid, subject: Option<&str>) -> AppResult<()> {
    let subject = subject.map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = subject {
        let other = person::Entity::find().filter(person::Column::OidcSubject.eq(s)).one(db).await?;
        if other.is_some_and(|p| p.id != person) {
            return Err(AppError::Conflict(format!("the login `{s}` is already linked to another person")));
        }
    }
    let updated = person::Entity::update_many()
        .col_expr(person::Column::OidcSubject, sea_orm::sea_query::Expr::value(subject.map(str::to_owned)))
        .filter(person::Column::Id.eq(person))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::not_found("person"));
    }
    Ok(())
}

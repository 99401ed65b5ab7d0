//! Staff accounts changed from the command line (`gongzhi role …`, `gongzhi login …`), each in
//! one transaction with its audit record, like every change made through the API: a street's
//! audit log shows who was made its staff and which login was linked to whom, and when.
//!
//! A change is recorded in the streets it concerns: a grant in its street (of the street, or of
//! its community), a city's grant in every street of the city, a unit's grant without a street
//! in the streets whose committees the unit sits on; a login's link in the streets where the
//! person lives, is registered or holds a grant. A change that concerns no street is refused, since no
//! street's log could show it.

use std::collections::BTreeSet;

use entity::role_grant::{self, GrantRole};
use entity::{committee_membership, community, party_member, person, region, residence, volunteer};
use sea_orm::ActiveEnum;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use crate::auth::grants::{self, Anchor};
use crate::auth::{Role, Scope};
use crate::changes::Changes;
use crate::cx::Cx;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::write::{Audit, Write};

/// The context of a command-line change, recorded as by `label` (`cli:role`, say).
pub fn cli(db: sea_orm::DatabaseConnection, label: &str) -> Cx {
    Cx::new(Scope::system([], label), Db::system(db), "cli", Changes::default())
}

/// Grants `role` at `anchor` to `person`, recorded as by the context's principal.
pub async fn grant_role(cx: &Cx, person: Uuid, role: Role, anchor: &Anchor) -> AppResult<role_grant::Model> {
    let w = Write::begin(cx).await?;
    let grant = grants::grant(w.txn(), person, role, anchor, cx.scope.label()).await?;
    let streets = streets_of_grant(w.txn(), &grant).await?;
    w.commit(
        Audit::new("grantRole", "RoleGrant")
            .object(grant.id)
            .community_opt(grant.community_id)
            .streets(streets)
            .summary(json!({ "person": grant.person_id, "role": grant.role.to_value(), "region": grant.region_id, "unit": grant.unit_id })),
    )
    .await?;
    Ok(grant)
}

/// Revokes a grant; the person's next login no longer has its role.
pub async fn revoke_role(cx: &Cx, id: Uuid) -> AppResult<role_grant::Model> {
    let w = Write::begin(cx).await?;
    let grant = grants::revoke(w.txn(), id).await?;
    let streets = streets_of_grant(w.txn(), &grant).await?;
    w.commit(
        Audit::new("revokeRole", "RoleGrant")
            .object(grant.id)
            .community_opt(grant.community_id)
            .streets(streets)
            .summary(json!({ "person": grant.person_id, "role": grant.role.to_value() })),
    )
    .await?;
    Ok(grant)
}

/// Links `person` to a login of the issuer, or unlinks them with `None`.
pub async fn link_login(cx: &Cx, person: Uuid, subject: Option<&str>) -> AppResult<()> {
    let w = Write::begin(cx).await?;
    grants::link_login(w.txn(), person, subject).await?;
    let streets = streets_of_person(w.txn(), person).await?;
    let action = if subject.is_some() { "linkLogin" } else { "unlinkLogin" };
    // The login's name stays out of the log: it may be a phone number.
    w.commit(Audit::new(action, "Person").object(person).streets(streets).summary(json!({ "linked": subject.is_some() }))).await?;
    Ok(())
}

fn no_street(what: &str) -> AppError {
    AppError::BadInput { message: format!("{what} concerns no street, so no street's audit log could show it"), field: None }
}

/// The streets a grant concerns.
async fn streets_of_grant(db: &impl ConnectionTrait, grant: &role_grant::Model) -> AppResult<Vec<Uuid>> {
    if grant.community_id.is_some() {
        // Recorded in its community's street.
        return Ok(Vec::new());
    }
    let streets: Vec<Uuid> = match (grant.role, grant.region_id, grant.unit_id) {
        (GrantRole::CityAdmin, Some(city), _) => {
            region::Entity::find()
                .select_only()
                .column(region::Column::Id)
                .filter(region::Column::ParentId.eq(city))
                .into_tuple()
                .all(db)
                .await?
        }
        (_, Some(street), _) => vec![street],
        (_, None, Some(unit)) => {
            let communities: Vec<Uuid> = committee_membership::Entity::find()
                .select_only()
                .column(committee_membership::Column::CommunityId)
                .filter(committee_membership::Column::UnitId.eq(unit))
                .into_tuple()
                .all(db)
                .await?;
            streets_of_communities(db, communities).await?
        }
        (_, None, None) => Vec::new(),
    };
    if streets.is_empty() {
        return Err(no_street("the grant"));
    }
    Ok(streets)
}

/// The streets where a person lives or is registered (party member, resident, volunteer) or holds
/// a grant.
async fn streets_of_person(db: &impl ConnectionTrait, person: Uuid) -> AppResult<Vec<Uuid>> {
    let home = person::Entity::find_by_id(person).one(db).await?.and_then(|p| p.home_community_id);
    let mut communities: Vec<Uuid> = home.into_iter().collect();
    macro_rules! communities_of {
        ($entity:ident) => {
            communities.extend(
                $entity::Entity::find()
                    .select_only()
                    .column($entity::Column::CommunityId)
                    .filter($entity::Column::PersonId.eq(person))
                    .into_tuple::<Uuid>()
                    .all(db)
                    .await?,
            )
        };
    }
    communities_of!(party_member);
    communities_of!(residence);
    communities_of!(volunteer);
    let mut streets: BTreeSet<Uuid> = streets_of_communities(db, communities).await?.into_iter().collect();
    for grant in grants::of_person(db, person).await? {
        if grant.community_id.is_some() {
            streets.extend(streets_of_communities(db, grant.community_id).await?);
        } else if let Ok(of_grant) = streets_of_grant(db, &grant).await {
            streets.extend(of_grant);
        }
    }
    if streets.is_empty() {
        return Err(no_street("a person registered nowhere, without grants,"));
    }
    Ok(streets.into_iter().collect())
}

async fn streets_of_communities(db: &impl ConnectionTrait, communities: impl IntoIterator<Item = Uuid>) -> AppResult<Vec<Uuid>> {
    let ids: BTreeSet<Uuid> = communities.into_iter().collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(community::Entity::find()
        .select_only()
        .column(community::Column::StreetId)
        .distinct()
        .filter(community::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?)
}

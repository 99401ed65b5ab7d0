//! Venues (议事场所): the community's deliberation centre (社区事务协商议事中心) and the compounds'
//! deliberation stations (小区议事站), each with its convenor (召集人): a person the staff know,
//! such as the compound branch's secretary or a staff member. Staff create venues and set their
//! convenors. One centre per community and one station per compound (unique indexes: of two
//! racing creations the second gets `CONFLICT`).

use chrono::Utc;
use entity::venue::{self, VenueKind};
use entity::{community, compound};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use crate::cx::Cx;
use crate::deliberation::ids::VenueId;
use crate::deliberation::visibility;
use crate::error::{AppError, AppResult};
use crate::organisation::ids::{CommunityId, CompoundId, PersonId};
use crate::organisation::service::person_known_to_staff;
use crate::validate::clean_name;
use crate::write::{Audit, Write};

/// Where a new venue is: the community (its centre) or a compound (its station).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VenuePlace {
    Centre(CommunityId),
    Station(CompoundId),
}

/// A venue to create.
pub struct NewVenue {
    pub place: VenuePlace,
    pub name: String,
    pub convenor: Option<PersonId>,
}

/// A convenor the caller knows; `BAD_USER_INPUT` on `convenorId` for anyone else.
async fn known(db: &impl sea_orm::ConnectionTrait, cx: &Cx, person: PersonId) -> AppResult<Uuid> {
    match person_known_to_staff(db, cx, person).await {
        Ok(p) => Ok(p.id),
        Err(AppError::BadInput { message, .. }) => Err(AppError::bad_input("convenorId", message)),
        Err(e) => Err(e),
    }
}

const TAKEN: &str = "this community already has its deliberation centre, or this compound its station";

/// Creates a venue in one of the caller's communities (community staff).
pub async fn create_venue(cx: &Cx, input: NewVenue) -> AppResult<venue::Model> {
    cx.scope.require_authenticated()?;
    let name = clean_name("name", &input.name, 100)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let (community_id, compound_id, kind) = match input.place {
        VenuePlace::Centre(c) => {
            let found = community::Entity::find_by_id(c.0).one(txn).await?.filter(|c| cx.scope.sees_community(c.id));
            (found.ok_or_else(|| AppError::not_found("community"))?.id, None, VenueKind::Centre)
        }
        VenuePlace::Station(c) => {
            let found = compound::Entity::find_by_id(c.0).filter(cx.scope.tenant_filter(compound::Column::CommunityId)).one(txn).await?;
            let found = found.ok_or_else(|| AppError::not_found("compound"))?;
            (found.community_id, Some(found.id), VenueKind::Station)
        }
    };
    cx.scope.require_staff(community_id, "create deliberation venues")?;
    let convenor = match input.convenor {
        Some(p) => Some(known(txn, cx, p).await?),
        None => None,
    };
    let now = Utc::now();
    let model = venue::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        compound_id: Set(compound_id),
        kind: Set(kind),
        name: Set(name),
        convenor_id: Set(convenor),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(|e| crate::db::conflict_on_unique(e, TAKEN))?;
    w.commit(Audit::new("createVenue", "Venue").object(model.id).community(model.community_id).summary(json!({
        "kind": model.kind.to_value(),
        "compoundId": model.compound_id,
        "convenorSet": model.convenor_id.is_some(),
    })))
    .await?;
    Ok(model)
}

/// Sets (or, with none, clears) a venue's convenor (community staff).
pub async fn set_convenor(cx: &Cx, id: VenueId, convenor: Option<PersonId>, expected: Option<i32>) -> AppResult<venue::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let current = w
        .lock(venue::Entity::find_by_id(id.0).filter(visibility::venue_filter(&cx.scope)))
        .await?
        .ok_or_else(|| AppError::not_found("venue"))?;
    cx.scope.require_staff(current.community_id, "set convenors")?;
    Write::expect_version(expected, current.version)?;
    let convenor = match convenor {
        Some(p) => Some(known(txn, cx, p).await?),
        None => None,
    };
    let (vid, version) = (current.id, current.version);
    let mut row: venue::ActiveModel = current.into();
    row.convenor_id = Set(convenor);
    row.version = Set(version + 1);
    row.updated_at = Set(Utc::now());
    let model = crate::db::guarded_update::<venue::Entity, _>(txn, row, venue::Column::Id, venue::Column::Version, vid, version).await?;
    w.commit(
        Audit::new("setVenueConvenor", "Venue")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "convenorSet": model.convenor_id.is_some(), "version": model.version })),
    )
    .await?;
    Ok(model)
}

/// The venues of a community the caller sees: the centre first, then the stations.
pub async fn venues(cx: &Cx, community: CommunityId) -> AppResult<Vec<venue::Model>> {
    cx.scope.require_authenticated()?;
    Ok(venue::Entity::find()
        .filter(visibility::venue_filter(&cx.scope))
        .filter(venue::Column::CommunityId.eq(community.0))
        .order_by_asc(venue::Column::Kind)
        .order_by_asc(venue::Column::Id)
        .all(&cx.db)
        .await?)
}

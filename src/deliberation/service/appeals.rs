//! Raising appeals (诉求) and reading them. A resident raises one for their own compound (where
//! `home` says they live); staff raise one for an enterprise of the community, a party
//! organisation of it, or a co-building unit seated on its joint committee today, located at a
//! compound of the community and/or a site described in words. The appeal starts at the COMPOUND
//! tier when its compound has a deliberation station, else at the COMMUNITY tier, with the first
//! response due after the configured time (`config::appeal_deadlines`).

use chrono::Utc;
use entity::appeal::{self, AppealCategory, AppealState, AppealTier, RaiserKind};
use entity::venue::{self, VenueKind};
use entity::{building, committee_membership, compound, enterprise, party_organization};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Select, Set};
use serde_json::json;
use uuid::Uuid;

use crate::cx::Cx;
use crate::deliberation::ids::EnterpriseId;
use crate::deliberation::visibility::{self, ties};
use crate::error::{AppError, AppResult};
use crate::home::ids::BuildingId;
use crate::organisation::ids::{CommunityId, CompoundId, OrganizationId, UnitId};
use crate::paging::{Page, PageArgs};
use crate::validate::{clean_name, clean_optional, to_json_list};
use crate::write::{Audit, Write};

/// Most photos an appeal carries.
pub const MAX_PHOTOS: usize = 9;

/// For whom staff raise an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnBehalf {
    Enterprise(EnterpriseId),
    Organization(OrganizationId),
    Unit(UnitId),
}

/// An appeal to raise: by a resident for themself (`on_behalf` none), or by staff for an
/// enterprise or an organisation.
pub struct NewAppeal {
    pub on_behalf: Option<OnBehalf>,
    /// The community, for staff raising an appeal located at a site only.
    pub community_id: Option<CommunityId>,
    pub compound_id: Option<CompoundId>,
    pub building_id: Option<BuildingId>,
    pub site: Option<String>,
    pub title: String,
    pub description: String,
    pub category: AppealCategory,
    pub photos: Vec<String>,
}

/// Photos: at most [`MAX_PHOTOS`] `http(s)` URLs of at most 500 characters each.
pub fn clean_photos(urls: Vec<String>) -> AppResult<Vec<String>> {
    if urls.len() > MAX_PHOTOS {
        return Err(AppError::bad_input("photos", format!("at most {MAX_PHOTOS} photos")));
    }
    urls.into_iter()
        .map(|u| {
            let u = u.trim().to_owned();
            let ok = (u.starts_with("https://") || u.starts_with("http://"))
                && u.len() > "https://".len()
                && u.len() <= 500
                && !u.chars().any(|c| c.is_whitespace() || c.is_control());
            if ok { Ok(u) } else { Err(AppError::bad_input("photos", format!("not an http(s) URL: {u}"))) }
        })
        .collect()
}

/// The located place of a new appeal: community, compound, building.
struct Place {
    community: Uuid,
    compound: Option<Uuid>,
    building: Option<Uuid>,
}

async fn building_in(w: &Write<'_>, compound: Uuid, building: Option<BuildingId>) -> AppResult<Option<Uuid>> {
    let Some(b) = building else { return Ok(None) };
    let found = building::Entity::find_by_id(b.0).filter(building::Column::CompoundId.eq(compound)).one(w.txn()).await?;
    Ok(Some(found.ok_or_else(|| AppError::bad_input("buildingId", "no such building or lane in this compound"))?.id))
}

/// A resident's appeal: their compound, where they live today.
async fn residents_place(w: &Write<'_>, input: &NewAppeal) -> AppResult<Place> {
    let cx = w.cx();
    let refused = || {
        AppError::Forbidden("appeals are raised by residents for their compound, or by staff for an enterprise or an organisation".into())
    };
    let me = cx.scope.person_id().ok_or_else(refused)?;
    let home = crate::home::visibility::dwelling(w.txn(), me).await?.ok_or_else(refused)?;
    if input.compound_id.is_some_and(|c| c.0 != home.compound_id) {
        return Err(AppError::bad_input("compoundId", "residents raise appeals for the compound they live in"));
    }
    if input.community_id.is_some_and(|c| c.0 != home.community_id) {
        return Err(AppError::bad_input("communityId", "residents raise appeals in the community they live in"));
    }
    let building = building_in(w, home.compound_id, input.building_id).await?;
    Ok(Place { community: home.community_id, compound: Some(home.compound_id), building })
}

/// An appeal raised through staff: the place, and the raiser checked against the community.
async fn staff_place(w: &Write<'_>, input: &NewAppeal, on_behalf: OnBehalf) -> AppResult<Place> {
    let cx = w.cx();
    let txn = w.txn();
    let compound = match input.compound_id {
        Some(c) => Some(
            compound::Entity::find_by_id(c.0)
                .filter(cx.scope.tenant_filter(compound::Column::CommunityId))
                .one(txn)
                .await?
                .ok_or_else(|| AppError::not_found("compound"))?,
        ),
        None => None,
    };
    let community = match (input.community_id, &compound) {
        (Some(c), Some(k)) if c.0 != k.community_id => {
            return Err(AppError::bad_input("communityId", "the compound is in another community"));
        }
        (_, Some(k)) => k.community_id,
        (Some(c), None) => c.0,
        (None, None) => return Err(AppError::bad_input("communityId", "name the community, or a compound of it")),
    };
    cx.scope.require_staff(community, "raise appeals for enterprises and organisations")?;
    if compound.is_none() && input.site.is_none() {
        return Err(AppError::bad_input("site", "locate the appeal: a compound, a site, or both"));
    }
    let building = match &compound {
        Some(k) => building_in(w, k.id, input.building_id).await?,
        None if input.building_id.is_some() => return Err(AppError::bad_input("buildingId", "a building is located in a compound")),
        None => None,
    };
    let known = match on_behalf {
        OnBehalf::Enterprise(e) => {
            enterprise::Entity::find_by_id(e.0).filter(enterprise::Column::CommunityId.eq(community)).one(txn).await?.map(|_| ())
        }
        OnBehalf::Organization(o) => party_organization::Entity::find_by_id(o.0)
            .filter(party_organization::Column::CommunityId.eq(community))
            .one(txn)
            .await?
            .map(|_| ()),
        OnBehalf::Unit(u) => committee_membership::Entity::find()
            .filter(committee_membership::Column::CommunityId.eq(community))
            .filter(committee_membership::Column::UnitId.eq(u.0))
            .filter(crate::organisation::loaders::active_membership())
            .one(txn)
            .await?
            .map(|_| ()),
    };
    if known.is_none() {
        let field = match on_behalf {
            OnBehalf::Enterprise(_) => "enterpriseId",
            OnBehalf::Organization(_) => "partyOrganizationId",
            OnBehalf::Unit(_) => "unitId",
        };
        return Err(AppError::bad_input(field, "not an enterprise, party organisation or seated unit of this community"));
    }
    Ok(Place { community, compound: compound.map(|k| k.id), building })
}

/// Raises an appeal (see the module documentation).
pub async fn raise_appeal(cx: &Cx, input: NewAppeal) -> AppResult<appeal::Model> {
    cx.scope.require_authenticated()?;
    let title = clean_name("title", &input.title, 100)?;
    let description = clean_name("description", &input.description, 2000)?;
    let site = clean_optional("site", input.site.clone(), 200)?;
    let photos = clean_photos(input.photos.clone())?;
    let mut w = Write::begin(cx).await?;
    let txn = w.txn();
    let place = match input.on_behalf {
        None => residents_place(&w, &input).await?,
        Some(on_behalf) => staff_place(&w, &input, on_behalf).await?,
    };
    let station = match place.compound {
        Some(c) => {
            venue::Entity::find()
                .filter(venue::Column::CompoundId.eq(c))
                .filter(venue::Column::Kind.eq(VenueKind::Station))
                .count(txn)
                .await?
                > 0
        }
        None => false,
    };
    let tier = if station { AppealTier::Compound } else { AppealTier::Community };
    let (raiser_kind, enterprise_id, organization_id, unit_id) = match input.on_behalf {
        None => (RaiserKind::Resident, None, None, None),
        Some(OnBehalf::Enterprise(e)) => (RaiserKind::Enterprise, Some(e.0), None, None),
        Some(OnBehalf::Organization(o)) => (RaiserKind::PartyOrganization, None, Some(o.0), None),
        Some(OnBehalf::Unit(u)) => (RaiserKind::Unit, None, None, Some(u.0)),
    };
    let now = Utc::now();
    let model = appeal::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(place.community),
        compound_id: Set(place.compound),
        building_id: Set(place.building),
        site: Set(site),
        raiser_kind: Set(raiser_kind),
        raiser_person_id: Set(if raiser_kind == RaiserKind::Resident { cx.scope.person_id() } else { None }),
        enterprise_id: Set(enterprise_id),
        organization_id: Set(organization_id),
        unit_id: Set(unit_id),
        raised_by: Set(cx.scope.label().to_owned()),
        title: Set(title),
        description: Set(description),
        category: Set(input.category),
        photos: Set(to_json_list(&photos)),
        tier: Set(tier),
        state: Set(AppealState::Raised),
        answer: Set(None),
        reject_reason: Set(None),
        merged_into_id: Set(None),
        scheduled_venue_id: Set(None),
        scheduled_on: Set(None),
        due_at: Set(Some(now + crate::config::appeal_deadlines().response)),
        escalations: Set(0),
        escalated_at: Set(None),
        review_requested_at: Set(None),
        rating: Set(None),
        rating_comment: Set(None),
        rated_at: Set(None),
        supporters: Set(0),
        raised_at: Set(now),
        responded_at: Set(None),
        answered_at: Set(None),
        closed_at: Set(None),
        version: Set(1),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    let event = super::appeal_event(txn, &model, "raiseAppeal").await?;
    w.stored_event(event);
    w.commit(Audit::new("raiseAppeal", "Appeal").object(model.id).community(model.community_id).summary(json!({
        "raiserKind": model.raiser_kind.to_value(),
        "category": model.category.to_value(),
        "tier": model.tier.to_value(),
        "compoundId": model.compound_id,
        "photos": photos.len(),
    })))
    .await?;
    Ok(model)
}

/// Which appeals a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AppealFilter {
    pub community_id: Option<CommunityId>,
    pub compound_id: Option<CompoundId>,
    pub state: Option<AppealState>,
    pub tier: Option<AppealTier>,
}

pub(crate) async fn appeals_select(cx: &Cx, filter: AppealFilter) -> AppResult<Select<appeal::Entity>> {
    cx.scope.require_authenticated()?;
    let ties = ties(&cx.db, &cx.scope).await?;
    let mut select = appeal::Entity::find().filter(visibility::appeal_filter(&cx.scope, &ties));
    if let Some(c) = filter.community_id {
        select = select.filter(appeal::Column::CommunityId.eq(c.0));
    }
    if let Some(c) = filter.compound_id {
        select = select.filter(appeal::Column::CompoundId.eq(c.0));
    }
    if let Some(s) = filter.state {
        select = select.filter(appeal::Column::State.eq(s));
    }
    if let Some(t) = filter.tier {
        select = select.filter(appeal::Column::Tier.eq(t));
    }
    Ok(select)
}

/// One page of the appeals the caller sees in full.
pub async fn appeals(cx: &Cx, filter: AppealFilter, args: &PageArgs) -> AppResult<Page<appeal::Model>> {
    let select = appeals_select(cx, filter).await?;
    Ok(args.finish(args.apply(select, appeal::Column::Id).all(&cx.db).await?))
}

/// How many appeals the caller sees in full.
pub async fn appeal_count(cx: &Cx, filter: AppealFilter) -> AppResult<u64> {
    Ok(appeals_select(cx, filter).await?.count(&cx.db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_a_few_http_urls() {
        assert!(clean_photos(vec!["https://img.example.org/1.jpg".into(), " http://x.cn/a.png ".into()]).is_ok());
        for bad in ["ftp://x.cn/a.png", "javascript:alert(1)", "https://", "https://a b.cn/x.jpg", "/local.jpg"] {
            assert!(clean_photos(vec![bad.into()]).is_err(), "{bad}");
        }
        let too_many = (0..=MAX_PHOTOS).map(|i| format!("https://img.example.org/{i}.jpg")).collect();
        assert!(clean_photos(too_many).is_err());
        assert!(clean_photos(Vec::new()).is_ok_and(|p| p.is_empty()));
    }
}

//! Residents (居民) and where they live: staff of a community register a resident (a new person, or
//! one they know) with a residence in one of its compounds, and move them. A person has one current
//! residence at a time: a move ends it on the day the new one begins, and the history stays. Two
//! racing moves of one resident run one after the other on the residence's row lock; the second
//! finds the residence it meant to end already ended (`CONFLICT`), and a unique partial index
//! holds the rule should anything get past the lock.
//!
//! Registering or moving a resident also makes the residence's community the person's home
//! community, so that their token sees it.

use chrono::{NaiveDate, Utc};
use entity::{building, compound, person, residence};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set};
use serde_json::json;
use uuid::Uuid;

use super::{beijing_today, lock_compound};
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::home::ids::{BuildingId, ResidenceId};
use crate::home::visibility;
use crate::organisation::ids::{CommunityId, CompoundId, PersonId};
use crate::organisation::service::person_known_to_staff;
use crate::paging::{Page, PageArgs};
use crate::validate::{clean_name, clean_optional, clean_phone};
use crate::write::{Audit, Write};

/// Longest door text (门牌, e.g. "3单元502").
pub const MAX_DOOR: usize = 50;

/// Where a resident lives: a compound, optionally its building or lane, the door, and the first day.
pub struct NewHome {
    pub compound_id: CompoundId,
    pub building_id: Option<BuildingId>,
    pub door: Option<String>,
    /// The first day; today (Beijing) when absent.
    pub since: Option<NaiveDate>,
}

/// A resident to register: an existing person known to the caller (`person_id`), or a new one
/// with a name and a phone.
pub struct NewResident {
    pub person_id: Option<PersonId>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub home: NewHome,
}

const ONE_CURRENT: &str = "the person already has a current residence; move them instead";

/// The checked parts of a new home: the compound (locked, in the caller's staff scope), the
/// building (of that compound), the door, the first day.
async fn check_home(w: &Write<'_>, home: &NewHome, action: &str) -> AppResult<(compound::Model, Option<Uuid>, Option<String>, NaiveDate)> {
    let door = clean_optional("door", home.door.clone(), MAX_DOOR)?;
    let since = crate::validate::check_date("since", home.since.unwrap_or_else(beijing_today))?;
    let compound = lock_compound(w, home.compound_id).await?;
    w.cx().scope.require_staff(compound.community_id, action)?;
    let building = match home.building_id {
        Some(b) => Some(
            building::Entity::find_by_id(b.0)
                .filter(building::Column::CommunityId.eq(compound.community_id))
                .filter(building::Column::CompoundId.eq(compound.id))
                .one(w.txn())
                .await?
                .ok_or_else(|| AppError::bad_input("buildingId", "no such building or lane in this compound"))?
                .id,
        ),
        None => None,
    };
    Ok((compound, building, door, since))
}

/// Makes `community` the person's home community, inside the caller's write.
async fn set_home_community(w: &Write<'_>, person: person::Model, community: Uuid) -> AppResult<()> {
    if person.home_community_id == Some(community) {
        return Ok(());
    }
    let version = person.version;
    let mut row: person::ActiveModel = person.into();
    row.home_community_id = Set(Some(community));
    row.version = Set(version + 1);
    row.updated_at = Set(Utc::now());
    row.update(w.txn()).await?;
    Ok(())
}

async fn insert_residence(
    w: &Write<'_>,
    person: Uuid,
    (compound, building, door, since): (compound::Model, Option<Uuid>, Option<String>, NaiveDate),
) -> AppResult<residence::Model> {
    let now = Utc::now();
    residence::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(compound.community_id),
        person_id: Set(person),
        compound_id: Set(compound.id),
        building_id: Set(building),
        door: Set(door),
        since: Set(since),
        until: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(w.txn())
    .await
    .map_err(|e| crate::db::conflict_on_unique(e, ONE_CURRENT))
}

/// Registers a resident of one of the caller's communities (community staff): a new person, or
/// one the caller knows (`BAD_USER_INPUT` for anyone else, as if unknown), who has no current
/// residence (`CONFLICT`: they are moved instead).
pub async fn register_resident(cx: &Cx, input: NewResident) -> AppResult<residence::Model> {
    cx.scope.require_authenticated()?;
    let phone = clean_phone(input.phone)?;
    let name = match (&input.person_id, &input.name) {
        (None, name) => Some(clean_name("name", name.as_deref().unwrap_or(""), 50)?),
        (Some(_), Some(_)) => return Err(AppError::bad_input("name", "name a new person, or give `personId`, not both")),
        (Some(_), None) => None,
    };
    if input.person_id.is_some() && phone.is_some() {
        return Err(AppError::bad_input("phone", "the phone of a known person is changed where the person is kept, not here"));
    }
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let home = check_home(&w, &input.home, "register residents").await?;
    let community = home.0.community_id;
    let person = match input.person_id {
        Some(id) => {
            let known = person_known_to_staff(txn, cx, id).await?;
            // The person's row orders registrations and moves of one person.
            let person = w.lock(person::Entity::find_by_id(known.id)).await?.ok_or_else(|| AppError::not_found("person"))?;
            if visibility::dwelling(txn, person.id).await?.is_some() {
                return Err(AppError::Conflict(ONE_CURRENT.into()));
            }
            set_home_community(&w, person.clone(), community).await?;
            person
        }
        None => {
            let now = Utc::now();
            person::ActiveModel {
                id: Set(Uuid::now_v7()),
                name: Set(name.unwrap_or_default()),
                gender: Set(None),
                birth_year: Set(None),
                phone: Set(phone),
                address: Set(None),
                id_number_hash: Set(None),
                home_community_id: Set(Some(community)),
                oidc_subject: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?
        }
    };
    let model = insert_residence(&w, person.id, home).await?;
    w.commit(
        Audit::new("registerResident", "Residence")
            .object(model.id)
            .community(model.community_id)
            // No names, phones or doors: personal data.
            .summary(json!({
                "compoundId": model.compound_id,
                "buildingId": model.building_id,
                "since": model.since,
                "newPerson": input.person_id.is_none(),
            })),
    )
    .await?;
    Ok(model)
}

/// Moves a resident (community staff of both the old and the new residence: street staff across
/// communities): the current residence, as the caller read it, ends on the day the new one begins.
/// `CONFLICT` when it has ended since (another move came first).
pub async fn move_resident(cx: &Cx, residence_id: ResidenceId, home: NewHome) -> AppResult<(residence::Model, residence::Model)> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let current = w
        .lock(residence::Entity::find_by_id(residence_id.0).filter(visibility::residence_filter(&cx.scope)))
        .await?
        .ok_or_else(|| AppError::not_found("residence"))?;
    cx.scope.require_staff(current.community_id, "move residents")?;
    if current.until.is_some() {
        return Err(AppError::Conflict("this residence has ended (the resident was moved since it was read); read it again".into()));
    }
    let new = check_home(&w, &home, "move residents").await?;
    if new.3 < current.since {
        return Err(AppError::bad_input("since", "a move begins on or after the first day of the current residence"));
    }
    let (id, version) = (current.id, current.version);
    let mut row: residence::ActiveModel = current.clone().into();
    row.until = Set(Some(new.3));
    row.version = Set(version + 1);
    row.updated_at = Set(Utc::now());
    let ended =
        crate::db::guarded_update::<residence::Entity, _>(txn, row, residence::Column::Id, residence::Column::Version, id, version).await?;
    let community = new.0.community_id;
    let model = insert_residence(&w, current.person_id, new).await?;
    let person =
        person::Entity::find_by_id(current.person_id).one(txn).await?.ok_or_else(|| AppError::internal("resident without person"))?;
    set_home_community(&w, person, community).await?;
    w.commit(Audit::new("moveResident", "Residence").object(model.id).community(model.community_id).summary(json!({
        "ended": ended.id,
        "fromCompoundId": ended.compound_id,
        "compoundId": model.compound_id,
        "buildingId": model.building_id,
        "since": model.since,
    })))
    .await?;
    Ok((model, ended))
}

/// Which residences a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResidentFilter {
    pub community_id: CommunityId,
    pub compound_id: Option<CompoundId>,
    /// Ended stays too, not only current ones.
    pub include_ended: bool,
}

fn residents_select(cx: &Cx, filter: ResidentFilter) -> AppResult<Select<residence::Entity>> {
    cx.scope.require_authenticated()?;
    let mut select = residence::Entity::find()
        .filter(visibility::residence_filter(&cx.scope))
        .filter(residence::Column::CommunityId.eq(filter.community_id.0));
    if let Some(c) = filter.compound_id {
        select = select.filter(residence::Column::CompoundId.eq(c.0));
    }
    if !filter.include_ended {
        select = select.filter(residence::Column::Until.is_null());
    }
    Ok(select)
}

/// One page of the residences of a community the caller sees (staff: all; a person: their own).
pub async fn residents(cx: &Cx, filter: ResidentFilter, args: &PageArgs) -> AppResult<Page<residence::Model>> {
    let select = residents_select(cx, filter)?;
    Ok(args.finish(args.apply(select, residence::Column::Id).all(&cx.db).await?))
}

/// How many residences of a community the caller sees.
pub async fn resident_count(cx: &Cx, filter: ResidentFilter) -> AppResult<u64> {
    Ok(residents_select(cx, filter)?.count(&cx.db).await?)
}

/// A person's residences the caller sees, the latest first (at most 100).
pub async fn residence_history(cx: &Cx, person: PersonId) -> AppResult<Vec<residence::Model>> {
    cx.scope.require_authenticated()?;
    Ok(residence::Entity::find()
        .filter(visibility::residence_filter(&cx.scope))
        .filter(residence::Column::PersonId.eq(person.0))
        .order_by_desc(residence::Column::Since)
        .order_by_desc(residence::Column::Id)
        .limit(100)
        .all(&cx.db)
        .await?)
}

/// The caller's own current residence (none for anyone but a person).
pub async fn my_residence(cx: &Cx) -> AppResult<Option<residence::Model>> {
    cx.scope.require_authenticated()?;
    let Some(me) = cx.scope.person_id() else { return Ok(None) };
    Ok(residence::Entity::find()
        .filter(visibility::residence_filter(&cx.scope))
        .filter(residence::Column::PersonId.eq(me))
        .filter(residence::Column::Until.is_null())
        .one(&cx.db)
        .await?)
}

//! Volunteers and their resource list (资源清单): registration, profiles, lists.

use chrono::Utc;
use entity::volunteer::{self, VolunteerStatus};
use entity::{person, service_category};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use crate::cx::Cx;
use crate::db::conflict_on_unique;
use crate::error::{AppError, AppResult};
use crate::organisation::ids::PersonId;
use crate::organisation::loaders::CommunityId;
use crate::organisation::loaders::CompoundId;
use crate::paging::{Page, PageArgs};
use crate::validate::{check_version, clean_name, clean_optional, clean_phone};
use crate::volunteers::ids::VolunteerId;
use crate::volunteers::visibility::volunteer_filter;
use crate::write::{Audit, Write};

/// What a volunteer offers: the resource list (资源清单).
#[derive(Default, Clone)]
pub struct Profile {
    pub categories: Option<Vec<String>>,
    pub skills: Option<Vec<String>>,
    pub department_strength: Option<String>,
    pub industry: Option<String>,
    pub availability: Option<Vec<String>>,
    pub compound_id: Option<CompoundId>,
}

/// Weekly slots a volunteer can be available in: `MON_AM` … `SUN_EVE`.
pub const DAYS: [&str; 7] = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
/// Parts of a day.
pub const PARTS: [&str; 3] = ["AM", "PM", "EVE"];

fn clean_slots(slots: Vec<String>) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for s in slots {
        let s = s.trim().to_ascii_uppercase();
        let ok = s.split_once('_').is_some_and(|(d, p)| DAYS.contains(&d) && PARTS.contains(&p));
        if !ok {
            return Err(AppError::bad_input("availability", format!("`{s}` is not a slot such as SAT_AM")));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

pub(super) fn clean_list(field: &str, items: Vec<String>, max_items: usize) -> AppResult<Vec<String>> {
    if items.len() > max_items {
        return Err(AppError::bad_input(field, format!("at most {max_items} entries")));
    }
    let mut out = Vec::new();
    for i in items {
        let i = clean_name(field, &i, 50)?;
        if !out.contains(&i) {
            out.push(i);
        }
    }
    Ok(out)
}

async fn apply_profile(
    db: &impl ConnectionTrait,
    community_id: Uuid,
    m: &mut volunteer::ActiveModel,
    p: Profile,
) -> AppResult<Vec<&'static str>> {
    let mut changed = Vec::new();
    if let Some(codes) = p.categories {
        let codes = clean_list("categories", codes, 9)?;
        let known = service_category::Entity::find()
            .filter(service_category::Column::Code.is_in(codes.clone()))
            .filter(service_category::Column::RetiredAt.is_null())
            .count(db)
            .await?;
        if known as usize != codes.len() {
            return Err(AppError::bad_input("categories", "unknown or retired category code"));
        }
        m.categories = Set(crate::validate::to_json_list(&codes));
        changed.push("categories");
    }
    if let Some(skills) = p.skills {
        m.skills = Set(crate::validate::to_json_list(&clean_list("skills", skills, 30)?));
        changed.push("skills");
    }
    if p.department_strength.is_some() {
        m.department_strength = Set(clean_optional("departmentStrength", p.department_strength, 200)?);
        changed.push("departmentStrength");
    }
    if p.industry.is_some() {
        m.industry = Set(clean_optional("industry", p.industry, 100)?);
        changed.push("industry");
    }
    if let Some(slots) = p.availability {
        m.availability = Set(crate::validate::to_json_list(&clean_slots(slots)?));
        changed.push("availability");
    }
    if let Some(c) = p.compound_id {
        let found =
            entity::compound::Entity::find_by_id(c.0).filter(entity::compound::Column::CommunityId.eq(community_id)).count(db).await?;
        if found == 0 {
            return Err(AppError::bad_input("compoundId", "no such compound in this community"));
        }
        m.compound_id = Set(Some(c.0));
        changed.push("compoundId");
    }
    Ok(changed)
}

/// Who registers: a known person, or a new one by name and phone.
pub struct NewVolunteer {
    pub community_id: CommunityId,
    pub person_id: Option<PersonId>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub profile: Profile,
}

/// Registers a volunteer: staff register anyone in their community; a member registers themself
/// in one of their communities.
pub async fn register_volunteer(cx: &Cx, input: NewVolunteer) -> AppResult<volunteer::Model> {
    cx.scope.require_authenticated()?;
    if !cx.scope.sees_community(input.community_id.0) {
        return Err(AppError::not_found("community"));
    }
    let is_staff = cx.scope.is_staff_of(input.community_id.0);
    let self_id = cx.scope.person_id();
    if !is_staff && self_id.is_none() {
        return Err(AppError::Forbidden("volunteers register themselves or are registered by community staff".into()));
    }
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let person_id = match (is_staff, input.person_id, self_id) {
        (false, Some(p), Some(me)) if p.0 != me => return Err(AppError::Forbidden("members register only themselves".into())),
        (false, _, Some(me)) => me,
        (true, Some(p), _) => crate::organisation::service::person_known_to_staff(txn, cx, p).await?.id,
        (true, None, _) => {
            let name = clean_name("name", input.name.as_deref().unwrap_or(""), 50)?;
            let now = Utc::now();
            person::ActiveModel {
                id: Set(Uuid::now_v7()),
                name: Set(name),
                gender: Set(None),
                birth_year: Set(None),
                phone: Set(clean_phone(input.phone)?),
                address: Set(None),
                id_number_hash: Set(None),
                home_community_id: Set(Some(input.community_id.0)),
                oidc_subject: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?
            .id
        }
        (false, _, None) => return Err(AppError::Forbidden("volunteers register themselves or are registered by community staff".into())),
    };
    let model = insert_volunteer(txn, input.community_id.0, person_id, input.profile).await?;
    w.commit(
        Audit::new("registerVolunteer", "Volunteer").object(model.id).community(model.community_id).summary(json!({ "self": !is_staff })),
    )
    .await?;
    Ok(model)
}

pub(super) async fn insert_volunteer(
    txn: &DatabaseTransaction,
    community_id: Uuid,
    person_id: Uuid,
    profile: Profile,
) -> AppResult<volunteer::Model> {
    let mut m = volunteer::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        person_id: Set(person_id),
        compound_id: Set(None),
        categories: Set("[]".into()),
        skills: Set("[]".into()),
        department_strength: Set(None),
        industry: Set(None),
        availability: Set("[]".into()),
        status: Set(VolunteerStatus::Active),
        registered_at: Set(Utc::now()),
        version: Set(1),
    };
    apply_profile(txn, community_id, &mut m, profile).await?;
    m.insert(txn).await.map_err(|e| conflict_on_unique(e, "this person is already a volunteer of this community"))
}

/// Edits a volunteer's resource list: the volunteer themself or staff of the community.
pub async fn update_profile(cx: &Cx, id: VolunteerId, profile: Profile, expected_version: Option<i32>) -> AppResult<volunteer::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let current = volunteer::Entity::find_by_id(id.0)
        .filter(volunteer_filter(&cx.scope))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("volunteer"))?;
    check_version(expected_version, current.version, "the volunteer")?;
    let mut m: volunteer::ActiveModel = current.clone().into();
    let changed = apply_profile(txn, current.community_id, &mut m, profile).await?;
    m.version = Set(current.version + 1);
    let model =
        crate::db::guarded_update::<volunteer::Entity, _>(txn, m, volunteer::Column::Id, volunteer::Column::Version, id.0, current.version)
            .await?;
    w.commit(
        Audit::new("updateVolunteerProfile", "Volunteer")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "changed": changed })),
    )
    .await?;
    Ok(model)
}

/// The volunteers the caller may see: staff see their community's, a member their own.
pub(crate) fn volunteers_select(cx: &Cx, community_id: Option<CommunityId>) -> AppResult<sea_orm::Select<volunteer::Entity>> {
    cx.scope.require_authenticated()?;
    let mut select = volunteer::Entity::find().filter(volunteer_filter(&cx.scope));
    if let Some(c) = community_id {
        select = select.filter(volunteer::Column::CommunityId.eq(c.0));
    }
    Ok(select)
}

/// One page of a community's volunteers (staff), or the caller's own volunteer records.
pub async fn volunteers(cx: &Cx, community_id: Option<CommunityId>, args: &PageArgs) -> AppResult<Page<volunteer::Model>> {
    let select = volunteers_select(cx, community_id)?;
    Ok(args.finish(args.apply(select, volunteer::Column::Id).all(&cx.db).await?))
}

/// How many volunteers the caller may see.
pub async fn volunteer_count(cx: &Cx, community_id: Option<CommunityId>) -> AppResult<u64> {
    Ok(volunteers_select(cx, community_id)?.count(&cx.db).await?)
}

//! Rules of the party-masses volunteer service (党群义工平台): categories, volunteers and their
//! resource list, check-ins (报到), the demand list, invitations, activities with capacity and a
//! waiting list, attendance and service hours. Every function takes the request's context
//! first; each mutation is one transaction with its audit record.

use chrono::{DateTime, Duration, Utc};
use entity::activity::{self, ActivityStatus};
use entity::check_in::{self, CheckInStatus};
use entity::demand::{self, DemandStatus};
use entity::invitation::{self, InvitationStatus};
use entity::sign_up::{self, SignUpStatus};
use entity::volunteer::{self, VolunteerStatus};
use entity::{person, service_category};
use rand::Rng;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::cx::Cx;
use crate::db::conflict_on_unique;
use crate::error::{AppError, AppResult};
use crate::paging::{Page, PageArgs};
use crate::validate::{check_version, clean_name, clean_optional, clean_phone, clean_text};
use crate::write::{Audit, Write};

pub use super::visibility::{check_in_filter, published_filter, sign_up_filter, volunteer_filter};

// ---------------------------------------------------------------- categories

/// Categories, the retired ones too when asked.
pub async fn categories(cx: &Cx, include_retired: bool) -> AppResult<Vec<service_category::Model>> {
    cx.scope.require_authenticated()?;
    let mut select = service_category::Entity::find().order_by_asc(service_category::Column::Id);
    if !include_retired {
        select = select.filter(service_category::Column::RetiredAt.is_null());
    }
    Ok(select.all(&cx.db).await?)
}

/// Adds a category (street admins).
pub async fn create_category(cx: &Cx, code: &str, name: &str) -> AppResult<service_category::Model> {
    cx.scope.require_street_admin("service categories")?;
    let code = code.trim().to_ascii_lowercase();
    if code.is_empty() || code.len() > 64 || !code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(AppError::bad_input("code", "a code has 1 to 64 lowercase letters, digits and dashes"));
    }
    let name = clean_name("name", name, 50)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let model = service_category::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code),
        name: Set(name),
        retired_at: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await
    .map_err(|e| conflict_on_unique(e, "a category with this code exists"))?;
    w.commit(
        Audit::new("createServiceCategory", "ServiceCategory").object(model.id).summary(json!({ "code": model.code, "name": model.name })),
    )
    .await?;
    Ok(model)
}

/// Retires a category: kept for history, no longer offered (street admins).
pub async fn retire_category(cx: &Cx, id: Uuid) -> AppResult<service_category::Model> {
    cx.scope.require_street_admin("service categories")?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let current = service_category::Entity::find_by_id(id).one(txn).await?.ok_or_else(|| AppError::not_found("category"))?;
    if current.retired_at.is_some() {
        return Err(AppError::Conflict("the category is already retired".into()));
    }
    let mut m: service_category::ActiveModel = current.into();
    m.retired_at = Set(Some(Utc::now()));
    let model = m.update(txn).await?;
    w.commit(Audit::new("retireServiceCategory", "ServiceCategory").object(model.id).summary(json!({ "code": model.code }))).await?;
    Ok(model)
}

async fn active_category(db: &impl ConnectionTrait, id: Uuid, field: &str) -> AppResult<service_category::Model> {
    match service_category::Entity::find_by_id(id).one(db).await? {
        Some(c) if c.retired_at.is_none() => Ok(c),
        Some(_) => Err(AppError::bad_input(field, "the category is retired")),
        None => Err(AppError::bad_input(field, "no such category")),
    }
}

// ---------------------------------------------------------------- volunteers

/// What a volunteer offers: the resource list (资源清单).
#[derive(Default, Clone)]
pub struct Profile {
    pub categories: Option<Vec<String>>,
    pub skills: Option<Vec<String>>,
    pub department_strength: Option<String>,
    pub industry: Option<String>,
    pub availability: Option<Vec<String>>,
    pub compound_id: Option<Uuid>,
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

fn clean_list(field: &str, items: Vec<String>, max_items: usize) -> AppResult<Vec<String>> {
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
            entity::compound::Entity::find_by_id(c).filter(entity::compound::Column::CommunityId.eq(community_id)).count(db).await?;
        if found == 0 {
            return Err(AppError::bad_input("compoundId", "no such compound in this community"));
        }
        m.compound_id = Set(Some(c));
        changed.push("compoundId");
    }
    Ok(changed)
}

/// Who registers: a known person, or a new one by name and phone.
pub struct NewVolunteer {
    pub community_id: Uuid,
    pub person_id: Option<Uuid>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub profile: Profile,
}

/// Registers a volunteer: staff register anyone in their community; a member registers themself
/// in one of their communities.
pub async fn register_volunteer(cx: &Cx, input: NewVolunteer) -> AppResult<volunteer::Model> {
    cx.scope.require_authenticated()?;
    if !cx.scope.sees_community(input.community_id) {
        return Err(AppError::not_found("community"));
    }
    let is_staff = cx.scope.is_staff_of(input.community_id);
    let self_id = cx.scope.person_id();
    if !is_staff && self_id.is_none() {
        return Err(AppError::Forbidden("volunteers register themselves or are registered by community staff".into()));
    }
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let person_id = match (is_staff, input.person_id, self_id) {
        (false, Some(p), Some(me)) if p != me => return Err(AppError::Forbidden("members register only themselves".into())),
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
                home_community_id: Set(Some(input.community_id)),
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
    let model = insert_volunteer(txn, input.community_id, person_id, input.profile).await?;
    w.commit(
        Audit::new("registerVolunteer", "Volunteer").object(model.id).community(model.community_id).summary(json!({ "self": !is_staff })),
    )
    .await?;
    Ok(model)
}

async fn insert_volunteer(txn: &DatabaseTransaction, community_id: Uuid, person_id: Uuid, profile: Profile) -> AppResult<volunteer::Model> {
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
pub async fn update_profile(cx: &Cx, id: Uuid, profile: Profile, expected_version: Option<i32>) -> AppResult<volunteer::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let current = volunteer::Entity::find_by_id(id)
        .filter(volunteer_filter(&cx.scope))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("volunteer"))?;
    check_version(expected_version, current.version, "the volunteer")?;
    let mut m: volunteer::ActiveModel = current.clone().into();
    let changed = apply_profile(txn, current.community_id, &mut m, profile).await?;
    m.version = Set(current.version + 1);
    let model =
        crate::db::guarded_update::<volunteer::Entity, _>(txn, m, volunteer::Column::Id, volunteer::Column::Version, id, current.version)
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
fn volunteers_select(cx: &Cx, community_id: Option<Uuid>) -> AppResult<sea_orm::Select<volunteer::Entity>> {
    cx.scope.require_authenticated()?;
    let mut select = volunteer::Entity::find().filter(volunteer_filter(&cx.scope));
    if let Some(c) = community_id {
        select = select.filter(volunteer::Column::CommunityId.eq(c));
    }
    Ok(select)
}

/// One page of a community's volunteers (staff), or the caller's own volunteer records.
pub async fn volunteers(cx: &Cx, community_id: Option<Uuid>, args: &PageArgs) -> AppResult<Page<volunteer::Model>> {
    let select = volunteers_select(cx, community_id)?;
    Ok(args.finish(args.apply(select, volunteer::Column::Id).all(&cx.db).await?))
}

// ---------------------------------------------------------------- check-ins

/// What an in-service member says when checking in.
pub struct NewCheckIn {
    pub community_id: Uuid,
    pub work_unit: String,
    pub department: Option<String>,
    pub organization_relation: String,
}

/// Locks the person's row for the rest of the transaction, so that two check-ins of one person
/// cannot both pass the one-active-check-in rule. (SQLite's write transactions are exclusive.)
async fn lock_person(w: &Write<'_>, person_id: Uuid) -> AppResult<()> {
    w.lock(person::Entity::find_by_id(person_id)).await?.ok_or_else(|| AppError::not_found("person"))?;
    Ok(())
}

/// An in-service member checks in (报到) to a community; one active check-in at a time.
pub async fn request_check_in(cx: &Cx, input: NewCheckIn) -> AppResult<check_in::Model> {
    cx.scope.require_authenticated()?;
    let Some(me) = cx.scope.person_id() else {
        return Err(AppError::Forbidden("members check in for themselves".into()));
    };
    if !cx.scope.sees_community(input.community_id) {
        return Err(AppError::not_found("community"));
    }
    let work_unit = clean_name("workUnit", &input.work_unit, 100)?;
    let relation = clean_name("organizationRelation", &input.organization_relation, 200)?;
    let department = clean_optional("department", input.department, 100)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    lock_person(&w, me).await?;
    let active = check_in::Entity::find()
        .filter(check_in::Column::PersonId.eq(me))
        .filter(check_in::Column::Status.is_in([CheckInStatus::Pending, CheckInStatus::Approved]))
        .count(txn)
        .await?;
    if active > 0 {
        return Err(AppError::Conflict(
            "you are already checked in (or waiting for approval) in a community; end that check-in first".into(),
        ));
    }
    let model = check_in::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(input.community_id),
        person_id: Set(me),
        work_unit: Set(work_unit),
        department: Set(department),
        organization_relation: Set(relation),
        status: Set(CheckInStatus::Pending),
        requested_at: Set(Utc::now()),
        decided_at: Set(None),
        decided_by: Set(None),
        decline_reason: Set(None),
        ended_at: Set(None),
        version: Set(1),
    }
    .insert(txn)
    .await?;
    w.commit(
        Audit::new("requestCheckIn", "CheckIn")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "workUnit": model.work_unit })),
    )
    .await?;
    Ok(model)
}

/// What staff or the member do with a check-in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CheckInAction {
    Approve,
    Decline,
    End,
}

/// Approves or declines a pending check-in (staff of that community only), or ends an active
/// one (the member or staff). An approved member becomes a volunteer of the community.
pub async fn decide_check_in(cx: &Cx, id: Uuid, action: CheckInAction, reason: Option<String>) -> AppResult<check_in::Model> {
    cx.scope.require_authenticated()?;
    let reason = clean_optional("reason", reason, 500)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let current = check_in::Entity::find_by_id(id)
        .filter(check_in_filter(&cx.scope))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("check-in"))?;
    let own = cx.scope.person_id() == Some(current.person_id);
    if action != CheckInAction::End || !own {
        cx.scope.require_staff(current.community_id, "decide on check-ins")?;
    }
    let (allowed, next, name) = match action {
        CheckInAction::Approve => (current.status == CheckInStatus::Pending, CheckInStatus::Approved, "approveCheckIn"),
        CheckInAction::Decline => (current.status == CheckInStatus::Pending, CheckInStatus::Declined, "declineCheckIn"),
        CheckInAction::End => {
            (matches!(current.status, CheckInStatus::Pending | CheckInStatus::Approved), CheckInStatus::Ended, "endCheckIn")
        }
    };
    if !allowed {
        return Err(AppError::BadInput {
            message: format!("cannot {name} a check-in that is {}", current.status.to_value()),
            field: Some("status".into()),
        });
    }
    let now = Utc::now();
    let mut m: check_in::ActiveModel = current.clone().into();
    m.status = Set(next);
    m.version = Set(current.version + 1);
    match action {
        CheckInAction::Approve | CheckInAction::Decline => {
            m.decided_at = Set(Some(now));
            m.decided_by = Set(Some(cx.scope.label().to_owned()));
            m.decline_reason = Set(reason);
        }
        CheckInAction::End => m.ended_at = Set(Some(now)),
    }
    let model =
        crate::db::guarded_update::<check_in::Entity, _>(txn, m, check_in::Column::Id, check_in::Column::Version, id, current.version)
            .await?;
    // The approved member volunteers in the community (again, if they did before); ending an
    // approved check-in ends that, while the history stays.
    let volunteering = match (action, current.status) {
        (CheckInAction::Approve, _) => Some(VolunteerStatus::Active),
        (CheckInAction::End, CheckInStatus::Approved) => Some(VolunteerStatus::Inactive),
        _ => None,
    };
    if let Some(status) = volunteering {
        let updated = volunteer::Entity::update_many()
            .col_expr(volunteer::Column::Status, Expr::value(status.to_value()))
            .col_expr(volunteer::Column::Version, sea_orm::sea_query::ExprTrait::add(Expr::col(volunteer::Column::Version), 1))
            .filter(volunteer::Column::CommunityId.eq(model.community_id))
            .filter(volunteer::Column::PersonId.eq(model.person_id))
            .filter(volunteer::Column::Status.ne(status))
            .exec(txn)
            .await?
            .rows_affected;
        let exists = updated > 0
            || volunteer::Entity::find()
                .filter(volunteer::Column::CommunityId.eq(model.community_id))
                .filter(volunteer::Column::PersonId.eq(model.person_id))
                .count(txn)
                .await?
                > 0;
        if status == VolunteerStatus::Active && !exists {
            let profile = Profile { department_strength: Some(model.work_unit.clone()), ..Profile::default() };
            insert_volunteer(txn, model.community_id, model.person_id, profile).await?;
        }
    }
    w.commit(
        Audit::new(name, "CheckIn").object(model.id).community(model.community_id).summary(json!({ "status": model.status.to_value() })),
    )
    .await?;
    // Member scopes include approved check-ins.
    Ok(model)
}

/// The check-ins the caller may see.
fn check_ins_select(cx: &Cx, community_id: Option<Uuid>, status: Option<CheckInStatus>) -> AppResult<sea_orm::Select<check_in::Entity>> {
    cx.scope.require_authenticated()?;
    let mut select = check_in::Entity::find().filter(check_in_filter(&cx.scope));
    if let Some(c) = community_id {
        select = select.filter(check_in::Column::CommunityId.eq(c));
    }
    if let Some(s) = status {
        select = select.filter(check_in::Column::Status.eq(s));
    }
    Ok(select)
}

/// One page of the check-ins the caller may see, oldest first.
pub async fn check_ins(
    cx: &Cx,
    community_id: Option<Uuid>,
    status: Option<CheckInStatus>,
    args: &PageArgs,
) -> AppResult<Page<check_in::Model>> {
    let select = check_ins_select(cx, community_id, status)?;
    Ok(args.finish(args.apply(select, check_in::Column::Id).all(&cx.db).await?))
}

/// How many check-ins the caller may see.
pub async fn check_in_count(cx: &Cx, community_id: Option<Uuid>, status: Option<CheckInStatus>) -> AppResult<u64> {
    Ok(check_ins_select(cx, community_id, status)?.count(&cx.db).await?)
}

// ---------------------------------------------------------------- demands and invitations

/// A demand to post.
pub struct NewDemand {
    pub community_id: Uuid,
    pub category_id: Uuid,
    pub title: String,
    pub description: String,
    pub compound_id: Option<Uuid>,
    pub place: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub headcount: i32,
    pub skills_wanted: Vec<String>,
}

fn check_window(starts: DateTime<Utc>, ends: DateTime<Utc>) -> AppResult<()> {
    crate::validate::check_time("startsAt", starts)?;
    crate::validate::check_time("endsAt", ends)?;
    if ends <= starts {
        return Err(AppError::bad_input("endsAt", "`endsAt` must be after `startsAt`"));
    }
    if ends - starts > Duration::days(31) {
        return Err(AppError::bad_input("endsAt", "a time window is at most 31 days"));
    }
    Ok(())
}

/// Posts a demand on the community's demand list (staff, or a compound branch's secretary for
/// that compound).
pub async fn post_demand(cx: &Cx, input: NewDemand) -> AppResult<demand::Model> {
    cx.scope.require_demand_manager(input.community_id, input.compound_id)?;
    let title = clean_name("title", &input.title, 200)?;
    let description = clean_text("description", &input.description, 5000)?;
    let place = clean_optional("place", input.place, 200)?;
    check_window(input.starts_at, input.ends_at)?;
    if !(1..=500).contains(&input.headcount) {
        return Err(AppError::bad_input("headcount", "`headcount` must be between 1 and 500"));
    }
    let skills = clean_list("skillsWanted", input.skills_wanted, 20)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    active_category(txn, input.category_id, "categoryId").await?;
    if let Some(c) = input.compound_id {
        let found =
            entity::compound::Entity::find_by_id(c).filter(entity::compound::Column::CommunityId.eq(input.community_id)).count(txn).await?;
        if found == 0 {
            return Err(AppError::bad_input("compoundId", "no such compound in this community"));
        }
    }
    let model = demand::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(input.community_id),
        category_id: Set(input.category_id),
        title: Set(title),
        description: Set(description),
        compound_id: Set(input.compound_id),
        place: Set(place),
        starts_at: Set(input.starts_at),
        ends_at: Set(input.ends_at),
        headcount: Set(input.headcount),
        skills_wanted: Set(crate::validate::to_json_list(&skills)),
        status: Set(DemandStatus::Open),
        created_by: Set(cx.scope.label().to_owned()),
        created_at: Set(Utc::now()),
        version: Set(1),
    }
    .insert(txn)
    .await?;
    w.commit(
        Audit::new("postDemand", "Demand")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "title": model.title, "headcount": model.headcount })),
    )
    .await?;
    Ok(model)
}

/// Closes or cancels a demand (staff, or the secretary of the demand's compound branch).
pub async fn set_demand_status(cx: &Cx, id: Uuid, status: DemandStatus, expected_version: Option<i32>) -> AppResult<demand::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let current = demand::Entity::find_by_id(id)
        .filter(published_filter(&cx.scope, demand::Column::CommunityId))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("demand"))?;
    cx.scope.require_demand_manager(current.community_id, current.compound_id)?;
    check_version(expected_version, current.version, "the demand")?;
    let name = if status == DemandStatus::Cancelled { "cancelDemand" } else { "closeDemand" };
    if matches!(current.status, DemandStatus::Closed | DemandStatus::Cancelled) {
        return Err(AppError::BadInput {
            message: format!("cannot {name} a demand that is {}", current.status.to_value()),
            field: Some("status".into()),
        });
    }
    let mut m: demand::ActiveModel = current.clone().into();
    m.status = Set(status);
    m.version = Set(current.version + 1);
    let model =
        crate::db::guarded_update::<demand::Entity, _>(txn, m, demand::Column::Id, demand::Column::Version, id, current.version).await?;
    w.commit(
        Audit::new(name, "Demand").object(model.id).community(model.community_id).summary(json!({ "status": model.status.to_value() })),
    )
    .await?;
    Ok(model)
}

/// The demands the caller may see.
fn demands_select(cx: &Cx, community_id: Option<Uuid>, status: Option<DemandStatus>) -> AppResult<sea_orm::Select<demand::Entity>> {
    cx.scope.require_authenticated()?;
    let mut select = demand::Entity::find().filter(published_filter(&cx.scope, demand::Column::CommunityId));
    if let Some(c) = community_id {
        select = select.filter(demand::Column::CommunityId.eq(c));
    }
    if let Some(s) = status {
        select = select.filter(demand::Column::Status.eq(s));
    }
    Ok(select)
}

/// One page of the demands the caller may see.
pub async fn demands(cx: &Cx, community_id: Option<Uuid>, status: Option<DemandStatus>, args: &PageArgs) -> AppResult<Page<demand::Model>> {
    let select = demands_select(cx, community_id, status)?;
    Ok(args.finish(args.apply(select, demand::Column::Id).all(&cx.db).await?))
}

/// Invites a volunteer of the community to a demand (staff).
pub async fn invite(cx: &Cx, demand_id: Uuid, volunteer_id: Uuid) -> AppResult<invitation::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let d = demand::Entity::find_by_id(demand_id)
        .filter(published_filter(&cx.scope, demand::Column::CommunityId))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("demand"))?;
    cx.scope.require_staff(d.community_id, "invite volunteers")?;
    if d.status != DemandStatus::Open {
        return Err(AppError::BadInput {
            message: format!("cannot invite to a demand that is {}", d.status.to_value()),
            field: Some("status".into()),
        });
    }
    let v = volunteer::Entity::find_by_id(volunteer_id)
        .filter(volunteer::Column::CommunityId.eq(d.community_id))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::bad_input("volunteerId", "no such volunteer in this community"))?;
    if v.status != VolunteerStatus::Active {
        return Err(AppError::bad_input("volunteerId", "the volunteer is inactive"));
    }
    let model = invitation::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(d.community_id),
        demand_id: Set(d.id),
        volunteer_id: Set(v.id),
        status: Set(InvitationStatus::Invited),
        created_at: Set(Utc::now()),
        responded_at: Set(None),
    }
    .insert(txn)
    .await
    .map_err(|e| conflict_on_unique(e, "the volunteer is already invited"))?;
    w.commit(Audit::new("inviteVolunteer", "Invitation").object(model.id).community(model.community_id).summary(json!({ "demand": d.id })))
        .await?;
    Ok(model)
}

/// The invited volunteer accepts or declines; enough acceptances fill the demand.
pub async fn respond(cx: &Cx, id: Uuid, accept: bool) -> AppResult<invitation::Model> {
    cx.scope.require_authenticated()?;
    let Some(me) = cx.scope.person_id() else {
        return Err(AppError::Forbidden("the invited volunteer answers".into()));
    };
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let seen = invitation::Entity::find_by_id(id).one(txn).await?.ok_or_else(|| AppError::not_found("invitation"))?;
    let v = volunteer::Entity::find_by_id(seen.volunteer_id).one(txn).await?.ok_or_else(|| AppError::not_found("invitation"))?;
    if v.person_id != me {
        return Err(AppError::not_found("invitation"));
    }
    // The demand's lock orders concurrent answers: each one counts the acceptances before it.
    let d = w.lock(demand::Entity::find_by_id(seen.demand_id)).await?.ok_or_else(|| AppError::internal("invitation without demand"))?;
    let inv = invitation::Entity::find_by_id(id).one(txn).await?.ok_or_else(|| AppError::not_found("invitation"))?;
    if inv.status != InvitationStatus::Invited {
        return Err(AppError::Conflict("the invitation was already answered".into()));
    }
    if accept && d.status != DemandStatus::Open {
        return Err(AppError::BadInput {
            message: format!("the demand is {}: it takes no more volunteers", d.status.to_value()),
            field: Some("id".into()),
        });
    }
    let mut m: invitation::ActiveModel = inv.clone().into();
    m.status = Set(if accept { InvitationStatus::Accepted } else { InvitationStatus::Declined });
    m.responded_at = Set(Some(Utc::now()));
    let model = m.update(txn).await?;
    if accept {
        let accepted = invitation::Entity::find()
            .filter(invitation::Column::DemandId.eq(d.id))
            .filter(invitation::Column::Status.eq(InvitationStatus::Accepted))
            .count(txn)
            .await?;
        if d.status == DemandStatus::Open && accepted >= d.headcount.max(0) as u64 {
            demand::Entity::update_many()
                .col_expr(demand::Column::Status, Expr::value(DemandStatus::Filled.to_value()))
                .col_expr(demand::Column::Version, Expr::value(d.version + 1))
                .filter(demand::Column::Id.eq(d.id))
                .filter(demand::Column::Version.eq(d.version))
                .exec(txn)
                .await?;
        }
    }
    w.commit(
        Audit::new("respondToInvitation", "Invitation")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "accepted": accept })),
    )
    .await?;
    Ok(model)
}

// ---------------------------------------------------------------- activities

/// An activity to create, on its own or from a demand (whose fields fill the gaps).
pub struct NewActivity {
    pub community_id: Uuid,
    pub demand_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub title: Option<String>,
    pub description: String,
    pub place: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub capacity: i32,
}

/// Creates an activity (staff; the caller is its organiser).
pub async fn create_activity(cx: &Cx, input: NewActivity) -> AppResult<activity::Model> {
    cx.scope.require_staff(input.community_id, "create activities")?;
    if !(1..=10_000).contains(&input.capacity) {
        return Err(AppError::bad_input("capacity", "`capacity` must be between 1 and 10000"));
    }
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let from = match input.demand_id {
        Some(d) => Some(
            demand::Entity::find_by_id(d)
                .filter(demand::Column::CommunityId.eq(input.community_id))
                .one(txn)
                .await?
                .ok_or_else(|| AppError::bad_input("demandId", "no such demand in this community"))?,
        ),
        None => None,
    };
    let category_id = input
        .category_id
        .or(from.as_ref().map(|d| d.category_id))
        .ok_or_else(|| AppError::bad_input("categoryId", "give a category or a demand"))?;
    active_category(txn, category_id, "categoryId").await?;
    let title = clean_name("title", input.title.as_deref().or(from.as_ref().map(|d| d.title.as_str())).unwrap_or(""), 200)?;
    let place = clean_name("place", input.place.as_deref().or(from.as_ref().and_then(|d| d.place.as_deref())).unwrap_or(""), 200)?;
    let starts =
        input.starts_at.or(from.as_ref().map(|d| d.starts_at)).ok_or_else(|| AppError::bad_input("startsAt", "give a start time"))?;
    let ends = input.ends_at.or(from.as_ref().map(|d| d.ends_at)).ok_or_else(|| AppError::bad_input("endsAt", "give an end time"))?;
    check_window(starts, ends)?;
    let model = activity::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(input.community_id),
        demand_id: Set(from.as_ref().map(|d| d.id)),
        category_id: Set(category_id),
        title: Set(title),
        description: Set(clean_text("description", &input.description, 5000)?),
        place: Set(place),
        starts_at: Set(starts),
        ends_at: Set(ends),
        capacity: Set(input.capacity),
        organizer: Set(cx.scope.label().to_owned()),
        status: Set(ActivityStatus::Open),
        residents_served: Set(0),
        code_hash: Set(None),
        code_expires_at: Set(None),
        created_at: Set(Utc::now()),
        version: Set(1),
    }
    .insert(txn)
    .await?;
    w.commit(
        Audit::new("createActivity", "Activity")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "title": model.title, "capacity": model.capacity })),
    )
    .await?;
    Ok(model)
}

/// The activities the caller may see.
fn activities_select(cx: &Cx, community_id: Option<Uuid>) -> AppResult<sea_orm::Select<activity::Entity>> {
    cx.scope.require_authenticated()?;
    let mut select = activity::Entity::find().filter(published_filter(&cx.scope, activity::Column::CommunityId));
    if let Some(c) = community_id {
        select = select.filter(activity::Column::CommunityId.eq(c));
    }
    Ok(select)
}

/// One page of the activities the caller may see.
pub async fn activities(cx: &Cx, community_id: Option<Uuid>, args: &PageArgs) -> AppResult<Page<activity::Model>> {
    let select = activities_select(cx, community_id)?;
    Ok(args.finish(args.apply(select, activity::Column::Id).all(&cx.db).await?))
}

/// Loads an activity for a change, locking its row on PostgreSQL so that sign-ups for one
/// activity are decided one at a time (SQLite's write transactions are exclusive already).
async fn lock_activity(w: &Write<'_>, id: Uuid) -> AppResult<activity::Model> {
    let select = activity::Entity::find_by_id(id).filter(published_filter(&w.cx().scope, activity::Column::CommunityId));
    w.lock(select).await?.ok_or_else(|| AppError::not_found("activity"))
}

/// An active volunteer of the activity's community signs up; beyond the capacity they join the
/// waiting list.
pub async fn sign_up(cx: &Cx, activity_id: Uuid) -> AppResult<sign_up::Model> {
    cx.scope.require_authenticated()?;
    let Some(me) = cx.scope.person_id() else {
        return Err(AppError::Forbidden("volunteers sign up for themselves".into()));
    };
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let a = lock_activity(&w, activity_id).await?;
    if a.status != ActivityStatus::Open || a.ends_at <= Utc::now() {
        return Err(AppError::BadInput { message: "the activity is cancelled or over".into(), field: Some("activityId".into()) });
    }
    let volunteering = volunteer::Entity::find()
        .filter(volunteer::Column::CommunityId.eq(a.community_id))
        .filter(volunteer::Column::PersonId.eq(me))
        .filter(volunteer::Column::Status.eq(VolunteerStatus::Active))
        .count(txn)
        .await?;
    if volunteering == 0 {
        return Err(AppError::Forbidden(
            "only active volunteers of the community sign up: register as a volunteer there, or check in".into(),
        ));
    }
    let registered = sign_up::Entity::find()
        .filter(sign_up::Column::CommunityId.eq(a.community_id))
        .filter(sign_up::Column::ActivityId.eq(a.id))
        .filter(sign_up::Column::Status.eq(SignUpStatus::Registered))
        .count(txn)
        .await?;
    let status = if registered < a.capacity.max(0) as u64 { SignUpStatus::Registered } else { SignUpStatus::Waiting };
    let now = Utc::now();
    let existing = sign_up::Entity::find()
        .filter(sign_up::Column::CommunityId.eq(a.community_id))
        .filter(sign_up::Column::ActivityId.eq(a.id))
        .filter(sign_up::Column::PersonId.eq(me))
        .one(txn)
        .await?;
    let model = match existing {
        Some(s) if s.status != SignUpStatus::Cancelled => return Err(AppError::Conflict("you are already signed up".into())),
        Some(s) => {
            // Signing up again joins at the back: a fresh row keeps the waiting list in order.
            sign_up::Entity::delete_by_id(s.id).exec(txn).await?;
            insert_sign_up(txn, &a, me, status, now).await?
        }
        None => insert_sign_up(txn, &a, me, status, now).await?,
    };
    w.commit(
        Audit::new("signUp", "SignUp").object(model.id).community(model.community_id).summary(json!({ "status": model.status.to_value() })),
    )
    .await?;
    Ok(model)
}

async fn insert_sign_up(
    txn: &DatabaseTransaction,
    a: &activity::Model,
    person: Uuid,
    status: SignUpStatus,
    now: DateTime<Utc>,
) -> AppResult<sign_up::Model> {
    sign_up::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(a.community_id),
        activity_id: Set(a.id),
        person_id: Set(person),
        status: Set(status),
        checked_in_at: Set(None),
        checked_out_at: Set(None),
        service_minutes: Set(None),
        code_failures: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(|e| conflict_on_unique(e, "you are already signed up"))
}

/// Cancels a sign-up (the volunteer or staff); a freed place goes to the first on the waiting list.
pub async fn cancel_sign_up(cx: &Cx, id: Uuid) -> AppResult<sign_up::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let seen =
        sign_up::Entity::find_by_id(id).filter(sign_up_filter(&cx.scope)).one(txn).await?.ok_or_else(|| AppError::not_found("sign-up"))?;
    let a = lock_activity(&w, seen.activity_id).await?;
    // Read again under the activity's lock: a concurrent cancel or promotion may have changed it.
    let s = sign_up::Entity::find_by_id(id).one(txn).await?.ok_or_else(|| AppError::not_found("sign-up"))?;
    if s.status == SignUpStatus::Cancelled {
        return Err(AppError::Conflict("the sign-up is already cancelled".into()));
    }
    if s.checked_in_at.is_some() {
        return Err(AppError::BadInput { message: "cannot cancel after checking in".into(), field: Some("status".into()) });
    }
    let now = Utc::now();
    let mut m: sign_up::ActiveModel = s.clone().into();
    m.status = Set(SignUpStatus::Cancelled);
    m.updated_at = Set(now);
    let model = m.update(txn).await?;
    let mut promoted = None;
    if s.status == SignUpStatus::Registered {
        let first = sign_up::Entity::find()
            .filter(sign_up::Column::CommunityId.eq(a.community_id))
            .filter(sign_up::Column::ActivityId.eq(a.id))
            .filter(sign_up::Column::Status.eq(SignUpStatus::Waiting))
            .order_by_asc(sign_up::Column::Id)
            .one(txn)
            .await?;
        if let Some(w) = first {
            let mut p: sign_up::ActiveModel = w.clone().into();
            p.status = Set(SignUpStatus::Registered);
            p.updated_at = Set(now);
            promoted = Some(p.update(txn).await?.id);
        }
    }
    w.commit(Audit::new("cancelSignUp", "SignUp").object(model.id).community(model.community_id).summary(json!({ "promoted": promoted })))
        .await?;
    Ok(model)
}

fn not_cancelled(a: &activity::Model) -> AppResult<()> {
    if a.status == ActivityStatus::Cancelled {
        return Err(AppError::BadInput { message: "the activity is cancelled".into(), field: Some("activityId".into()) });
    }
    Ok(())
}

/// Cancels an activity nobody has attended yet (staff). Its sign-ups are cancelled with it, and
/// it no longer counts in the statistics.
pub async fn cancel_activity(cx: &Cx, id: Uuid, expected_version: Option<i32>) -> AppResult<activity::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let a = lock_activity(&w, id).await?;
    cx.scope.require_staff(a.community_id, "cancel activities")?;
    check_version(expected_version, a.version, "the activity")?;
    not_cancelled(&a)?;
    let of_activity = Condition::all().add(sign_up::Column::CommunityId.eq(a.community_id)).add(sign_up::Column::ActivityId.eq(a.id));
    let attended =
        sign_up::Entity::find().filter(of_activity.clone()).filter(sign_up::Column::CheckedInAt.is_not_null()).count(txn).await?;
    if attended > 0 {
        return Err(AppError::BadInput {
            message: format!("{attended} volunteer(s) have already checked in: the activity took place"),
            field: Some("id".into()),
        });
    }
    let now = Utc::now();
    let mut m: activity::ActiveModel = a.clone().into();
    m.status = Set(ActivityStatus::Cancelled);
    m.code_hash = Set(None);
    m.code_expires_at = Set(None);
    m.version = Set(a.version + 1);
    let model =
        crate::db::guarded_update::<activity::Entity, _>(txn, m, activity::Column::Id, activity::Column::Version, id, a.version).await?;
    let cancelled = sign_up::Entity::update_many()
        .col_expr(sign_up::Column::Status, Expr::value(SignUpStatus::Cancelled.to_value()))
        .col_expr(sign_up::Column::UpdatedAt, Expr::value(now))
        .filter(of_activity)
        .filter(sign_up::Column::Status.ne(SignUpStatus::Cancelled))
        .exec(txn)
        .await?
        .rows_affected;
    w.commit(
        Audit::new("cancelActivity", "Activity")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "title": model.title, "signUpsCancelled": cancelled })),
    )
    .await?;
    Ok(model)
}

fn hash_code(activity: Uuid, code: &str) -> String {
    Sha256::digest(format!("{activity}:{}", code.trim()).as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Issues a one-time attendance code for an activity (staff), valid two hours.
pub async fn issue_code(cx: &Cx, activity_id: Uuid) -> AppResult<(activity::Model, String)> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let a = lock_activity(&w, activity_id).await?;
    cx.scope.require_staff(a.community_id, "issue attendance codes")?;
    not_cancelled(&a)?;
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32));
    let mut m: activity::ActiveModel = a.clone().into();
    m.code_hash = Set(Some(hash_code(a.id, &code)));
    m.code_expires_at = Set(Some(Utc::now() + Duration::hours(2)));
    m.version = Set(a.version + 1);
    let model = m.update(txn).await?;
    // A new code: every volunteer locked out of the old one may try again.
    sign_up::Entity::update_many()
        .col_expr(sign_up::Column::CodeFailures, Expr::value(0))
        .filter(sign_up::Column::CommunityId.eq(model.community_id))
        .filter(sign_up::Column::ActivityId.eq(model.id))
        .filter(sign_up::Column::CodeFailures.gt(0))
        .exec(txn)
        .await?;
    w.commit(
        Audit::new("issueAttendanceCode", "Activity")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "expiresAt": model.code_expires_at })),
    )
    .await?;
    Ok((model, code))
}

/// Wrong codes one volunteer may try against an activity's current code; after them that
/// volunteer is locked out until the organiser issues a new code. Six digits cannot be guessed
/// in so few tries, and one volunteer's guesses lock nobody else out.
const MAX_CODE_FAILURES: i32 = 20;

fn locked_out() -> AppError {
    AppError::bad_input("code", "too many wrong codes: you are locked out of this code; ask the organiser for a new one")
}

/// Counts a wrong code against the volunteer's sign-up and answers the refusal. The count is
/// one conditional update, so that however many tries arrive at once, exactly
/// [`MAX_CODE_FAILURES`] are counted (and answered "wrong") and the rest find the volunteer
/// locked out. The count is committed on its own: the attendance itself did not happen.
async fn wrong_code(w: Write<'_>, a: &activity::Model, s: &sign_up::Model) -> AppResult<AppError> {
    if a.code_hash.is_none() {
        // Nothing to count: dropping the write rolls it back.
        return Ok(AppError::bad_input("code", "no attendance code is in force: ask the organiser for one"));
    }
    let counted = sign_up::Entity::update_many()
        .col_expr(sign_up::Column::CodeFailures, sea_orm::sea_query::ExprTrait::add(Expr::col(sign_up::Column::CodeFailures), 1))
        .filter(sign_up::Column::CommunityId.eq(s.community_id))
        .filter(sign_up::Column::Id.eq(s.id))
        .filter(sign_up::Column::CodeFailures.lt(MAX_CODE_FAILURES))
        .exec(w.txn())
        .await?
        .rows_affected;
    w.commit_refused_attempt().await?;
    Ok(if counted == 1 { AppError::bad_input("code", "the code is wrong or has expired") } else { locked_out() })
}

/// How attendance is recorded: by the organiser for a sign-up, or by the volunteer with the code.
pub enum Attendance {
    ByOrganiser { sign_up_id: Uuid },
    ByCode { activity_id: Uuid, code: String },
}

/// The minutes of service between check-in and check-out, counted within the activity's time:
/// arriving early or leaving (or forgetting to check out) late adds nothing.
fn service_minutes(a: &activity::Model, checked_in: DateTime<Utc>, checked_out: DateTime<Utc>) -> i32 {
    let from = checked_in.max(a.starts_at);
    let to = checked_out.min(a.ends_at);
    i32::try_from((to - from).num_minutes().max(0)).unwrap_or(i32::MAX)
}

/// Checks a volunteer in or out. Check-out needs a check-in first; the minutes between them are
/// the service time.
pub async fn attend(cx: &Cx, how: Attendance, check_out: bool) -> AppResult<sign_up::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    // The activity's lock orders attendance changes; the sign-up is read under it.
    let (a, s) = match &how {
        Attendance::ByOrganiser { sign_up_id } => {
            let seen = sign_up::Entity::find_by_id(*sign_up_id)
                .filter(sign_up_filter(&cx.scope))
                .one(txn)
                .await?
                .ok_or_else(|| AppError::not_found("sign-up"))?;
            cx.scope.require_staff(seen.community_id, "record attendance")?;
            let a = lock_activity(&w, seen.activity_id).await?;
            let s = sign_up::Entity::find_by_id(seen.id).one(txn).await?.ok_or_else(|| AppError::not_found("sign-up"))?;
            (a, s)
        }
        Attendance::ByCode { activity_id, code } => {
            let Some(me) = cx.scope.person_id() else {
                return Err(AppError::Forbidden("the code is for volunteers checking themselves in".into()));
            };
            let a = lock_activity(&w, *activity_id).await?;
            // Only a volunteer signed up may try the code, and their tries are counted on their
            // sign-up.
            let s = sign_up::Entity::find()
                .filter(sign_up::Column::CommunityId.eq(a.community_id))
                .filter(sign_up::Column::ActivityId.eq(a.id))
                .filter(sign_up::Column::PersonId.eq(me))
                .one(txn)
                .await?
                .ok_or_else(|| AppError::bad_input("activityId", "you are not signed up for this activity"))?;
            if s.code_failures >= MAX_CODE_FAILURES {
                return Err(locked_out());
            }
            let valid = a.code_hash.as_deref() == Some(hash_code(a.id, code).as_str()) && a.code_expires_at.is_some_and(|t| t > Utc::now());
            if !valid {
                return Err(wrong_code(w, &a, &s).await?);
            }
            (a, s)
        }
    };
    if s.status != SignUpStatus::Registered {
        return Err(AppError::BadInput {
            message: format!("a {} sign-up cannot attend", s.status.to_value()),
            field: Some("status".into()),
        });
    }
    let now = Utc::now();
    let mut m: sign_up::ActiveModel = s.clone().into();
    let action = if check_out {
        let Some(start) = s.checked_in_at else {
            return Err(AppError::BadInput { message: "cannot check out before checking in".into(), field: Some("checkedInAt".into()) });
        };
        if s.checked_out_at.is_some() {
            return Err(AppError::Conflict("already checked out".into()));
        }
        m.checked_out_at = Set(Some(now));
        m.service_minutes = Set(Some(service_minutes(&a, start, now)));
        "checkOutAttendance"
    } else {
        if s.checked_in_at.is_some() {
            return Err(AppError::Conflict("already checked in".into()));
        }
        if now < a.starts_at - Duration::hours(1) || now > a.ends_at {
            return Err(AppError::BadInput {
                message: "check-in opens an hour before the activity starts and closes when it ends".into(),
                field: Some("checkedInAt".into()),
            });
        }
        m.checked_in_at = Set(Some(now));
        "checkInAttendance"
    };
    m.updated_at = Set(now);
    let model = m.update(txn).await?;
    w.commit(
        Audit::new(action, "SignUp").object(model.id).community(model.community_id).summary(json!({ "minutes": model.service_minutes })),
    )
    .await?;
    Ok(model)
}

/// Records how many residents an activity served (staff).
pub async fn record_residents(cx: &Cx, activity_id: Uuid, count: i32) -> AppResult<activity::Model> {
    cx.scope.require_authenticated()?;
    if !(0..=1_000_000).contains(&count) {
        return Err(AppError::bad_input("residentsServed", "`residentsServed` must be between 0 and 1000000"));
    }
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let a = lock_activity(&w, activity_id).await?;
    cx.scope.require_staff(a.community_id, "record residents served")?;
    not_cancelled(&a)?;
    let mut m: activity::ActiveModel = a.clone().into();
    m.residents_served = Set(count);
    m.version = Set(a.version + 1);
    let model = m.update(txn).await?;
    w.commit(
        Audit::new("recordResidentsServed", "Activity")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "residentsServed": count })),
    )
    .await?;
    Ok(model)
}

/// A person's service record: their sign-ups with attendance, in the caller's sight.
pub async fn service_record(cx: &Cx, person_id: Option<Uuid>) -> AppResult<(Uuid, Vec<sign_up::Model>)> {
    cx.scope.require_authenticated()?;
    let person = person_id.or(cx.scope.person_id()).ok_or_else(|| AppError::bad_input("personId", "whose record?"))?;
    let rows = sign_up::Entity::find()
        .filter(sign_up_filter(&cx.scope))
        .filter(sign_up::Column::PersonId.eq(person))
        .filter(sign_up::Column::CheckedInAt.is_not_null())
        .order_by_asc(sign_up::Column::Id)
        .all(&cx.db)
        .await?;
    Ok((person, rows))
}

/// How many volunteers the caller may see.
pub async fn volunteer_count(cx: &Cx, community_id: Option<Uuid>) -> AppResult<u64> {
    Ok(volunteers_select(cx, community_id)?.count(&cx.db).await?)
}

/// How many demands the caller may see.
pub async fn demand_count(cx: &Cx, community_id: Option<Uuid>, status: Option<DemandStatus>) -> AppResult<u64> {
    Ok(demands_select(cx, community_id, status)?.count(&cx.db).await?)
}

/// How many activities the caller may see.
pub async fn activity_count(cx: &Cx, community_id: Option<Uuid>) -> AppResult<u64> {
    Ok(activities_select(cx, community_id)?.count(&cx.db).await?)
}

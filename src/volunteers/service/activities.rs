//! Activities with capacity and a waiting list: creating, signing up, cancelling. Organisations
//! run activities together (活动共联): an activity's organiser is its community, one of the
//! community's party organisations (its joint committee or a branch), or a co-building unit with
//! a seat on the community's joint committee today; kinds include the monthly party theme day
//! (主题党日) and neighbourly-home pilots (近邻家园). Whatever the kind or organiser, an activity
//! counts in the volunteer statistics as any other.

use chrono::{DateTime, Utc};
use entity::activity::{self, ActivityKind, ActivityStatus, OrganiserKind};
use entity::sign_up::{self, SignUpStatus};
use entity::volunteer::{self, VolunteerStatus};
use entity::{demand, party_organization};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use super::categories::active_category;
use super::demands::check_window;
use crate::cx::Cx;
use crate::db::conflict_on_unique;
use crate::error::{AppError, AppResult};
use crate::organisation::ids::{OrganizationId, UnitId};
use crate::organisation::loaders::CommunityId;
use crate::organisation::service::unit_sits_on;
use crate::paging::{Page, PageArgs};
use crate::validate::{check_version, clean_name, clean_text};
use crate::volunteers::ids::{ActivityId, CategoryId, DemandId, SignUpId};
use crate::volunteers::visibility::{published_filter, sign_up_filter};
use crate::write::{Audit, Write};

/// An activity to create, on its own or from a demand (whose fields fill the gaps).
pub struct NewActivity {
    pub community_id: CommunityId,
    pub demand_id: Option<DemandId>,
    pub category_id: Option<CategoryId>,
    pub title: Option<String>,
    pub description: String,
    pub place: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub capacity: i32,
    /// Volunteer service, a party theme day or a neighbourly-home pilot.
    pub kind: ActivityKind,
    /// Who organises it; the community itself when not given.
    pub organiser: Option<Organiser>,
}

/// Who organises an activity, as the caller names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Organiser {
    /// A community: only the activity's own.
    Community(CommunityId),
    /// A party organisation of the activity's community: its joint committee or a branch.
    PartyOrganization(OrganizationId),
    /// A co-building unit with a seat on the community's joint committee today.
    Unit(UnitId),
}

/// Checks the organiser against the activity's community: another community, a party
/// organisation of another community, or a unit without a seat on this community's joint
/// committee today is refused with `BAD_USER_INPUT` on `organiserId`.
async fn check_organiser(
    txn: &DatabaseTransaction,
    community_id: CommunityId,
    organiser: Option<Organiser>,
) -> AppResult<(OrganiserKind, Uuid)> {
    match organiser.unwrap_or(Organiser::Community(community_id)) {
        Organiser::Community(c) if c == community_id => Ok((OrganiserKind::Community, c.0)),
        Organiser::Community(_) => Err(AppError::bad_input("organiserId", "a community organises only its own activities")),
        Organiser::PartyOrganization(o) => {
            let found = party_organization::Entity::find_by_id(o.0)
                .filter(party_organization::Column::CommunityId.eq(community_id.0))
                .count(txn)
                .await?;
            if found == 0 {
                return Err(AppError::bad_input("organiserId", "no such party organisation in this community"));
            }
            Ok((OrganiserKind::PartyOrganization, o.0))
        }
        Organiser::Unit(u) => {
            if !unit_sits_on(txn, community_id, u).await? {
                return Err(AppError::bad_input("organiserId", "the unit has no seat on this community's joint committee"));
            }
            Ok((OrganiserKind::Unit, u.0))
        }
    }
}

/// Creates an activity. Its community's staff (and street staff) record it, for the community
/// itself or for the organisation that runs it ([`Organiser`]); `organizer` keeps who recorded it.
pub async fn create_activity(cx: &Cx, input: NewActivity) -> AppResult<activity::Model> {
    cx.scope.require_staff(input.community_id.0, "create activities")?;
    if !(1..=10_000).contains(&input.capacity) {
        return Err(AppError::bad_input("capacity", "`capacity` must be between 1 and 10000"));
    }
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let (organiser_kind, organiser_id) = check_organiser(txn, input.community_id, input.organiser).await?;
    let from = match input.demand_id {
        Some(d) => Some(
            demand::Entity::find_by_id(d.0)
                .filter(demand::Column::CommunityId.eq(input.community_id.0))
                .one(txn)
                .await?
                .ok_or_else(|| AppError::bad_input("demandId", "no such demand in this community"))?,
        ),
        None => None,
    };
    let category_id = input
        .category_id
        .or(from.as_ref().map(|d| CategoryId(d.category_id)))
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
        community_id: Set(input.community_id.0),
        demand_id: Set(from.as_ref().map(|d| d.id)),
        category_id: Set(category_id.0),
        title: Set(title),
        description: Set(clean_text("description", &input.description, 5000)?),
        place: Set(place),
        starts_at: Set(starts),
        ends_at: Set(ends),
        capacity: Set(input.capacity),
        organizer: Set(cx.scope.label().to_owned()),
        kind: Set(input.kind),
        organiser_kind: Set(organiser_kind),
        organiser_id: Set(organiser_id),
        status: Set(ActivityStatus::Open),
        residents_served: Set(0),
        code_hash: Set(None),
        code_expires_at: Set(None),
        created_at: Set(Utc::now()),
        version: Set(1),
    }
    .insert(txn)
    .await?;
    w.commit(Audit::new("createActivity", "Activity").object(model.id).community(model.community_id).summary(json!({
        "title": model.title,
        "capacity": model.capacity,
        "kind": model.kind.to_value(),
        "organiserKind": model.organiser_kind.to_value(),
        "organiserId": model.organiser_id,
    })))
    .await?;
    Ok(model)
}

/// The activities the caller may see.
pub(crate) fn activities_select(cx: &Cx, community_id: Option<CommunityId>) -> AppResult<sea_orm::Select<activity::Entity>> {
    cx.scope.require_authenticated()?;
    let mut select = activity::Entity::find().filter(published_filter(&cx.scope, activity::Column::CommunityId));
    if let Some(c) = community_id {
        select = select.filter(activity::Column::CommunityId.eq(c.0));
    }
    Ok(select)
}

/// One page of the activities the caller may see.
pub async fn activities(cx: &Cx, community_id: Option<CommunityId>, args: &PageArgs) -> AppResult<Page<activity::Model>> {
    let select = activities_select(cx, community_id)?;
    Ok(args.finish(args.apply(select, activity::Column::Id).all(&cx.db).await?))
}

/// Loads an activity for a change, locking its row on PostgreSQL so that sign-ups for one
/// activity are decided one at a time (SQLite's write transactions are exclusive already).
pub(super) async fn lock_activity(w: &Write<'_>, id: ActivityId) -> AppResult<activity::Model> {
    let select = activity::Entity::find_by_id(id.0).filter(published_filter(&w.cx().scope, activity::Column::CommunityId));
    w.lock(select).await?.ok_or_else(|| AppError::not_found("activity"))
}

/// An active volunteer of the activity's community signs up; beyond the capacity they join the
/// waiting list.
pub async fn sign_up(cx: &Cx, activity_id: ActivityId) -> AppResult<sign_up::Model> {
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
pub async fn cancel_sign_up(cx: &Cx, id: SignUpId) -> AppResult<sign_up::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let seen = sign_up::Entity::find_by_id(id.0)
        .filter(sign_up_filter(&cx.scope))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("sign-up"))?;
    let a = lock_activity(&w, ActivityId(seen.activity_id)).await?;
    // Read again under the activity's lock: a concurrent cancel or promotion may have changed it.
    let s = sign_up::Entity::find_by_id(id.0).one(txn).await?.ok_or_else(|| AppError::not_found("sign-up"))?;
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

pub(super) fn not_cancelled(a: &activity::Model) -> AppResult<()> {
    if a.status == ActivityStatus::Cancelled {
        return Err(AppError::BadInput { message: "the activity is cancelled".into(), field: Some("activityId".into()) });
    }
    Ok(())
}

/// Cancels an activity nobody has attended yet (staff). Its sign-ups are cancelled with it, and
/// it no longer counts in the statistics.
pub async fn cancel_activity(cx: &Cx, id: ActivityId, expected_version: Option<i32>) -> AppResult<activity::Model> {
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
        crate::db::guarded_update::<activity::Entity, _>(txn, m, activity::Column::Id, activity::Column::Version, id.0, a.version).await?;
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

/// How many activities the caller may see.
pub async fn activity_count(cx: &Cx, community_id: Option<CommunityId>) -> AppResult<u64> {
    Ok(activities_select(cx, community_id)?.count(&cx.db).await?)
}

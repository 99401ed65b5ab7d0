//! Check-ins (报到) of in-service members: one active at a time, decided by the community's staff; an approved member volunteers there.

use chrono::Utc;
use entity::check_in::{self, CheckInStatus};
use entity::person;
use entity::volunteer::{self, VolunteerStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::volunteers::{Profile, insert_volunteer};
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::organisation::loaders::CommunityId;
use crate::paging::{Page, PageArgs};
use crate::validate::{clean_name, clean_optional};
use crate::volunteers::ids::CheckInId;
use crate::volunteers::visibility::check_in_filter;
use crate::write::{Audit, Write};

/// What an in-service member says when checking in.
pub struct NewCheckIn {
    pub community_id: CommunityId,
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
    if !cx.scope.sees_community(input.community_id.0) {
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
        community_id: Set(input.community_id.0),
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
pub async fn decide_check_in(cx: &Cx, id: CheckInId, action: CheckInAction, reason: Option<String>) -> AppResult<check_in::Model> {
    cx.scope.require_authenticated()?;
    let reason = clean_optional("reason", reason, 500)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let current = check_in::Entity::find_by_id(id.0)
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
        crate::db::guarded_update::<check_in::Entity, _>(txn, m, check_in::Column::Id, check_in::Column::Version, id.0, current.version)
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
fn check_ins_select(
    cx: &Cx,
    community_id: Option<CommunityId>,
    status: Option<CheckInStatus>,
) -> AppResult<sea_orm::Select<check_in::Entity>> {
    cx.scope.require_authenticated()?;
    let mut select = check_in::Entity::find().filter(check_in_filter(&cx.scope));
    if let Some(c) = community_id {
        select = select.filter(check_in::Column::CommunityId.eq(c.0));
    }
    if let Some(s) = status {
        select = select.filter(check_in::Column::Status.eq(s));
    }
    Ok(select)
}

/// One page of the check-ins the caller may see, oldest first.
pub async fn check_ins(
    cx: &Cx,
    community_id: Option<CommunityId>,
    status: Option<CheckInStatus>,
    args: &PageArgs,
) -> AppResult<Page<check_in::Model>> {
    let select = check_ins_select(cx, community_id, status)?;
    Ok(args.finish(args.apply(select, check_in::Column::Id).all(&cx.db).await?))
}

/// How many check-ins the caller may see.
pub async fn check_in_count(cx: &Cx, community_id: Option<CommunityId>, status: Option<CheckInStatus>) -> AppResult<u64> {
    Ok(check_ins_select(cx, community_id, status)?.count(&cx.db).await?)
}

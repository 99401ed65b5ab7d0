//! The demand list (需求清单) and invitations: posting, closing, inviting volunteers, their answers filling a demand.

use chrono::{DateTime, Duration, Utc};
use entity::demand::{self, DemandStatus};
use entity::invitation::{self, InvitationStatus};
use entity::volunteer::{self, VolunteerStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::categories::active_category;
use super::volunteers::clean_list;
use crate::cx::Cx;
use crate::db::conflict_on_unique;
use crate::error::{AppError, AppResult};
use crate::organisation::loaders::CommunityId;
use crate::organisation::loaders::CompoundId;
use crate::paging::{Page, PageArgs};
use crate::validate::{check_version, clean_name, clean_optional, clean_text};
use crate::volunteers::ids::{CategoryId, DemandId, InvitationId, VolunteerId};
use crate::volunteers::visibility::published_filter;
use crate::write::{Audit, Write};

/// A demand to post.
pub struct NewDemand {
    pub community_id: CommunityId,
    pub category_id: CategoryId,
    pub title: String,
    pub description: String,
    pub compound_id: Option<CompoundId>,
    pub place: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub headcount: i32,
    pub skills_wanted: Vec<String>,
}

pub(super) fn check_window(starts: DateTime<Utc>, ends: DateTime<Utc>) -> AppResult<()> {
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
    cx.scope.require_demand_manager(input.community_id.0, input.compound_id.map(|c| c.0))?;
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
        let found = entity::compound::Entity::find_by_id(c.0)
            .filter(entity::compound::Column::CommunityId.eq(input.community_id.0))
            .count(txn)
            .await?;
        if found == 0 {
            return Err(AppError::bad_input("compoundId", "no such compound in this community"));
        }
    }
    let model = demand::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(input.community_id.0),
        category_id: Set(input.category_id.0),
        title: Set(title),
        description: Set(description),
        compound_id: Set(input.compound_id.map(|c| c.0)),
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
pub async fn set_demand_status(cx: &Cx, id: DemandId, status: DemandStatus, expected_version: Option<i32>) -> AppResult<demand::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let current = demand::Entity::find_by_id(id.0)
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
        crate::db::guarded_update::<demand::Entity, _>(txn, m, demand::Column::Id, demand::Column::Version, id.0, current.version).await?;
    w.commit(
        Audit::new(name, "Demand").object(model.id).community(model.community_id).summary(json!({ "status": model.status.to_value() })),
    )
    .await?;
    Ok(model)
}

/// The demands the caller may see.
pub(super) fn demands_select(
    cx: &Cx,
    community_id: Option<CommunityId>,
    status: Option<DemandStatus>,
) -> AppResult<sea_orm::Select<demand::Entity>> {
    cx.scope.require_authenticated()?;
    let mut select = demand::Entity::find().filter(published_filter(&cx.scope, demand::Column::CommunityId));
    if let Some(c) = community_id {
        select = select.filter(demand::Column::CommunityId.eq(c.0));
    }
    if let Some(s) = status {
        select = select.filter(demand::Column::Status.eq(s));
    }
    Ok(select)
}

/// One page of the demands the caller may see.
pub async fn demands(
    cx: &Cx,
    community_id: Option<CommunityId>,
    status: Option<DemandStatus>,
    args: &PageArgs,
) -> AppResult<Page<demand::Model>> {
    let select = demands_select(cx, community_id, status)?;
    Ok(args.finish(args.apply(select, demand::Column::Id).all(&cx.db).await?))
}

/// Invites a volunteer of the community to a demand (staff).
pub async fn invite(cx: &Cx, demand_id: DemandId, volunteer_id: VolunteerId) -> AppResult<invitation::Model> {
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let d = demand::Entity::find_by_id(demand_id.0)
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
    let v = volunteer::Entity::find_by_id(volunteer_id.0)
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
pub async fn respond(cx: &Cx, id: InvitationId, accept: bool) -> AppResult<invitation::Model> {
    cx.scope.require_authenticated()?;
    let Some(me) = cx.scope.person_id() else {
        return Err(AppError::Forbidden("the invited volunteer answers".into()));
    };
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let seen = invitation::Entity::find_by_id(id.0).one(txn).await?.ok_or_else(|| AppError::not_found("invitation"))?;
    let v = volunteer::Entity::find_by_id(seen.volunteer_id).one(txn).await?.ok_or_else(|| AppError::not_found("invitation"))?;
    if v.person_id != me {
        return Err(AppError::not_found("invitation"));
    }
    // The demand's lock orders concurrent answers: each one counts the acceptances before it.
    let d = w.lock(demand::Entity::find_by_id(seen.demand_id)).await?.ok_or_else(|| AppError::internal("invitation without demand"))?;
    let inv = invitation::Entity::find_by_id(id.0).one(txn).await?.ok_or_else(|| AppError::not_found("invitation"))?;
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

/// How many demands the caller may see.
pub async fn demand_count(cx: &Cx, community_id: Option<CommunityId>, status: Option<DemandStatus>) -> AppResult<u64> {
    Ok(demands_select(cx, community_id, status)?.count(&cx.db).await?)
}

//! Statistics of the volunteer service, computed from the records every time (no stored
//! counters that can drift): volunteers, checked-in members, activities held, person-times of
//! service (参与服务人次), hours and residents served, by category and by month.

use std::collections::{BTreeMap, HashMap};

use chrono::{FixedOffset, Utc};
use entity::activity::{self, ActivityStatus};
use entity::check_in::{self, CheckInStatus};
use entity::{service_category, sign_up, volunteer};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::organisation::loaders::CommunityId;

/// Totals of one slice (the whole scope, a category or a month).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub activities: u64,
    pub person_times: u64,
    pub minutes: u64,
    pub residents_served: u64,
}

/// The statistics of a scope.
#[derive(Debug, Clone, Default)]
pub struct Statistics {
    pub volunteers: u64,
    pub checked_in_members: u64,
    pub totals: Totals,
    /// By category code.
    pub by_category: BTreeMap<String, Totals>,
    /// By month, `YYYY-MM` in Beijing time.
    pub by_month: BTreeMap<String, Totals>,
}

/// Statistics for the caller's communities, or one of them: staff, street admins and reporters.
pub async fn statistics(cx: &Cx, community_id: Option<CommunityId>) -> AppResult<Statistics> {
    cx.scope.require_authenticated()?;
    if !crate::volunteers::visibility::reads_statistics(&cx.scope) {
        return Err(AppError::Forbidden("statistics are for street, community and reporting users".into()));
    }
    let communities: Vec<Uuid> = match community_id {
        Some(c) if cx.scope.sees_community(c.0) => vec![c.0],
        Some(_) => return Err(AppError::not_found("community")),
        None => cx.scope.communities().collect(),
    };
    if communities.is_empty() {
        return Ok(Statistics::default());
    }
    let db = &cx.db;
    let volunteers = volunteer::Entity::find().filter(volunteer::Column::CommunityId.is_in(communities.clone())).count(db).await?;
    let checked_in_members = check_in::Entity::find()
        .filter(check_in::Column::CommunityId.is_in(communities.clone()))
        .filter(check_in::Column::Status.eq(CheckInStatus::Approved))
        .count(db)
        .await?;
    let held: Vec<(Uuid, Uuid, chrono::DateTime<Utc>, i32)> = activity::Entity::find()
        .select_only()
        .column(activity::Column::Id)
        .column(activity::Column::CategoryId)
        .column(activity::Column::StartsAt)
        .column(activity::Column::ResidentsServed)
        .filter(activity::Column::CommunityId.is_in(communities.clone()))
        .filter(activity::Column::Status.eq(ActivityStatus::Open))
        .filter(activity::Column::StartsAt.lte(Utc::now()))
        .into_tuple()
        .all(db)
        .await?;
    let attended: HashMap<Uuid, (i64, Option<i64>)> = sign_up::Entity::find()
        .select_only()
        .column(sign_up::Column::ActivityId)
        .column_as(sign_up::Column::Id.count(), "n")
        .column_as(sign_up::Column::ServiceMinutes.sum(), "minutes")
        .filter(sign_up::Column::CommunityId.is_in(communities))
        .filter(sign_up::Column::CheckedInAt.is_not_null())
        .group_by(sign_up::Column::ActivityId)
        .into_tuple::<(Uuid, i64, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(a, n, m)| (a, (n, m)))
        .collect();
    let codes: HashMap<Uuid, String> = service_category::Entity::find().all(db).await?.into_iter().map(|c| (c.id, c.code)).collect();
    let beijing = FixedOffset::east_opt(8 * 3600);
    let mut stats = Statistics { volunteers, checked_in_members, ..Statistics::default() };
    for (id, category, starts, residents) in held {
        let (n, minutes) = attended.get(&id).copied().unwrap_or((0, None));
        let slice = Totals {
            activities: 1,
            person_times: n.max(0) as u64,
            minutes: minutes.unwrap_or(0).max(0) as u64,
            residents_served: residents.max(0) as u64,
        };
        let month = match beijing {
            Some(tz) => starts.with_timezone(&tz).format("%Y-%m").to_string(),
            None => starts.format("%Y-%m").to_string(),
        };
        for t in [
            &mut stats.totals,
            stats.by_category.entry(codes.get(&category).cloned().unwrap_or_default()).or_default(),
            stats.by_month.entry(month).or_default(),
        ] {
            t.activities += slice.activities;
            t.person_times += slice.person_times;
            t.minutes += slice.minutes;
            t.residents_served += slice.residents_served;
        }
    }
    Ok(stats)
}

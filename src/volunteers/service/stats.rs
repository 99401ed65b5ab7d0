//! Statistics of the volunteer service, computed from the records every time (no stored
//! counters that can drift): volunteers, checked-in members, activities held, person-times of
//! service (参与服务人次), hours and residents served, in total, by community, by category and
//! by month, over a range of Beijing days or all time.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use entity::activity::{self, ActivityStatus};
use entity::check_in::{self, CheckInStatus};
use entity::{service_category, sign_up, volunteer};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::organisation::loaders::CommunityId;
use crate::reporting::Period;
use crate::reporting::period::month_of;

/// Totals of one slice (the whole scope, a community, a category or a month).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub activities: u64,
    pub person_times: u64,
    pub minutes: u64,
    pub residents_served: u64,
}

impl Totals {
    fn add(&mut self, other: &Totals) {
        self.activities += other.activities;
        self.person_times += other.person_times;
        self.minutes += other.minutes;
        self.residents_served += other.residents_served;
    }
}

/// The figures of one community.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommunityFigures {
    pub volunteers: u64,
    pub checked_in_members: u64,
    pub totals: Totals,
}

/// The statistics of a scope.
#[derive(Debug, Clone, Default)]
pub struct Statistics {
    pub volunteers: u64,
    pub checked_in_members: u64,
    pub totals: Totals,
    /// By community: every community asked about, with zeros where nothing happened.
    pub by_community: BTreeMap<Uuid, CommunityFigures>,
    /// By category code.
    pub by_category: BTreeMap<String, Totals>,
    /// By month, `YYYY-MM` in Beijing time.
    pub by_month: BTreeMap<String, Totals>,
}

/// Statistics for the caller's communities, or one of them, over `period` (Beijing days, both
/// included; open ends reach all time): staff, street admins, reporters and the city.
/// Activities count by their start within the range (and only once started); volunteers and
/// checked-in members are those registered or approved before the range ends. A fixed number
/// of statements, whatever the number of communities or rows.
pub async fn statistics(cx: &Cx, community_id: Option<CommunityId>, period: Period) -> AppResult<Statistics> {
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
    let end = period.end();
    let mut registered = Condition::all().add(volunteer::Column::CommunityId.is_in(communities.clone()));
    if let Some(end) = end {
        registered = registered.add(volunteer::Column::RegisteredAt.lt(end));
    }
    let volunteers: Vec<(Uuid, i64)> = volunteer::Entity::find()
        .select_only()
        .column(volunteer::Column::CommunityId)
        .column_as(volunteer::Column::Id.count(), "n")
        .filter(registered)
        .group_by(volunteer::Column::CommunityId)
        .into_tuple()
        .all(db)
        .await?;
    let mut approved = Condition::all()
        .add(check_in::Column::CommunityId.is_in(communities.clone()))
        .add(check_in::Column::Status.eq(CheckInStatus::Approved));
    if let Some(end) = end {
        approved = approved.add(Condition::any().add(check_in::Column::DecidedAt.is_null()).add(check_in::Column::DecidedAt.lt(end)));
    }
    let checked_in: Vec<(Uuid, i64)> = check_in::Entity::find()
        .select_only()
        .column(check_in::Column::CommunityId)
        .column_as(check_in::Column::Id.count(), "n")
        .filter(approved)
        .group_by(check_in::Column::CommunityId)
        .into_tuple()
        .all(db)
        .await?;
    let now = Utc::now();
    let mut held_filter = Condition::all()
        .add(activity::Column::CommunityId.is_in(communities.clone()))
        .add(activity::Column::Status.eq(ActivityStatus::Open))
        .add(activity::Column::StartsAt.lte(now));
    if let Some(start) = period.start() {
        held_filter = held_filter.add(activity::Column::StartsAt.gte(start));
    }
    if let Some(end) = end {
        held_filter = held_filter.add(activity::Column::StartsAt.lt(end));
    }
    let held: Vec<(Uuid, Uuid, Uuid, chrono::DateTime<Utc>, i32)> = activity::Entity::find()
        .select_only()
        .column(activity::Column::Id)
        .column(activity::Column::CommunityId)
        .column(activity::Column::CategoryId)
        .column(activity::Column::StartsAt)
        .column(activity::Column::ResidentsServed)
        .filter(held_filter)
        .into_tuple()
        .all(db)
        .await?;
    let attended: HashMap<Uuid, (i64, Option<i64>)> = sign_up::Entity::find()
        .select_only()
        .column(sign_up::Column::ActivityId)
        .column_as(sign_up::Column::Id.count(), "n")
        .column_as(sign_up::Column::ServiceMinutes.sum(), "minutes")
        .filter(sign_up::Column::CommunityId.is_in(communities.clone()))
        .filter(sign_up::Column::CheckedInAt.is_not_null())
        .group_by(sign_up::Column::ActivityId)
        .into_tuple::<(Uuid, i64, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(a, n, m)| (a, (n, m)))
        .collect();
    let codes: HashMap<Uuid, String> = service_category::Entity::find().all(db).await?.into_iter().map(|c| (c.id, c.code)).collect();
    let mut stats = Statistics::default();
    for c in &communities {
        stats.by_community.insert(*c, CommunityFigures::default());
    }
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    for (c, n) in volunteers {
        stats.volunteers += count(n);
        stats.by_community.entry(c).or_default().volunteers += count(n);
    }
    for (c, n) in checked_in {
        stats.checked_in_members += count(n);
        stats.by_community.entry(c).or_default().checked_in_members += count(n);
    }
    for (id, community, category, starts, residents) in held {
        let (n, minutes) = attended.get(&id).copied().unwrap_or((0, None));
        let slice = Totals {
            activities: 1,
            person_times: count(n),
            minutes: count(minutes.unwrap_or(0)),
            residents_served: u64::try_from(residents).unwrap_or(0),
        };
        stats.totals.add(&slice);
        stats.by_community.entry(community).or_default().totals.add(&slice);
        stats.by_category.entry(codes.get(&category).cloned().unwrap_or_default()).or_default().add(&slice);
        stats.by_month.entry(month_of(starts)).or_default().add(&slice);
    }
    Ok(stats)
}

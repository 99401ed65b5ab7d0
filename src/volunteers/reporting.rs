//! What the volunteer service feeds to reporting (see `crate::reporting`): its volunteers,
//! activities and sign-ups as record datasets, read through the same scoped selects as the
//! GraphQL lists (staff their communities' rows, a volunteer their own, reporters and the city
//! none of them), and its statistics as the `volunteer-figures` dataset, the rows of the same
//! service function that answers `volunteerStatistics`.
//!
//! No dataset carries names, phones, ID numbers or addresses: rows name people by their person
//! id only, and only in rows GraphQL shows with that person to the caller.

use std::collections::HashMap;
use std::sync::Arc;

use entity::{activity, service_category, sign_up, volunteer};
use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::graphql::{hours, kind};
use super::service::{activities_select, volunteers_select};
use super::stats::{self, Totals};
use super::visibility::sign_up_filter;
use crate::cx::Cx;
use crate::error::AppResult;
use crate::organisation::loaders::CommunityId;
use crate::reporting::{About, Cell, Column, Dataset, Filter, Filters, Record, Row, Rows, col, records, stream};

/// The volunteer service's datasets.
pub fn datasets() -> Vec<Arc<dyn Dataset>> {
    vec![Arc::new(Volunteers), Arc::new(Activities), Arc::new(SignUps), Arc::new(VolunteerFigures)]
}

/// The volunteers in the caller's sight, one row each.
pub struct Volunteers;

const VOLUNTEER_COLUMNS: &[Column] = &[
    col("id", "The volunteer's global id, as in GraphQL."),
    col("community_id", "Its community's global id."),
    col("person_id", "The person's id (a UUID), as `Volunteer.person.id` shows it; no name, phone or other personal data."),
    col("compound_id", "The compound the volunteer lives in, if recorded."),
    col("status", "ACTIVE or INACTIVE."),
    col("registered_at", "When the volunteer registered (UTC)."),
    col("categories", "Codes of the categories offered, a JSON array as stored."),
    col("skills", "Personal skills (个人专长), a JSON array as stored."),
    col("department_strength", "Department strength (部门优势)."),
    col("industry", "Industry (行业特点)."),
    col("availability", "Weekly slots such as SAT_AM (Beijing time), a JSON array as stored."),
];

#[async_trait::async_trait]
impl Dataset for Volunteers {
    fn about(&self) -> About {
        About {
            name: "volunteers",
            doc: "Volunteers (义工) with their resource list, registered within the range (Beijing days).",
            columns: VOLUNTEER_COLUMNS,
            filters: &[Filter::Period, Filter::Community],
            groupings: &[],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        let mut select = volunteers_select(&cx, f.community.map(CommunityId))?.order_by_asc(volunteer::Column::Id);
        if let Some(start) = f.period.start() {
            select = select.filter(volunteer::Column::RegisteredAt.gte(start));
        }
        if let Some(end) = f.period.end() {
            select = select.filter(volunteer::Column::RegisteredAt.lt(end));
        }
        stream(&cx, select, |v: volunteer::Model| {
            vec![
                Cell::id(kind::VOLUNTEER, v.id),
                Cell::id(kind::COMMUNITY, v.community_id),
                v.person_id.to_string().into(),
                Cell::opt_id(kind::COMPOUND, v.compound_id),
                v.status.to_value().into(),
                v.registered_at.into(),
                v.categories.into(),
                v.skills.into(),
                v.department_strength.into(),
                v.industry.into(),
                v.availability.into(),
            ]
        })
        .await
    }
}

/// The activities in the caller's sight, one row each.
pub struct Activities;

const ACTIVITY_COLUMNS: &[Column] = &[
    col("id", "The activity's global id, as in GraphQL."),
    col("community_id", "Its community's global id."),
    col("demand_id", "The demand it answers, if any."),
    col("category", "The service category's code."),
    col("title", "Title."),
    col("kind", "SERVICE, PARTY_THEME_DAY or NEIGHBOURLY_HOME."),
    col("organiser_kind", "Who runs it: COMMUNITY, PARTY_ORGANIZATION or UNIT."),
    col("organiser_id", "The global id of the community, party organisation or co-building unit that runs it."),
    col("place", "Where."),
    col("starts_at", "Start (UTC)."),
    col("ends_at", "End (UTC)."),
    col("capacity", "Places."),
    col("status", "OPEN or CANCELLED."),
    col("residents_served", "Residents served, as recorded by the organiser."),
    col("created_at", "When it was created (UTC)."),
];

#[async_trait::async_trait]
impl Dataset for Activities {
    fn about(&self) -> About {
        About {
            name: "activities",
            doc: "Volunteer activities (活动), starting within the range (Beijing days).",
            columns: ACTIVITY_COLUMNS,
            filters: &[Filter::Period, Filter::Community],
            groupings: &[],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        let mut select = activities_select(&cx, f.community.map(CommunityId))?.order_by_asc(activity::Column::Id);
        if let Some(start) = f.period.start() {
            select = select.filter(activity::Column::StartsAt.gte(start));
        }
        if let Some(end) = f.period.end() {
            select = select.filter(activity::Column::StartsAt.lt(end));
        }
        // The categories are reference data, a handful of rows.
        let codes: HashMap<Uuid, String> =
            service_category::Entity::find().all(&cx.db).await?.into_iter().map(|c| (c.id, c.code)).collect();
        stream(&cx, select, move |a: activity::Model| {
            let organiser = match a.organiser_kind {
                activity::OrganiserKind::Community => kind::COMMUNITY,
                activity::OrganiserKind::PartyOrganization => kind::PARTY_ORGANIZATION,
                activity::OrganiserKind::Unit => kind::CO_BUILDING_UNIT,
            };
            vec![
                Cell::id(kind::ACTIVITY, a.id),
                Cell::id(kind::COMMUNITY, a.community_id),
                Cell::opt_id(kind::DEMAND, a.demand_id),
                codes.get(&a.category_id).cloned().into(),
                a.title.into(),
                a.kind.to_value().into(),
                a.organiser_kind.to_value().into(),
                Cell::id(organiser, a.organiser_id),
                a.place.into(),
                a.starts_at.into(),
                a.ends_at.into(),
                a.capacity.into(),
                a.status.to_value().into(),
                a.residents_served.into(),
                a.created_at.into(),
            ]
        })
        .await
    }
}

/// The sign-ups in the caller's sight, one row each.
pub struct SignUps;

const SIGN_UP_COLUMNS: &[Column] = &[
    col("id", "The sign-up's global id, as in GraphQL."),
    col("community_id", "Its community's global id."),
    col("activity_id", "The activity's global id."),
    col("person_id", "The volunteer's person id (a UUID), as `SignUp.person.id` shows it; no name, phone or other personal data."),
    col("status", "REGISTERED, WAITING or CANCELLED."),
    col("created_at", "When the sign-up was made (UTC)."),
    col("checked_in_at", "When the volunteer was checked in (UTC)."),
    col("checked_out_at", "When the volunteer was checked out (UTC)."),
    col("service_minutes", "Minutes of service, from check-in to check-out."),
    col("hours", "Service hours, rounded to two decimals as GraphQL shows them."),
];

#[async_trait::async_trait]
impl Dataset for SignUps {
    fn about(&self) -> About {
        About {
            name: "sign-ups",
            doc: "Sign-ups for activities with attendance and service hours, made within the range (Beijing days).",
            columns: SIGN_UP_COLUMNS,
            filters: &[Filter::Period, Filter::Community],
            groupings: &[],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        cx.scope.require_authenticated()?;
        let mut select = sign_up::Entity::find().filter(sign_up_filter(&cx.scope)).order_by_asc(sign_up::Column::Id);
        if let Some(c) = f.community {
            select = select.filter(sign_up::Column::CommunityId.eq(c));
        }
        if let Some(start) = f.period.start() {
            select = select.filter(sign_up::Column::CreatedAt.gte(start));
        }
        if let Some(end) = f.period.end() {
            select = select.filter(sign_up::Column::CreatedAt.lt(end));
        }
        stream(&cx, select, |s: sign_up::Model| {
            vec![
                Cell::id(kind::SIGN_UP, s.id),
                Cell::id(kind::COMMUNITY, s.community_id),
                Cell::id(kind::ACTIVITY, s.activity_id),
                s.person_id.to_string().into(),
                s.status.to_value().into(),
                s.created_at.into(),
                s.checked_in_at.into(),
                s.checked_out_at.into(),
                s.service_minutes.into(),
                Cell::Num(hours(u64::try_from(s.service_minutes.unwrap_or(0)).unwrap_or(0))),
            ]
        })
        .await
    }
}

/// The statistics of the volunteer service as rows, grouped as asked.
pub struct VolunteerFigures;

/// One row of `volunteer-figures`.
pub struct FigureRow {
    pub community: Option<Uuid>,
    pub category: Option<String>,
    pub month: Option<String>,
    pub volunteers: Option<u64>,
    pub checked_in_members: Option<u64>,
    pub totals: Totals,
}

impl Record for FigureRow {
    const COLUMNS: &'static [Column] = &[
        col("community_id", "The community's global id (grouped by COMMUNITY), else empty."),
        col("category", "The service category's code (grouped by CATEGORY), else empty."),
        col("month", "The Beijing month, YYYY-MM (grouped by MONTH), else empty."),
        col("volunteers", "Volunteers registered before the range ends (TOTAL and COMMUNITY rows), else empty."),
        col("checked_in_members", "In-service members checked in, approved before the range ends (TOTAL and COMMUNITY rows), else empty."),
        col("activities", "Activities held: open, started, starting within the range."),
        col("person_times", "Person-times of service (参与服务人次): checked-in sign-ups of those activities."),
        col("hours", "Service hours of those sign-ups, rounded to two decimals."),
        col("residents_served", "Residents served by those activities."),
    ];

    fn cells(self) -> Row {
        vec![
            Cell::opt_id(kind::COMMUNITY, self.community),
            self.category.into(),
            self.month.into(),
            self.volunteers.map(Cell::count).unwrap_or(Cell::Null),
            self.checked_in_members.map(Cell::count).unwrap_or(Cell::Null),
            Cell::count(self.totals.activities),
            Cell::count(self.totals.person_times),
            Cell::Num(hours(self.totals.minutes)),
            Cell::count(self.totals.residents_served),
        ]
    }
}

fn slice(totals: Totals) -> FigureRow {
    FigureRow { community: None, category: None, month: None, volunteers: None, checked_in_members: None, totals }
}

#[async_trait::async_trait]
impl Dataset for VolunteerFigures {
    fn about(&self) -> About {
        About {
            name: "volunteer-figures",
            doc: "Figures of the volunteer service (volunteerStatistics) over the range (Beijing days): one row in total, or one per community, category or month.",
            columns: FigureRow::COLUMNS,
            filters: &[Filter::Period, Filter::Community, Filter::By],
            groupings: &["TOTAL", "COMMUNITY", "CATEGORY", "MONTH"],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        let s = stats::statistics(&cx, f.community.map(CommunityId), f.period).await?;
        let rows: Vec<FigureRow> = match f.by {
            Some("COMMUNITY") => s
                .by_community
                .into_iter()
                .map(|(c, figures)| FigureRow {
                    community: Some(c),
                    volunteers: Some(figures.volunteers),
                    checked_in_members: Some(figures.checked_in_members),
                    ..slice(figures.totals)
                })
                .collect(),
            Some("CATEGORY") => s.by_category.into_iter().map(|(c, t)| FigureRow { category: Some(c), ..slice(t) }).collect(),
            Some("MONTH") => s.by_month.into_iter().map(|(m, t)| FigureRow { month: Some(m), ..slice(t) }).collect(),
            _ => vec![FigureRow { volunteers: Some(s.volunteers), checked_in_members: Some(s.checked_in_members), ..slice(s.totals) }],
        };
        Ok(records(rows))
    }
}

//! What consultative democracy feeds to reporting (see `crate::reporting`): its figures, the
//! rows of `deliberationStatistics` itself, and its appeals and meetings as records, each read
//! through the same scoped selects as the GraphQL lists.

use std::sync::Arc;

use entity::{appeal, meeting};
use sea_orm::{ActiveEnum, ColumnTrait, QueryFilter, QueryOrder};

use super::graphql::kind;
use super::service::{self, AppealFilter, Figures, Grouping, MeetingFilter, StatsQuery};
use crate::cx::Cx;
use crate::error::AppResult;
use crate::organisation::ids::{CommunityId, CompoundId};
use crate::reporting::{About, Cell, Column, Dataset, Filter, Filters, Record, Row, Rows, col, percentile, records, stream};

/// Consultative democracy's datasets.
pub fn datasets() -> Vec<Arc<dyn Dataset>> {
    vec![Arc::new(DeliberationFigures), Arc::new(Appeals), Arc::new(Meetings)]
}

/// The figures of `deliberationStatistics`, a row per group, with the same arguments.
pub struct DeliberationFigures;

impl Record for Figures {
    const COLUMNS: &'static [Column] = &[
        col("community_id", "The community of the row (grouped by COMMUNITY or COMPOUND)."),
        col("compound_id", "The compound of the row (grouped by COMPOUND; empty for appeals at no compound)."),
        col("month", "The month of the row, YYYY-MM in Beijing time (grouped by MONTH)."),
        col("meetings_held", "Meetings held."),
        col("appeals_raised", "Appeals raised."),
        col("appeals_answered", "Appeals answered."),
        col("appeals_done", "Appeals done (solved)."),
        col("appeals_merged", "Appeals merged into another."),
        col("appeals_rejected", "Appeals rejected."),
        col("median_hours_to_first_response", "Median hours from raising to the first response (acceptance or rejection)."),
        col("p90_hours_to_first_response", "90th-percentile hours from raising to the first response."),
        col("median_hours_to_done", "Median hours from raising to done."),
        col("p90_hours_to_done", "90th-percentile hours from raising to done."),
        col("rated_satisfied", "Outcomes rated satisfied."),
        col("rated_partly", "Outcomes rated partly satisfied."),
        col("rated_not_satisfied", "Outcomes rated not satisfied."),
    ];

    fn cells(self) -> Row {
        vec![
            Cell::opt_id(kind::COMMUNITY, self.community),
            Cell::opt_id(kind::COMPOUND, self.compound),
            self.month.into(),
            Cell::count(self.meetings_held),
            Cell::count(self.raised),
            Cell::count(self.answered),
            Cell::count(self.done),
            Cell::count(self.merged),
            Cell::count(self.rejected),
            percentile(&self.response_hours, 50.0).into(),
            percentile(&self.response_hours, 90.0).into(),
            percentile(&self.done_hours, 50.0).into(),
            percentile(&self.done_hours, 90.0).into(),
            Cell::count(self.satisfied),
            Cell::count(self.partly),
            Cell::count(self.not_satisfied),
        ]
    }
}

#[async_trait::async_trait]
impl Dataset for DeliberationFigures {
    fn about(&self) -> About {
        About {
            name: "deliberation-figures",
            doc: "Figures of consultative democracy, as deliberationStatistics: meetings held, appeals raised, answered, done, merged and rejected, hours to the first response and to done, outcome ratings; each counted in the range by its own moment (Beijing days).",
            columns: Figures::COLUMNS,
            filters: &[Filter::Period, Filter::Community, Filter::Compound, Filter::By],
            groupings: &["TOTAL", "COMMUNITY", "COMPOUND", "MONTH"],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        let by = match f.by {
            Some("COMMUNITY") => Grouping::Community,
            Some("COMPOUND") => Grouping::Compound,
            Some("MONTH") => Grouping::Month,
            _ => Grouping::Total,
        };
        let q = StatsQuery {
            community: f.community.map(CommunityId),
            compound: f.compound.map(CompoundId),
            from: f.period.from,
            to: f.period.to,
            by,
        };
        Ok(records(service::statistics(&cx, q).await?))
    }
}

/// The appeals the caller sees in full, as the GraphQL `appeals` list, with the public board's
/// fields only: no raiser, no description or photos, no site, door or phone.
pub struct Appeals;

const APPEAL_COLUMNS: &[Column] = &[
    col("id", "The appeal's global id, as in GraphQL."),
    col("community_id", "Its community's global id."),
    col("compound_id", "The compound it is located in, if any."),
    col("category", "What it is about (PROPERTY, ENVIRONMENT, ...)."),
    col("state", "RAISED, ACCEPTED, SCHEDULED, ANSWERED, IN_PROGRESS, DONE, MERGED, REJECTED or WITHDRAWN."),
    col("tier", "The tier handling it: COMPOUND, COMMUNITY or STREET."),
    col("escalations", "How many times it moved up a tier."),
    col("supporters", "How many residents supported it (附议)."),
    col("rating", "The raiser's rating of the outcome: SATISFIED, PARTLY or NOT."),
    col("raised_at", "When it was raised (UTC)."),
    col("responded_at", "When it was first responded to: accepted or rejected (UTC)."),
    col("answered_at", "When it was answered (UTC)."),
    col("closed_at", "When it was done, merged, rejected or withdrawn (UTC)."),
    col("rated_at", "When its outcome was rated (UTC)."),
    col("due_at", "When the current tier must answer it (UTC)."),
];

#[async_trait::async_trait]
impl Dataset for Appeals {
    fn about(&self) -> About {
        About {
            name: "appeals",
            doc: "Appeals (诉求) the caller sees in full, raised within the range (Beijing days); no personal data.",
            columns: APPEAL_COLUMNS,
            filters: &[Filter::Period, Filter::Community, Filter::Compound],
            groupings: &[],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        let filter =
            AppealFilter { community_id: f.community.map(CommunityId), compound_id: f.compound.map(CompoundId), ..AppealFilter::default() };
        let mut select = service::appeals_select(&cx, filter).await?.order_by_asc(appeal::Column::Id);
        if let Some(start) = f.period.start() {
            select = select.filter(appeal::Column::RaisedAt.gte(start));
        }
        if let Some(end) = f.period.end() {
            select = select.filter(appeal::Column::RaisedAt.lt(end));
        }
        stream(&cx, select, |a: appeal::Model| {
            vec![
                Cell::id(kind::APPEAL, a.id),
                Cell::id(kind::COMMUNITY, a.community_id),
                Cell::opt_id(kind::COMPOUND, a.compound_id),
                a.category.to_value().into(),
                a.state.to_value().into(),
                a.tier.to_value().into(),
                a.escalations.into(),
                a.supporters.into(),
                a.rating.map(|r| r.to_value()).into(),
                a.raised_at.into(),
                a.responded_at.into(),
                a.answered_at.into(),
                a.closed_at.into(),
                a.rated_at.into(),
                a.due_at.into(),
            ]
        })
        .await
    }
}

/// The meetings the caller sees, as the GraphQL `meetings` list.
pub struct Meetings;

const MEETING_COLUMNS: &[Column] = &[
    col("id", "The meeting's global id, as in GraphQL."),
    col("community_id", "Its community's global id."),
    col("venue_id", "The venue it meets at."),
    col("kind", "What kind of meeting it is."),
    col("state", "Whether it is scheduled, held or cancelled."),
    col("title", "Title."),
    col("starts_at", "When it is to begin (UTC)."),
    col("held_at", "When its record was taken: it was held (UTC)."),
    col("eligible_voters", "Owners entitled to vote, for a meeting that votes."),
];

#[async_trait::async_trait]
impl Dataset for Meetings {
    fn about(&self) -> About {
        About {
            name: "meetings",
            doc: "Meetings (议事会) the caller sees, beginning within the range (Beijing days).",
            columns: MEETING_COLUMNS,
            filters: &[Filter::Period, Filter::Community],
            groupings: &[],
        }
    }

    async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
        cx.scope.require_authenticated()?;
        let filter = MeetingFilter { community_id: f.community.map(CommunityId), ..MeetingFilter::default() };
        let mut select = service::meetings_select(&cx, filter).order_by_asc(meeting::Column::Id);
        if let Some(start) = f.period.start() {
            select = select.filter(meeting::Column::StartsAt.gte(start));
        }
        if let Some(end) = f.period.end() {
            select = select.filter(meeting::Column::StartsAt.lt(end));
        }
        stream(&cx, select, |m: meeting::Model| {
            vec![
                Cell::id(kind::MEETING, m.id),
                Cell::id(kind::COMMUNITY, m.community_id),
                Cell::id(kind::VENUE, m.venue_id),
                m.kind.to_value().into(),
                m.state.to_value().into(),
                m.title.into(),
                m.starts_at.into(),
                m.held_at.into(),
                m.eligible_voters.into(),
            ]
        })
        .await
    }
}

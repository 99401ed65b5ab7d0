//! Selection rounds (评选): criteria, reviewers, the ranking; opening and closing.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{round_reviewer, selection_round};

use super::{Count, InnovationCase, kind};
use crate::graphql::connection::{Conn, TotalCount};
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};
use crate::innovation::loaders::*;
use crate::innovation::service::{self, NamedReviewer};
use crate::organisation::graphql::{CoBuildingUnit, Street};
use crate::organisation::ids::UnitId;
use crate::organisation::loaders::{StreetId, org_loader};
use crate::paging::PageArgs;

/// Whether a round takes cases and scores.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::selection_round::RoundStatus")]
pub enum RoundStatus {
    /// Cases are submitted and scored.
    Open,
    /// Scores are final; the selected cases are published to every community of the street.
    Closed,
}

/// Who a reviewer is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::round_reviewer::ReviewerKind")]
pub enum ReviewerKind {
    /// A person, scoring with their own (member) login.
    Person,
    /// A co-building unit, scoring with the unit's login.
    Unit,
}

/// A criterion of a round.
#[derive(SimpleObject)]
pub struct Criterion {
    /// Name, e.g. 创新性.
    pub name: String,
    /// The most points a score gives it.
    pub max_points: i32,
}

/// A selection round of innovation cases (创新案例评选), opened by street staff.
pub struct SelectionRound(pub selection_round::Model);
crate::graphql::connection::connection_node!(SelectionRound);

/// A selection round of innovation cases (创新案例评选), opened by street staff.
#[Object]
impl SelectionRound {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::SELECTION_ROUND, self.0.id)
    }
    /// Title, e.g. 梅岭街道城市基层党建创新案例评选.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Open or closed.
    async fn status(&self) -> RoundStatus {
        self.0.status.into()
    }
    /// The criteria, in the order a score gives its points.
    async fn criteria(&self) -> Vec<Criterion> {
        service::criteria_of(&self.0).into_iter().map(|c| Criterion { name: c.name, max_points: c.max_points }).collect()
    }
    /// The street; null when the caller does not see it (a reviewer from elsewhere).
    async fn street(&self, ctx: &Context<'_>) -> Result<Option<Street>> {
        Ok(org_loader(ctx)?.load_one(StreetId(self.0.street_id)).await?.map(Street))
    }
    /// When it was opened.
    async fn opened_at(&self) -> DateTime<Utc> {
        self.0.opened_at
    }
    /// When it was closed.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// How many cases closing it selected.
    async fn selected_count(&self) -> i32 {
        self.0.selected_count
    }
    /// Version, incremented by every change; pass it as `expectedVersion` to change safely.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The reviewers: all of them for street staff, one's own row for a reviewer, none for others.
    async fn reviewers(&self, ctx: &Context<'_>) -> Result<Vec<RoundReviewer>> {
        Ok(innovation_loader(ctx)?
            .load_one(ReviewersOfRound(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(RoundReviewer)
            .collect())
    }
    /// The ranking: cases by total score, then earliest submission, with their positions. Street
    /// staff see it at any time, the round's reviewers once it is closed; others get an empty list.
    async fn ranking(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many (1 to 100).", default = 20)] first: i32,
        #[graphql(desc = "Positions to skip.", default = 0)] offset: i32,
    ) -> Result<Vec<RankedCase>> {
        let rows = service::ranking(&rc(ctx)?.cx, RoundId(self.0.id), offset, first).await?;
        Ok(rows
            .into_iter()
            .map(|(rank, c)| RankedCase { rank: rank as i32, total: c.score_total, score_count: c.score_count, case: InnovationCase(c) })
            .collect())
    }
}

/// A case at its position in a round's ranking.
#[derive(SimpleObject)]
pub struct RankedCase {
    /// Position, from 1: by total, then earliest submission.
    pub rank: i32,
    /// The sum of its scores' totals.
    pub total: i32,
    /// How many reviewers scored it.
    pub score_count: i32,
    /// The case.
    pub case: InnovationCase,
}

/// A reviewer of a round: a person or a co-building unit named by street staff.
pub struct RoundReviewer(pub round_reviewer::Model);

/// A reviewer of a round: a person or a co-building unit named by street staff.
#[Object]
impl RoundReviewer {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::ROUND_REVIEWER, self.0.id)
    }
    /// A person or a unit.
    async fn kind(&self) -> ReviewerKind {
        self.0.kind.into()
    }
    /// The person's or unit's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The unit, for a unit reviewer the caller may see.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<CoBuildingUnit>> {
        match self.0.unit_id {
            Some(u) => Ok(org_loader(ctx)?.load_one(UnitId(u)).await?.map(CoBuildingUnit)),
            None => Ok(None),
        }
    }
    /// The round.
    async fn round(&self, ctx: &Context<'_>) -> Result<Option<SelectionRound>> {
        Ok(innovation_loader(ctx)?.load_one(RoundId(self.0.round_id)).await?.map(SelectionRound))
    }
}

/// A criterion of a new round.
#[derive(InputObject)]
pub struct CriterionInput {
    /// Name (at most 50 characters, each once).
    pub name: String,
    /// The most points a score gives it (1 to 100).
    pub max_points: i32,
}

/// A reviewer to name: exactly one of a person or a co-building unit.
#[derive(InputObject)]
pub struct ReviewerInput {
    /// A person known in the street (a party member of one of its communities, or living in one).
    pub person_id: Option<ID>,
    /// A co-building unit.
    pub unit_id: Option<ID>,
}

/// Input of `openSelectionRound`.
#[derive(InputObject)]
pub struct OpenSelectionRoundInput {
    /// Title.
    pub title: String,
    /// 1 to 10 criteria, in the order scores give their points.
    pub criteria: Vec<CriterionInput>,
    /// 1 to 30 reviewers, each once.
    pub reviewers: Vec<ReviewerInput>,
}

/// Input of `closeSelectionRound`.
#[derive(InputObject)]
pub struct CloseSelectionRoundInput {
    /// The round.
    pub id: ID,
    /// How many of the best-ranked cases to select and publish (0 to 100).
    pub select: i32,
    /// The version the change is based on; a mismatch answers `CONFLICT` and changes nothing.
    pub expected_version: Option<i32>,
}

/// Result of the round mutations.
#[derive(SimpleObject)]
pub struct SelectionRoundPayload {
    /// The round.
    pub round: SelectionRound,
}

/// Queries of innovation-case selection: rounds.
#[derive(Default)]
pub struct RoundsQuery;

/// Queries of innovation-case selection: rounds.
#[Object]
impl RoundsQuery {
    /// The selection rounds of the caller's street (and those a reviewer reviews).
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn selection_rounds(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<SelectionRound>> {
        let args = PageArgs::new(first, after, last, before)?;
        let page = service::rounds(&rc(ctx)?.cx, &args).await?;
        Ok(page.into_connection(|m| m.id, SelectionRound, TotalCount::lazy(Count::Rounds)))
    }
}

fn reviewer(r: &ReviewerInput) -> Result<NamedReviewer, crate::error::AppError> {
    match (&r.person_id, &r.unit_id) {
        (Some(p), None) => Ok(NamedReviewer::Person(crate::organisation::graphql::person_id(p, "reviewers")?)),
        (None, Some(u)) => Ok(NamedReviewer::Unit(UnitId(expect_id(u, kind::CO_BUILDING_UNIT, "reviewers")?))),
        _ => Err(crate::error::AppError::bad_input("reviewers", "name a reviewer by exactly one of personId and unitId")),
    }
}

/// Mutations of innovation-case selection: rounds.
#[derive(Default)]
pub struct RoundsMutation;

/// Mutations of innovation-case selection: rounds.
#[Object]
impl RoundsMutation {
    /// Opens a selection round in the caller's street, with its criteria and reviewers (street staff).
    async fn open_selection_round(&self, ctx: &Context<'_>, input: OpenSelectionRoundInput) -> Result<SelectionRoundPayload> {
        let new = service::NewRound {
            title: input.title,
            criteria: input.criteria.into_iter().map(|c| service::Criterion { name: c.name, max_points: c.max_points }).collect(),
            reviewers: input.reviewers.iter().map(reviewer).collect::<Result<_, _>>()?,
        };
        Ok(SelectionRoundPayload { round: SelectionRound(service::open_round(&rc(ctx)?.cx, new).await?) })
    }

    /// Closes a round (its street's staff): the best-ranked cases (total, then earliest
    /// submission) are selected and published to every community of the street.
    async fn close_selection_round(&self, ctx: &Context<'_>, input: CloseSelectionRoundInput) -> Result<SelectionRoundPayload> {
        let id = expect_id(&input.id, kind::SELECTION_ROUND, "id").map(RoundId)?;
        let round = service::close_round(&rc(ctx)?.cx, id, input.select, input.expected_version).await?;
        Ok(SelectionRoundPayload { round: SelectionRound(round) })
    }
}

//! Selection rounds: street staff open one with its criteria and reviewers, and close it, which
//! selects the best-ranked cases and publishes them to every community of the street.

use std::collections::HashSet;

use chrono::Utc;
use entity::innovation_case::{self, CaseStatus};
use entity::round_reviewer::{self, ReviewerKind};
use entity::selection_round::{self, RoundStatus};
use entity::{co_building_unit, community, party_member, person};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::innovation::ids::RoundId;
use crate::innovation::visibility;
use crate::organisation::ids::{PersonId, UnitId};
use crate::paging::{Page, PageArgs};
use crate::validate::clean_name;
use crate::write::{Audit, Write};

/// At most this many criteria per round.
pub const MAX_CRITERIA: usize = 10;
/// At most this many points per criterion.
pub const MAX_POINTS: i32 = 100;
/// At most this many reviewers per round.
pub const MAX_REVIEWERS: usize = 30;

/// A criterion of a round: its name and the most points a score may give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Criterion {
    pub name: String,
    pub max_points: i32,
}

/// A reviewer street staff name: a person or a co-building unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamedReviewer {
    Person(PersonId),
    Unit(UnitId),
}

/// A round to open.
pub struct NewRound {
    pub title: String,
    pub criteria: Vec<Criterion>,
    pub reviewers: Vec<NamedReviewer>,
}

/// The criteria a round stores.
pub fn criteria_of(round: &selection_round::Model) -> Vec<Criterion> {
    serde_json::from_str(&round.criteria).unwrap_or_default()
}

fn clean_criteria(criteria: Vec<Criterion>) -> AppResult<Vec<Criterion>> {
    if criteria.is_empty() || criteria.len() > MAX_CRITERIA {
        return Err(AppError::bad_input("criteria", format!("a round has 1 to {MAX_CRITERIA} criteria")));
    }
    let mut names = HashSet::new();
    criteria
        .into_iter()
        .map(|c| {
            let name = clean_name("criteria", &c.name, 50)?;
            if !names.insert(name.clone()) {
                return Err(AppError::bad_input("criteria", format!("criterion `{name}` is named twice")));
            }
            if !(1..=MAX_POINTS).contains(&c.max_points) {
                return Err(AppError::bad_input("criteria", format!("a criterion gives 1 to {MAX_POINTS} points")));
            }
            Ok(Criterion { name, max_points: c.max_points })
        })
        .collect()
}

/// The name of each reviewer, checked: a person known in the street (a party member of one of
/// its communities, or living in one), or any co-building unit.
async fn reviewer_names(db: &impl ConnectionTrait, street: Uuid, reviewers: &[NamedReviewer]) -> AppResult<Vec<String>> {
    if reviewers.is_empty() || reviewers.len() > MAX_REVIEWERS {
        return Err(AppError::bad_input("reviewers", format!("a round has 1 to {MAX_REVIEWERS} reviewers")));
    }
    if reviewers.iter().collect::<HashSet<_>>().len() != reviewers.len() {
        return Err(AppError::bad_input("reviewers", "a reviewer is named twice"));
    }
    let street_communities: Vec<Uuid> = community::Entity::find()
        .select_only()
        .column(community::Column::Id)
        .filter(community::Column::StreetId.eq(street))
        .into_tuple()
        .all(db)
        .await?;
    let mut names = Vec::with_capacity(reviewers.len());
    for r in reviewers {
        let name = match r {
            NamedReviewer::Person(p) => {
                let found = person::Entity::find_by_id(p.0).one(db).await?;
                let member_here = party_member::Entity::find()
                    .filter(party_member::Column::PersonId.eq(p.0))
                    .filter(party_member::Column::CommunityId.is_in(street_communities.clone()))
                    .count(db)
                    .await?
                    > 0;
                match found {
                    Some(person) if member_here || person.home_community_id.is_some_and(|h| street_communities.contains(&h)) => person.name,
                    _ => return Err(AppError::bad_input("reviewers", format!("no person {} is known in this street", p.0))),
                }
            }
            NamedReviewer::Unit(u) => {
                co_building_unit::Entity::find_by_id(u.0)
                    .one(db)
                    .await?
                    .ok_or_else(|| AppError::bad_input("reviewers", format!("no co-building unit {}", u.0)))?
                    .name
            }
        };
        names.push(name);
    }
    Ok(names)
}

/// Opens a selection round in the caller's street (street staff), with its criteria and
/// reviewers.
pub async fn open_round(cx: &Cx, input: NewRound) -> AppResult<selection_round::Model> {
    let Some(street) = cx.scope.require_street_admin("selection rounds")? else {
        return Err(AppError::Forbidden("selection rounds are opened by a street's administrators".into()));
    };
    let title = clean_name("title", &input.title, 200)?;
    let criteria = clean_criteria(input.criteria)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let names = reviewer_names(txn, street, &input.reviewers).await?;
    let now = Utc::now();
    let round = selection_round::ActiveModel {
        id: Set(Uuid::now_v7()),
        street_id: Set(street),
        title: Set(title),
        criteria: Set(serde_json::to_string(&criteria).map_err(|e| AppError::internal(e.to_string()))?),
        status: Set(RoundStatus::Open),
        selected_count: Set(0),
        opened_by: Set(cx.scope.label().to_owned()),
        opened_at: Set(now),
        closed_at: Set(None),
        version: Set(1),
    }
    .insert(txn)
    .await?;
    for (r, name) in input.reviewers.iter().zip(names) {
        let (kind, person_id, unit_id) = match r {
            NamedReviewer::Person(p) => (ReviewerKind::Person, Some(p.0), None),
            NamedReviewer::Unit(u) => (ReviewerKind::Unit, None, Some(u.0)),
        };
        round_reviewer::ActiveModel {
            id: Set(Uuid::now_v7()),
            round_id: Set(round.id),
            street_id: Set(street),
            kind: Set(kind),
            person_id: Set(person_id),
            unit_id: Set(unit_id),
            name: Set(name),
            created_at: Set(now),
        }
        .insert(txn)
        .await?;
    }
    w.commit(
        Audit::new("openSelectionRound", "SelectionRound")
            .object(round.id)
            .summary(json!({ "title": round.title, "criteria": criteria.len(), "reviewers": input.reviewers.len() })),
    )
    .await?;
    Ok(round)
}

/// Closes an open round (street staff of its street): the `select` best-ranked cases (total,
/// then earliest submission) are selected and published to every community of the street, the
/// others are not; no case is submitted or scored any more.
pub async fn close_round(cx: &Cx, id: RoundId, select: i32, expected_version: Option<i32>) -> AppResult<selection_round::Model> {
    cx.scope.require_authenticated()?;
    if !(0..=100).contains(&select) {
        return Err(AppError::bad_input("select", "select 0 to 100 cases"));
    }
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let round = w
        .lock(selection_round::Entity::find_by_id(id.0).filter(visibility::rounds(&cx.scope)))
        .await?
        .ok_or_else(|| AppError::not_found("selection round"))?;
    if visibility::sight(cx.scope.principal()).runs_street != Some(round.street_id) {
        return Err(AppError::Forbidden("selection rounds are closed by their street's administrators".into()));
    }
    Write::expect_version(expected_version, round.version)?;
    if round.status == RoundStatus::Closed {
        return Err(AppError::Conflict("the round is already closed".into()));
    }
    let ranked: Vec<Uuid> = ranked_select(round.id).select_only().column(innovation_case::Column::Id).into_tuple().all(txn).await?;
    let cut = usize::try_from(select).unwrap_or(0).min(ranked.len());
    let (selected, rest) = ranked.split_at(cut);
    for (ids, status) in [(selected, CaseStatus::Selected), (rest, CaseStatus::NotSelected)] {
        if !ids.is_empty() {
            innovation_case::Entity::update_many()
                .col_expr(innovation_case::Column::Status, Expr::value(status.to_value()))
                .col_expr(innovation_case::Column::Version, Expr::col(innovation_case::Column::Version).add(1))
                .filter(innovation_case::Column::RoundId.eq(round.id))
                .filter(innovation_case::Column::Id.is_in(ids.iter().copied()))
                .exec(txn)
                .await?;
        }
    }
    let version = round.version;
    let mut m: selection_round::ActiveModel = round.into();
    m.status = Set(RoundStatus::Closed);
    m.selected_count = Set(i32::try_from(cut).unwrap_or(0));
    m.closed_at = Set(Some(Utc::now()));
    m.version = Set(version + 1);
    let round = m.update(txn).await?;
    w.commit(
        Audit::new("closeSelectionRound", "SelectionRound")
            .object(round.id)
            .summary(json!({ "selected": selected, "notSelected": rest.len() })),
    )
    .await?;
    Ok(round)
}

/// The cases of a round in ranking order: total, then earliest submission (then id, which is
/// also the order of submission).
pub(crate) fn ranked_select(round_id: Uuid) -> sea_orm::Select<innovation_case::Entity> {
    innovation_case::Entity::find()
        .filter(innovation_case::Column::RoundId.eq(round_id))
        .order_by_desc(innovation_case::Column::ScoreTotal)
        .order_by_asc(innovation_case::Column::SubmittedAt)
        .order_by_asc(innovation_case::Column::Id)
}

fn rounds_select(cx: &Cx) -> AppResult<sea_orm::Select<selection_round::Entity>> {
    cx.scope.require_authenticated()?;
    Ok(selection_round::Entity::find().filter(visibility::rounds(&cx.scope)))
}

/// One page of the rounds the caller sees.
pub async fn rounds(cx: &Cx, args: &PageArgs) -> AppResult<Page<selection_round::Model>> {
    let select = rounds_select(cx)?;
    Ok(args.finish(args.apply(select, selection_round::Column::Id).all(&cx.db).await?))
}

/// How many rounds the caller sees.
pub async fn round_count(cx: &Cx) -> AppResult<u64> {
    Ok(rounds_select(cx)?.count(&cx.db).await?)
}

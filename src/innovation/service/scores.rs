//! Scores: a reviewer of the round scores each case once, never one from their own organisation
//! or community. Two scores racing for one reviewer and case count once: the case's row is
//! locked while the score is written, and a unique index on (case, reviewer) backs it; the one
//! that comes second is refused with `CONFLICT` (a score is final: it is not changed or given
//! twice).

use chrono::Utc;
use entity::case_score;
use entity::innovation_case;
use entity::round_reviewer;
use entity::selection_round::{self, RoundStatus};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::rounds::criteria_of;
use crate::cx::Cx;
use crate::db::conflict_on_unique;
use crate::error::{AppError, AppResult};
use crate::innovation::ids::CaseId;
use crate::innovation::visibility::{self, Reviewer};
use crate::organisation::ids::{CommunityId, UnitId};
use crate::organisation::service::unit_sits_on;
use crate::validate::clean_text;
use crate::write::{Audit, Write};

/// The points a score stores.
pub fn points_of(score: &case_score::Model) -> Vec<i32> {
    serde_json::from_str(&score.points).unwrap_or_default()
}

/// Scores a case (a reviewer of its round, while the round is open): one number of points per
/// criterion of the round, each from 0 to the criterion's maximum.
///
/// A reviewer never scores a case from their own organisation or community: a person not one
/// from any community they belong to (as a party member, a resident, a volunteer or a
/// checked-in member: the communities of their scope); a unit not its own case, nor one from a
/// community whose joint committee it sits on. Such a score is refused with `FORBIDDEN`.
pub async fn score_case(cx: &Cx, case_id: CaseId, points: Vec<i32>, comment: &str) -> AppResult<case_score::Model> {
    cx.scope.require_authenticated()?;
    let Some(me) = visibility::sight(cx.scope.principal()).reviewer else {
        return Err(AppError::Forbidden("cases are scored by the reviewers a round names".into()));
    };
    let comment = clean_text("comment", comment, 1000)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let seen = innovation_case::Entity::find_by_id(case_id.0)
        .filter(visibility::cases(&cx.scope))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("innovation case"))?;
    // The round first (shared: closing takes it exclusively), then the case, as closing does.
    let round =
        w.lock_shared(selection_round::Entity::find_by_id(seen.round_id)).await?.ok_or_else(|| AppError::not_found("selection round"))?;
    let case = w.lock(innovation_case::Entity::find_by_id(seen.id)).await?.ok_or_else(|| AppError::not_found("innovation case"))?;
    let reviewer = round_reviewer::Entity::find()
        .filter(round_reviewer::Column::RoundId.eq(round.id))
        .filter(visibility::reviewer_is(me))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::Forbidden("you are not a reviewer of this round".into()))?;
    if round.status != RoundStatus::Open {
        return Err(AppError::bad_input("caseId", "the round is closed"));
    }
    let own = match me {
        Reviewer::Person(_) => cx.scope.sees_community(case.community_id),
        Reviewer::Unit(u, _) => case.unit_id == Some(u) || unit_sits_on(txn, CommunityId(case.community_id), UnitId(u)).await?,
    };
    if own {
        return Err(AppError::Forbidden("a reviewer never scores a case from their own organisation or community".into()));
    }
    let criteria = criteria_of(&round);
    if points.len() != criteria.len() {
        return Err(AppError::bad_input("points", format!("give points for each of the round's {} criteria, in order", criteria.len())));
    }
    if let Some((c, p)) = criteria.iter().zip(&points).find(|(c, p)| !(0..=c.max_points).contains(*p)) {
        return Err(AppError::bad_input("points", format!("`{}` takes 0 to {} points, not {p}", c.name, c.max_points)));
    }
    let already = case_score::Entity::find()
        .filter(case_score::Column::CaseId.eq(case.id))
        .filter(case_score::Column::ReviewerId.eq(reviewer.id))
        .count(txn)
        .await?;
    if already > 0 {
        return Err(AppError::Conflict("you have scored this case already: a score is given once".into()));
    }
    let total: i32 = points.iter().sum();
    let score = case_score::ActiveModel {
        id: Set(Uuid::now_v7()),
        round_id: Set(round.id),
        street_id: Set(round.street_id),
        case_id: Set(case.id),
        reviewer_id: Set(reviewer.id),
        points: Set(serde_json::to_string(&points).map_err(|e| AppError::internal(e.to_string()))?),
        total: Set(total),
        comment: Set(comment),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await
    .map_err(|e| conflict_on_unique(e, "you have scored this case already: a score is given once"))?;
    let (score_total, score_count, version) = (case.score_total, case.score_count, case.version);
    let mut m: innovation_case::ActiveModel = case.into();
    m.score_total = Set(score_total + total);
    m.score_count = Set(score_count + 1);
    m.version = Set(version + 1);
    let case = m.update(txn).await?;
    // The points stay out of the community's audit log: scores are the street's until closing.
    w.commit(
        Audit::new("scoreInnovationCase", "CaseScore")
            .object(score.id)
            .community(case.community_id)
            .summary(json!({ "caseId": case.id, "roundId": round.id })),
    )
    .await?;
    Ok(score)
}

//! Scores of innovation cases: one per reviewer and case.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::case_score;

use super::{InnovationCase, RoundReviewer, kind};
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};
use crate::innovation::loaders::*;
use crate::innovation::service;

/// A reviewer's score of a case.
pub struct CaseScore(pub case_score::Model);

/// A reviewer's score of a case.
#[Object]
impl CaseScore {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::CASE_SCORE, self.0.id)
    }
    /// Points per criterion, in the round's order.
    async fn points(&self) -> Vec<i32> {
        service::points_of(&self.0)
    }
    /// The sum of the points.
    async fn total(&self) -> i32 {
        self.0.total
    }
    /// The reviewer's comment.
    async fn comment(&self) -> &str {
        &self.0.comment
    }
    /// When it was given.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The case.
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<InnovationCase>> {
        Ok(innovation_loader(ctx)?.load_one(CaseId(self.0.case_id)).await?.map(InnovationCase))
    }
    /// The reviewer; null for another reviewer's score seen by a reviewer.
    async fn reviewer(&self, ctx: &Context<'_>) -> Result<Option<RoundReviewer>> {
        Ok(innovation_loader(ctx)?.load_one(ReviewerId(self.0.reviewer_id)).await?.map(RoundReviewer))
    }
}

/// Input of `scoreInnovationCase`.
#[derive(InputObject)]
pub struct ScoreInnovationCaseInput {
    /// The case.
    pub case_id: ID,
    /// Points per criterion of the round, in its order, each from 0 to the criterion's maximum.
    pub points: Vec<i32>,
    /// A comment (at most 1000 characters).
    #[graphql(default)]
    pub comment: String,
}

/// Result of `scoreInnovationCase`.
#[derive(SimpleObject)]
pub struct CaseScorePayload {
    /// The score.
    pub score: CaseScore,
}

/// Mutations of innovation-case selection: scores.
#[derive(Default)]
pub struct ScoresMutation;

/// Mutations of innovation-case selection: scores.
#[Object]
impl ScoresMutation {
    /// Scores a case (a reviewer of its round, while it is open; never a case from the
    /// reviewer's own organisation or community). A score is given once: a second, or the
    /// loser of two at once, is refused with `CONFLICT`.
    async fn score_innovation_case(&self, ctx: &Context<'_>, input: ScoreInnovationCaseInput) -> Result<CaseScorePayload> {
        let id = expect_id(&input.case_id, kind::INNOVATION_CASE, "caseId").map(CaseId)?;
        Ok(CaseScorePayload { score: CaseScore(service::score_case(&rc(ctx)?.cx, id, input.points, &input.comment).await?) })
    }
}

//! DataLoaders of innovation-case selection, one per request with its scope; every batch applies
//! the same visibility rules as the service.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{case_score, innovation_case, round_reviewer, selection_round};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::visibility;
use crate::auth::Scope;
use crate::error::AppError;
use crate::graphql::batch::{by, group, loader_key};

/// Rows by id.
pub use super::ids::{CaseId, ReviewerId, RoundId, ScoreId};

/// Batches and caches innovation-selection relations for one request.
pub struct InnovationLoader {
    db: crate::db::Db,
    scope: Scope,
}

/// This request's innovation loader (built for each request by the root, see `graphql::request_data`).
pub fn innovation_loader<'a>(
    ctx: &async_graphql::Context<'a>,
) -> Result<&'a async_graphql::dataloader::DataLoader<InnovationLoader, async_graphql::dataloader::HashMapCache>, AppError> {
    ctx.data::<async_graphql::dataloader::DataLoader<InnovationLoader, async_graphql::dataloader::HashMapCache>>()
        .map_err(|_| AppError::internal("innovation loader missing"))
}

impl InnovationLoader {
    pub fn new(db: crate::db::Db, scope: Scope) -> Self {
        InnovationLoader { db, scope }
    }
}

loader_key!(/// The scores of a case the caller sees.
    ScoresOfCase);
loader_key!(/// The reviewers of a round the caller sees.
    ReviewersOfRound);

impl Loader<RoundId> for InnovationLoader {
    type Value = selection_round::Model;
    type Error = AppError;
    async fn load(&self, keys: &[RoundId]) -> Result<HashMap<RoundId, Self::Value>, Self::Error> {
        let rows = selection_round::Entity::find()
            .filter(selection_round::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::rounds(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| RoundId(m.id)))
    }
}

impl Loader<CaseId> for InnovationLoader {
    type Value = innovation_case::Model;
    type Error = AppError;
    async fn load(&self, keys: &[CaseId]) -> Result<HashMap<CaseId, Self::Value>, Self::Error> {
        let rows = innovation_case::Entity::find()
            .filter(innovation_case::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::cases(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| CaseId(m.id)))
    }
}

impl Loader<ScoreId> for InnovationLoader {
    type Value = case_score::Model;
    type Error = AppError;
    async fn load(&self, keys: &[ScoreId]) -> Result<HashMap<ScoreId, Self::Value>, Self::Error> {
        let rows = case_score::Entity::find()
            .filter(case_score::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::scores(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| ScoreId(m.id)))
    }
}

impl Loader<ReviewerId> for InnovationLoader {
    type Value = round_reviewer::Model;
    type Error = AppError;
    async fn load(&self, keys: &[ReviewerId]) -> Result<HashMap<ReviewerId, Self::Value>, Self::Error> {
        let rows = round_reviewer::Entity::find()
            .filter(round_reviewer::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::reviewers(&self.scope))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| ReviewerId(m.id)))
    }
}

impl Loader<ScoresOfCase> for InnovationLoader {
    type Value = Vec<case_score::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[ScoresOfCase]) -> Result<HashMap<ScoresOfCase, Self::Value>, Self::Error> {
        let rows = case_score::Entity::find()
            .filter(case_score::Column::CaseId.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::scores(&self.scope))
            .order_by_asc(case_score::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| ScoresOfCase(m.case_id)))
    }
}

impl Loader<ReviewersOfRound> for InnovationLoader {
    type Value = Vec<round_reviewer::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[ReviewersOfRound]) -> Result<HashMap<ReviewersOfRound, Self::Value>, Self::Error> {
        let rows = round_reviewer::Entity::find()
            .filter(round_reviewer::Column::RoundId.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::reviewers(&self.scope))
            .order_by_asc(round_reviewer::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| ReviewersOfRound(m.round_id)))
    }
}

//! GraphQL types, queries and mutations of innovation-case selection, one file per sub-noun
//! (the same names as in `service/`): `rounds`, `cases` and `scores`. Thin: resolvers decode
//! arguments, follow relations through the request's DataLoaders and call the service.

mod cases;
mod rounds;
mod scores;

pub use cases::*;
pub use rounds::*;
pub use scores::*;

use async_graphql::{Context, MergedObject, Result};
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::connection::CountSource;
use crate::graphql::context::rc;
use crate::innovation::loaders::*;
use crate::innovation::service;

/// The type names this noun's global ids carry.
pub mod kind {
    pub use crate::organisation::graphql::kind::*;
    pub const SELECTION_ROUND: &str = "SelectionRound";
    pub const ROUND_REVIEWER: &str = "RoundReviewer";
    pub const INNOVATION_CASE: &str = "InnovationCase";
    pub const CASE_SCORE: &str = "CaseScore";
}

/// What a list's `totalCount` counts.
pub(super) enum Count {
    Rounds,
    Cases(service::CaseFilter),
}

#[async_trait::async_trait]
impl CountSource for Count {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        let cx = &rc(ctx)?.cx;
        match self {
            Count::Rounds => service::round_count(cx).await,
            Count::Cases(f) => service::case_count(cx, *f).await,
        }
    }
}

/// Queries of innovation-case selection, in the order the schema lists them.
#[derive(MergedObject, Default)]
pub struct InnovationQuery(RoundsQuery, CasesQuery);

/// Mutations of innovation-case selection, in the order the schema lists them; each is one
/// transaction with its audit record.
#[derive(MergedObject, Default)]
pub struct InnovationMutation(RoundsMutation, CasesMutation, ScoresMutation);

/// Innovation-case selection's objects that `node(id:)` refetches.
pub enum InnovationNode {
    SelectionRound(SelectionRound),
    RoundReviewer(RoundReviewer),
    InnovationCase(InnovationCase),
    CaseScore(CaseScore),
}

/// Resolves innovation-case selection's global ids through the scoped loaders.
pub async fn resolve_node(ctx: &Context<'_>, k: &str, uuid: Uuid) -> Result<Option<InnovationNode>, AppError> {
    use InnovationNode as Node;
    let loader = innovation_loader(ctx)?;
    Ok(match k {
        kind::SELECTION_ROUND => loader.load_one(RoundId(uuid)).await?.map(|m| Node::SelectionRound(SelectionRound(m))),
        kind::ROUND_REVIEWER => loader.load_one(ReviewerId(uuid)).await?.map(|m| Node::RoundReviewer(RoundReviewer(m))),
        kind::INNOVATION_CASE => loader.load_one(CaseId(uuid)).await?.map(|m| Node::InnovationCase(InnovationCase(m))),
        kind::CASE_SCORE => loader.load_one(ScoreId(uuid)).await?.map(|m| Node::CaseScore(CaseScore(m))),
        _ => None,
    })
}

//! The public board (公示栏) and residents' supports (附议). A compound's board lists the appeals
//! located in it, a community's board those of the community located at no compound; withdrawn
//! appeals are not shown. Who reads which board is `visibility::board_filter`; what a board
//! carries (no raiser, phone, door or site) is the GraphQL type's. A resident supports an appeal
//! of their community once: the appeal's row is locked, so of two supports racing the second
//! finds the first and gets `CONFLICT`, and a unique index stands behind it.

use chrono::Utc;
use entity::appeal::{self, AppealState};
use entity::appeal_support;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Select, Set};
use serde_json::json;
use uuid::Uuid;

use super::{decide, lock_appeal};
use crate::cx::Cx;
use crate::deliberation::ids::AppealId;
use crate::deliberation::visibility::{self, ties};
use crate::deliberation::workflow::Action;
use crate::error::{AppError, AppResult};
use crate::organisation::ids::{CommunityId, CompoundId};
use crate::paging::{Page, PageArgs};
use crate::write::{Audit, Write};

/// Which board, and which of its appeals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BoardFilter {
    /// A compound's board, or a community's (the appeals located at no compound).
    pub board: Board,
    pub state: Option<AppealState>,
}

/// A board: a compound's or a community's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Board {
    Compound(CompoundId),
    Community(CommunityId),
}

fn board_select(cx: &Cx, ties: &visibility::Ties, filter: BoardFilter) -> Select<appeal::Entity> {
    let mut select =
        appeal::Entity::find().filter(visibility::board_filter(&cx.scope, ties)).filter(appeal::Column::State.ne(AppealState::Withdrawn));
    select = match filter.board {
        Board::Compound(c) => select.filter(appeal::Column::CompoundId.eq(c.0)),
        Board::Community(c) => select.filter(appeal::Column::CommunityId.eq(c.0)).filter(appeal::Column::CompoundId.is_null()),
    };
    if let Some(s) = filter.state {
        select = select.filter(appeal::Column::State.eq(s));
    }
    select
}

/// One page of a board, oldest first.
pub async fn board(cx: &Cx, filter: BoardFilter, args: &PageArgs) -> AppResult<Page<appeal::Model>> {
    cx.scope.require_authenticated()?;
    let ties = ties(&cx.db, &cx.scope).await?;
    Ok(args.finish(args.apply(board_select(cx, &ties, filter), appeal::Column::Id).all(&cx.db).await?))
}

/// How many appeals a board shows.
pub async fn board_count(cx: &Cx, filter: BoardFilter) -> AppResult<u64> {
    cx.scope.require_authenticated()?;
    let ties = ties(&cx.db, &cx.scope).await?;
    Ok(board_select(cx, &ties, filter).count(&cx.db).await?)
}

/// A resident supports (附议) an open appeal of their community that they did not raise, once.
pub async fn support_appeal(cx: &Cx, id: AppealId) -> AppResult<appeal::Model> {
    cx.scope.require_authenticated()?;
    let mut w = Write::begin(cx).await?;
    let txn = w.txn();
    let ties = ties(txn, &cx.scope).await?;
    let a = lock_appeal(&w, id, &ties).await?;
    decide(&w, &ties, &a, Action::Support)?;
    // The table lets only a resident through, and a resident is a person.
    let me: Uuid = cx.scope.person_id().ok_or_else(|| AppError::Forbidden("only a resident supports an appeal".into()))?;
    let already = appeal_support::Entity::find()
        .filter(appeal_support::Column::CommunityId.eq(a.community_id))
        .filter(appeal_support::Column::AppealId.eq(a.id))
        .filter(appeal_support::Column::PersonId.eq(me))
        .count(txn)
        .await?;
    if already > 0 {
        return Err(AppError::Conflict("you already support this appeal: a support counts once".into()));
    }
    let now = Utc::now();
    appeal_support::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(a.community_id),
        appeal_id: Set(a.id),
        person_id: Set(me),
        created_at: Set(now),
    }
    .insert(txn)
    .await?;
    // The count is not the appeal's state: its version stays, so a handler's expectedVersion
    // does not go stale because neighbours support it.
    appeal::Entity::update_many()
        .col_expr(appeal::Column::Supporters, Expr::col(appeal::Column::Supporters).add(1))
        .filter(appeal::Column::Id.eq(a.id))
        .exec(txn)
        .await?;
    let model = appeal::Model { supporters: a.supporters + 1, ..a };
    let event = super::appeal_event(txn, &model, "supportAppeal").await?;
    w.stored_event(event);
    w.commit(
        Audit::new("supportAppeal", "Appeal")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "supporters": model.supporters })),
    )
    .await?;
    Ok(model)
}

//! The public board (公示栏) and supports (附议): what a compound's and a community's people read
//! of the appeals raised there, with no personal data, and the mutation by which a resident
//! supports one.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::appeal;

use super::{Appeal, AppealCategory, AppealState, AppealTier, OutcomeRating, appeal_id, kind};
use crate::deliberation::ids::AppealId;
use crate::deliberation::loaders::{BoardAppealId, DecisionsOf, SupportedByMe, deliberation_loader};
use crate::deliberation::service::{self, Board, BoardFilter};
use crate::error::AppError;
use crate::graphql::connection::{Conn, CountSource, TotalCount};
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};
use crate::home::graphql::Building;
use crate::home::ids::BuildingId;
use crate::home::loaders::home_loader;
use crate::organisation::graphql::Compound;
use crate::organisation::ids::{CommunityId, CompoundId};
use crate::organisation::loaders::org_loader;
use crate::paging::PageArgs;

/// An appeal as its compound's or community's public board (公示栏) shows it: what it is about,
/// where it stands, the answer and the outcome, and how many residents support it. No personal
/// data: no raiser, description, photos, door number or site. Read by the residents of the
/// compound (a compound's board) or of the community (the community's board), and by staff.
pub struct BoardAppeal(pub appeal::Model);
crate::graphql::connection::connection_node!(BoardAppeal);

/// An appeal as its compound's or community's public board (公示栏) shows it: what it is about,
/// where it stands, the answer and the outcome, and how many residents support it. No personal
/// data: no raiser, description, photos, door number or site. Read by the residents of the
/// compound (a compound's board) or of the community (the community's board), and by staff.
#[Object]
impl BoardAppeal {
    /// Globally unique id (the workflow's mutations and `supportAppeal` take it too).
    pub async fn id(&self) -> ID {
        global_id(kind::BOARD_APPEAL, self.0.id)
    }
    /// The appeal in full, for those who see it so (staff, its raiser, the station's convenor);
    /// null for everyone else.
    async fn appeal(&self, ctx: &Context<'_>) -> Result<Option<Appeal>> {
        Ok(deliberation_loader(ctx)?.load_one(AppealId(self.0.id)).await?.map(Appeal))
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Category.
    async fn category(&self) -> AppealCategory {
        self.0.category.into()
    }
    /// Where it stands.
    async fn state(&self) -> AppealState {
        self.0.state.into()
    }
    /// The tier that handles it now.
    async fn tier(&self) -> AppealTier {
        self.0.tier.into()
    }
    /// The compound it is located in; null on a community's board.
    async fn compound(&self, ctx: &Context<'_>) -> Result<Option<Compound>> {
        match self.0.compound_id {
            Some(c) => Ok(org_loader(ctx)?.load_one(CompoundId(c)).await?.map(Compound)),
            None => Ok(None),
        }
    }
    /// The building or lane it is located at, if any (its label; never a door).
    async fn building(&self, ctx: &Context<'_>) -> Result<Option<Building>> {
        match self.0.building_id {
            Some(b) => Ok(home_loader(ctx)?.load_one(BuildingId(b)).await?.map(Building)),
            None => Ok(None),
        }
    }
    /// The answer, once answered (有人回应).
    async fn answer(&self) -> Option<&str> {
        self.0.answer.as_deref()
    }
    /// Why it was rejected, if it was.
    async fn reject_reason(&self) -> Option<&str> {
        self.0.reject_reason.as_deref()
    }
    /// The appeal it was merged into, as the board shows it.
    async fn merged_into(&self, ctx: &Context<'_>) -> Result<Option<BoardAppeal>> {
        match self.0.merged_into_id {
            Some(a) => Ok(deliberation_loader(ctx)?.load_one(BoardAppealId(a)).await?.map(BoardAppeal)),
            None => Ok(None),
        }
    }
    /// The raiser's rating of the outcome, once done and rated (the comment is not shown).
    async fn outcome(&self) -> Option<OutcomeRating> {
        self.0.rating.map(Into::into)
    }
    /// How many residents support it (附议).
    async fn supporters_count(&self) -> i32 {
        self.0.supporters
    }
    /// The decisions (决议) of the meetings that took it up, oldest first.
    async fn decisions(&self, ctx: &Context<'_>) -> Result<Vec<BoardDecision>> {
        let rows = deliberation_loader(ctx)?.load_one(DecisionsOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows
            .into_iter()
            .filter_map(|i| {
                Some(BoardDecision {
                    decision: i.decision?,
                    passed: i.passed,
                    votes_for: i.votes_for,
                    votes_against: i.votes_against,
                    votes_abstain: i.votes_abstain,
                    decided_at: i.decided_at?,
                })
            })
            .collect())
    }
    /// Whether the caller supports it.
    async fn supported_by_me(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(deliberation_loader(ctx)?.load_one(SupportedByMe(self.0.id)).await?.is_some())
    }
    /// When it was raised.
    async fn raised_at(&self) -> DateTime<Utc> {
        self.0.raised_at
    }
    /// When it was answered.
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }
    /// When it was done, merged or rejected.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
}

/// A meeting's decision on an appeal, as the board shows it: no names.
#[derive(SimpleObject)]
pub struct BoardDecision {
    /// The decision.
    pub decision: String,
    /// Whether the owners' vote passed; null when not voted on.
    pub passed: Option<bool>,
    /// Owners' votes for.
    pub votes_for: Option<i32>,
    /// Owners' votes against.
    pub votes_against: Option<i32>,
    /// Owners abstaining.
    pub votes_abstain: Option<i32>,
    /// When it was decided.
    pub decided_at: DateTime<Utc>,
}

/// What a board's `totalCount` counts.
struct BoardCount(BoardFilter);

#[async_trait::async_trait]
impl CountSource for BoardCount {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        service::board_count(&rc(ctx)?.cx, self.0).await
    }
}

/// Queries of consultative democracy: the public boards.
#[derive(Default)]
pub struct BoardQuery;

/// Queries of consultative democracy: the public boards.
#[Object]
impl BoardQuery {
    /// A public board, oldest first: a compound's (`compoundId`: the appeals located in it) or a
    /// community's (`communityId`: those located at no compound); give exactly one. Residents read
    /// their compound's and their community's boards, staff their communities', the street every
    /// board of the street; anyone else an empty board. Withdrawn appeals are not shown.
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    #[expect(clippy::too_many_arguments, reason = "a list query takes its filters and the four Relay paging arguments")]
    async fn board(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A compound's board (a `Compound` or `Home` id).")] compound_id: Option<ID>,
        #[graphql(desc = "A community's board: its appeals located at no compound.")] community_id: Option<ID>,
        #[graphql(desc = "Only appeals in this state.")] state: Option<AppealState>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<BoardAppeal>> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let board = match (compound_id, community_id) {
            (Some(c), None) => Board::Compound(super::venues::compound_id(&c)?),
            (None, Some(c)) => Board::Community(CommunityId(expect_id(&c, kind::COMMUNITY, "communityId")?)),
            _ => return Err(AppError::bad_input("compoundId", "give a compoundId or a communityId, not both").into()),
        };
        let filter = BoardFilter { board, state: state.map(Into::into) };
        let args = PageArgs::new(first, after, last, before)?;
        let page = service::board(&r.cx, filter, &args).await?;
        Ok(page.into_connection(|m| m.id, BoardAppeal, TotalCount::lazy(BoardCount(filter))))
    }
}

/// Input of `supportAppeal`.
#[derive(InputObject)]
pub struct SupportAppealInput {
    /// The appeal (a `BoardAppeal` or `Appeal` id).
    pub id: ID,
}

/// Result of `supportAppeal`.
#[derive(SimpleObject)]
pub struct SupportAppealPayload {
    /// The appeal as the board shows it, with its new supporters count.
    pub board_appeal: BoardAppeal,
}

/// Mutations of consultative democracy: supports.
#[derive(Default)]
pub struct BoardMutation;

/// Mutations of consultative democracy: supports.
#[Object]
impl BoardMutation {
    /// Supports (附议) an open appeal of the caller's community that they did not raise: a
    /// resident's support counts once (`CONFLICT` the second time, also when two arrive at
    /// once). Staff, units and others cannot support (`FORBIDDEN`); a closed appeal cannot be
    /// supported (`CONFLICT`).
    async fn support_appeal(&self, ctx: &Context<'_>, input: SupportAppealInput) -> Result<SupportAppealPayload> {
        let r = rc(ctx)?;
        let id = appeal_id(&input.id, "id")?;
        Ok(SupportAppealPayload { board_appeal: BoardAppeal(service::support_appeal(&r.cx, id).await?) })
    }
}

//! The live `appealEvents` subscription.

use async_graphql::{Context, ID, Result, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures_util::Stream;

use super::{AppealState, AppealTier, appeal_id, kind};
use crate::deliberation::live::LiveAppeals;
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};

/// A change of an appeal, as it is committed.
#[derive(SimpleObject)]
pub struct AppealEvent {
    /// Globally unique id of the event.
    pub id: ID,
    /// The appeal (its `BoardAppeal` id, which the appeal mutations take).
    pub appeal_id: ID,
    /// What was done: the mutation's or job's name, e.g. `acceptAppeal`, `escalateAppeal`.
    pub kind: String,
    /// The appeal's state after it.
    pub state: AppealState,
    /// The appeal's tier after it.
    pub tier: AppealTier,
    /// How many residents support the appeal after it.
    pub supporters_count: i32,
    /// When.
    pub at: DateTime<Utc>,
}

/// Live updates of consultative democracy.
#[derive(Default)]
pub struct DeliberationSubscription;

/// Live updates of consultative democracy.
#[Subscription]
impl DeliberationSubscription {
    /// Changes of appeals as they are committed: a resident follows the appeals they raised or
    /// support, staff their communities' appeals; nobody else receives any.
    async fn appeal_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this appeal (an `Appeal` or `BoardAppeal` id).")] appeal_id: Option<ID>,
        #[graphql(desc = "Only this community's appeals.")] community_id: Option<ID>,
    ) -> Result<impl Stream<Item = AppealEvent> + use<>> {
        use futures_util::StreamExt;
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let appeal = appeal_id.as_ref().map(|id| self::appeal_id(id, "appealId")).transpose()?;
        let community = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId")).transpose()?;
        let scope = r.cx.scope.clone();
        let stream = tokio_stream::wrappers::BroadcastStream::new(ctx.data::<LiveAppeals>()?.subscribe()).filter_map(move |item| {
            let out = match item {
                Ok(e)
                    if e.seen_by(&scope)
                        && appeal.is_none_or(|a| a.0 == e.event.appeal_id)
                        && community.is_none_or(|c| c == e.event.community_id) =>
                {
                    Some(AppealEvent {
                        id: global_id("AppealEvent", e.event.id),
                        appeal_id: global_id(kind::BOARD_APPEAL, e.event.appeal_id),
                        kind: e.event.kind.clone(),
                        state: e.event.state.into(),
                        tier: e.event.tier.into(),
                        supporters_count: e.event.supporters,
                        at: e.event.at,
                    })
                }
                // A lagging subscriber skips what it missed rather than failing.
                _ => None,
            };
            std::future::ready(out)
        });
        Ok(stream)
    }
}

//! The live `appealEvents` subscription.

use async_graphql::{Context, ID, Result, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use entity::appeal_event;
use futures_util::Stream;

use super::{AppealState, AppealTier, appeal_id, kind};
use crate::deliberation::live::LiveAppeals;
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};

/// A change of an appeal, as it is committed.
#[derive(SimpleObject)]
pub struct AppealEvent {
    /// Globally unique id of the event.
    #[graphql(owned)]
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

impl From<&appeal_event::Model> for AppealEvent {
    fn from(e: &appeal_event::Model) -> Self {
        AppealEvent {
            id: global_id(kind::APPEAL_EVENT, e.id),
            appeal_id: global_id(kind::BOARD_APPEAL, e.appeal_id),
            kind: e.kind.clone(),
            state: e.state.into(),
            tier: e.tier.into(),
            supporters_count: e.supporters,
            at: e.at,
        }
    }
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
                    Some(AppealEvent::from(&e.event))
                }
                // A lagging subscriber skips what it missed rather than failing.
                _ => None,
            };
            std::future::ready(out)
        });
        Ok(stream)
    }
}

//! The live `taskEvents` subscription.

use super::*;

/// Live updates.
#[derive(Default)]
pub struct CollabSubscription;

/// Live updates.
#[Subscription]
impl CollabSubscription {
    /// Timeline entries of tasks as they are committed, within the subscriber's scope.
    async fn task_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
        #[graphql(desc = "Only this campaign.")] campaign_id: Option<ID>,
        #[graphql(desc = "Only tasks with a share for this unit.")] unit_id: Option<ID>,
    ) -> Result<impl Stream<Item = TaskEvent> + use<>> {
        use futures_util::StreamExt;
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let community = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId")).transpose()?;
        let campaign = campaign_id.as_ref().map(|id| expect_id(id, kind::CAMPAIGN, "campaignId")).transpose()?;
        let unit = unit_id.as_ref().map(|id| expect_id(id, kind::CO_BUILDING_UNIT, "unitId")).transpose()?;
        let scope = r.cx.scope.clone();
        let stream = tokio_stream::wrappers::BroadcastStream::new(ctx.data::<crate::collaboration::live::LiveTasks>()?.subscribe())
            .filter_map(move |item| {
                let out = match item {
                    Ok(e)
                        if crate::collaboration::visibility::sees_live_event(&scope, &e)
                            && community.is_none_or(|c| c == e.event.community_id)
                            && campaign.is_none_or(|c| Some(c) == e.campaign_id)
                            && unit.is_none_or(|u| e.unit_ids.contains(&u)) =>
                    {
                        Some(TaskEvent(e.event.clone()))
                    }
                    // A lagging subscriber skips what it missed rather than failing.
                    _ => None,
                };
                std::future::ready(out)
            });
        Ok(stream)
    }
}

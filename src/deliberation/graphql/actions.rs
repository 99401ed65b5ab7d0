//! The workflow's mutations on an appeal; who may do what in which state is the table in
//! `deliberation::workflow`. Each answers the appeal as it now stands; a refusal names the state
//! and the action (`CONFLICT` for the state, `FORBIDDEN` for the caller, `NOT_FOUND` when the
//! caller cannot see the appeal).

use crate::graphql::scalars::Date;
use async_graphql::{Context, ID, InputObject, Object, Result};

use super::{Appeal, AppealPayload, OutcomeRating, appeal_id, kind};
use crate::deliberation::ids::VenueId;
use crate::deliberation::service::{self, Step};
use crate::graphql::context::rc;
use crate::graphql::ids::expect_id;

/// Input of the appeal actions that carry nothing but the appeal.
#[derive(InputObject)]
pub struct AppealActionInput {
    /// The appeal (an `Appeal` or `BoardAppeal` id).
    pub id: ID,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Input of `scheduleAppeal`.
#[derive(InputObject)]
pub struct ScheduleAppealInput {
    /// The appeal.
    pub id: ID,
    /// A venue of the appeal's community (its centre or a station).
    pub venue_id: ID,
    /// The day it is on the venue's agenda.
    pub on: Date,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Input of `answerAppeal`.
#[derive(InputObject)]
pub struct AnswerAppealInput {
    /// The appeal.
    pub id: ID,
    /// The answer (at most 2000 characters), shown on the public board.
    pub answer: String,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Input of `rejectAppeal`.
#[derive(InputObject)]
pub struct RejectAppealInput {
    /// The appeal.
    pub id: ID,
    /// Why (at most 500 characters).
    pub reason: String,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Input of `mergeAppeal`.
#[derive(InputObject)]
pub struct MergeAppealInput {
    /// The appeal to fold in.
    pub id: ID,
    /// The open appeal of the same community it is merged into.
    pub into_id: ID,
    /// The version read; `CONFLICT` when it changed since.
    pub expected_version: Option<i32>,
}

/// Input of `rateAppeal`.
#[derive(InputObject)]
pub struct RateAppealInput {
    /// The appeal.
    pub id: ID,
    /// The rating.
    pub rating: OutcomeRating,
    /// A comment (at most 500 characters).
    pub comment: Option<String>,
}

async fn act(ctx: &Context<'_>, id: &ID, step: Step, expected: Option<i32>) -> Result<AppealPayload> {
    let r = rc(ctx)?;
    r.cx.scope.require_authenticated()?;
    let id = appeal_id(id, "id")?;
    Ok(AppealPayload { appeal: Appeal(service::act(&r.cx, id, step, expected).await?) })
}

/// Mutations of consultative democracy: the appeal workflow.
#[derive(Default)]
pub struct AppealActionsMutation;

/// Mutations of consultative democracy: the appeal workflow.
#[Object]
impl AppealActionsMutation {
    /// Accepts a RAISED appeal (its tier's handler): the first response; the answer is due next.
    async fn accept_appeal(&self, ctx: &Context<'_>, input: AppealActionInput) -> Result<AppealPayload> {
        act(ctx, &input.id, Step::Accept, input.expected_version).await
    }

    /// Puts an ACCEPTED appeal on the agenda of a venue of its community, on a day (its tier's handler).
    async fn schedule_appeal(&self, ctx: &Context<'_>, input: ScheduleAppealInput) -> Result<AppealPayload> {
        let venue = VenueId(expect_id(&input.venue_id, kind::VENUE, "venueId")?);
        act(ctx, &input.id, Step::Schedule { venue, on: input.on.0 }, input.expected_version).await
    }

    /// Answers an ACCEPTED or SCHEDULED appeal (its tier's handler).
    async fn answer_appeal(&self, ctx: &Context<'_>, input: AnswerAppealInput) -> Result<AppealPayload> {
        act(ctx, &input.id, Step::Answer { answer: input.answer }, input.expected_version).await
    }

    /// Starts carrying out an ANSWERED appeal (its tier's handler).
    async fn start_appeal(&self, ctx: &Context<'_>, input: AppealActionInput) -> Result<AppealPayload> {
        act(ctx, &input.id, Step::Start, input.expected_version).await
    }

    /// Finishes an appeal IN_PROGRESS: DONE (its tier's handler); its raiser may then rate it.
    async fn finish_appeal(&self, ctx: &Context<'_>, input: AppealActionInput) -> Result<AppealPayload> {
        act(ctx, &input.id, Step::Finish, input.expected_version).await
    }

    /// Rejects an appeal not yet answered, with a reason (its tier's handler).
    async fn reject_appeal(&self, ctx: &Context<'_>, input: RejectAppealInput) -> Result<AppealPayload> {
        act(ctx, &input.id, Step::Reject { reason: input.reason }, input.expected_version).await
    }

    /// Merges an appeal not yet answered into another open appeal of the same community (its tier's handler).
    async fn merge_appeal(&self, ctx: &Context<'_>, input: MergeAppealInput) -> Result<AppealPayload> {
        let into = appeal_id(&input.into_id, "intoId")?;
        act(ctx, &input.id, Step::Merge { into }, input.expected_version).await
    }

    /// The raiser takes back an appeal not yet answered.
    async fn withdraw_appeal(&self, ctx: &Context<'_>, input: AppealActionInput) -> Result<AppealPayload> {
        act(ctx, &input.id, Step::Withdraw, input.expected_version).await
    }

    /// The raiser asks, once, for a review of an answer or a rejection: the appeal goes one tier
    /// up (COMPOUND → COMMUNITY → STREET), back to ACCEPTED (an answer: the higher tier answers
    /// anew) or RAISED (a rejection: it decides anew whether to accept). At the STREET tier there
    /// is none higher (`CONFLICT`).
    async fn request_appeal_review(&self, ctx: &Context<'_>, input: AppealActionInput) -> Result<AppealPayload> {
        act(ctx, &input.id, Step::Review, input.expected_version).await
    }

    /// The raiser rates the outcome of a DONE appeal, once.
    async fn rate_appeal(&self, ctx: &Context<'_>, input: RateAppealInput) -> Result<AppealPayload> {
        act(ctx, &input.id, Step::Rate { rating: input.rating.into(), comment: input.comment }, None).await
    }
}

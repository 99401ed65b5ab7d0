//! The workflow's actions on an appeal (see `deliberation::workflow` for the table): each locks
//! the appeal's row, asks the table, checks `expectedVersion` when given, and writes the next
//! state with what the action carries. Of two staff accepting one appeal at once, the second
//! finds it ACCEPTED and gets `CONFLICT` ("an ACCEPTED appeal cannot be accepted").

use chrono::{NaiveDate, Utc};
use entity::appeal::{self, AppealState, OutcomeRating};
use entity::venue;
use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::{decide, lock_appeal};
use crate::cx::Cx;
use crate::deliberation::ids::{AppealId, VenueId};
use crate::deliberation::visibility::{self, ties};
use crate::deliberation::workflow::{self, Action, tier_above};
use crate::error::{AppError, AppResult};
use crate::validate::{clean_name, clean_optional};
use crate::write::{Audit, Write};

/// What is done to an appeal, with what the action carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The first response: taken up at its tier.
    Accept,
    /// Put on the agenda of a venue of the community, on a day.
    Schedule { venue: VenueId, on: NaiveDate },
    /// The answer (回应).
    Answer { answer: String },
    /// Carrying out the answer begins.
    Start,
    /// Done.
    Finish,
    /// Refused, with the reason.
    Reject { reason: String },
    /// Folded into another open appeal of the community.
    Merge { into: AppealId },
    /// The raiser disputes the answer or the rejection, once: one tier up.
    Review,
    /// The raiser rates the outcome, once.
    Rate { rating: OutcomeRating, comment: Option<String> },
    /// The raiser takes it back.
    Withdraw,
}

impl Step {
    /// The workflow's action.
    pub fn action(&self) -> Action {
        match self {
            Step::Accept => Action::Accept,
            Step::Schedule { .. } => Action::Schedule,
            Step::Answer { .. } => Action::Answer,
            Step::Start => Action::Start,
            Step::Finish => Action::Finish,
            Step::Reject { .. } => Action::Reject,
            Step::Merge { .. } => Action::Merge,
            Step::Review => Action::Review,
            Step::Rate { .. } => Action::Rate,
            Step::Withdraw => Action::Withdraw,
        }
    }

    /// The step with its texts cleaned; `BAD_USER_INPUT` naming the field otherwise.
    fn clean(self) -> AppResult<Step> {
        Ok(match self {
            Step::Schedule { venue, on } => Step::Schedule { venue, on: crate::validate::check_date("on", on)? },
            Step::Answer { answer } => Step::Answer { answer: clean_name("answer", &answer, 2000)? },
            Step::Reject { reason } => Step::Reject { reason: clean_name("reason", &reason, 500)? },
            Step::Rate { rating, comment } => Step::Rate { rating, comment: clean_optional("comment", comment, 500)? },
            other => other,
        })
    }
}

/// Does `step` to an appeal, as the caller (see the module documentation).
pub async fn act(cx: &Cx, id: AppealId, step: Step, expected: Option<i32>) -> AppResult<appeal::Model> {
    cx.scope.require_authenticated()?;
    let step = step.clean()?;
    let action = step.action();
    let mut w = Write::begin(cx).await?;
    let txn = w.txn();
    let ties = ties(txn, &cx.scope).await?;
    let a = lock_appeal(&w, id, &ties).await?;
    let next = decide(&w, &ties, &a, action)?;
    Write::expect_version(expected, a.version)?;
    let now = Utc::now();
    let deadlines = crate::config::appeal_deadlines();
    let mut row: appeal::ActiveModel = a.clone().into();
    row.state = Set(next);
    let mut summary = json!({ "from": a.state.to_value(), "to": next.to_value(), "tier": a.tier.to_value() });
    match &step {
        Step::Accept => {
            row.responded_at = Set(Some(now));
            row.due_at = Set(Some(now + deadlines.answer));
        }
        Step::Schedule { venue: v, on } => {
            let found = venue::Entity::find_by_id(v.0)
                .filter(visibility::venue_filter(&cx.scope))
                .filter(venue::Column::CommunityId.eq(a.community_id))
                .one(txn)
                .await?
                .ok_or_else(|| AppError::bad_input("venueId", "no such venue in the appeal's community"))?;
            row.scheduled_venue_id = Set(Some(found.id));
            row.scheduled_on = Set(Some(*on));
            summary["venueId"] = json!(found.id);
            summary["on"] = json!(on);
        }
        Step::Answer { answer } => {
            row.answer = Set(Some(answer.clone()));
            row.answered_at = Set(Some(now));
            row.due_at = Set(None);
        }
        Step::Start => {}
        Step::Finish => {
            row.closed_at = Set(Some(now));
        }
        Step::Reject { reason } => {
            row.reject_reason = Set(Some(reason.clone()));
            row.responded_at = Set(Some(a.responded_at.unwrap_or(now)));
            row.closed_at = Set(Some(now));
            row.due_at = Set(None);
        }
        Step::Merge { into } => {
            if *into == id {
                return Err(AppError::bad_input("intoId", "an appeal is not merged into itself"));
            }
            let open = [AppealState::Raised, AppealState::Accepted, AppealState::Scheduled, AppealState::Answered, AppealState::InProgress];
            let target = w
                .lock(
                    appeal::Entity::find_by_id(into.0)
                        .filter(visibility::appeal_filter(&cx.scope, &ties))
                        .filter(appeal::Column::CommunityId.eq(a.community_id)),
                )
                .await?
                .filter(|t| open.contains(&t.state))
                .ok_or_else(|| AppError::bad_input("intoId", "no open appeal of this community to merge into"))?;
            row.merged_into_id = Set(Some(target.id));
            row.closed_at = Set(Some(now));
            row.due_at = Set(None);
            summary["intoId"] = json!(target.id);
        }
        Step::Review => {
            let name = workflow::state_name(a.state);
            if a.review_requested_at.is_some() {
                return Err(AppError::Conflict(format!(
                    "a review was already asked for: this {name} appeal cannot be sent for review again"
                )));
            }
            let above = tier_above(a.tier).ok_or_else(|| {
                AppError::Conflict(format!("this {name} appeal is at the STREET tier: it cannot be sent for review higher"))
            })?;
            row.tier = Set(above);
            row.review_requested_at = Set(Some(now));
            row.closed_at = Set(None);
            let wait = if next == AppealState::Raised { deadlines.response } else { deadlines.answer };
            row.due_at = Set(Some(now + wait));
            summary["toTier"] = json!(above.to_value());
        }
        Step::Rate { rating, comment } => {
            if a.rating.is_some() {
                return Err(AppError::Conflict("the outcome was already rated: a DONE appeal cannot be rated twice".into()));
            }
            row.rating = Set(Some(*rating));
            row.rating_comment = Set(comment.clone());
            row.rated_at = Set(Some(now));
            summary["rating"] = json!(rating.to_value());
        }
        Step::Withdraw => {
            row.closed_at = Set(Some(now));
            row.due_at = Set(None);
        }
    }
    row.version = Set(a.version + 1);
    row.updated_at = Set(now);
    let model =
        crate::db::guarded_update::<appeal::Entity, _>(txn, row, appeal::Column::Id, appeal::Column::Version, a.id, a.version).await?;
    let event = super::appeal_event(txn, &model, action.mutation()).await?;
    w.stored_event(event);
    w.commit(Audit::new(action.mutation(), "Appeal").object(model.id).community(model.community_id).summary(summary)).await?;
    Ok(model)
}

//! Rules of consultative democracy, one file per sub-noun (the same names as in `graphql/`):
//! venues and their convenors, enterprises, appeals (raising and reading), the workflow's
//! actions, supports and the public board, and the deadlines job. Every function takes the
//! request's context first; each mutation writes through the unit of work
//! (`crate::write::Write`), locking the appeal's row so that two actions on one appeal run one
//! after the other and the second finds the first's state.

mod actions;
mod appeals;
mod board;
mod deadlines;
mod enterprises;
mod follow_through;
mod meetings;
mod pledges;
mod stats;
mod venues;

pub use actions::*;
pub use appeals::*;
pub use board::*;
pub use deadlines::*;
pub use enterprises::*;
pub use follow_through::*;
pub use meetings::*;
pub use pledges::*;
pub use stats::*;
pub use venues::*;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use entity::appeal;
use sea_orm::{EntityTrait, QueryFilter};

use super::ids::AppealId;
use super::visibility::{self, Ties};
use super::workflow::{self, Action, Refusal};
use crate::error::{AppError, AppResult};
use crate::write::Write;

/// Locks an appeal the caller may act on, for the rest of the write; `NOT_FOUND` otherwise.
async fn lock_appeal(w: &Write<'_>, id: AppealId, ties: &Ties) -> AppResult<appeal::Model> {
    let cx = w.cx();
    w.lock(appeal::Entity::find_by_id(id.0).filter(visibility::acting_filter(&cx.scope, ties)))
        .await?
        .ok_or_else(|| AppError::not_found("appeal"))
}

/// The table's decision for the caller on a locked appeal: the next state, or the refusal
/// (`CONFLICT` for the state, `FORBIDDEN` for the caller).
fn decide(w: &Write<'_>, ties: &Ties, a: &appeal::Model, action: Action) -> AppResult<appeal::AppealState> {
    let roles = visibility::roles_toward(&w.cx().scope, ties, a);
    workflow::decide(a.state, a.tier, action, &roles).map_err(|r| match r {
        Refusal::State(m) => AppError::Conflict(m),
        Refusal::Forbidden(m) => AppError::Forbidden(m),
    })
}

/// Writes an appeal's timeline entry (its state, tier and supporters after a change, by `kind`,
/// the mutation's or job's name) in the change's transaction; returns its id, which the write
/// notes as a stored event (`Write::stored_event`) so that live subscribers get it after the
/// commit.
pub async fn appeal_event(txn: &impl sea_orm::ConnectionTrait, a: &appeal::Model, kind: &str) -> AppResult<uuid::Uuid> {
    use sea_orm::{ActiveModelTrait, Set};
    let id = uuid::Uuid::now_v7();
    entity::appeal_event::ActiveModel {
        id: Set(id),
        community_id: Set(a.community_id),
        appeal_id: Set(a.id),
        kind: Set(kind.to_owned()),
        state: Set(a.state),
        tier: Set(a.tier),
        supporters: Set(a.supporters),
        at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    Ok(id)
}

/// The day (Beijing time) of a moment.
pub fn beijing_day(t: DateTime<Utc>) -> NaiveDate {
    FixedOffset::east_opt(8 * 3600).map_or_else(|| t.date_naive(), |tz| t.with_timezone(&tz).date_naive())
}

//! Statistics of consultative democracy, computed from the records every time (no stored
//! counters that can drift): meetings held; appeals raised, answered, done, merged and rejected;
//! the median and 90th-percentile time to the first response and to done; the outcome ratings;
//! for the caller's communities or one of them (or one compound), over a range of days in
//! Beijing time, in total or by community, compound or month (Beijing time).
//!
//! Each figure counts the records whose moment falls in the range: raised by `raised_at`,
//! answered by `answered_at`, done, merged and rejected by `closed_at`, the first response by
//! `responded_at` (its time measured from raising), done times by `closed_at`, ratings by
//! `rated_at`, meetings by `held_at`. The rows of the scope and range are read in two
//! statements and aggregated here, the same on both databases (SQLite has no percentiles).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::appeal::{self, AppealState, OutcomeRating};
use entity::meeting;
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::cx::Cx;
use crate::deliberation::visibility;
use crate::error::{AppError, AppResult};
use crate::organisation::ids::{CommunityId, CompoundId};
use crate::reporting::period::{Period, month_of};

/// How the figures are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Total,
    Community,
    Compound,
    Month,
}

/// What the figures are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsQuery {
    pub community: Option<CommunityId>,
    pub compound: Option<CompoundId>,
    /// First and last day, Beijing time, both included.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub by: Grouping,
}

/// One row of figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// The community, the compound (none for appeals at no compound) or the month (`YYYY-MM`),
    /// as grouped; all none for the total.
    pub community: Option<Uuid>,
    pub compound: Option<Uuid>,
    pub month: Option<String>,
    pub meetings_held: u64,
    pub raised: u64,
    pub answered: u64,
    pub done: u64,
    pub merged: u64,
    pub rejected: u64,
    /// Hours from raising to the first response, and to done.
    pub response_hours: Vec<f64>,
    pub done_hours: Vec<f64>,
    pub satisfied: u64,
    pub partly: u64,
    pub not_satisfied: u64,
}

impl Figures {
    /// The `p`-th percentile (nearest rank) of sorted hours.
    pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
        crate::reporting::percentile(sorted, p)
    }
}

fn hours(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_seconds() as f64 / 3600.0
}

/// A row's group: community, compound, month.
type Key = (Option<Uuid>, Option<Uuid>, Option<String>);

/// The figures (see the module documentation): street and community staff and reporting tools.
pub async fn statistics(cx: &Cx, q: StatsQuery) -> AppResult<Vec<Figures>> {
    cx.scope.require_authenticated()?;
    if !visibility::reads_statistics(&cx.scope) {
        return Err(AppError::Forbidden("statistics are for street, community and reporting users".into()));
    }
    let period = Period::new(q.from, q.to)?;
    let communities: Vec<Uuid> = match q.community {
        Some(c) if cx.scope.sees_community(c.0) => vec![c.0],
        Some(_) => return Err(AppError::not_found("community")),
        None => cx.scope.communities().collect(),
    };
    let within = |t: Option<DateTime<Utc>>| period.holds(t);
    // Any moment of an appeal in the range brings its row.
    let mut rows_cond = Condition::all().add(appeal::Column::CommunityId.is_in(communities.clone()));
    if let Some(c) = q.compound {
        rows_cond = rows_cond.add(appeal::Column::CompoundId.eq(c.0));
    }
    let appeals = appeal::Entity::find().filter(rows_cond).all(&cx.db).await?;
    let meetings = if q.compound.is_some() {
        // Meetings are the community's, not a compound's.
        Vec::new()
    } else {
        meeting::Entity::find()
            .filter(meeting::Column::CommunityId.is_in(communities))
            .filter(meeting::Column::HeldAt.is_not_null())
            .all(&cx.db)
            .await?
    };
    let key = |community: Uuid, compound: Option<Uuid>, at: DateTime<Utc>| -> Key {
        match q.by {
            Grouping::Total => (None, None, None),
            Grouping::Community => (Some(community), None, None),
            Grouping::Compound => (Some(community), compound, None),
            Grouping::Month => (None, None, Some(month_of(at))),
        }
    };
    let mut out: BTreeMap<Key, Figures> = BTreeMap::new();
    fn slot(out: &mut BTreeMap<Key, Figures>, k: Key) -> &mut Figures {
        out.entry(k.clone()).or_insert_with(|| Figures { community: k.0, compound: k.1, month: k.2, ..Figures::default() })
    }
    for m in &meetings {
        if let (true, Some(at)) = (within(m.held_at), m.held_at) {
            slot(&mut out, key(m.community_id, None, at)).meetings_held += 1;
        }
    }
    for a in &appeals {
        let k = |at| key(a.community_id, a.compound_id, at);
        if within(Some(a.raised_at)) {
            slot(&mut out, k(a.raised_at)).raised += 1;
        }
        if let (true, Some(at)) = (within(a.answered_at), a.answered_at) {
            slot(&mut out, k(at)).answered += 1;
        }
        if let (true, Some(at)) = (within(a.responded_at), a.responded_at) {
            slot(&mut out, k(at)).response_hours.push(hours(a.raised_at, at));
        }
        if let (true, Some(at)) = (within(a.closed_at), a.closed_at) {
            let f = slot(&mut out, k(at));
            match a.state {
                AppealState::Done => {
                    f.done += 1;
                    f.done_hours.push(hours(a.raised_at, at));
                }
                AppealState::Merged => f.merged += 1,
                AppealState::Rejected => f.rejected += 1,
                AppealState::Raised
                | AppealState::Accepted
                | AppealState::Scheduled
                | AppealState::Answered
                | AppealState::InProgress
                | AppealState::Withdrawn => {}
            }
        }
        if let (true, Some(at), Some(r)) = (within(a.rated_at), a.rated_at, a.rating) {
            let f = slot(&mut out, k(at));
            match r {
                OutcomeRating::Satisfied => f.satisfied += 1,
                OutcomeRating::Partly => f.partly += 1,
                OutcomeRating::Not => f.not_satisfied += 1,
            }
        }
    }
    if q.by == Grouping::Total && out.is_empty() {
        out.insert((None, None, None), Figures::default());
    }
    let mut rows: Vec<Figures> = out.into_values().collect();
    for f in &mut rows {
        f.response_hours.sort_by(f64::total_cmp);
        f.done_hours.sort_by(f64::total_cmp);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(Figures::percentile(&v, 50.0), Some(5.0));
        assert_eq!(Figures::percentile(&v, 90.0), Some(9.0));
        assert_eq!(Figures::percentile(&[7.0], 90.0), Some(7.0));
        assert_eq!(Figures::percentile(&[], 50.0), None);
    }
}

//! Rules of home co-building, one file per sub-noun (the same names as in `graphql/`):
//! buildings and lanes, owners' committees, property managers, building leaders by two-way
//! selection, residents with their residences, renovation projects, the shared-income ledger and
//! property-fee arrears cases, and the figures of them all (`stats`).
//! Every function takes the request's context first; each mutation writes through the unit of work
//! (`crate::write::Write`), and "never two at once" rules are held by the database (a unique
//! partial index) behind a row lock on the compound or the building.

mod arrears;
mod buildings;
mod committees;
mod leaders;
mod ledger;
mod managers;
mod projects;
mod residents;
mod stats;

pub use arrears::*;
pub use buildings::*;
pub use committees::*;
pub use leaders::*;
pub use ledger::*;
pub use managers::*;
pub use projects::*;
pub use residents::*;
pub use stats::*;

use chrono::{FixedOffset, NaiveDate, Utc};
use entity::building_leader::{self, LeaderStatus};
use entity::{compound, owners_committee, owners_committee_member};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use uuid::Uuid;

use super::visibility::Roles;
use crate::auth::Scope;
use crate::error::{AppError, AppResult};
use crate::organisation::ids::CompoundId;
use crate::write::Write;

/// Today in Beijing time: terms begin and end on Beijing days.
pub fn beijing_today() -> NaiveDate {
    let now = Utc::now();
    FixedOffset::east_opt(8 * 3600).map_or_else(|| now.date_naive(), |tz| now.with_timezone(&tz).date_naive())
}

/// What a "replaces" argument says about the row in office or in charge: nothing (no check),
/// that there is none, or which one the caller read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected<T> {
    Unchecked,
    Nothing,
    This(T),
}

impl<T: PartialEq> Expected<T> {
    /// `CONFLICT` unless the current row (or its absence) is what the caller expected.
    pub fn check(&self, current: Option<T>, what: &str) -> AppResult<()> {
        let ok = match self {
            Expected::Unchecked => true,
            Expected::Nothing => current.is_none(),
            Expected::This(t) => current.as_ref() == Some(t),
        };
        if ok { Ok(()) } else { Err(AppError::Stale(format!("the {what} has changed since it was read; read it again and retry"))) }
    }
}

/// The roles the caller holds in home co-building: read from the database for members, empty
/// for everyone else. One statement for each of committees, leaders and the residence.
pub async fn roles(db: &impl ConnectionTrait, scope: &Scope) -> AppResult<Roles> {
    let Some(me) = scope.person_id() else { return Ok(Roles::default()) };
    let sits_on = owners_committee_member::Entity::find()
        .select_only()
        .column(owners_committee_member::Column::CommitteeId)
        .filter(owners_committee_member::Column::PersonId.eq(me))
        .filter(scope.tenant_filter(owners_committee_member::Column::CommunityId));
    let committee_of: Vec<(Uuid, Uuid)> = owners_committee::Entity::find()
        .select_only()
        .columns([owners_committee::Column::CommunityId, owners_committee::Column::CompoundId])
        .filter(owners_committee::Column::Id.in_subquery(sits_on.into_query()))
        .filter(owners_committee::Column::EndedOn.is_null())
        .filter(scope.tenant_filter(owners_committee::Column::CommunityId))
        .into_tuple()
        .all(db)
        .await?;
    let leader_of: Vec<Uuid> = building_leader::Entity::find()
        .select_only()
        .column(building_leader::Column::BuildingId)
        .filter(building_leader::Column::PersonId.eq(me))
        .filter(building_leader::Column::Status.eq(LeaderStatus::Active))
        .filter(scope.tenant_filter(building_leader::Column::CommunityId))
        .into_tuple()
        .all(db)
        .await?;
    let lives_in = super::visibility::resident_rights(db, scope).await?.home.map(|d| d.compound_id);
    Ok(Roles {
        secretary_of: scope.branch_compounds().collect(),
        committee_of: committee_of.into_iter().collect(),
        leader_of: leader_of.into_iter().collect(),
        lives_in,
    })
}

/// Locks a compound in the caller's scope for the rest of the write, so that changes of who runs
/// it (committee, manager) run one after the other; `NOT_FOUND` outside the scope.
async fn lock_compound(w: &Write<'_>, id: CompoundId) -> AppResult<compound::Model> {
    let cx = w.cx();
    w.lock(compound::Entity::find_by_id(id.0).filter(cx.scope.tenant_filter(compound::Column::CommunityId)))
        .await?
        .ok_or_else(|| AppError::not_found("compound"))
}

/// The largest amount of money one figure may hold: 10^12 fen (ten billion yuan). Anything
/// larger is a typing mistake, and sums of such figures stay far from overflowing an `i64`.
pub const MAX_AMOUNT_FEN: i64 = 1_000_000_000_000;

/// An amount of money in fen as the caller sent it (a JSON number or a string, as text): a whole
/// number from 1 to [`MAX_AMOUNT_FEN`]. Negative, zero, fractional, exponent-written, overflowing
/// or non-numeric amounts are `BAD_USER_INPUT` naming `field`.
pub fn parse_fen(field: &str, raw: &str) -> AppResult<i64> {
    let raw = raw.trim();
    let bad = |why: &str| Err(AppError::bad_input(field, format!("`{field}` {why}; amounts are whole fen from 1 to {MAX_AMOUNT_FEN}")));
    if raw.starts_with('-') {
        return bad("is negative");
    }
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return bad("is not a whole number of fen");
    }
    match raw.parse::<i64>() {
        Ok(0) => bad("is zero"),
        Ok(fen) if fen <= MAX_AMOUNT_FEN => Ok(fen),
        _ => bad("is too large"),
    }
}

/// A term's dates: `end` (when given) after `start`.
fn check_term(start_field: &str, start: NaiveDate, end_field: &str, end: Option<NaiveDate>) -> AppResult<()> {
    crate::validate::check_date(start_field, start)?;
    crate::validate::check_optional_date(end_field, end)?;
    if end.is_some_and(|e| e <= start) {
        return Err(AppError::bad_input(end_field, format!("`{end_field}` must be after `{start_field}`")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaces_argument_checks_the_row_in_office() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert!(Expected::Unchecked.check(Some(a), "x").is_ok());
        assert!(Expected::Unchecked.check(None::<Uuid>, "x").is_ok());
        assert!(Expected::Nothing.check(None::<Uuid>, "x").is_ok());
        assert!(matches!(Expected::Nothing.check(Some(a), "x"), Err(AppError::Stale(_))));
        assert!(Expected::This(a).check(Some(a), "x").is_ok());
        assert!(matches!(Expected::This(a).check(Some(b), "x"), Err(AppError::Stale(_))));
        assert!(matches!(Expected::This(a).check(None, "x"), Err(AppError::Stale(_))));
    }

    #[test]
    fn amounts_are_whole_positive_fen_within_bounds() {
        assert_eq!(parse_fen("amountFen", "1").ok(), Some(1));
        assert_eq!(parse_fen("amountFen", " 150 ").ok(), Some(150));
        assert_eq!(parse_fen("amountFen", "1000000000000").ok(), Some(MAX_AMOUNT_FEN));
        for bad in [
            "0",
            "-1",
            "-0",
            "1.5",
            "1.0",
            "1e3",
            "1000000000001",
            "9223372036854775808",
            "99999999999999999999999",
            "",
            "abc",
            "+5",
            "0x10",
        ] {
            let refused = parse_fen("amountFen", bad);
            assert!(matches!(&refused, Err(AppError::BadInput { field: Some(f), .. }) if f == "amountFen"), "{bad}: {refused:?}");
        }
    }

    #[test]
    fn a_terms_end_comes_after_its_start() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap_or_default();
        assert!(check_term("start", day(1), "end", None).is_ok());
        assert!(check_term("start", day(1), "end", Some(day(2))).is_ok());
        assert!(matches!(check_term("start", day(2), "end", Some(day(2))), Err(AppError::BadInput { field: Some(f), .. }) if f == "end"));
    }
}

//! Who sees what of innovation-case selection (创新案例评选): one table, [`sight`], with a row for
//! every principal kind and no default, used by the service and the loaders alike.
//!
//! A street office runs the selection: its staff open a round, name the reviewers (people or
//! co-building units) and close it, which selects the best-ranked cases and publishes them,
//! read-only, to every community of the street. Until then a case is a draft of the street's
//! business: its staff, the round's reviewers and the side that submitted it see it.
//!
//! | principal | rounds, selected cases | every case, reviewer and score of a round | own side's cases | as a reviewer |
//! | --- | --- | --- | --- | --- |
//! | anonymous | no | no | no | no |
//! | city admin | its streets' | no | no | no |
//! | street admin | its street's | its street's rounds | - | no |
//! | community admin, community staff | their street's | no | their community's | no |
//! | unit | the streets it sits in | no | the cases it submitted | yes |
//! | member | their communities' streets | no | no | yes |
//! | reporter | its street's | no | no | no |
//! | system | no | no | no | no |
//!
//! A reviewer (a person signed in as a member, or a unit) sees the rounds it reviews with all
//! their cases, its own reviewer row and its own scores; the other reviewers' scores, and the
//! ranking, once the round is closed. Community staff never see scores: the ranking is the
//! street's and its reviewers'. A reviewer never scores a case from their own organisation or
//! community (checked in the service).

use entity::case_score;
use entity::innovation_case::{self, CaseStatus};
use entity::round_reviewer;
use entity::selection_round::{self, RoundStatus};
use sea_orm::sea_query::{Condition, Expr, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use uuid::Uuid;

use crate::auth::{Principal, Scope};

/// A reviewer as the caller's credential names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reviewer {
    /// A person, signed in as a member.
    Person(Uuid),
    /// A co-building unit, signed in with its credential; a credential bound to a street (an API
    /// key) reviews only that street's rounds.
    Unit(Uuid, Option<Uuid>),
}

/// One row of the table: what a principal sees of innovation-case selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sight {
    /// Rounds and selected cases of the streets in the scope.
    pub published: bool,
    /// The street whose rounds it runs: every case, reviewer and score of them.
    pub runs_street: Option<Uuid>,
    /// The cases of the communities it is staff of (the side that submitted them).
    pub community_cases: bool,
    /// The cases this unit submitted.
    pub own_unit: Option<Uuid>,
    /// Who it is as a reviewer of the rounds that name it.
    pub reviewer: Option<Reviewer>,
}

const NOTHING: Sight = Sight { published: false, runs_street: None, community_cases: false, own_unit: None, reviewer: None };
const PUBLIC: Sight = Sight { published: true, ..NOTHING };

/// What a principal sees of innovation-case selection.
pub fn sight(principal: &Principal) -> Sight {
    match principal {
        Principal::Anonymous => NOTHING,
        // The city reads the streets' published results.
        Principal::CityAdmin { .. } => PUBLIC,
        Principal::StreetAdmin { street_id } => Sight { runs_street: Some(*street_id), ..PUBLIC },
        // The community's staff submit for its party organisations and follow their cases.
        Principal::CommunityAdmin { .. } | Principal::CommunityStaff { .. } => Sight { community_cases: true, ..PUBLIC },
        // A unit submits its own cases and may be named a reviewer.
        Principal::Unit { unit_id, street_id } => {
            Sight { own_unit: Some(*unit_id), reviewer: Some(Reviewer::Unit(*unit_id, *street_id)), ..PUBLIC }
        }
        // A person may be named a reviewer.
        Principal::Member { person_id } => Sight { reviewer: Some(Reviewer::Person(*person_id)), ..PUBLIC },
        // Reporting tools read what is published.
        Principal::Reporter { .. } => PUBLIC,
        // Jobs query what they need explicitly.
        Principal::System => NOTHING,
    }
}

fn never() -> SimpleExpr {
    Expr::cust("1 = 0")
}

/// The caller's reviewer rows, as a subquery of `column` (`round_id` or `id`).
fn reviewer_rows(reviewer: Reviewer, column: round_reviewer::Column) -> SelectStatement {
    round_reviewer::Entity::find().select_only().column(column).filter(reviewer_is(reviewer)).into_query()
}

/// The reviewer rows of `reviewer`.
pub fn reviewer_is(reviewer: Reviewer) -> Condition {
    match reviewer {
        Reviewer::Person(p) => Condition::all().add(round_reviewer::Column::PersonId.eq(p)),
        Reviewer::Unit(u, None) => Condition::all().add(round_reviewer::Column::UnitId.eq(u)),
        Reviewer::Unit(u, Some(street)) => {
            Condition::all().add(round_reviewer::Column::UnitId.eq(u)).add(round_reviewer::Column::StreetId.eq(street))
        }
    }
}

/// The closed rounds, as a subquery of their ids.
fn closed_rounds() -> SelectStatement {
    selection_round::Entity::find()
        .select_only()
        .column(selection_round::Column::Id)
        .filter(selection_round::Column::Status.eq(RoundStatus::Closed))
        .into_query()
}

fn streets_in(scope: &Scope, column: impl ColumnTrait) -> SimpleExpr {
    let streets: Vec<Uuid> = scope.streets().collect();
    if streets.is_empty() { never() } else { column.is_in(streets) }
}

/// Rounds: those of the scope's streets (they are announcements), the street's own for its
/// staff, and the rounds a reviewer reviews.
pub fn rounds(scope: &Scope) -> Condition {
    let s = sight(scope.principal());
    let mut any = Condition::any().add(if s.published { streets_in(scope, selection_round::Column::StreetId) } else { never() });
    if let Some(street) = s.runs_street {
        any = any.add(selection_round::Column::StreetId.eq(street));
    }
    if let Some(r) = s.reviewer {
        any = any.add(selection_round::Column::Id.in_subquery(reviewer_rows(r, round_reviewer::Column::RoundId)));
    }
    any
}

/// Cases: selected ones of the scope's streets; every case of the street's rounds for its staff;
/// a community's own cases for its staff; a unit's own; every case of a round for its reviewers.
pub fn cases(scope: &Scope) -> Condition {
    let s = sight(scope.principal());
    let published = if s.published {
        Condition::all()
            .add(streets_in(scope, innovation_case::Column::StreetId))
            .add(innovation_case::Column::Status.eq(CaseStatus::Selected))
    } else {
        Condition::all().add(never())
    };
    let mut any = Condition::any().add(published);
    if let Some(street) = s.runs_street {
        any = any.add(innovation_case::Column::StreetId.eq(street));
    }
    if s.community_cases {
        any = any.add(scope.staff_filter(innovation_case::Column::CommunityId));
    }
    if let Some(u) = s.own_unit {
        any = any.add(innovation_case::Column::UnitId.eq(u));
    }
    if let Some(r) = s.reviewer {
        any = any.add(innovation_case::Column::RoundId.in_subquery(reviewer_rows(r, round_reviewer::Column::RoundId)));
    }
    any
}

/// The cases whose ranking (score totals, in order) the caller sees: every case of the street's
/// rounds for its staff, and of a closed round for its reviewers.
pub fn ranking(scope: &Scope) -> Condition {
    let s = sight(scope.principal());
    let mut any = Condition::any().add(never());
    if let Some(street) = s.runs_street {
        any = any.add(innovation_case::Column::StreetId.eq(street));
    }
    if let Some(r) = s.reviewer {
        any = any.add(
            Condition::all()
                .add(innovation_case::Column::RoundId.in_subquery(reviewer_rows(r, round_reviewer::Column::RoundId)))
                .add(innovation_case::Column::RoundId.in_subquery(closed_rounds())),
        );
    }
    any
}

/// Scores: every score of the street's rounds for its staff; a reviewer's own, and the other
/// reviewers' once the round is closed.
pub fn scores(scope: &Scope) -> Condition {
    let s = sight(scope.principal());
    let mut any = Condition::any().add(never());
    if let Some(street) = s.runs_street {
        any = any.add(case_score::Column::StreetId.eq(street));
    }
    if let Some(r) = s.reviewer {
        any = any.add(case_score::Column::ReviewerId.in_subquery(reviewer_rows(r, round_reviewer::Column::Id))).add(
            Condition::all()
                .add(case_score::Column::RoundId.in_subquery(reviewer_rows(r, round_reviewer::Column::RoundId)))
                .add(case_score::Column::RoundId.in_subquery(closed_rounds())),
        );
    }
    any
}

/// Reviewers: every reviewer of the street's rounds for its staff; a reviewer its own rows.
pub fn reviewers(scope: &Scope) -> Condition {
    let s = sight(scope.principal());
    let mut any = Condition::any().add(never());
    if let Some(street) = s.runs_street {
        any = any.add(round_reviewer::Column::StreetId.eq(street));
    }
    if let Some(r) = s.reviewer {
        any = any.add(reviewer_is(r));
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::DbBackend;

    fn sql<E: EntityTrait>(cond: Condition) -> String {
        E::find().filter(cond).build(DbBackend::Sqlite).to_string()
    }

    /// Every principal kind with its scope (seeing community `a` of street `street`) and its row.
    fn every_kind(a: Uuid, street: Uuid, me: Uuid, unit: Uuid) -> Vec<(Scope, Sight)> {
        let scope = |p: Principal, staff: bool| {
            let staff_of = if staff { vec![a] } else { Vec::new() };
            Scope::for_tests_in_street(p, &[a], &staff_of, street)
        };
        vec![
            (Scope::anonymous(), NOTHING),
            (scope(Principal::CityAdmin { city_id: Uuid::now_v7() }, false), PUBLIC),
            (scope(Principal::StreetAdmin { street_id: street }, true), Sight { runs_street: Some(street), ..PUBLIC }),
            (scope(Principal::CommunityAdmin { community_id: a }, true), Sight { community_cases: true, ..PUBLIC }),
            (scope(Principal::CommunityStaff { community_id: a }, true), Sight { community_cases: true, ..PUBLIC }),
            (
                scope(Principal::Unit { unit_id: unit, street_id: None }, false),
                Sight { own_unit: Some(unit), reviewer: Some(Reviewer::Unit(unit, None)), ..PUBLIC },
            ),
            (scope(Principal::Member { person_id: me }, false), Sight { reviewer: Some(Reviewer::Person(me)), ..PUBLIC }),
            (scope(Principal::Reporter { street_id: street, community_id: None }, false), PUBLIC),
            (scope(Principal::Reporter { street_id: street, community_id: Some(a) }, false), PUBLIC),
            (Scope::system([street], "system:test"), NOTHING),
        ]
    }

    fn ids() -> (Uuid, Uuid, Uuid, Uuid) {
        (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7())
    }

    #[test]
    fn each_principal_kind_has_its_row() {
        let (a, street, me, unit) = ids();
        for (scope, row) in every_kind(a, street, me, unit) {
            assert_eq!(sight(scope.principal()), row, "{:?}", scope.principal());
        }
    }

    #[test]
    fn rounds_and_selected_cases_are_published_in_the_scopes_streets() {
        let (a, street, me, unit) = ids();
        for (scope, row) in every_kind(a, street, me, unit) {
            let who = scope.principal().clone();
            let q = sql::<selection_round::Entity>(rounds(&scope));
            assert_eq!(q.contains(&street.to_string()), row.published || row.runs_street.is_some(), "{who:?}: {q}");
            let q = sql::<innovation_case::Entity>(cases(&scope));
            assert_eq!(q.contains("'SELECTED'"), row.published, "{who:?}: {q}");
            if !row.published && row.reviewer.is_none() && row.runs_street.is_none() {
                assert!(!q.contains(&street.to_string()) && q.contains("1 = 0"), "{who:?} sees nothing: {q}");
            }
        }
    }

    #[test]
    fn drafts_are_the_streets_the_submitters_and_the_reviewers() {
        let (a, street, me, unit) = ids();
        for (scope, row) in every_kind(a, street, me, unit) {
            let who = scope.principal().clone();
            let q = sql::<innovation_case::Entity>(cases(&scope));
            assert_eq!(q.contains(&format!("\"street_id\" = '{street}'")), row.runs_street.is_some(), "{who:?}: {q}");
            assert_eq!(q.contains(&format!("\"community_id\" IN ('{a}')")), row.community_cases, "{who:?}: {q}");
            assert_eq!(q.contains(&format!("\"unit_id\" = '{unit}'")), row.own_unit.is_some(), "{who:?}: {q}");
            assert_eq!(q.contains("round_reviewer"), row.reviewer.is_some(), "{who:?}: {q}");
        }
    }

    #[test]
    fn a_unit_credential_bound_to_a_street_reviews_only_that_streets_rounds() {
        let (a, street, _, unit) = ids();
        let bound = Scope::for_tests_in_street(Principal::Unit { unit_id: unit, street_id: Some(street) }, &[a], &[], street);
        assert_eq!(sight(bound.principal()).reviewer, Some(Reviewer::Unit(unit, Some(street))));
        for q in [
            sql::<selection_round::Entity>(rounds(&bound)),
            sql::<innovation_case::Entity>(cases(&bound)),
            sql::<case_score::Entity>(scores(&bound)),
            sql::<innovation_case::Entity>(ranking(&bound)),
        ] {
            assert!(q.contains(&format!("\"unit_id\" = '{unit}' AND \"round_reviewer\".\"street_id\" = '{street}'")), "{q}");
        }
        let q = sql::<round_reviewer::Entity>(reviewers(&bound));
        assert!(q.contains(&format!("\"unit_id\" = '{unit}' AND \"round_reviewer\".\"street_id\" = '{street}'")), "{q}");
    }

    #[test]
    fn scores_and_rankings_are_the_streets_and_after_closing_the_reviewers() {
        let (a, street, me, unit) = ids();
        for (scope, row) in every_kind(a, street, me, unit) {
            let who = scope.principal().clone();
            for q in [sql::<case_score::Entity>(scores(&scope)), sql::<innovation_case::Entity>(ranking(&scope))] {
                assert_eq!(q.contains(&format!("\"street_id\" = '{street}'")), row.runs_street.is_some(), "{who:?}: {q}");
                assert_eq!(q.contains("'CLOSED'"), row.reviewer.is_some(), "{who:?}: others' scores after closing only: {q}");
                assert!(!q.contains("'SELECTED'") && !q.contains(&a.to_string()), "{who:?}: no published or community rule: {q}");
            }
            let q = sql::<round_reviewer::Entity>(reviewers(&scope));
            assert_eq!(q.contains(&format!("\"street_id\" = '{street}'")), row.runs_street.is_some(), "{who:?}: {q}");
            assert_eq!(q.contains(&me.to_string()) || q.contains(&unit.to_string()), row.reviewer.is_some(), "{who:?}: {q}");
        }
    }
}

//! Who sees what of the volunteer service: one table, one row per principal kind, used by the
//! service, the matching and the loaders alike.
//!
//! | principal | published (demands, activities) | own rows | staff rows | statistics |
//! | --- | --- | --- | --- | --- |
//! | anonymous | no | no | no | no |
//! | city admin | no | no | no | yes |
//! | street admin, community admin, community staff | their communities | no | their communities | yes |
//! | unit | no | no | no | no |
//! | member | their communities | theirs | no | no |
//! | reporter | no | no | no | yes |
//! | system | no | no | no | no |
//!
//! "Own rows" and "staff rows" are the volunteers, check-ins and sign-ups: the person's own,
//! and those of the communities the caller is staff of. Invitations are staff rows only. Which
//! communities each principal has (and is staff of) is the scope's business (`auth::scope`).
//!
//! The `match` in [`sight`] names every principal kind, with no catch-all: a new kind does not
//! compile until this table decides what it sees.

use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Condition, Expr, SimpleExpr};
use uuid::Uuid;

use crate::auth::{Principal, Scope};
use entity::{check_in, sign_up, volunteer};

/// One row of the table: what a principal sees of the volunteer service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sight {
    /// The demands and activities published in the scope's communities.
    pub published: bool,
    /// The person whose own volunteer records, check-ins and sign-ups are visible.
    pub own: Option<Uuid>,
    /// The rows of the communities the caller is staff of (volunteers, check-ins, sign-ups,
    /// invitations).
    pub staff: bool,
    /// The statistics of the scope's communities.
    pub statistics: bool,
}

const NOTHING: Sight = Sight { published: false, own: None, staff: false, statistics: false };
const STAFF: Sight = Sight { published: true, own: None, staff: true, statistics: true };

/// What a principal sees of the volunteer service.
pub fn sight(principal: &Principal) -> Sight {
    match principal {
        Principal::Anonymous => NOTHING,
        // The city reads the streets' figures, not their people or daily work.
        Principal::CityAdmin { .. } => Sight { statistics: true, ..NOTHING },
        Principal::StreetAdmin { .. } | Principal::CommunityAdmin { .. } | Principal::CommunityStaff { .. } => STAFF,
        // Partner departments work on tasks, not on the volunteer service.
        Principal::Unit { .. } => NOTHING,
        Principal::Member { person_id } => Sight { published: true, own: Some(*person_id), ..NOTHING },
        // Reporting tools read aggregates, no personal data.
        Principal::Reporter { .. } => Sight { statistics: true, ..NOTHING },
        // Jobs query what they need explicitly.
        Principal::System => NOTHING,
    }
}

fn never() -> SimpleExpr {
    Expr::cust("1 = 0")
}

/// Demands and activities: published to the communities' members and staff; units and
/// reporters see none (reporters read statistics).
pub fn published_filter(scope: &Scope, community: impl ColumnTrait) -> Condition {
    let rule = if sight(scope.principal()).published { scope.tenant_filter(community) } else { never() };
    Condition::all().add(rule)
}

/// Rows of the caller's own person, or of communities the caller is staff of.
fn own_or_staff(scope: &Scope, community: impl ColumnTrait, person: impl ColumnTrait) -> Condition {
    let s = sight(scope.principal());
    let mut cond = Condition::any().add(if s.staff { scope.staff_filter(community) } else { never() });
    if let Some(p) = s.own {
        cond = cond.add(person.eq(p));
    }
    cond
}

/// Rows of the communities the caller is staff of only (invitations).
pub fn staff_filter(scope: &Scope, community: impl ColumnTrait) -> Condition {
    Condition::all().add(if sight(scope.principal()).staff { scope.staff_filter(community) } else { never() })
}

/// Volunteers: staff of their community, and the volunteers themselves.
pub fn volunteer_filter(scope: &Scope) -> Condition {
    own_or_staff(scope, volunteer::Column::CommunityId, volunteer::Column::PersonId)
}

/// Check-ins: staff of the community, and the person.
pub fn check_in_filter(scope: &Scope) -> Condition {
    own_or_staff(scope, check_in::Column::CommunityId, check_in::Column::PersonId)
}

/// Sign-ups: staff of the community, and the person.
pub fn sign_up_filter(scope: &Scope) -> Condition {
    own_or_staff(scope, sign_up::Column::CommunityId, sign_up::Column::PersonId)
}

/// Whether the caller reads the statistics (of the communities in its scope).
pub fn reads_statistics(scope: &Scope) -> bool {
    sight(scope.principal()).statistics
}

/// Whether the caller is offered volunteers for a demand of this community: its staff only.
pub fn suggests_volunteers(scope: &Scope, community_id: Uuid) -> bool {
    sight(scope.principal()).staff && scope.is_staff_of(community_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::{activity, demand, invitation};
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    /// A scope of `principal` seeing community `a` (staff of it when `staff`).
    fn scope(principal: Principal, a: Uuid, staff: bool) -> Scope {
        let staff_of = if staff { vec![a] } else { Vec::new() };
        Scope::for_tests(principal, &[a], &staff_of)
    }

    fn sql<E: EntityTrait>(cond: Condition) -> String {
        E::find().filter(cond).build(DbBackend::Sqlite).to_string()
    }

    /// Every principal kind with the scope it is built with, and the row the table gives it.
    fn every_kind() -> Vec<(Scope, Sight, Uuid, Uuid)> {
        let (a, me) = (Uuid::now_v7(), Uuid::now_v7());
        let (street, city, unit) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        vec![
            (Scope::anonymous(), NOTHING, a, me),
            (scope(Principal::CityAdmin { city_id: city }, a, false), Sight { statistics: true, ..NOTHING }, a, me),
            (scope(Principal::StreetAdmin { street_id: street }, a, true), STAFF, a, me),
            (scope(Principal::CommunityAdmin { community_id: a }, a, true), STAFF, a, me),
            (scope(Principal::CommunityStaff { community_id: a }, a, true), STAFF, a, me),
            (scope(Principal::Unit { unit_id: unit, street_id: None }, a, false), NOTHING, a, me),
            (scope(Principal::Member { person_id: me }, a, false), Sight { published: true, own: Some(me), ..NOTHING }, a, me),
            (scope(Principal::Reporter { street_id: street, community_id: None }, a, false), Sight { statistics: true, ..NOTHING }, a, me),
            (
                scope(Principal::Reporter { street_id: street, community_id: Some(a) }, a, false),
                Sight { statistics: true, ..NOTHING },
                a,
                me,
            ),
            (Scope::system([street], "system:test"), NOTHING, a, me),
        ]
    }

    #[test]
    fn each_principal_kind_has_its_row() {
        for (scope, row, ..) in every_kind() {
            assert_eq!(sight(scope.principal()), row, "{:?}", scope.principal());
            assert_eq!(reads_statistics(&scope), row.statistics, "{:?}", scope.principal());
        }
    }

    #[test]
    fn demands_and_activities_are_published_to_members_and_staff_only() {
        for (scope, row, a, _) in every_kind() {
            for q in [
                sql::<demand::Entity>(published_filter(&scope, demand::Column::CommunityId)),
                sql::<activity::Entity>(published_filter(&scope, activity::Column::CommunityId)),
            ] {
                assert_eq!(q.contains(&a.to_string()), row.published, "{:?}: {q}", scope.principal());
                assert_eq!(q.contains("1 = 0"), !row.published, "{:?}: {q}", scope.principal());
            }
        }
    }

    #[test]
    fn volunteers_check_ins_and_sign_ups_are_the_persons_own_or_their_staffs() {
        for (scope, row, a, me) in every_kind() {
            for q in [
                sql::<volunteer::Entity>(volunteer_filter(&scope)),
                sql::<check_in::Entity>(check_in_filter(&scope)),
                sql::<sign_up::Entity>(sign_up_filter(&scope)),
            ] {
                let who = scope.principal();
                assert_eq!(q.contains(&a.to_string()), row.staff, "{who:?}: {q}");
                assert_eq!(q.contains(&me.to_string()), row.own.is_some(), "{who:?}: {q}");
                assert_eq!(q.contains("1 = 0"), !row.staff, "{who:?}: {q}");
            }
        }
    }

    #[test]
    fn invitations_and_suggestions_are_for_staff_only() {
        for (scope, row, a, _) in every_kind() {
            let q = sql::<invitation::Entity>(staff_filter(&scope, invitation::Column::CommunityId));
            assert_eq!(q.contains(&a.to_string()), row.staff, "{:?}: {q}", scope.principal());
            assert_eq!(suggests_volunteers(&scope, a), row.staff, "{:?}", scope.principal());
            assert!(!suggests_volunteers(&scope, Uuid::now_v7()), "another community, {:?}", scope.principal());
        }
    }
}

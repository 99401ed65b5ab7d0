//! Who sees what of the organisation graph: one table, `rules`, with a row per principal kind
//! and no default, so that a new kind of principal does not compile until it is decided here.
//!
//! The structure (streets, communities, compounds, party organisations) is seen through the
//! scope's community sets (`Scope::tenant_filter`, `Scope::sees_street`), which are generic and
//! stay in `auth::scope`. What this noun decides per principal is below: the co-building units,
//! the seats on joint committees, the party members beyond the communities one is staff of, and
//! the people and communities behind rows one already sees. The service and the loaders read
//! through the conditions at the end of this file and nowhere else.

use entity::{co_building_unit, committee_membership, party_member};
use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Condition, Expr};
use uuid::Uuid;

use crate::auth::{Principal, Scope};

/// How far a principal reaches into one kind of row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Every row (within the visible communities, for rows that belong to one).
    All,
    /// Only the rows of this unit or person: the caller's own.
    Own(Uuid),
    /// None.
    Nothing,
}

/// What one principal sees of the organisation graph, beyond the scope's community sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rules {
    /// Co-building units (shared across streets: the same department serves several).
    units: Reach,
    /// Seats on joint committees, within the visible communities.
    seats: Reach,
    /// Party members of the visible communities one is not staff of (staff see their
    /// communities' members in full).
    members: Reach,
    /// The community or person behind a row the caller already sees (their own volunteering,
    /// a member they see): shown to anyone with a credential.
    behind_visible_rows: bool,
    /// The street the viewer stands for (`viewer.street`): the administered or reported one.
    street: Option<Uuid>,
    /// The community the viewer works for (`viewer.community`).
    community: Option<Uuid>,
}

/// The table: what each kind of principal sees.
fn rules(principal: &Principal) -> Rules {
    use Reach::{All, Nothing, Own};
    let none = Rules { units: Nothing, seats: Nothing, members: Nothing, behind_visible_rows: false, street: None, community: None };
    let staff = Rules { units: All, seats: All, members: Nothing, behind_visible_rows: true, ..none };
    match principal {
        Principal::Anonymous => none,
        Principal::CityAdmin { .. } => staff,
        Principal::StreetAdmin { street_id } => Rules { street: Some(*street_id), ..staff },
        Principal::CommunityAdmin { community_id } => Rules { community: Some(*community_id), ..staff },
        Principal::CommunityStaff { community_id } => Rules { community: Some(*community_id), ..staff },
        // A partner department sees itself and its own seats, never another unit's.
        Principal::Unit { unit_id, .. } => Rules { units: Own(*unit_id), seats: Own(*unit_id), ..staff },
        // A person sees their own registrations as a party member.
        Principal::Member { person_id } => Rules { members: Own(*person_id), ..staff },
        // A community key's reporter stands for its one community as well.
        Principal::Reporter { street_id, community_id } => Rules { street: Some(*street_id), community: *community_id, ..staff },
        // The server's jobs see nothing through the community sets; they query what they need.
        Principal::System => staff,
    }
}

fn never() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

/// Co-building units the scope sees.
pub fn units(scope: &Scope) -> Condition {
    match rules(scope.principal()).units {
        Reach::All => Condition::all(),
        Reach::Own(unit) => Condition::all().add(co_building_unit::Column::Id.eq(unit)),
        Reach::Nothing => never(),
    }
}

/// Seats on joint committees the scope sees. Reads and changes use it alike, so that a seat one
/// cannot see answers as one that does not exist.
pub fn seats(scope: &Scope) -> Condition {
    let reach = match rules(scope.principal()).seats {
        Reach::All => Condition::all(),
        Reach::Own(unit) => Condition::all().add(committee_membership::Column::UnitId.eq(unit)),
        Reach::Nothing => never(),
    };
    Condition::all().add(scope.tenant_filter(committee_membership::Column::CommunityId)).add(reach)
}

/// Party members the scope sees: staff their communities' members, and beyond those what the
/// table allows within the visible communities.
pub fn members(scope: &Scope) -> Condition {
    let staff = Condition::any().add(scope.staff_filter(party_member::Column::CommunityId));
    let visible = scope.tenant_filter(party_member::Column::CommunityId);
    match rules(scope.principal()).members {
        Reach::All => staff.add(visible),
        Reach::Own(person) => staff.add(Condition::all().add(party_member::Column::PersonId.eq(person)).add(visible)),
        Reach::Nothing => staff,
    }
}

/// The street the viewer stands for: a street admin's or a reporter's.
pub fn viewer_street(scope: &Scope) -> Option<Uuid> {
    rules(scope.principal()).street
}

/// The community the viewer works for: a community admin's or staff's.
pub fn viewer_community(scope: &Scope) -> Option<Uuid> {
    rules(scope.principal()).community
}

/// Whether the scope sees the communities and people behind rows it already sees.
pub fn sees_behind_visible_rows(scope: &Scope) -> bool {
    rules(scope.principal()).behind_visible_rows
}

/// What a principal reads of the organisation figures (`organisationStatistics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figures {
    /// Every figure of the communities in scope, party members included.
    Full,
    /// The structure only: organisations, seated units, compounds, buildings, households; no
    /// counts of people.
    Structure,
    /// None: the caller is refused.
    Refused,
}

/// The organisation figures a principal reads (the counts come from the scope's communities).
pub fn figures(scope: &Scope) -> Figures {
    match scope.principal() {
        Principal::Anonymous => Figures::Refused,
        // The city reads its streets' structure, not their people.
        Principal::CityAdmin { .. } => Figures::Structure,
        Principal::StreetAdmin { .. } | Principal::CommunityAdmin { .. } | Principal::CommunityStaff { .. } => Figures::Full,
        // Reporting tools read aggregates of the street.
        Principal::Reporter { .. } => Figures::Full,
        // Partner departments and residents work with the graph, they do not report on it.
        Principal::Unit { .. } | Principal::Member { .. } => Figures::Refused,
        // Jobs query what they need explicitly.
        Principal::System => Figures::Refused,
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    use super::*;

    fn id() -> Uuid {
        Uuid::now_v7()
    }

    /// One principal of every kind (the `match` keeps this list complete).
    fn every_principal() -> Vec<Principal> {
        let all = vec![
            Principal::Anonymous,
            Principal::CityAdmin { city_id: id() },
            Principal::StreetAdmin { street_id: id() },
            Principal::CommunityAdmin { community_id: id() },
            Principal::CommunityStaff { community_id: id() },
            Principal::Unit { unit_id: id(), street_id: None },
            Principal::Member { person_id: id() },
            Principal::Reporter { street_id: id(), community_id: None },
            Principal::Reporter { street_id: id(), community_id: Some(id()) },
            Principal::System,
        ];
        for p in &all {
            // Fails to compile when a kind is added, so that it is added to the list above.
            match p {
                Principal::Anonymous
                | Principal::CityAdmin { .. }
                | Principal::StreetAdmin { .. }
                | Principal::CommunityAdmin { .. }
                | Principal::CommunityStaff { .. }
                | Principal::Unit { .. }
                | Principal::Member { .. }
                | Principal::Reporter { .. }
                | Principal::System => {}
            }
        }
        all
    }

    #[test]
    fn anonymous_callers_see_nothing_of_the_graph() {
        let r = rules(&Principal::Anonymous);
        assert_eq!(
            r,
            Rules {
                units: Reach::Nothing,
                seats: Reach::Nothing,
                members: Reach::Nothing,
                behind_visible_rows: false,
                street: None,
                community: None
            }
        );
        let scope = Scope::anonymous();
        let sql = co_building_unit::Entity::find().filter(units(&scope)).build(DbBackend::Sqlite).to_string();
        assert!(sql.contains("1 = 0"), "{sql}");
        let sql = party_member::Entity::find().filter(members(&scope)).build(DbBackend::Sqlite).to_string();
        assert!(sql.contains("1 = 0"), "{sql}");
        assert!(!sees_behind_visible_rows(&scope));
    }

    #[test]
    fn a_unit_sees_only_itself_and_its_own_seats() {
        let unit = id();
        let r = rules(&Principal::Unit { unit_id: unit, street_id: Some(id()) });
        assert_eq!(r.units, Reach::Own(unit));
        assert_eq!(r.seats, Reach::Own(unit));
        assert_eq!(r.members, Reach::Nothing);
        assert!(r.behind_visible_rows);
    }

    #[test]
    fn a_member_sees_their_own_registrations_beyond_staff() {
        let person = id();
        let r = rules(&Principal::Member { person_id: person });
        assert_eq!(r.members, Reach::Own(person));
        assert_eq!(r.units, Reach::All);
        assert_eq!(r.seats, Reach::All);
        assert!(r.behind_visible_rows);
    }

    #[test]
    fn staff_admins_reporters_the_city_and_the_system_see_units_and_seats_but_members_only_as_staff() {
        for p in [
            Principal::CityAdmin { city_id: id() },
            Principal::StreetAdmin { street_id: id() },
            Principal::CommunityAdmin { community_id: id() },
            Principal::CommunityStaff { community_id: id() },
            Principal::Reporter { street_id: id(), community_id: None },
            Principal::Reporter { street_id: id(), community_id: Some(id()) },
            Principal::System,
        ] {
            let r = rules(&p);
            assert_eq!((r.units, r.seats, r.members, r.behind_visible_rows), (Reach::All, Reach::All, Reach::Nothing, true), "{p:?}");
        }
    }

    #[test]
    fn the_viewer_stands_for_the_street_or_community_of_its_credential() {
        let (street, community) = (id(), id());
        for p in every_principal() {
            let r = rules(&p);
            let expected = match p {
                Principal::StreetAdmin { street_id } => (Some(street_id), None),
                Principal::Reporter { street_id, community_id } => (Some(street_id), community_id),
                Principal::CommunityAdmin { community_id } | Principal::CommunityStaff { community_id } => (None, Some(community_id)),
                Principal::Anonymous
                | Principal::CityAdmin { .. }
                | Principal::Unit { .. }
                | Principal::Member { .. }
                | Principal::System => (None, None),
            };
            assert_eq!((r.street, r.community), expected, "{p:?}");
        }
        assert_eq!(rules(&Principal::StreetAdmin { street_id: street }).street, Some(street));
        assert_eq!(rules(&Principal::CommunityStaff { community_id: community }).community, Some(community));
        // A community key's reporter stands for its street and its one community.
        let r = rules(&Principal::Reporter { street_id: street, community_id: Some(community) });
        assert_eq!((r.street, r.community), (Some(street), Some(community)));
    }

    #[test]
    fn figures_are_for_staff_reporters_and_the_city_structure_only() {
        for p in every_principal() {
            let scope = Scope::for_tests(p.clone(), &[], &[]);
            let expected = match p {
                Principal::StreetAdmin { .. }
                | Principal::CommunityAdmin { .. }
                | Principal::CommunityStaff { .. }
                | Principal::Reporter { .. } => Figures::Full,
                Principal::CityAdmin { .. } => Figures::Structure,
                Principal::Anonymous | Principal::Unit { .. } | Principal::Member { .. } | Principal::System => Figures::Refused,
            };
            assert_eq!(figures(&scope), expected, "{p:?}");
        }
    }

    #[test]
    fn only_the_anonymous_caller_is_refused_what_lies_behind_visible_rows() {
        for p in every_principal() {
            assert_eq!(rules(&p).behind_visible_rows, p != Principal::Anonymous, "{p:?}");
        }
    }

    #[test]
    fn seats_and_members_never_reach_outside_the_visible_communities() {
        // The system scope has no community sets: whatever the table says, nothing shows.
        let scope = Scope::system([id()], "test");
        let sql = committee_membership::Entity::find().filter(seats(&scope)).build(DbBackend::Sqlite).to_string();
        assert!(sql.contains("1 = 0"), "{sql}");
        let sql = party_member::Entity::find().filter(members(&scope)).build(DbBackend::Sqlite).to_string();
        assert!(sql.contains("1 = 0"), "{sql}");
    }
}

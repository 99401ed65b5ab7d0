//! Who sees what of home co-building: one table, one row per principal kind, used by the service
//! and the loaders alike.
//!
//! | principal | structure | households | names | selections in progress | speaks for residents | residences |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | anonymous | no | no | no | no | no | no |
//! | city admin | its streets' communities | all | no | no | no | no |
//! | street admin, community admin, community staff | their communities | all | yes | their communities | their communities | their communities |
//! | unit | communities it sits in | all | no | no | no | no |
//! | member | their communities | buildings they lead | yes | their own, and those of compounds where they hold a role | as branch secretary or owners' committee member | their own |
//! | reporter | its street | all | no | no | no | no |
//! | system | no | no | no | no | no | no |
//!
//! "Structure" is a compound's home, its buildings and lanes (labels), its management mode, its
//! property manager (a company or group: no personal data), and its owners' committee's terms.
//! "Names" are the names of the owners' committee members and of the building leaders (with
//! their history): public inside the community, as a committee and its leaders are posted in the
//! compound, so members of the community see them; units, reporters and the city see no person at
//! all. Contacts (phone numbers) are masked unless the caller is staff of the community or the
//! person (`Scope::reveals_person`). "Selections in progress" are applications and nominations
//! not yet agreed by both sides, and declined ones.
//!
//! A person gains rights through the roles they hold ([`Roles`]): the secretary of a compound's
//! party branch and the members of its owners' committee in office speak for the residents in
//! the two-way selection of its building leaders and see its selections in progress; a building's
//! active leader sees its households count.
//!
//! "Member" is a person's token: a party member, a volunteer or a resident (one principal for a
//! person, whatever they are to the community). "Residences" are where people live (住址: the
//! compound, the building or lane, the door): a person sees their own, staff of the community see
//! its residents, and nobody else sees any, nor a door number. Living somewhere gives a person
//! rights of its own ([`ResidentRights`]): other nouns ask [`dwelling`] and [`resident_rights`]
//! where a person lives today (deliberation: for which compound a resident raises appeals, whose
//! board they read), and never show the door they get.
//!
//! The `match` in [`sight`] names every principal kind, with no catch-all: a new kind does not
//! compile until this table decides what it sees.

use std::collections::BTreeSet;

use entity::building_leader::{self, LeaderStatus, ResidentsSide};
use entity::residence;
use sea_orm::sea_query::{Condition, Expr, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::{Principal, Scope};
use crate::error::AppResult;

mod affairs;
pub use affairs::*;

/// How far a principal reaches into households counts and selections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every row of the visible communities (staff: of the communities they are staff of).
    All,
    /// Only the rows the caller's own roles open: buildings they lead, their own selections and
    /// those of compounds where they hold a role.
    Roles,
    /// None.
    Nothing,
}

/// One row of the table: what a principal sees of home co-building.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sight {
    /// Homes, buildings and lanes, management, committee terms of the visible communities.
    pub structure: bool,
    /// Households counts of buildings and lanes.
    pub households: Reach,
    /// Names of owners' committee members and building leaders, in the visible communities.
    pub names: bool,
    /// Selections in progress (and declined ones).
    pub selections: Reach,
    /// Residences (compound, building, door): `All` is the communities the caller is staff of,
    /// `Roles` the caller's own.
    pub residences: Reach,
}

const NOTHING: Sight =
    Sight { structure: false, households: Reach::Nothing, names: false, selections: Reach::Nothing, residences: Reach::Nothing };
const STRUCTURE: Sight = Sight { structure: true, households: Reach::All, ..NOTHING };
const STAFF: Sight = Sight { structure: true, households: Reach::All, names: true, selections: Reach::All, residences: Reach::All };
const PERSON: Sight = Sight { structure: true, households: Reach::Roles, names: true, selections: Reach::Roles, residences: Reach::Roles };

/// What a principal sees of home co-building.
pub fn sight(principal: &Principal) -> Sight {
    match principal {
        Principal::Anonymous => NOTHING,
        // The city sees its streets' structure, no people.
        Principal::CityAdmin { .. } => STRUCTURE,
        Principal::StreetAdmin { .. } | Principal::CommunityAdmin { .. } | Principal::CommunityStaff { .. } => STAFF,
        // Partner departments see the structure of the communities they sit in, no people.
        Principal::Unit { .. } => STRUCTURE,
        // Residents see names in their communities and their own residence; their roles open the rest.
        Principal::Member { .. } => PERSON,
        // Reporting tools read structure and counts, no personal data.
        Principal::Reporter { .. } => STRUCTURE,
        // Jobs query what they need explicitly.
        Principal::System => NOTHING,
    }
}

/// The roles a person holds in home co-building, read once per request (empty for every other
/// principal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles {
    /// (community, compound) of each compound whose party branch the person is secretary of.
    pub secretary_of: BTreeSet<(Uuid, Uuid)>,
    /// (community, compound) of each compound whose owners' committee in office the person sits on.
    pub committee_of: BTreeSet<(Uuid, Uuid)>,
    /// The buildings and lanes the person leads.
    pub leader_of: BTreeSet<Uuid>,
    /// The compound where the person lives today (their residence), if any.
    pub lives_in: Option<Uuid>,
}

impl Roles {
    /// The compounds where the person speaks for the residents.
    fn compounds(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.secretary_of.iter().chain(self.committee_of.iter()).map(|(_, compound)| *compound)
    }
}

fn never() -> SimpleExpr {
    Expr::cust("1 = 0")
}

/// Structure rows (homes, buildings, committee terms, property managers) of the visible communities.
pub fn structure_filter(scope: &Scope, community: impl ColumnTrait) -> Condition {
    Condition::all().add(if sight(scope.principal()).structure { scope.tenant_filter(community) } else { never() })
}

/// Whether names (owners' committee members, building leaders) of this community are shown.
pub fn shows_names(scope: &Scope, community_id: Uuid) -> bool {
    sight(scope.principal()).names && scope.sees_community(community_id)
}

/// Owners' committee members: shown with names inside the community.
pub fn names_filter(scope: &Scope, community: impl ColumnTrait) -> Condition {
    Condition::all().add(if sight(scope.principal()).names { scope.tenant_filter(community) } else { never() })
}

/// The households count of a building, or none when the caller may not see it.
pub fn households(scope: &Scope, roles: &Roles, community_id: Uuid, building_id: Uuid, households: i32) -> Option<i32> {
    if !scope.sees_community(community_id) {
        return None;
    }
    match sight(scope.principal()).households {
        Reach::All => Some(households),
        Reach::Roles => roles.leader_of.contains(&building_id).then_some(households),
        Reach::Nothing => None,
    }
}

/// Building leaders' rows: appointments and their history (active and ended) wherever names are
/// shown; selections in progress and declined ones to staff of the community, to the person, and
/// to those who speak for the residents of that compound.
pub fn leader_filter(scope: &Scope, roles: &Roles) -> Condition {
    let s = sight(scope.principal());
    let appointed = Condition::all()
        .add(if s.names { scope.tenant_filter(building_leader::Column::CommunityId) } else { never() })
        .add(building_leader::Column::Status.is_in([LeaderStatus::Active, LeaderStatus::Ended]));
    let in_progress = match s.selections {
        Reach::All => Condition::all().add(scope.staff_filter(building_leader::Column::CommunityId)),
        Reach::Roles => {
            let mine = Condition::any()
                .add(scope.person_id().map_or_else(never, |p| building_leader::Column::PersonId.eq(p)))
                .add(building_leader::Column::CompoundId.is_in(roles.compounds().collect::<Vec<_>>()));
            Condition::all().add(scope.tenant_filter(building_leader::Column::CommunityId)).add(mine)
        }
        Reach::Nothing => Condition::all().add(never()),
    };
    Condition::any().add(appointed).add(in_progress)
}

/// Who the caller speaks for the residents of a compound as, in the two-way selection of its
/// building leaders: community staff for them, the compound branch's secretary, or a member of
/// its owners' committee in office. None for everyone else.
pub fn residents_side(scope: &Scope, roles: &Roles, community_id: Uuid, compound_id: Uuid) -> Option<ResidentsSide> {
    if !scope.sees_community(community_id) {
        return None;
    }
    match scope.principal() {
        Principal::StreetAdmin { .. } | Principal::CommunityAdmin { .. } | Principal::CommunityStaff { .. } => {
            scope.is_staff_of(community_id).then_some(ResidentsSide::CommunityStaff)
        }
        Principal::Member { .. } => {
            if roles.secretary_of.contains(&(community_id, compound_id)) {
                Some(ResidentsSide::BranchSecretary)
            } else if roles.committee_of.contains(&(community_id, compound_id)) {
                Some(ResidentsSide::OwnersCommittee)
            } else {
                None
            }
        }
        Principal::Anonymous | Principal::CityAdmin { .. } | Principal::Unit { .. } | Principal::Reporter { .. } | Principal::System => {
            None
        }
    }
}

/// Residences the caller sees: of the communities they are staff of, or their own.
pub fn residence_filter(scope: &Scope) -> Condition {
    match sight(scope.principal()).residences {
        Reach::All => Condition::all().add(scope.staff_filter(residence::Column::CommunityId)),
        Reach::Roles => Condition::all().add(scope.person_id().map_or_else(never, |p| residence::Column::PersonId.eq(p))),
        Reach::Nothing => Condition::all().add(never()),
    }
}

/// Where a person lives today: what other nouns ask of home. The door is personal data: shown to
/// nobody but the person and staff of the community.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dwelling {
    pub community_id: Uuid,
    pub compound_id: Uuid,
    /// The building or lane, when known.
    pub building_id: Option<Uuid>,
    /// The door (门牌), when known.
    pub door: Option<String>,
}

impl From<residence::Model> for Dwelling {
    fn from(r: residence::Model) -> Self {
        Dwelling { community_id: r.community_id, compound_id: r.compound_id, building_id: r.building_id, door: r.door }
    }
}

/// The compound (with its community, building and door) where `person` lives today, if any: one
/// at a time, held by a unique partial index. Asked by other nouns on behalf of a caller they
/// have already checked; it filters nothing by scope.
pub async fn dwelling(db: &impl ConnectionTrait, person: Uuid) -> AppResult<Option<Dwelling>> {
    Ok(residence::Entity::find()
        .filter(residence::Column::PersonId.eq(person))
        .filter(residence::Column::Until.is_null())
        .one(db)
        .await?
        .map(Dwelling::from))
}

/// The rights living somewhere gives the caller, like [`Roles`]: a resident raises matters of
/// their own compound and reads the boards of their compound and community. Empty for everyone
/// but a person with a current residence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResidentRights {
    /// Where the caller lives today.
    pub home: Option<Dwelling>,
}

impl ResidentRights {
    /// Whether the caller lives in this compound today.
    pub fn lives_in_compound(&self, compound_id: Uuid) -> bool {
        self.home.as_ref().is_some_and(|d| d.compound_id == compound_id)
    }

    /// Whether the caller lives in this community today.
    pub fn lives_in_community(&self, community_id: Uuid) -> bool {
        self.home.as_ref().is_some_and(|d| d.community_id == community_id)
    }
}

/// The caller's resident rights: read for a person (one statement), none for every other
/// principal.
pub async fn resident_rights(db: &impl ConnectionTrait, scope: &Scope) -> AppResult<ResidentRights> {
    match scope.principal() {
        Principal::Member { person_id } => Ok(ResidentRights { home: dwelling(db, *person_id).await? }),
        Principal::Anonymous
        | Principal::CityAdmin { .. }
        | Principal::StreetAdmin { .. }
        | Principal::CommunityAdmin { .. }
        | Principal::CommunityStaff { .. }
        | Principal::Unit { .. }
        | Principal::Reporter { .. }
        | Principal::System => Ok(ResidentRights::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::{building, owners_committee_member};
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    fn scope(principal: Principal, a: Uuid, staff: bool) -> Scope {
        let staff_of = if staff { vec![a] } else { Vec::new() };
        Scope::for_tests(principal, &[a], &staff_of)
    }

    fn sql<E: EntityTrait>(cond: Condition) -> String {
        E::find().filter(cond).build(DbBackend::Sqlite).to_string()
    }

    /// Every principal kind with the scope it is built with, and the row the table gives it.
    fn every_kind(a: Uuid, me: Uuid) -> Vec<(Scope, Sight)> {
        let (street, city, unit) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        vec![
            (Scope::anonymous(), NOTHING),
            (scope(Principal::CityAdmin { city_id: city }, a, false), STRUCTURE),
            (scope(Principal::StreetAdmin { street_id: street }, a, true), STAFF),
            (scope(Principal::CommunityAdmin { community_id: a }, a, true), STAFF),
            (scope(Principal::CommunityStaff { community_id: a }, a, true), STAFF),
            (scope(Principal::Unit { unit_id: unit, street_id: None }, a, false), STRUCTURE),
            (scope(Principal::Member { person_id: me }, a, false), PERSON),
            (scope(Principal::Reporter { street_id: street, community_id: None }, a, false), STRUCTURE),
            (scope(Principal::Reporter { street_id: street, community_id: Some(a) }, a, false), STRUCTURE),
            (Scope::system([street], "system:test"), NOTHING),
        ]
    }

    #[test]
    fn each_principal_kind_has_its_row() {
        let (a, me) = (Uuid::now_v7(), Uuid::now_v7());
        for (scope, row) in every_kind(a, me) {
            assert_eq!(sight(scope.principal()), row, "{:?}", scope.principal());
        }
    }

    #[test]
    fn structure_is_seen_in_the_visible_communities_by_everyone_with_a_scope() {
        let (a, me) = (Uuid::now_v7(), Uuid::now_v7());
        for (scope, row) in every_kind(a, me) {
            let q = sql::<building::Entity>(structure_filter(&scope, building::Column::CommunityId));
            assert_eq!(q.contains(&a.to_string()), row.structure, "{:?}: {q}", scope.principal());
            assert_eq!(q.contains("1 = 0"), !row.structure, "{:?}: {q}", scope.principal());
        }
    }

    #[test]
    fn names_are_for_the_community_and_never_for_units_reporters_or_the_city() {
        let (a, me) = (Uuid::now_v7(), Uuid::now_v7());
        for (scope, row) in every_kind(a, me) {
            let q = sql::<owners_committee_member::Entity>(names_filter(&scope, owners_committee_member::Column::CommunityId));
            assert_eq!(q.contains(&a.to_string()), row.names, "{:?}: {q}", scope.principal());
            assert_eq!(shows_names(&scope, a), row.names, "{:?}", scope.principal());
            assert!(!shows_names(&scope, Uuid::now_v7()), "another community, {:?}", scope.principal());
        }
    }

    #[test]
    fn households_are_for_structure_readers_and_a_members_own_buildings() {
        let (a, me, led, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let roles = Roles { leader_of: [led].into(), ..Roles::default() };
        for (scope, row) in every_kind(a, me) {
            let (own, others) = (households(&scope, &roles, a, led, 42), households(&scope, &roles, a, other, 42));
            let expected = match row.households {
                Reach::All => (Some(42), Some(42)),
                Reach::Roles => (Some(42), None),
                Reach::Nothing => (None, None),
            };
            assert_eq!((own, others), expected, "{:?}", scope.principal());
            assert_eq!(households(&scope, &roles, Uuid::now_v7(), led, 42), None, "another community, {:?}", scope.principal());
        }
    }

    #[test]
    fn selections_in_progress_are_for_staff_the_person_and_role_holders() {
        let (a, me, compound) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let roles = Roles { committee_of: [(a, compound)].into(), ..Roles::default() };
        for (scope, row) in every_kind(a, me) {
            let q = sql::<building_leader::Entity>(leader_filter(&scope, &roles));
            let who = scope.principal();
            assert_eq!(q.contains(&a.to_string()), row.names || row.selections != Reach::Nothing, "{who:?}: {q}");
            assert_eq!(q.contains(&me.to_string()), row.selections == Reach::Roles, "{who:?}: {q}");
            assert_eq!(q.contains(&compound.to_string()), row.selections == Reach::Roles, "{who:?}: {q}");
        }
    }

    #[test]
    fn staff_secretaries_and_committee_members_speak_for_the_residents() {
        let (a, me, compound) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let secretary = Roles { secretary_of: [(a, compound)].into(), ..Roles::default() };
        let committee = Roles { committee_of: [(a, compound)].into(), ..Roles::default() };
        let leader = Roles { leader_of: [Uuid::now_v7()].into(), ..Roles::default() };
        for (scope, row) in every_kind(a, me) {
            let who = scope.principal();
            let staff = row.selections == Reach::All;
            let member = row.selections == Reach::Roles;
            let side = |roles: &Roles| residents_side(&scope, roles, a, compound);
            assert_eq!(side(&Roles::default()), staff.then_some(ResidentsSide::CommunityStaff), "{who:?}");
            let expected = if staff { Some(ResidentsSide::CommunityStaff) } else { member.then_some(ResidentsSide::BranchSecretary) };
            assert_eq!(side(&secretary), expected, "{who:?}");
            let expected = if staff { Some(ResidentsSide::CommunityStaff) } else { member.then_some(ResidentsSide::OwnersCommittee) };
            assert_eq!(side(&committee), expected, "{who:?}");
            // Leading a building is no right to choose leaders.
            assert_eq!(side(&leader), staff.then_some(ResidentsSide::CommunityStaff), "{who:?}");
            assert_eq!(residents_side(&scope, &secretary, Uuid::now_v7(), compound), None, "another community, {who:?}");
        }
    }
    #[test]
    fn residences_are_for_staff_of_the_community_and_the_person() {
        let (a, me) = (Uuid::now_v7(), Uuid::now_v7());
        for (scope, row) in every_kind(a, me) {
            let q = sql::<residence::Entity>(residence_filter(&scope));
            let who = scope.principal();
            assert_eq!(q.contains(&a.to_string()), row.residences == Reach::All, "{who:?}: {q}");
            assert_eq!(q.contains(&me.to_string()), row.residences == Reach::Roles, "{who:?}: {q}");
            assert_eq!(q.contains("1 = 0"), row.residences == Reach::Nothing, "{who:?}: {q}");
        }
        let home = Dwelling { community_id: a, compound_id: me, building_id: None, door: None };
        let rights = ResidentRights { home: Some(home) };
        assert!(rights.lives_in_compound(me) && rights.lives_in_community(a));
        assert!(!rights.lives_in_compound(a) && !ResidentRights::default().lives_in_community(a));
    }
}

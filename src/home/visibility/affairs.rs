//! Who sees and who runs a compound's affairs: its renovation projects (微改造), its shared-income
//! ledger (公共收益) and its property-fee arrears cases (物业费催缴). One table, one row per
//! principal kind, used by the service and the loaders alike.
//!
//! | principal | projects | ledger entries | ledger totals | arrears cases | figures |
//! | --- | --- | --- | --- | --- | --- |
//! | street admin, community admin, community staff | their communities | their communities | their communities | their communities | their communities |
//! | unit | those it brokers, where it sits | no | no | no | no |
//! | member | compounds whose owners' committee in office they sit on, and where they live | committee compounds | committee compounds, and where they live | committee compounds, and the buildings they lead | no |
//! | reporter | no | no | no | no | its street or community |
//! | anonymous, city admin, system | no | no | no | no | no |
//!
//! "Figures" are the counts and sums of `homeStatistics` per compound ([`reads_figures`]): how
//! many projects, how much income, how many arrears cases, never a row, a person or a door. A
//! reporting tool reads them as it reads every platform's figures; the rows stay closed to it.
//!
//! "Where they live" is the person's residence today ([`Roles::lives_in`]): a resident reads their
//! compound's projects and the totals of its shared income, never its entries, and never an
//! arrears case, not even of their own building.
//!
//! Who acts ([`acting`]): staff of the community (street staff are staff of every community of
//! their street); a member of the compound's owners' committee in office; the active leader of
//! the building a case is about; the unit that brokers a project. Each service says which of
//! them may do what.
//!
//! The `match`es in [`affairs_sight`] and [`acting`] name every principal kind, with no catch-all.

use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Condition, Expr, SimpleExpr};
use uuid::Uuid;

use super::Roles;
use crate::auth::{Principal, Scope};

/// How far a principal reaches into one kind of a compound's affairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AffairsReach {
    /// Every row of the communities the caller is staff of.
    Staff,
    /// The rows of compounds (and buildings) where the caller holds a role.
    Roles,
    /// The projects this unit brokers, in the communities it sits in.
    Broker(Uuid),
    /// None.
    Nothing,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AffairsSight {
    pub projects: AffairsReach,
    pub ledger_entries: AffairsReach,
    pub ledger_totals: AffairsReach,
    pub arrears: AffairsReach,
}

const NO_AFFAIRS: AffairsSight = AffairsSight {
    projects: AffairsReach::Nothing,
    ledger_entries: AffairsReach::Nothing,
    ledger_totals: AffairsReach::Nothing,
    arrears: AffairsReach::Nothing,
};
const STAFF_AFFAIRS: AffairsSight = AffairsSight {
    projects: AffairsReach::Staff,
    ledger_entries: AffairsReach::Staff,
    ledger_totals: AffairsReach::Staff,
    arrears: AffairsReach::Staff,
};
const ROLE_AFFAIRS: AffairsSight = AffairsSight {
    projects: AffairsReach::Roles,
    ledger_entries: AffairsReach::Roles,
    ledger_totals: AffairsReach::Roles,
    arrears: AffairsReach::Roles,
};

/// What a principal sees of a compound's affairs.
pub fn affairs_sight(principal: &Principal) -> AffairsSight {
    match principal {
        Principal::StreetAdmin { .. } | Principal::CommunityAdmin { .. } | Principal::CommunityStaff { .. } => STAFF_AFFAIRS,
        // A unit reads the projects it brokers; the owners' money and arrears are not its business.
        Principal::Unit { unit_id, .. } => AffairsSight { projects: AffairsReach::Broker(*unit_id), ..NO_AFFAIRS },
        // A person sees what their roles in a compound open.
        Principal::Member { .. } => ROLE_AFFAIRS,
        // The city and reporting tools see no compound's affairs; anonymous callers and jobs none.
        Principal::Anonymous | Principal::CityAdmin { .. } | Principal::Reporter { .. } | Principal::System => NO_AFFAIRS,
    }
}

fn never() -> SimpleExpr {
    Expr::cust("1 = 0")
}

/// The compounds whose owners' committee in office the person sits on.
fn committee_compounds(roles: &Roles) -> Vec<Uuid> {
    roles.committee_of.iter().map(|(_, compound)| *compound).collect()
}

/// The columns of one kind of a compound's affairs, and who besides the committee its roles let
/// in: a building's leader (arrears), the compound's residents (projects, ledger totals), the
/// brokering unit (projects).
struct Rows<C> {
    community: C,
    compound: C,
    building: Option<C>,
    residents: bool,
    broker: Option<C>,
}

/// Rows of a compound's affairs the reach opens.
fn reach_filter<C: ColumnTrait>(scope: &Scope, roles: &Roles, reach: AffairsReach, rows: Rows<C>) -> Condition {
    let cond = Condition::all();
    match reach {
        AffairsReach::Staff => cond.add(scope.staff_filter(rows.community)),
        AffairsReach::Roles => {
            let mut mine = Condition::any().add(rows.compound.is_in(committee_compounds(roles)));
            if let Some(building) = rows.building {
                mine = mine.add(building.is_in(roles.leader_of.iter().copied()));
            }
            if let (true, Some(home)) = (rows.residents, roles.lives_in) {
                mine = mine.add(rows.compound.eq(home));
            }
            cond.add(scope.tenant_filter(rows.community)).add(mine)
        }
        AffairsReach::Broker(unit) => match rows.broker {
            Some(broker) => cond.add(scope.tenant_filter(rows.community)).add(broker.eq(unit)),
            None => cond.add(never()),
        },
        AffairsReach::Nothing => cond.add(never()),
    }
}

/// Renovation projects the caller sees.
pub fn project_filter(scope: &Scope, roles: &Roles) -> Condition {
    use entity::project::Column;
    let reach = affairs_sight(scope.principal()).projects;
    let rows = Rows {
        community: Column::CommunityId,
        compound: Column::CompoundId,
        building: None,
        residents: true,
        broker: Some(Column::BrokerUnitId),
    };
    reach_filter(scope, roles, reach, rows)
}

/// Entries of shared-income ledgers the caller sees: staff's and the owners' committee's.
pub fn ledger_entry_filter(scope: &Scope, roles: &Roles) -> Condition {
    use entity::ledger_entry::Column;
    let reach = affairs_sight(scope.principal()).ledger_entries;
    reach_filter(
        scope,
        roles,
        reach,
        Rows { community: Column::CommunityId, compound: Column::CompoundId, building: None, residents: false, broker: None },
    )
}

/// Entries of shared-income ledgers that count in the totals the caller sees: staff's, the
/// owners' committee's and the compound's residents'.
pub fn ledger_totals_filter(scope: &Scope, roles: &Roles) -> Condition {
    use entity::ledger_entry::Column;
    let reach = affairs_sight(scope.principal()).ledger_totals;
    reach_filter(
        scope,
        roles,
        reach,
        Rows { community: Column::CommunityId, compound: Column::CompoundId, building: None, residents: true, broker: None },
    )
}

/// Property-fee arrears cases the caller sees: staff's, the owners' committee's in office, and
/// those of the buildings the caller leads. Never a resident's, not even of their own building.
pub fn arrears_filter(scope: &Scope, roles: &Roles) -> Condition {
    use entity::arrears_case::Column;
    let reach = affairs_sight(scope.principal()).arrears;
    reach_filter(
        scope,
        roles,
        reach,
        Rows {
            community: Column::CommunityId,
            compound: Column::CompoundId,
            building: Some(Column::BuildingId),
            residents: false,
            broker: None,
        },
    )
}

/// Contact attempts on arrears cases the caller sees: those of the cases of [`arrears_filter`]
/// (each carries its case's compound and building).
pub fn arrears_contact_filter(scope: &Scope, roles: &Roles) -> Condition {
    use entity::arrears_contact::Column;
    let reach = affairs_sight(scope.principal()).arrears;
    reach_filter(
        scope,
        roles,
        reach,
        Rows {
            community: Column::CommunityId,
            compound: Column::CompoundId,
            building: Some(Column::BuildingId),
            residents: false,
            broker: None,
        },
    )
}

/// Who the caller acts as on a compound's affairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acting {
    /// Staff of the community (or of its street).
    Staff,
    /// A member of the compound's owners' committee in office.
    OwnersCommittee,
    /// The active leader of the building in question.
    BuildingLeader,
    /// The co-building unit that brokers the project in question.
    Broker,
}

/// Whether the caller reads home co-building's figures (see the table): staff of the street and
/// the communities, and reporting tools, over the communities they see.
pub fn reads_figures(principal: &Principal) -> bool {
    match principal {
        Principal::StreetAdmin { .. }
        | Principal::CommunityAdmin { .. }
        | Principal::CommunityStaff { .. }
        | Principal::Reporter { .. } => true,
        Principal::Anonymous | Principal::CityAdmin { .. } | Principal::Unit { .. } | Principal::Member { .. } | Principal::System => false,
    }
}

/// Who the caller acts as on the affairs of `compound` (of `community`): about `building` (a
/// building's leader acts only on its own), or the project `broker` brokers. None when the caller
/// holds no such role there.
pub fn acting(
    scope: &Scope,
    roles: &Roles,
    community: Uuid,
    compound: Uuid,
    building: Option<Uuid>,
    broker: Option<Uuid>,
) -> Option<Acting> {
    if !scope.sees_community(community) {
        return None;
    }
    match scope.principal() {
        Principal::StreetAdmin { .. } | Principal::CommunityAdmin { .. } | Principal::CommunityStaff { .. } => {
            scope.is_staff_of(community).then_some(Acting::Staff)
        }
        Principal::Member { .. } => {
            if roles.committee_of.contains(&(community, compound)) {
                Some(Acting::OwnersCommittee)
            } else if building.is_some_and(|b| roles.leader_of.contains(&b)) {
                Some(Acting::BuildingLeader)
            } else {
                None
            }
        }
        Principal::Unit { unit_id, .. } => (broker == Some(*unit_id)).then_some(Acting::Broker),
        Principal::Anonymous | Principal::CityAdmin { .. } | Principal::Reporter { .. } | Principal::System => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    fn scope(principal: Principal, a: Uuid, staff: bool) -> Scope {
        let staff_of = if staff { vec![a] } else { Vec::new() };
        Scope::for_tests(principal, &[a], &staff_of)
    }

    /// Every principal kind with its scope.
    fn every_kind(a: Uuid, me: Uuid, unit: Uuid) -> Vec<Scope> {
        let (street, city) = (Uuid::now_v7(), Uuid::now_v7());
        vec![
            Scope::anonymous(),
            scope(Principal::CityAdmin { city_id: city }, a, false),
            scope(Principal::StreetAdmin { street_id: street }, a, true),
            scope(Principal::CommunityAdmin { community_id: a }, a, true),
            scope(Principal::CommunityStaff { community_id: a }, a, true),
            scope(Principal::Unit { unit_id: unit, street_id: None }, a, false),
            scope(Principal::Member { person_id: me }, a, false),
            scope(Principal::Reporter { street_id: street, community_id: None }, a, false),
            scope(Principal::Reporter { street_id: street, community_id: Some(a) }, a, false),
            Scope::system([street], "system:test"),
        ]
    }

    #[test]
    fn projects_are_for_staff_the_committee_residents_and_the_broker() {
        let (a, me, unit, compound, home) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let roles = Roles { committee_of: [(a, compound)].into(), lives_in: Some(home), ..Roles::default() };
        for s in every_kind(a, me, unit) {
            let q = entity::project::Entity::find().filter(project_filter(&s, &roles)).build(DbBackend::Sqlite).to_string();
            let who = s.principal();
            let expected = match who {
                Principal::StreetAdmin { .. } | Principal::CommunityAdmin { .. } | Principal::CommunityStaff { .. } => "staff",
                Principal::Unit { .. } => "broker",
                Principal::Member { .. } => "roles",
                _ => "nothing",
            };
            assert_eq!(q.contains(&a.to_string()), expected != "nothing", "{who:?}: {q}");
            assert_eq!(q.contains(&unit.to_string()), expected == "broker", "{who:?}: {q}");
            assert_eq!(q.contains(&compound.to_string()), expected == "roles", "{who:?}: {q}");
            assert_eq!(q.contains(&home.to_string()), expected == "roles", "{who:?}: where they live, {q}");
            assert_eq!(q.contains("1 = 0"), expected == "nothing", "{who:?}: {q}");
        }
    }

    #[test]
    fn ledger_entries_are_for_staff_and_the_committee_and_totals_also_for_residents() {
        let (a, me, unit, compound, home) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let roles = Roles { committee_of: [(a, compound)].into(), lives_in: Some(home), ..Roles::default() };
        for s in every_kind(a, me, unit) {
            let who = s.principal();
            let entries = entity::ledger_entry::Entity::find().filter(ledger_entry_filter(&s, &roles)).build(DbBackend::Sqlite).to_string();
            let totals = entity::ledger_entry::Entity::find().filter(ledger_totals_filter(&s, &roles)).build(DbBackend::Sqlite).to_string();
            let staff = matches!(who, Principal::StreetAdmin { .. } | Principal::CommunityAdmin { .. } | Principal::CommunityStaff { .. });
            let member = matches!(who, Principal::Member { .. });
            for q in [&entries, &totals] {
                assert_eq!(q.contains(&a.to_string()), staff || member, "{who:?}: {q}");
                assert_eq!(q.contains(&compound.to_string()), member, "{who:?}: {q}");
                assert!(!q.contains(&unit.to_string()), "{who:?}: {q}");
            }
            assert!(!entries.contains(&home.to_string()), "{who:?}: residents see no entries: {entries}");
            assert_eq!(totals.contains(&home.to_string()), member, "{who:?}: residents see totals: {totals}");
        }
    }

    #[test]
    fn arrears_are_for_staff_the_committee_and_the_buildings_leader_never_residents() {
        let (a, me, unit, compound, home, led) =
            (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let roles = Roles { committee_of: [(a, compound)].into(), leader_of: [led].into(), lives_in: Some(home), ..Roles::default() };
        for s in every_kind(a, me, unit) {
            let who = s.principal();
            let cases = entity::arrears_case::Entity::find().filter(arrears_filter(&s, &roles)).build(DbBackend::Sqlite).to_string();
            let contacts =
                entity::arrears_contact::Entity::find().filter(arrears_contact_filter(&s, &roles)).build(DbBackend::Sqlite).to_string();
            let staff = matches!(who, Principal::StreetAdmin { .. } | Principal::CommunityAdmin { .. } | Principal::CommunityStaff { .. });
            let member = matches!(who, Principal::Member { .. });
            for q in [&cases, &contacts] {
                assert_eq!(q.contains(&a.to_string()), staff || member, "{who:?}: {q}");
                assert_eq!(q.contains(&compound.to_string()), member, "{who:?}: the committee, {q}");
                assert_eq!(q.contains(&led.to_string()), member, "{who:?}: the building's leader, {q}");
                assert!(!q.contains(&home.to_string()), "{who:?}: residents see no arrears: {q}");
                assert!(!q.contains(&unit.to_string()), "{who:?}: {q}");
                assert_eq!(q.contains("1 = 0"), !(staff || member), "{who:?}: {q}");
            }
        }
    }

    #[test]
    fn staff_the_committee_leaders_and_the_broker_act_each_on_their_own() {
        let (a, me, unit, compound, led) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let committee = Roles { committee_of: [(a, compound)].into(), ..Roles::default() };
        let leader = Roles { leader_of: [led].into(), ..Roles::default() };
        for s in every_kind(a, me, unit) {
            let who = s.principal().clone();
            let staff = matches!(who, Principal::StreetAdmin { .. } | Principal::CommunityAdmin { .. } | Principal::CommunityStaff { .. });
            let member = matches!(who, Principal::Member { .. });
            let is_unit = matches!(who, Principal::Unit { .. });
            let act = |roles: &Roles, building, broker| acting(&s, roles, a, compound, building, broker);
            let as_staff = staff.then_some(Acting::Staff);
            assert_eq!(act(&Roles::default(), None, None), as_staff, "{who:?}");
            assert_eq!(act(&committee, None, None), as_staff.or(member.then_some(Acting::OwnersCommittee)), "{who:?}");
            assert_eq!(act(&leader, Some(led), None), as_staff.or(member.then_some(Acting::BuildingLeader)), "{who:?}");
            assert_eq!(act(&leader, Some(Uuid::now_v7()), None), as_staff, "another building, {who:?}");
            assert_eq!(act(&leader, None, None), as_staff, "no building, {who:?}");
            assert_eq!(act(&Roles::default(), None, Some(unit)), as_staff.or(is_unit.then_some(Acting::Broker)), "{who:?}");
            assert_eq!(act(&Roles::default(), None, Some(Uuid::now_v7())), as_staff, "another broker, {who:?}");
            assert_eq!(acting(&s, &committee, Uuid::now_v7(), compound, None, Some(unit)), None, "another community, {who:?}");
        }
    }
}

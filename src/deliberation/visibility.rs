//! Who sees what of consultative democracy: one table, one row per principal kind, used by the
//! services and the loaders alike.
//!
//! | principal | venues | convenors | appeals | supporters | boards | enterprises |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | anonymous | no | no | no | no | no | no |
//! | city admin | its streets' communities | no | no | no | no | no |
//! | street admin | its communities | yes | its communities (acts at the STREET tier) | yes | every board of the street | yes |
//! | community admin, community staff | their community | yes | their community | yes | their community's boards | yes |
//! | unit | communities it sits in | no | no (none is asked of it yet) | no | no | no |
//! | member (a person) | their communities | yes | those they raised, those of the compound whose station they convene | no | their compound's and their community's | no |
//! | reporter | its street | no | no (counts come later) | no | no | no |
//! | system | no | no | no | no | no | no |
//!
//! "Appeals" are appeals in full: the raiser (a person, masked outside staff), the description,
//! the photos, the site. The public **board** (`BoardAppeal`) carries an appeal's title,
//! category, state, tier, answer, outcome and supporters count, located by its compound and
//! building labels only: no raiser, phone, door or site. A compound's board lists the appeals
//! located in it; a community's board those of the community located at no compound. A resident
//! (a person with a current residence, see `home::visibility::dwelling`) reads their compound's
//! and their community's boards, and may support (附议) any appeal of their community; who
//! supported is staff's to see, the count is public.
//!
//! **Meetings** ([`meeting_reach`]) with their participants, agenda, decisions, action items and
//! notes: staff of the meeting's community see them all; a person the meetings they convene or
//! are invited to; a unit those it is invited to; nobody else any. An agenda item, an action item
//! and a note are seen with their meeting; an action item also by its owner. The decisions reach the public board through the
//! appeals they take up (`BoardAppeal.decisions`), with no names.
//!
//! Who runs a meeting ([`runs_meeting`]): staff of its community and its convenor. An action item
//! is also worked by its owner (the unit or the person it names).
//!
//! The `match`es in [`sight`], [`meeting_reach`] and [`roles_toward`] name every principal kind,
//! with no catch-all.

use std::collections::BTreeSet;

use entity::appeal::{self, RaiserKind};
use entity::meeting_participant::{self, PartyKind};
use entity::venue::{self, VenueKind};
use entity::{action_item, agenda_item, meeting};
use sea_orm::sea_query::Query;
use sea_orm::sea_query::{Condition, Expr, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::workflow::Role;
use crate::auth::{Principal, Scope};
use crate::error::AppResult;
use crate::home::visibility::{ResidentRights, resident_rights};

/// How far a principal reaches into appeals and boards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The communities the caller is staff of.
    Staff,
    /// What the person's own ties open: appeals they raised or convene; boards where they live.
    Person,
    /// None.
    Nothing,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sight {
    /// Venues of the visible communities.
    pub venues: bool,
    /// Venues' convenors (names; contacts masked outside staff).
    pub convenors: bool,
    /// Appeals in full.
    pub appeals: Reach,
    /// Who supported an appeal.
    pub supporters: bool,
    /// The public boards.
    pub boards: Reach,
    /// Enterprises named in the community.
    pub enterprises: bool,
}

const NOTHING: Sight =
    Sight { venues: false, convenors: false, appeals: Reach::Nothing, supporters: false, boards: Reach::Nothing, enterprises: false };
const STRUCTURE: Sight = Sight { venues: true, ..NOTHING };
const STAFF: Sight =
    Sight { venues: true, convenors: true, appeals: Reach::Staff, supporters: true, boards: Reach::Staff, enterprises: true };
const PERSON: Sight =
    Sight { venues: true, convenors: true, appeals: Reach::Person, supporters: false, boards: Reach::Person, enterprises: false };

/// What a principal sees of consultative democracy.
pub fn sight(principal: &Principal) -> Sight {
    match principal {
        Principal::Anonymous => NOTHING,
        // The city sees its streets' venues, no appeals yet.
        Principal::CityAdmin { .. } => STRUCTURE,
        Principal::StreetAdmin { .. } | Principal::CommunityAdmin { .. } | Principal::CommunityStaff { .. } => STAFF,
        // No appeal asks a unit to act in this part: venues only.
        Principal::Unit { .. } => STRUCTURE,
        // A party member, volunteer or resident: their own appeals and ties.
        Principal::Member { .. } => PERSON,
        // Nothing personal; counts come later.
        Principal::Reporter { .. } => STRUCTURE,
        // Jobs query what they need explicitly.
        Principal::System => NOTHING,
    }
}

/// What a person's ties give them here, read once per request (empty for every other principal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ties {
    /// (community, compound) of each station the person convenes.
    pub convenes: BTreeSet<(Uuid, Uuid)>,
    /// Where the person lives today.
    pub resident: ResidentRights,
}

/// The caller's ties: the stations they convene and where they live (two statements for a
/// person, none for anyone else).
pub async fn ties(db: &impl ConnectionTrait, scope: &Scope) -> AppResult<Ties> {
    let Some(me) = scope.person_id() else { return Ok(Ties::default()) };
    let convenes: Vec<(Uuid, Option<Uuid>)> = venue::Entity::find()
        .select_only()
        .columns([venue::Column::CommunityId, venue::Column::CompoundId])
        .filter(venue::Column::ConvenorId.eq(me))
        .filter(venue::Column::Kind.eq(VenueKind::Station))
        .into_tuple()
        .all(db)
        .await?;
    Ok(Ties {
        convenes: convenes.into_iter().filter_map(|(c, compound)| compound.map(|k| (c, k))).collect(),
        resident: resident_rights(db, scope).await?,
    })
}

fn never() -> SimpleExpr {
    Expr::cust("1 = 0")
}

/// Venues of the visible communities.
pub fn venue_filter(scope: &Scope) -> Condition {
    Condition::all().add(if sight(scope.principal()).venues { scope.tenant_filter(venue::Column::CommunityId) } else { never() })
}

/// Whether a venue's convenor is shown.
pub fn shows_convenor(scope: &Scope, community_id: Uuid) -> bool {
    sight(scope.principal()).convenors && scope.sees_community(community_id)
}

/// Enterprises of the communities the caller is staff of.
pub fn enterprise_filter(scope: &Scope, community: impl ColumnTrait) -> Condition {
    Condition::all().add(if sight(scope.principal()).enterprises { scope.staff_filter(community) } else { never() })
}

/// Appeals seen in full.
pub fn appeal_filter(scope: &Scope, ties: &Ties) -> Condition {
    match sight(scope.principal()).appeals {
        Reach::Staff => Condition::all().add(scope.staff_filter(appeal::Column::CommunityId)),
        Reach::Person => {
            let convened: Vec<Uuid> = ties.convenes.iter().map(|(_, compound)| *compound).collect();
            Condition::any()
                .add(scope.person_id().map_or_else(never, |p| appeal::Column::RaiserPersonId.eq(p)))
                .add(if convened.is_empty() { never() } else { appeal::Column::CompoundId.is_in(convened) })
        }
        Reach::Nothing => Condition::all().add(never()),
    }
}

/// Appeal events, as the live subscription follows them (`LiveAppealEvent::seen_by`): staff of
/// the appeal's community, its raiser and its supporters.
pub fn appeal_event_filter(scope: &Scope) -> Condition {
    use entity::{appeal_event, appeal_support};
    let mut cond = Condition::any().add(scope.staff_filter(appeal_event::Column::CommunityId));
    if let Some(me) = scope.person_id() {
        let raised =
            Query::select().column(appeal::Column::Id).from(appeal::Entity).and_where(appeal::Column::RaiserPersonId.eq(me)).to_owned();
        let supported = Query::select()
            .column(appeal_support::Column::AppealId)
            .from(appeal_support::Entity)
            .and_where(appeal_support::Column::PersonId.eq(me))
            .to_owned();
        cond = cond.add(appeal_event::Column::AppealId.in_subquery(raised)).add(appeal_event::Column::AppealId.in_subquery(supported));
    }
    cond
}

/// Appeals the caller may act on: those seen in full, and for a resident every appeal of their
/// community (to support it; the table refuses the rest).
pub fn acting_filter(scope: &Scope, ties: &Ties) -> Condition {
    let lives = match (sight(scope.principal()).appeals, &ties.resident.home) {
        (Reach::Person, Some(home)) => appeal::Column::CommunityId.eq(home.community_id),
        (Reach::Person | Reach::Staff | Reach::Nothing, _) => never(),
    };
    Condition::any().add(appeal_filter(scope, ties)).add(lives)
}

/// Appeals on the boards the caller reads: staff their communities', a resident their compound's
/// and their community's (those located at no compound).
pub fn board_filter(scope: &Scope, ties: &Ties) -> Condition {
    match sight(scope.principal()).boards {
        Reach::Staff => Condition::all().add(scope.staff_filter(appeal::Column::CommunityId)),
        Reach::Person => match &ties.resident.home {
            Some(home) => Condition::any()
                .add(appeal::Column::CompoundId.eq(home.compound_id))
                .add(Condition::all().add(appeal::Column::CommunityId.eq(home.community_id)).add(appeal::Column::CompoundId.is_null())),
            None => Condition::all().add(never()),
        },
        Reach::Nothing => Condition::all().add(never()),
    }
}

/// Whether the caller sees who supported appeals of this community.
pub fn shows_supporters(scope: &Scope, community_id: Uuid) -> bool {
    sight(scope.principal()).supporters && scope.is_staff_of(community_id)
}

/// Whether the caller reads the statistics of consultative democracy (counts and times, no
/// personal data): staff of the street and the communities, and reporting tools, over their
/// communities.
pub fn reads_statistics(scope: &Scope) -> bool {
    match scope.principal() {
        Principal::StreetAdmin { .. }
        | Principal::CommunityAdmin { .. }
        | Principal::CommunityStaff { .. }
        | Principal::Reporter { .. } => true,
        Principal::Anonymous | Principal::CityAdmin { .. } | Principal::Unit { .. } | Principal::Member { .. } | Principal::System => false,
    }
}

/// Whether the caller may make or fulfil a pledge of `kind`/`id` in `community`: its staff for
/// anyone, a unit for itself, a person for themself.
pub fn may_pledge(scope: &Scope, community: Uuid, kind: PartyKind, id: Uuid) -> bool {
    match (meeting_reach(scope.principal()), kind) {
        (MeetingReach::Staff, _) => scope.is_staff_of(community),
        (MeetingReach::Unit(u), PartyKind::Unit) | (MeetingReach::Person(u), PartyKind::Person) => {
            u == id && scope.sees_community(community)
        }
        (MeetingReach::Unit(_) | MeetingReach::Person(_) | MeetingReach::Nothing, _) => false,
    }
}

/// Pledges the caller sees: staff their communities'; a unit or a person their own.
pub fn pledge_filter(scope: &Scope) -> Condition {
    use entity::pledge::Column;
    let cond = Condition::all();
    match meeting_reach(scope.principal()) {
        MeetingReach::Staff => cond.add(scope.staff_filter(Column::CommunityId)),
        MeetingReach::Person(me) => {
            cond.add(scope.tenant_filter(Column::CommunityId)).add(Column::PledgerKind.eq(PartyKind::Person)).add(Column::PledgerId.eq(me))
        }
        MeetingReach::Unit(u) => {
            cond.add(scope.tenant_filter(Column::CommunityId)).add(Column::PledgerKind.eq(PartyKind::Unit)).add(Column::PledgerId.eq(u))
        }
        MeetingReach::Nothing => cond.add(never()),
    }
}

/// How far a principal reaches into meetings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingReach {
    /// Every meeting of the communities the caller is staff of.
    Staff,
    /// The meetings this person convenes or is invited to.
    Person(Uuid),
    /// The meetings this unit is invited to.
    Unit(Uuid),
    /// None.
    Nothing,
}

/// What a principal sees of meetings.
pub fn meeting_reach(principal: &Principal) -> MeetingReach {
    match principal {
        Principal::StreetAdmin { .. } | Principal::CommunityAdmin { .. } | Principal::CommunityStaff { .. } => MeetingReach::Staff,
        Principal::Member { person_id } => MeetingReach::Person(*person_id),
        Principal::Unit { unit_id, .. } => MeetingReach::Unit(*unit_id),
        Principal::Anonymous | Principal::CityAdmin { .. } | Principal::Reporter { .. } | Principal::System => MeetingReach::Nothing,
    }
}

/// The meetings a party is invited to, as a subquery.
fn invited(kind: PartyKind, id: Uuid) -> SimpleExpr {
    meeting::Column::Id.in_subquery(
        Query::select()
            .column(meeting_participant::Column::MeetingId)
            .from(meeting_participant::Entity)
            .and_where(meeting_participant::Column::PartyKind.eq(kind))
            .and_where(meeting_participant::Column::PartyId.eq(id))
            .to_owned(),
    )
}

/// Meetings the caller sees.
pub fn meeting_filter(scope: &Scope) -> Condition {
    let cond = Condition::all();
    match meeting_reach(scope.principal()) {
        MeetingReach::Staff => cond.add(scope.staff_filter(meeting::Column::CommunityId)),
        MeetingReach::Person(me) => cond
            .add(scope.tenant_filter(meeting::Column::CommunityId))
            .add(Condition::any().add(meeting::Column::ConvenorId.eq(me)).add(invited(PartyKind::Person, me))),
        MeetingReach::Unit(unit) => cond.add(scope.tenant_filter(meeting::Column::CommunityId)).add(invited(PartyKind::Unit, unit)),
        MeetingReach::Nothing => cond.add(never()),
    }
}

/// Agenda items of the meetings the caller sees.
pub fn agenda_filter(scope: &Scope) -> Condition {
    Condition::all().add(
        agenda_item::Column::MeetingId
            .in_subquery(Query::select().column(meeting::Column::Id).from(meeting::Entity).cond_where(meeting_filter(scope)).to_owned()),
    )
}

/// Action items of the meetings the caller sees, and those the caller owns (a unit or a person
/// named as an action's owner works on it without being invited to the meeting).
pub fn action_filter(scope: &Scope) -> Condition {
    let owned = |kind: PartyKind, id: Uuid| {
        Condition::all()
            .add(scope.tenant_filter(action_item::Column::CommunityId))
            .add(action_item::Column::OwnerKind.eq(kind))
            .add(action_item::Column::OwnerId.eq(id))
    };
    let owner = match meeting_reach(scope.principal()) {
        MeetingReach::Person(me) => owned(PartyKind::Person, me),
        MeetingReach::Unit(u) => owned(PartyKind::Unit, u),
        MeetingReach::Staff | MeetingReach::Nothing => Condition::all().add(never()),
    };
    Condition::any()
        .add(action_item::Column::AgendaItemId.in_subquery(
            Query::select().column(agenda_item::Column::Id).from(agenda_item::Entity).cond_where(agenda_filter(scope)).to_owned(),
        ))
        .add(owner)
}

/// Whether the caller runs this meeting: staff of its community, or its convenor.
pub fn runs_meeting(scope: &Scope, m: &meeting::Model) -> bool {
    match meeting_reach(scope.principal()) {
        MeetingReach::Staff => scope.is_staff_of(m.community_id),
        MeetingReach::Person(me) => m.convenor_id == Some(me) && scope.sees_community(m.community_id),
        MeetingReach::Unit(_) | MeetingReach::Nothing => false,
    }
}

/// Whether the caller owns this action item (the unit or the person it names).
pub fn owns_action(scope: &Scope, a: &action_item::Model) -> bool {
    match (a.owner_kind, meeting_reach(scope.principal())) {
        (PartyKind::Unit, MeetingReach::Unit(u)) | (PartyKind::Person, MeetingReach::Person(u)) => {
            u == a.owner_id && scope.sees_community(a.community_id)
        }
        _ => false,
    }
}

/// The roles the caller plays towards an appeal it may act on (see `workflow::rule`).
pub fn roles_toward(scope: &Scope, ties: &Ties, a: &appeal::Model) -> Vec<Role> {
    let staff = scope.is_staff_of(a.community_id);
    match scope.principal() {
        Principal::Anonymous | Principal::CityAdmin { .. } | Principal::System => Vec::new(),
        Principal::StreetAdmin { .. } => [staff.then_some(Role::StreetStaff)].into_iter().flatten().collect(),
        // Staff act for enterprises and organisations, who raise through them.
        Principal::CommunityAdmin { .. } | Principal::CommunityStaff { .. } => {
            let for_raiser = staff && a.raiser_kind != RaiserKind::Resident;
            [staff.then_some(Role::CommunityStaff), for_raiser.then_some(Role::Raiser)].into_iter().flatten().collect()
        }
        Principal::Unit { .. } => vec![Role::Unit],
        Principal::Member { person_id } => {
            let raiser = a.raiser_person_id == Some(*person_id);
            let convenor = a.compound_id.is_some_and(|c| ties.convenes.contains(&(a.community_id, c)));
            let resident = !raiser && ties.resident.lives_in_community(a.community_id);
            [raiser.then_some(Role::Raiser), convenor.then_some(Role::Convenor), resident.then_some(Role::Resident)]
                .into_iter()
                .flatten()
                .collect()
        }
        Principal::Reporter { .. } => vec![Role::Reporter],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::home::visibility::Dwelling;
    use sea_orm::{DbBackend, QueryTrait};

    fn scope(principal: Principal, a: Uuid, staff: bool) -> Scope {
        let staff_of = if staff { vec![a] } else { Vec::new() };
        Scope::for_tests(principal, &[a], &staff_of)
    }

    fn sql(cond: Condition) -> String {
        appeal::Entity::find().filter(cond).build(DbBackend::Sqlite).to_string()
    }

    /// Every principal kind with the row the table gives it.
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
    fn meetings_are_staffs_and_their_invitees_only() {
        let (a, me) = (Uuid::now_v7(), Uuid::now_v7());
        for (s, _) in every_kind(a, me) {
            let where_ = meeting::Entity::find().filter(meeting_filter(&s)).build(DbBackend::Sqlite).to_string();
            match meeting_reach(s.principal()) {
                MeetingReach::Staff => assert!(where_.contains("community_id"), "{where_}"),
                MeetingReach::Person(p) => {
                    assert_eq!(p, me);
                    assert!(where_.contains("PERSON") && where_.contains("convenor_id"), "{where_}");
                }
                MeetingReach::Unit(_) => assert!(where_.contains("'UNIT'"), "{where_}"),
                MeetingReach::Nothing => assert!(where_.contains("1 = 0"), "{where_}"),
            }
        }
        let m = |convenor| meeting::Model {
            id: Uuid::now_v7(),
            community_id: a,
            venue_id: Uuid::now_v7(),
            kind: meeting::MeetingKind::Deliberation,
            title: "t".into(),
            starts_at: chrono::Utc::now(),
            convenor_id: convenor,
            state: meeting::MeetingState::Planned,
            minutes: None,
            eligible_voters: None,
            held_at: None,
            created_by: "x".into(),
            version: 1,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        let staff = scope(Principal::CommunityStaff { community_id: a }, a, true);
        let person = scope(Principal::Member { person_id: me }, a, false);
        let unit = scope(Principal::Unit { unit_id: me, street_id: None }, a, false);
        assert!(runs_meeting(&staff, &m(None)));
        assert!(runs_meeting(&person, &m(Some(me))));
        assert!(!runs_meeting(&person, &m(Some(Uuid::now_v7()))));
        assert!(!runs_meeting(&unit, &m(Some(me))), "a unit never runs a meeting");
        assert!(!runs_meeting(&Scope::anonymous(), &m(Some(me))));
    }

    fn appeal(community: Uuid, compound: Option<Uuid>, raiser: Option<Uuid>) -> appeal::Model {
        let now = chrono::Utc::now();
        appeal::Model {
            id: Uuid::now_v7(),
            community_id: community,
            compound_id: compound,
            building_id: None,
            site: None,
            raiser_kind: if raiser.is_some() { RaiserKind::Resident } else { RaiserKind::Enterprise },
            raiser_person_id: raiser,
            enterprise_id: None,
            organization_id: None,
            unit_id: None,
            raised_by: String::new(),
            title: String::new(),
            description: String::new(),
            category: appeal::AppealCategory::Other,
            photos: "[]".into(),
            tier: appeal::AppealTier::Compound,
            state: appeal::AppealState::Raised,
            answer: None,
            reject_reason: None,
            merged_into_id: None,
            scheduled_venue_id: None,
            scheduled_on: None,
            due_at: None,
            escalations: 0,
            escalated_at: None,
            review_requested_at: None,
            rating: None,
            rating_comment: None,
            rated_at: None,
            supporters: 0,
            raised_at: now,
            responded_at: None,
            answered_at: None,
            closed_at: None,
            version: 1,
            updated_at: now,
        }
    }

    #[test]
    fn each_principal_kind_has_its_row_and_filters_follow_it() {
        let (a, me, compound) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let ties = Ties {
            convenes: [(a, compound)].into(),
            resident: ResidentRights { home: Some(Dwelling { community_id: a, compound_id: compound, building_id: None, door: None }) },
        };
        for (scope, row) in every_kind(a, me) {
            let who = scope.principal().clone();
            assert_eq!(sight(&who), row, "{who:?}");
            let appeals = sql(appeal_filter(&scope, &ties));
            assert_eq!(appeals.contains(&a.to_string()), row.appeals == Reach::Staff, "{who:?}: {appeals}");
            assert_eq!(appeals.contains(&me.to_string()), row.appeals == Reach::Person, "{who:?}: {appeals}");
            let boards = sql(board_filter(&scope, &ties));
            assert_eq!(boards.contains(&compound.to_string()), row.boards == Reach::Person, "{who:?}: {boards}");
            assert_eq!(boards.contains("1 = 0"), row.boards == Reach::Nothing, "{who:?}: {boards}");
            assert_eq!(shows_supporters(&scope, a), row.supporters, "{who:?}");
            assert!(!shows_supporters(&scope, Uuid::now_v7()), "{who:?}: another community");
            assert_eq!(shows_convenor(&scope, a), row.convenors, "{who:?}");
        }
    }

    #[test]
    fn roles_follow_who_the_caller_is_to_the_appeal() {
        let (a, me, compound) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let mine = appeal(a, Some(compound), Some(me));
        let theirs = appeal(a, Some(compound), Some(Uuid::now_v7()));
        let enterprise = appeal(a, None, None);
        let home = Dwelling { community_id: a, compound_id: compound, building_id: None, door: None };
        let resident = Ties { resident: ResidentRights { home: Some(home) }, ..Ties::default() };
        let convenor = Ties { convenes: [(a, compound)].into(), ..Ties::default() };
        let person = scope(Principal::Member { person_id: me }, a, false);
        assert_eq!(roles_toward(&person, &resident, &mine), [Role::Raiser]);
        assert_eq!(roles_toward(&person, &resident, &theirs), [Role::Resident]);
        assert_eq!(roles_toward(&person, &convenor, &theirs), [Role::Convenor]);
        assert_eq!(roles_toward(&person, &Ties::default(), &theirs), []);
        let staff = scope(Principal::CommunityStaff { community_id: a }, a, true);
        assert_eq!(roles_toward(&staff, &Ties::default(), &theirs), [Role::CommunityStaff]);
        assert_eq!(roles_toward(&staff, &Ties::default(), &enterprise), [Role::CommunityStaff, Role::Raiser]);
        let street = scope(Principal::StreetAdmin { street_id: Uuid::now_v7() }, a, true);
        assert_eq!(roles_toward(&street, &Ties::default(), &enterprise), [Role::StreetStaff]);
        assert!(roles_toward(&Scope::anonymous(), &resident, &mine).is_empty());
    }
}

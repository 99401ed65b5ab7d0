//! The tenancy suite: for each kind of principal, every root field, every connection and
//! `node(id:)` with ids from outside the scope; nothing outside the scope may come back, and
//! personal data is shown only to staff of the person's community and to the person.
//!
//! The suite runs on the demo world on purpose: two streets, fifteen communities and a second
//! street's two, every kind of row by the hundred, read into `Facts` from the database itself, so
//! "the other community" always holds rows the caller must not see and a leak of any one shows.
//! Fixtures made per test would hold a handful of rows and weaken that; new types join the
//! suite by adding their rows to the demo seed or to `build_platform`.

use std::collections::{HashMap, HashSet};

use entity::{
    activity, check_in, co_building_unit, committee_membership, community, compound, demand, invitation, party_member, party_organization,
    person, region, residence, service_category, sign_up, task, volunteer,
};
use gongzhi::auth::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use gongzhi::graphql::node::global_id;

use crate::support::{TestApp, collect_ids, decode, ids_of, other_street};

mod deliberation;
mod exports_collaboration;
mod exports_deliberation;
mod exports_home;
mod exports_volunteers;
mod feed;
mod home;
mod innovation;
mod nodes;
mod organisation;
mod reports;
mod residents;
mod volunteers;

/// Every root field and connection of the organisation graph, plus refetching `$foreign` ids.
const PROBE: &str = r#"
query Probe($foreign: [ID!]!, $other: String!) {
  viewer { kind street { id } community { id } unit { id } person { id uuid phone personalDataVisible } communities { id code } secretaryOf { id compound { id } } }
  streets { id code workingCommittee { id kind children { id community { id } } } }
  communities(first: 20) { totalCount edges { cursor node { ...C } } pageInfo { hasNextPage } }
  zhuyuan: community(code: "zhuyuan") { id }
  meiling: community(code: "meiling") { id }
  other: community(code: $other) { id }
  units(first: 20) { totalCount edges { node { id code committees(includeEnded: true) { id community { id } unit { id } committee { id } } } } }
  police: unit(code: "police") { id committees { id community { id } } }
  water: unit(code: "water") { id }
  nodes(ids: $foreign) { __typename ... on Node { id } }
}
fragment C on Community {
  id code street { id }
  units { id }
  jointCommittee { id parent { id } memberships(includeEnded: true) { id unit { id } } members(first: 5) { totalCount edges { node { id person { id uuid phone personalDataVisible } } } } }
  partyOrganizations { id kind compound { id } parent { id } children { id } secretary { id person { id uuid phone personalDataVisible } } }
  compounds(first: 10) { totalCount edges { node { id community { id } partyBranch { id }
    members(first: 5) { totalCount edges { node { id name person { id uuid phone personalDataVisible } branch { id } community { id } } } } } } }
  members(first: 10) { totalCount edges { node { id person { id uuid phone personalDataVisible } } } }
}
"#;

/// Who owns what, read straight from the database.
struct Facts {
    community_by_code: HashMap<String, Uuid>,
    communities: HashSet<Uuid>,
    /// Community → its street.
    street_of: HashMap<Uuid, Uuid>,
    street_by_code: HashMap<String, Uuid>,
    compound: HashMap<Uuid, Uuid>,
    organization: HashMap<Uuid, Uuid>,
    member: HashMap<Uuid, (Uuid, Uuid)>,
    membership: HashMap<Uuid, (Uuid, Uuid)>,
    unit_by_code: HashMap<String, Uuid>,
    seats: HashMap<Uuid, HashSet<Uuid>>,
    /// Person → the communities where a row of theirs is (member, volunteer, check-in, sign-up,
    /// residence) and their home community.
    person_links: HashMap<Uuid, HashSet<Uuid>>,
    /// Volunteer → (community, person, active).
    volunteer: HashMap<Uuid, (Uuid, Uuid, bool)>,
    /// Check-in → (community, person, approved).
    check_in: HashMap<Uuid, (Uuid, Uuid, bool)>,
    /// Sign-up → (community, person, activity, attended).
    sign_up: HashMap<Uuid, (Uuid, Uuid, Uuid, bool)>,
    /// Demand → (community, open).
    demand: HashMap<Uuid, (Uuid, bool)>,
    activity: HashMap<Uuid, Uuid>,
    /// Invitation → (community, demand).
    invitation: HashMap<Uuid, (Uuid, Uuid)>,
    categories: HashSet<Uuid>,
    task: HashMap<Uuid, Uuid>,
    /// Residence → (community, person).
    residence: HashMap<Uuid, (Uuid, Uuid)>,
}

impl Facts {
    async fn read(app: &TestApp) -> Facts {
        let db = &app.db;
        let communities = community::Entity::find().all(db).await.unwrap();
        let memberships = committee_membership::Entity::find().all(db).await.unwrap();
        let mut seats: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
        for m in &memberships {
            if m.until.is_none() {
                seats.entry(m.unit_id).or_default().insert(m.community_id);
            }
        }
        let members = party_member::Entity::find().all(db).await.unwrap();
        let volunteers = volunteer::Entity::find().all(db).await.unwrap();
        let check_ins = check_in::Entity::find().all(db).await.unwrap();
        let sign_ups = sign_up::Entity::find().all(db).await.unwrap();
        let residences = residence::Entity::find().all(db).await.unwrap();
        let mut person_links: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
        let links = members
            .iter()
            .map(|m| (m.person_id, m.community_id))
            .chain(volunteers.iter().map(|v| (v.person_id, v.community_id)))
            .chain(check_ins.iter().map(|c| (c.person_id, c.community_id)))
            .chain(sign_ups.iter().map(|s| (s.person_id, s.community_id)))
            .chain(residences.iter().map(|r| (r.person_id, r.community_id)));
        let homes: Vec<(Uuid, Uuid)> =
            person::Entity::find().all(db).await.unwrap().into_iter().filter_map(|p| Some((p.id, p.home_community_id?))).collect();
        for (person, community) in links.chain(homes) {
            person_links.entry(person).or_default().insert(community);
        }
        let streets = region::Entity::find().filter(region::Column::Kind.eq(region::RegionKind::Street)).all(db).await.unwrap();
        Facts {
            community_by_code: communities.iter().map(|c| (c.code.clone(), c.id)).collect(),
            communities: communities.iter().map(|c| c.id).collect(),
            street_of: communities.iter().map(|c| (c.id, c.street_id)).collect(),
            street_by_code: streets.into_iter().map(|s| (s.code, s.id)).collect(),
            compound: compound::Entity::find().all(db).await.unwrap().into_iter().map(|c| (c.id, c.community_id)).collect(),
            organization: party_organization::Entity::find().all(db).await.unwrap().into_iter().map(|o| (o.id, o.community_id)).collect(),
            member: members.iter().map(|m| (m.id, (m.community_id, m.person_id))).collect(),
            membership: memberships.iter().map(|m| (m.id, (m.community_id, m.unit_id))).collect(),
            unit_by_code: co_building_unit::Entity::find().all(db).await.unwrap().into_iter().map(|u| (u.code, u.id)).collect(),
            seats,
            person_links,
            volunteer: volunteers
                .iter()
                .map(|v| (v.id, (v.community_id, v.person_id, v.status == volunteer::VolunteerStatus::Active)))
                .collect(),
            check_in: check_ins
                .iter()
                .map(|c| (c.id, (c.community_id, c.person_id, c.status == check_in::CheckInStatus::Approved)))
                .collect(),
            sign_up: sign_ups.iter().map(|s| (s.id, (s.community_id, s.person_id, s.activity_id, s.checked_in_at.is_some()))).collect(),
            demand: demand::Entity::find()
                .all(db)
                .await
                .unwrap()
                .into_iter()
                .map(|d| (d.id, (d.community_id, d.status == demand::DemandStatus::Open)))
                .collect(),
            activity: activity::Entity::find().all(db).await.unwrap().into_iter().map(|a| (a.id, a.community_id)).collect(),
            invitation: invitation::Entity::find()
                .all(db)
                .await
                .unwrap()
                .into_iter()
                .map(|i| (i.id, (i.community_id, i.demand_id)))
                .collect(),
            categories: service_category::Entity::find().all(db).await.unwrap().into_iter().map(|c| c.id).collect(),
            task: task::Entity::find().all(db).await.unwrap().into_iter().map(|t| (t.id, t.community_id)).collect(),
            residence: residences.iter().map(|r| (r.id, (r.community_id, r.person_id))).collect(),
        }
    }

    fn is_street(&self, id: Uuid) -> bool {
        self.street_by_code.values().any(|s| *s == id)
    }

    fn communities_of_street(&self, street: Uuid) -> HashSet<Uuid> {
        self.street_of.iter().filter(|(_, s)| **s == street).map(|(c, _)| *c).collect()
    }

    /// The global id of every row of the volunteer platform, with its type and community.
    fn platform_rows(&self) -> Vec<(&'static str, Uuid, Uuid)> {
        let mut rows = Vec::new();
        rows.extend(self.volunteer.iter().map(|(id, v)| ("Volunteer", *id, v.0)));
        rows.extend(self.check_in.iter().map(|(id, v)| ("CheckIn", *id, v.0)));
        rows.extend(self.sign_up.iter().map(|(id, v)| ("SignUp", *id, v.0)));
        rows.extend(self.demand.iter().map(|(id, v)| ("Demand", *id, v.0)));
        rows.extend(self.activity.iter().map(|(id, c)| ("Activity", *id, *c)));
        rows.extend(self.invitation.iter().map(|(id, v)| ("Invitation", *id, v.0)));
        rows.sort();
        rows
    }

    fn platform_ids(&self) -> Vec<String> {
        self.platform_rows().into_iter().map(|(k, id, _)| global_id(k, id).to_string()).collect()
    }
}

/// What a principal may see.
struct Allowed {
    /// Communities whose structure is visible.
    communities: HashSet<Uuid>,
    /// Streets visible: those of the visible communities.
    streets: HashSet<Uuid>,
    /// Member rows, volunteers, check-ins, sign-ups and people: all in `communities` (staff),
    /// only this person's, or none.
    members: MemberRule,
    /// A unit sees only itself and its own seats.
    unit: Option<Uuid>,
    /// Whether the demands and activities of `communities` are published to the principal
    /// (staff, street admins and members; not units, reporters or the city).
    published: bool,
}

enum MemberRule {
    Staff,
    Own(Uuid),
    None,
}

impl Allowed {
    fn new(facts: &Facts, communities: HashSet<Uuid>, members: MemberRule, unit: Option<Uuid>, published: bool) -> Allowed {
        let streets = communities.iter().filter_map(|c| facts.street_of.get(c).copied()).collect();
        Allowed { communities, streets, members, unit, published }
    }

    /// Street admins, community admins and staff: people in full, everything published.
    fn staff(facts: &Facts, communities: impl IntoIterator<Item = Uuid>) -> Allowed {
        Allowed::new(facts, communities.into_iter().collect(), MemberRule::Staff, None, true)
    }

    /// A member: their own rows, and what their communities publish.
    fn member(facts: &Facts, person: Uuid, communities: impl IntoIterator<Item = Uuid>) -> Allowed {
        Allowed::new(facts, communities.into_iter().collect(), MemberRule::Own(person), None, true)
    }

    /// Reporters and the city: structure only.
    fn structure(facts: &Facts, communities: impl IntoIterator<Item = Uuid>) -> Allowed {
        Allowed::new(facts, communities.into_iter().collect(), MemberRule::None, None, false)
    }

    /// A unit: itself, its seats and the structure of those communities.
    fn unit(facts: &Facts, unit: Uuid, communities: impl IntoIterator<Item = Uuid>) -> Allowed {
        Allowed::new(facts, communities.into_iter().collect(), MemberRule::None, Some(unit), false)
    }

    /// A volunteer, check-in or sign-up row of `person` in `community`.
    fn sees_row(&self, community: Uuid, person: Uuid) -> bool {
        match self.members {
            MemberRule::Staff => self.communities.contains(&community),
            MemberRule::Own(p) => p == person,
            MemberRule::None => false,
        }
    }

    /// Demands and activities.
    fn sees_published(&self, community: Uuid) -> bool {
        self.published && self.communities.contains(&community)
    }

    /// Invitations and other staff business.
    fn sees_staff_business(&self, community: Uuid) -> bool {
        matches!(self.members, MemberRule::Staff) && self.communities.contains(&community)
    }

    /// A person, and whether their personal data may be shown.
    fn sees_person(&self, facts: &Facts, person: Uuid) -> bool {
        match self.members {
            MemberRule::Staff => facts.person_links.get(&person).is_some_and(|cs| cs.iter().any(|c| self.communities.contains(c))),
            MemberRule::Own(p) => p == person,
            MemberRule::None => false,
        }
    }
}

/// The types `node(id:)` answers with, of those this suite's facts cover.
const NODE_KINDS: &[&str] = &[
    "Person",
    "Street",
    "Community",
    "Compound",
    "PartyOrganization",
    "PartyMember",
    "CoBuildingUnit",
    "CommitteeMembership",
    "Task",
    "Volunteer",
    "CheckIn",
    "Demand",
    "Activity",
    "SignUp",
    "Invitation",
    "ServiceCategory",
];

/// Whether an object of `kind` may be seen; an unknown type or an id that is in no table is an
/// error, never a pass.
fn visible(kind: &str, uuid: Uuid, facts: &Facts, allowed: &Allowed) -> Result<bool, String> {
    fn get<'a, T>(map: &'a HashMap<Uuid, T>, kind: &str, uuid: Uuid) -> Result<&'a T, String> {
        map.get(&uuid).ok_or_else(|| format!("{kind} {uuid} is in no table"))
    }
    let sees = |c: &Uuid| allowed.communities.contains(c);
    Ok(match kind {
        "Street" => {
            if !facts.is_street(uuid) {
                return Err(format!("Street {uuid} is in no table"));
            }
            allowed.streets.contains(&uuid)
        }
        "Community" => {
            if !facts.communities.contains(&uuid) {
                return Err(format!("Community {uuid} is in no table"));
            }
            sees(&uuid)
        }
        "Compound" => sees(get(&facts.compound, kind, uuid)?),
        "Person" => {
            if !facts.person_links.contains_key(&uuid) {
                return Err(format!("Person {uuid} has no row anywhere"));
            }
            allowed.sees_person(facts, uuid)
        }
        "PartyOrganization" => match facts.organization.get(&uuid) {
            Some(c) => sees(c),
            // The street working committee carries the street's id.
            None if facts.is_street(uuid) => allowed.streets.contains(&uuid),
            None => return Err(format!("PartyOrganization {uuid} is in no table")),
        },
        "PartyMember" => {
            let (c, person) = *get(&facts.member, kind, uuid)?;
            match allowed.members {
                MemberRule::Staff => sees(&c),
                MemberRule::Own(p) => p == person && sees(&c),
                MemberRule::None => false,
            }
        }
        "CommitteeMembership" => {
            let (c, unit) = *get(&facts.membership, kind, uuid)?;
            sees(&c) && allowed.unit.is_none_or(|u| u == unit)
        }
        "CoBuildingUnit" => {
            if !facts.unit_by_code.values().any(|u| *u == uuid) {
                return Err(format!("CoBuildingUnit {uuid} is in no table"));
            }
            allowed.unit.is_none_or(|u| u == uuid)
        }
        // Necessary, not sufficient: which tasks a unit or the city sees is the collaboration suite's business.
        "Task" => sees(get(&facts.task, kind, uuid)?),
        "Volunteer" => {
            let (c, p, _) = *get(&facts.volunteer, kind, uuid)?;
            allowed.sees_row(c, p)
        }
        "CheckIn" => {
            let (c, p, _) = *get(&facts.check_in, kind, uuid)?;
            allowed.sees_row(c, p)
        }
        // Where a person lives: staff of the community and the person.
        "Residence" => {
            let (c, p) = *get(&facts.residence, kind, uuid)?;
            allowed.sees_row(c, p)
        }
        "SignUp" => {
            let (c, p, _, _) = *get(&facts.sign_up, kind, uuid)?;
            allowed.sees_row(c, p)
        }
        "Demand" => allowed.sees_published(get(&facts.demand, kind, uuid)?.0),
        "Activity" => allowed.sees_published(*get(&facts.activity, kind, uuid)?),
        "Invitation" => allowed.sees_staff_business(get(&facts.invitation, kind, uuid)?.0),
        "ServiceCategory" => {
            if !facts.categories.contains(&uuid) {
                return Err(format!("ServiceCategory {uuid} is in no table"));
            }
            true // shared reference data
        }
        other => return Err(format!("unexpected type {other} ({uuid})")),
    })
}

/// Every id in `data` is a global id inside the scope.
fn check_ids(label: &str, data: &Value, facts: &Facts, allowed: &Allowed) {
    let mut ids = Vec::new();
    collect_ids(data, &mut ids);
    for id in ids {
        match decode(&id) {
            Some((kind, uuid)) => match visible(&kind, uuid, facts, allowed) {
                Ok(ok) => assert!(ok, "{label}: {kind} {uuid} is outside the scope"),
                Err(e) => panic!("{label}: {e}"),
            },
            None => panic!("{label}: `{id}` is not a global id"),
        }
    }
    check_personal_data(label, data, facts, allowed);
}

fn check(label: &str, data: &Value, facts: &Facts, allowed: &Allowed) {
    let mut ids = Vec::new();
    collect_ids(data, &mut ids);
    assert!(!ids.is_empty(), "{label}: the probe returned nothing at all");
    check_ids(label, data, facts, allowed);
}

/// Every person object shows personal data only when the caller is staff or the person;
/// otherwise the phone is masked and the rest is null.
fn check_personal_data(label: &str, value: &Value, facts: &Facts, allowed: &Allowed) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Bool(visible)) = map.get("personalDataVisible") {
                let person = map.get("id").and_then(Value::as_str).and_then(decode).filter(|(k, _)| k == "Person").map(|(_, p)| p);
                let may = person.is_some_and(|p| allowed.sees_person(facts, p));
                if *visible {
                    assert!(may, "{label}: personal data shown outside staff scope: {value}");
                } else {
                    if let Some(phone) = map.get("phone").and_then(Value::as_str) {
                        assert!(phone.contains("****"), "{label}: phone not masked: {phone}");
                    }
                    for field in ["address", "gender", "birthYear"] {
                        assert!(map.get(field).is_none_or(Value::is_null), "{label}: {field} shown while masked: {value}");
                    }
                }
            }
            map.values().for_each(|v| check_personal_data(label, v, facts, allowed));
        }
        Value::Array(items) => items.iter().for_each(|v| check_personal_data(label, v, facts, allowed)),
        _ => {}
    }
}

async fn probe(app: &TestApp, token: &str, foreign: &[String], other: &str) -> Value {
    let foreign: Vec<&String> = foreign.iter().take(100).collect();
    app.ok(Some(token), PROBE, json!({ "foreign": foreign, "other": other })).await
}

fn assert_all_null(label: &str, data: &Value) {
    for (i, n) in data["nodes"].as_array().unwrap().iter().enumerate() {
        assert!(n.is_null(), "{label}: node #{i} from outside the scope came back: {n}");
    }
}

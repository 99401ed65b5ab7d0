//! Home co-building per principal: the city, its streets and their communities; homes, buildings,
//! owners' committees, property managers and building leaders through `homes`, `home` and
//! `node(id:)`, with ids from outside the scope. Structure is seen in the scope's communities;
//! names only inside the community (never by units, reporters or the city); contacts in full only
//! for staff and the person; households for staff, structure readers and a building's own leader;
//! selections in progress for staff, the person and role holders of the compound; renovation
//! projects with their milestones and tasks for staff, the owners' committee of the compound, its
//! residents and the brokering unit only; shared-income entries for staff and the committee, the
//! yearly totals also for the compound's residents; property-fee arrears cases and their contacts
//! for staff, the committee and the leader of the case's building, never for residents.

use entity::building_leader::LeaderStatus;
use entity::{
    arrears_case, arrears_contact, assignment, building, building_leader, ledger_entry, owners_committee, owners_committee_member, project,
    project_milestone, property_manager,
};

use super::*;

const HOME_PROBE: &str = r#"
query($foreign: [ID!]!, $community: ID!, $home: ID!) {
  cities { id code streets { id city { id } communities(first: 50) { totalCount edges { node { id street { id } } } } } }
  homes(communityId: $community, first: 20) { totalCount edges { node { ...H } } }
  home(compoundId: $home) { ...H }
  nodes(ids: $foreign) { __typename ... on Node { id } }
}
fragment H on Home {
  id compound { id } managementMode
  buildings { id households home { id } leader { id name phone personalDataVisible member { id } building { id } } leaderHistory { id name } }
  ownersCommittee { id members { name phone personalDataVisible } home { id } }
  ownersCommitteeHistory { id }
  propertyManager { id home { id } } propertyManagerHistory { id }
  leaderSelections { id status name phone personalDataVisible building { id } }
  projects { id broker { id } home { id } milestones { id project { id } } tasks { id } }
  ledgerTotals { year incomeFen }
  ledgerEntries(year: 2025) { id home { id } reverses { id } reversedBy { id } }
  arrearsCases { id door home { id } building { id } contacts { id arrearsCase { id } } }
}
"#;

/// Home co-building's rows, read straight from the database.
struct HomeFacts {
    /// Every row of a home kind: (kind, id) → community.
    community: HashMap<(String, Uuid), Uuid>,
    /// Building leader → (person, status, compound, building).
    leader: HashMap<Uuid, (Uuid, LeaderStatus, Uuid, Uuid)>,
    /// Building → households.
    households: HashMap<Uuid, i32>,
    /// Person → (community, compound) of committees in office they sit on.
    committee_of: HashMap<Uuid, HashSet<(Uuid, Uuid)>>,
    /// Project → (compound, broker).
    project: HashMap<Uuid, (Uuid, Uuid)>,
    /// Milestone → project.
    milestone: HashMap<Uuid, Uuid>,
    /// Task → the units with a share of it.
    shares: HashMap<Uuid, HashSet<Uuid>>,
    /// Ledger entry → compound.
    ledger: HashMap<Uuid, Uuid>,
    /// Arrears case → (compound, building).
    arrears: HashMap<Uuid, (Uuid, Uuid)>,
    /// Arrears contact → its case.
    contact: HashMap<Uuid, Uuid>,
}

impl HomeFacts {
    async fn read(app: &TestApp) -> HomeFacts {
        let db = &app.db;
        let mut community = HashMap::new();
        for c in compound::Entity::find().all(db).await.unwrap() {
            community.insert(("Home".to_owned(), c.id), c.community_id);
            community.insert(("Compound".to_owned(), c.id), c.community_id);
        }
        let buildings = building::Entity::find().all(db).await.unwrap();
        for b in &buildings {
            community.insert(("Building".to_owned(), b.id), b.community_id);
        }
        let committees = owners_committee::Entity::find().all(db).await.unwrap();
        for c in &committees {
            community.insert(("OwnersCommittee".to_owned(), c.id), c.community_id);
        }
        for m in property_manager::Entity::find().all(db).await.unwrap() {
            community.insert(("PropertyManager".to_owned(), m.id), m.community_id);
        }
        let mut leader = HashMap::new();
        for l in building_leader::Entity::find().all(db).await.unwrap() {
            community.insert(("BuildingLeader".to_owned(), l.id), l.community_id);
            leader.insert(l.id, (l.person_id, l.status, l.compound_id, l.building_id));
        }
        let mut committee_of: HashMap<Uuid, HashSet<(Uuid, Uuid)>> = HashMap::new();
        for m in owners_committee_member::Entity::find().all(db).await.unwrap() {
            if let Some(c) = committees.iter().find(|c| c.id == m.committee_id && c.ended_on.is_none()) {
                committee_of.entry(m.person_id).or_default().insert((c.community_id, c.compound_id));
            }
        }
        let mut projects = HashMap::new();
        for p in project::Entity::find().all(db).await.unwrap() {
            community.insert(("Project".to_owned(), p.id), p.community_id);
            projects.insert(p.id, (p.compound_id, p.broker_unit_id));
        }
        let mut milestone = HashMap::new();
        for m in project_milestone::Entity::find().all(db).await.unwrap() {
            community.insert(("ProjectMilestone".to_owned(), m.id), m.community_id);
            milestone.insert(m.id, m.project_id);
        }
        for t in task::Entity::find().all(db).await.unwrap() {
            community.insert(("Task".to_owned(), t.id), t.community_id);
        }
        let mut ledger = HashMap::new();
        for e in ledger_entry::Entity::find().all(db).await.unwrap() {
            community.insert(("LedgerEntry".to_owned(), e.id), e.community_id);
            ledger.insert(e.id, e.compound_id);
        }
        let mut arrears = HashMap::new();
        for a in arrears_case::Entity::find().all(db).await.unwrap() {
            community.insert(("ArrearsCase".to_owned(), a.id), a.community_id);
            arrears.insert(a.id, (a.compound_id, a.building_id));
        }
        let mut contact = HashMap::new();
        for k in arrears_contact::Entity::find().all(db).await.unwrap() {
            community.insert(("ArrearsContact".to_owned(), k.id), k.community_id);
            contact.insert(k.id, k.case_id);
        }
        let mut shares: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
        for a in assignment::Entity::find().all(db).await.unwrap() {
            shares.entry(a.task_id).or_default().insert(a.unit_id);
        }
        HomeFacts {
            community,
            leader,
            households: buildings.iter().map(|b| (b.id, b.households)).collect(),
            committee_of,
            project: projects,
            milestone,
            shares,
            ledger,
            arrears,
            contact,
        }
    }

    /// Every id of a home kind outside `communities`, at most 100.
    fn foreign(&self, communities: &HashSet<Uuid>) -> Vec<String> {
        let mut ids: Vec<(String, Uuid)> =
            self.community.iter().filter(|(_, c)| !communities.contains(c)).map(|(k, _)| k.clone()).collect();
        ids.sort();
        // A spread over the kinds rather than the first hundred of one: up to twenty of each,
        // taken in turn, at most a hundred (what `nodes` takes).
        let per_kind: Vec<Vec<String>> = [
            "Home",
            "Building",
            "OwnersCommittee",
            "PropertyManager",
            "BuildingLeader",
            "Project",
            "ProjectMilestone",
            "LedgerEntry",
            "ArrearsCase",
            "ArrearsContact",
        ]
        .iter()
        .map(|kind| ids.iter().filter(|(k, _)| k == kind).take(20).map(|(k, id)| global_id(k, *id).to_string()).collect())
        .collect();
        let mut out = Vec::new();
        for i in 0..20 {
            out.extend(per_kind.iter().filter_map(|list| list.get(i).cloned()));
        }
        out.truncate(100);
        out
    }
}

/// What one principal may see of home co-building.
struct HomeAllowed {
    communities: HashSet<Uuid>,
    /// Staff of these communities.
    staff: bool,
    /// Names inside the visible communities.
    names: bool,
    /// The person the caller is.
    person: Option<Uuid>,
    /// Compounds where the caller speaks for the residents.
    role_compounds: HashSet<Uuid>,
    /// Compounds whose owners' committee in office the caller sits on.
    committee: HashSet<Uuid>,
    /// The unit the caller is.
    unit: Option<Uuid>,
    /// The compound the caller lives in.
    lives_in: Option<Uuid>,
    /// The buildings the caller leads.
    leads: HashSet<Uuid>,
}

impl HomeAllowed {
    /// Whether a compound's ledger entries may be shown.
    fn ledger_entries(&self, compound: Uuid) -> bool {
        self.staff || self.committee.contains(&compound)
    }

    /// Whether a compound's ledger totals may be shown.
    fn ledger_totals(&self, compound: Uuid) -> bool {
        self.ledger_entries(compound) || self.lives_in == Some(compound)
    }

    /// Whether an arrears case of a compound's building may be shown (never for living there).
    fn arrears(&self, compound: Uuid, building: Uuid) -> bool {
        self.staff || self.committee.contains(&compound) || self.leads.contains(&building)
    }

    /// Whether a compound's project brokered by `broker` may be shown.
    fn project(&self, compound: Uuid, broker: Uuid) -> bool {
        self.staff || self.committee.contains(&compound) || self.lives_in == Some(compound) || self.unit == Some(broker)
    }
}

fn check_home(label: &str, data: &Value, facts: &Facts, home: &HomeFacts, allowed: &HomeAllowed) {
    let mut ids = Vec::new();
    collect_ids(data, &mut ids);
    for id in &ids {
        let Some((kind, uuid)) = decode(id) else { panic!("{label}: `{id}` is not a global id") };
        match kind.as_str() {
            "City" => assert!(!allowed.communities.is_empty(), "{label}: a city without any community in scope"),
            "Street" => assert!(allowed.communities.iter().any(|c| facts.street_of[c] == uuid), "{label}: street {uuid} outside the scope"),
            "Community" => assert!(allowed.communities.contains(&uuid), "{label}: community {uuid} outside the scope"),
            "PartyMember" => {
                let (c, p) = facts.member[&uuid];
                assert!(allowed.communities.contains(&c) && (allowed.staff || allowed.person == Some(p)), "{label}: member {uuid}");
            }
            // A project's broker: units are public within the scope (the organisation suite's rule).
            "CoBuildingUnit" => assert!(!allowed.communities.is_empty(), "{label}: a unit shown to a caller without a scope"),
            k => {
                let c = home.community.get(&(k.to_owned(), uuid)).unwrap_or_else(|| panic!("{label}: {k} {uuid} is in no table"));
                assert!(allowed.communities.contains(c), "{label}: {k} {uuid} outside the scope");
                let project = match k {
                    "Project" => Some(uuid),
                    "ProjectMilestone" => Some(home.milestone[&uuid]),
                    _ => None,
                };
                if let Some(p) = project {
                    let (compound, broker) = home.project[&p];
                    assert!(allowed.project(compound, broker), "{label}: {k} {uuid} of a project the caller has no part in");
                }
                if k == "LedgerEntry" {
                    assert!(
                        allowed.ledger_entries(home.ledger[&uuid]),
                        "{label}: ledger entry {uuid} shown outside staff and the committee"
                    );
                }
                let case = match k {
                    "ArrearsCase" => Some(uuid),
                    "ArrearsContact" => Some(home.contact[&uuid]),
                    _ => None,
                };
                if let Some(case) = case {
                    let (compound, building) = home.arrears[&case];
                    assert!(
                        allowed.arrears(compound, building),
                        "{label}: {k} {uuid} shown outside staff, the committee and the building's leader"
                    );
                }
                if k == "Task" {
                    let shared = allowed.unit.is_some_and(|u| home.shares.get(&uuid).is_some_and(|s| s.contains(&u)));
                    assert!(allowed.staff || shared, "{label}: task {uuid} shown outside the staff and its units");
                }
                if k == "BuildingLeader" {
                    assert!(allowed.names, "{label}: a leader shown where names are not");
                    let (person, status, compound, _) = home.leader[&uuid];
                    if !matches!(status, LeaderStatus::Active | LeaderStatus::Ended) {
                        let may = allowed.staff || allowed.person == Some(person) || allowed.role_compounds.contains(&compound);
                        assert!(may, "{label}: a selection in progress shown to someone outside it");
                    }
                }
            }
        }
    }
    check_home_people(label, data, allowed);
}

/// Names and contacts: none without names; phones in full only for staff and the person.
fn check_home_people(label: &str, value: &Value, allowed: &HomeAllowed) {
    match value {
        Value::Object(map) => {
            if map.contains_key("name") && map.contains_key("personalDataVisible") {
                assert!(allowed.names, "{label}: a person's name shown: {value}");
                let visible = map["personalDataVisible"].as_bool().unwrap();
                if visible {
                    assert!(allowed.staff || allowed.person.is_some(), "{label}: contact shown in full: {value}");
                } else {
                    assert!(map["phone"].as_str().is_none_or(|p| p.contains("****")), "{label}: phone not masked: {value}");
                }
            }
            map.values().for_each(|v| check_home_people(label, v, allowed));
        }
        Value::Array(items) => items.iter().for_each(|v| check_home_people(label, v, allowed)),
        _ => {}
    }
}

/// Households: for staff and structure readers in full, for a member only of the buildings they lead.
fn check_households(label: &str, data: &Value, home: &HomeFacts, leads: &HashSet<Uuid>, all: bool) {
    for h in data["homes"]["edges"].as_array().unwrap().iter().map(|e| &e["node"]).chain(std::iter::once(&data["home"])) {
        for b in h["buildings"].as_array().into_iter().flatten() {
            let uuid = decode(b["id"].as_str().unwrap()).unwrap().1;
            let expected = if all || leads.contains(&uuid) { json!(home.households[&uuid]) } else { Value::Null };
            assert_eq!(b["households"], expected, "{label}: households of {uuid}");
        }
    }
}

async fn home_probe(app: &TestApp, token: &str, foreign: &[String], community: Uuid, home: Uuid) -> Value {
    app.ok(
        Some(token),
        HOME_PROBE,
        json!({ "foreign": foreign, "community": global_id("Community", community).to_string(), "home": global_id("Home", home).to_string() }),
    )
    .await
}

both_backends! {
    async fn every_principal_sees_homes_only_within_its_scope(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        gongzhi::home::demo::seed(&app.db, "meiling-street").await.unwrap();
        gongzhi::home::demo::seed_affairs(&app.db, "meiling-street").await.unwrap();
        // A resident of 奥林春天 and one of 香梅花都, its neighbour in 梅庭莱.
        let mut residents = Vec::new();
        for (n, name) in [(1, "奥林春天"), (2, "香梅花都")] {
            let c = compound::Entity::find().filter(compound::Column::Name.eq(name)).one(&app.db).await.unwrap().unwrap();
            let input = json!({ "i": { "name": format!("住户{n}"), "phone": format!("1350000{n:04}"),
                "residence": { "compoundId": global_id("Compound", c.id).to_string(), "door": format!("{n}栋10{n}"), "since": "2021-01-01" } } });
            let d = app.ok(Some(&app.token(Role::CommunityStaff, "meitinglai")), "mutation($i: RegisterResidentInput!) { registerResident(input: $i) { residence { person { id uuid } } } }", input).await;
            let person: Uuid = d["registerResident"]["residence"]["person"]["uuid"].as_str().unwrap().parse().unwrap();
            residents.push((format!("resident of {name}"), person, c.id));
        }
        let lives_in: HashMap<Uuid, Uuid> = residents.iter().map(|(_, p, c)| (*p, *c)).collect();
        let facts = Facts::read(&app).await;
        let home = HomeFacts::read(&app).await;
        let meitinglai = facts.community_by_code["meitinglai"];
        let aolin = compound::Entity::find().filter(compound::Column::Name.eq("奥林春天")).one(&app.db).await.unwrap().unwrap();
        let meiling_street = facts.street_by_code["meiling-street"];
        let street_communities = facts.communities_of_street(meiling_street);
        let b = backend.name();

        // The roles of 奥林春天: its branch's secretary, a committee member, a leader, and a
        // resident member of 梅庭莱 with none of them.
        let branch = party_organization::Entity::find()
            .filter(party_organization::Column::CompoundId.eq(aolin.id))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let secretary = facts.member[&branch.secretary_id.unwrap()].1;
        let committee_person = home
            .committee_of
            .iter()
            .find(|(p, cs)| cs.contains(&(meitinglai, aolin.id)) && **p != secretary)
            .map(|(p, _)| *p)
            .unwrap();
        let leader_person = home
            .leader
            .values()
            .find(|(p, s, c, _)| *s == LeaderStatus::Active && *c == aolin.id && *p != secretary && *p != committee_person)
            .map(|(p, ..)| *p)
            .unwrap();
        // What a person's roles open: the compounds they speak for, the buildings they lead.
        let roles = |p: Uuid| -> (HashSet<Uuid>, HashSet<Uuid>) {
            let mut compounds: HashSet<Uuid> = home.committee_of.get(&p).into_iter().flatten().map(|(_, c)| *c).collect();
            if p == secretary {
                compounds.insert(aolin.id);
            }
            let leads = home.leader.iter().filter(|(_, (lp, s, ..))| *lp == p && *s == LeaderStatus::Active).map(|(_, (.., b))| *b).collect();
            (compounds, leads)
        };
        let plain = facts
            .member
            .values()
            .filter(|(c, _)| *c == meitinglai)
            .map(|(_, p)| *p)
            .find(|p| {
                !home.committee_of.contains_key(p)
                    && !home.leader.values().any(|(lp, ..)| lp == p)
                    && facts.member.values().filter(|(_, q)| q == p).count() == 1
                    && *p != secretary
            })
            .unwrap();
        let in_meitinglai: HashSet<Uuid> = [meitinglai].into();
        let member = |person: Uuid| {
            let (role_compounds, leads) = roles(person);
            let committee = home.committee_of.get(&person).into_iter().flatten().map(|(_, c)| *c).collect();
            let allowed = HomeAllowed {
                communities: facts.person_links[&person].clone(),
                staff: false,
                names: true,
                person: Some(person),
                role_compounds,
                committee,
                unit: None,
                lives_in: lives_in.get(&person).copied(),
                leads: leads.clone(),
            };
            (app.token(Role::Member, &person.to_string()), allowed, leads)
        };
        let structure = |communities: HashSet<Uuid>| HomeAllowed {
            communities,
            staff: false,
            names: false,
            person: None,
            role_compounds: HashSet::new(),
            committee: HashSet::new(),
            unit: None,
            lives_in: None,
            leads: HashSet::new(),
        };
        let unit = |u: Uuid| HomeAllowed { unit: Some(u), ..structure(facts.seats[&u].clone()) };
        let staff = |communities: HashSet<Uuid>| HomeAllowed { staff: true, names: true, ..structure(communities) };
        // A unit seated in 梅庭莱, and one that is not.
        let mut units: Vec<(&String, &Uuid)> = facts.unit_by_code.iter().collect();
        units.sort();
        let (seated_code, seated) = units.iter().find(|(_, u)| facts.seats.get(*u).is_some_and(|s| s.contains(&meitinglai))).unwrap();
        let (elsewhere_code, elsewhere) =
            units.iter().find(|(_, u)| facts.seats.get(*u).is_some_and(|s| !s.is_empty() && !s.contains(&meitinglai))).unwrap();
        // The unit brokering 奥林春天's car park, and a unit seated in 梅庭莱 that does not.
        let car_park = home.project.values().find(|(c, _)| *c == aolin.id).unwrap().1;
        let (broker_code, _) = units.iter().find(|(_, u)| **u == car_park).unwrap();
        let (bystander_code, bystander) =
            units.iter().find(|(_, u)| **u != car_park && facts.seats.get(*u).is_some_and(|s| s.contains(&meitinglai))).unwrap();

        let cases: Vec<(&str, String, HomeAllowed, HashSet<Uuid>, bool)> = vec![
            ("city admin", app.token(Role::CityAdmin, "jinjiang"), structure(facts.communities.clone()), HashSet::new(), true),
            ("street admin", app.street_admin(), staff(street_communities.clone()), HashSet::new(), true),
            ("community admin", app.token(Role::CommunityAdmin, "meitinglai"), staff(in_meitinglai.clone()), HashSet::new(), true),
            ("community staff", app.token(Role::CommunityStaff, "meitinglai"), staff(in_meitinglai.clone()), HashSet::new(), true),
            ("unit seated in 梅庭莱", app.token(Role::Unit, seated_code), unit(**seated), HashSet::new(), true),
            ("unit seated elsewhere", app.token(Role::Unit, elsewhere_code), unit(**elsewhere), HashSet::new(), true),
            ("unit brokering the car park", app.token(Role::Unit, broker_code), unit(car_park), HashSet::new(), true),
            ("unit seated beside the broker", app.token(Role::Unit, bystander_code), unit(**bystander), HashSet::new(), true),
            ("reporter", app.token(Role::Reporter, "meiling-street"), structure(street_communities.clone()), HashSet::new(), true),
        ];
        let mut cases = cases;
        for (who, person) in [("secretary", secretary), ("committee member", committee_person), ("leader", leader_person), ("resident member", plain)] {
            let (token, allowed, leads) = member(person);
            cases.push((who, token, allowed, leads, false));
        }
        for (who, person, _) in &residents {
            let (token, allowed, leads) = member(*person);
            cases.push((who.as_str(), token, allowed, leads, false));
        }
        for (who, token, allowed, leads, all_households) in cases {
            let label = format!("[{b}] {who}");
            let foreign = home.foreign(&allowed.communities);
            assert!(foreign.len() > 20 || allowed.communities.len() > 10, "{label}: ids to probe with");
            let data = home_probe(&app, &token, &foreign, meitinglai, aolin.id).await;
            check_home(&label, &data, &facts, &home, &allowed);
            assert_all_null(&label, &data);
            assert_eq!(data["cities"][0]["code"], "jinjiang", "{label}");
            let sees_meitinglai = allowed.communities.contains(&meitinglai);
            assert_eq!(data["home"].is_object(), sees_meitinglai, "{label}");
            if !sees_meitinglai {
                assert_eq!(data["homes"]["totalCount"], 0, "{label}");
                continue;
            }
            check_households(&label, &data, &home, &leads, all_households);
            let h = &data["home"];
            assert_eq!(h["buildings"].as_array().unwrap().len(), 9, "{label}: structure is seen");
            assert_eq!(h["managementMode"], "COMPANY", "{label}");
            assert!(h["propertyManager"].is_object() && h["ownersCommittee"].is_object(), "{label}");
            let projects = h["projects"].as_array().unwrap();
            assert_eq!(projects.len(), usize::from(allowed.project(aolin.id, car_park)), "{label}: the car park");
            if let Some(p) = projects.first() {
                assert_eq!(p["milestones"].as_array().unwrap().len(), 4, "{label}");
                let sees_task = allowed.staff || allowed.unit == Some(car_park);
                assert_eq!(p["tasks"].as_array().unwrap().len(), usize::from(sees_task), "{label}: the car park's task");
            }
            // 奥林春天's car-park income: totals for staff, the committee and its residents; the
            // entries for staff and the committee.
            assert_eq!(!h["ledgerTotals"].as_array().unwrap().is_empty(), allowed.ledger_totals(aolin.id), "{label}: ledger totals");
            assert_eq!(h["ledgerEntries"].as_array().unwrap().is_empty(), !allowed.ledger_entries(aolin.id), "{label}: ledger entries");
            // 奥林春天's arrears: every case for staff and the committee, a leader's building's
            // for the leader, none for anyone else (its residents included).
            let expected = home.arrears.values().filter(|(c, b)| *c == aolin.id && allowed.arrears(*c, *b)).count();
            assert_eq!(h["arrearsCases"].as_array().unwrap().len(), expected, "{label}: arrears cases");
            let all = home.arrears.values().filter(|(c, _)| *c == aolin.id).count();
            assert_eq!(all, 5, "{label}: the demo's cases of 奥林春天");
            if allowed.lives_in.is_some() {
                assert_eq!(expected, 0, "{label}: a resident sees no arrears case, not even of their compound");
            }
            let members = h["ownersCommittee"]["members"].as_array().unwrap();
            let leader = &h["buildings"][0]["leader"];
            let proposed = h["leaderSelections"].as_array().unwrap().iter().filter(|s| s["status"] == "PROPOSED").count();
            if allowed.names {
                assert!(!members.is_empty() && leader.is_object(), "{label}: names inside the community");
                let opens = allowed.staff || !allowed.role_compounds.is_empty();
                assert_eq!(proposed, usize::from(opens), "{label}: the waiting application");
            } else {
                assert!(members.is_empty() && leader.is_null() && h["leaderSelections"] == json!([]), "{label}: no people at all");
            }
            // Refetching what it was shown answers the same; refetching a leader is names-only.
            let mut shown = Vec::new();
            collect_ids(&data["home"], &mut shown);
            let again = app.ok(Some(&token), "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Node { id } } }", json!({ "ids": shown.iter().take(100).collect::<Vec<_>>() })).await;
            for (n, id) in again["nodes"].as_array().unwrap().iter().zip(&shown) {
                assert_eq!(n["id"].as_str(), Some(id.as_str()), "{label}: {id} could not be refetched");
            }
        }

        // The city: its streets, each street its communities, for the city's staff; one street
        // for its own staff.
        let city = app.ok(Some(&app.token(Role::CityAdmin, "jinjiang")), "{ cities { streets { code communities { totalCount } } } }", json!({})).await;
        let streets: Vec<&str> = city["cities"][0]["streets"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect();
        assert_eq!(streets, ["meiling-street", "qingyang-street"], "[{b}]");
        assert_eq!(city["cities"][0]["streets"][0]["communities"]["totalCount"], 15);
        let street = app.ok(Some(&app.street_admin()), "{ cities { id streets { code } } }", json!({})).await;
        assert_eq!(street["cities"][0]["streets"], json!([{ "code": "meiling-street" }]), "[{b}]");
        let city_id = street["cities"][0]["id"].clone();
        let refetch = "query($id: ID!) { node(id: $id) { ... on City { code } } }";
        assert_eq!(app.ok(Some(&app.street_admin()), refetch, json!({ "id": city_id })).await["node"]["code"], "jinjiang");

        // Nobody without a credential.
        let h = global_id("Home", aolin.id).to_string();
        for query in ["{ cities { id } }", "query($h: ID!) { home(compoundId: $h) { id } }", "query($h: ID!) { node(id: $h) { id } }"] {
            assert_eq!(app.error_code(None, query, json!({ "h": h })).await, "UNAUTHENTICATED", "[{b}] {query}");
        }
        let c = global_id("Community", meitinglai).to_string();
        assert_eq!(app.error_code(None, "query($c: ID!) { homes(communityId: $c) { totalCount } }", json!({ "c": c })).await, "UNAUTHENTICATED");
    }
}

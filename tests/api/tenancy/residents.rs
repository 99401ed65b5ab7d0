//! Residents and their residences per principal: a person sees their own residence, staff of a
//! community its residents, nobody else any residence or door number, through every root field
//! (`myResidence`, `residents`, `residenceHistory`) and `node(id:)`. The resident principal (a
//! person's token whose tie to the community is where they live) sees the organisation graph of
//! their community and their own record only.

use super::*;

/// A resident registered for the suite: person, residence, community, door.
struct Stay {
    person: Uuid,
    residence: Uuid,
    community: Uuid,
    door: String,
}

const REGISTER: &str = "mutation($i: RegisterResidentInput!) { registerResident(input: $i) { residence { id person { id uuid } } } }";
const MOVE: &str = "mutation($i: MoveResidentInput!) { moveResident(input: $i) { residence { id } } }";

const FIELDS: &str = "fragment R on Residence { id door since until current person { id uuid name phone personalDataVisible } community { id } compound { id } building { label } home { compound { id } } }";

async fn compounds_of(app: &TestApp, community: Uuid) -> Vec<Uuid> {
    let mut c: Vec<Uuid> = compound::Entity::find()
        .filter(compound::Column::CommunityId.eq(community))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    c.sort();
    c
}

async fn register(app: &TestApp, staff: &str, community: Uuid, compound: Uuid, n: u32) -> Stay {
    let door = format!("{n}单元{n}0{n}");
    let input = json!({ "i": { "name": format!("居民{n}"), "phone": format!("1360000{n:04}"),
        "residence": { "compoundId": global_id("Compound", compound).to_string(), "door": door, "since": "2019-01-01" } } });
    let d = app.ok(Some(staff), REGISTER, input).await;
    let r = &d["registerResident"]["residence"];
    Stay {
        person: r["person"]["uuid"].as_str().unwrap().parse().unwrap(),
        residence: decode(r["id"].as_str().unwrap()).unwrap().1,
        community,
        door,
    }
}

/// A principal of the suite: who, its token, the communities whose residences it sees in full,
/// the person whose own it sees, and what it sees of the organisation graph.
type Case<'a> = (&'a str, String, HashSet<Uuid>, Option<Uuid>, Allowed);

/// The probe: the caller's residence, each community's residents, every resident's history, and
/// every residence refetched.
fn probe_query(stays: &[Stay], communities: &[(String, Uuid)]) -> String {
    let mut q = String::from("query($ids: [ID!]!) { myResidence { ...R }\n");
    for (alias, c) in communities {
        q += &format!(
            "{alias}: residents(communityId: \"{}\", includeEnded: true, first: 100) {{ totalCount edges {{ node {{ ...R }} }} }}\n",
            *global_id("Community", *c)
        );
    }
    for (i, s) in stays.iter().enumerate() {
        q += &format!("h{i}: residenceHistory(personId: \"{}\") {{ ...R }}\n", s.person);
    }
    q += "nodes(ids: $ids) { __typename ... on Residence { ...R } } }\n";
    q + FIELDS
}

both_backends! {
    async fn residences_are_seen_by_the_person_and_their_communitys_staff_only(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let pre = Facts::read(&app).await;
        let (meitinglai, zhuyuan, qingyang) = (pre.community_by_code["meitinglai"], pre.community_by_code["zhuyuan"], pre.community_by_code["qingyang"]);
        let m = compounds_of(&app, meitinglai).await;
        let z = compounds_of(&app, zhuyuan).await;
        let q = compounds_of(&app, qingyang).await;
        let (m_staff, z_staff, q_staff) =
            (app.token(Role::CommunityStaff, "meitinglai"), app.token(Role::CommunityStaff, "zhuyuan"), app.token(Role::CommunityStaff, "qingyang"));
        let mut stays = vec![
            register(&app, &m_staff, meitinglai, m[0], 1).await,
            register(&app, &m_staff, meitinglai, m[1], 2).await,
            register(&app, &z_staff, zhuyuan, z[0], 3).await,
            register(&app, &q_staff, qingyang, q[0], 4).await,
        ];
        // The second resident moves inside 梅庭莱: an ended stay beside the current one.
        let moved = app
            .ok(Some(&m_staff), MOVE, json!({ "i": { "residenceId": global_id("Residence", stays[1].residence).to_string(),
                "to": { "compoundId": global_id("Compound", m[2]).to_string(), "door": "9单元909", "since": "2024-01-01" } } }))
            .await;
        stays.push(Stay {
            person: stays[1].person,
            residence: decode(moved["moveResident"]["residence"]["id"].as_str().unwrap()).unwrap().1,
            community: meitinglai,
            door: "9单元909".into(),
        });
        let facts = Facts::read(&app).await;
        let street = facts.communities_of_street(facts.street_by_code["meiling-street"]);
        let communities = vec![("m".to_owned(), meitinglai), ("z".to_owned(), zhuyuan), ("q".to_owned(), qingyang)];
        let query = probe_query(&stays, &communities);
        let ids: Vec<String> = stays.iter().map(|s| global_id("Residence", s.residence).to_string()).collect();

        let member = party_member::Entity::find().filter(party_member::Column::CommunityId.eq(zhuyuan)).one(&app.db).await.unwrap().unwrap();
        let seated = facts.seats.iter().find(|(_, cs)| cs.contains(&meitinglai)).map(|(u, _)| *u).unwrap();
        let seated_code = facts.unit_by_code.iter().find(|(_, u)| **u == seated).map(|(c, _)| c.clone()).unwrap();
        let person_token = |p: Uuid| app.token(Role::Member, &p.to_string());
        // (who, token, the communities whose residences are all seen, the person whose own are, structure rule)
        let cases: Vec<Case> = vec![
            ("city admin", app.token(Role::CityAdmin, "jinjiang"), HashSet::new(), None, Allowed::structure(&facts, facts.communities.clone())),
            ("street admin", app.street_admin(), street.clone(), None, Allowed::staff(&facts, street.clone())),
            ("community admin of 梅庭莱", app.token(Role::CommunityAdmin, "meitinglai"), [meitinglai].into(), None, Allowed::staff(&facts, [meitinglai])),
            ("community staff of 竹园", z_staff.clone(), [zhuyuan].into(), None, Allowed::staff(&facts, [zhuyuan])),
            ("community staff of 青阳", q_staff.clone(), [qingyang].into(), None, Allowed::staff(&facts, [qingyang])),
            ("unit seated in 梅庭莱", app.token(Role::Unit, &seated_code), HashSet::new(), None, Allowed::unit(&facts, seated, facts.seats[&seated].clone())),
            ("reporter", app.token(Role::Reporter, "meiling-street"), HashSet::new(), None, Allowed::structure(&facts, street.clone())),
            ("party member of 竹园", person_token(member.person_id), HashSet::new(), Some(member.person_id), Allowed::member(&facts, member.person_id, [zhuyuan])),
            ("resident of 梅庭莱", person_token(stays[0].person), HashSet::new(), Some(stays[0].person), Allowed::member(&facts, stays[0].person, [meitinglai])),
            ("moved resident", person_token(stays[1].person), HashSet::new(), Some(stays[1].person), Allowed::member(&facts, stays[1].person, [meitinglai])),
            ("resident of 青阳", person_token(stays[3].person), HashSet::new(), Some(stays[3].person), Allowed::member(&facts, stays[3].person, [qingyang])),
        ];
        for (who, token, staff_of, me, allowed) in cases {
            let label = format!("[{b}] {who}");
            let sees = |s: &Stay| staff_of.contains(&s.community) || me == Some(s.person);
            let data = app.ok(Some(&token), &query, json!({ "ids": ids })).await;
            check_ids(&label, &data, &facts, &allowed);
            // Every residence shown is one the caller may see, and its door with it; no other door.
            let mut shown = Vec::new();
            collect_ids(&data, &mut shown);
            for (kind, uuid) in shown.iter().filter_map(|id| decode(id)) {
                if kind == "Residence" {
                    let s = stays.iter().find(|s| s.residence == uuid).unwrap_or_else(|| panic!("{label}: unknown residence {uuid}"));
                    assert!(sees(s), "{label}: residence {uuid} outside the scope");
                }
            }
            let text = data.to_string();
            for s in stays.iter().filter(|s| !sees(s)) {
                assert!(!text.contains(&s.door), "{label}: the door {} leaked", s.door);
            }
            // Lists are complete within the scope, and refetching answers the same.
            for (alias, c) in &communities {
                let expected = stays.iter().filter(|s| s.community == *c && sees(s)).count();
                assert_eq!(data[alias]["totalCount"], expected, "{label}: residents of {alias}");
                assert_eq!(data[alias]["edges"].as_array().unwrap().len(), expected, "{label}: residents of {alias}");
            }
            for (n, s) in data["nodes"].as_array().unwrap().iter().zip(&stays) {
                assert_eq!(n.is_object() && n["id"].is_string(), sees(s), "{label}: node of {}", s.residence);
            }
            for (i, s) in stays.iter().enumerate().take(4) {
                let expected = stays.iter().filter(|t| t.person == s.person && sees(t)).count();
                assert_eq!(data[format!("h{i}")].as_array().unwrap().len(), expected, "{label}: history of resident {i}");
            }
            // A person's own current residence; nobody else has one.
            let own = stays.iter().rev().find(|s| Some(s.person) == me);
            match own {
                Some(s) => assert_eq!(data["myResidence"]["door"], s.door.as_str(), "{label}"),
                None => assert!(data["myResidence"].is_null(), "{label}"),
            }
        }

        // The resident principal through the organisation graph: their community, their own record.
        let resident = &stays[0];
        let data = probe(&app, &person_token(resident.person), &ids_of(&app, "meiling").await, "heshan").await;
        let label = format!("[{b}] resident");
        check(&label, &data, &facts, &Allowed::member(&facts, resident.person, [meitinglai]));
        assert_all_null(&label, &data);
        assert_eq!(data["viewer"]["kind"], "MEMBER", "{label}: one principal for a person");
        assert_eq!(data["viewer"]["person"]["personalDataVisible"], true, "{label}");
        assert_eq!(data["communities"]["totalCount"], 1, "{label}");
        assert_eq!(data["communities"]["edges"][0]["node"]["members"]["totalCount"], 0, "{label}: no party members' records");

        // Nobody without a credential.
        for q in ["{ myResidence { id } }", "query($c: ID!) { residents(communityId: $c) { totalCount } }", "query($c: ID!) { residenceHistory(personId: $c) { id } }"] {
            let vars = json!({ "c": global_id("Community", meitinglai).to_string() });
            assert_eq!(app.error_code(None, q, vars).await, "UNAUTHENTICATED", "[{b}] {q}");
        }
        assert_eq!(app.error_code(None, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": ids[0] })).await, "UNAUTHENTICATED");
    }
}

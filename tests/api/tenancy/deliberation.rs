//! Consultative democracy per principal: venues, enterprises, appeals, the public boards and
//! meetings with their agenda and actions through every root field (`venues`, `enterprises`,
//! `appeals`, `board`, `meetings`) and `node(id:)`, for every kind of principal, the
//! resident among them. Two neighbourhoods of the demo street (each with a community of its own
//! and another community beside it) hold the rows; each caller must see exactly its share.

use std::collections::BTreeSet;

use crate::deliberation::fixtures::{Neighbourhood, raise};
use crate::fixtures::Fixture;

use super::*;

const PROBE_D: &str = r#"query($a: ID!, $b: ID!, $as: ID!, $asu: ID!, $bs: ID!, $ids: [ID!]!) {
  va: venues(communityId: $a) { id kind convenor { id name phone personalDataVisible } }
  vb: venues(communityId: $b) { id kind convenor { id name phone personalDataVisible } }
  ea: enterprises(communityId: $a) { id name }
  eb: enterprises(communityId: $b) { id name }
  appeals(first: 100) { totalCount edges { node { id title raiser { id name phone personalDataVisible } enterprise { id } } } }
  boards: board(compoundId: $as, first: 100) { totalCount edges { node { id appeal { id } } } }
  boardsu: board(compoundId: $asu, first: 100) { totalCount edges { node { id appeal { id } } } }
  boardc: board(communityId: $a, first: 100) { totalCount edges { node { id appeal { id } } } }
  boardb: board(compoundId: $bs, first: 100) { totalCount edges { node { id appeal { id } } } }
  boardbc: board(communityId: $b, first: 100) { totalCount edges { node { id appeal { id } } } }
  pledges(first: 100) { totalCount edges { node { id } } }
  meetings(first: 100) { totalCount edges { node { id agenda { id actions { id } } } } }
  nodes(ids: $ids) { __typename ... on Node { id } }
}"#;

fn ids_at(data: &Value, pointer: &str) -> BTreeSet<String> {
    let mut out = Vec::new();
    collect_ids(data.pointer(pointer).unwrap_or(&Value::Null), &mut out);
    out.into_iter().filter(|id| decode(id).is_some()).collect()
}

fn global(kind: &str, ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|id| (*id).clone()).filter(|id| decode(id).is_some_and(|(k, _)| k == kind)).collect()
}

/// What one caller may see: venues of these communities (with convenors or not), enterprises
/// and appeals by id, and whose phones in full.
struct May {
    venues: BTreeSet<String>,
    convenors: bool,
    enterprises: BTreeSet<String>,
    appeals: BTreeSet<String>,
    /// People whose contact is shown in full: staff see everyone's, a person their own.
    clear: Option<BTreeSet<String>>,
}

both_backends! {
    async fn every_principal_sees_venues_enterprises_and_appeals_only_within_its_scope(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let a: Neighbourhood = Fixture::neighbourhood(&app, "甲").await;
        let bn: Neighbourhood = Fixture::neighbourhood(&app, "乙").await;
        let a1 = raise(&app, &a.raiser, "甲春苑一").await;
        let a2 = raise(&app, &a.summer_resident, "甲夏苑二").await;
        let enterprise_raise = json!({ "i": { "title": "甲企业三", "description": "d", "category": "BUSINESS", "enterpriseId": a.enterprise,
            "communityId": a.community.id, "site": "工业路" } });
        let d = app.ok(Some(&a.staff(&app)), crate::deliberation::fixtures::RAISE, enterprise_raise).await;
        let a3 = d["raiseAppeal"]["appeal"]["id"].as_str().unwrap().to_owned();
        let b1 = raise(&app, &bn.raiser, "乙春苑一").await;
        // A meeting of 甲 inviting its station's convenor and its seated unit, with a decided item
        // and an action.
        let (meeting, _) = crate::deliberation::meetings::schedule(&app, &a, "甲联席会议").await;
        let staff_a = a.staff(&app);
        let d = app.ok(Some(&staff_a), crate::deliberation::meetings::ADD_ITEM, json!({ "i": { "meetingId": meeting, "title": "甲议题" } })).await;
        let item = d["addAgendaItem"]["agendaItem"]["id"].as_str().unwrap().to_owned();
        app.ok(Some(&staff_a), crate::deliberation::meetings::RECORD, json!({ "i": { "meetingId": meeting, "minutes": "纪要" } })).await;
        app.ok(Some(&staff_a), crate::deliberation::meetings::DECIDE, json!({ "i": { "agendaItemId": item, "decision": "同意" } })).await;
        let d = app.ok(Some(&staff_a), crate::deliberation::meetings::ADD_ACTION, json!({ "i": { "agendaItemId": item, "title": "落实",
            "dueOn": "2027-01-15", "owner": { "kind": "PERSON", "id": a.convenor.person } } })).await;
        let action = d["addActionItem"]["actionItem"]["id"].as_str().unwrap().to_owned();
        let meeting_rows: BTreeSet<String> = [meeting.clone(), item.clone(), action.clone()].into_iter().collect();
        // A pledge of 甲's seated unit, made by the unit for itself.
        let d = app.ok(Some(&a.unit.token(&app)), "mutation($i: MakePledgeInput!) { makePledge(input: $i) { pledge { id } } }",
            json!({ "i": { "communityId": a.community.id, "campaign": "FOR_SOCIETY", "pledger": { "kind": "UNIT", "id": a.unit.id },
                "title": "义务检修", "dueOn": "2027-01-01" } })).await;
        let pledge = d["makePledge"]["pledge"]["id"].as_str().unwrap().to_owned();
        let venues_of = |n: &Neighbourhood| [n.station.clone(), n.centre.clone()];
        let all_venues: Vec<String> = venues_of(&a).into_iter().chain(venues_of(&bn)).collect();
        let all: Vec<String> = all_venues
            .iter()
            .cloned()
            .chain([a.enterprise.clone(), bn.enterprise.clone(), a1.clone(), a2.clone(), a3.clone(), b1.clone()])
            .chain([&a1, &a2, &a3, &b1].into_iter().map(|id| on_board(id)))
            .chain(meeting_rows.iter().cloned())
            .chain([pledge.clone()])
            .collect();
        let set = |items: &[&String]| items.iter().map(|s| (*s).clone()).collect::<BTreeSet<String>>();
        let none = BTreeSet::new;
        let va: BTreeSet<String> = venues_of(&a).into_iter().collect();
        let vb: BTreeSet<String> = venues_of(&bn).into_iter().collect();
        let both: BTreeSet<String> = va.union(&vb).cloned().collect();
        let person = |p: uuid::Uuid| Some([p.to_string()].into_iter().collect::<BTreeSet<_>>());
        let city = app.token(Role::CityAdmin, "jinjiang");
        let cases: Vec<(&str, String, May)> = vec![
            ("city admin", city, May { venues: both.clone(), convenors: false, enterprises: none(), appeals: none(), clear: None }),
            ("street admin", a.street(&app), May { venues: both.clone(), convenors: true, enterprises: set(&[&a.enterprise, &bn.enterprise]), appeals: set(&[&a1, &a2, &a3, &b1]), clear: Some(none()) }),
            ("community admin of 甲", a.community.admin(&app), May { venues: va.clone(), convenors: true, enterprises: set(&[&a.enterprise]), appeals: set(&[&a1, &a2, &a3]), clear: Some(none()) }),
            ("community staff of 乙", bn.staff(&app), May { venues: vb.clone(), convenors: true, enterprises: set(&[&bn.enterprise]), appeals: set(&[&b1]), clear: Some(none()) }),
            ("staff of 甲's neighbour community", a.other.staff(&app), May { venues: none(), convenors: true, enterprises: none(), appeals: none(), clear: Some(none()) }),
            ("unit seated in 甲", a.unit.token(&app), May { venues: va.clone(), convenors: false, enterprises: none(), appeals: none(), clear: None }),
            ("reporter", a.reporter(&app), May { venues: both.clone(), convenors: false, enterprises: none(), appeals: none(), clear: None }),
            ("resident raiser of 甲", a.raiser.token(&app), May { venues: va.clone(), convenors: true, enterprises: none(), appeals: set(&[&a1]), clear: person(a.raiser.person) }),
            ("other resident of 甲", a.neighbour.token(&app), May { venues: va.clone(), convenors: true, enterprises: none(), appeals: none(), clear: person(a.neighbour.person) }),
            ("resident of 甲's 夏苑", a.summer_resident.token(&app), May { venues: va.clone(), convenors: true, enterprises: none(), appeals: set(&[&a2]), clear: person(a.summer_resident.person) }),
            ("convenor of 甲's station", a.convenor.token(&app), May { venues: va.clone(), convenors: true, enterprises: none(), appeals: set(&[&a1]), clear: person(a.convenor.person_uuid()) }),
            ("resident of another community", a.stranger.token(&app), May { venues: none(), convenors: true, enterprises: none(), appeals: none(), clear: person(a.stranger.person) }),
            ("resident raiser of 乙", bn.raiser.token(&app), May { venues: vb.clone(), convenors: true, enterprises: none(), appeals: set(&[&b1]), clear: person(bn.raiser.person) }),
        ];
        // The boards each caller reads: a resident their compound's and their community's, staff
        // their communities', nobody else any.
        let boards_of = |who: &str| -> BTreeSet<String> {
            let ids: Vec<&String> = match who {
                "street admin" => vec![&a1, &a2, &a3, &b1],
                "community admin of 甲" => vec![&a1, &a2, &a3],
                "community staff of 乙" | "resident raiser of 乙" => vec![&b1],
                "resident raiser of 甲" | "other resident of 甲" => vec![&a1, &a3],
                "resident of 甲's 夏苑" => vec![&a2, &a3],
                _ => vec![],
            };
            ids.into_iter().map(|id| on_board(id)).collect()
        };
        for (who, token, may) in cases {
            let label = format!("[{b}] {who}");
            let vars = json!({ "a": a.community.id, "b": bn.community.id, "as": a.spring, "asu": a.summer, "bs": bn.spring, "ids": all });
            let data = app.ok(Some(&token), PROBE_D, vars).await;
            let boards: BTreeSet<String> = ["boards", "boardsu", "boardc", "boardb", "boardbc"]
                .iter()
                .flat_map(|k| data[*k]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()))
                .collect();
            assert_eq!(boards, boards_of(who), "{label}: boards");
            // A meeting, its agenda and actions: staff of 甲 and the street, and 甲's invitees.
            let meetings_seen = matches!(who, "street admin" | "community admin of 甲" | "unit seated in 甲" | "convenor of 甲's station");
            let mut listed = Vec::new();
            collect_ids(&data["meetings"], &mut listed);
            let listed: BTreeSet<String> = listed.into_iter().collect();
            let expected_meetings = if meetings_seen { meeting_rows.clone() } else { BTreeSet::new() };
            assert_eq!(listed, expected_meetings, "{label}: meetings");
            // The pledge: staff of 甲 and the street, and its pledger.
            let pledge_seen = matches!(who, "street admin" | "community admin of 甲" | "unit seated in 甲");
            let pledges: BTreeSet<String> = ids_at(&data, "/pledges");
            let expected_pledges: BTreeSet<String> = if pledge_seen { [pledge.clone()].into_iter().collect() } else { BTreeSet::new() };
            assert_eq!(pledges, expected_pledges, "{label}: pledges");
            let venues: BTreeSet<String> = ids_at(&data, "/va").union(&ids_at(&data, "/vb")).filter(|&id| decode(id).unwrap().0 == "Venue").cloned().collect();
            assert_eq!(venues, may.venues, "{label}: venues");
            let enterprises: BTreeSet<String> = ids_at(&data, "/ea").union(&ids_at(&data, "/eb")).cloned().collect();
            assert_eq!(enterprises, may.enterprises, "{label}: enterprises");
            let appeals: BTreeSet<String> = global("Appeal", &ids_at(&data, "/appeals").iter().collect::<Vec<_>>());
            // A board's `appeal` is the full appeal only where the caller sees it in full.
            let full_through_boards: Vec<String> = ["/boards", "/boardsu", "/boardc", "/boardb", "/boardbc"].iter().flat_map(|k| global("Appeal", &ids_at(&data, k).iter().collect::<Vec<_>>())).collect();
            assert!(full_through_boards.iter().all(|id| may.appeals.contains(id)), "{label}: {full_through_boards:?}");
            assert_eq!(appeals, may.appeals, "{label}: appeals");
            assert_eq!(data["appeals"]["totalCount"], may.appeals.len(), "{label}");
            // Refetching answers exactly what the caller may see.
            let refetched: BTreeSet<String> = data["nodes"].as_array().unwrap().iter().filter_map(|n| n["id"].as_str().map(str::to_owned)).collect();
            let expected: BTreeSet<String> =
                may.venues.iter().chain(&may.enterprises).chain(&may.appeals).cloned().chain(boards_of(who)).chain(expected_meetings).chain(expected_pledges).collect();
            assert_eq!(refetched, expected, "{label}: node(id:)");
            // Convenors where names are shown; contacts in full for staff and the person only.
            for v in data["va"].as_array().unwrap().iter().chain(data["vb"].as_array().unwrap()) {
                if v["kind"] == "STATION" {
                    assert_eq!(v["convenor"].is_object(), may.convenors, "{label}: {v}");
                }
            }
            let mut people = Vec::new();
            people_in(&data, &mut people);
            for p in people {
                let id = &decode(p["id"].as_str().unwrap()).expect("a Person id").1.to_string();
                let in_clear = p["personalDataVisible"] == true;
                let may_clear = may.clear.as_ref().is_some_and(|c| c.is_empty() || c.contains(id));
                assert!(!in_clear || may_clear, "{label}: contact shown in full: {p}");
                if !in_clear {
                    assert!(p["phone"].as_str().is_none_or(|ph| ph.contains("****")), "{label}: phone not masked: {p}");
                }
            }
        }
        // Nobody without a credential.
        for q in [
            "query($c: ID!) { venues(communityId: $c) { id } }",
            "query($c: ID!) { enterprises(communityId: $c) { id } }",
            "{ appeals { totalCount } }",
            "query($c: ID!) { board(communityId: $c) { totalCount } }",
            "{ meetings { totalCount } }",
            "{ pledges { totalCount } }",
        ] {
            assert_eq!(app.error_code(None, q, json!({ "c": a.community.id })).await, "UNAUTHENTICATED", "[{b}] {q}");
        }
        assert_eq!(app.error_code(None, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": a1 })).await, "UNAUTHENTICATED");
    }
}

/// The board id of an appeal.
fn on_board(appeal: &str) -> String {
    let (_, uuid) = decode(appeal).unwrap();
    global_id("BoardAppeal", uuid).to_string()
}

/// Every object with `personalDataVisible` (a person) anywhere in `value`.
fn people_in(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("personalDataVisible") {
                out.push(value.clone());
            }
            map.values().for_each(|v| people_in(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| people_in(v, out)),
        _ => {}
    }
}

//! The tenancy suite: for each kind of principal, every root field, every connection and
//! `node(id:)` with ids from outside the scope; nothing outside the scope may come back, and
//! personal data is shown only to staff of the person's community and to the person.

use std::collections::{HashMap, HashSet};

use entity::{co_building_unit, committee_membership, community, compound, party_member, party_organization};
use gongzhi::auth::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{TestApp, backends, collect_ids, decode, ids_of};

/// Every root field and connection of the organisation graph, plus refetching `$foreign` ids.
const PROBE: &str = r#"
query Probe($foreign: [ID!]!, $other: String!) {
  viewer { kind street { id } community { id } unit { id } person { id phone personalDataVisible } communities { id code } secretaryOf { id compound { id } } }
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
  jointCommittee { id parent { id } memberships(includeEnded: true) { id unit { id } } members(first: 5) { totalCount edges { node { id person { id phone personalDataVisible } } } } }
  partyOrganizations { id kind compound { id } parent { id } children { id } secretary { id person { id phone personalDataVisible } } }
  compounds(first: 10) { totalCount edges { node { id community { id } partyBranch { id }
    members(first: 5) { totalCount edges { node { id name person { id phone personalDataVisible } branch { id } community { id } } } } } } }
  members(first: 10) { totalCount edges { node { id person { id phone personalDataVisible } } } }
}
"#;

/// Who owns what, read straight from the database.
struct Facts {
    community_by_code: HashMap<String, Uuid>,
    communities: HashSet<Uuid>,
    compound: HashMap<Uuid, Uuid>,
    organization: HashMap<Uuid, Uuid>,
    member: HashMap<Uuid, (Uuid, Uuid)>,
    membership: HashMap<Uuid, (Uuid, Uuid)>,
    unit_by_code: HashMap<String, Uuid>,
    seats: HashMap<Uuid, HashSet<Uuid>>,
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
        Facts {
            community_by_code: communities.iter().map(|c| (c.code.clone(), c.id)).collect(),
            communities: communities.iter().map(|c| c.id).collect(),
            compound: compound::Entity::find().all(db).await.unwrap().into_iter().map(|c| (c.id, c.community_id)).collect(),
            organization: party_organization::Entity::find().all(db).await.unwrap().into_iter().map(|o| (o.id, o.community_id)).collect(),
            member: party_member::Entity::find()
                .all(db)
                .await
                .unwrap()
                .into_iter()
                .map(|m| (m.id, (m.community_id, m.person_id)))
                .collect(),
            membership: memberships.iter().map(|m| (m.id, (m.community_id, m.unit_id))).collect(),
            unit_by_code: co_building_unit::Entity::find().all(db).await.unwrap().into_iter().map(|u| (u.code, u.id)).collect(),
            seats,
        }
    }
}

/// What a principal may see.
struct Allowed {
    communities: HashSet<Uuid>,
    /// Member rows: all in `communities` (staff), only this person's, or none.
    members: MemberRule,
    /// A unit sees only itself and its own seats.
    unit: Option<Uuid>,
}

enum MemberRule {
    Staff,
    Own(Uuid),
    None,
}

fn check(label: &str, data: &Value, facts: &Facts, allowed: &Allowed) {
    let mut ids = Vec::new();
    collect_ids(data, &mut ids);
    assert!(!ids.is_empty(), "{label}: the probe returned nothing at all");
    for id in ids {
        let Some((kind, uuid)) = decode(&id) else { continue }; // person ids are plain UUIDs, checked below
        let ok = match kind.as_str() {
            "Street" => true,
            "Community" => allowed.communities.contains(&uuid),
            "Compound" => facts.compound.get(&uuid).is_some_and(|c| allowed.communities.contains(c)),
            "PartyOrganization" => match facts.organization.get(&uuid) {
                Some(c) => allowed.communities.contains(c),
                None => !facts.communities.contains(&uuid), // the street working committee
            },
            "PartyMember" => {
                let (c, person) = facts.member[&uuid];
                match allowed.members {
                    MemberRule::Staff => allowed.communities.contains(&c),
                    MemberRule::Own(p) => p == person,
                    MemberRule::None => false,
                }
            }
            "CommitteeMembership" => {
                let (c, unit) = facts.membership[&uuid];
                allowed.communities.contains(&c) && allowed.unit.is_none_or(|u| u == unit)
            }
            "CoBuildingUnit" => allowed.unit.is_none_or(|u| u == uuid),
            other => panic!("{label}: unexpected type {other}"),
        };
        assert!(ok, "{label}: {kind} {uuid} is outside the scope");
    }
    check_personal_data(label, data, allowed);
}

/// Every person object shows personal data only when the caller is staff or the person.
fn check_personal_data(label: &str, value: &Value, allowed: &Allowed) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Bool(visible)) = map.get("personalDataVisible") {
                let person = map.get("id").and_then(Value::as_str).and_then(|s| s.parse::<Uuid>().ok());
                let may = match allowed.members {
                    MemberRule::Staff => true,
                    MemberRule::Own(p) => person == Some(p),
                    MemberRule::None => false,
                };
                if *visible {
                    assert!(may, "{label}: personal data shown outside staff scope: {value}");
                } else if let Some(phone) = map.get("phone").and_then(Value::as_str) {
                    assert!(phone.contains("****"), "{label}: phone not masked: {phone}");
                }
            }
            map.values().for_each(|v| check_personal_data(label, v, allowed));
        }
        Value::Array(items) => items.iter().for_each(|v| check_personal_data(label, v, allowed)),
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

#[tokio::test]
async fn community_staff_and_admins_see_only_their_community() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let facts = Facts::read(&app).await;
        let zhuyuan = facts.community_by_code["zhuyuan"];
        let foreign = ids_of(&app, "meiling").await;
        assert!(foreign.len() > 20, "need ids to probe with");
        for role in [Role::CommunityAdmin, Role::CommunityStaff] {
            let label = format!("[{}] {role:?} of zhuyuan", backend.name());
            let data = probe(&app, &app.token(role, "zhuyuan"), &foreign, "heshan").await;
            check(&label, &data, &facts, &Allowed { communities: [zhuyuan].into(), members: MemberRule::Staff, unit: None });
            assert_eq!(data["communities"]["totalCount"], 1, "{label}");
            assert_eq!(data["communities"]["edges"][0]["node"]["code"], "zhuyuan", "{label}");
            assert!(data["meiling"].is_null() && data["other"].is_null(), "{label}");
            assert!(!data["zhuyuan"].is_null(), "{label}");
            assert_eq!(data["viewer"]["communities"].as_array().unwrap().len(), 1);
            assert_all_null(&label, &data);
            // Staff see their own people in full.
            let phone = data["communities"]["edges"][0]["node"]["members"]["edges"][0]["node"]["person"]["phone"].as_str().unwrap();
            assert!(!phone.contains('*'), "{label}: staff should see phones in full");
            // Units are shared reference data, but their seats elsewhere are not visible.
            assert_eq!(data["units"]["totalCount"], 12);
            for seat in data["police"]["committees"].as_array().unwrap() {
                assert_eq!(decode(seat["community"]["id"].as_str().unwrap()).unwrap().1, zhuyuan);
            }
        }
    }
}

#[tokio::test]
async fn street_admins_see_the_whole_street_and_reporters_no_people() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let facts = Facts::read(&app).await;
        let all: HashSet<Uuid> = facts.communities.clone();
        let garbage = vec!["Q29tbXVuaXR5OjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA==".to_owned(), "not-an-id".to_owned()];
        let data = probe(&app, &app.street_admin(), &garbage, "heshan").await;
        let label = format!("[{}] street admin", backend.name());
        check(&label, &data, &facts, &Allowed { communities: all.clone(), members: MemberRule::Staff, unit: None });
        assert_eq!(data["communities"]["totalCount"], 15, "{label}");
        assert!(!data["meiling"].is_null() && !data["other"].is_null());
        assert_all_null(&label, &data);

        let data = probe(&app, &app.token(Role::Reporter, "meiling-street"), &ids_of(&app, "meiling").await, "heshan").await;
        let label = format!("[{}] reporter", backend.name());
        check(&label, &data, &facts, &Allowed { communities: all, members: MemberRule::None, unit: None });
        assert_eq!(data["communities"]["totalCount"], 15, "{label}");
        assert_eq!(data["communities"]["edges"][0]["node"]["members"]["totalCount"], 0, "{label}: reporters see no people");
        for n in data["nodes"].as_array().unwrap() {
            assert_ne!(n["__typename"], "PartyMember", "{label}: a member came back through node()");
        }
    }
}

#[tokio::test]
async fn a_unit_sees_itself_and_the_committees_it_sits_on() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let facts = Facts::read(&app).await;
        let water = facts.unit_by_code["water"];
        let seated = facts.seats[&water].clone();
        let (unseated_code, _) =
            facts.community_by_code.iter().find(|(_, id)| !seated.contains(id)).expect("a community without the water company");
        let mut foreign = ids_of(&app, unseated_code).await;
        // Other units' seats in a community where water sits.
        let meiling_ids = ids_of(&app, "meiling").await;
        foreign.extend(
            meiling_ids.iter().filter(|id| decode(id).is_some_and(|(k, _)| k == "CommitteeMembership" || k == "PartyMember")).cloned(),
        );
        foreign.push(gongzhi::graphql::node::global_id("CoBuildingUnit", facts.unit_by_code["police"]).to_string());
        let data = probe(&app, &app.token(Role::Unit, "water"), &foreign, unseated_code).await;
        let label = format!("[{}] unit water", backend.name());
        let mut allowed_units = HashSet::new();
        allowed_units.insert(water);
        check(&label, &data, &facts, &Allowed { communities: seated.clone(), members: MemberRule::None, unit: Some(water) });
        assert_eq!(data["units"]["totalCount"], 1, "{label}");
        assert!(data["police"].is_null() && !data["water"].is_null() && data["other"].is_null(), "{label}");
        assert_eq!(data["communities"]["totalCount"], seated.len(), "{label}");
        // A unit's own seats: exactly one per community it sits on.
        let seats = data["units"]["edges"][0]["node"]["committees"].as_array().unwrap();
        assert_eq!(seats.len(), seated.len(), "{label}");
        for n in data["nodes"].as_array().unwrap() {
            if n["__typename"] == "CommitteeMembership" {
                let (_, unit) = facts.membership[&decode(n["id"].as_str().unwrap()).unwrap().1];
                assert_eq!(unit, water, "{label}: another unit's seat came back");
            } else {
                assert!(n.is_null(), "{label}: {n} came back");
            }
        }
    }
}

#[tokio::test]
async fn a_member_sees_their_own_record_and_their_community() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let facts = Facts::read(&app).await;
        let zhuyuan = facts.community_by_code["zhuyuan"];
        let me = party_member::Entity::find().filter(party_member::Column::CommunityId.eq(zhuyuan)).one(&app.db).await.unwrap().unwrap();
        let data = probe(&app, &app.token(Role::Member, &me.person_id.to_string()), &ids_of(&app, "meiling").await, "heshan").await;
        let label = format!("[{}] member", backend.name());
        check(&label, &data, &facts, &Allowed { communities: [zhuyuan].into(), members: MemberRule::Own(me.person_id), unit: None });
        assert_all_null(&label, &data);
        assert_eq!(data["viewer"]["kind"], "MEMBER");
        assert_eq!(data["viewer"]["person"]["personalDataVisible"], true);
        let members = &data["communities"]["edges"][0]["node"]["members"];
        assert_eq!(members["totalCount"], 1, "{label}: a member sees only themself");
    }
}

#[tokio::test]
async fn anonymous_callers_get_only_the_viewer() {
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let data = app.ok(None, "{ viewer { kind communities { id } street { id } } }", json!({})).await;
        assert_eq!(data["viewer"]["kind"], "ANONYMOUS");
        assert_eq!(data["viewer"]["communities"], json!([]));
        let meiling = ids_of(&app, "meiling").await;
        for query in [
            "{ streets { id } }",
            "{ communities { totalCount } }",
            r#"{ community(code: "zhuyuan") { id } }"#,
            "{ units { totalCount } }",
            r#"{ unit(code: "police") { id } }"#,
        ] {
            let (status, body) = app.post(None, query, json!({})).await;
            assert_eq!(status, 200);
            assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "[{}] {query}: {body}", backend.name());
            let mut ids = Vec::new();
            collect_ids(&body, &mut ids);
            assert!(ids.is_empty(), "anonymous got ids from {query}");
        }
        for id in meiling.iter().take(5) {
            let code = app.error_code(None, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
            assert_eq!(code, "UNAUTHENTICATED");
        }
    }
}

#[tokio::test]
async fn a_unit_whose_seats_all_ended_sees_nothing() {
    // A credential that resolves to an empty scope must see nothing at all: the filters fail
    // closed instead of dropping out.
    use sea_orm::sea_query::Expr;
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        let facts = Facts::read(&app).await;
        let gas = facts.unit_by_code["gas"];
        let yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
        committee_membership::Entity::update_many()
            .col_expr(committee_membership::Column::Until, Expr::value(yesterday))
            .filter(committee_membership::Column::UnitId.eq(gas))
            .exec(&app.db)
            .await
            .unwrap();
        let meiling = ids_of(&app, "meiling").await;
        let data = probe(&app, &app.token(Role::Unit, "gas"), &meiling, "meiling").await;
        let label = format!("[{}] unit without seats", backend.name());
        check(&label, &data, &facts, &Allowed { communities: HashSet::new(), members: MemberRule::None, unit: Some(gas) });
        assert_eq!(data["communities"]["totalCount"], 0, "{label}");
        assert_eq!(data["viewer"]["communities"], json!([]), "{label}");
        assert!(data["meiling"].is_null() && data["zhuyuan"].is_null(), "{label}");
        assert_eq!(data["units"]["edges"][0]["node"]["committees"], json!([]), "{label}: no seat outside the scope, ended or not");
        assert_all_null(&label, &data);
        let rest = app
            .ok(
                Some(&app.token(Role::Unit, "gas")),
                "{ tasks { totalCount } campaigns { id } inspections { totalCount } volunteers { totalCount } activities { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(
            rest,
            json!({ "tasks": { "totalCount": 0 }, "campaigns": [], "inspections": { "totalCount": 0 }, "volunteers": { "totalCount": 0 }, "activities": { "totalCount": 0 } }),
            "{label}"
        );
    }
}

#[tokio::test]
async fn two_streets_with_the_same_community_code_never_see_each_other() {
    use entity::{community, region};
    use sea_orm::{ActiveModelTrait, Set};
    for backend in backends() {
        let app = TestApp::demo(&backend).await;
        // A second street under the same city, with its own community `zhuyuan`.
        let city = region::Entity::find().filter(region::Column::Kind.eq(region::RegionKind::City)).one(&app.db).await.unwrap().unwrap();
        let now = chrono::Utc::now();
        let street = region::ActiveModel {
            id: Set(Uuid::now_v7()),
            parent_id: Set(Some(city.id)),
            kind: Set(region::RegionKind::Street),
            code: Set("qingyang-street".into()),
            name: Set("青阳街道".into()),
            committee_name: Set(None),
            created_at: Set(now),
        }
        .insert(&app.db)
        .await
        .unwrap();
        community::ActiveModel {
            id: Set(Uuid::now_v7()),
            street_id: Set(street.id),
            code: Set("zhuyuan".into()),
            name: Set("青阳竹园社区".into()),
            created_at: Set(now),
        }
        .insert(&app.db)
        .await
        .unwrap();
        let token = |street: &str| {
            let mut claims = gongzhi::auth::Claims::new(Role::CommunityStaff, std::time::Duration::from_secs(600));
            claims.street = Some(street.to_owned());
            claims.community = Some("zhuyuan".to_owned());
            gongzhi::auth::Keys::new(crate::support::SECRET).issue(&claims.with_subject()).unwrap()
        };
        let q = r#"{ community(code: "zhuyuan") { name } communities { edges { node { name } } } }"#;
        // The same query, asked twice in a row by each: the response cache must keep them apart.
        for _ in 0..2 {
            let a = app.ok(Some(&token("meiling-street")), q, json!({})).await;
            let b = app.ok(Some(&token("qingyang-street")), q, json!({})).await;
            assert_eq!(a["community"]["name"], "竹园社区", "[{}] {a}", backend.name());
            assert_eq!(b["community"]["name"], "青阳竹园社区", "[{}] {b}", backend.name());
            assert_eq!(b["communities"]["edges"].as_array().unwrap().len(), 1);
        }
        // Without a street the code is ambiguous: refused, not guessed.
        let mut claims = gongzhi::auth::Claims::new(Role::CommunityStaff, std::time::Duration::from_secs(600));
        claims.community = Some("zhuyuan".to_owned());
        let ambiguous = gongzhi::auth::Keys::new(crate::support::SECRET).issue(&claims.with_subject()).unwrap();
        let (status, _) = app.post(Some(&ambiguous), q, json!({})).await;
        assert_eq!(status, 401);
    }
}

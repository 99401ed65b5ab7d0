//! The demo city's two streets, 梅岭街道 and 青阳街道, tried from outside: each street's admin
//! sees nothing of the other street, the one unit seated in both (住建, `housing`) reaches through
//! a street's API key only that street's committees, and the city sees both streets' structure.
//!
//! The demo's two streets are this module's subject (their size, the unit they share, hundreds of
//! ids to probe with), so it names the demo's rows; other modules build their own fixtures.

use std::collections::{BTreeMap, BTreeSet};

use entity::{
    assignment, campaign, co_building_unit, committee_membership, community, compound, inspection, party_member, party_organization,
    region, site, task,
};
use gongzhi::auth::Role;
use gongzhi::graphql::node::global_id;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{Content, TestApp, decode};

const MEILING: &str = "meiling-street";
const QINGYANG: &str = "qingyang-street";

/// One street as the database holds it.
struct Street {
    code: &'static str,
    id: Uuid,
    /// Community code → id.
    communities: BTreeMap<String, Uuid>,
    /// The global id of every object of the street, with its type.
    ids: Vec<(&'static str, String)>,
    /// Tasks in the street's communities.
    tasks: BTreeSet<Uuid>,
    campaigns: BTreeSet<Uuid>,
    /// Seats (committee memberships) of each unit, by unit code: seat id → community.
    seats: BTreeMap<String, BTreeMap<Uuid, Uuid>>,
}

impl Street {
    async fn read(app: &TestApp, code: &'static str) -> Street {
        let db = &app.db;
        let street = region::Entity::find()
            .filter(region::Column::Kind.eq(region::RegionKind::Street))
            .filter(region::Column::Code.eq(code))
            .one(db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no street {code}"));
        let communities = community::Entity::find().filter(community::Column::StreetId.eq(street.id)).all(db).await.unwrap();
        let ids_in: Vec<Uuid> = communities.iter().map(|c| c.id).collect();
        let mut ids: Vec<(&'static str, Uuid)> = vec![("Street", street.id), ("PartyOrganization", street.id)];
        ids.extend(ids_in.iter().map(|c| ("Community", *c)));
        macro_rules! rows {
            ($entity:ident) => {
                $entity::Entity::find()
                    .filter($entity::Column::CommunityId.is_in(ids_in.clone()))
                    .order_by_asc($entity::Column::Id)
                    .all(db)
                    .await
                    .unwrap()
            };
        }
        let seats = rows!(committee_membership);
        let tasks = rows!(task);
        ids.extend(rows!(party_organization).iter().map(|r| ("PartyOrganization", r.id)));
        ids.extend(rows!(compound).iter().map(|r| ("Compound", r.id)));
        ids.extend(rows!(party_member).iter().map(|r| ("PartyMember", r.id)));
        ids.extend(seats.iter().map(|r| ("CommitteeMembership", r.id)));
        ids.extend(tasks.iter().map(|r| ("Task", r.id)));
        ids.extend(rows!(assignment).iter().map(|r| ("Assignment", r.id)));
        ids.extend(rows!(site).iter().map(|r| ("Site", r.id)));
        ids.extend(rows!(inspection).iter().map(|r| ("Inspection", r.id)));
        let campaigns: Vec<campaign::Model> =
            campaign::Entity::find().filter(campaign::Column::StreetId.eq(street.id)).all(db).await.unwrap();
        ids.extend(campaigns.iter().map(|r| ("Campaign", r.id)));
        let units: BTreeMap<Uuid, String> =
            co_building_unit::Entity::find().all(db).await.unwrap().into_iter().map(|u| (u.id, u.code)).collect();
        let mut by_unit: BTreeMap<String, BTreeMap<Uuid, Uuid>> = BTreeMap::new();
        for s in &seats {
            by_unit.entry(units[&s.unit_id].clone()).or_default().insert(s.id, s.community_id);
        }
        Street {
            code,
            id: street.id,
            communities: communities.into_iter().map(|c| (c.code, c.id)).collect(),
            ids: ids.into_iter().map(|(k, id)| (k, global_id(k, id).to_string())).collect(),
            tasks: tasks.iter().map(|t| t.id).collect(),
            campaigns: campaigns.iter().map(|c| c.id).collect(),
            seats: by_unit,
        }
    }

    fn community_ids(&self) -> BTreeSet<Uuid> {
        self.communities.values().copied().collect()
    }

    /// A few ids of each type, for `node(id:)` one at a time.
    fn sample(&self) -> Vec<&(&'static str, String)> {
        let mut per_kind: BTreeMap<&str, usize> = BTreeMap::new();
        self.ids
            .iter()
            .filter(|(kind, _)| {
                let n = per_kind.entry(kind).or_default();
                *n += 1;
                *n <= 4
            })
            .collect()
    }
}

/// The uuids of every global id of `kind` in `value`.
fn uuids_of(value: &Value, kind: &str) -> BTreeSet<Uuid> {
    let mut ids = Vec::new();
    crate::support::collect_ids(value, &mut ids);
    ids.iter().filter_map(|id| decode(id)).filter(|(k, _)| k == kind).map(|(_, u)| u).collect()
}

/// `nodes(ids:)` over all `ids`, 100 at a time.
async fn nodes(app: &TestApp, auth: &Auth<'_>, ids: &[(&'static str, String)]) -> Vec<Value> {
    let mut out = Vec::new();
    for chunk in ids.chunks(100) {
        let ids: Vec<&String> = chunk.iter().map(|(_, id)| id).collect();
        let data = auth.ok(app, "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Node { id } } }", json!({ "ids": ids })).await;
        out.extend(data["nodes"].as_array().unwrap().iter().cloned());
    }
    out
}

/// A credential: a bearer token or an API key.
enum Auth<'a> {
    Bearer(&'a str),
    Key(&'a str),
}

impl Auth<'_> {
    async fn ok(&self, app: &TestApp, query: &str, variables: Value) -> Value {
        match self {
            Auth::Bearer(token) => app.ok(Some(token), query, variables).await,
            Auth::Key(key) => {
                let req = axum::http::Request::post("/graphql")
                    .header("content-type", "application/json")
                    .header("authorization", format!("ApiKey {key}"))
                    .body(axum::body::Body::from(json!({ "query": query, "variables": variables }).to_string()))
                    .unwrap();
                let (status, _, body) = app.send(req).await;
                let body: Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(status, 200, "[{}] {body}", app.backend.name());
                assert!(body.get("errors").is_none(), "[{}] unexpected errors: {body}", app.backend.name());
                body["data"].clone()
            }
        }
    }
}

/// Everything of `other` answers null to `auth`, one at a time for a sample of each type and in
/// batches for all of them.
async fn assert_nothing_of(app: &TestApp, label: &str, auth: &Auth<'_>, other: &Street) {
    for (kind, id) in other.sample() {
        let data = auth.ok(app, "query($id: ID!) { node(id: $id) { __typename } }", json!({ "id": id })).await;
        assert!(data["node"].is_null(), "{label}: node({kind} of {}) came back: {data}", other.code);
    }
    let answers = nodes(app, auth, &other.ids).await;
    assert_eq!(answers.len(), other.ids.len());
    for ((kind, _), n) in other.ids.iter().zip(&answers) {
        assert!(n.is_null(), "{label}: nodes() gave a {kind} of {}: {n}", other.code);
    }
    for code in other.communities.keys() {
        let data = auth.ok(app, "query($c: String!) { community(code: $c) { id } }", json!({ "c": code })).await;
        assert!(data["community"].is_null(), "{label}: community(code: {code:?}) of {}: {data}", other.code);
    }
}

const ROOTS: &str = r#"{
  viewer { communities { id } }
  streets { id code }
  communities(first: 100) { totalCount edges { node { id code jointCommittee { id memberships { id community { id } } } } } }
  tasks(first: 100) { totalCount edges { node { id community { id } assignments { id } } } }
  campaigns { id communities { id } }
  units(first: 50) { edges { node { code committees(includeEnded: true) { id community { id } } } } }
  housing: unit(code: "housing") { committees { id community { id } committee { id } } }
}"#;

both_backends! {
    async fn the_second_street_is_small_and_shares_exactly_one_unit_with_meiling(backend: Backend) {
        let app = TestApp::new(&backend, Content::Demo(1)).await;
        let b = backend.name();
        let meiling = Street::read(&app, MEILING).await;
        let qingyang = Street::read(&app, QINGYANG).await;
        assert_eq!(meiling.communities.len(), 15, "[{b}]");
        assert_eq!(qingyang.communities.keys().map(String::as_str).collect::<Vec<_>>(), ["qingyang", "zhuangtou"], "[{b}]");
        let units_in = |s: &Street| s.seats.keys().cloned().collect::<BTreeSet<String>>();
        let both: Vec<String> = units_in(&meiling).intersection(&units_in(&qingyang)).cloned().collect();
        assert_eq!(both, ["housing"], "[{b}] the one unit seated in both streets");
        assert!(units_in(&qingyang).len() >= 3, "[{b}] a few units on 青阳's committees");
        assert_eq!(qingyang.seats["housing"].values().copied().collect::<BTreeSet<_>>(), qingyang.community_ids(), "[{b}]");
        // Each community: a joint committee, compounds each with a party branch, members, tasks.
        let data = app
            .ok(
                Some(&app.token(Role::StreetAdmin, QINGYANG)),
                r#"{ communities { edges { node { code name jointCommittee { name memberships { unit { code } } }
                    compounds(first: 20) { totalCount edges { node { name partyBranch { name } } } } members { totalCount } } } }
                    tasks { totalCount } campaigns { name } }"#,
                json!({}),
            )
            .await;
        for e in data["communities"]["edges"].as_array().unwrap() {
            let c = &e["node"];
            assert_eq!(c["jointCommittee"]["name"], format!("{}联合党委", c["name"].as_str().unwrap()), "[{b}]");
            assert!(c["jointCommittee"]["memberships"].as_array().unwrap().len() >= 3, "[{b}] {c}");
            assert!(c["compounds"]["totalCount"].as_i64().unwrap() >= 2, "[{b}] {c}");
            for compound in c["compounds"]["edges"].as_array().unwrap() {
                assert!(!compound["node"]["partyBranch"].is_null(), "[{b}] a compound without a branch: {compound}");
            }
            assert!(c["members"]["totalCount"].as_i64().unwrap() >= 10, "[{b}] {c}");
        }
        assert_eq!(data["tasks"]["totalCount"], 4, "[{b}]");
        assert_eq!(data["campaigns"], json!([{ "name": "老旧小区改造提升" }]), "[{b}]");
        let housing_tasks = assignment::Entity::find()
            .filter(assignment::Column::CommunityId.is_in(qingyang.community_ids()))
            .filter(
                assignment::Column::UnitId.is_in(
                    co_building_unit::Entity::find()
                        .filter(co_building_unit::Column::Code.eq("housing"))
                        .all(&app.db)
                        .await
                        .unwrap()
                        .iter()
                        .map(|u| u.id),
                ),
            )
            .all(&app.db)
            .await
            .unwrap();
        assert!(!housing_tasks.is_empty(), "[{b}] the shared unit has work in 青阳街道 too");
    }
}

both_backends! {
    async fn each_streets_admin_sees_nothing_of_the_other_street(backend: Backend) {
        let app = TestApp::new(&backend, Content::Demo(1)).await;
        let meiling = Street::read(&app, MEILING).await;
        let qingyang = Street::read(&app, QINGYANG).await;
        assert!(meiling.ids.len() > 500 && qingyang.ids.len() > 50, "ids to probe with");
        for (own, other) in [(&meiling, &qingyang), (&qingyang, &meiling)] {
            let label = format!("[{}] admin of {}", backend.name(), own.code);
            let token = app.token(Role::StreetAdmin, own.code);
            let auth = Auth::Bearer(&token);
            let data = auth.ok(&app, ROOTS, json!({})).await;
            assert_eq!(data["streets"], json!([{ "id": global_id("Street", own.id).to_string(), "code": own.code }]), "{label}");
            assert_eq!(uuids_of(&data["communities"], "Community"), own.community_ids(), "{label}");
            assert_eq!(data["communities"]["totalCount"], own.communities.len(), "{label}");
            assert_eq!(uuids_of(&data["viewer"], "Community"), own.community_ids(), "{label}");
            // The demo's year of history is more than a page: the first page is this street's,
            // and the count is all of them.
            assert!(uuids_of(&data["tasks"], "Task").is_subset(&own.tasks), "{label}");
            assert_eq!(data["tasks"]["totalCount"], own.tasks.len(), "{label}");
            assert_eq!(uuids_of(&data["campaigns"], "Campaign"), own.campaigns, "{label}");
            // Seats, also those of units on both streets' committees: only this street's.
            for kind in ["Community", "CommitteeMembership"] {
                for id in uuids_of(&data, kind) {
                    let gid = global_id(kind, id).to_string();
                    assert!(!other.ids.iter().any(|(_, o)| *o == gid), "{label}: a {kind} of {} came back", other.code);
                }
            }
            let housing: BTreeSet<Uuid> = uuids_of(&data["housing"], "CommitteeMembership");
            assert_eq!(housing, own.seats["housing"].keys().copied().collect(), "{label}: 住建's seats");

            // Ids of the other street: null one by one and in batches; its codes find nothing.
            assert_nothing_of(&app, &label, &auth, other).await;
            // The own street's ids, asked the same way, come back: the probe can see.
            let mine = nodes(&app, &auth, &own.ids).await;
            for ((kind, id), n) in own.ids.iter().zip(&mine) {
                assert_eq!(n["id"], json!(id), "{label}: own {kind} did not come back: {n}");
            }
            // Work in the other street is refused as if the community did not exist.
            let (other_code, other_community) = other.communities.iter().next().unwrap();
            let code = app
                .error_code(
                    Some(&token),
                    crate::collab_support::CREATE_TASK,
                    json!({ "i": { "communityId": global_id("Community", *other_community).to_string(), "title": "越界", "category": "OTHER", "description": "不属于本街道" } }),
                )
                .await;
            assert_eq!(code, "NOT_FOUND", "{label}: createTask in {other_code}");
        }

        // Community staff of 青阳社区: only 青阳社区, nothing of 梅岭街道.
        let label = format!("[{}] staff of qingyang", backend.name());
        let token = app.token(Role::CommunityStaff, "qingyang");
        let auth = Auth::Bearer(&token);
        let data = auth.ok(&app, ROOTS, json!({})).await;
        assert_eq!(uuids_of(&data["communities"], "Community"), BTreeSet::from([qingyang.communities["qingyang"]]), "{label}");
        assert_nothing_of(&app, &label, &auth, &meiling).await;
    }
}

/// The tasks in `street` where `unit` holds a share.
async fn tasks_with_shares_of(app: &TestApp, unit: Uuid, street: &Street) -> BTreeSet<Uuid> {
    let shares = assignment::Entity::find()
        .filter(assignment::Column::CommunityId.is_in(street.community_ids()))
        .filter(assignment::Column::UnitId.eq(unit))
        .all(&app.db)
        .await
        .unwrap();
    shares.iter().map(|a| a.task_id).collect()
}

const CREATE_KEY: &str = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret apiKey { id } } }";

both_backends! {
    async fn a_key_issued_by_one_street_reaches_only_that_streets_committees(backend: Backend) {
        let app = TestApp::new(&backend, Content::Demo(1)).await;
        let meiling = Street::read(&app, MEILING).await;
        let qingyang = Street::read(&app, QINGYANG).await;
        let housing =
            co_building_unit::Entity::find().filter(co_building_unit::Column::Code.eq("housing")).one(&app.db).await.unwrap().unwrap();
        let housing_id = global_id("CoBuildingUnit", housing.id).to_string();
        let seats_of = |s: &Street| s.seats["housing"].clone();

        for (own, other) in [(&qingyang, &meiling), (&meiling, &qingyang)] {
            let label = format!("[{}] 住建's key issued by {}", backend.name(), own.code);
            let data = app
                .ok(
                    Some(&app.token(Role::StreetAdmin, own.code)),
                    CREATE_KEY,
                    json!({ "i": { "unitId": housing_id, "label": "住建工单系统" } }),
                )
                .await;
            let key = data["createApiKey"]["secret"].as_str().unwrap().to_owned();
            let auth = Auth::Key(&key);
            let data = auth.ok(&app, ROOTS, json!({})).await;
            let seats = seats_of(own);
            let seated: BTreeSet<Uuid> = seats.values().copied().collect();
            assert!(!seated.is_empty(), "{label}: 住建 sits in {}", own.code);
            assert_eq!(uuids_of(&data["communities"], "Community"), seated, "{label}: communities");
            assert_eq!(uuids_of(&data["viewer"], "Community"), seated, "{label}: viewer");
            assert_eq!(uuids_of(&data["housing"], "CommitteeMembership"), seats.keys().copied().collect(), "{label}: its seats");
            let committees: BTreeSet<Uuid> = uuids_of(&data["housing"], "PartyOrganization");
            assert_eq!(committees.len(), seated.len(), "{label}: one committee per community");
            assert_eq!(uuids_of(&data["units"], "CommitteeMembership"), seats.keys().copied().collect(), "{label}: units list");
            let tasks = uuids_of(&data["tasks"], "Task");
            let with_shares = tasks_with_shares_of(&app, housing.id, own).await;
            assert!(tasks.is_subset(&with_shares), "{label}: tasks with its shares");
            assert_eq!(data["tasks"]["totalCount"], with_shares.len(), "{label}: tasks with its shares");
            assert!(!tasks.is_empty(), "{label}: 住建 has work in {}", own.code);
            // Campaigns reaching the communities it sits in, of this street only.
            assert!(uuids_of(&data["campaigns"], "Campaign").is_subset(&own.campaigns), "{label}: campaigns");
            assert!(uuids_of(&data["campaigns"], "Community").is_subset(&seated), "{label}: campaigns' communities");
            assert_nothing_of(&app, &label, &auth, other).await;
        }

        // A token of the unit that names no street (`gongzhi token --role unit`) reaches its
        // committees in both: the key's street is what keeps them apart.
        let token = app.token(Role::Unit, "housing");
        let data = app.ok(Some(&token), ROOTS, json!({})).await;
        let both: BTreeSet<Uuid> = seats_of(&meiling).values().chain(seats_of(&qingyang).values()).copied().collect();
        assert_eq!(uuids_of(&data["communities"], "Community"), both, "[{}] 住建's token without a street", backend.name());

        // A unit that sits only in 青阳街道 gets no key from 梅岭街道.
        let police = co_building_unit::Entity::find()
            .filter(co_building_unit::Column::Code.eq("qingyang-police"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let (_, body) = app
            .post(
                Some(&app.street_admin()),
                CREATE_KEY,
                json!({ "i": { "unitId": global_id("CoBuildingUnit", police.id).to_string(), "label": "越界" } }),
            )
            .await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "[{}] {body}", backend.name());
    }
}

both_backends! {
    async fn a_city_admin_sees_both_streets_structure_but_no_people(backend: Backend) {
        let app = TestApp::new(&backend, Content::Demo(1)).await;
        let meiling = Street::read(&app, MEILING).await;
        let qingyang = Street::read(&app, QINGYANG).await;
        let label = format!("[{}] city admin", backend.name());
        let token = app.token(Role::CityAdmin, "jinjiang");
        let data = app
            .ok(
                Some(&token),
                r#"{ streets { code } communities(first: 50) { totalCount edges { node { id members { totalCount } } } }
                    qingyang: community(code: "qingyang") { jointCommittee { memberships { unit { code } } } } }"#,
                json!({}),
            )
            .await;
        let codes: BTreeSet<&str> = data["streets"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect();
        assert_eq!(codes, BTreeSet::from([MEILING, QINGYANG]), "{label}");
        let all: BTreeSet<Uuid> = meiling.community_ids().union(&qingyang.community_ids()).copied().collect();
        assert_eq!(uuids_of(&data["communities"], "Community"), all, "{label}");
        assert_eq!(data["communities"]["totalCount"], 17, "{label}");
        for e in data["communities"]["edges"].as_array().unwrap() {
            assert_eq!(e["node"]["members"]["totalCount"], 0, "{label}: no people");
        }
        assert!(
            data["qingyang"]["jointCommittee"]["memberships"].as_array().unwrap().iter().any(|m| m["unit"]["code"] == "housing"),
            "{label}: {data}"
        );
        // Structure of both streets by id; people of neither.
        let auth = Auth::Bearer(&token);
        for street in [&meiling, &qingyang] {
            let structure: Vec<(&'static str, String)> = street
                .ids
                .iter()
                .filter(|(k, _)| matches!(*k, "Street" | "Community" | "Compound" | "CommitteeMembership"))
                .cloned()
                .collect();
            for ((kind, id), n) in structure.iter().zip(nodes(&app, &auth, &structure).await) {
                assert_eq!(n["id"], json!(id), "{label}: {kind} of {} did not come back", street.code);
            }
            let people: Vec<(&'static str, String)> = street.ids.iter().filter(|(k, _)| *k == "PartyMember").cloned().collect();
            for n in nodes(&app, &auth, &people).await {
                assert!(n.is_null(), "{label}: a party member of {} came back: {n}", street.code);
            }
        }
    }
}

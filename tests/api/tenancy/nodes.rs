//! `node(id:)` against the caller's own lists, for the types refetched last: findings, API keys,
//! webhooks, meeting participants, audit records and people. For every principal an object
//! comes back from `nodes(ids:)` exactly when one of that principal's own lists shows it (for
//! people: at least then; the volunteer suite bounds them from above), over the ids the two
//! streets' admins list.

use super::*;
use crate::deliberation::fixtures::Neighbourhood;
use crate::deliberation::meetings::schedule;
use crate::fixtures::Fixture;

/// Each list on its own: a list the caller may not read fails, and nulls, its whole answer.
const LISTS: &[&str] = &[
    "{ inspections(first: 100) { edges { node { findings { id } } } } }",
    "{ apiKeys { id } }",
    "{ webhooks { id } }",
    "{ meetings(first: 100) { edges { node { participants { id } } } } }",
    "{ auditLog(first: 100) { edges { node { id } } } }",
    "{ communities(first: 20) { edges { node { members(first: 30) { edges { node { person { id } } } } } } } }",
];

const KINDS: &[&str] = &["Finding", "ApiKey", "Webhook", "MeetingParticipant", "AuditRecord", "Person"];

/// The ids of `KINDS` that the caller's lists show.
async fn listed(app: &TestApp, token: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    for q in LISTS {
        let (_, body) = app.post(Some(token), q, json!({})).await;
        let mut ids = Vec::new();
        collect_ids(&body["data"], &mut ids);
        out.extend(ids.into_iter().filter(|id| decode(id).is_some_and(|(k, _)| KINDS.contains(&k.as_str()))));
    }
    out
}

/// The ids among `ids` that `nodes(ids:)` gives back to the caller, checked against `node(id:)`.
async fn refetched(app: &TestApp, token: &str, ids: &[String]) -> HashSet<String> {
    let mut out = HashSet::new();
    for chunk in ids.chunks(100) {
        let data = app
            .ok(Some(token), "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Node { id } } }", json!({ "ids": chunk }))
            .await;
        for (id, node) in chunk.iter().zip(data["nodes"].as_array().unwrap()) {
            if !node.is_null() {
                assert_eq!(node["id"], json!(id), "nodes(ids:) answered {id} with another object");
                assert_eq!(node["__typename"], decode(id).unwrap().0);
                out.insert(id.clone());
            }
        }
    }
    // node(id:) agrees with nodes(ids:), for one id of each kind.
    for kind in KINDS {
        if let Some(id) = ids.iter().find(|id| decode(id).is_some_and(|(k, _)| k == *kind)) {
            let one = app.ok(Some(token), "query($id: ID!) { node(id: $id) { ... on Node { id } } }", json!({ "id": id })).await;
            assert_eq!(!one["node"].is_null(), out.contains(id), "node(id:) and nodes(ids:) disagree on {id}");
        }
    }
    out
}

both_backends! {
    async fn node_refetches_exactly_what_the_callers_lists_show(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let admins = [app.street_admin(), app.token(Role::StreetAdmin, "qingyang-street")];
        // A neighbourhood with a meeting and an inspection; an API key and a webhook for its unit.
        let n: Neighbourhood = Fixture::neighbourhood(&app, "甲").await;
        schedule(&app, &n, "甲社区联席会议").await;
        app.ok(Some(&n.staff(&app)), "mutation($i: CreateInspectionInput!) { createInspection(input: $i) { inspection { id } } }",
            json!({ "i": { "communityId": n.community.id, "patrol": "文明劝导队",
                "findings": [{ "description": "路口堆放杂物", "category": "SANITATION" }] } })).await;
        app.ok(Some(&admins[0]), "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id } } }",
            json!({ "i": { "unitId": n.unit.id, "label": "工单系统" } })).await;
        app.ok(Some(&admins[0]), "mutation($i: RegisterWebhookInput!) { registerWebhook(input: $i) { webhook { id } } }",
            json!({ "i": { "unitId": n.unit.id, "url": "https://partner.example.gov.cn/gongzhi" } })).await;

        let mut universe: HashSet<String> = HashSet::new();
        for admin in &admins {
            universe.extend(listed(&app, admin).await);
        }
        for kind in KINDS {
            assert!(universe.iter().any(|id| decode(id).is_some_and(|(k, _)| k == *kind)), "[{b}] the demo lists no {kind}");
        }
        let mut ids: Vec<String> = universe.iter().cloned().collect();
        ids.sort();

        let principals = [
            ("street admin of 梅岭", admins[0].clone()),
            ("street admin of 青阳", admins[1].clone()),
            ("community admin", n.community.admin(&app)),
            ("community staff", n.staff(&app)),
            ("staff of the community beside", n.other.staff(&app)),
            ("convenor (a member)", n.convenor.token(&app)),
            ("resident", n.raiser.token(&app)),
            ("unit", n.unit.token(&app)),
            ("reporter", n.reporter(&app)),
            ("city", app.token(Role::CityAdmin, "jinjiang")),
        ];
        for (label, token) in &principals {
            let shown: HashSet<String> = listed(&app, token).await.intersection(&universe).cloned().collect();
            let found = refetched(&app, token, &ids).await;
            let (people, others): (HashSet<&String>, HashSet<&String>) =
                found.iter().partition(|id| decode(id).is_some_and(|(k, _)| k == "Person"));
            let (shown_people, shown_others): (HashSet<&String>, HashSet<&String>) =
                shown.iter().partition(|id| decode(id).is_some_and(|(k, _)| k == "Person"));
            assert_eq!(others, shown_others, "[{b}] {label}: node(id:) and the lists disagree");
            assert!(shown_people.is_subset(&people), "[{b}] {label}: a listed person cannot be refetched");
        }
    }
}

both_backends! {
    async fn an_appeal_event_refetches_for_those_who_follow_it_live_and_nobody_else(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        let n: Neighbourhood = Fixture::neighbourhood(&app, "丙").await;
        let appeal = crate::deliberation::fixtures::raise(&app, &n.raiser, "丙春苑路灯").await;
        let appeal_uuid = decode(&appeal).unwrap().1;
        let event = entity::appeal_event::Entity::find()
            .filter(entity::appeal_event::Column::AppealId.eq(appeal_uuid))
            .one(&app.db)
            .await
            .unwrap()
            .expect("raising writes an event");
        let id = global_id("AppealEvent", event.id).to_string();
        let query = "query($id: ID!) { node(id: $id) { ... on AppealEvent { id appealId kind state } } }";
        // Staff of the community and the raiser, as the subscription (`LiveAppealEvent::seen_by`).
        for (label, token) in [("staff", n.staff(&app)), ("raiser", n.raiser.token(&app))] {
            let d = app.ok(Some(&token), query, json!({ "id": id })).await;
            assert_eq!(d["node"]["id"], json!(id), "[{b}] {label}: {d}");
            assert_eq!(decode(d["node"]["appealId"].as_str().unwrap()).unwrap().1, appeal_uuid, "[{b}] {label}");
        }
        for (label, token) in [
            ("neighbour", n.neighbour.token(&app)),
            ("staff beside", n.other.staff(&app)),
            ("unit", n.unit.token(&app)),
            ("reporter", n.reporter(&app)),
        ] {
            let d = app.ok(Some(&token), query, json!({ "id": id })).await;
            assert!(d["node"].is_null(), "[{b}] {label}: {d}");
        }
    }
}

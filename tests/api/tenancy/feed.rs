//! The feed of task events and the webhooks per principal, on the demo world: `taskEvents` gives
//! each principal only the timeline entries its scope allows (staff and reporters their
//! communities', a unit those of the tasks it has a share of without other units' share events,
//! the city those of tasks at city level, residents and anonymous callers none), and `webhooks`
//! and `webhookDeliveries` answer street admins only, each its own street's.

use entity::{assignment, task_event};

use super::*;

/// Every event of the feed a token reads, up to `pages` pages of 100.
async fn feed_of(app: &TestApp, token: Option<&str>, pages: usize) -> Vec<Uuid> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..pages {
        let (_, body) = app.post(token, crate::feed::FEED, json!({ "after": after, "first": 100 })).await;
        let Some(edges) = body["data"]["taskEvents"]["edges"].as_array() else { return seen };
        seen.extend(edges.iter().map(|e| crate::collab_support::uuid(e["node"]["id"].as_str().unwrap())));
        after = body["data"]["taskEvents"]["pageInfo"]["endCursor"].as_str().map(str::to_owned).or(after);
        if body["data"]["taskEvents"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
    }
    seen
}

both_backends! {
    async fn the_feed_and_the_webhooks_stay_within_every_principals_scope(backend: Backend) {
        let b = backend.name();
        let app = TestApp::new(&backend, crate::support::Content::Demo(1)).await;
        let facts = Facts::read(&app).await;
        let events: HashMap<Uuid, task_event::Model> =
            task_event::Entity::find().all(&app.db).await.unwrap().into_iter().map(|e| (e.id, e)).collect();
        let tasks: HashMap<Uuid, task::Model> = task::Entity::find().all(&app.db).await.unwrap().into_iter().map(|t| (t.id, t)).collect();
        let mut shares: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
        for a in assignment::Entity::find().all(&app.db).await.unwrap() {
            shares.entry(a.task_id).or_default().insert(a.unit_id);
        }
        let meiling = facts.street_by_code["meiling-street"];
        let qingyang = facts.street_by_code["qingyang-street"];
        let housing = facts.unit_by_code["housing"];
        let zhuyuan = facts.community_by_code["zhuyuan"];

        // A webhook of 梅岭街道 for 住建, with deliveries from a comment on one of its tasks.
        gongzhi::config::allow_webhook_http_loopback(true);
        let meiling_admin = app.token(Role::StreetAdmin, "meiling-street");
        let hook = app
            .ok(
                Some(&meiling_admin),
                "mutation($i: RegisterWebhookInput!) { registerWebhook(input: $i) { webhook { id } } }",
                json!({ "i": { "unitId": global_id("CoBuildingUnit", housing).to_string(), "url": "https://housing.example.gov.cn/hook" } }),
            )
            .await["registerWebhook"]["webhook"]["id"]
            .as_str()
            .unwrap()
            .to_owned();

        type Rule = Box<dyn Fn(&task_event::Model) -> bool>;
        let in_street = |street: Uuid| -> Rule {
            let of = facts.street_of.clone();
            Box::new(move |e: &task_event::Model| of.get(&e.community_id) == Some(&street))
        };
        let seats = facts.seats.get(&housing).cloned().unwrap_or_default();
        let unit_rule: Rule = {
            let shares = shares.clone();
            Box::new(move |e: &task_event::Model| {
                seats.contains(&e.community_id)
                    && shares.get(&e.task_id).is_some_and(|u| u.contains(&housing))
                    && e.unit_id.is_none_or(|u| u == housing)
            })
        };
        let city_rule: Rule = {
            let tasks = tasks.clone();
            Box::new(move |e: &task_event::Model| tasks.get(&e.task_id).is_some_and(|t| t.level == task::TaskLevel::City))
        };
        let member = party_member::Entity::find().filter(party_member::Column::CommunityId.eq(zhuyuan)).one(&app.db).await.unwrap().unwrap();
        let principals: Vec<(&str, Option<String>, Rule)> = vec![
            ("meiling street admin", Some(meiling_admin.clone()), in_street(meiling)),
            ("qingyang street admin", Some(app.token(Role::StreetAdmin, "qingyang-street")), in_street(qingyang)),
            ("zhuyuan staff", Some(app.token(Role::CommunityStaff, "zhuyuan")), Box::new(move |e: &task_event::Model| e.community_id == zhuyuan)),
            ("meiling reporter", Some(app.token(Role::Reporter, "meiling-street")), in_street(meiling)),
            ("housing", Some(app.token(Role::Unit, "housing")), unit_rule),
            ("the city", Some(app.token(Role::CityAdmin, "jinjiang")), city_rule),
            ("a resident", Some(app.token(Role::Member, &member.person_id.to_string())), Box::new(|_: &task_event::Model| false)),
            ("anonymous", None, Box::new(|_: &task_event::Model| false)),
        ];
        for (label, token, allowed) in &principals {
            let seen = feed_of(&app, token.as_deref(), 20).await;
            for id in &seen {
                let e = events.get(id).unwrap_or_else(|| panic!("[{b}] {label}: event {id} is in no table"));
                assert!(allowed(e), "[{b}] {label}: the feed gave an event outside the scope: {e:?}");
            }
            let wanted = events.values().filter(|e| allowed(e)).count();
            assert!(seen.len() >= wanted.min(2000), "[{b}] {label}: {} of {wanted} events", seen.len());
            // Webhooks: street admins only, each its own street's.
            let (_, body) = app.post(token.as_deref(), "{ webhooks { id } }", json!({})).await;
            match *label {
                "meiling street admin" => assert_eq!(body["data"]["webhooks"], json!([{ "id": hook }]), "[{b}] {label}: {body}"),
                "qingyang street admin" => assert_eq!(body["data"]["webhooks"], json!([]), "[{b}] {label}: {body}"),
                "anonymous" => assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "[{b}] {label}: {body}"),
                _ => assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "[{b}] {label}: {body}"),
            }
            let (_, body) = app.post(token.as_deref(), "query($w: ID!) { webhookDeliveries(webhookId: $w) { totalCount } }", json!({ "w": hook })).await;
            if *label == "meiling street admin" {
                assert!(body["errors"].is_null(), "[{b}] {label}: {body}");
            } else {
                assert!(body["data"].is_null() || body["data"]["webhookDeliveries"].is_null(), "[{b}] {label}: {body}");
            }
        }
    }
}

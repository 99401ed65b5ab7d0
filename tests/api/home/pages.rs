//! A compound page (committee, manager, buildings with their leaders, renovation projects with
//! their milestones and tasks, the shared income's yearly totals, the arrears cases with their
//! buildings and contacts) costs the same number of statements for the demo street's homes
//! and for ten times as many: DataLoaders, no N+1.

use std::collections::BTreeSet;

use chrono::Datelike;
use entity::building;
use gongzhi::graphql::node::global_id;
use sea_orm::EntityTrait;

use super::*;
use crate::support::Content;

const PAGE: &str = r#"query($ids: [ID!]!) { nodes(ids: $ids) { ... on Home {
  compound { name households partyBranch { name } }
  managementMode
  buildings { label kind households leader { name phone personalDataVisible member { id } } leaderHistory { name status } }
  ownersCommittee { termStart members { name role phone } }
  ownersCommitteeHistory { termStart endedOn }
  propertyManager { name kind feeRateFen }
  propertyManagerHistory { name mode endedOn }
  leaderSelections { status name }
  projects { title status budgetFen funding { source amountFen } broker { name } milestones { title dueOn done evidence } tasks { title status } }
  ledgerTotals { year incomeFen disbursementFen balanceFen }
  arrearsCases { door amountOwedFen status plan building { label } contacts { channel contactedOn } }
} } }"#;

const COMMUNITY_PAGE: &str = r#"query($c: ID!) { homes(communityId: $c, first: 20) { totalCount edges { node {
  compound { name } managementMode
  buildings { label households leader { name phone } }
  ownersCommittee { members { name role } }
  propertyManager { name feeRateFen }
} } } }"#;

/// A street with its homes seeded; returns the app and every home's global id.
async fn street(backend: &crate::support::Backend, content: Content) -> (TestApp, Vec<String>) {
    let app = TestApp::new(backend, content).await;
    let seeded = gongzhi::home::demo::seed(&app.db, "meiling-street").await.unwrap();
    assert!(seeded > 0);
    gongzhi::home::demo::seed_affairs(&app.db, "meiling-street").await.unwrap();
    let compounds: BTreeSet<uuid::Uuid> = building::Entity::find().all(&app.db).await.unwrap().into_iter().map(|b| b.compound_id).collect();
    (app, compounds.into_iter().map(|c| global_id("Home", c).to_string()).collect())
}

/// The community 梅庭莱 and the home of its first compound (奥林春天).
async fn first_home(app: &TestApp, q: &str) -> (Value, String) {
    let d = app.ok(Some(&app.street_admin()), q, json!({})).await;
    let compound = d["community"]["compounds"]["edges"][0]["node"].clone();
    assert_eq!(compound["name"], "奥林春天");
    let (_, uuid) = crate::support::decode(compound["id"].as_str().unwrap()).unwrap();
    (d["community"]["id"].clone(), global_id("Home", uuid).to_string())
}

async fn statements(app: &TestApp, query: &str, vars: Value) -> (usize, Value) {
    let token = app.street_admin();
    app.ok(Some(&token), "{ viewer { kind } }", json!({})).await;
    app.count_statements(app.ok(Some(&token), query, vars)).await
}

both_backends! {
    async fn a_compound_page_costs_the_same_for_a_street_ten_times_larger(backend: Backend) {
        let (small, small_ids) = street(&backend, Content::Graph(1)).await;
        let (large, large_ids) = street(&backend, Content::Graph(10)).await;
        assert_eq!(small_ids.len(), 8, "桂园人家, 宝龙·金色花园 and 梅庭莱's six");
        assert_eq!(large_ids.len(), 80, "every copy of them in the larger street");
        // The same compound's page in both streets: 奥林春天 of 梅庭莱社区.
        let q = r#"{ community(code: "meitinglai") { id compounds(first: 1) { edges { node { id name } } } } }"#;
        let (c_small, h_small) = first_home(&small, q).await;
        let (c_large, h_large) = first_home(&large, q).await;
        let (n_small, d_small) = statements(&small, PAGE, json!({ "ids": [h_small] })).await;
        let (n_large, d_large) = statements(&large, PAGE, json!({ "ids": [h_large] })).await;
        for d in [&d_small, &d_large] {
            let home = &d["nodes"][0];
            assert_eq!(home["buildings"].as_array().unwrap().len(), 9, "eight buildings and a lane: {home}");
            assert!(home["buildings"][0]["leader"]["name"].is_string(), "leaders came back: {home}");
            assert_eq!(home["buildings"][0]["leaderHistory"].as_array().unwrap().len(), 2, "one stepped down: {home}");
            assert!(home["ownersCommittee"]["members"].as_array().is_some_and(|m| !m.is_empty()), "{home}");
            assert_eq!(home["managementMode"], "COMPANY");
            assert_eq!(home["projects"][0]["milestones"].as_array().unwrap().len(), 4, "the car park's milestones: {home}");
            assert_eq!(home["projects"][0]["tasks"][0]["status"], "VERIFIED", "{home}");
            // 80,000 yuan a month from January 2025 to the last month ended, less one disbursement.
            let year = json!({ "year": 2025, "incomeFen": 96_000_000, "disbursementFen": 12_000_000, "balanceFen": 84_000_000 });
            let years = home["ledgerTotals"].as_array().unwrap();
            assert_eq!(years.iter().find(|y| y["year"] == 2025), Some(&year), "奥林春天's car park income: {home}");
            let today = gongzhi::home::service::beijing_today();
            let months: i64 = (2025 * 12..today.year() * 12 + today.month0() as i32).count() as i64;
            let income: i64 = years.iter().map(|y| y["incomeFen"].as_i64().unwrap()).sum();
            assert_eq!(income, months * 8_000_000, "{home}");
            let cases = home["arrearsCases"].as_array().unwrap();
            assert_eq!(cases.len(), 5, "奥林春天's arrears: {home}");
            assert!(cases.iter().all(|c| c["building"]["label"].is_string()), "{home}");
            assert_eq!(cases.iter().map(|c| c["contacts"].as_array().unwrap().len()).sum::<usize>(), 8, "{home}");
        }
        assert_eq!(n_small, n_large, "[{}] statements grew with the data: {n_small} vs {n_large}", backend.name());
        // One statement per relation of the page: the arrears cases, their buildings and contacts are three.
        assert!(n_small <= 25 + small.scope_statements(), "[{}] {n_small} statements for a compound page", backend.name());

        // The page of a community's six homes, the same in both streets.
        let (n_small, d_small) = statements(&small, COMMUNITY_PAGE, json!({ "c": c_small })).await;
        let (n_large, d_large) = statements(&large, COMMUNITY_PAGE, json!({ "c": c_large })).await;
        assert_eq!(d_small["homes"]["totalCount"], 6);
        assert_eq!(d_large["homes"]["totalCount"], 6);
        assert_eq!(n_small, n_large, "[{}] {n_small} vs {n_large}", backend.name());
    }
}

//! A nested query costs one SQL statement per level, however large the street: DataLoaders, no N+1.
//!
//! The demo street at scale 1 and at scale 10 is the measure here, so these tests use the demo.

use serde_json::json;

use crate::support::{Content, TestApp};

const NESTED: &str = r#"{
  streets { name workingCommittee { name } }
  communities(first: 15) { totalCount edges { node {
    name street { name }
    jointCommittee { name memberships { role unit { code } } }
    compounds(first: 10) { totalCount edges { node {
      name
      partyBranch { name members(first: 20) { totalCount edges { node { name kind person { phone } } } } }
    } } }
  } } }
}"#;

async fn statements_for(app: &TestApp, query: &str) -> (usize, serde_json::Value) {
    let token = app.street_admin();
    // Warm up: resolving the credential is cached for a moment and is not part of the query's cost.
    app.ok(Some(&token), "{ viewer { kind } }", json!({})).await;
    let (n, data) = app.count_statements(app.ok(Some(&token), query, json!({}))).await;
    (n, data)
}

both_backends! {
    async fn a_nested_query_costs_the_same_for_a_street_ten_times_larger(backend: Backend) {
        let small = TestApp::demo(&backend).await;
        let large = TestApp::new(&backend, Content::Graph(10)).await;
        let (n_small, data_small) = statements_for(&small, NESTED).await;
        let (n_large, data_large) = statements_for(&large, NESTED).await;
        assert_eq!(data_small["communities"]["totalCount"], 15);
        assert_eq!(data_large["communities"]["totalCount"], 150);
        assert_eq!(data_large["communities"]["edges"].as_array().unwrap().len(), 15);
        let members = data_large["communities"]["edges"][14]["node"]["compounds"]["edges"][0]["node"]["partyBranch"]["members"]["edges"]
            .as_array()
            .unwrap()
            .len();
        assert!(members > 0, "the deepest level returned rows");
        assert_eq!(n_small, n_large, "[{}] statements grew with the data: {n_small} vs {n_large}", backend.name());
        // One statement per relation level, not per row.
        assert!(n_small <= 12 + small.scope_statements(), "[{}] {n_small} statements for one nested query", backend.name());
    }
}

both_backends! {
    async fn refetching_many_nodes_costs_a_statement_per_kind_not_per_id(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let token = app.street_admin();
        let d = app
            .ok(
                Some(&token),
                "{ communities(first: 15) { edges { node { id compounds(first: 3) { edges { node { id } } } } } } }",
                json!({}),
            )
            .await;
        let mut ids: Vec<String> = Vec::new();
        for c in d["communities"]["edges"].as_array().unwrap() {
            ids.push(c["node"]["id"].as_str().unwrap().to_owned());
            ids.extend(c["node"]["compounds"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()));
        }
        let refetch = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }";
        let (few, _) = app.count_statements(app.ok(Some(&token), refetch, json!({ "ids": &ids[..4] }))).await;
        let (n, data) = app.count_statements(app.ok(Some(&token), refetch, json!({ "ids": ids }))).await;
        assert_eq!(data["nodes"].as_array().unwrap().iter().filter(|n| n.is_object()).count(), ids.len());
        assert!(ids.len() > 40);
        assert_eq!(few, n, "[{}] {n} statements for {} ids, {few} for 4", backend.name(), ids.len());
    }
}

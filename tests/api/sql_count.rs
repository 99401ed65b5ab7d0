//! A nested query costs one SQL statement per level, however large the street: DataLoaders, no N+1.

use serde_json::json;

use crate::support::{Content, TestApp, backends};

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

#[tokio::test]
async fn a_nested_query_costs_the_same_for_a_street_ten_times_larger() {
    for backend in backends() {
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
        assert!(n_small <= 12, "[{}] {n_small} statements for one nested query", backend.name());
    }
}

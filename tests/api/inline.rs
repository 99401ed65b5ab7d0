//! Inline resolution (`gongzhi::graphql::inline`) answers exactly what async-graphql's executor
//! answers. `TestApp::post` sends every query of the test suite to both and compares the bytes;
//! these are the documents of the bench and ones that select every plain field of each type
//! resolved inline, with aliases, fragments, repeated keys and errors, as each kind of caller.

use serde_json::{Value, json};

use crate::support::{Content, TestApp};
use gongzhi::auth::Role;

/// The query of a bench request file (`bench/query.json`, `bench/mixed.json`).
fn bench_query(file: &str) -> String {
    let text = std::fs::read_to_string(format!("{}/bench/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    // mixed.json holds placeholders for wrk to fill in; the query itself is plain JSON.
    let text = text.replace("__N__", "3").replace("__M__", "2");
    let body: Value = serde_json::from_str(&text).unwrap();
    body["query"].as_str().unwrap().to_owned()
}

/// Every plain field of the types resolved inline, and the fields beside them.
const EVERYTHING: &str = r#"
query Everything {
  communities(first: 5) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      __typename id code name
      street { id code name t: __typename workingCommittee { id kind name foundedOn version } }
      compounds(first: 3) { nodes { id name kind builtYear households address version } edges { cursor } }
      partyOrganizations { id kind name foundedOn version parent { id name } }
      jointCommittee { id kind name memberships(includeEnded: true) {
        id role since until active version
        unit { id code name kind u: code }
        committee { id }
      } }
      units { id code kind }
    } }
  }
}"#;

/// The same positions through fragments, aliases and keys selected twice.
const SHAPES: &str = r#"
query Shapes {
  first: communities(first: 2) { edges { node { ...C } } }
  again: communities(first: 2) { nodes { code name code2: code } nodes { id } }
}
fragment C on Community {
  name
  ... on Community { id }
  jointCommittee { name memberships { role unit { name } unit { kind } } }
}"#;

both_backends! {
    async fn inline_resolution_answers_the_executors_bytes_for_every_caller(backend: Backend) {
        let app = TestApp::new(&backend, Content::Graph(1)).await;
        assert!(app.compare_with_executor.load(std::sync::atomic::Ordering::SeqCst));
        let tokens = [
            Some(app.street_admin()),
            Some(app.token(Role::CommunityStaff, "zhuyuan")),
            Some(app.token(Role::Unit, "water")),
            Some(app.token(Role::Reporter, "meiling-street")),
            None,
        ];
        let documents = [bench_query("query.json"), bench_query("mixed.json"), EVERYTHING.to_owned(), SHAPES.to_owned()];
        let mut answered = 0;
        for token in &tokens {
            for document in &documents {
                // `post` compares with the executor and fails on any difference.
                let (status, body) = app.post(token.as_deref(), document, json!({ "n": 3, "m": 2 })).await;
                assert_eq!(status, 200, "{body}");
                answered += usize::from(body["data"]["communities"]["edges"].as_array().is_some_and(|e| !e.is_empty()));
            }
        }
        // The street admin, the staff and the reporter see communities: the answers hold rows.
        assert!(answered >= 6, "{answered}");
        let data = app.ok(tokens[0].as_deref(), EVERYTHING, json!({})).await;
        let first = &data["communities"]["edges"][0]["node"];
        assert_eq!(first["__typename"], "Community");
        assert_eq!(first["street"]["workingCommittee"]["kind"], "STREET_WORKING_COMMITTEE");
        assert!(first["jointCommittee"]["memberships"].as_array().is_some_and(|m| !m.is_empty()), "{first}");
    }
}

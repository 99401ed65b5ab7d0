//! GraphQL spec corners of the executor's answers, over the roots merged from every noun: a
//! failing non-null root field makes `data` null, and keys come back in the order selected.

use serde_json::{Value, json};

use crate::support::{Content, TestApp};

/// The keys of a JSON object, in the order of the answer's text.
fn keys(v: &Value) -> Vec<String> {
    v.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

both_backends! {
    async fn a_failing_non_null_root_field_makes_data_null(backend: Backend) {
        let app = TestApp::new(&backend, Content::Graph(1)).await;
        // `communities` is non-null and refuses anonymous callers; `viewer` answers them.
        let (status, body) = app.post(None, "{ viewer { kind } communities { totalCount } }", json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(body["data"], Value::Null, "{body}");
        assert_eq!(body["errors"][0]["path"], json!(["communities"]));
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        // Through a fragment and an alias, the same.
        let (_, body) = app.post(None, "{ viewer { kind } ...F } fragment F on Query { c: communities { totalCount } }", json!({})).await;
        assert_eq!(body["data"], Value::Null, "{body}");
        // A field skipped is not missing.
        let q = "query($x: Boolean!) { viewer { kind } communities @include(if: $x) { totalCount } }";
        let (_, body) = app.post(None, q, json!({ "x": false })).await;
        assert_eq!(body["data"], json!({ "viewer": { "kind": "ANONYMOUS" } }), "{body}");
        assert!(body.get("errors").is_none(), "{body}");
        // A nullable root field that fails is null, and the rest of `data` stands.
        let (_, body) = app.post(None, "{ viewer { kind } community(code: \"meiling\") { code } }", json!({})).await;
        assert_eq!(body["data"]["viewer"]["kind"], "ANONYMOUS", "{body}");
        assert_eq!(body["data"]["community"], Value::Null, "{body}");
    }
}

both_backends! {
    async fn keys_come_back_in_the_order_selected_across_merged_roots_and_nested_objects(backend: Backend) {
        let app = TestApp::new(&backend, Content::Graph(1)).await;
        let token = app.street_admin();
        // Root fields of several nouns' roots, aliased, one through a fragment.
        let q = "{ b: viewer { kind z: street { code } a: street { name } } e: streets { code } ...F \
                 a3: serviceCategories { code } c: cities { y: name x: code } } \
                 fragment F on Query { d: communities(first: 1) { totalCount nodes: edges { node { code } } } }";
        let body = app.ok(Some(&token), q, json!({})).await;
        assert_eq!(keys(&body), ["b", "e", "d", "a3", "c"], "{body}");
        assert_eq!(keys(&body["b"]), ["kind", "z", "a"]);
        assert_eq!(keys(&body["c"][0]), ["y", "x"]);
        assert_eq!(keys(&body["d"]), ["totalCount", "nodes"]);
        // The order is the document's, whatever it is.
        let body = app.ok(Some(&token), "{ c: cities { code } a3: serviceCategories { code } b: viewer { kind } }", json!({})).await;
        assert_eq!(keys(&body), ["c", "a3", "b"]);
    }
}

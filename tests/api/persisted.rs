//! Persisted documents: Apollo's automatic persisted queries round trip as Apollo Client's link
//! drives it, and the trusted-documents mode runs its manifest's documents only.

use axum::body::Body;
use gongzhi::http::persisted::{Explore, Persisted, hash};
use serde_json::{Value, json};

use crate::support::{Content, TestApp};

/// POSTs a raw JSON body; the status and JSON answer.
async fn post(app: &TestApp, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut req = axum::http::Request::post("/graphql").header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let (status, _, bytes) = app.send(req.body(Body::from(body.to_string())).unwrap()).await;
    (status.as_u16(), serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// GETs `/graphql` with a query string; the status and JSON answer.
async fn get(app: &TestApp, token: &str, query_string: &str) -> (u16, Value) {
    let req = axum::http::Request::get(format!("/graphql?{query_string}")).header("authorization", format!("Bearer {token}"));
    let (status, _, bytes) = app.send(req.body(Body::empty()).unwrap()).await;
    (status.as_u16(), serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn apq(h: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": h } })
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or("OK")
}

const LANDING: &str = "query Landing { viewer { kind } streets { code } }";

both_backends! {
    async fn automatic_persisted_queries_round_trip_as_apollos_link_drives_them(backend: Backend) {
        let app = TestApp::new(&backend, Content::Graph(1)).await;
        let token = app.street_admin();
        let h = hash(LANDING);
        // A hash the server does not know: Apollo's link looks for this code and message.
        let (status, body) = post(&app, Some(&token), json!({ "extensions": apq(&h), "operationName": "Landing" })).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND", "{body}");
        assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
        // The link sends the hash with the text: checked, run and kept.
        let (status, body) = post(&app, Some(&token), json!({ "query": LANDING, "extensions": apq(&h) })).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["streets"][0]["code"], "meiling-street", "{body}");
        // From then on the hash alone runs it, by POST and by GET.
        let (_, by_hash) = post(&app, Some(&token), json!({ "extensions": apq(&h) })).await;
        assert_eq!(by_hash["data"], body["data"], "{by_hash}");
        let ext = urlencode(&apq(&h).to_string());
        let (status, by_get) = get(&app, &token, &format!("extensions={ext}")).await;
        assert_eq!((status, &by_get["data"]), (200, &body["data"]), "{by_get}");
        // The draft's `documentId` names the same document.
        let (_, by_id) = post(&app, Some(&token), json!({ "documentId": format!("sha256:{h}") })).await;
        assert_eq!(by_id["data"], body["data"], "{by_id}");
        // A text that does not hash to the hash sent is refused and not kept.
        let other = "{ viewer { kind } }";
        let (status, body) = post(&app, Some(&token), json!({ "query": other, "extensions": apq(&hash("{ x }")) })).await;
        assert_eq!((status, code(&body)), (400, "BAD_REQUEST"), "{body}");
        let (_, body) = post(&app, Some(&token), json!({ "extensions": apq(&hash("{ x }")) })).await;
        assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND");
        // A persisted mutation is still refused over GET.
        let mutation = "mutation { revokeApiKey(id: \"x\") { id } }";
        post(&app, Some(&token), json!({ "query": mutation, "extensions": apq(&hash(mutation)) })).await;
        let ext = urlencode(&apq(&hash(mutation)).to_string());
        let (status, _) = get(&app, &token, &format!("extensions={ext}")).await;
        assert_eq!(status, 405);
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// A manifest file in Apollo's format listing `documents`.
fn manifest(documents: &[&str]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("gongzhi-trusted-{}.json", uuid::Uuid::now_v7()));
    let operations: Vec<Value> = documents.iter().map(|d| json!({ "id": hash(d), "type": "query", "body": d })).collect();
    std::fs::write(&path, json!({ "format": "apollo-persisted-query-manifest", "version": 1, "operations": operations }).to_string())
        .unwrap();
    path
}

both_backends! {
    async fn trusted_documents_mode_runs_the_listed_documents_only(backend: Backend) {
        let path = manifest(&[LANDING]);
        let trusted = Persisted::trusted(&path, Explore::Nobody).unwrap();
        let app = TestApp::with_state(&backend, Content::Graph(1), move |s| s.with_persisted(trusted)).await;
        let token = app.street_admin();
        // Listed: by hash and by text.
        let (_, body) = post(&app, Some(&token), json!({ "extensions": apq(&hash(LANDING)) })).await;
        assert_eq!(body["data"]["streets"][0]["code"], "meiling-street", "{body}");
        let data = app.ok(Some(&token), LANDING, json!({})).await;
        assert_eq!(data["viewer"]["kind"], "STREET_ADMIN");
        // Not listed: refused with a clear code, by text, by hash, and by hash with its text (not learnt).
        let unlisted = "{ viewer { kind } }";
        let (status, body) = post(&app, Some(&token), json!({ "query": unlisted })).await;
        assert_eq!((status, code(&body)), (200, "PERSISTED_QUERY_NOT_LISTED"), "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("trusted-documents manifest"));
        assert!(body.get("data").is_none() || body["data"].is_null());
        let (_, body) = post(&app, Some(&token), json!({ "query": unlisted, "extensions": apq(&hash(unlisted)) })).await;
        assert_eq!(code(&body), "PERSISTED_QUERY_NOT_LISTED", "{body}");
        let (_, body) = post(&app, Some(&token), json!({ "extensions": apq(&hash(unlisted)) })).await;
        assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND", "{body}");
        let (_, body) = post(&app, None, json!({ "query": unlisted })).await;
        assert_eq!(code(&body), "PERSISTED_QUERY_NOT_LISTED", "anonymous callers too: {body}");

        // With exploring allowed, admins run any document; staff still only the listed ones.
        let exploring = Persisted::trusted(&path, Explore::Admins).unwrap();
        let app = TestApp::with_state(&backend, Content::Graph(1), move |s| s.with_persisted(exploring)).await;
        let data = app.ok(Some(&app.street_admin()), unlisted, json!({})).await;
        assert_eq!(data["viewer"]["kind"], "STREET_ADMIN");
        let staff = app.token(gongzhi::auth::Role::CommunityStaff, "meiling");
        let (_, body) = post(&app, Some(&staff), json!({ "query": unlisted })).await;
        assert_eq!(code(&body), "PERSISTED_QUERY_NOT_LISTED", "{body}");
        let (_, body) = post(&app, Some(&staff), json!({ "query": LANDING })).await;
        assert!(body.get("errors").is_none(), "{body}");
        std::fs::remove_file(&path).ok();
    }
}

#[test]
fn a_manifest_whose_hash_does_not_match_its_document_is_refused_at_start() {
    let path = std::env::temp_dir().join(format!("gongzhi-trusted-{}.json", uuid::Uuid::now_v7()));
    std::fs::write(&path, json!({ hash("{ a }"): "{ b }" }).to_string()).unwrap();
    let refused = Persisted::trusted(&path, Explore::Nobody).err().unwrap_or_default();
    assert!(refused.contains("does not hash"), "{refused}");
    std::fs::remove_file(&path).ok();
}

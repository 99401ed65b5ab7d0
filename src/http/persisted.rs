//! Persisted documents: Apollo's automatic persisted queries, and a trusted-documents mode.
//!
//! **Automatic persisted queries** (Apollo Client's `createPersistedQueryLink`, urql's
//! `persistedExchange`): a client sends only `extensions.persistedQuery.sha256Hash` (or the
//! GraphQL-over-HTTP draft's `documentId: "sha256:…"`). A document this instance knows runs; an
//! unknown one answers `PERSISTED_QUERY_NOT_FOUND` (message `PersistedQueryNotFound`, as Apollo's
//! link looks for), and the client sends the hash with the text, which is checked against the hash
//! and kept: a bounded number per instance (an instance that forgot a document, or never saw it
//! behind a load balancer, asks for it once more; nothing is lost but a round trip).
//!
//! **Trusted documents** (`GONGZHI_TRUSTED_DOCUMENTS=path`): a manifest of hash → document, as
//! Relay's compiler (`{"<hash>": "<text>"}`) or Apollo's `generate-persisted-query-manifest`
//! (`{"format": "apollo-persisted-query-manifest", "operations": [{"id", "body"}, …]}`) write
//! them. Only listed documents run, by hash or by their full text; any other is
//! `PERSISTED_QUERY_NOT_LISTED`, and nothing is learnt from clients. With
//! `GONGZHI_TRUSTED_DOCUMENTS_EXPLORE=admins`, street, community and city admins may still run any
//! document (exploring in GraphiQL).

use std::collections::HashMap;
use std::sync::Arc;

use moka::policy::EvictionPolicy;
use moka::sync::Cache;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Documents learnt per instance; past it the least recently used are forgotten.
const CAPACITY: u64 = 2048;
/// Documents longer than this are not learnt.
const MAX_LEN: usize = 64 * 1024;

/// Who may run a document that the trusted manifest does not list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Explore {
    /// Nobody.
    #[default]
    Nobody,
    /// Street, community and city admins.
    Admins,
}

/// The persisted documents of one instance.
pub struct Persisted {
    /// Documents learnt from clients by hash: a moka cache of [`CAPACITY`] documents that
    /// evicts the least recently used when full (LRU: the document a client just sent is the one
    /// it asks for by hash next), instead of starting over.
    learnt: Cache<String, Arc<str>>,
    trusted: Option<Trusted>,
}

impl Default for Persisted {
    fn default() -> Self {
        Persisted { learnt: learnt_store(), trusted: None }
    }
}

fn learnt_store() -> Cache<String, Arc<str>> {
    Cache::builder().max_capacity(CAPACITY).eviction_policy(EvictionPolicy::lru()).build()
}

struct Trusted {
    documents: HashMap<String, Arc<str>>,
    explore: Explore,
}

/// What a request's document is, once its hash is read.
pub enum Document {
    /// The text to run.
    Text(String),
    /// A hash this instance does not know: the client should send the text.
    NotFound,
    /// The text does not hash to the hash sent.
    Mismatch,
    /// Trusted-documents mode: the document is not listed.
    NotListed,
}

/// The lowercase hex SHA-256 of a document's text.
pub fn hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash a request names: `extensions.persistedQuery.sha256Hash` (version 1).
pub fn requested_hash(extensions: &async_graphql::Extensions) -> Option<String> {
    let pq = extensions.get("persistedQuery")?;
    let async_graphql::Value::Object(pq) = pq else { return None };
    match pq.get("sha256Hash") {
        Some(async_graphql::Value::String(h)) => Some(h.trim().to_ascii_lowercase()),
        _ => None,
    }
}

impl Persisted {
    /// Automatic persisted queries only.
    pub fn learning() -> Persisted {
        Persisted::default()
    }

    /// Trusted-documents mode over the manifest at `path`.
    pub fn trusted(path: &std::path::Path, explore: Explore) -> Result<Persisted, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("reading the trusted documents {}: {e}", path.display()))?;
        let documents = parse_manifest(&text).map_err(|e| format!("the trusted documents {}: {e}", path.display()))?;
        Ok(Persisted { learnt: learnt_store(), trusted: Some(Trusted { documents, explore }) })
    }

    /// Whether only listed documents run.
    pub fn is_trusted_mode(&self) -> bool {
        self.trusted.is_some()
    }

    /// Whether a caller who `is_admin` may run documents the manifest does not list.
    pub fn admits_unlisted(&self, is_admin: bool) -> bool {
        match &self.trusted {
            None => true,
            Some(t) => t.explore == Explore::Admins && is_admin,
        }
    }

    /// The document of a request naming `hash`, with `text` when the client sent it.
    pub fn resolve(&self, hash_sent: &str, text: &str) -> Document {
        if !text.is_empty() && hash(text) != hash_sent {
            return Document::Mismatch;
        }
        if let Some(t) = &self.trusted {
            return match t.documents.get(hash_sent) {
                Some(doc) => Document::Text(doc.to_string()),
                None if text.is_empty() => Document::NotFound,
                None => Document::NotListed,
            };
        }
        if !text.is_empty() {
            self.learn(hash_sent, text);
            return Document::Text(text.to_owned());
        }
        match self.learnt.get(hash_sent) {
            Some(doc) => Document::Text(doc.to_string()),
            None => Document::NotFound,
        }
    }

    /// Whether a document sent as text (no hash) is listed; always in learning mode.
    pub fn lists(&self, text: &str) -> bool {
        match &self.trusted {
            None => true,
            Some(t) => t.documents.contains_key(&hash(text)),
        }
    }

    fn learn(&self, hash: &str, text: &str) {
        if text.len() > MAX_LEN {
            return;
        }
        self.learnt.insert(hash.to_owned(), Arc::from(text));
    }
}

/// Reads a Relay (`{hash: text}`) or Apollo (`{"operations": [{"id", "body"}]}`) manifest; every
/// hash is checked against its document.
fn parse_manifest(text: &str) -> Result<HashMap<String, Arc<str>>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let pairs: Vec<(String, String)> = match &value {
        Value::Object(map) if map.contains_key("operations") => {
            let ops = map.get("operations").and_then(Value::as_array).ok_or("`operations` must be a list")?;
            ops.iter()
                .map(|op| {
                    let id = op.get("id").and_then(Value::as_str).ok_or("an operation without an `id`")?;
                    let body = op.get("body").and_then(Value::as_str).ok_or("an operation without a `body`")?;
                    Ok((id.to_owned(), body.to_owned()))
                })
                .collect::<Result<_, &str>>()?
        }
        Value::Object(map) => map
            .iter()
            .map(|(id, body)| body.as_str().map(|b| (id.clone(), b.to_owned())).ok_or("every value must be a document's text"))
            .collect::<Result<_, &str>>()?,
        _ => return Err("the manifest must be a JSON object".into()),
    };
    let mut out = HashMap::with_capacity(pairs.len());
    for (id, body) in pairs {
        let id = id.trim().trim_start_matches("sha256:").to_ascii_lowercase();
        if hash(&body) != id {
            return Err(format!("the document listed as {id} does not hash to it (SHA-256 of its text)"));
        }
        out.insert(id, Arc::from(body.as_str()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learning_mode_finds_what_it_was_sent_and_checks_hashes() {
        let p = Persisted::learning();
        let q = "{ viewer { kind } }";
        let h = hash(q);
        assert!(matches!(p.resolve(&h, ""), Document::NotFound));
        assert!(matches!(p.resolve(&h, "{ other }"), Document::Mismatch));
        assert!(matches!(p.resolve(&h, q), Document::Text(t) if t == q));
        assert!(matches!(p.resolve(&h, ""), Document::Text(t) if t == q));
        assert!(p.lists("{ anything }"));
    }

    #[test]
    fn a_full_store_forgets_its_least_recently_used_documents_not_all() {
        let p = Persisted::learning();
        let docs: Vec<String> = (0..CAPACITY + 100).map(|i| format!("{{ a{i} }}")).collect();
        for d in &docs {
            assert!(matches!(p.resolve(&hash(d), d), Document::Text(_)));
        }
        p.learnt.run_pending_tasks();
        assert!(p.learnt.entry_count() <= CAPACITY);
        assert!(matches!(p.resolve(&hash(&docs[0]), ""), Document::NotFound), "the first learnt is forgotten");
        let last = &docs[docs.len() - 1];
        assert!(matches!(p.resolve(&hash(last), ""), Document::Text(t) if t == *last), "the last learnt is kept");
    }

    #[test]
    fn manifests_of_relay_and_apollo_are_read_and_checked() {
        let q = "query V { viewer { kind } }";
        let relay = serde_json::json!({ hash(q): q }).to_string();
        assert_eq!(parse_manifest(&relay).unwrap().len(), 1);
        let apollo = serde_json::json!({ "format": "apollo-persisted-query-manifest", "version": 1,
            "operations": [{ "id": hash(q), "name": "V", "type": "query", "body": q }] })
        .to_string();
        assert_eq!(parse_manifest(&apollo).unwrap().len(), 1);
        let wrong = serde_json::json!({ hash("{ x }"): q }).to_string();
        assert!(parse_manifest(&wrong).unwrap_err().contains("does not hash"));
    }
}

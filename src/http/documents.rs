//! A bounded cache of parsed and validated GraphQL documents by query text. Front-ends send the
//! same few queries over and over; parsing and validating them was about a third of a
//! request's CPU (measured with perf while running bench/run.sh). A document enters the cache
//! only after it passed full validation once; the schema does not change while the process
//! runs, so it stays valid, and later requests only re-check the limits that depend on
//! variables (depth, complexity).

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;
use moka::sync::Cache;

/// Queries longer than this are not cached.
const MAX_QUERY_LEN: usize = 32 * 1024;
/// Distinct queries kept.
const CAPACITY: u64 = 512;

/// Parsed documents by query text: a moka cache bounded to 512 documents. When it is
/// full, moka evicts the least recently used document and admits a new one only once it is
/// asked for more often than that one (TinyLFU), so a stream of one-off documents cannot push
/// out the few that front-ends send over and over (the cache used to start over when full).
pub struct DocumentCache {
    entries: Cache<Arc<str>, Arc<ExecutableDocument>>,
}

impl Default for DocumentCache {
    fn default() -> Self {
        DocumentCache { entries: Cache::new(CAPACITY) }
    }
}

impl DocumentCache {
    /// The parsed `query`, if it was parsed before.
    pub fn get(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        self.entries.get(query)
    }

    /// Remembers a document that passed full validation.
    pub fn put(&self, query: &str, doc: Arc<ExecutableDocument>) {
        if query.len() > MAX_QUERY_LEN {
            return;
        }
        self.entries.insert(Arc::from(query), doc);
    }
}

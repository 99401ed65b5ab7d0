//! A bounded cache of parsed and validated GraphQL documents by query text. Front-ends send the
//! same few queries over and over; parsing and validating them was about a third of a
//! request's CPU (measured with perf while running bench/run.sh). A document enters the cache
//! only after it passed full validation once; the schema does not change while the process
//! runs, so it stays valid, and later requests only re-check the limits that depend on
//! variables (depth, complexity).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;

/// Queries longer than this are not cached.
const MAX_QUERY_LEN: usize = 32 * 1024;
/// Distinct queries kept; the cache starts over when full.
const CAPACITY: usize = 512;

/// Parsed documents by query text.
#[derive(Default)]
pub struct DocumentCache {
    entries: Mutex<HashMap<Arc<str>, ExecutableDocument>>,
}

impl DocumentCache {
    /// A parsed copy of `query`, if it was parsed before.
    pub fn get(&self, query: &str) -> Option<ExecutableDocument> {
        self.entries.lock().ok()?.get(query).cloned()
    }

    /// Remembers a document that passed full validation.
    pub fn put(&self, query: &str, doc: &ExecutableDocument) {
        if query.len() > MAX_QUERY_LEN {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(Arc::from(query), doc.clone());
        }
    }
}

//! A short-lived cache of resolved scopes, by credential.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Scope;

/// How long a resolved scope is reused for the same credential. Short, so that a change of
/// committee membership reaches partner scopes within seconds, while a busy front-end does not
/// resolve its principal on every request.
const SCOPE_TTL: Duration = Duration::from_secs(2);
const MAX_CACHED: usize = 10_000;

/// Recently resolved scopes by credential.
#[derive(Default)]
pub struct ScopeCache {
    entries: Mutex<HashMap<String, (Scope, Instant)>>,
}

impl ScopeCache {
    pub fn get(&self, key: &str) -> Option<Scope> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).filter(|(_, at)| at.elapsed() < SCOPE_TTL).map(|(s, _)| s.clone())
    }

    pub fn put(&self, key: String, scope: Scope) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_CACHED {
                entries.retain(|_, (_, at)| at.elapsed() < SCOPE_TTL);
                if entries.len() >= MAX_CACHED {
                    entries.clear();
                }
            }
            entries.insert(key, (scope, Instant::now()));
        }
    }

    /// Forgets every cached scope (after a change that narrows someone's rights).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

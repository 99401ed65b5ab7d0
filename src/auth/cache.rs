//! A short-lived cache of resolved scopes, by credential.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::Scope;

/// How long a resolved scope is reused for the same credential, at most: a busy front-end does
/// not resolve its principal on every request. Any committed change (here or, on PostgreSQL, on
/// another instance) ends the reuse at once, and so does the credential's expiry.
const SCOPE_TTL: Duration = Duration::from_secs(2);
const MAX_CACHED: usize = 10_000;

struct Entry {
    scope: Scope,
    at: Instant,
    /// The data generation (see `Changes::generation`) the scope was resolved in.
    generation: u64,
    /// When the credential expires (seconds since the epoch), if it does.
    expires: Option<u64>,
}

/// Recently resolved scopes by credential.
#[derive(Default)]
pub struct ScopeCache {
    entries: Mutex<HashMap<String, Entry>>,
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(u64::MAX)
}

impl ScopeCache {
    /// The scope cached for `key` while nothing changed since (`generation`).
    pub fn get(&self, key: &str, generation: u64) -> Option<Scope> {
        let entries = self.entries.lock().ok()?;
        let e = entries.get(key)?;
        let fresh = e.at.elapsed() < SCOPE_TTL && e.generation == generation && e.expires.is_none_or(|exp| now_secs() < exp);
        fresh.then(|| e.scope.clone())
    }

    /// Keeps a scope resolved in `generation` (read before resolving it).
    pub fn put(&self, key: String, scope: Scope, generation: u64, expires: Option<u64>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_CACHED {
                entries.retain(|_, e| e.at.elapsed() < SCOPE_TTL);
                if entries.len() >= MAX_CACHED {
                    entries.clear();
                }
            }
            entries.insert(key, Entry { scope, at: Instant::now(), generation, expires });
        }
    }

    /// Forgets every cached scope (after a change that narrows someone's rights).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_scope_ends_with_a_change_or_the_credentials_expiry() {
        let cache = ScopeCache::default();
        cache.put("a".into(), Scope::anonymous(), 7, None);
        assert!(cache.get("a", 7).is_some());
        assert!(cache.get("a", 8).is_none(), "something changed since");
        cache.put("b".into(), Scope::anonymous(), 7, Some(now_secs().saturating_sub(1)));
        assert!(cache.get("b", 7).is_none(), "the token has expired");
        cache.put("c".into(), Scope::anonymous(), 7, Some(now_secs() + 60));
        assert!(cache.get("c", 7).is_some());
    }
}

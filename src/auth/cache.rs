//! A short-lived cache of resolved scopes, by credential.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use moka::policy::EvictionPolicy;
use moka::sync::Cache;

use super::Scope;

/// How long a resolved scope is reused for the same credential, at most: a busy front-end does
/// not resolve its principal on every request. Any committed change (here or, on PostgreSQL, on
/// another instance) ends the reuse at once, and so does the credential's expiry.
const SCOPE_TTL: Duration = Duration::from_secs(2);
/// Credentials kept at once; past it the least recently used are evicted.
const MAX_CACHED: u64 = 10_000;

#[derive(Clone)]
struct Entry {
    scope: Scope,
    /// The data generation (see `Changes::generation`) the scope was resolved in.
    generation: u64,
    /// When the credential expires (seconds since the epoch), if it does.
    expires: Option<u64>,
}

/// Recently resolved scopes by credential: a moka cache whose entries live two seconds, bounded
/// in size. A full cache evicts its least recently used credentials (LRU: the credential just
/// resolved is the one its next request presents), instead of starting over.
pub struct ScopeCache {
    entries: Cache<String, Entry>,
}

impl Default for ScopeCache {
    fn default() -> Self {
        let entries = Cache::builder().max_capacity(MAX_CACHED).time_to_live(SCOPE_TTL).eviction_policy(EvictionPolicy::lru()).build();
        ScopeCache { entries }
    }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(u64::MAX)
}

impl ScopeCache {
    /// The scope cached for `key` while nothing changed since (`generation`).
    pub fn get(&self, key: &str, generation: u64) -> Option<Scope> {
        let e = self.entries.get(key)?;
        let fresh = e.generation == generation && e.expires.is_none_or(|exp| now_secs() < exp);
        fresh.then_some(e.scope)
    }

    /// Keeps a scope resolved in `generation` (read before resolving it).
    pub fn put(&self, key: String, scope: Scope, generation: u64, expires: Option<u64>) {
        self.entries.insert(key, Entry { scope, generation, expires });
    }

    /// Forgets every cached scope (after a change that narrows someone's rights).
    pub fn clear(&self) {
        self.entries.invalidate_all();
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

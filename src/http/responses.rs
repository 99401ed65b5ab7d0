//! A short-lived cache of whole query responses, for the read-heavy case of many front-ends
//! polling the same dashboards (bench/run.sh measures exactly that).
//!
//! An entry is keyed by the principal (its exact identity: same role and anchor ids, same scope), the
//! query text, the operation name and the variables, compared in full (no hash-only keys, so
//! one principal's data can never answer another's request). It is served only while
//! - no change was committed since it was stored: every mutation request, every published
//!   task event (including those arriving from other instances through PostgreSQL) and every
//!   escalation bumps the change counter of the change bus (`crate::changes`), and
//! - it is younger than the configured lifetime (default 1 s), which bounds staleness for what
//!   the counter cannot see: time-dependent fields such as `overdue`, and organisation changes
//!   made on another instance.
//!
//! When an entry outlives its lifetime with no change committed, one request recomputes it
//! while the others keep getting the entry (at most ten lifetimes old): under load, expiry
//! costs one execution instead of one per waiting client.
//!
//! Only error-free responses to queries are stored. `GONGZHI_RESPONSE_CACHE_MS=0` turns it off.
//!
//! The entries are held in a moka cache bounded to 128 responses, which drops them ten
//! lifetimes after they were stored. When it is full, moka evicts the least recently used entry
//! and admits a new one only once it is asked for more often than that one (TinyLFU), so that
//! one-off queries do not push out the dashboards' (the cache used to start over when full).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use moka::sync::Cache;

const CAPACITY: u64 = 128;
const MAX_BODY: usize = 512 * 1024;
/// How long past its lifetime an entry may still be served while one request refreshes it, in
/// lifetimes.
const STALE_LIFETIMES: u32 = 10;

#[derive(Clone)]
struct Entry {
    body: Bytes,
    stored: Instant,
    generation: u64,
    /// Set while one request recomputes an expired entry.
    refreshing: Arc<AtomicBool>,
}

/// What the cache has for a request.
pub enum Lookup {
    /// Serve this.
    Hit(Bytes),
    /// Compute the response; `Refresh` must be given back to `put` or dropped.
    Miss(Option<Refresh>),
}

/// The right to refresh an expired entry; releases it when dropped without a new entry.
pub struct Refresh(Arc<AtomicBool>);

impl Drop for Refresh {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Recent query responses.
pub struct ResponseCache {
    ttl: Duration,
    entries: Cache<String, Entry>,
}

impl ResponseCache {
    pub fn new(ttl: Duration) -> Self {
        // moka refuses lifetimes over 1000 years; a day is far beyond any sensible setting.
        let kept = ttl.saturating_mul(STALE_LIFETIMES).min(Duration::from_secs(86_400));
        let capacity = if ttl.is_zero() { 0 } else { CAPACITY };
        ResponseCache { ttl, entries: Cache::builder().max_capacity(capacity).time_to_live(kept).build() }
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// The full key of a request.
    pub fn key(principal: &str, media: &str, operation: Option<&str>, query: &str, variables: &str) -> String {
        let mut key = String::with_capacity(principal.len() + query.len() + variables.len() + 64);
        for part in [principal, media, operation.unwrap_or(""), query, variables] {
            key.push_str(part);
            key.push('\u{0}');
        }
        key
    }

    /// What the cache holds for `key` at `generation`.
    pub fn get(&self, key: &str, generation: u64) -> Lookup {
        if !self.enabled() {
            return Lookup::Miss(None);
        }
        let Some(e) = self.entries.get(key) else { return Lookup::Miss(None) };
        if e.generation != generation {
            return Lookup::Miss(None);
        }
        let age = e.stored.elapsed();
        if age < self.ttl {
            return Lookup::Hit(e.body);
        }
        if e.refreshing.compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
            return Lookup::Miss(Some(Refresh(e.refreshing)));
        }
        if age < self.ttl.saturating_mul(STALE_LIFETIMES) { Lookup::Hit(e.body) } else { Lookup::Miss(None) }
    }

    /// Stores a response computed at `generation`.
    pub fn put(&self, key: String, body: Bytes, generation: u64) {
        if !self.enabled() || body.len() > MAX_BODY {
            return;
        }
        self.entries.insert(key, Entry { body, stored: Instant::now(), generation, refreshing: Arc::default() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_with_changes_and_time() {
        let cache = ResponseCache::new(Duration::from_millis(50));
        let hit = |l: Lookup| matches!(l, Lookup::Hit(_));
        let key = ResponseCache::key("community-staff:zhuyuan", "json", None, "{ a }", "{}");
        cache.put(key.clone(), Bytes::from_static(b"x"), 1);
        assert!(hit(cache.get(&key, 1)));
        assert!(!hit(cache.get(&key, 2)), "a commit invalidates");
        let other = ResponseCache::key("community-staff:meiling", "json", None, "{ a }", "{}");
        assert!(!hit(cache.get(&other, 1)), "another principal never hits");
        std::thread::sleep(Duration::from_millis(60));
        let refresh = cache.get(&key, 1);
        assert!(matches!(refresh, Lookup::Miss(Some(_))), "the first request after expiry recomputes");
        assert!(hit(cache.get(&key, 1)), "the others are served meanwhile");
        drop(refresh);
        assert!(matches!(cache.get(&key, 1), Lookup::Miss(Some(_))), "an abandoned refresh is released");
        assert!(!hit(ResponseCache::new(Duration::ZERO).get(&key, 1)));
    }
}

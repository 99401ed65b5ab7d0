//! A short-lived cache of whole query responses, for the read-heavy case of many front-ends
//! polling the same dashboards (bench/run.sh measures exactly that).
//!
//! An entry is keyed by the principal (its scope label: same role and anchor, same scope), the
//! query text, the operation name and the variables, compared in full (no hash-only keys, so
//! one principal's data can never answer another's request). It is served only while
//! - no change was committed since it was stored: every mutation request, every published
//!   task event (including those arriving from other instances through PostgreSQL) and every
//!   escalation bumps the change counter of the [`EventBus`], and
//! - it is younger than the configured lifetime (default 1 s), which bounds staleness for what
//!   the counter cannot see: time-dependent fields such as `overdue`, and organisation changes
//!   made on another instance.
//!
//! Only error-free responses to queries are stored. `GONGZHI_RESPONSE_CACHE_MS=0` turns it off.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;

const CAPACITY: usize = 128;
const MAX_BODY: usize = 512 * 1024;

struct Entry {
    body: Bytes,
    stored: Instant,
    generation: u64,
}

/// Recent query responses.
pub struct ResponseCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

impl ResponseCache {
    pub fn new(ttl: Duration) -> Self {
        ResponseCache { ttl, entries: Mutex::new(HashMap::new()) }
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

    /// A stored response, if still fresh at `generation`.
    pub fn get(&self, key: &str, generation: u64) -> Option<Bytes> {
        if !self.enabled() {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        let e = entries.get(key)?;
        (e.generation == generation && e.stored.elapsed() < self.ttl).then(|| e.body.clone())
    }

    /// Stores a response computed at `generation`.
    pub fn put(&self, key: String, body: Bytes, generation: u64) {
        if !self.enabled() || body.len() > MAX_BODY {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                let ttl = self.ttl;
                entries.retain(|_, e| e.generation == generation && e.stored.elapsed() < ttl);
                if entries.len() >= CAPACITY {
                    entries.clear();
                }
            }
            entries.insert(key, Entry { body, stored: Instant::now(), generation });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_with_changes_and_time() {
        let cache = ResponseCache::new(Duration::from_millis(50));
        let key = ResponseCache::key("community-staff:zhuyuan", "json", None, "{ a }", "{}");
        cache.put(key.clone(), Bytes::from_static(b"x"), 1);
        assert!(cache.get(&key, 1).is_some());
        assert!(cache.get(&key, 2).is_none(), "a commit invalidates");
        assert!(
            cache.get(&ResponseCache::key("community-staff:meiling", "json", None, "{ a }", "{}"), 1).is_none(),
            "another principal never hits"
        );
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get(&key, 1).is_none(), "too old");
        assert!(ResponseCache::new(Duration::ZERO).get(&key, 1).is_none());
    }
}

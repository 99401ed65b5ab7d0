//! Rate limits per principal: no caller can starve the others. Each principal (a key, a
//! token's person or role, the city's login) and each address of anonymous callers has a
//! budget of requests per second with a burst (GCRA: a request is admitted while the caller's
//! theoretical arrival time is no further ahead than the burst allows). Past it, GraphQL and
//! exports answer `429` with `RATE_LIMITED` and `Retry-After`. Set with `GONGZHI_RATE_LIMIT`
//! (requests per second, 0 off) and `GONGZHI_RATE_BURST`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Callers remembered at once; past it, those whose budget is whole again are forgotten.
const MAX_CALLERS: usize = 100_000;

/// A rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests per second, sustained; 0 turns the limits off.
    pub per_second: u32,
    /// Requests admitted at once above the rate.
    pub burst: u32,
}

impl Default for Rate {
    /// Off: the server's command line sets its own (50 a second, bursts of 200, by default).
    fn default() -> Self {
        Rate { per_second: 0, burst: 0 }
    }
}

/// Whose budget a request spends: its principal's, or its address's for anonymous callers.
pub fn caller(scope: &crate::auth::Scope, peer: Option<super::Peer>) -> String {
    match (scope.principal(), peer) {
        (crate::auth::Principal::Anonymous, Some(super::Peer(ip))) => format!("address:{ip}"),
        (crate::auth::Principal::Anonymous, None) => "address:-".to_owned(),
        _ => scope.identity(),
    }
}

/// The limiter of one instance.
pub struct RateLimiter {
    rate: Rate,
    /// Each caller's theoretical arrival time.
    callers: Mutex<HashMap<String, Instant>>,
}

impl RateLimiter {
    pub fn new(rate: Rate) -> Self {
        RateLimiter { rate, callers: Mutex::new(HashMap::new()) }
    }

    /// Admits one request of the scope's caller, or refuses it with `RATE_LIMITED` and the
    /// seconds to wait.
    pub fn admit_scope(&self, scope: &crate::auth::Scope, peer: Option<super::Peer>) -> Result<(), crate::error::AppError> {
        self.admit(&caller(scope, peer)).map_err(|wait| crate::error::AppError::RateLimited(retry_after(wait)))
    }

    /// Admits one request of `caller`, or says how long to wait.
    pub fn admit(&self, caller: &str) -> Result<(), Duration> {
        self.admit_at(caller, Instant::now())
    }

    fn admit_at(&self, caller: &str, now: Instant) -> Result<(), Duration> {
        if self.rate.per_second == 0 {
            return Ok(());
        }
        let interval = Duration::from_secs(1) / self.rate.per_second;
        let tolerance = interval * self.rate.burst.max(1).saturating_sub(1);
        let Ok(mut callers) = self.callers.lock() else { return Ok(()) };
        if callers.len() >= MAX_CALLERS {
            callers.retain(|_, tat| *tat > now);
        }
        let tat = callers.get(caller).copied().filter(|t| *t > now).unwrap_or(now);
        let allowed_at = tat.checked_sub(tolerance).unwrap_or(now);
        if allowed_at > now {
            return Err(allowed_at - now);
        }
        callers.insert(caller.to_owned(), tat + interval);
        Ok(())
    }
}

/// The `Retry-After` seconds for a wait: whole seconds, at least one.
pub fn retry_after(wait: Duration) -> u64 {
    u64::try_from(wait.as_millis().div_ceil(1000).max(1)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_gets_its_burst_then_the_rate_and_others_are_untouched() {
        let limiter = RateLimiter::new(Rate { per_second: 10, burst: 3 });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.admit_at("a", t0).is_ok());
        }
        let wait = limiter.admit_at("a", t0).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(100), "{wait:?}");
        assert!(limiter.admit_at("b", t0).is_ok(), "another caller has its own budget");
        assert!(limiter.admit_at("a", t0 + wait).is_ok(), "restored after the wait");
        assert_eq!(retry_after(Duration::from_millis(100)), 1);
        assert_eq!(retry_after(Duration::from_millis(1500)), 2);
        assert!(RateLimiter::new(Rate { per_second: 0, burst: 0 }).admit_at("a", t0).is_ok());
    }
}

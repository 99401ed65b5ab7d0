//! Logging set-up, with a rate limit on repeated warnings: one hostile request can make the
//! same line appear thousands of times a second (a pool timeout per field, say), which fills
//! disks and drowns everything else. Each warning or error site logs at most [`BURST`] lines per
//! second; the rest are counted and reported by the next line that gets through.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tracing::callsite::Identifier;
use tracing::{Level, Metadata};
use tracing_subscriber::layer::{Context, Filter};

/// Lines one warning or error site may log per second.
pub const BURST: u32 = 10;

/// A filter letting through at most [`BURST`] events per second from each WARN or ERROR site.
#[derive(Default)]
pub struct RepeatLimit {
    sites: Mutex<HashMap<Identifier, Window>>,
}

struct Window {
    started: Instant,
    passed: u32,
    dropped: u64,
}

impl RepeatLimit {
    /// Whether an event of this site may be logged now.
    pub fn admit(&self, site: Identifier) -> bool {
        let Ok(mut sites) = self.sites.lock() else { return true };
        let now = Instant::now();
        let window = sites.entry(site).or_insert(Window { started: now, passed: 0, dropped: 0 });
        if now.duration_since(window.started) >= Duration::from_secs(1) {
            if window.dropped > 0 {
                // Printed outside the filter's own events, so it is never suppressed itself.
                eprintln!("gongzhi: {} repeated log lines of one site were suppressed in the last second", window.dropped);
            }
            *window = Window { started: now, passed: 0, dropped: 0 };
        }
        if window.passed < BURST {
            window.passed += 1;
            true
        } else {
            window.dropped += 1;
            false
        }
    }
}

impl<S> Filter<S> for RepeatLimit {
    fn enabled(&self, _meta: &Metadata<'_>, _cx: &Context<'_, S>) -> bool {
        true
    }

    fn event_enabled(&self, event: &tracing::Event<'_>, _cx: &Context<'_, S>) -> bool {
        let meta = event.metadata();
        if *meta.level() > Level::WARN {
            return true;
        }
        self.admit(meta.callsite())
    }
}

/// Installs the global subscriber: `filter` as an `EnvFilter` directive, text or JSON, to stderr.
pub fn init(filter: &str, json: bool) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{EnvFilter, Layer, fmt};
    let env = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let layer = if json {
        fmt::layer().json().with_writer(std::io::stderr).with_filter(RepeatLimit::default()).boxed()
    } else {
        fmt::layer().with_writer(std::io::stderr).with_filter(RepeatLimit::default()).boxed()
    };
    tracing_subscriber::registry().with(env).with(layer).init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_logs_a_burst_per_second() {
        struct Site;
        impl tracing::callsite::Callsite for Site {
            fn set_interest(&self, _: tracing::subscriber::Interest) {}
            fn metadata(&self) -> &Metadata<'_> {
                unreachable!("not asked in this test")
            }
        }
        static SITE: Site = Site;
        let limit = RepeatLimit::default();
        let passed = (0..1_000).filter(|_| limit.admit(Identifier(&SITE))).count();
        assert_eq!(passed, BURST as usize);
    }
}

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

/// What [`init`] set up that must be closed at exit: the trace exporter, when there is one.
#[must_use = "shut it down at exit, or the last spans are lost"]
pub struct Telemetry {
    provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans still waiting and stops the exporter.
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(e) = provider.shutdown()
        {
            eprintln!("gongzhi: the last spans could not be sent: {e}");
        }
    }
}

/// Installs the global subscriber: `filter` as an `EnvFilter` directive, text or JSON, to
/// stderr; and, with an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`), gongzhi's spans (the
/// request, its GraphQL operation, its DataLoader batches and SQL statements) exported there
/// over OTLP/HTTP, whatever the log filter.
pub fn init(filter: &str, json: bool, otlp_endpoint: Option<&str>) -> Telemetry {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{EnvFilter, Layer, fmt};
    let env = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let layer = if json {
        fmt::layer().json().with_writer(std::io::stderr).with_filter(RepeatLimit::default()).with_filter(env).boxed()
    } else {
        fmt::layer().with_writer(std::io::stderr).with_filter(RepeatLimit::default()).with_filter(env).boxed()
    };
    let (provider, failed) = match otlp_endpoint.map(str::trim).filter(|e| !e.is_empty()).map(tracer_provider) {
        Some(Ok(p)) => (Some(p), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let traces = provider.as_ref().map(|p| {
        use opentelemetry::trace::TracerProvider;
        let spans = tracing_subscriber::filter::Targets::new().with_target("gongzhi", Level::DEBUG);
        tracing_opentelemetry::layer().with_tracer(p.tracer("gongzhi")).with_filter(spans)
    });
    tracing_subscriber::registry().with(layer).with(traces).init();
    if let Some(e) = failed {
        tracing::warn!(error = %e, "traces are not exported: the OTLP exporter could not be built");
    }
    Telemetry { provider }
}

/// The tracer provider exporting to `endpoint` (the collector's base URL; spans go to
/// `/v1/traces` below it, or to `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` when that is set), in
/// batches (`OTEL_BSP_*` tune them), as service `gongzhi` unless `OTEL_SERVICE_NAME` says otherwise.
fn tracer_provider(endpoint: &str) -> Result<opentelemetry_sdk::trace::SdkTracerProvider, String> {
    use opentelemetry_otlp::WithExportConfig;
    let traces = std::env::var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| format!("{}/v1/traces", endpoint.trim_end_matches('/')));
    let exporter = opentelemetry_otlp::SpanExporter::builder().with_http().with_endpoint(traces).build().map_err(|e| e.to_string())?;
    let mut resource = opentelemetry_sdk::Resource::builder();
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        resource = resource.with_service_name("gongzhi");
    }
    Ok(opentelemetry_sdk::trace::SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource.build()).build())
}

/// Reads W3C trace context (`traceparent`, `tracestate`) from a request's headers.
struct TraceHeaders<'a>(&'a http::HeaderMap);

impl opentelemetry::propagation::Extractor for TraceHeaders<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

/// Makes the caller's trace (a W3C `traceparent` header) the parent of `span`, so that the
/// request's spans join the trace of the front end or gateway that sent it. Without the header,
/// or without an exporter, the span stays as it is.
pub fn follow_caller_trace(span: &tracing::Span, headers: &http::HeaderMap) {
    use opentelemetry::propagation::TextMapPropagator;
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    if span.is_disabled() || !headers.contains_key("traceparent") {
        return;
    }
    let parent = opentelemetry_sdk::propagation::TraceContextPropagator::new().extract(&TraceHeaders(headers));
    let _ = span.set_parent(parent);
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

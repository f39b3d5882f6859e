//! Logging and traces: one tracing subscriber for the process.
//!
//! Log lines go to stderr, text or JSON, filtered by `RUST_LOG`. Traces are
//! off unless an OTLP endpoint is configured (`NEWSGRAPH_OTLP_ENDPOINT`); then
//! the spans of each HTTP request (the edge's `request` span, with its request
//! id), its GraphQL operation (name and type; never variables' values), its
//! DataLoader batches and its store calls go to the collector over OTLP/HTTP
//! (protobuf) in batches, from a thread of the exporter's own: a slow or absent
//! collector never holds a request. A request's W3C `traceparent` header makes
//! its span a child of the caller's ([`start_request_trace`]).
//!
//! Which traces are kept is the head sampler's decision, configured by the
//! standard `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` variables (read
//! by the SDK; by default `parentbased_always_on`: every trace, and a caller's
//! `traceparent` decision honoured). It is taken once per request, on its span.
//!
//! The spans that exist only for traces use the target [`SPANS`]: the log
//! lines never show them, and with traces off no layer wants them, so tracing
//! skips them at their call site. With traces on, those of a request the
//! sampler dropped are not built either ([`in_sampled_trace`]). The overhead
//! is measured in docs/benchmarks.md.

use crate::config::LogFormat;
use opentelemetry::propagation::{Extractor, TextMapPropagator as _};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::sync::OnceLock;
use tracing::Subscriber;
use tracing_subscriber::filter::{DynFilterFn, FilterExt as _, filter_fn};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

/// The target of the spans that only traces use (operation, DataLoader
/// batch, store call): `tracing::info_span!(target: SPANS, …)`.
pub const SPANS: &str = "newsgraph::spans";

/// The provider, when traces are exported (set once, by [`init_with_traces`]).
static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// Whether spans are exported: when not, callers skip the work of filling them.
pub fn traces_enabled() -> bool {
    PROVIDER.get().is_some()
}

/// Installs the global subscriber, logs only. Later calls do nothing.
pub fn init(format: LogFormat) {
    // No endpoint: nothing can fail.
    let _ = init_with_traces(format, None);
}

/// Installs the global subscriber: logs, and traces exported to the OTLP/HTTP
/// collector at `otlp_endpoint` (its base URL; spans go to `/v1/traces`) when
/// given. Call once, first thing in `main`, and [`shutdown`] before exiting so
/// that the last spans are sent.
pub fn init_with_traces(format: LogFormat, otlp_endpoint: Option<&str>) -> anyhow::Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let logs = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer().with_writer(std::io::stderr).boxed(),
        LogFormat::Json => {
            tracing_subscriber::fmt::layer().json().flatten_event(true).with_writer(std::io::stderr).boxed()
        }
    }
    .with_filter(filter.and(filter_fn(|metadata| metadata.target() != SPANS)));
    let traces = match otlp_endpoint {
        None => None,
        Some(endpoint) => {
            let provider = provider(endpoint)?;
            let tracer = provider.tracer("newsgraph");
            let _ = PROVIDER.set(provider);
            // The project's spans only (the request, operation, batch and store
            // spans), not log events nor the spans of the libraries; and those
            // under a request only when the sampler kept its trace.
            let ours =
                DynFilterFn::new(|metadata, cx| ours(metadata) && (metadata.target() != SPANS || in_sampled_trace(cx)))
                    .with_callsite_filter(|metadata| {
                        use tracing::subscriber::Interest;
                        if !ours(metadata) {
                            Interest::never()
                        } else if metadata.target() == SPANS {
                            Interest::sometimes()
                        } else {
                            Interest::always()
                        }
                    });
            // Without the per-span extras the layer records by default: busy and
            // idle time (the clock read at every poll of every span), the source
            // file and line, the thread, the target. Nor does entering a span make
            // its OpenTelemetry context current (at every poll, too): a span's
            // parent is found through tracing's own current span, and nothing in
            // the process reads OpenTelemetry's. See docs/benchmarks.md for what
            // traces cost.
            let layer = tracing_opentelemetry::layer()
                .with_tracer(tracer)
                .with_tracked_inactivity(false)
                .with_location(false)
                .with_threads(false)
                .with_target(false)
                .with_context_activation(false);
            Some(layer.with_filter(ours))
        }
    };
    let _ = tracing_subscriber::registry().with(logs).with(traces).try_init();
    Ok(())
}

/// Whether a span is one of the project's that traces export: a span of a
/// `newsgraph` target, at info or above.
fn ours(metadata: &tracing::Metadata<'_>) -> bool {
    metadata.is_span() && metadata.target().starts_with("newsgraph") && *metadata.level() <= tracing::Level::INFO
}

/// Marks a request's span whose trace the sampler dropped (in the span's
/// extensions, by [`start_request_trace`]).
struct SampledOut;

/// Whether the spans started now belong to a trace the sampler kept: no span
/// above them was marked [`SampledOut`].
fn in_sampled_trace<S>(cx: &tracing_subscriber::layer::Context<'_, S>) -> bool
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    cx.lookup_current()
        .is_none_or(|current| current.scope().all(|span| span.extensions().get::<SampledOut>().is_none()))
}

/// The tracer provider: a batch of spans at a time (the SDK's batch processor,
/// tuned by the standard `OTEL_BSP_*` variables) to `endpoint`/v1/traces.
fn provider(endpoint: &str) -> anyhow::Result<SdkTracerProvider> {
    use opentelemetry_otlp::{WithExportConfig as _, WithHttpConfig as _};
    let url = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
    reqwest::Url::parse(&url).map_err(|e| anyhow::anyhow!("NEWSGRAPH_OTLP_ENDPOINT `{endpoint}` is not a URL: {e}"))?;
    // reqwest's blocking client runs a runtime of its own: build it off the
    // server's runtime (building or dropping one inside another panics).
    let client =
        std::thread::spawn(|| reqwest::blocking::Client::builder().timeout(std::time::Duration::from_secs(10)).build())
            .join()
            .map_err(|_| anyhow::anyhow!("building the OTLP client panicked"))??;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
        .with_endpoint(url)
        .build()?;
    let resource = opentelemetry_sdk::Resource::builder().with_service_name("newsgraph").build();
    Ok(SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build())
}

/// Sends the spans not yet sent and stops the exporter (blocking: at most the
/// exporter's timeout). Does nothing when traces are off.
pub fn shutdown() {
    if let Some(provider) = PROVIDER.get()
        && let Err(error) = provider.shutdown()
    {
        tracing::warn!(%error, "traces: the last spans could not be sent");
    }
}

/// Starts the trace of a request whose span is `span` (the edge's): its
/// parent is the caller's W3C `traceparent` when valid, and the sampler
/// decides now whether the trace is kept. Returns that decision; when the
/// trace is dropped, the spans under `span` are not built. Call only with
/// traces on.
pub fn start_request_trace(span: &tracing::Span, headers: &actix_web::http::header::HeaderMap) -> bool {
    use opentelemetry::trace::TraceContextExt as _;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    // Fails only when the span is not exported (filtered out): nothing to parent then.
    let _ = span.set_parent(parent_from_headers(headers));
    // Asking for the span's context starts it: the sampler runs here.
    let sampled = span.context().span().span_context().is_sampled();
    if !sampled {
        span.with_subscriber(|(id, dispatch)| {
            if let Some(registry) = dispatch.downcast_ref::<tracing_subscriber::Registry>()
                && let Some(data) = registry.span_data(id)
            {
                use tracing_subscriber::registry::SpanData as _;
                data.extensions_mut().insert(SampledOut);
            }
        });
    }
    sampled
}

/// The trace context of a request's W3C `traceparent` (and `tracestate`)
/// headers, to parent its span; an empty context when absent or invalid.
fn parent_from_headers(headers: &actix_web::http::header::HeaderMap) -> opentelemetry::Context {
    struct Headers<'a>(&'a actix_web::http::header::HeaderMap);
    impl Extractor for Headers<'_> {
        fn get(&self, key: &str) -> Option<&str> {
            self.0.get(key).and_then(|value| value.to_str().ok())
        }
        fn keys(&self) -> Vec<&str> {
            self.0.keys().map(|name| name.as_str()).collect()
        }
    }
    TraceContextPropagator::new().extract(&Headers(headers))
}

/// For tests: logs only when `TEST_LOG` is set, so test output stays readable.
pub fn init_for_tests() {
    if std::env::var_os("TEST_LOG").is_some() {
        init(LogFormat::Text);
    }
}

//! What every request passes through before its handler: a request id (in a
//! tracing span around the request, and echoed in `x-request-id`), one access
//! log line, the per-client rate limit, and the count of bodies refused as too
//! large.
//!
//! The rate limit is `governor`'s keyed GCRA limiter: a client is its API key
//! when it presents a configured one (so a key's budget follows it across
//! addresses), and otherwise its IP address (so inventing keys gains nothing).
//! `/healthz`, `/readyz` and `/metrics` are exempt, so probes and scrapes keep
//! working under load. Over the limit: 429 with `Retry-After` in seconds.
//!
//! With traces on (see [`crate::telemetry`]), the request's span is its
//! trace's root, or the child of the caller's W3C `traceparent`.
//!
//! The access log holds the method, the path (never the query string, which can
//! carry variables), the status, the time taken and the request id; never a
//! header value.

use super::AppState;
use crate::graphql::access::{Caller, KeyDigest, caller_from_header};
use crate::metrics::{self, Rejection};
use crate::telemetry;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{AUTHORIZATION, HeaderName, HeaderValue, RETRY_AFTER};
use actix_web::http::{ConnectionType, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use serde_json::json;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Instant;
use tracing::Instrument;

/// The response header that carries the request id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Paths never rate limited.
const EXEMPT: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// Tracked clients above which idle ones are forgotten.
const MAX_TRACKED_CLIENTS: usize = 10_000;

/// Who a request counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Client {
    Key(KeyDigest),
    Ip(IpAddr),
    Unknown,
}

/// The per-client rate limit.
pub struct RateLimit {
    limiter: DefaultKeyedRateLimiter<Client>,
    clock: DefaultClock,
    keys: Vec<KeyDigest>,
}

impl RateLimit {
    /// `per_second` requests per second per client, up to `burst` at once.
    pub fn new(per_second: NonZeroU32, burst: NonZeroU32, keys: Vec<KeyDigest>) -> Self {
        let quota = Quota::per_second(per_second).allow_burst(burst);
        Self { limiter: DefaultKeyedRateLimiter::keyed(quota), clock: DefaultClock::default(), keys }
    }

    /// Who a caller counts against: its API key when the key is valid, else its address.
    fn client(&self, caller: &Caller, peer: Option<IpAddr>) -> Client {
        if let Caller::Key(digest) = caller
            && self.keys.contains(digest)
        {
            return Client::Key(*digest);
        }
        match peer {
            Some(address) => Client::Ip(address),
            None => Client::Unknown,
        }
    }

    fn check_request(&self, req: &ServiceRequest) -> Result<(), u64> {
        let header = req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok());
        self.check(&caller_from_header(header), req.peer_addr().map(|a| a.ip()))
    }

    /// Takes one request from the caller's budget: `Ok` to go on, or the whole
    /// seconds to wait. Websocket messages that start an operation count too.
    pub fn check(&self, caller: &Caller, peer: Option<IpAddr>) -> Result<(), u64> {
        if self.limiter.len() > MAX_TRACKED_CLIENTS {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&self.client(caller, peer))
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(self.clock.now());
                wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
            })
            .map_err(|seconds| seconds.max(1))
    }
}

/// A fresh request id: 16 random bytes in hex.
fn new_request_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No entropy: fall back to a counter, still unique per process.
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        bytes[..8].copy_from_slice(&NEXT.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The middleware: request id, access log, rate limit, 413 count.
pub async fn edge(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let request_id = new_request_id();
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();
    // The request's span: its id on every log line; with traces on, the root
    // of its trace (named by method and route, as OpenTelemetry's HTTP
    // conventions name server spans), parented by the caller's `traceparent`.
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        otel.name = tracing::field::Empty,
        otel.kind = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
    );
    // Whether this request's trace is exported: traces on, and the sampler
    // kept it (it sees the name and kind, recorded first: a span started
    // cannot change them).
    let traced = telemetry::traces_enabled() && {
        let route = req.match_pattern().unwrap_or_else(|| path.clone());
        span.record("otel.name", format!("{method} {route}"));
        span.record("otel.kind", "server");
        telemetry::start_request_trace(&span, req.headers())
    };

    let limited = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.rate_limit.as_ref())
        .filter(|_| !EXEMPT.contains(&path.as_str()))
        .and_then(|limit| limit.check_request(&req).err());
    let mut response = match limited {
        Some(seconds) => {
            metrics::reject(Rejection::Rate);
            let response =
                HttpResponse::TooManyRequests().insert_header((RETRY_AFTER, seconds.to_string())).json(json!({
                    "errors": [{
                        "message": format!("too many requests; retry in {seconds} s"),
                        "extensions": { "code": "RATE_LIMITED" }
                    }]
                }));
            req.into_response(response)
        }
        None => next.call(req).instrument(span.clone()).await?.map_into_boxed_body(),
    };

    let status = response.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        metrics::reject(Rejection::Body);
        // Close the connection after the 413, or the server would go on
        // reading (and discarding) the rest of the announced body.
        response.response_mut().head_mut().set_connection_type(ConnectionType::Close);
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    if traced {
        span.record("http.response.status_code", status.as_u16());
    }
    span.in_scope(|| {
        tracing::info!(
            method = %method,
            path = %path,
            status = status.as_u16(),
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "request"
        );
    });
    Ok(response)
}

//! Prometheus metrics: the names the server records, the process-wide
//! recorder, and the text `/metrics` serves.
//!
//! Recording goes through the `metrics` facade (cheap, lock-free counters);
//! `metrics-exporter-prometheus` holds them and renders the text format. The
//! recorder is global, so it is installed once per process ([`install`]); before
//! that (in the batch CLI commands) recording does nothing.
//!
//! Label values come from fixed sets (codes, store call names, reasons), except
//! the GraphQL operation name, which a client chooses: [`operation_label`]
//! admits at most [`MAX_OPERATION_NAMES`] distinct names and files the rest
//! under `other`, so a client cannot grow the metrics without bound.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// GraphQL requests by `operation` and `outcome` (`ok` or the first error's code).
pub const REQUESTS: &str = "newsgraph_graphql_requests_total";
/// GraphQL request latency in seconds, by `outcome`.
pub const REQUEST_SECONDS: &str = "newsgraph_graphql_request_duration_seconds";
/// Store calls by `backend`, `operation` (the call's name) and `outcome` (`ok`, `unavailable`, `invalid`, `internal`).
pub const STORE_OPERATIONS: &str = "newsgraph_store_operations_total";
/// Store call latency in seconds, by `backend` and `operation`.
pub const STORE_SECONDS: &str = "newsgraph_store_operation_duration_seconds";
/// Keys per DataLoader batch, by `kind`.
pub const LOADER_BATCH_SIZE: &str = "newsgraph_dataloader_batch_size";
/// Requests refused before execution, by `reason`.
pub const REJECTED: &str = "newsgraph_rejected_requests_total";
/// Websocket connections the server closed, by close `code` (4408, 1013…).
pub const WEBSOCKET_CLOSES: &str = "newsgraph_websocket_closes_total";
/// Pages fetched for ingest, by `outcome` (`ok` or the refusal's code, `ADDRESS_REFUSED`…).
pub const PAGE_FETCHES: &str = "newsgraph_page_fetches_total";
/// Page fetch latency in seconds (redirects and body included), by `outcome`.
pub const PAGE_FETCH_SECONDS: &str = "newsgraph_page_fetch_duration_seconds";

/// Feed polls, by `feed` (its URL) and `outcome`: `ok`, `not_modified`, or the failure's code.
pub const FEED_POLLS: &str = "newsgraph_feed_polls_total";
/// Feed items read, by `feed` and `outcome`: `ingested`, `duplicate` (another feed's, or an
/// article already stored), `skipped` (refused for good) or `failed` (tried again later).
pub const FEED_ITEMS: &str = "newsgraph_feed_items_total";
/// Feed failures, polls and items, by `feed` and `code` (`MALFORMED_FEED`, `FETCH_TIMEOUT`…).
pub const FEED_FAILURES: &str = "newsgraph_feed_failures_total";
/// Feed fetch latency in seconds (a `304` included), by `feed`.
pub const FEED_FETCH_SECONDS: &str = "newsgraph_feed_fetch_duration_seconds";
/// When each feed is due next, in seconds since the Unix epoch, by `feed`.
pub const FEED_NEXT_POLL: &str = "newsgraph_feed_next_poll_timestamp_seconds";

/// Why a request was refused; the `reason` label of [`REJECTED`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    Depth,
    Complexity,
    Aliases,
    Directives,
    Tokens,
    Batch,
    Body,
    Rate,
    Csrf,
    Auth,
    Timeout,
    Parse,
    Validation,
}

impl Rejection {
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::Depth => "depth",
            Rejection::Complexity => "complexity",
            Rejection::Aliases => "aliases",
            Rejection::Directives => "directives",
            Rejection::Tokens => "tokens",
            Rejection::Batch => "batch",
            Rejection::Body => "body",
            Rejection::Rate => "rate",
            Rejection::Csrf => "csrf",
            Rejection::Auth => "auth",
            Rejection::Timeout => "timeout",
            Rejection::Parse => "parse",
            Rejection::Validation => "validation",
        }
    }
}

/// Counts one refused request.
pub fn reject(reason: Rejection) {
    metrics::counter!(REJECTED, "reason" => reason.as_str()).increment(1);
}

/// Counts one websocket connection the server closed with `code`.
pub fn websocket_closed(code: u16) {
    metrics::counter!(WEBSOCKET_CLOSES, "code" => code.to_string()).increment(1);
}

/// Counts one store call and its latency.
pub fn store_call(backend: &'static str, operation: &'static str, outcome: &'static str, took: Duration) {
    metrics::counter!(STORE_OPERATIONS, "backend" => backend, "operation" => operation, "outcome" => outcome)
        .increment(1);
    metrics::histogram!(STORE_SECONDS, "backend" => backend, "operation" => operation).record(took.as_secs_f64());
}

/// Counts one page fetch and its latency.
pub fn page_fetch(outcome: &'static str, took: Duration) {
    metrics::counter!(PAGE_FETCHES, "outcome" => outcome).increment(1);
    metrics::histogram!(PAGE_FETCH_SECONDS, "outcome" => outcome).record(took.as_secs_f64());
}

/// Counts one feed poll, the latency of its fetch (when it fetched), and when the feed is due next.
pub fn feed_poll(feed: &str, outcome: &str, fetch_took: Option<Duration>, next_poll_unix: i64) {
    metrics::counter!(FEED_POLLS, "feed" => feed.to_owned(), "outcome" => outcome.to_owned()).increment(1);
    if let Some(took) = fetch_took {
        metrics::histogram!(FEED_FETCH_SECONDS, "feed" => feed.to_owned()).record(took.as_secs_f64());
    }
    metrics::gauge!(FEED_NEXT_POLL, "feed" => feed.to_owned()).set(next_poll_unix as f64);
}

/// Counts feed items by outcome (`ingested`, `duplicate`, `skipped`, `failed`).
pub fn feed_items(feed: &str, outcome: &'static str, count: u64) {
    metrics::counter!(FEED_ITEMS, "feed" => feed.to_owned(), "outcome" => outcome).increment(count);
}

/// Counts one feed failure (a poll's or an item's) by code.
pub fn feed_failure(feed: &str, code: &'static str) {
    metrics::counter!(FEED_FAILURES, "feed" => feed.to_owned(), "code" => code).increment(1);
}

/// Records the size of one DataLoader batch.
pub fn loader_batch(kind: &'static str, keys: usize) {
    metrics::histogram!(LOADER_BATCH_SIZE, "kind" => kind).record(keys as f64);
}

/// Counts one executed GraphQL request and its latency.
pub fn graphql_request(operation: String, outcome: String, took: Duration) {
    metrics::histogram!(REQUEST_SECONDS, "outcome" => outcome.clone()).record(took.as_secs_f64());
    metrics::counter!(REQUESTS, "operation" => operation, "outcome" => outcome).increment(1);
}

/// Distinct operation names kept as labels; the rest are `other`.
pub const MAX_OPERATION_NAMES: usize = 200;

/// The `operation` label for a client-chosen operation name.
pub fn operation_label(name: Option<&str>) -> String {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return "anonymous".into();
    };
    let valid = name.len() <= 64
        && name.bytes().all(|b| b == b'_' || b.is_ascii_alphanumeric())
        && !name.as_bytes()[0].is_ascii_digit();
    if !valid {
        return "other".into();
    }
    let mut seen = SEEN.get_or_init(Default::default).lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if seen.contains(name) || seen.len() < MAX_OPERATION_NAMES {
        seen.insert(name.to_owned());
        name.to_owned()
    } else {
        "other".into()
    }
}

/// Installs the process-wide recorder (once; later calls return the same handle).
pub fn install() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let seconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
            let sizes = [1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 1000.0];
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.into()), &seconds)
                .and_then(|b| b.set_buckets_for_metric(Matcher::Full(STORE_SECONDS.into()), &seconds))
                .and_then(|b| b.set_buckets_for_metric(Matcher::Full(PAGE_FETCH_SECONDS.into()), &seconds))
                .and_then(|b| b.set_buckets_for_metric(Matcher::Full(FEED_FETCH_SECONDS.into()), &seconds))
                .and_then(|b| b.set_buckets_for_metric(Matcher::Full(LOADER_BATCH_SIZE.into()), &sizes))
                .expect("the bucket lists are not empty");
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("another metrics recorder is installed; /metrics will be empty");
            }
            // Register the rejection counters so that every reason shows, at 0.
            for reason in [
                Rejection::Depth,
                Rejection::Complexity,
                Rejection::Aliases,
                Rejection::Directives,
                Rejection::Tokens,
                Rejection::Batch,
                Rejection::Body,
                Rejection::Rate,
                Rejection::Csrf,
                Rejection::Auth,
                Rejection::Timeout,
                Rejection::Parse,
                Rejection::Validation,
            ] {
                metrics::counter!(REJECTED, "reason" => reason.as_str()).absolute(0);
            }
            handle
        })
        .clone()
}

/// The Prometheus text of every metric.
pub fn render(handle: &PrometheusHandle) -> String {
    handle.run_upkeep();
    handle.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_bounded() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("Lavrov")), "Lavrov");
        assert_eq!(operation_label(Some("bad name\"}")), "other");
        assert_eq!(operation_label(Some(&"x".repeat(65))), "other");
        for i in 0..MAX_OPERATION_NAMES * 2 {
            operation_label(Some(&format!("Op{i}")));
        }
        assert_eq!(operation_label(Some("OneTooMany")), "other");
        assert_eq!(operation_label(Some("Lavrov")), "Lavrov", "known names stay");
    }
}

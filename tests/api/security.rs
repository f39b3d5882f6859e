//! The edge defences over HTTP: CSRF, CORS, rate limit, batch cap, lexical
//! caps, request ids, metrics and the whole-request timeout.

use crate::helpers::{TestApp, seed_mongodb, spawn_app_with};
use crate::support::TestBackend;
use crate::support::ferretdb::FerretDb;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SOURCES: &str = "{ sources { totalCount } }";

/// The value of one sample line of `/metrics` (a counter with exactly these labels), or 0.
pub(crate) async fn metric(app: &TestApp, name: &str, labels: &str) -> f64 {
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let prefix = format!("{name}{{{labels}}} ");
    text.lines().find_map(|line| line.strip_prefix(&prefix)).and_then(|v| v.trim().parse().ok()).unwrap_or(0.0)
}

async fn csrf_simple_requests_are_refused_before_execution(app: &TestApp) {
    let before_ops = app.store.operations();
    let before = metric(app, "newsgraph_rejected_requests_total", r#"reason="csrf""#).await;
    let body = json!({ "query": SOURCES }).to_string();
    for content_type in [
        Some("text/plain"),
        Some("text/plain;charset=utf-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let mut request = app.client.post(app.url("/graphql")).body(body.clone());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 400, "POST {content_type:?}");
        let body: Value = response.json().await.unwrap();
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("CSRF"));
    }
    // GET without a preflight-forcing header is refused; with one it runs.
    let get = |headers: &[(&str, &str)]| {
        let mut request = app.client.get(app.url("/graphql")).query(&[("query", SOURCES)]);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };
    assert_eq!(get(&[]).await.unwrap().status(), 400);
    assert_eq!(get(&[("content-type", "text/plain")]).await.unwrap().status(), 400);
    assert_eq!(app.store.operations(), before_ops, "refused requests never reach the store");
    for headers in [
        [("content-type", "application/json")],
        [("apollo-require-preflight", "true")],
        [("x-apollo-operation-name", "Sources")],
    ] {
        let response = get(&headers).await.unwrap();
        assert_eq!(response.status(), 200, "{headers:?}");
        let body: Value = response.json().await.unwrap();
        assert!(body["data"]["sources"]["totalCount"].as_u64().unwrap() > 0);
    }
    // text/plain with a preflight header passed CORS, but the body must still be JSON.
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "text/plain")
        .header("apollo-require-preflight", "true")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    let after = metric(app, "newsgraph_rejected_requests_total", r#"reason="csrf""#).await;
    assert!(after >= before + 7.0, "csrf rejections {before} -> {after}");
}

async fn every_response_has_a_fresh_request_id(app: &TestApp) {
    let mut ids = Vec::new();
    for path in ["/healthz", "/graphql?query=%7B", "/nowhere"] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        let id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        ids.push(id);
    }
    let response = app.client.post(app.url("/graphql")).json(&json!({ "query": SOURCES })).send().await.unwrap();
    ids.push(response.headers()["x-request-id"].to_str().unwrap().into());
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "ids are unique");
}

async fn metrics_count_requests_store_calls_batches_and_rejections(app: &TestApp) {
    let backend = match app.backend {
        TestBackend::Embedded => "embedded",
        TestBackend::FerretDb => "mongodb",
    };
    let store_labels = format!(r#"backend="{backend}",operation="find_organizations",outcome="ok""#);
    let store_before = metric(app, "newsgraph_store_operations_total", &store_labels).await;
    let requests_labels = r#"operation="MetricsProbe",outcome="ok""#;
    let requests_before = metric(app, "newsgraph_graphql_requests_total", requests_labels).await;
    let depth_before = metric(app, "newsgraph_rejected_requests_total", r#"reason="depth""#).await;

    app.data("query MetricsProbe { sources { edges { node { name quotesReported { totalCount } } } } }", json!({}))
        .await;
    let deep = format!(
        "{{ sources {}{{ totalCount }}{} }}",
        "{ edges { node { members(first: 1) ".repeat(8),
        " } } }".repeat(8)
    );
    let body = app.query(&deep, json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_DEEP", "{body}");

    assert!(metric(app, "newsgraph_store_operations_total", &store_labels).await >= store_before + 1.0);
    assert!(metric(app, "newsgraph_graphql_requests_total", requests_labels).await >= requests_before + 1.0);
    assert!(metric(app, "newsgraph_rejected_requests_total", r#"reason="depth""#).await >= depth_before + 1.0);
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    for needle in [
        "newsgraph_graphql_request_duration_seconds_bucket",
        "newsgraph_store_operation_duration_seconds_bucket",
        "newsgraph_dataloader_batch_size_bucket{kind=\"related_quotes\"",
        "newsgraph_rejected_requests_total{reason=\"rate\"}",
        "newsgraph_rejected_requests_total{reason=\"auth\"}",
    ] {
        assert!(text.contains(needle), "{needle} missing from /metrics");
    }
}

async fn batches_are_capped(app: &TestApp) {
    // The default: arrays are refused.
    let response = app.client.post(app.url("/graphql")).json(&json!([{ "query": SOURCES }])).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BATCH_TOO_LARGE");
}

async fn lexical_caps_refuse_before_parsing(app: &TestApp) {
    let before = app.store.operations();
    let aliases: String = (0..31).map(|i| format!("a{i}: sources {{ totalCount }} ")).collect();
    assert_eq!(app.error_code(&format!("{{ {aliases} }}"), json!({})).await, "TOO_MANY_ALIASES");
    let directives = "@include(if: true) ".repeat(51);
    assert_eq!(
        app.error_code(&format!("{{ sources {directives} {{ totalCount }} }}"), json!({})).await,
        "TOO_MANY_DIRECTIVES"
    );
    let tokens = format!("{{ sources {{ {} }} }}", "totalCount ".repeat(2000));
    assert_eq!(app.error_code(&tokens, json!({})).await, "TOO_MANY_TOKENS");
    assert_eq!(app.store.operations(), before);
    // At the caps, the same shapes run.
    let aliases: String = (0..30).map(|i| format!("a{i}: sources {{ totalCount }} ")).collect();
    let data = app.data(&format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(data["a29"], data["a0"]);
}

crate::http_tests_on_both_backends!(
    csrf_simple_requests_are_refused_before_execution,
    every_response_has_a_fresh_request_id,
    metrics_count_requests_store_calls_batches_and_rejections,
    batches_are_capped,
    lexical_caps_refuse_before_parsing,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raised_batch_limit_runs_each_operation() {
    let app = spawn_app_with(TestBackend::Embedded, |s| s.max_batch = 3).await;
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!([
            { "query": SOURCES },
            { "query": "query($n: String!) { person(name: $n) { name } }", "variables": { "n": "kerry" } },
            { "query": "{ nope }" },
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(body[0]["data"]["sources"]["totalCount"].as_u64().unwrap() > 0);
    assert_eq!(body[1]["data"]["person"]["name"], "John Kerry");
    assert_eq!(body[2]["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
    let four = vec![json!({ "query": SOURCES }); 4];
    let response = app.client.post(app.url("/graphql")).json(&four).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BATCH_TOO_LARGE");
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_grants_only_the_configured_origins() {
    let app = spawn_app_with(TestBackend::Embedded, |s| {
        s.cors_origins = vec!["https://dashboard.example".into()];
        s.rate_limit = Some(1);
        s.rate_limit_burst = Some(2);
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let allowed = preflight("https://dashboard.example").await.unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://dashboard.example");
    let denied = preflight("https://evil.example").await.unwrap();
    assert!(denied.headers().get("access-control-allow-origin").is_none());
    // A cross-origin POST from an unlisted origin gets no grant, so a browser hides the answer.
    let post = |origin: &'static str| {
        app.client.post(app.url("/graphql")).header("origin", origin).json(&json!({ "query": SOURCES })).send()
    };
    let evil = post("https://evil.example").await.unwrap();
    assert!(evil.headers().get("access-control-allow-origin").is_none());
    let good = post("https://dashboard.example").await.unwrap();
    assert_eq!(good.headers()["access-control-allow-origin"], "https://dashboard.example");
    // Over the rate limit, the allowed origin can still read the 429 and its request id.
    let limited = post("https://dashboard.example").await.unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["access-control-allow-origin"], "https://dashboard.example");
    assert!(limited.headers().contains_key("x-request-id"));
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_answers_429_with_retry_after_and_spares_probes() {
    let app = spawn_app_with(TestBackend::Embedded, |s| {
        s.rate_limit = Some(1);
        s.rate_limit_burst = Some(3);
        s.api_keys = vec!["ratekey".into()];
    })
    .await;
    let post = |key: Option<&'static str>| {
        let mut request = app.client.post(app.url("/graphql")).json(&json!({ "query": SOURCES }));
        if let Some(key) = key {
            request = request.header("authorization", format!("Bearer {key}"));
        }
        request.send()
    };
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(post(None).await.unwrap());
    }
    let codes: Vec<u16> = statuses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(&codes[..3], &[200, 200, 200], "the burst passes: {codes:?}");
    assert_eq!(codes[5], 429, "{codes:?}");
    let limited = statuses.pop().unwrap();
    let retry: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "Retry-After: {retry}");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    // Probes and scrapes are exempt.
    for path in ["/healthz", "/readyz", "/metrics"] {
        for _ in 0..5 {
            let response = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
        }
    }
    // A valid key has its own budget; an invented one counts against the IP.
    assert_eq!(post(Some("ratekey")).await.unwrap().status(), 200);
    assert_eq!(post(Some("made-up")).await.unwrap().status(), 429);
    // The limit refills.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(post(None).await.unwrap().status(), 200);
    app.cleanup().await;
}

/// FerretDB stalled with SIGSTOP: store calls fail as STORE_UNAVAILABLE within
/// the store timeout, a whole request as QUERY_TIMEOUT within the query
/// timeout, probes and store-free requests are unaffected, and SIGCONT heals.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_store_times_out_and_recovers_on_sigcont() {
    let dir = tempfile::tempdir().unwrap();
    let ferret = FerretDb::start("127.0.0.1:0", dir.path(), false);
    let uri = ferret.uri();
    seed_mongodb(&uri, "stalled").await;
    let app = spawn_app_with(TestBackend::FerretDb, |s| {
        s.mongodb_uri = Some(uri.into());
        s.database = "stalled".into();
        s.store_timeout_ms = 1000;
        s.query_timeout_ms = 3000;
    })
    .await;
    let question = r#"{ person(name: "Lavrov") { quotes { totalCount } } }"#;
    assert_eq!(app.data(question, json!({})).await["person"]["quotes"]["totalCount"], 1);

    ferret.signal("STOP");
    let started = Instant::now();
    assert_eq!(app.error_code(question, json!({})).await, "STORE_UNAVAILABLE");
    let took = started.elapsed();
    assert!(took < Duration::from_millis(2500), "answered in {took:?}");
    eprintln!("stalled store: STORE_UNAVAILABLE after {took:?} (store timeout 1000 ms)");
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.unwrap();
    assert!(!body["reason"].as_str().unwrap().is_empty(), "{body}");
    let started = Instant::now();
    assert_eq!(app.error_code("{ sources { ", json!({})).await, "GRAPHQL_PARSE_FAILED");
    assert!(started.elapsed() < Duration::from_millis(500));
    ferret.signal("CONT");

    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let body = app.query(question, json!({})).await;
        if body.get("errors").is_none() {
            assert_eq!(body["data"]["person"]["quotes"]["totalCount"], 1);
            break;
        }
        assert!(Instant::now() < deadline, "did not recover: {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.cleanup().await;
}

/// A whole request is bounded even when each store call is within its own bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_slower_than_the_query_timeout_gets_query_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let ferret = FerretDb::start("127.0.0.1:0", dir.path(), false);
    let uri = ferret.uri();
    let app = spawn_app_with(TestBackend::FerretDb, |s| {
        s.mongodb_uri = Some(uri.into());
        s.store_timeout_ms = 10_000;
        s.query_timeout_ms = 500;
    })
    .await;
    newsgraph::seed::seed(app.store.as_ref(), &crate::support::seed_dir()).await.unwrap();
    let before = metric(&app, "newsgraph_rejected_requests_total", r#"reason="timeout""#).await;
    ferret.signal("STOP");
    let started = Instant::now();
    let code = app.error_code(SOURCES, json!({})).await;
    let took = started.elapsed();
    ferret.signal("CONT");
    assert_eq!(code, "QUERY_TIMEOUT");
    assert!(took < Duration::from_millis(2000), "answered in {took:?}");
    assert!(metric(&app, "newsgraph_rejected_requests_total", r#"reason="timeout""#).await >= before + 1.0);
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_writes_are_counted_as_auth() {
    let app = spawn_app_with(TestBackend::Embedded, |s| {
        s.api_keys = vec!["the-key".into()];
    })
    .await;
    let before = metric(&app, "newsgraph_rejected_requests_total", r#"reason="auth""#).await;
    let ops = app.store.operations();
    let code = app
        .error_code(
            r#"mutation { ingestArticle(input: { text: "Headline\n\n\"Words,\" said John Kerry." }) { replaced } }"#,
            json!({}),
        )
        .await;
    assert_eq!(code, "UNAUTHENTICATED");
    assert_eq!(app.store.operations(), ops, "nothing reached the store");
    assert!(metric(&app, "newsgraph_rejected_requests_total", r#"reason="auth""#).await >= before + 1.0);
    app.cleanup().await;
}

/// A client that sends its body slowly is cut off at the query timeout (408),
/// so it cannot hold a worker; the server keeps answering others meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_body_is_cut_off_at_the_query_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(TestBackend::Embedded, |s| s.query_timeout_ms = 300).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(
            format!(
                "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"query\":"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    // Meanwhile, others are served.
    assert!(app.data(SOURCES, json!({})).await["sources"]["totalCount"].as_u64().unwrap() > 0);
    let mut response = Vec::new();
    let mut buffer = [0u8; 1024];
    while !response.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer))
            .await
            .expect("an answer within 5 s")
            .unwrap();
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buffer[..n]);
    }
    let took = started.elapsed();
    let head = String::from_utf8_lossy(&response);
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    assert!(took < Duration::from_secs(2), "cut off after {took:?}");
    app.cleanup().await;
}

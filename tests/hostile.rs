//! Hostile requests over HTTP, on both backends: each is refused with a coded
//! error (or 413) before any resolver runs, with zero store operations, in
//! bounded time and without growing the server's memory.
//!
//! The server runs in this process, so its memory is this process's resident
//! set (`VmRSS`). The two backends' tests take turns (a lock) so that neither
//! measures the other. Each attack runs once to warm up allocator pools, then
//! [`ROUNDS`] more times, and the growth over those rounds is what is bounded.
//! `cargo test --test hostile -- --nocapture` prints the figures quoted in
//! `docs/security.md`.

#[path = "support/mod.rs"]
mod support;

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use helpers::{TestApp, spawn_app};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::TestBackend;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ROUNDS: usize = 5;
/// Largest memory growth accepted over [`ROUNDS`] repetitions of one attack.
const MAX_GROWTH_KB: u64 = 8 * 1024;

static TURNS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

/// What one attack got back: the HTTP status and the code of the first error.
#[derive(Debug)]
struct Refusal {
    status: u16,
    code: String,
}

async fn post_raw(app: &TestApp, body: Vec<u8>) -> Refusal {
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("POST /graphql");
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let code = body["errors"][0]["extensions"]["code"].as_str().unwrap_or("").to_owned();
    Refusal { status, code }
}

fn query_body(query: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({ "query": query })).unwrap()
}

/// Announces `Content-Length: 100 MB` and streams the body; returns the status
/// of the answer, how many body bytes had been sent when it arrived, and how
/// many in all before the server closed the connection.
async fn hundred_megabytes(app: &TestApp) -> (u16, usize, usize) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    const TOTAL: usize = 100 * 1024 * 1024;
    let address = app.address.trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {TOTAL}\r\n\r\n"
    );
    writer.write_all(head.as_bytes()).await.unwrap();
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let sender = tokio::spawn(async move {
        let chunk = vec![b' '; 64 * 1024];
        while counter.load(Ordering::Relaxed) < TOTAL {
            match tokio::time::timeout(Duration::from_secs(2), writer.write_all(&chunk)).await {
                Ok(Ok(())) => counter.fetch_add(chunk.len(), Ordering::Relaxed),
                _ => break, // the server closed the connection, or stopped reading
            };
        }
    });
    let mut response = Vec::new();
    let mut buffer = [0u8; 4096];
    while !response.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = reader.read(&mut buffer).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buffer[..n]);
    }
    let at_answer = sent.load(Ordering::Relaxed);
    sender.await.unwrap();
    let status = String::from_utf8_lossy(&response).split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, at_answer, sent.load(Ordering::Relaxed))
}

/// The value of `newsgraph_rejected_requests_total{reason}` on the server's `/metrics`.
async fn rejected(app: &TestApp, reason: &str) -> f64 {
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let prefix = format!("newsgraph_rejected_requests_total{{reason=\"{reason}\"}} ");
    text.lines().find_map(|line| line.strip_prefix(&prefix)).and_then(|v| v.trim().parse().ok()).unwrap_or(0.0)
}

/// Each attack: name, body, expected status and code, and the rejection reason it is counted under.
type Attack = (&'static str, Vec<u8>, u16, &'static str, Option<&'static str>);

fn attacks() -> Vec<Attack> {
    let mut cyclic = String::from("{ articles { edges { node { ");
    for _ in 0..50 {
        cyclic.push_str("quotes { edges { node { article { ");
    }
    cyclic.push_str("id");
    for _ in 0..50 {
        cyclic.push_str(" } } } }");
    }
    cyclic.push_str(" } } } }");

    let aliases: String = (0..10_000).map(|i| format!("a{i}: __typename ")).collect();
    let directives = "@skip(if: false) ".repeat(10_000);
    let batch: Vec<Value> = (0..100).map(|_| json!({ "query": "{ sources { totalCount } }" })).collect();
    let nested = format!(
        r#"{{"query": "query($v: String) {{ sources {{ totalCount }} }}", "variables": {{"v": {}1{}}}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    vec![
        ("cyclic query 50 levels deep", query_body(&cyclic), 200, "QUERY_TOO_DEEP", Some("depth")),
        (
            "first: 1000000",
            query_body("{ articles(first: 1000000) { edges { node { headline } } } }"),
            200,
            "QUERY_TOO_COMPLEX",
            Some("complexity"),
        ),
        ("10,000 aliases", query_body(&format!("{{ {aliases} }}")), 200, "TOO_MANY_ALIASES", Some("aliases")),
        (
            "10,000 directives",
            query_body(&format!("{{ sources {directives} {{ totalCount }} }}")),
            200,
            "TOO_MANY_DIRECTIVES",
            Some("directives"),
        ),
        ("100-operation batch", serde_json::to_vec(&batch).unwrap(), 400, "BATCH_TOO_LARGE", Some("batch")),
        ("variables nested 10,000 deep", nested.into_bytes(), 400, "BAD_REQUEST", None),
    ]
}

async fn hostile_requests_are_refused_before_the_store(backend: TestBackend) {
    let _turn = TURNS.lock().await;
    let app = spawn_app(backend).await;
    // Warm the server up with one real query.
    app.data("{ sources { totalCount } }", json!({})).await;

    for (name, body, status, code, reason) in attacks() {
        let before_ops = app.store.operations();
        let before_count = match reason {
            Some(reason) => rejected(&app, reason).await,
            None => 0.0,
        };
        let warm = post_raw(&app, body.clone()).await;
        assert_eq!((warm.status, warm.code.as_str()), (status, code), "{name}");
        let rss_before = rss_kb();
        let started = Instant::now();
        for _ in 0..ROUNDS {
            let refusal = post_raw(&app, body.clone()).await;
            assert_eq!((refusal.status, refusal.code.as_str()), (status, code), "{name}");
        }
        let per_request = started.elapsed() / ROUNDS as u32;
        let growth = rss_kb().saturating_sub(rss_before);
        if let Some(reason) = reason {
            let counted = rejected(&app, reason).await - before_count;
            assert!(counted >= (ROUNDS + 1) as f64, "{name}: {counted} counted as {reason}");
        }
        assert_eq!(app.store.operations(), before_ops, "{name} reached the store");
        assert!(growth < MAX_GROWTH_KB, "{name}: memory grew by {growth} kB over {ROUNDS} requests");
        eprintln!(
            "{backend:?} {name}: {status} {code}, {:.1} ms per request (incl. client), 0 store operations, RSS +{growth} kB over {ROUNDS} requests, body {} kB",
            per_request.as_secs_f64() * 1000.0,
            body.len() / 1024
        );
    }

    // 100 MB announced and streamed: 413 once the limit is passed, and most of
    // the body is never read.
    let before_ops = app.store.operations();
    let body_before = rejected(&app, "body").await;
    let rss_before = rss_kb();
    let started = Instant::now();
    let (status, at_answer, sent) = hundred_megabytes(&app).await;
    let growth = rss_kb().saturating_sub(rss_before);
    assert_eq!(status, 413);
    assert!(rejected(&app, "body").await > body_before, "counted as body");
    assert!(at_answer < 50 * 1024 * 1024, "the 413 came after {at_answer} bytes of a 100 MB body");
    // What the client managed to send after the 413 is what the connection
    // layer discarded while closing (actix's lingering close, bounded by its
    // client disconnect timeout): never buffered, as the memory bound shows.
    assert_eq!(app.store.operations(), before_ops);
    assert!(growth < MAX_GROWTH_KB, "100 MB body: memory grew by {growth} kB");
    eprintln!(
        "{backend:?} 100 MB body: 413 after {:.1} ms; {} kB sent when it came, {} kB discarded before the connection closed, RSS +{growth} kB",
        started.elapsed().as_secs_f64() * 1000.0,
        at_answer / 1024,
        sent / 1024
    );

    // The server still answers.
    let data = app.data("{ sources { totalCount } }", json!({})).await;
    assert!(data["sources"]["totalCount"].as_u64().unwrap() > 0);
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_hostile_requests_are_refused_before_the_store() {
    hostile_requests_are_refused_before_the_store(TestBackend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferretdb_hostile_requests_are_refused_before_the_store() {
    hostile_requests_are_refused_before_the_store(TestBackend::FerretDb).await;
}

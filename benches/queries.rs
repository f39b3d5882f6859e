//! The query benchmark: generates a corpus, starts the real server on it as a
//! separate process, and drives the canonical queries with concurrent clients.
//!
//! ```text
//! cargo bench --bench queries -- [--backend embedded|ferretdb] [--sizes 10000,100000]
//!                                [--clients 8] [--seconds 5] [--only search]
//! ```
//! For each corpus size and query it prints one markdown row: throughput,
//! p50 and p99 latency, store operations per request (read from the server's
//! `x-newsgraph-store-operations` header on a request made alone) and the
//! server's peak RSS. Corpora are kept under `target/bench-data` between runs.

#[path = "../tests/support/mod.rs"]
mod support;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_newsgraph");

struct Options {
    backend: String,
    /// Run only the queries whose name contains this.
    only: Option<String>,
    sizes: Vec<usize>,
    clients: usize,
    seconds: u64,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let backend = value("--backend").unwrap_or_else(|| "embedded".into());
    let default_sizes = if backend == "ferretdb" { "1000" } else { "10000,100000" };
    Options {
        sizes: value("--sizes")
            .unwrap_or_else(|| default_sizes.into())
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect(),
        clients: value("--clients").and_then(|v| v.parse().ok()).unwrap_or(8),
        seconds: value("--seconds").and_then(|v| v.parse().ok()).unwrap_or(5),
        only: value("--only"),
        backend,
    }
}

/// The server under test, killed on drop.
struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(store_args: &[String]) -> Self {
        let mut child = Command::new(BIN)
            .args(["serve", "--bind", "127.0.0.1:0", "--no-seed", "--log-format", "text"])
            .args(store_args)
            .env("RUST_LOG", "warn,newsgraph::startup=info")
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("starting newsgraph");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let address = loop {
            let line = lines.next().expect("the server exited").expect("a log line");
            if let Some(rest) = line.split("serving on http://").nth(1) {
                break rest.split_whitespace().next().expect("an address").to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Server { child, address }
    }

    /// Peak resident memory of the server process, in MiB.
    fn peak_rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }
}

fn generate(store_args: &[String], articles: usize) {
    let started = Instant::now();
    let output = Command::new(BIN)
        .args(["generate", "--articles", &articles.to_string(), "--seed", "1", "--batch", "100"])
        .args(store_args)
        .output()
        .expect("running generate");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    eprintln!("{} ({:.0?})", String::from_utf8_lossy(&output.stdout).trim(), started.elapsed());
}

struct Client {
    http: reqwest::Client,
    url: String,
}

impl Client {
    async fn post(&self, query: &str, variables: &Value) -> (Value, Option<u64>) {
        let response = self
            .http
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("a response");
        let operations = response
            .headers()
            .get("x-newsgraph-store-operations")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let body: Value = response.json().await.expect("JSON");
        assert!(body.get("errors").is_none(), "{query}: {body}");
        (body["data"].clone(), operations)
    }
}

/// One canonical query: its text and the variables for request number `i`.
struct Case {
    name: &'static str,
    query: &'static str,
    variables: Box<dyn Fn(usize) -> Value + Send + Sync>,
}

async fn cases(client: &Client) -> Vec<Case> {
    let (ids, _) = client.post("{ articles(orderBy: ID, first: 100) { edges { node { id } } } }", &json!({})).await;
    let ids: Vec<Value> =
        ids["articles"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].clone()).collect();
    let (stats, _) = client.post("{ quoteStats { bySource(first: 1) { source { id } } } }", &json!({})).await;
    let source = stats["quoteStats"]["bySource"][0]["source"]["id"].clone();
    let list = "query($source: ID!, $after: String) { quotes(filter: { via: [$source] }, orderBy: DATE_DESC, first: 20, after: $after) {
        pageInfo { endCursor } edges { node { text saidOn direct speaker { ... on Person { name } } } } } }";
    let mut after = Value::Null;
    for _ in 0..49 {
        let (page, _) = client.post(list, &json!({ "source": source, "after": after })).await;
        after = page["quotes"]["pageInfo"]["endCursor"].clone();
    }
    let source_1 = source.clone();
    let source_50 = source.clone();
    vec![
        Case {
            name: "point lookup (node)",
            query: "query($id: ID!) { node(id: $id) { ... on Article { headline publishedAt outlet { name } } } }",
            variables: Box::new(move |i| json!({ "id": ids[i % ids.len()] })),
        },
        Case { name: "filtered list, page 1", query: list, variables: Box::new(move |_| json!({ "source": source_1 })) },
        Case {
            name: "filtered list, page 50",
            query: list,
            variables: Box::new(move |_| json!({ "source": source_50, "after": after })),
        },
        Case {
            name: "nested article→quotes→speaker→affiliations",
            query: "{ articles(first: 20) { edges { node { headline quotes { edges { node { text
                speaker { ... on Person { name affiliations { name } } ... on AnonymousSpeaker { description affiliation { name } } } } } } } } } }",
            variables: Box::new(|_| json!({})),
        },
        Case {
            name: "search",
            query: "query($q: String!) { search(query: $q) { articles(first: 20) { totalCount edges { node { headline } } }
                quotes(first: 20) { edges { node { text } } } } }",
            variables: Box::new(|i| {
                let queries = ["ceasefire talks", "\"trade agreement\"", "election -results", "vaccine"];
                json!({ "q": queries[i % queries.len()] })
            }),
        },
        Case {
            name: "dashboard (by source, by month, top people)",
            query: "query($from: NaiveDate!, $to: NaiveDate!) { quoteStats(filter: { date: { from: $from, to: $to } }) { total
                bySource { source { name } count } timeline(interval: MONTH) { period count } topPeople { person { name } count } } }",
            // Two years, starting on different days: whole years, whole months
            // and edge days in turn, so no single answer can be cached.
            variables: Box::new(|i| {
                let ranges = [
                    ("2021-01-01", "2022-12-31"),
                    ("2020-07-01", "2022-06-30"),
                    ("2021-03-15", "2023-03-14"),
                    ("2019-10-20", "2021-10-19"),
                    ("2022-01-01", "2023-12-31"),
                ];
                let (from, to) = ranges[i % ranges.len()];
                json!({ "from": from, "to": to })
            }),
        },
    ]
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

async fn measure(
    client: std::sync::Arc<Client>,
    case: std::sync::Arc<Case>,
    clients: usize,
    seconds: u64,
) -> (f64, f64, f64, u64) {
    let (_, operations) = client.post(case.query, &(case.variables)(0)).await;
    for i in 0..20 {
        client.post(case.query, &(case.variables)(i)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|w| {
            let client = client.clone();
            let case = case.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut i = w;
                while Instant::now() < deadline {
                    let at = Instant::now();
                    client.post(case.query, &(case.variables)(i)).await;
                    latencies.push(at.elapsed());
                    i += clients;
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.expect("a worker"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    (
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        operations.unwrap_or(0),
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let options = options();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    println!("| backend | articles | query | req/s | p50 ms | p99 ms | store ops/request | server peak RSS MiB |");
    println!("|---|---:|---|---:|---:|---:|---:|---:|");
    let _ferret = (options.backend == "ferretdb").then(|| {
        let dir: PathBuf = data.join("ferretdb");
        support::ferretdb::FerretDb::start("127.0.0.1:0", &dir, false)
    });
    for &size in &options.sizes {
        let store_args: Vec<String> = match &_ferret {
            // FerretDB scans for `$in` and secondary fields, and writes slowly: give it time.
            Some(ferret) => vec![
                "--mongodb-uri".into(),
                ferret.uri(),
                "--database".into(),
                format!("bench_{size}"),
                "--query-timeout-ms".into(),
                "120000".into(),
                "--store-timeout-ms".into(),
                "120000".into(),
            ],
            None => vec!["--data-dir".into(), data.join(format!("embedded-{size}")).display().to_string()],
        };
        let marker = data.join(format!("{}-{size}.done", options.backend));
        if !marker.exists() {
            generate(&store_args, size);
            std::fs::write(&marker, "generated with seed 1\n").expect("marker");
        }
        let server = Server::start(&store_args);
        let client = std::sync::Arc::new(Client {
            http: reqwest::Client::new(),
            url: format!("http://{}/graphql", server.address),
        });
        for case in cases(&client).await {
            let name = case.name;
            if options.only.as_deref().is_some_and(|only| !name.contains(only)) {
                continue;
            }
            let (throughput, p50, p99, operations) =
                measure(client.clone(), std::sync::Arc::new(case), options.clients, options.seconds).await;
            println!(
                "| {} | {size} | {name} | {throughput:.0} | {p50:.2} | {p99:.2} | {operations} | {:.0} |",
                options.backend,
                server.peak_rss_mib()
            );
        }
    }
}

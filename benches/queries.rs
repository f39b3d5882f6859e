//! The query benchmark: generates a corpus, starts the real server on it as a
//! separate process, and drives the canonical queries with concurrent clients.
//!
//! ```text
//! cargo bench --bench queries -- [--backend embedded|ferretdb] [--sizes 10000,100000]
//!                                [--clients 8] [--seconds 5] [--only search] [--traces]
//!                                [--cpu 300] [--sampler-ratio 0.1]
//! ```
//! For each corpus size and query it prints one markdown row: throughput,
//! p50 and p99 latency, store operations per request (read from the server's
//! `x-newsgraph-store-operations` header on a request made alone), the
//! server's peak RSS (file pages of the memory-mapped store included) and its
//! anonymous RSS after the query's rounds (heap and stacks alone). Corpora are
//! kept under `target/bench-data` between runs.
//!
//! On the embedded store it also starts the hand-written reference server
//! ([`reference`], this executable with `--reference-serve <data dir>`) on
//! the same file, checks that it answers the shapes it knows with the same
//! bytes, and drives both in interleaved rounds (`--rounds`, 3 by default;
//! each round gives each server `--seconds` with the same clients). The row
//! then also holds the reference's req/s and p99 and the ratio of newsgraph's
//! throughput to the reference's: the median of the per-round ratios, the
//! figure that carries from one machine to another. A line above the table
//! names the machine (`nproc`, CPU model, load average).
//!
//! `--cpu N` measures instead what machine load does not move: the CPU time
//! each server process spends per request (`utime + stime` from
//! `/proc/<pid>/stat`, in clock ticks), over `N` sequential requests from one
//! client, newsgraph and the reference in turn, `--rounds` times (who goes
//! first alternating). The row holds each round's milliseconds of CPU per
//! request and the ratio of the reference's CPU to newsgraph's (the median of
//! the rounds): the throughput ratio the servers would reach if the CPU were
//! the only limit. Queries without a reference (search, the dashboard, the
//! `totalCount` lists) get newsgraph's figure alone, which compares across
//! corpus sizes (growth from 100k to 1M). The `totalCount: …` queries (lists
//! with their total, unfiltered and filtered) run in this mode, and in a
//! throughput run only when `--only` names them.
//! `--traces` measures instead what exporting traces costs: a second newsgraph
//! on the same store exports its spans over OTLP to a collector in this
//! process that accepts and drops them, and the two are driven in interleaved
//! rounds; each row holds both throughputs and the median per-round ratio of
//! traces on to traces off. With `--cpu N` as well, the row holds instead each
//! server's CPU time per request (the exporter's thread included) over `N`
//! sequential requests per round, and the median per-round ratio of CPU on to
//! off: the overhead machine load does not move. `--sampler-ratio R` starts
//! the traced server with the standard `OTEL_TRACES_SAMPLER=parentbased_traceidratio`
//! and `OTEL_TRACES_SAMPLER_ARG=R` (by default it keeps every trace).

mod reference;
#[path = "../tests/support/mod.rs"]
mod support;
use support::machine::{load, machine};

use serde_json::{Value, json};
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
    rounds: usize,
    /// Sequential requests per round for a CPU-time measurement (`--cpu N`), instead of throughput.
    cpu: Option<usize>,
    /// Compare traces on and off instead of newsgraph and the reference.
    traces: bool,
    /// With `--traces`: the traced server samples this share of traces (head sampling).
    sampler_ratio: Option<f64>,
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
        rounds: value("--rounds").and_then(|v| v.parse().ok()).unwrap_or(3).max(1),
        only: value("--only"),
        cpu: value("--cpu").and_then(|v| v.parse().ok()),
        traces: args.iter().any(|a| a == "--traces"),
        sampler_ratio: value("--sampler-ratio").and_then(|v| v.parse().ok()),
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
        Self::start_with(store_args, &[])
    }

    /// The server with more environment variables (an OTLP endpoint, say).
    fn start_with(store_args: &[String], env: &[(&str, String)]) -> Self {
        let mut command = Command::new(BIN);
        command
            .args(["serve", "--bind", "127.0.0.1:0", "--no-seed", "--log-format", "text"])
            .args(store_args)
            .env("RUST_LOG", "warn,newsgraph::startup=info")
            .env("NO_COLOR", "1")
            .envs(env.iter().map(|(k, v)| (k, v)));
        Self::spawn(command)
    }

    /// The reference server on the store in `data_dir`: this executable, started again.
    fn start_reference(data_dir: &Path) -> Self {
        let mut command = Command::new(std::env::current_exe().expect("the bench executable"));
        command.arg("--reference-serve").arg(data_dir);
        Self::spawn(command)
    }

    /// Starts `command` and waits for its `serving on http://<address>` line on stderr.
    fn spawn(mut command: Command) -> Self {
        let mut child = command.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().expect("starting a server");
        let address = support::serving_address(&mut child);
        Server { child, address }
    }

    /// Peak resident memory of the server process, in MiB: every page,
    /// the store file's memory-mapped pages included.
    fn peak_rss_mib(&self) -> f64 {
        self.status_mib("VmHWM:")
    }

    /// The server's anonymous resident memory now, in MiB: its heap and
    /// stacks, without the pages of files it maps (the store).
    fn anonymous_rss_mib(&self) -> f64 {
        self.status_mib("RssAnon:")
    }

    /// CPU time the server process has used so far (`utime + stime` of
    /// `/proc/<pid>/stat`, every thread), in clock ticks.
    fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).expect("the server's stat");
        // The fields after the command name (which may hold spaces) in parentheses.
        let fields: Vec<&str> = stat.rsplit_once(')').expect("a stat line").1.split_whitespace().collect();
        let field = |n: usize| fields[n - 3].parse::<u64>().expect("a tick count");
        field(14) + field(15)
    }

    /// A `kB` line of `/proc/<pid>/status`, in MiB.
    fn status_mib(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
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
        let (body, operations) = self.post_raw(query, variables).await;
        let body: Value = serde_json::from_slice(&body).expect("JSON");
        assert!(body.get("errors").is_none(), "{query}: {body}");
        (body["data"].clone(), operations)
    }

    /// The response body's bytes, and the store operations the server reported.
    async fn post_raw(&self, query: &str, variables: &Value) -> (Vec<u8>, Option<u64>) {
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
        (response.bytes().await.expect("a body").to_vec(), operations)
    }

    /// `GET <base>/<path>` on the reference server.
    async fn get_raw(&self, path: &str) -> Vec<u8> {
        let response = self.http.get(format!("{}{path}", self.url)).send().await.expect("a response");
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.bytes().await.expect("a body").to_vec()
    }
}

/// One canonical query: its text and the variables for request number `i`,
/// and, for the shapes the reference server knows, its path for request `i`.
struct Case {
    name: &'static str,
    query: &'static str,
    variables: Box<dyn Fn(usize) -> Value + Send + Sync>,
    reference: Option<Box<dyn Fn(usize) -> String + Send + Sync>>,
}

async fn cases(client: &Client) -> Vec<Case> {
    let (ids, _) = client.post("{ articles(orderBy: ID, first: 100) { edges { node { id } } } }", &json!({})).await;
    let ids: Vec<String> = ids["articles"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("an id").to_owned())
        .collect();
    let (stats, _) = client.post("{ quoteStats { bySource(first: 1) { source { id } } } }", &json!({})).await;
    let source = stats["quoteStats"]["bySource"][0]["source"]["id"].as_str().expect("a source").to_owned();
    let list = reference::LIST_QUERY;
    let mut after = Value::Null;
    for _ in 0..49 {
        let (page, _) = client.post(list, &json!({ "source": source, "after": after })).await;
        after = page["quotes"]["pageInfo"]["endCursor"].clone();
    }
    let after = after.as_str().expect("a 50th page").to_owned();
    // For the `totalCount` lists: the organization with most statements by
    // its people, the person with most statements, an outlet.
    let (tops, _) = client
        .post(
            "{ quoteStats { byOrganization(first: 1) { organization { id } } topPeople(first: 1) { person { id } } }
               articles(first: 1) { edges { node { outlet { id } } } } }",
            &json!({}),
        )
        .await;
    let organization = tops["quoteStats"]["byOrganization"][0]["organization"]["id"].clone();
    let person = tops["quoteStats"]["topPeople"][0]["person"]["id"].clone();
    let outlet = tops["articles"]["edges"][0]["node"]["outlet"]["id"].clone();
    let source_5 = source.clone();
    let total = |name: &'static str, query: &'static str, variables: Value| Case {
        name,
        query,
        variables: Box::new(move |_| variables.clone()),
        reference: None,
    };
    let totals = vec![
        total("totalCount: quotes", "{ quotes(orderBy: DATE_DESC, first: 20) { totalCount edges { node { text } } } }", json!({})),
        total(
            "totalCount: quotes via a source",
            "query($s: ID!) { quotes(filter: { via: [$s] }, first: 20) { totalCount edges { node { text } } } }",
            json!({ "s": source_5 }),
        ),
        total(
            "totalCount: quotes via a source in two years",
            "query($s: ID!) { quotes(filter: { via: [$s], date: { from: \"2021-03-15\", to: \"2023-03-14\" } }, first: 20) {
                totalCount edges { node { text } } } }",
            json!({ "s": source }),
        ),
        total(
            "totalCount: quotes by an organization",
            "query($o: ID!) { quotes(filter: { speakerOrganizations: [$o] }, first: 20) { totalCount edges { node { text } } } }",
            json!({ "o": organization }),
        ),
        total(
            "totalCount: quotes by an organization in two years",
            "query($o: ID!) { quotes(filter: { speakerOrganizations: [$o], date: { from: \"2021-03-15\", to: \"2023-03-14\" } }, first: 20) {
                totalCount edges { node { text } } } }",
            json!({ "o": organization }),
        ),
        total(
            "totalCount: quotes by a speaker",
            "query($p: ID!) { quotes(filter: { speakers: [$p] }, first: 20) { totalCount edges { node { text } } } }",
            json!({ "p": person }),
        ),
        total(
            "totalCount: quotes by a speaker in two years",
            "query($p: ID!) { quotes(filter: { speakers: [$p], date: { from: \"2021-03-15\", to: \"2023-03-14\" } }, first: 20) {
                totalCount edges { node { text } } } }",
            json!({ "p": person }),
        ),
        total(
            "totalCount: quotes in two years",
            "{ quotes(filter: { date: { from: \"2021-03-15\", to: \"2023-03-14\" } }, first: 20) { totalCount edges { node { text } } } }",
            json!({}),
        ),
        total(
            "totalCount: articles by an outlet",
            "query($o: ID!) { articles(filter: { outlets: [$o] }, first: 20) { totalCount edges { node { headline } } } }",
            json!({ "o": outlet }),
        ),
        total(
            "totalCount: people of an organization",
            "query($o: ID!) { people(filter: { affiliations: [$o] }, first: 20) { totalCount edges { node { name } } } }",
            json!({ "o": organization }),
        ),
    ];
    // Statements: direct quotes of named speakers already stored, for new
    // articles that report them again (each joins a stored statement).
    let (stored, _) = client
        .post(
            r#"{ quotes(filter: { anonymous: false, direct: true }, orderBy: ID, first: 50) {
                edges { node { text speaker { ... on Person { name } } } } } }"#,
            &json!({}),
        )
        .await;
    let reports: Vec<(String, String)> = stored["quotes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| {
            Some((e["node"]["text"].as_str()?.to_owned(), e["node"]["speaker"]["name"].as_str()?.to_owned()))
        })
        .collect();
    assert!(!reports.is_empty(), "the corpus has direct quotes of named speakers");
    let (ids_1, ids_2, ids_3) = (ids.clone(), ids.clone(), ids.clone());
    let (source_1, source_2, source_3, source_4) = (source.clone(), source.clone(), source.clone(), source.clone());
    let after_1 = after.clone();
    vec![
        Case {
            name: "point lookup (node)",
            query: reference::NODE_QUERY,
            variables: Box::new(move |i| json!({ "id": ids[i % ids.len()] })),
            reference: Some(Box::new(move |i| format!("/node?id={}", ids_1[i % ids_1.len()]))),
        },
        Case {
            name: "filtered list, page 1",
            query: list,
            variables: Box::new(move |_| json!({ "source": source_1 })),
            reference: Some(Box::new(move |_| format!("/quotes?source={source_2}"))),
        },
        Case {
            name: "filtered list, page 50",
            query: list,
            variables: Box::new(move |_| json!({ "source": source_3, "after": after })),
            reference: Some(Box::new(move |_| format!("/quotes?source={source_4}&after={after_1}"))),
        },
        Case {
            name: "nested article→quotes→speaker→affiliations",
            query: reference::NESTED_QUERY,
            variables: Box::new(|_| json!({})),
            reference: Some(Box::new(|_| "/nested".to_owned())),
        },
        Case {
            name: "article with its quotes",
            query: reference::ARTICLE_QUERY,
            variables: Box::new(move |i| json!({ "id": ids_2[i % ids_2.len()] })),
            reference: Some(Box::new(move |i| format!("/article?id={}", ids_3[i % ids_3.len()]))),
        },
        Case {
            // A write: a new article (its own headline) reporting a stored
            // statement again. Its store operations include the statement
            // look-up (on MongoDB three reads; on the embedded store inside
            // the write's one transaction), which does not grow with the corpus.
            name: "ingest a report of a stored statement",
            query: "mutation($input: IngestArticleInput!) { ingestArticle(input: $input) {
                quotes { statement { reportCount } } } }",
            variables: Box::new(move |i| {
                let (text, name) = &reports[i % reports.len()];
                let text = format!("Report {i} from the bench desk\n\n\"{text}\" {name} said.");
                json!({ "input": { "text": text, "outlet": "Bench Wire" } })
            }),
            reference: None,
        },
        Case {
            name: "search",
            query: "query($q: String!) { search(query: $q) { articles(first: 20) { totalCount edges { node { headline } } }
                quotes(first: 20) { edges { node { text } } } } }",
            variables: Box::new(|i| {
                let queries = ["ceasefire talks", "\"trade agreement\"", "election -results", "vaccine"];
                json!({ "q": queries[i % queries.len()] })
            }),
            reference: None,
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
            reference: None,
        },
        Case {
            name: "dashboard counting statements (by source, by month, top people)",
            query: "query($from: NaiveDate!, $to: NaiveDate!) { quoteStats(filter: { date: { from: $from, to: $to } }) {
                total(count: STATEMENTS) bySource(count: STATEMENTS) { source { name } count }
                timeline(interval: MONTH, count: STATEMENTS) { period count } topPeople(count: STATEMENTS) { person { name } count } } }",
            variables: Box::new(|i| {
                let ranges = [("2021-01-01", "2022-12-31"), ("2020-07-01", "2022-06-30"), ("2021-03-15", "2023-03-14")];
                let (from, to) = ranges[i % ranges.len()];
                json!({ "from": from, "to": to })
            }),
            reference: None,
        },
    ]
    .into_iter()
    .chain(totals)
    .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// Which server a measurement drives.
#[derive(Clone, Copy)]
enum Target {
    Newsgraph,
    Reference,
}

/// One request of `case` to `target`; both servers' bodies are parsed alike.
async fn request(client: &Client, case: &Case, target: Target, i: usize) {
    let body = match target {
        Target::Newsgraph => client.post_raw(case.query, &(case.variables)(i)).await.0,
        Target::Reference => client.get_raw(&(case.reference.as_ref().expect("a reference path"))(i)).await,
    };
    let body: Value = serde_json::from_slice(&body).expect("JSON");
    assert!(body.get("errors").is_none(), "{}: {body}", case.name);
}

/// Drives `case` on `target` with `clients` concurrent clients for `seconds`
/// after a warm-up: the throughput and every request's latency.
async fn measure(
    client: std::sync::Arc<Client>,
    case: std::sync::Arc<Case>,
    target: Target,
    clients: usize,
    seconds: u64,
) -> (f64, Vec<Duration>) {
    for i in 0..20 {
        request(&client, &case, target, i).await;
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
                    request(&client, &case, target, i).await;
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
    (latencies.len() as f64 / started.elapsed().as_secs_f64(), latencies)
}

/// The server's CPU time per request of `case`, in milliseconds: `requests`
/// sequential requests from one client (after the warm-up the caller made).
async fn cpu_per_request(client: &Client, case: &Case, target: Target, server: &Server, requests: usize) -> f64 {
    let before = server.cpu_ticks();
    for i in 0..requests {
        request(client, case, target, i).await;
    }
    let ticks = server.cpu_ticks() - before;
    ticks as f64 * 1000.0 / clock_ticks_per_second() / requests as f64
}

/// `getconf CLK_TCK`: the unit of `/proc/<pid>/stat`'s CPU times (100 on Linux).
fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        let output = Command::new("getconf").arg("CLK_TCK").output().expect("running getconf");
        String::from_utf8_lossy(&output.stdout).trim().parse().expect("CLK_TCK is a number")
    })
}

/// Measures `case` as [`cpu_per_request`] in `rounds` rounds, newsgraph and
/// the reference (when it knows the case) in turn, and prints its row.
async fn cpu_row(
    options: &Options,
    size: usize,
    (client, server): (&Client, &Server),
    reference: Option<(&Client, &Server)>,
    case: &Case,
) {
    let requests = options.cpu.expect("--cpu");
    let reference = reference.filter(|_| case.reference.is_some());
    for i in 0..20 {
        request(client, case, Target::Newsgraph, i).await;
        if let Some((r, _)) = reference {
            request(r, case, Target::Reference, i).await;
        }
    }
    let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..options.rounds {
        let newsgraph = || cpu_per_request(client, case, Target::Newsgraph, server, requests);
        let Some((reference, reference_server)) = reference else {
            ours.push(newsgraph().await);
            continue;
        };
        let theirs_now = || cpu_per_request(reference, case, Target::Reference, reference_server, requests);
        // Alternate who goes first, so a drift in the machine falls on both.
        let (a, b) = if round % 2 == 0 {
            let a = newsgraph().await;
            (a, theirs_now().await)
        } else {
            let b = theirs_now().await;
            (newsgraph().await, b)
        };
        ours.push(a);
        theirs.push(b);
        ratios.push(b / a);
    }
    let list = |values: &[f64]| values.iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>().join(", ");
    let ratio = if ratios.is_empty() { String::new() } else { format!("{:.2}×", median(ratios)) };
    println!(
        "| {} | {size} | {} | {:.3} ({}) | {} | {ratio} |",
        options.backend,
        case.name,
        median(ours.clone()),
        list(&ours),
        if theirs.is_empty() { String::new() } else { format!("{:.3} ({})", median(theirs.clone()), list(&theirs)) },
    );
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 }
}

/// Fails the run unless the reference answers `case` with newsgraph's bytes.
async fn check_identical(newsgraph: &Client, reference: &Client, case: &Case) {
    let Some(path) = &case.reference else { return };
    for i in 0..3 {
        let (expected, _) = newsgraph.post_raw(case.query, &(case.variables)(i)).await;
        let got = reference.get_raw(&path(i)).await;
        assert!(
            expected == got,
            "{}: the reference differs from newsgraph\nnewsgraph: {}\nreference: {}",
            case.name,
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(&got)
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--reference-serve") {
        let dir = args.get(at + 1).expect("--reference-serve <data dir>");
        reference::serve(Path::new(dir)).expect("serving the reference");
        return;
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(bench());
}

async fn bench() {
    let options = options();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    println!("machine: {}", machine());
    if options.traces {
        // The traces table is printed by `traces_overhead`.
    } else if let Some(requests) = options.cpu {
        println!();
        println!(
            "| backend | articles | query | ms CPU/request, median ({} rounds of {requests}) | reference ms CPU/request | ratio (reference CPU / newsgraph CPU, median) |",
            options.rounds
        );
        println!("|---|---:|---|---:|---:|---:|");
    } else {
        println!();
        println!(
            "| backend | articles | query | req/s | p50 ms | p99 ms | reference req/s | reference p99 ms | ratio (median of {} rounds) | store ops/request | server peak RSS MiB | server anonymous RSS MiB |",
            options.rounds
        );
        println!("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    }
    let _ferret = (options.backend == "ferretdb").then(|| {
        let dir: PathBuf = data.join("ferretdb");
        support::ferretdb::FerretDb::start("127.0.0.1:0", &dir, false)
    });
    for &size in &options.sizes {
        let data_dir = data.join(format!("embedded-{size}"));
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
            None => vec!["--data-dir".into(), data_dir.display().to_string()],
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
        if options.traces {
            traces_overhead(&options, &store_args, size, (&client, &server)).await;
            continue;
        }
        // The reference reads the embedded store's file only.
        let reference_server = _ferret.is_none().then(|| Server::start_reference(&data_dir));
        let reference = reference_server.as_ref().map(|r| {
            std::sync::Arc::new(Client { http: reqwest::Client::new(), url: format!("http://{}", r.address) })
        });
        for case in cases(&client).await {
            let name = case.name;
            if options.only.as_deref().is_some_and(|only| !name.contains(only)) {
                continue;
            }
            // The `totalCount` lists are for growth, measured in CPU time: in a
            // throughput run only when `--only` asks for them.
            if name.starts_with("totalCount") && options.cpu.is_none() && options.only.is_none() {
                continue;
            }
            let (_, operations) = client.post_raw(case.query, &(case.variables)(0)).await;
            let reference = reference.as_ref().filter(|_| case.reference.is_some());
            if let Some(reference) = reference {
                check_identical(&client, reference, &case).await;
            }
            if options.cpu.is_some() {
                let reference = reference.zip(reference_server.as_ref()).map(|(c, s)| (&**c, s));
                cpu_row(&options, size, (&client, &server), reference, &case).await;
                continue;
            }
            let case = std::sync::Arc::new(case);
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            let (mut our_rates, mut ratios, mut their_rates) = (Vec::new(), Vec::new(), Vec::new());
            for round in 0..options.rounds {
                // Alternate who goes first, so a drift in the machine's load falls on both.
                let mut order = vec![Target::Newsgraph];
                if reference.is_some() {
                    order.push(Target::Reference);
                    if round % 2 == 1 {
                        order.reverse();
                    }
                }
                let mut rates = (f64::NAN, f64::NAN);
                for target in order {
                    let http = match target {
                        Target::Newsgraph => client.clone(),
                        Target::Reference => reference.expect("a reference").clone(),
                    };
                    let (rate, latencies) = measure(http, case.clone(), target, options.clients, options.seconds).await;
                    match target {
                        Target::Newsgraph => {
                            rates.0 = rate;
                            ours.extend(latencies);
                        }
                        Target::Reference => {
                            rates.1 = rate;
                            theirs.extend(latencies);
                        }
                    }
                }
                our_rates.push(rates.0);
                their_rates.push(rates.1);
                ratios.push(rates.0 / rates.1);
            }
            ours.sort();
            theirs.sort();
            let (reference_rate, reference_p99, ratio) = if reference.is_some() {
                (
                    format!("{:.0}", median(their_rates)),
                    format!("{:.2}", percentile(&theirs, 0.99)),
                    format!("{:.2}×", median(ratios)),
                )
            } else {
                ("".into(), "".into(), "".into())
            };
            println!(
                "| {} | {size} | {name} | {:.0} | {:.2} | {:.2} | {reference_rate} | {reference_p99} | {ratio} | {} | {:.0} | {:.0} |",
                options.backend,
                median(our_rates),
                percentile(&ours, 0.5),
                percentile(&ours, 0.99),
                operations.unwrap_or(0),
                server.peak_rss_mib(),
                server.anonymous_rss_mib()
            );
        }
    }
    println!();
    println!("load average at the end: {}", load());
}

/// A collector that accepts OTLP/HTTP exports and drops them; its base URL.
fn start_sink() -> String {
    let server = actix_web::HttpServer::new(|| {
        actix_web::App::new().app_data(actix_web::web::PayloadConfig::new(64 * 1024 * 1024)).default_service(
            actix_web::web::to(|_body: actix_web::web::Bytes| async {
                actix_web::HttpResponse::Ok().content_type("application/x-protobuf").finish()
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .expect("binding the sink");
    let url = format!("http://127.0.0.1:{}", server.addrs()[0].port());
    tokio::spawn(server.run());
    url
}

/// `--traces`: newsgraph with traces off (`plain`) and on (a second server on
/// the same store, exporting to a sink), in interleaved rounds: throughput, or
/// with `--cpu` the CPU time per request.
async fn traces_overhead(
    options: &Options,
    store_args: &[String],
    size: usize,
    (plain, plain_server): (&std::sync::Arc<Client>, &Server),
) {
    let sink = start_sink();
    let mut env = vec![("NEWSGRAPH_OTLP_ENDPOINT", sink)];
    if let Some(ratio) = options.sampler_ratio {
        env.push(("OTEL_TRACES_SAMPLER", "parentbased_traceidratio".to_owned()));
        env.push(("OTEL_TRACES_SAMPLER_ARG", ratio.to_string()));
    }
    let traced_server = Server::start_with(store_args, &env);
    let traced = std::sync::Arc::new(Client {
        http: reqwest::Client::new(),
        url: format!("http://{}/graphql", traced_server.address),
    });
    let sampling = match options.sampler_ratio {
        Some(ratio) => format!("sampler parentbased_traceidratio {ratio}"),
        None => "every trace kept (the default sampler)".to_owned(),
    };
    println!();
    println!(
        "traces, {} backend, {size} articles, {sampling} (median of {} interleaved rounds):",
        options.backend, options.rounds
    );
    println!();
    if let Some(requests) = options.cpu {
        println!(
            "| query | ms CPU/request traces off ({requests} requests a round) | ms CPU/request traces on | ratio on/off (CPU) |"
        );
        println!("|---|---:|---:|---:|");
    } else {
        println!("| query | req/s traces off | req/s traces on | p99 ms off | p99 ms on | ratio on/off |");
        println!("|---|---:|---:|---:|---:|---:|");
    }
    for case in cases(plain).await {
        let name = case.name;
        if options.only.as_deref().is_some_and(|only| !name.contains(only)) {
            continue;
        }
        if let Some(requests) = options.cpu {
            traces_cpu_row(options, requests, (plain, plain_server), (&traced, &traced_server), &case).await;
            continue;
        }
        let case = std::sync::Arc::new(case);
        let (mut off_latencies, mut on_latencies) = (Vec::new(), Vec::new());
        let (mut off_rates, mut on_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..options.rounds {
            let mut order = [(plain.clone(), false), (traced.clone(), true)];
            if round % 2 == 1 {
                order.reverse();
            }
            let mut rates = (f64::NAN, f64::NAN);
            for (client, on) in order {
                let (rate, latencies) =
                    measure(client, case.clone(), Target::Newsgraph, options.clients, options.seconds).await;
                if on {
                    rates.1 = rate;
                    on_latencies.extend(latencies);
                } else {
                    rates.0 = rate;
                    off_latencies.extend(latencies);
                }
            }
            off_rates.push(rates.0);
            on_rates.push(rates.1);
            ratios.push(rates.1 / rates.0);
        }
        off_latencies.sort();
        on_latencies.sort();
        println!(
            "| {name} | {:.0} | {:.0} | {:.2} | {:.2} | {:.2}× |",
            median(off_rates),
            median(on_rates),
            percentile(&off_latencies, 0.99),
            percentile(&on_latencies, 0.99),
            median(ratios)
        );
    }
}

/// `--traces --cpu N`: the CPU time per request of `case` with traces off and
/// on, `N` sequential requests each per round, who goes first alternating.
async fn traces_cpu_row(
    options: &Options,
    requests: usize,
    (plain, plain_server): (&Client, &Server),
    (traced, traced_server): (&Client, &Server),
    case: &Case,
) {
    for i in 0..20 {
        request(plain, case, Target::Newsgraph, i).await;
        request(traced, case, Target::Newsgraph, i).await;
    }
    let (mut off, mut on, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..options.rounds {
        let measure_off = || cpu_per_request(plain, case, Target::Newsgraph, plain_server, requests);
        let measure_on = || cpu_per_request(traced, case, Target::Newsgraph, traced_server, requests);
        let (a, b) = if round % 2 == 0 {
            let a = measure_off().await;
            (a, measure_on().await)
        } else {
            let b = measure_on().await;
            (measure_off().await, b)
        };
        off.push(a);
        on.push(b);
        ratios.push(b / a);
    }
    let list = |values: &[f64]| values.iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>().join(", ");
    println!(
        "| {} | {:.3} ({}) | {:.3} ({}) | {:.3}× ({}) |",
        case.name,
        median(off.clone()),
        list(&off),
        median(on.clone()),
        list(&on),
        median(ratios.clone()),
        list(&ratios)
    );
}

//! What counting statements costs the dashboard's figures on the embedded
//! store: each `quoteStats` grouping (`Store::group_statements`) beside the
//! same grouping counting reports (`Store::group_quotes`, read from the
//! counters for a date range), over a generated corpus, as a ratio measured in
//! the same run, with the machine line.
//!
//! ```sh
//! cargo run --release --example statement_figures -- --articles 10000
//! ```
//!
//! Counting statements reads the matching quotes joined to their statements
//! (`statement_reports` by primary key): its cost grows with the quotes the
//! filter matches, where the reports' counters do not (see
//! `docs/statements.md`, *Not done yet*).

#[path = "../tests/support/machine.rs"]
mod machine;

use newsgraph::generate::{Cast, article};
use newsgraph::store::filter::DateRange;
use newsgraph::store::sqlite::SqliteStore;
use newsgraph::store::{Bucket, GraphBatch, QuoteFilter, QuoteGroup, Store};
use std::time::{Duration, Instant};

const SEED: u64 = 7;
const ROUNDS: u32 = 5;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The median time of `ROUNDS` calls, and the last answer.
async fn timed<F, Fut>(mut call: F) -> (Duration, Vec<Bucket>)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Vec<Bucket>>,
{
    let mut times = Vec::new();
    let mut last = Vec::new();
    for _ in 0..ROUNDS {
        let start = Instant::now();
        last = call().await;
        times.push(start.elapsed());
    }
    times.sort();
    (times[times.len() / 2], last)
}

#[tokio::main]
async fn main() {
    let articles = arg("--articles", 5_000);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = SqliteStore::open(dir.path()).expect("an embedded store");
    store.prepare().await.expect("tables");
    let cast = Cast::new(articles, SEED);
    let mut batch =
        GraphBatch { organizations: cast.organizations(), people: cast.people.clone(), ..Default::default() };
    for n in 0..articles {
        let (a, quotes) = article(&cast, SEED, n);
        batch.articles.push(a);
        batch.quotes.extend(quotes);
        if batch.articles.len() == 500 || n + 1 == articles {
            store.write(&batch).await.expect("the corpus is written");
            batch = GraphBatch::default();
        }
    }
    let counts = store.counts().await.expect("counts");
    let statements = store.count_statements(&QuoteFilter::default()).await.expect("statements");
    println!("{counts}, {statements} statements");
    println!("machine: {}", machine::machine());

    let range = |from: &str, to: &str| QuoteFilter {
        date: Some(DateRange { from: from.parse().ok(), to: to.parse().ok() }),
        ..QuoteFilter::default()
    };
    let filters = [
        ("no filter", QuoteFilter::default()),
        ("two years", range("2019-03-15", "2021-03-14")),
        ("one month", range("2019-06-01", "2019-06-30")),
    ];
    let groups = [
        ("bySource", QuoteGroup::Source),
        ("bySpeaker", QuoteGroup::Speaker),
        ("byOrganization", QuoteGroup::SpeakerOrganization),
        ("timeline (month)", QuoteGroup::Month),
    ];
    println!("| filter | grouping | reports (ms) | statements (ms) | ratio |");
    println!("|---|---|---:|---:|---:|");
    for (label, filter) in &filters {
        for (name, group) in groups {
            let limit = if group == QuoteGroup::Month { 1_000 } else { 10 };
            let (reports, _) = timed(|| async { store.group_quotes(filter, group, limit).await.unwrap() }).await;
            let (counted, buckets) =
                timed(|| async { store.group_statements(filter, group, limit).await.unwrap() }).await;
            println!(
                "| {label} | {name} ({} groups) | {:.1} | {:.1} | {:.1} |",
                buckets.len(),
                reports.as_secs_f64() * 1e3,
                counted.as_secs_f64() * 1e3,
                counted.as_secs_f64() / reports.as_secs_f64().max(1e-9)
            );
        }
    }
}

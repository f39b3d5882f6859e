//! Measures feed polling: 100 feeds of 50 items each, served by a local test
//! site (`tests/support/feed_server.rs`, in this process), polled into an
//! embedded store in a temporary directory by one [`Watcher`], twice.
//!
//! - The first round reads every feed and ingests its 50 items (each page
//!   fetched, read and ingested): its time, requests and articles.
//! - The second round has nothing new: every feed has validators, so each
//!   request should be a conditional GET answered `304 Not Modified`, and no
//!   page should be fetched.
//! - The reference, measured in the same run: the same 5,100 documents
//!   fetched one after another with the same fetcher, nothing parsed or
//!   stored. The rounds are reported as ratios to it.
//! - Memory: the process's resident set (VmRSS) and its peak (VmHWM) after
//!   each round; the test site runs in the same process.
//!
//! All the feeds are on one host, so the watcher's per-host rule (one request
//! at a time) serializes every request; the host delay is 0 here.
//!
//! ```sh
//! cargo run --release --example feed_polling
//! ```

#[path = "../tests/support/feed_server.rs"]
mod feed_server;
#[path = "../tests/support/machine.rs"]
mod machine;

use feed_server::BENCH_ITEMS;
use machine::machine;
use newsgraph::ingest::feeds::{FeedsFile, Watcher};
use newsgraph::ingest::fetch::{FetchSettings, Fetcher};
use newsgraph::store::SharedStore;
use newsgraph::store::sqlite::SqliteStore;
use std::sync::Arc;
use std::time::Instant;

const FEEDS: usize = 100;

/// `VmRSS` and `VmHWM` of this process, in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("machine: {}", machine());
    let site = feed_server::start().await;
    let dir = tempfile::tempdir()?;
    let store: SharedStore = Arc::new(SqliteStore::open(dir.path())?);
    store.prepare().await?;
    let mut file = String::from("host_delay = \"0ms\"\n[defaults]\ninterval = \"15m\"\nmax_items_per_poll = 50\n");
    for n in 0..FEEDS {
        file.push_str(&format!("[[feed]]\nurl = \"{}\"\n", site.url(&format!("/bench/{n}/rss.xml"))));
    }
    let settings = FetchSettings { allow_private: true, ..FetchSettings::default() };
    let fetcher = Fetcher::new(settings.clone())?;
    let watcher = Watcher::new(store.clone(), fetcher, FeedsFile::parse(&file)?);

    // The reference: the same documents, fetched one after another, nothing else.
    let reference = Fetcher::new(settings)?;
    let started = Instant::now();
    for n in 0..FEEDS {
        reference.fetch_feed(&site.url(&format!("/bench/{n}/rss.xml")), &Default::default()).await?;
        for i in 0..BENCH_ITEMS {
            reference.fetch(&site.url(&format!("/gen/{}", n * BENCH_ITEMS + i))).await?;
        }
    }
    let reference_time = started.elapsed();
    let reference_requests = site.requests().len();
    println!(
        "reference: {reference_requests} documents fetched one after another in {:.2} s",
        reference_time.as_secs_f64()
    );

    for round in ["first poll", "second poll (nothing new)"] {
        let before = site.requests().len();
        let started = Instant::now();
        let reports = watcher.poll_all().await;
        let took = started.elapsed();
        let requests = site.requests()[before..].to_vec();
        let not_modified = requests.iter().filter(|r| r.status == 304).count();
        let conditional = requests.iter().filter(|r| r.conditional).count();
        let pages = requests.iter().filter(|r| r.path.starts_with("/gen/")).count();
        let ingested: usize = reports.iter().map(|r| r.ingested).sum();
        let failed = reports.iter().filter(|r| r.error.is_some()).count();
        let (rss, peak) = memory();
        println!(
            "{round}: {:.2} s ({:.2}× the reference), {} requests ({} conditional, {} answered 304, {} pages), \
             {ingested} articles ingested, {failed} polls failed; RSS {rss:.0} MiB, peak {peak:.0} MiB",
            took.as_secs_f64(),
            took.as_secs_f64() / reference_time.as_secs_f64(),
            requests.len(),
            conditional,
            not_modified,
            pages,
        );
    }
    println!("store: {}", store.counts().await?);
    println!("machine: {}", machine());
    site.stop().await;
    Ok(())
}

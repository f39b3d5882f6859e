//! No acknowledged correction is lost, and no change lacks its audit entry:
//! concurrent `correctQuote` writers, a SIGKILL part-way, a restart, then for
//! every quote: its version is at least the last acknowledged one (with that
//! correction's text when nothing later committed), its history holds
//! exactly one entry per version (1, 2, … its version, nothing missing,
//! nothing twice), and its text is the one the newest entry set.
//!
//! - Embedded store: the real `newsgraph` binary on a data directory, killed
//!   with SIGKILL while corrections are in flight, then started again on it.
//! - MongoDB: the server in this process, FerretDB killed with SIGKILL under
//!   it while corrections are in flight, then restarted on the same data:
//!   corrections cut off half-way are finished (rolled forward) by the next
//!   correction or read of the audit log.
//!
//! `cargo test --test corrections_durability -- --nocapture` prints the figures.

#[path = "support/mod.rs"]
mod support;

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::TestBackend;
use support::binary::{ServerProcess, wait_for};
use support::ferretdb::FerretDb;

const KEY: &str = "corrections-durability-key";
/// The key's entry: it may ingest and correct.
const KEY_ENTRY: &str = "corrections-durability-key name=durability-editor scopes=ingest+edit";
const WRITERS: usize = 4;
/// Articles per writer (two quotes each); each writer corrects only its own quotes.
const ARTICLES_PER_WRITER: usize = 2;
/// Corrections each writer tries.
const PER_WRITER: usize = 24;

const INGEST: &str = r#"mutation($input: IngestArticleInput!) { ingestArticle(input: $input) { quotes { key } } }"#;
const CORRECT: &str =
    r#"mutation($input: CorrectQuoteInput!) { correctQuote(input: $input) { version quote { text } } }"#;
const QUOTE: &str = r#"query($id: ID!) { node(id: $id) { ... on Quote { text version
    history { field version after by } } } }"#;

fn article_text(n: usize) -> String {
    format!(
        "Talks round {n} end in Geneva\n\n\"We have a deal for round {n},\" union leader Maria Lopez told Reuters. \
         \"Round {n} was hard,\" said John Kerry, the U.S. Secretary of State.\n"
    )
}

fn global(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("Quote:{key}"))
}

/// The last acknowledged (version, text) of each quote.
type Acknowledged = BTreeMap<String, (u64, String)>;

async fn post(client: &reqwest::Client, base: &str, query: &str, variables: Value) -> Option<Value> {
    let response = client
        .post(format!("{base}/graphql"))
        .bearer_auth(KEY)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .ok()?;
    response.json().await.ok()
}

/// Ingests the articles the writers correct; each writer's quotes.
async fn ingest(base: &str) -> Vec<Vec<String>> {
    let client = reqwest::Client::new();
    let mut owned = vec![Vec::new(); WRITERS];
    for (w, quotes) in owned.iter_mut().enumerate() {
        for i in 0..ARTICLES_PER_WRITER {
            let text = article_text(w * 100 + i);
            let body = post(&client, base, INGEST, json!({ "input": { "text": text } })).await.expect("ingest");
            assert!(body["errors"].is_null(), "{body}");
            for q in body["data"]["ingestArticle"]["quotes"].as_array().unwrap() {
                quotes.push(q["key"].as_str().unwrap().to_owned());
            }
        }
    }
    assert!(owned.iter().all(|q| q.len() == 2 * ARTICLES_PER_WRITER), "{owned:?}");
    owned
}

struct Load {
    acknowledged: Mutex<Acknowledged>,
    count: Mutex<usize>,
    refused: Mutex<usize>,
}

/// Each writer corrects the text of its quotes in turn, with the version it
/// last saw; after a failure it reads the version again (a correction cut off
/// by the crash may have been finished since).
async fn correction_load(base: String, owned: Vec<Vec<String>>, load: Arc<Load>, stop: Arc<AtomicBool>) {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    let mut writers = Vec::new();
    for (w, quotes) in owned.into_iter().enumerate() {
        let (client, base, load, stop) = (client.clone(), base.clone(), load.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut versions: BTreeMap<String, u64> = quotes.iter().map(|q| (q.clone(), 0)).collect();
            for i in 0..PER_WRITER {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let quote = &quotes[i % quotes.len()];
                let text = format!("correction {i} by writer {w} of {quote}");
                let input =
                    json!({ "quote": quote, "expectedVersion": versions[quote], "text": text, "reason": "durability" });
                let body = post(&client, &base, CORRECT, json!({ "input": input })).await;
                match body {
                    Some(body) if body["errors"].is_null() && body["data"]["correctQuote"].is_object() => {
                        let version = body["data"]["correctQuote"]["version"].as_u64().unwrap();
                        assert_eq!(body["data"]["correctQuote"]["quote"]["text"], text.as_str());
                        versions.insert(quote.clone(), version);
                        load.acknowledged.lock().unwrap().insert(quote.clone(), (version, text));
                        *load.count.lock().unwrap() += 1;
                    }
                    _ => {
                        *load.refused.lock().unwrap() += 1;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        if let Some(read) = post(&client, &base, QUOTE, json!({ "id": global(quote) })).await
                            && let Some(version) = read["data"]["node"]["version"].as_u64()
                        {
                            versions.insert(quote.clone(), version);
                        }
                    }
                }
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
}

/// Every quote after the restart: acknowledged corrections there, one audit
/// entry per version, the text the newest entry set. Returns how many
/// corrections the store holds.
async fn check(base: &str, owned: &[Vec<String>], acknowledged: &Acknowledged) -> u64 {
    let client = reqwest::Client::new();
    let mut total = 0;
    for quote in owned.iter().flatten() {
        let body = post(&client, base, QUOTE, json!({ "id": global(quote) })).await.expect("the server answers");
        assert!(body["errors"].is_null(), "{body}");
        let node = &body["data"]["node"];
        let version = node["version"].as_u64().unwrap();
        let history = node["history"].as_array().unwrap();
        let mut versions: Vec<u64> = history.iter().map(|e| e["version"].as_u64().unwrap()).collect();
        versions.sort_unstable();
        assert_eq!(versions, (1..=version).collect::<Vec<_>>(), "{quote}: one audit entry per version: {node}");
        assert!(history.iter().all(|e| e["field"] == "TEXT" && e["by"] == "durability-editor"), "{node}");
        if let Some(newest) = history.first() {
            assert_eq!(newest["version"].as_u64(), Some(version), "newest first");
            assert_eq!(node["text"], newest["after"], "{quote}: the text the newest entry set");
        }
        if let Some((acked, text)) = acknowledged.get(quote) {
            assert!(version >= *acked, "{quote}: acknowledged version {acked} lost (found {version})");
            if version == *acked {
                assert_eq!(node["text"].as_str(), Some(text.as_str()), "{quote}: acknowledged text");
            }
        }
        total += version;
    }
    total
}

fn new_load() -> Arc<Load> {
    Arc::new(Load { acknowledged: Mutex::new(BTreeMap::new()), count: Mutex::new(0), refused: Mutex::new(0) })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_sigkill_during_corrections_loses_no_acknowledged_correction() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(dir.path(), KEY_ENTRY);
    let owned = ingest(&server.base).await;
    let load = new_load();
    let stop = Arc::new(AtomicBool::new(false));
    let writers = tokio::spawn(correction_load(server.base.clone(), owned.clone(), load.clone(), stop.clone()));
    let kill_after = WRITERS * PER_WRITER / 3;
    wait_for("acknowledged corrections", || *load.count.lock().unwrap() >= kill_after).await;
    server.kill();
    let at_kill = *load.count.lock().unwrap();
    stop.store(true, Ordering::Relaxed);
    writers.await.unwrap();
    let acknowledged = load.acknowledged.lock().unwrap().clone();

    let server = ServerProcess::start(dir.path(), KEY_ENTRY);
    let stored = check(&server.base, &owned, &acknowledged).await;
    let acked = *load.count.lock().unwrap();
    assert!(stored >= acked as u64, "{stored} corrections stored, {acked} acknowledged");
    eprintln!(
        "embedded: SIGKILL after {at_kill} acknowledged corrections; {acked} acknowledged in all, {stored} stored after restart, each with its audit entry; {} failed with the server gone",
        load.refused.lock().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ferretdb_sigkill_during_corrections_loses_no_acknowledged_correction() {
    let dir = tempfile::tempdir().unwrap();
    let ferret = FerretDb::start("127.0.0.1:0", dir.path(), false);
    let uri = ferret.uri();
    let app = helpers::spawn_app_with(TestBackend::FerretDb, |s| {
        s.mongodb_uri = Some(uri.into());
        s.store_timeout_ms = 2000;
        s.api_keys = vec![KEY_ENTRY.into()];
    })
    .await;
    let owned = ingest(&app.address).await;
    let load = new_load();
    let stop = Arc::new(AtomicBool::new(false));
    let writers = tokio::spawn(correction_load(app.address.clone(), owned.clone(), load.clone(), stop.clone()));
    let kill_after = WRITERS * PER_WRITER / 3;
    wait_for("acknowledged corrections", || *load.count.lock().unwrap() >= kill_after).await;
    ferret.kill();
    let at_kill = *load.count.lock().unwrap();
    // Corrections go on against the dead store for longer than a store call
    // may take: cut off (some half-way), refused, never acknowledged.
    tokio::time::sleep(Duration::from_millis(3000)).await;
    ferret.restart();
    writers.await.unwrap();
    let acknowledged = load.acknowledged.lock().unwrap().clone();
    let acked = *load.count.lock().unwrap();

    let stored = check(&app.address, &owned, &acknowledged).await;
    assert!(stored >= acked as u64, "{stored} corrections stored, {acked} acknowledged");
    assert!(acked > at_kill, "corrections resumed after the restart");
    eprintln!(
        "ferretdb: SIGKILL after {at_kill} acknowledged corrections; restarted; {acked} acknowledged in all, {stored} stored, each with its audit entry; {} refused or cut off while it was down",
        load.refused.lock().unwrap()
    );
    app.cleanup().await;
}

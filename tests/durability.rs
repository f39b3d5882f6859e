//! No acknowledged write is lost: a concurrent `ingestArticle` load, a SIGKILL
//! part-way, a restart, and then every acknowledged article must be there
//! whole (headline, its two quotes with their speakers and sources), and no
//! article may be there half-written (an article without all its quotes).
//!
//! - Embedded store: the real `newsgraph` binary on a data directory, killed
//!   with SIGKILL while writes are in flight, then started again on it.
//! - MongoDB: the server in this process, FerretDB killed with SIGKILL under
//!   it while writes are in flight, then restarted on the same data.
//!
//! `cargo test --test durability -- --nocapture` prints the figures quoted in
//! `docs/security.md` (writes acknowledged, found, refused while down).

#[path = "support/mod.rs"]
mod support;

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::TestBackend;
use support::binary::{ServerProcess, wait_for};
use support::ferretdb::FerretDb;

const KEY: &str = "durability-test-key";
const WRITERS: usize = 4;
/// Articles each writer tries; bounded so that a listing of 100 sees them all.
const PER_WRITER: usize = 20;

const INGEST: &str = r#"mutation($input: IngestArticleInput!) { ingestArticle(input: $input) {
    article { key headline } quotes { text speaker { ... on Person { name } } via { name } } } }"#;

const LIST: &str = r#"{ articles(first: 100) { totalCount edges { node { key headline
    quotes { totalCount edges { node { text speaker { ... on Person { name } } via { name } } } } } } } }"#;

fn article_text(n: usize) -> String {
    format!(
        "Talks round {n} end in Geneva\n\n\"We have a deal for round {n},\" union leader Maria Lopez told Reuters. \
         \"Round {n} was hard,\" said John Kerry, the U.S. Secretary of State.\n"
    )
}

/// What the server acknowledged, or what the listing shows, per article key:
/// its headline and its quotes as (text, speaker, sources), sorted.
type Articles = BTreeMap<String, (String, Vec<(String, String, String)>)>;

fn quotes_of(list: &Value) -> Vec<(String, String, String)> {
    let mut quotes: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let q = q.get("node").unwrap_or(q);
            let via: Vec<&str> = q["via"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
            (
                q["text"].as_str().unwrap().to_owned(),
                q["speaker"]["name"].as_str().unwrap_or("").to_owned(),
                via.join(","),
            )
        })
        .collect();
    quotes.sort();
    quotes
}

struct Load {
    acknowledged: Mutex<Articles>,
    refused: Mutex<usize>,
}

/// Runs `WRITERS` concurrent writers against `base` until each has tried
/// `PER_WRITER` articles or `stop` is set; records what was acknowledged.
async fn write_load(base: String, load: Arc<Load>, stop: Arc<std::sync::atomic::AtomicBool>) {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (client, base, load, stop) = (client.clone(), base.clone(), load.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..PER_WRITER {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    return;
                }
                let n = w * 1000 + i;
                let response = client
                    .post(format!("{base}/graphql"))
                    .bearer_auth(KEY)
                    .json(&json!({ "query": INGEST, "variables": { "input": { "text": article_text(n) } } }))
                    .send()
                    .await;
                let body: Option<Value> = match response {
                    Ok(r) => r.json().await.ok(),
                    Err(_) => None, // the server is gone: nothing acknowledged
                };
                match body {
                    Some(body) if body["errors"].is_null() && body["data"]["ingestArticle"].is_object() => {
                        let result = &body["data"]["ingestArticle"];
                        load.acknowledged.lock().unwrap().insert(
                            result["article"]["key"].as_str().unwrap().to_owned(),
                            (result["article"]["headline"].as_str().unwrap().to_owned(), quotes_of(&result["quotes"])),
                        );
                    }
                    _ => *load.refused.lock().unwrap() += 1,
                }
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
}

async fn listing(base: &str) -> (u64, Articles) {
    let body: Value = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": LIST }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(body["errors"].is_null(), "{body}");
    let articles = &body["data"]["articles"];
    let found = articles["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let node = &e["node"];
            (
                node["key"].as_str().unwrap().to_owned(),
                (node["headline"].as_str().unwrap().to_owned(), quotes_of(&node["quotes"]["edges"])),
            )
        })
        .collect();
    (articles["totalCount"].as_u64().unwrap(), found)
}

/// Every acknowledged article is there as acknowledged, and every article
/// there is whole: its two quotes, each with its speaker, and the source of
/// the one the text attributes ("told Reuters").
fn check(acknowledged: &Articles, total: u64, found: &Articles) {
    assert_eq!(total as usize, found.len(), "the listing holds every article");
    for (key, expected) in acknowledged {
        assert_eq!(found.get(key), Some(expected), "acknowledged article {key}");
    }
    for (key, (headline, quotes)) in found {
        let n = headline
            .strip_prefix("Talks round ")
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("{key}: {headline}"));
        let whole = vec![
            (format!("Round {n} was hard,"), "John Kerry".to_owned(), String::new()),
            (format!("We have a deal for round {n},"), "Maria Lopez".to_owned(), "Reuters".to_owned()),
        ];
        assert_eq!(quotes, &whole, "{key} is not whole");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_sigkill_during_writes_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(dir.path(), KEY);
    let load = Arc::new(Load { acknowledged: Mutex::new(BTreeMap::new()), refused: Mutex::new(0) });
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers = tokio::spawn(write_load(server.base.clone(), load.clone(), stop.clone()));
    let kill_after = WRITERS * PER_WRITER / 3;
    wait_for("acknowledged writes", || load.acknowledged.lock().unwrap().len() >= kill_after).await;
    server.kill();
    let acknowledged_at_kill = load.acknowledged.lock().unwrap().len();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writers.await.unwrap();
    let acknowledged = load.acknowledged.lock().unwrap().clone();

    let server = ServerProcess::start(dir.path(), KEY);
    let (total, found) = listing(&server.base).await;
    check(&acknowledged, total, &found);
    eprintln!(
        "embedded: SIGKILL after {acknowledged_at_kill} acknowledged writes; {} acknowledged in all, {} articles found after restart, all whole; {} writes failed with the server gone",
        acknowledged.len(),
        found.len(),
        load.refused.lock().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ferretdb_sigkill_during_writes_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let ferret = FerretDb::start("127.0.0.1:0", dir.path(), false);
    let uri = ferret.uri();
    let app = helpers::spawn_app_with(TestBackend::FerretDb, |s| {
        s.mongodb_uri = Some(uri.into());
        s.store_timeout_ms = 2000;
        s.api_keys = vec![KEY.into()];
    })
    .await;
    let load = Arc::new(Load { acknowledged: Mutex::new(BTreeMap::new()), refused: Mutex::new(0) });
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers = tokio::spawn(write_load(app.address.clone(), load.clone(), stop.clone()));
    let kill_after = WRITERS * PER_WRITER / 3;
    wait_for("acknowledged writes", || load.acknowledged.lock().unwrap().len() >= kill_after).await;
    ferret.kill();
    let acknowledged_at_kill = load.acknowledged.lock().unwrap().len();
    // Writes go on against the dead store for a moment: refused, never acknowledged.
    tokio::time::sleep(Duration::from_millis(500)).await;
    ferret.restart();
    writers.await.unwrap();
    let acknowledged = load.acknowledged.lock().unwrap().clone();

    let (total, found) = listing(&app.address).await;
    check(&acknowledged, total, &found);
    eprintln!(
        "ferretdb: SIGKILL after {acknowledged_at_kill} acknowledged writes; restarted; {} acknowledged in all, {} articles found, all whole; {} writes refused (STORE_UNAVAILABLE) while it was down",
        acknowledged.len(),
        found.len(),
        load.refused.lock().unwrap()
    );
    assert!(acknowledged.len() > acknowledged_at_kill, "writes resumed after the restart");
    app.cleanup().await;
}

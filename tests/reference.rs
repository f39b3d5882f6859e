//! The query bench's reference server (`benches/reference`) answers each of
//! its shapes with exactly the bytes newsgraph's `/graphql` answers, on a
//! small generated corpus: otherwise the bench's ratios would compare
//! different work.

#[path = "../benches/reference/mod.rs"]
mod reference;
mod support;

use serde_json::{Value, json};

use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_newsgraph");

/// The real server, killed on drop.
struct Newsgraph(Child);

impl Drop for Newsgraph {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_newsgraph(dir: &std::path::Path) -> (Newsgraph, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--no-seed", "--log-format", "text", "--data-dir"])
        .arg(dir)
        .env("RUST_LOG", "warn,newsgraph::startup=info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("starting newsgraph");
    let address = support::serving_address(&mut child);
    (Newsgraph(child), address)
}

struct Pair {
    http: reqwest::Client,
    newsgraph: String,
    reference: String,
}

impl Pair {
    async fn graphql(&self, query: &str, variables: Value) -> Vec<u8> {
        let response = self
            .http
            .post(format!("http://{}/graphql", self.newsgraph))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("a response");
        response.bytes().await.expect("a body").to_vec()
    }

    async fn reference(&self, path: &str) -> Vec<u8> {
        let response = self.http.get(format!("http://{}{path}", self.reference)).send().await.expect("a response");
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.bytes().await.expect("a body").to_vec()
    }

    /// Asserts both answer the same bytes, and returns newsgraph's answer parsed.
    async fn same(&self, query: &str, variables: Value, path: &str) -> Value {
        let expected = self.graphql(query, variables).await;
        let got = self.reference(path).await;
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected),
            "{path}: the reference (left) differs from newsgraph (right)"
        );
        let parsed: Value = serde_json::from_slice(&expected).expect("JSON");
        assert!(parsed.get("errors").is_none(), "{parsed}");
        parsed
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_answers_every_shape_with_newsgraphs_bytes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let output = Command::new(BIN)
        .args(["generate", "--articles", "300", "--seed", "7", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("running generate");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let (_server, newsgraph) = start_newsgraph(dir.path());
    let (sender, receiver) = std::sync::mpsc::channel();
    let data_dir = dir.path().to_owned();
    std::thread::spawn(move || reference::serve_with(&data_dir, |address| sender.send(address).expect("sent")));
    let reference = receiver.recv().expect("the reference listens").to_string();
    let pair = Pair { http: reqwest::Client::new(), newsgraph, reference };

    let ids = pair.graphql("{ articles(orderBy: ID, first: 100) { edges { node { id } } } }", json!({})).await;
    let ids: Value = serde_json::from_slice(&ids).expect("JSON");
    let ids: Vec<String> = ids["data"]["articles"]["edges"]
        .as_array()
        .expect("articles")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("an id").to_owned())
        .collect();
    assert_eq!(ids.len(), 100);

    // Point look-ups and articles with their quotes, 100 of each.
    let mut quotes_seen = 0;
    for id in &ids {
        let node = pair.same(reference::NODE_QUERY, json!({ "id": id }), &format!("/node?id={id}")).await;
        assert!(node["data"]["node"]["headline"].is_string(), "{node}");
        let article = pair.same(reference::ARTICLE_QUERY, json!({ "id": id }), &format!("/article?id={id}")).await;
        quotes_seen += article["data"]["article"]["quotes"]["edges"].as_array().expect("edges").len();
    }
    assert!(quotes_seen > 100, "the articles carry quotes ({quotes_seen})");
    // The busiest source's quotes, page after page, to the end.
    let stats = pair.graphql("{ quoteStats { bySource(first: 1) { source { id } } } }", json!({})).await;
    let stats: Value = serde_json::from_slice(&stats).expect("JSON");
    let source = stats["data"]["quoteStats"]["bySource"][0]["source"]["id"].as_str().expect("a source").to_owned();
    let (mut after, mut pages, mut named, mut unnamed) = (Value::Null, 0, false, false);
    loop {
        let path = match after.as_str() {
            Some(cursor) => format!("/quotes?source={source}&after={cursor}"),
            None => format!("/quotes?source={source}"),
        };
        let page = pair.same(reference::LIST_QUERY, json!({ "source": source, "after": after }), &path).await;
        let page = &page["data"]["quotes"];
        let edges = page["edges"].as_array().expect("edges");
        named |= edges.iter().any(|e| e["node"]["speaker"]["name"].is_string());
        unnamed |= edges.iter().any(|e| e["node"]["speaker"].is_null());
        pages += 1;
        after = page["pageInfo"]["endCursor"].clone();
        if after.is_null() {
            break;
        }
    }
    assert!(pages > 3, "the source has several pages ({pages})");
    assert!(named && unnamed, "the list shows named speakers and others");

    // The nested page: named speakers with affiliations, anonymous ones with theirs.
    let nested = pair.same(reference::NESTED_QUERY, json!({}), "/nested").await;
    let text = nested.to_string();
    assert!(text.contains("\"affiliations\":[{\"name\""), "{text}");
    assert!(text.contains("\"description\""), "{text}");
}

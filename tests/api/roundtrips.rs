//! A nested query costs a fixed number of store round trips per level, however
//! many items each level holds: DataLoaders batch every level into one call.

use crate::helpers::spawn_app_with;
use crate::support::{TestBackend, synthetic};
use serde_json::json;

const NESTED: &str = "{ articles(first: 20) { edges { node { headline quotes { edges { node { text
    speaker { ... on Person { name affiliations { name } } ... on AnonymousSpeaker { description affiliation { name } } }
    via { name } } } } } } } }";

/// Round trips for the nested query over a graph of `articles` articles.
async fn round_trips(backend: TestBackend, articles: usize) -> (u64, usize) {
    let app = spawn_app_with(backend, |s| s.no_seed = true).await;
    app.store.write(&synthetic::graph(articles)).await.unwrap();
    let before = app.store.operations();
    let data = app.data(NESTED, json!({})).await;
    let used = app.store.operations() - before;
    let quotes: usize = data["articles"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["node"]["quotes"]["edges"].as_array().unwrap().len())
        .sum();
    app.cleanup().await;
    (used, quotes)
}

async fn constant_round_trips(backend: TestBackend) {
    let (small, small_quotes) = round_trips(backend, 2).await;
    let (large, large_quotes) = round_trips(backend, 20).await;
    assert_eq!(small_quotes, 2 * synthetic::QUOTES_PER_ARTICLE);
    assert_eq!(large_quotes, 20 * synthetic::QUOTES_PER_ARTICLE);
    // One call per level that needs the store: the articles page; the quotes
    // of all 20 articles; the speakers (people) with the `via` organizations
    // of the same level; the affiliations one level down.
    assert_eq!(large, small, "round trips must not grow with the number of items");
    assert!(large <= 5, "{large} round trips for this query");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_nested_query_round_trips_are_constant() {
    constant_round_trips(TestBackend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferretdb_nested_query_round_trips_are_constant() {
    constant_round_trips(TestBackend::FerretDb).await;
}

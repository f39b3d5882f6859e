//! Persisted documents over HTTP: Apollo's automatic persisted queries (POST
//! and GET), and the trusted-documents mode with each manifest format.

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::support::TestBackend;
use serde_json::{Value, json};
use sha2::Digest as _;

const COUNT: &str = "query Count { articles(first: 1) { totalCount } }";

fn sha256_hex(text: &str) -> String {
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn post(app: &TestApp, body: Value) -> Value {
    let response = app.client.post(app.url("/graphql")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200, "{body}");
    response.json().await.unwrap()
}

async fn get(app: &TestApp, params: &[(&str, &str)]) -> (u16, Value) {
    let response = app
        .client
        .get(app.url("/graphql"))
        .header("apollo-require-preflight", "true")
        .query(params)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no coded error: {body:#}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automatic_persisted_queries_follow_apollos_protocol_over_post_and_get() {
    let app = spawn_app(TestBackend::Embedded).await;
    let hash = sha256_hex(COUNT);
    // Unknown hash: the code Apollo Client's link falls back on, with HTTP 200.
    let unknown = post(&app, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(code(&unknown), "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound");
    let extensions = persisted(&hash).to_string();
    let (status, over_get) = get(&app, &[("extensions", &extensions)]).await;
    assert_eq!((status, code(&over_get)), (200, "PERSISTED_QUERY_NOT_FOUND"));
    // A hash that is not the text's is refused, and teaches nothing.
    let wrong =
        post(&app, json!({ "query": "{ articles(first: 2) { totalCount } }", "extensions": persisted(&hash) })).await;
    assert_eq!(code(&wrong), "BAD_REQUEST");
    assert_eq!(code(&post(&app, json!({ "extensions": persisted(&hash) })).await), "PERSISTED_QUERY_NOT_FOUND");
    // Text and hash: runs and registers; then the hash alone runs, over POST and GET.
    let registered = post(&app, json!({ "query": COUNT, "extensions": persisted(&hash) })).await;
    let total = registered["data"]["articles"]["totalCount"].as_u64().expect("a count");
    assert!(total > 0, "{registered}");
    let by_hash = post(&app, json!({ "extensions": persisted(&hash), "operationName": "Count" })).await;
    assert_eq!(by_hash["data"]["articles"]["totalCount"], total, "{by_hash}");
    let (status, by_get) = get(&app, &[("extensions", &extensions)]).await;
    assert_eq!(status, 200);
    assert_eq!(by_get["data"]["articles"]["totalCount"], total, "{by_get}");
    // Other versions are refused.
    let v2 = json!({ "persistedQuery": { "version": 2, "sha256Hash": hash } });
    assert_eq!(code(&post(&app, json!({ "extensions": v2 })).await), "BAD_REQUEST");
    // A document that fails admission is not remembered.
    let broken = "{ articles(first: 1) { nope } }";
    let refused = post(&app, json!({ "query": broken, "extensions": persisted(&sha256_hex(broken)) })).await;
    assert_eq!(code(&refused), "GRAPHQL_VALIDATION_FAILED");
    let again = post(&app, json!({ "extensions": persisted(&sha256_hex(broken)) })).await;
    assert_eq!(code(&again), "PERSISTED_QUERY_NOT_FOUND");
    // A persisted mutation still cannot run over GET.
    let mutation = "mutation { ingestArticle(input: {text: \"\"}) { replaced } }";
    post(&app, json!({ "query": mutation, "extensions": persisted(&sha256_hex(mutation)) })).await;
    let mutation_extensions = persisted(&sha256_hex(mutation)).to_string();
    let (status, _) = get(&app, &[("extensions", &mutation_extensions)]).await;
    assert_eq!(status, 405, "mutations are only accepted over POST, persisted or not");
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automatic_persisted_queries_can_be_turned_off() {
    let app = spawn_app_with(TestBackend::Embedded, |s| s.apq_cache_bytes = 0).await;
    let body = post(&app, json!({ "query": COUNT, "extensions": persisted(&sha256_hex(COUNT)) })).await;
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_SUPPORTED");
    assert!(app.query(COUNT, json!({})).await.get("errors").is_none(), "plain queries still run");
    app.cleanup().await;
}

/// The three manifest formats: Relay's, GraphQL Code Generator's client preset's, Apollo's.
fn manifests() -> Vec<(&'static str, Value, &'static str)> {
    let hash = sha256_hex(COUNT);
    vec![
        ("relay", json!({ "5d3f0a2b9c": COUNT }), "5d3f0a2b9c"),
        ("codegen", json!({ hash.clone(): COUNT }), "codegen-hash"),
        (
            "apollo",
            json!({
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{ "id": hash, "body": COUNT, "name": "Count", "type": "query" }]
            }),
            "apollo-hash",
        ),
    ]
}

async fn trusted_documents_only(backend: TestBackend, formats: &[&str]) {
    let hash = sha256_hex(COUNT);
    for (format, manifest, id) in manifests().into_iter().filter(|(format, ..)| formats.contains(format)) {
        let id = if id.ends_with("-hash") { hash.clone() } else { id.to_owned() };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("manifest.json");
        std::fs::write(&path, manifest.to_string()).unwrap();
        let app = spawn_app_with(backend, |s| s.trusted_documents = Some(path.clone())).await;
        if backend == TestBackend::FerretDb {
            newsgraph::seed::seed(app.store.as_ref(), &crate::support::seed_dir()).await.unwrap();
        }
        let total = app.data(COUNT, json!({})).await["articles"]["totalCount"].clone();
        assert!(total.as_u64().is_some_and(|n| n > 0), "{format}: the manifest's own text runs");
        for body in [
            json!({ "documentId": id }),
            json!({ "doc_id": id }),
            json!({ "id": id }),
            json!({ "extensions": persisted(&hash) }),
        ] {
            let answer = post(&app, body.clone()).await;
            assert_eq!(answer["data"]["articles"]["totalCount"], total, "{format} {body}: {answer}");
        }
        let (status, by_get) = get(&app, &[("documentId", &id)]).await;
        assert_eq!((status, &by_get["data"]["articles"]["totalCount"]), (200, &total), "{format}: {by_get}");
        // Anything else is refused with a code.
        let free = app.query("{ articles(first: 2) { totalCount } }", json!({})).await;
        assert_eq!(code(&free), "PERSISTED_QUERY_NOT_IN_LIST", "{format}");
        assert!(free["data"].is_null());
        assert_eq!(code(&post(&app, json!({ "documentId": "nope" })).await), "PERSISTED_QUERY_NOT_FOUND");
        let other = "{ articles(first: 3) { totalCount } }";
        let registering = post(&app, json!({ "query": other, "extensions": persisted(&sha256_hex(other)) })).await;
        assert_eq!(code(&registering), "PERSISTED_QUERY_NOT_IN_LIST", "{format}: APQ cannot add a document");
        app.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_documents_only_on_the_embedded_store() {
    trusted_documents_only(TestBackend::Embedded, &["relay", "codegen", "apollo"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_documents_only_on_ferretdb() {
    // One format: the manifests are read the same whatever the store.
    trusted_documents_only(TestBackend::FerretDb, &["apollo"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_manifest_stops_the_server_from_starting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("manifest.json");
    std::fs::write(&path, r#"{"a": {"not": "text"}}"#).unwrap();
    let mut settings = newsgraph::config::Settings::for_tests();
    settings.trusted_documents = Some(path);
    let error = newsgraph::startup::Application::build(settings).await.err().expect("refused");
    assert!(format!("{error:#}").contains("trusted documents"), "{error:#}");
}

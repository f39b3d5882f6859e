//! Health, readiness, the playground, GET queries, and a store that goes away.

use crate::helpers::{TestApp, seed_mongodb, spawn_app_with};
use crate::support::TestBackend;
use crate::support::ferretdb::FerretDb;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn health_and_readiness_answer(app: &TestApp) {
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    // MongoDB prepares its indexes in the background: ready within a few seconds.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
        if ready.status() == 200 {
            let body: Value = ready.json().await.unwrap();
            let backend = if app.backend == TestBackend::Embedded { "embedded" } else { "mongodb" };
            assert_eq!(body["backend"], backend);
            break;
        }
        assert!(Instant::now() < deadline, "never ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn playground_opens_on_the_lavrov_example(app: &TestApp) {
    let page = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("graphiql") && html.contains("person(name: \\\"Lavrov\\\")"), "{html}");
    // The example query it opens with answers.
    let data = app.data(newsgraph::http::EXAMPLE_QUERY, json!({})).await;
    assert_eq!(data["person"]["quotes"]["totalCount"], 1);
}

async fn get_requests_run_queries(app: &TestApp) {
    let response = app
        .client
        .get(app.url("/graphql"))
        .header("apollo-require-preflight", "true")
        .query(&[("query", "query Q($n: String!) { person(name: $n) { name } }"), ("variables", r#"{"n":"kerry"}"#)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["person"]["name"], "John Kerry");
    let bad = app.client.get(app.url("/graphql?variables=%7B")).send().await.unwrap();
    assert_eq!(bad.status(), 400);
}

crate::http_tests_on_both_backends!(
    health_and_readiness_answer,
    playground_opens_on_the_lavrov_example,
    get_requests_run_queries,
);

/// Starts a FerretDB of its own on a fixed free port, so the test can stop it.
fn private_ferretdb() -> (FerretDb, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let server = FerretDb::start("127.0.0.1:0", dir.path(), false);
    (server, dir)
}

async fn readyz(app: &TestApp) -> (u16, Value) {
    let response = app.client.get(app.url("/readyz")).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_store_gives_store_unavailable_and_the_server_recovers() {
    let (ferret, _dir) = private_ferretdb();
    let uri = ferret.uri();
    seed_mongodb(&uri, "lost").await;
    let app = spawn_app_with(TestBackend::FerretDb, |s| {
        s.mongodb_uri = Some(uri.into());
        s.database = "lost".into();
        s.store_timeout_ms = 1500;
    })
    .await;
    let question = r#"{ person(name: "Lavrov") { quotes { totalCount } } }"#;
    assert_eq!(app.data(question, json!({})).await["person"]["quotes"]["totalCount"], 1);
    // Ready (indexes ensured in the background) before the store goes away.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = readyz(&app).await;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "never became ready: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    ferret.kill();
    let started = Instant::now();
    assert_eq!(app.error_code(question, json!({})).await, "STORE_UNAVAILABLE");
    assert!(started.elapsed() < Duration::from_secs(5), "answered in {:?}", started.elapsed());
    let (status, body) = readyz(&app).await;
    assert_eq!(status, 503);
    let reason = body["reason"].as_str().unwrap();
    assert_eq!(reason, "the store does not answer", "{body}");
    assert!(!reason.contains("127.0.0.1"), "the probe does not tell where the database is: {reason}");
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    // A query that needs no store is unaffected.
    let body = app.query("{ sources { ", json!({})).await;
    assert!(body["errors"][0]["message"].is_string());

    ferret.restart();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = readyz(&app).await;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "did not recover: {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.data(question, json!({})).await["person"]["quotes"]["totalCount"], 1, "data survived the restart");
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_starts_without_its_store_and_becomes_ready_when_it_appears() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let address = format!("127.0.0.1:{port}");
    let uri = format!("mongodb://{address}/?directConnection=true");
    let app = spawn_app_with(TestBackend::FerretDb, |s| {
        s.mongodb_uri = Some(uri.into());
        s.store_timeout_ms = 1000;
    })
    .await;
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(readyz(&app).await.0, 503);
    assert_eq!(app.error_code("{ sources { totalCount } }", json!({})).await, "STORE_UNAVAILABLE");

    let dir = tempfile::tempdir().unwrap();
    let _ferret = FerretDb::start(&address, dir.path(), false);
    let deadline = Instant::now() + Duration::from_secs(20);
    while readyz(&app).await.0 != 200 {
        assert!(Instant::now() < deadline, "did not become ready");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.data("{ sources { totalCount } }", json!({})).await["sources"]["totalCount"], 0);
    app.cleanup().await;
}

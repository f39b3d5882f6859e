//! Apollo Federation v2: the subgraph's SDL (composed with a second subgraph
//! by Apollo's own composition library, installed from npm), `_entities`
//! through the DataLoaders (round trips counted), and `_service` with
//! introspection off.

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::playground::run_within;
use crate::support::TestBackend;
use newsgraph::http::STORE_OPERATIONS_HEADER;
use serde_json::{Value, json};
use std::process::Command;
use std::time::Duration;

async fn service_sdl(app: &TestApp) -> String {
    let data = app.data("{ _service { sdl } }", json!({})).await;
    data["_service"]["sdl"].as_str().expect("an SDL").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subgraph_sdl_composes_with_apollos_composition_library() {
    let app = spawn_app(TestBackend::Embedded).await;
    let sdl = service_sdl(&app).await;
    assert!(sdl.contains("@link(") && sdl.contains("https://specs.apollo.dev/federation/v2"), "federation v2");
    for entity in ["Article", "Person", "Organization", "Quote"] {
        assert!(sdl.contains(&format!("type {entity} implements Node @key(fields: \"key\")")), "{entity} is an entity");
    }
    app.cleanup().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("newsgraph.graphql");
    std::fs::write(&file, sdl).unwrap();
    let output = tokio::task::spawn_blocking(move || {
        let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/federation");
        let mut prepare = Command::new("bash");
        prepare.arg(crate::clients::npm_prepare_script()).arg(&here).arg(env!("CARGO_TARGET_TMPDIR"));
        run_within(prepare, Duration::from_secs(600), "preparing the federation check (npm ci)");
        let mut compose = Command::new("node");
        compose.arg(here.join("compose.mjs")).arg(&file);
        run_within(compose, Duration::from_secs(120), "composing the supergraph with @apollo/composition")
    })
    .await
    .unwrap();
    assert_eq!(output.trim(), "composed");
}

async fn entities_resolve_through_the_dataloaders(app: &TestApp) {
    let query = "query($r: [_Any!]!) { _entities(representations: $r) { \
                 ... on Person { name } ... on Organization { name } ... on Article { headline } } }";
    let representations = json!([
        { "__typename": "Person", "key": "sergei-lavrov" },
        { "__typename": "Organization", "key": "agence-france-presse" },
        { "__typename": "Person", "key": "john-kerry" },
        { "__typename": "Person", "key": "nobody-at-all" },
    ]);
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query, "variables": { "r": representations } }))
        .send()
        .await
        .unwrap();
    let operations: u64 = response.headers()[STORE_OPERATIONS_HEADER].to_str().unwrap().parse().unwrap();
    let body: Value = response.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body:#}");
    let entities = body["data"]["_entities"].as_array().unwrap();
    assert_eq!(entities[0]["name"], "Sergei Lavrov");
    assert_eq!(entities[1]["name"], "Agence France-Presse");
    assert_eq!(entities[2]["name"], "John Kerry");
    assert!(entities[3].is_null(), "an unknown key is null: {body:#}");
    assert_eq!(operations, 2, "one batch per type: the three people in one store call, the organization in another");
}

mod embedded {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn entities_resolve_through_the_dataloaders() {
        let app = crate::helpers::spawn_app(crate::support::TestBackend::Embedded).await;
        super::entities_resolve_through_the_dataloaders(&app).await;
        app.cleanup().await;
    }
}

mod ferretdb {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn entities_resolve_through_the_dataloaders() {
        let app = crate::helpers::spawn_app(crate::support::TestBackend::FerretDb).await;
        super::entities_resolve_through_the_dataloaders(&app).await;
        app.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_introspection_off_only_federation_mode_answers_service() {
    let production = spawn_app_with(TestBackend::Embedded, |s| s.production = true).await;
    assert_eq!(production.error_code("{ _service { sdl } }", json!({})).await, "INTROSPECTION_DISABLED");
    production.cleanup().await;
    let subgraph = spawn_app_with(TestBackend::Embedded, |s| {
        s.production = true;
        s.federation = true;
    })
    .await;
    assert!(service_sdl(&subgraph).await.contains("@key(fields: \"key\")"));
    assert_eq!(subgraph.error_code("{ __schema { types { name } } }", json!({})).await, "INTROSPECTION_DISABLED");
    subgraph.cleanup().await;
}

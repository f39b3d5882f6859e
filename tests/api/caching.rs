//! HTTP caching of GET queries: `Cache-Control` from the schema's hints,
//! `ETag` and 304; POST and errors never stored.

use crate::helpers::{TestApp, spawn_app};
use crate::support::TestBackend;
use serde_json::json;

async fn get(app: &TestApp, query: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request =
        app.client.get(app.url("/graphql")).header("apollo-require-preflight", "true").query(&[("query", query)]);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_queries_carry_cache_control_from_what_they_touch_and_an_etag() {
    let app = spawn_app(TestBackend::Embedded).await;
    let first = app.data("{ articles(first: 1) { edges { node { id } } } }", json!({})).await;
    let id = first["articles"]["edges"][0]["node"]["id"].as_str().unwrap().to_owned();
    let one = format!("{{ article(id: \"{id}\") {{ headline }} }}");

    // One entity: its type's hint.
    let entity = get(&app, &one, &[]).await;
    assert_eq!(entity.status(), 200);
    assert_eq!(
        header(&entity, "cache-control"),
        "public, max-age=300",
        "{}",
        get(&app, &one, &[]).await.text().await.unwrap()
    );
    let tag = header(&entity, "etag");
    assert!(tag.starts_with('"') && tag.len() > 10, "{tag}");
    let body = entity.text().await.unwrap();
    assert!(body.contains("\"headline\""), "{body}");
    // The same again: the same tag; with it in If-None-Match, 304 and no body.
    assert_eq!(header(&get(&app, &one, &[]).await, "etag"), tag);
    let revalidated = get(&app, &one, &[("if-none-match", &tag)]).await;
    assert_eq!(revalidated.status(), 304);
    assert_eq!(header(&revalidated, "etag"), tag);
    assert_eq!(header(&revalidated, "cache-control"), "public, max-age=300");
    assert!(revalidated.bytes().await.unwrap().is_empty());
    let stale = get(&app, &one, &[("if-none-match", "\"something-else\"")]).await;
    assert_eq!(stale.status(), 200);

    // A list as well: the smallest hint wins.
    let list = get(&app, "{ articles(first: 2) { edges { node { headline } } } }", &[]).await;
    assert_eq!(header(&list, "cache-control"), "public, max-age=60");
    let figures = get(&app, "{ quoteStats { total } }", &[]).await;
    assert_eq!(header(&figures, "cache-control"), "public, max-age=60");
    // Nothing with a hint, an error, or a key: not for shared caches.
    assert_eq!(header(&get(&app, "{ __typename }", &[]).await, "cache-control"), "no-store");
    let failed = get(&app, "{ article(id: \"nope\") { headline } }", &[]).await;
    assert_eq!(header(&failed, "cache-control"), "no-store");
    let keyed = get(&app, &one, &[("authorization", "Bearer some-key")]).await;
    assert_eq!(header(&keyed, "cache-control"), "private, max-age=300");

    // POST is never cached.
    let post = app.client.post(app.url("/graphql")).json(&json!({ "query": one })).send().await.unwrap();
    assert_eq!(header(&post, "cache-control"), "no-store");
    assert!(post.headers().get("etag").is_none());
    // An unknown persisted query over GET must not be held by a cache.
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": "0".repeat(64) } }).to_string();
    let unknown = app
        .client
        .get(app.url("/graphql"))
        .header("apollo-require-preflight", "true")
        .query(&[("extensions", extensions.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(header(&unknown, "cache-control"), "no-store");
    app.cleanup().await;
}

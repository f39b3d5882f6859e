//! Fetching pages: the fetcher's refusals against a misbehaving local server,
//! and `ingestUrl` on both backends.

use crate::helpers::{TestApp, spawn_app_with};
use crate::support::TestBackend;
use crate::support::pages::{self, LARGE_BYTES};
use newsgraph::ingest::fetch::{FetchError, FetchSettings, Fetcher, MAX_REDIRECTS};
use serde_json::json;
use std::time::Duration;

/// Local addresses allowed (the test server is on 127.0.0.1), short timeouts, a 1 MiB cap.
fn test_settings() -> FetchSettings {
    FetchSettings {
        allow_private: true,
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(3),
        max_bytes: 1024 * 1024,
    }
}

fn fetcher(settings: FetchSettings) -> Fetcher {
    Fetcher::new(settings).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_is_fetched_with_its_charset_and_final_url() {
    let server = pages::start().await;
    let fetcher = fetcher(test_settings());
    let page = fetcher.fetch(&server.url("/page")).await.unwrap();
    assert_eq!(page.bytes, pages::harbour_page().as_bytes());
    assert_eq!(page.charset.as_deref(), Some("utf-8"));
    // Five redirects are followed; the URL is where the page was found.
    let redirected = fetcher.fetch(&server.url(&format!("/redirect/{}", MAX_REDIRECTS - 1))).await.unwrap();
    assert_eq!(redirected.url, server.url("/plain"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misbehaving_servers_get_typed_refusals() {
    let server = pages::start().await;
    let fetcher = fetcher(test_settings());
    let refusal = |path: &'static str| {
        let fetcher = fetcher.clone();
        let url = server.url(path);
        async move { fetcher.fetch(&url).await.expect_err(path) }
    };
    // Six redirects: one too many. A loop is refused as one.
    let too_many = refusal("/redirect/5").await;
    assert_eq!(too_many.code(), "TOO_MANY_REDIRECTS", "{too_many}");
    let looped = refusal("/loop/a").await;
    assert_eq!(looped.code(), "TOO_MANY_REDIRECTS", "{looped}");
    assert!(looped.to_string().contains("loop"), "{looped}");
    // Over the cap, plain or gzipped to a few KiB.
    assert_eq!(refusal("/large").await, FetchError::TooLarge { limit: 1024 * 1024 });
    let bomb = pages::gzipped(pages::large_page().as_bytes());
    assert!(bomb.len() < 64 * 1024 && LARGE_BYTES > 1024 * 1024, "the bomb is small on the wire: {}", bomb.len());
    assert_eq!(refusal("/bomb").await, FetchError::TooLarge { limit: 1024 * 1024 });
    // A byte a second: the whole fetch is bounded by the total timeout.
    let started = std::time::Instant::now();
    assert_eq!(refusal("/slow").await, FetchError::Timeout(Duration::from_secs(3)));
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    assert_eq!(refusal("/image").await, FetchError::NotHtml("the server sent image/png".into()));
    assert_eq!(refusal("/missing").await, FetchError::HttpStatus(404));
    assert_eq!(fetcher.fetch("ftp://127.0.0.1/x").await.unwrap_err().code(), "BAD_URL");
    assert_eq!(fetcher.fetch("not a url").await.unwrap_err().code(), "BAD_URL");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_is_refused_by_default_by_address_and_by_name() {
    let server = pages::start().await;
    let strict = fetcher(FetchSettings { allow_private: false, ..test_settings() });
    // An address in the URL is checked before connecting.
    let literal = strict.fetch(&server.url("/page")).await.unwrap_err();
    assert_eq!(literal.code(), "ADDRESS_REFUSED", "{literal}");
    // A name is checked after resolution: `localhost` resolves only to loopback.
    let named = server.url("/page").replace("127.0.0.1", "localhost");
    let by_name = strict.fetch(&named).await.unwrap_err();
    assert_eq!(by_name.code(), "ADDRESS_REFUSED", "{by_name}");
    assert!(by_name.to_string().contains("localhost"), "{by_name}");
    // Allowed when the setting is on.
    let allowed = fetcher(test_settings());
    assert!(allowed.fetch(&named).await.is_ok());
    server.stop().await;
}

const INGEST_URL: &str = r#"mutation($url: String!) { ingestUrl(url: $url) {
    replaced article { key headline url language outlet { name } body }
    quotes { text span { start end } speaker { ... on Person { name } } } } }"#;

async fn article_count(app: &TestApp) -> u64 {
    app.data("{ articles(first: 1) { totalCount } }", json!({})).await["articles"]["totalCount"].as_u64().unwrap()
}

/// Page fetches counted in `/metrics` with this outcome.
async fn fetches(app: &TestApp, outcome: &str) -> f64 {
    crate::security::metric(app, "newsgraph_page_fetches_total", &format!("outcome=\"{outcome}\"")).await
}

/// `ingestUrl`: the page's article with exact spans, its URL the canonical
/// link else where it was found; every refusal coded and nothing written.
async fn ingest_url_fetches_and_ingests_the_article(app: &TestApp) {
    let server = pages::start().await;
    let before = article_count(app).await;
    let (ok_before, redirects_before) = (fetches(app, "ok").await, fetches(app, "TOO_MANY_REDIRECTS").await);
    let result = app.data(INGEST_URL, json!({ "url": server.url("/page") })).await["ingestUrl"].clone();
    let article = &result["article"];
    assert_eq!(article["headline"], "Harbour workers end three-week strike after pay deal");
    assert_eq!(article["url"], "https://courier.example/news/2026/03/14/harbour-strike-ends", "the canonical link");
    assert_eq!(article["outlet"]["name"], "Coastline Courier");
    let body: Vec<char> = article["body"].as_str().unwrap().chars().collect();
    let quotes = result["quotes"].as_array().unwrap();
    assert!(quotes.len() >= 2, "{result:#}");
    for quote in quotes {
        let (start, end) =
            (quote["span"]["start"].as_u64().unwrap() as usize, quote["span"]["end"].as_u64().unwrap() as usize);
        let spanned: String = body[start..end].iter().collect();
        // A quote split by its attribution spans both parts: the span holds its first and last words.
        let words: Vec<&str> = quote["text"].as_str().unwrap().split_whitespace().collect();
        let (first, last) = (words[..3].join(" "), words[words.len() - 3..].join(" "));
        assert!(spanned.contains(&first) && spanned.contains(&last), "{spanned:?} / {quote}");
    }
    let speakers: Vec<&str> = quotes.iter().filter_map(|q| q["speaker"]["name"].as_str()).collect();
    assert!(speakers.contains(&"Maria Lopez"), "{speakers:?}");

    // Without a canonical link, the URL is where the page was found after redirects.
    let plain = app.data(INGEST_URL, json!({ "url": server.url("/redirect/2") })).await["ingestUrl"].clone();
    assert_eq!(plain["article"]["url"], server.url("/plain"));
    // The same story at another URL is an article of its own, linked as a copy
    // (both dated alike: the one whose id sorts first is the original).
    assert_ne!(plain["article"]["key"], article["key"]);
    let linked =
        app.data("query($id: ID!) { article(id: $id) { copies { key } } }", json!({ "id": article["key"] })).await;
    assert_eq!(linked["article"]["copies"], json!([{ "key": plain["article"]["key"] }]), "{linked:#}");

    for (path, code) in [
        ("/redirect/9", "TOO_MANY_REDIRECTS"),
        ("/bomb", "PAGE_TOO_LARGE"),
        ("/image", "NOT_HTML"),
        ("/binary.html", "NOT_HTML"),
        ("/missing", "HTTP_ERROR_STATUS"),
    ] {
        assert_eq!(app.error_code(INGEST_URL, json!({ "url": server.url(path) })).await, code, "{path}");
    }
    assert_eq!(app.error_code(INGEST_URL, json!({ "url": "gopher://example.org/" })).await, "BAD_URL");
    assert_eq!(article_count(app).await, before + 2, "the page and its copy, nothing for the refusals");
    // Every fetch is in /metrics by outcome (other tests may fetch at the same time: at least).
    assert!(fetches(app, "ok").await >= ok_before + 2.0, "two pages fetched");
    assert!(fetches(app, "TOO_MANY_REDIRECTS").await > redirects_before, "one redirect chain refused");
    server.stop().await;
}

async fn on(backend: TestBackend, test: impl AsyncFnOnce(&TestApp)) {
    let app = spawn_app_with(backend, |settings| {
        settings.fetch_allow_private = true;
        settings.fetch_max_bytes = 1024 * 1024;
        settings.fetch_timeout_ms = 3000;
    })
    .await;
    test(&app).await;
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_ingest_url_fetches_and_ingests_the_article() {
    on(TestBackend::Embedded, ingest_url_fetches_and_ingests_the_article).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferretdb_ingest_url_fetches_and_ingests_the_article() {
    on(TestBackend::FerretDb, ingest_url_fetches_and_ingests_the_article).await;
}

/// By default a URL cannot reach the server's own machine; writing needs a key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_url_refuses_loopback_by_default_and_needs_a_key() {
    let server = pages::start().await;
    let app = spawn_app_with(TestBackend::Embedded, |_| {}).await;
    let url = json!({ "url": server.url("/page") });
    assert_eq!(app.error_code(INGEST_URL, url.clone()).await, "ADDRESS_REFUSED");
    let localhost = json!({ "url": server.url("/page").replace("127.0.0.1", "localhost") });
    assert_eq!(app.error_code(INGEST_URL, localhost).await, "ADDRESS_REFUSED");
    app.cleanup().await;

    let keyed = spawn_app_with(TestBackend::Embedded, |s| {
        s.api_keys = vec!["k-123".into()];
        s.fetch_allow_private = true;
    })
    .await;
    assert_eq!(keyed.error_code(INGEST_URL, url).await, "UNAUTHENTICATED");
    keyed.cleanup().await;
    server.stop().await;
}

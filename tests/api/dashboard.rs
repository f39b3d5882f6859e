//! The dashboard at `/dashboard`: its page references only this server, its
//! files answer with their types and cache headers, the queries it sends are
//! valid against the schema and answer on the seed, production serves it only
//! when asked; and in a real browser (Debian's chromium, driven by
//! playwright-core, every request to another host aborted) its charts, search,
//! provenance view, URL state, keyboard use and accessibility hold on the seed
//! and on a generated corpus.

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::playground::{
    assert_built_offline, browser_dir, fetch_versioned_asset, prepare_browser, referenced_urls, run_within,
    screenshot_path,
};
use crate::support::TestBackend;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_newsgraph");

/// Corpus size of the generated-corpus browser test (`NEWSGRAPH_BROWSER_CORPUS`, default 2,000 articles).
fn corpus_size() -> usize {
    match std::env::var("NEWSGRAPH_BROWSER_CORPUS") {
        Ok(value) => value.trim().replace('_', "").parse().unwrap_or_else(|_| {
            panic!("NEWSGRAPH_BROWSER_CORPUS must be a number of articles, not {value:?}");
        }),
        Err(_) => 2_000,
    }
}

fn dashboard_source() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("web/dashboard/dashboard.js"))
        .expect("web/dashboard/dashboard.js")
}

/// The template string after `start` in `source`, up to the next backtick.
fn template_after<'a>(source: &'a str, start: &str) -> &'a str {
    let at = source.find(start).unwrap_or_else(|| panic!("`{start}` in dashboard.js")) + start.len();
    let end = source[at..].find('`').expect("a closed template string");
    &source[at..at + end]
}

/// Every query the page sends: the `QUERIES` object of `dashboard.js`, by name.
fn page_queries() -> Vec<(String, String)> {
    let source = dashboard_source();
    let speaker = template_after(&source, "const SPEAKER = `");
    let at = source.find("const QUERIES = {").expect("the QUERIES object");
    let end = at + source[at..].find("\n};").expect("the end of QUERIES");
    let mut queries = Vec::new();
    for line in source[at..end].lines() {
        let line = line.trim_start();
        if let Some((name, _)) = line.split_once(": `") {
            let text = template_after(&source[at..end], &format!("{name}: `"));
            let query = text.replace("${SPEAKER}", speaker);
            assert!(!query.contains("${"), "{name} interpolates something else: {query}");
            queries.push((name.to_owned(), query));
        }
    }
    queries
}

/// What the page loads: its `src` and `href` URLs, less links within the page.
fn page_urls(html: &str) -> Vec<String> {
    referenced_urls(html).into_iter().filter(|url| !url.starts_with('#')).collect()
}

async fn get_page(app: &TestApp) -> (reqwest::header::HeaderMap, String) {
    let page = app.client.get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    (headers, page.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_page_references_only_its_own_server_and_every_file_answers() {
    assert_built_offline();
    let app = spawn_app(TestBackend::Embedded).await;
    let (headers, html) = get_page(&app).await;
    assert!(!html.contains("://"), "the page names another host: {html}");
    let policy = headers["content-security-policy"].to_str().unwrap();
    for directive in ["default-src 'self'", "script-src 'self';", "connect-src 'self'", "frame-ancestors 'none'"] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert_eq!(headers["cache-control"], "no-cache");
    let urls = page_urls(&html);
    assert_eq!(urls.len(), 3, "a style sheet, the websocket client and the page's script: {urls:?}");
    for url in &urls {
        assert!(url.starts_with("/assets/") && url.contains("?v="), "not same-origin and versioned: {url}");
        let text = fetch_versioned_asset(&app, url, 2_000).await;
        assert!(!text.contains("https://"), "{url} names another host");
        // The only `http://` is the SVG namespace, which is a name, not a request.
        assert!(text.replace("http://www.w3.org/2000/svg", "").find("http://").is_none(), "{url} names another host");
    }
    let script = urls.iter().find(|url| url.starts_with("/assets/dashboard.js?")).expect("the page's script");
    let script = app.client.get(app.url(script)).send().await.unwrap().text().await.unwrap();
    assert!(script.contains("fetch('/graphql'"), "the page talks to this server's /graphql");
    assert!(script.contains("new URL('/graphql', location.href)"), "and subscribes on the same host");
    app.cleanup().await;
}

async fn every_query_of_the_page_answers_on_the_seed(app: &TestApp) {
    let queries = page_queries();
    let names: Vec<&str> = queries.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "sources",
            "bySource",
            "timeline",
            "speakers",
            "organizations",
            "quotes",
            "quoteInArticle",
            "live",
            "liveReady"
        ],
        "the page's queries"
    );
    let quote = app.data("{ quotes(first: 1) { edges { node { id text } } } }", json!({})).await;
    let quote_id = quote["quotes"]["edges"][0]["node"]["id"].as_str().unwrap().to_owned();
    // The filters the page builds from a source, and from a date range (most
    // seed statements are undated, so the timeline gets the range).
    let by_source = json!({ "via": ["agence-france-presse"] });
    let year = json!({ "date": { "from": "2016-01-01", "to": "2016-12-31" } });
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for (name, query) in &queries {
        let operation = query.split_whitespace().nth(1).expect("a named operation");
        assert!(readme.contains(&format!(" {operation}")), "the README's dashboard section lacks {operation}");
        if query.starts_with("subscription") {
            // Run by the live-panel browser test (`dashboard_live.rs`); here: it parses, on a field the schema has.
            async_graphql::parser::parse_query(query).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(query.contains("quoteAdded(filter: $filter)"), "{query}");
            assert!(newsgraph::graphql::sdl().contains("quoteAdded(filter: QuoteFilterInput): Quote!"), "{name}");
            continue;
        }
        let filter = if name == "timeline" { &year } else { &by_source };
        let variables = json!({ "filter": filter, "interval": "MONTH", "after": null, "id": quote_id });
        let data = app.data(query, variables.clone()).await;
        let found = match name.as_str() {
            "sources" => data["sources"]["edges"].as_array().unwrap().len(),
            "bySource" => data["quoteStats"]["bySource"].as_array().unwrap().len(),
            "timeline" => data["quoteStats"]["timeline"].as_array().unwrap().len(),
            "speakers" => data["quoteStats"]["bySpeaker"].as_array().unwrap().len(),
            "organizations" => data["quoteStats"]["byOrganization"].as_array().unwrap().len(),
            "quotes" => data["quotes"]["edges"].as_array().unwrap().len(),
            "quoteInArticle" => usize::from(data["node"]["article"]["body"].as_str().is_some_and(|b| !b.is_empty())),
            // Sent over the socket after the subscription; it only has to answer.
            "liveReady" => usize::from(data["__typename"] == "QueryRoot"),
            other => panic!("a query the test does not know: {other}"),
        };
        assert!(found > 0, "{name} found nothing on the seed: {data:#}");
        // The figures' toggle: counting statements answers too, never more than reports.
        if data.get("quoteStats").is_some() {
            let mut variables = variables.clone();
            variables["count"] = json!("STATEMENTS");
            let statements = app.data(query, variables).await;
            let sum = |d: &Value| -> u64 {
                let stats = d["quoteStats"].as_object().unwrap();
                let groups = stats.iter().filter_map(|(_, v)| v.as_array()).flatten();
                groups.map(|g| g["count"].as_u64().unwrap()).sum()
            };
            assert!(sum(&statements) > 0 && sum(&statements) <= sum(&data), "{name}: {statements:#} / {data:#}");
        }
    }
    // The whole year by month, both ends given: twelve periods, gaps filled.
    let timeline = app.data(&queries[2].1, json!({ "filter": year, "interval": "MONTH" })).await;
    assert_eq!(timeline["quoteStats"]["timeline"].as_array().unwrap().len(), 12, "{timeline:#}");
}

crate::http_tests_on_both_backends!(every_query_of_the_page_answers_on_the_seed);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_serves_the_dashboard_only_when_asked() {
    let off = spawn_app_with(TestBackend::Embedded, |s| s.production = true).await;
    assert_eq!(off.client.get(off.url("/dashboard")).send().await.unwrap().status(), 404);
    assert_eq!(off.client.get(off.url("/assets/dashboard.js")).send().await.unwrap().status(), 404);
    off.cleanup().await;

    let on = spawn_app_with(TestBackend::Embedded, |s| {
        s.production = true;
        s.dashboard = Some(true);
    })
    .await;
    let (_, html) = get_page(&on).await;
    for url in page_urls(&html) {
        assert_eq!(on.client.get(on.url(&url)).send().await.unwrap().status(), 200, "{url}");
    }
    // The playground stays off, and so do its files.
    assert_eq!(on.client.get(on.url("/")).send().await.unwrap().status(), 404);
    assert_eq!(on.client.get(on.url("/assets/graphiql.min.js")).send().await.unwrap().status(), 404);
    on.cleanup().await;

    let without = spawn_app_with(TestBackend::Embedded, |s| s.dashboard = Some(false)).await;
    assert_eq!(without.client.get(without.url("/dashboard")).send().await.unwrap().status(), 404);
    assert_eq!(without.client.get(without.url("/assets/dashboard.css")).send().await.unwrap().status(), 404);
    assert_eq!(without.client.get(without.url("/assets/graphiql.min.css")).send().await.unwrap().status(), 200);
    without.cleanup().await;
}

/// Runs `tests/browser/dashboard.mjs` in `mode` against `app`; returns its JSON report.
pub async fn run_in_browser(app: &TestApp, mode: &str, screenshot: &str, env: Vec<(&str, String)>) -> Value {
    tokio::task::spawn_blocking(prepare_browser).await.unwrap();
    let screenshot = screenshot_path(screenshot);
    let _ = std::fs::remove_file(&screenshot);
    let mut node = Command::new("node");
    node.arg(browser_dir().join("dashboard.mjs")).arg(&app.address).arg(&screenshot).arg(mode);
    for (name, value) in env {
        node.env(name, value);
    }
    let what = format!("the dashboard in chromium ({mode})");
    let report = tokio::task::spawn_blocking(move || run_within(node, Duration::from_secs(180), &what)).await.unwrap();
    let report: Value = serde_json::from_str(report.trim()).expect("a JSON report");
    assert_eq!(report["ok"], true, "{report:#}");
    eprintln!("browser report ({mode}): {report}");
    // Everything it asked for was this server's.
    let requested: Vec<&str> = report["requested"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    assert!(requested.iter().any(|path| path.starts_with("/assets/dashboard.js?v=")), "{requested:?}");
    assert!(requested.contains(&"/graphql"), "{requested:?}");
    let png = std::fs::read(&screenshot).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "a real screenshot: {} bytes", png.len());
    report
}

/// Prints each panel's render time, as measured in the browser, from the
/// report's `field` (the first view, the search, the filtered view).
fn print_timings(label: &str, report: &Value, field: &str, panels: &[&str]) {
    let timings = report[field].as_object().unwrap_or_else(|| panic!("no {field} in {report:#}"));
    for panel in panels {
        assert!(timings.get(*panel).and_then(Value::as_u64).is_some(), "no render time for {panel}: {timings:?}");
    }
    let line: Vec<String> = timings.iter().map(|(panel, ms)| format!("{panel} {ms} ms")).collect();
    eprintln!("dashboard panel render times ({label}): {}", line.join(", "));
}

const PANELS: [&str; 6] = ["sources", "timeline", "speakers", "organizations", "quotes", "article"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_browser_shows_the_dashboard_on_the_seed() {
    assert_built_offline();
    let app = spawn_app(TestBackend::Embedded).await;
    // The quote the browser opens first (the list's first direct quote) has a correction.
    let list = app
        .data("{ quotes(orderBy: DATE_DESC, first: 25) { edges { node { key direct via { key } } } } }", json!({}))
        .await;
    let first_direct =
        list["quotes"]["edges"].as_array().unwrap().iter().find(|e| e["node"]["direct"] == true).unwrap();
    // Its sources change: none when it had some, AFP when it had none.
    let via = if first_direct["node"]["via"].as_array().unwrap().is_empty() {
        json!(["agence-france-presse"])
    } else {
        json!([])
    };
    let correction = json!({ "input": { "quote": first_direct["node"]["key"], "expectedVersion": 0, "via": via,
        "reason": "the wire copy says otherwise" } });
    let done =
        app.data("mutation($input: CorrectQuoteInput!) { correctQuote(input: $input) { version } }", correction).await;
    assert_eq!(done["correctQuote"]["version"], 1);
    let report = run_in_browser(&app, "seed", "dashboard-seed.png", vec![]).await;
    assert!(report["counts"]["sources"].as_u64().unwrap() >= 2, "{report:#}");
    let shown: Vec<&str> = report["corrections"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(
        shown.len() == 1 && shown[0].contains("development changed the via: the wire copy says otherwise"),
        "{shown:?}"
    );
    print_timings("seed", &report, "timings", &PANELS);
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_browser_searches_and_shares_the_dashboard_on_a_generated_corpus() {
    assert_built_offline();
    let articles = corpus_size();
    let dir = tempfile::tempdir().unwrap();
    let generate = {
        let mut command = Command::new(BIN);
        command
            .args(["generate", "--articles", &articles.to_string(), "--seed", "7"])
            .env("NEWSGRAPH_DATA_DIR", dir.path())
            .env_remove("NEWSGRAPH_MONGODB_URI")
            .env("RUST_LOG", "warn");
        command
    };
    let limit = Duration::from_secs(60 + articles as u64 / 100);
    tokio::task::spawn_blocking(move || run_within(generate, limit, "generating the corpus")).await.unwrap();
    let data_dir = dir.path().to_owned();
    let app = spawn_app_with(TestBackend::Embedded, move |s| {
        s.in_memory = false;
        s.no_seed = true;
        s.data_dir = data_dir;
    })
    .await;
    let report = run_in_browser(&app, "corpus", "dashboard-corpus.png", vec![]).await;
    let search = &report["search"];
    assert_ne!(search["before"], search["after"], "{report:#}");
    print_timings(&format!("{articles} generated articles, first view"), &report, "timings", &PANELS);
    print_timings(&format!("{articles} generated articles, a search"), &report, "searchTimings", &PANELS[..5]);
    let label = format!("{articles} generated articles, the search in four years of one source, by week");
    print_timings(&label, &report, "filteredTimings", &PANELS[..5]);
    app.cleanup().await;
}

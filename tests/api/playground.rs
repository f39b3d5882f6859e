//! The playground works offline: its page references only this server, every
//! asset it references answers with the right type and cache headers, and a
//! real browser (Debian's chromium, driven by playwright-core, every request
//! to another host aborted) runs the example query from it.

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::support::TestBackend;
use newsgraph::http::playground;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Fails (never skips) when this build serves the CDN page.
pub fn assert_built_offline() {
    assert!(
        playground::offline(),
        "this binary was built without the playground's assets, so it serves the CDN page: {}",
        playground::fallback_reason().unwrap_or_default()
    );
}

/// Fetches one of a page's versioned files and checks what each must be: 200,
/// a style sheet or script type, cached for a year as immutable, larger than
/// `min_bytes`, no source map it cannot serve, and revalidated by its ETag
/// (304). Returns its text.
pub async fn fetch_versioned_asset(app: &TestApp, url: &str, min_bytes: usize) -> String {
    let response = app.client.get(app.url(url)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let headers = response.headers().clone();
    let content_type = headers["content-type"].to_str().unwrap();
    let expected = if url.contains(".css?") { "text/css" } else { "text/javascript" };
    assert!(content_type.starts_with(expected), "{url}: {content_type}");
    let cache = headers["cache-control"].to_str().unwrap();
    assert!(cache.contains("max-age=31536000") && cache.contains("immutable"), "{url}: {cache}");
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let body = response.bytes().await.unwrap();
    assert!(body.len() > min_bytes, "{url}: {} bytes", body.len());
    let text = String::from_utf8_lossy(&body).into_owned();
    assert!(!text.contains("sourceMappingURL="), "{url} points at a source map that is not served");
    let again = app.client.get(app.url(url)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304, "{url} revalidates by its ETag");
    text
}

/// Every `src="…"` and `href="…"` in the page.
pub fn referenced_urls(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            rest = &rest[at + attribute.len()..];
            let end = rest.find('"').expect("a closed attribute");
            urls.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    urls
}

async fn get_page(app: &TestApp) -> String {
    let page = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    page.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_playground_page_references_only_its_own_server_and_every_asset_answers() {
    assert_built_offline();
    let app = spawn_app(TestBackend::Embedded).await;
    let html = get_page(&app).await;
    assert!(!html.contains("://"), "the page names another host: {html}");
    assert!(!html.contains("unpkg") && !html.contains("cdn"), "{html}");
    let urls = referenced_urls(&html);
    assert_eq!(urls.len(), 4, "a style sheet and three scripts: {urls:?}");
    for url in &urls {
        assert!(url.starts_with("/assets/") && !url.starts_with("//"), "not same-origin: {url}");
        let text = fetch_versioned_asset(&app, url, 10_000).await;
        if url.contains(".css?") {
            // Fonts and images are inlined (data: URLs), never fetched from elsewhere.
            assert!(!text.contains("@import"), "{url} imports another style sheet");
            assert!(!text.contains("url(http") && !text.contains("url(\"http") && !text.contains("url('http"), "{url}");
        }
    }
    // The big bundle goes out gzipped to clients that accept it.
    let bundle = urls.iter().find(|u| u.contains("graphiql.min.js")).unwrap();
    // (A client that does not decode gzip itself, so the header is seen as sent.)
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let zipped = raw.get(app.url(bundle)).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    // An unversioned URL is served but must be revalidated; unknown names are 404.
    let plain = app.client.get(app.url("/assets/graphiql.min.css")).send().await.unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(plain.headers()["cache-control"], "no-cache");
    for missing in ["/assets/nothing.js", "/assets/..%2Fbuild.rs", "/assets/"] {
        assert_eq!(app.client.get(app.url(missing)).send().await.unwrap().status(), 404, "{missing}");
    }
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_playground_introspects_within_the_default_depth_limit() {
    let app = spawn_app(TestBackend::Embedded).await;
    let html = get_page(&app).await;
    assert!(html.contains("IntrospectionQuery"), "the page swaps in its own introspection query");
    let data = app.data(playground::INTROSPECTION_QUERY, serde_json::json!({})).await;
    let types = data["__schema"]["types"].as_array().unwrap();
    assert!(types.iter().any(|t| t["name"] == "Quote"), "{types:?}");
    // Every type reference ends within the query's six `ofType` levels.
    fn ends(type_ref: &serde_json::Value) -> bool {
        type_ref.is_null() || type_ref["name"].is_string() || ends(&type_ref["ofType"])
    }
    for t in types {
        for field in t["fields"].as_array().into_iter().flatten() {
            assert!(ends(&field["type"]) && field["type"]["kind"].is_string(), "{}.{}", t["name"], field["name"]);
        }
    }
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_playground_its_assets_are_not_served_either() {
    let app = spawn_app_with(TestBackend::Embedded, |s| s.production = true).await;
    assert_eq!(app.client.get(app.url("/")).send().await.unwrap().status(), 404);
    assert_eq!(app.client.get(app.url("/assets/graphiql.min.js")).send().await.unwrap().status(), 404);
    app.cleanup().await;
}

/// Runs `command` to completion within `limit`; panics with its output otherwise.
pub fn run_within(mut command: Command, limit: Duration, what: &str) -> String {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start {command:?}: {e}"));
    // Drain both pipes while waiting, so a chatty child cannot block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || std::io::read_to_string(&mut stdout).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(&mut stderr).unwrap_or_default());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?}; stderr:\n{}", err.join().unwrap());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = (out.join().unwrap(), err.join().unwrap());
    assert!(status.success(), "{what} failed ({status}):\n{stderr}\n{stdout}");
    eprintln!("{what}: {:.1} s", started.elapsed().as_secs_f64());
    stdout
}

pub fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Installs what the browser tests need when it is missing: Debian's chromium
/// and the npm packages of `tests/browser` (see `prepare.sh`).
pub fn prepare_browser() {
    let mut prepare = Command::new("bash");
    prepare.arg(browser_dir().join("prepare.sh")).arg(env!("CARGO_TARGET_TMPDIR"));
    // apt-get and a cold npm cache are slow; the test itself is bounded below.
    run_within(prepare, Duration::from_secs(600), "preparing the browser (chromium, npm ci)");
}

/// Where screenshots go: `target/screenshots/`.
pub fn screenshot_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("target/tmp has a parent").join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_browser_runs_the_example_query_in_the_offline_playground() {
    assert_built_offline();
    tokio::task::spawn_blocking(prepare_browser).await.unwrap();
    let app = spawn_app(TestBackend::Embedded).await;
    let screenshot = screenshot_path("playground.png");
    let _ = std::fs::remove_file(&screenshot);
    let mut node = Command::new("node");
    node.arg(browser_dir().join("playground.mjs")).arg(&app.address).arg(&screenshot);
    let report =
        tokio::task::spawn_blocking(move || run_within(node, Duration::from_secs(60), "the playground in chromium"))
            .await
            .unwrap();
    let report: serde_json::Value = serde_json::from_str(report.trim()).expect("a JSON report");
    assert_eq!(report["ok"], true, "{report:#}");
    eprintln!("browser report: {report}");
    // It loaded the page and its assets, and ran the query, all from this server.
    let requested: Vec<&str> = report["requested"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    assert!(requested.iter().any(|path| path.starts_with("/assets/graphiql.min.js")), "{requested:?}");
    assert!(requested.contains(&"/graphql"), "{requested:?}");
    let png = std::fs::read(&screenshot).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "a real screenshot: {} bytes", png.len());
    app.cleanup().await;
}

//! Feeds that keep the graph current: a watcher polling the test site's feeds
//! (`tests/support/feed_server.rs`) into the app's store, on both backends:
//! RSS, Atom and JSON Feed followed to their pages; conditional GETs the
//! second time; the same story in two feeds ingested once; the item's own
//! text when its page is refused; a restart that reads nothing again; every
//! misbehaving page and feed bounded, coded, logged in `/metrics`, with the
//! rest carrying on.

use crate::helpers::{TestApp, spawn_app_with};
use crate::security::metric;
use crate::support::TestBackend;
use crate::support::feed_server::{self, BIG_FEED_ITEMS, FeedServer};
use newsgraph::ingest::feeds::{FeedsFile, PollReport, Watcher};
use newsgraph::ingest::fetch::{FetchSettings, Fetcher};
use newsgraph::store::ItemStatus;
use serde_json::json;
use std::time::Duration;

/// Local addresses allowed (the site is on 127.0.0.1), a 4 MiB cap (the feed of 10,000
/// items is 2.5 MB; the large pages are 8 and 50 MB), a 3 s bound per fetch.
fn fetcher() -> Fetcher {
    Fetcher::new(FetchSettings {
        allow_private: true,
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(3),
        max_bytes: 4 * 1024 * 1024,
    })
    .unwrap()
}

/// A watcher of `feeds` (paths on `site`) into `app`'s store, with `extra` settings per feed.
fn watcher(app: &TestApp, site: &FeedServer, feeds: &[&str], extra: &str) -> Watcher {
    let mut text = String::from("host_delay = \"0ms\"\nmax_backoff = \"1h\"\n[defaults]\ninterval = \"10m\"\n");
    for path in feeds {
        text.push_str(&format!("[[feed]]\nurl = \"{}\"\n{extra}\n", site.url(path)));
    }
    Watcher::new(app.store.clone(), fetcher(), FeedsFile::parse(&text).unwrap())
}

fn report<'a>(reports: &'a [PollReport], site: &FeedServer, path: &str) -> &'a PollReport {
    let url = site.url(path);
    reports.iter().find(|r| r.feed == url).unwrap_or_else(|| panic!("no report for {url}: {reports:#?}"))
}

async fn article_count(app: &TestApp) -> u64 {
    app.data("{ articles(first: 1) { totalCount } }", json!({})).await["articles"]["totalCount"].as_u64().unwrap()
}

/// Requests for pages (not feeds) the site has answered.
fn page_requests(site: &FeedServer) -> usize {
    site.requests().iter().filter(|r| !r.path.ends_with(".xml") && !r.path.ends_with(".json")).count()
}

const ARTICLES: &str = r#"{ articles(first: 50) { edges { node {
    headline url body publishedAt outlet { name } quotes { edges { node { text speaker { ... on Person { name } } } } } } } } }"#;

async fn articles(app: &TestApp) -> Vec<serde_json::Value> {
    let data = app.data(ARTICLES, json!({})).await;
    data["articles"]["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()).collect()
}

/// RSS, Atom and JSON Feed into the graph, then a second poll and a restart.
async fn feeds_keep_the_graph_current(app: &TestApp) {
    let site = feed_server::start().await;
    let before = article_count(app).await;
    let feeds = ["/courier/rss.xml", "/wire/atom.xml", "/desk/feed.json", "/broken/feed.xml"];
    let watcher = watcher(app, &site, &feeds, "");
    let reports = watcher.poll_all().await;
    let (courier, wire, desk) = (
        report(&reports, &site, "/courier/rss.xml"),
        report(&reports, &site, "/wire/atom.xml"),
        report(&reports, &site, "/desk/feed.json"),
    );
    for polled in [courier, wire, desk] {
        assert_eq!((polled.outcome.as_str(), &polled.error), ("ok", &None), "{polled:#?}");
    }
    assert_eq!((courier.items, wire.items, desk.items), (3, 2, 1));
    // The harbour story is in the courier's RSS and the wire's Atom (another URL
    // spelling): whichever reads it first ingests it; the other counts a duplicate.
    assert_eq!(courier.ingested + wire.ingested, 4, "{reports:#?}");
    assert_eq!(courier.duplicates + wire.duplicates, 1, "{reports:#?}");
    assert_eq!(desk.ingested, 1);
    assert_eq!(courier.from_item_content, 1, "the lifeboat page is a binary file: the item's own text");
    assert_eq!(article_count(app).await, before + 5, "five stories, each once");

    let stored = articles(app).await;
    let by_headline = |headline: &str| {
        stored.iter().find(|a| a["headline"] == headline).unwrap_or_else(|| panic!("{headline}: {stored:#?}")).clone()
    };
    let harbour = by_headline("Harbour workers end three-week strike after pay deal");
    assert_eq!(harbour["outlet"]["name"], "Coastline Courier");
    let body = harbour["body"].as_str().unwrap();
    for chrome in ["cookies", "Subscribe today", "harbourwatcher", "Most read", "Ferry fares"] {
        assert!(!body.contains(chrome), "the page's chrome `{chrome}` is not the article: {body}");
    }
    let speakers: Vec<&str> = harbour["quotes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q["node"]["speaker"]["name"].as_str())
        .collect();
    assert!(speakers.contains(&"Maria Lopez"), "{speakers:?}");
    let rail = by_headline("Rail unions and operators agree to resume talks next week");
    assert_eq!(rail["outlet"]["name"], "Northern Wire", "the Atom item's page");
    let clinic = by_headline("New health clinic opens in Millbrook after two-year wait");
    assert_eq!(clinic["outlet"]["name"], "Valley Desk", "the JSON Feed item's page");
    let lifeboat = by_headline("Lifeboat crew rescues three kayakers off Gull Point");
    assert_eq!(lifeboat["url"], site.url("/courier/news/lifeboat-rescue.html"));
    assert_eq!(lifeboat["publishedAt"], "2026-03-16T09:15:00+00:00", "the item's date, the page having none");
    assert!(lifeboat["body"].as_str().unwrap().contains("Gareth Evans"));

    // A malformed feed: coded, backed off (twice its interval), the others unharmed.
    let broken = report(&reports, &site, "/broken/feed.xml");
    assert_eq!(broken.outcome, "MALFORMED_FEED", "{broken:#?}");
    assert!(broken.error.as_deref().unwrap().contains("not a feed"), "{broken:#?}");
    let wait = broken.next_poll_at - chrono::Utc::now();
    assert!(wait > chrono::Duration::minutes(19) && wait <= chrono::Duration::minutes(20), "{wait:?}");
    let state = app.store.feed_state(&site.url("/broken/feed.xml")).await.unwrap().unwrap();
    assert_eq!(state.failures, 1);
    assert!(state.last_error.as_deref().unwrap().starts_with("MALFORMED_FEED"), "{state:?}");
    assert_eq!(state.next_poll_at, Some(broken.next_poll_at), "the next poll time is kept");
    let courier_state = app.store.feed_state(&site.url("/courier/rss.xml")).await.unwrap().unwrap();
    assert_eq!(courier_state.etag.as_deref(), Some("\"v1\""));
    assert_eq!(courier_state.last_modified.as_deref(), Some("Mon, 16 Mar 2026 10:00:00 GMT"));
    let lifeboat_item = app.store.feed_items(&[site.url("/courier/news/lifeboat-rescue.html")]).await.unwrap();
    assert_eq!(lifeboat_item[0].status, ItemStatus::Ingested);

    // The second poll: conditional GETs answered 304, no page fetched, nothing written.
    let pages_before = page_requests(&site);
    let requests_before = site.requests().len();
    let second = watcher.poll_all().await;
    for path in ["/courier/rss.xml", "/wire/atom.xml"] {
        assert_eq!(report(&second, &site, path).outcome, "not_modified", "{second:#?}");
    }
    let desk_again = report(&second, &site, "/desk/feed.json");
    assert_eq!(
        (desk_again.outcome.as_str(), desk_again.items, desk_again.ingested),
        ("ok", 1, 0),
        "no validators: seen"
    );
    assert_eq!(page_requests(&site), pages_before, "no page fetched again");
    let asked: Vec<_> = site.requests()[requests_before..].to_vec();
    assert_eq!(asked.len(), 4, "one request per feed: {asked:#?}");
    for request in asked.iter().filter(|r| r.path.ends_with(".xml") && !r.path.starts_with("/broken")) {
        assert!(request.conditional && request.status == 304, "{request:?}");
    }
    assert_eq!(article_count(app).await, before + 5);

    // A restart (a new watcher on the same store) reads nothing again, even where it gets the whole feed.
    let restarted = super::feeds::watcher(app, &site, &feeds, "");
    let third = restarted.poll_all().await;
    assert_eq!(third.iter().map(|r| r.ingested + r.duplicates).sum::<usize>(), 0, "{third:#?}");
    assert_eq!(page_requests(&site), pages_before);
    assert_eq!(
        app.store.feed_state(&site.url("/broken/feed.xml")).await.unwrap().unwrap().failures,
        3,
        "failures count up across restarts"
    );

    // Progress in /metrics, per feed.
    let courier_url = site.url("/courier/rss.xml");
    let labels = |outcome: &str| format!(r#"feed="{courier_url}",outcome="{outcome}""#);
    assert_eq!(metric(app, "newsgraph_feed_polls_total", &labels("ok")).await, 1.0);
    assert_eq!(metric(app, "newsgraph_feed_polls_total", &labels("not_modified")).await, 2.0);
    let items = |feed: &str, outcome: &str| {
        let labels = format!(r#"feed="{}",outcome="{outcome}""#, site.url(feed));
        async move { metric(app, "newsgraph_feed_items_total", &labels).await }
    };
    assert_eq!(
        items("/courier/rss.xml", "ingested").await + items("/wire/atom.xml", "ingested").await,
        4.0,
        "new items"
    );
    assert_eq!(
        items("/courier/rss.xml", "duplicate").await + items("/wire/atom.xml", "duplicate").await,
        1.0,
        "duplicates"
    );
    let broken_labels = format!(r#"feed="{}",code="MALFORMED_FEED""#, site.url("/broken/feed.xml"));
    assert_eq!(metric(app, "newsgraph_feed_failures_total", &broken_labels).await, 3.0);
    let latency = format!(r#"feed="{courier_url}""#);
    assert_eq!(metric(app, "newsgraph_feed_fetch_duration_seconds_count", &latency).await, 3.0);
    assert!(metric(app, "newsgraph_feed_next_poll_timestamp_seconds", &latency).await > 1.7e9);
    site.stop().await;
}

/// Every misbehaving page gets its code and costs at most its bound; the
/// readable pages of the same feed are ingested; a feed of 10,000 items is
/// read a bounded number of items per poll and carries on from there.
async fn misbehaving_pages_and_feeds_are_bounded(app: &TestApp) {
    let site = feed_server::start().await;
    let before = article_count(app).await;
    let watcher = watcher(app, &site, &["/hostile/rss.xml"], "");
    let started = std::time::Instant::now();
    let reports = watcher.poll_all().await;
    let hostile = &reports[0];
    assert!(started.elapsed() < Duration::from_secs(60), "bounded: {:?}", started.elapsed());
    assert_eq!((hostile.outcome.as_str(), hostile.items), ("ok", 7), "{hostile:#?}");
    assert_eq!((hostile.ingested, hostile.skipped, hostile.failed), (2, 4, 1), "{hostile:#?}");
    assert_eq!(article_count(app).await, before + 2, "nothing half-written for the refused pages");

    let status = |path: &str| {
        let key = site.url(path);
        async move {
            let record = app.store.feed_items(std::slice::from_ref(&key)).await.unwrap().pop().unwrap();
            (record.status, record.code)
        }
    };
    let skipped = |code: &str| (ItemStatus::Skipped, Some(code.to_owned()));
    assert_eq!(status("/hostile/huge.html").await, skipped("PAGE_TOO_LARGE"), "50 MB");
    assert_eq!(status("/hostile/bomb.html").await, skipped("PAGE_TOO_LARGE"), "a gzip bomb");
    assert_eq!(status("/hostile/loop/a").await, skipped("TOO_MANY_REDIRECTS"));
    assert_eq!(status("/hostile/photo.html").await, skipped("NOT_HTML"), "binary called .html");
    // A byte a second: timed out, and tried again at the next polls (validators not kept till then).
    assert_eq!(status("/hostile/slow.html").await, (ItemStatus::Failed, Some("FETCH_TIMEOUT".into())));
    assert_eq!(app.store.feed_state(&site.url("/hostile/rss.xml")).await.unwrap().unwrap().etag, None);
    assert_eq!(status("/hostile/legacy.html").await.0, ItemStatus::Ingested);
    let stored = articles(app).await;
    let legacy = stored.iter().find(|a| a["headline"] == "Café owners in Zürich protest rent rises").expect("legacy");
    let body = legacy["body"].as_str().unwrap();
    assert!(body.contains("Renée Fréchette") && body.contains("André Müller"), "windows-1252, undeclared: {body}");
    let failures = |code: &str| {
        let labels = format!(r#"feed="{}",code="{code}""#, site.url("/hostile/rss.xml"));
        async move { metric(app, "newsgraph_feed_failures_total", &labels).await }
    };
    assert_eq!(failures("PAGE_TOO_LARGE").await, 2.0);
    assert_eq!(failures("FETCH_TIMEOUT").await, 1.0);
    assert_eq!(failures("TOO_MANY_REDIRECTS").await, 1.0);
    assert_eq!(failures("NOT_HTML").await, 1.0);

    // The slow page is tried again (at most three times in all), nothing else is.
    let again = watcher.poll_all().await;
    assert_eq!((again[0].failed, again[0].skipped, again[0].ingested), (1, 0, 0), "{again:#?}");
    let last = watcher.poll_all().await;
    assert_eq!((last[0].failed, last[0].skipped), (0, 1), "the third try gives it up: {last:#?}");
    assert_eq!(status("/hostile/slow.html").await, skipped("FETCH_TIMEOUT"));
    let given_up = app.store.feed_items(&[site.url("/hostile/slow.html")]).await.unwrap();
    assert_eq!(given_up[0].attempts, 3);
    assert!(app.store.feed_state(&site.url("/hostile/rss.xml")).await.unwrap().unwrap().etag.is_some());

    // A slow feed times out as a poll; a feed of 10,000 items is read five at a time.
    let big = super::feeds::watcher(app, &site, &["/hostile/slow.xml", "/big/rss.xml"], "max_items_per_poll = 5");
    let first = big.poll_all().await;
    assert_eq!(first[0].outcome, "FETCH_TIMEOUT", "{:#?}", first[0]);
    assert_eq!(
        (first[1].items, first[1].ingested, first[1].left_for_next_poll),
        (BIG_FEED_ITEMS, 5, BIG_FEED_ITEMS - 5)
    );
    let big_state = app.store.feed_state(&site.url("/big/rss.xml")).await.unwrap().unwrap();
    assert_eq!(big_state.etag, None, "more to read: no 304 next time");
    let second = big.poll(&big.feeds()[1]).await;
    assert_eq!((second.ingested, second.left_for_next_poll), (5, BIG_FEED_ITEMS - 10), "{second:#?}");
    assert_eq!(article_count(app).await, before + 12);
    site.stop().await;
}

async fn on(backend: TestBackend, test: impl AsyncFnOnce(&TestApp)) {
    let app = spawn_app_with(backend, |settings| settings.no_seed = true).await;
    test(&app).await;
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_feeds_keep_the_graph_current() {
    on(TestBackend::Embedded, feeds_keep_the_graph_current).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferretdb_feeds_keep_the_graph_current() {
    on(TestBackend::FerretDb, feeds_keep_the_graph_current).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_misbehaving_pages_and_feeds_are_bounded() {
    on(TestBackend::Embedded, misbehaving_pages_and_feeds_are_bounded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferretdb_misbehaving_pages_and_feeds_are_bounded() {
    on(TestBackend::FerretDb, misbehaving_pages_and_feeds_are_bounded).await;
}

/// Two watchers (two processes' worth) polling feeds that carry the same story
/// at the same time: it is ingested once, by whichever claims it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_watchers_at_once_ingest_a_story_once() {
    let app = spawn_app_with(TestBackend::Embedded, |settings| settings.no_seed = true).await;
    let site = feed_server::start().await;
    let one = watcher(&app, &site, &["/courier/rss.xml"], "");
    let other = watcher(&app, &site, &["/wire/atom.xml"], "");
    let (a, b) = tokio::join!(one.poll_all(), other.poll_all());
    assert_eq!(a[0].ingested + b[0].ingested, 4, "{a:#?} {b:#?}");
    assert_eq!(a[0].duplicates + b[0].duplicates, 1, "{a:#?} {b:#?}");
    assert_eq!(article_count(&app).await, 4);
    site.stop().await;
    app.cleanup().await;
}

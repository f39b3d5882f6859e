//! Copies known as copies, over HTTP on both backends: a wire story
//! republished by other sites is linked to its earliest report, its
//! statements are counted once unless a client asks for every copy, the
//! original moves when an earlier copy arrives, search finds a story and a
//! statement once, and another agency's report of the same event stays apart.

use crate::helpers::TestApp;
use serde_json::{Value, json};

const INGEST: &str = r#"mutation($input: IngestArticleInput!) { ingestArticle(input: $input) {
    article { key } quotes { key text } } }"#;

const ARTICLE: &str = r#"query($id: ID!) { article(id: $id) {
    key original { key } copies { key outlet { name } }
    quotes { edges { node { key text originalReport { key article { key } } } } } } }"#;

const STATS: &str = r#"query($all: Boolean!) {
    quoteStats(filter: { date: { from: "2026-03-01", to: "2026-03-31" } }, includeCopies: $all) {
        total timeline(interval: DAY) { period count } bySource(first: 10) { source { name } count } }
    undated: quoteStats(includeCopies: $all) { total }
    quotes(filter: { date: { from: "2026-03-01", to: "2026-03-31" } }, includeCopies: $all, first: 100) {
        totalCount edges { node { key } } } }"#;

const SEARCH: &str = r#"query($all: Boolean!) { search(query: "Halvard", includeCopies: $all) {
    articles(first: 10) { totalCount edges { node { key } } } }
    quotes: search(query: "recognises weathers", includeCopies: $all) { quotes(first: 10) { totalCount } } }"#;

/// Full-text matches: (articles, quotes).
async fn searched(app: &TestApp, all: bool) -> (u64, u64) {
    let found = app.data(SEARCH, json!({ "all": all })).await;
    let articles = found["search"]["articles"]["totalCount"].as_u64().unwrap();
    assert_eq!(found["search"]["articles"]["edges"].as_array().unwrap().len() as u64, articles, "{found:#}");
    (articles, found["quotes"]["quotes"]["totalCount"].as_u64().unwrap())
}

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/copies").join(name);
    std::fs::read_to_string(path).unwrap()
}

/// A copy as a news site runs a wire story: its own headline and byline, the
/// last paragraph cut, and a paragraph of local news added.
fn site_copy(story: &str) -> String {
    let (_, body) = story.split_once("\n\n").unwrap();
    let mut paragraphs: Vec<&str> = body.trim().split("\n\n").collect();
    paragraphs.pop();
    paragraphs.insert(2, "In Riverton, the county's own harbour office said it expected no disruption to ferries.");
    format!("Halvard strike over, union says\n\nBy Valley Ledger staff and wire reports\n\n{}", paragraphs.join("\n\n"))
}

async fn ingest(app: &TestApp, text: String, outlet: &str, published_at: &str) -> Value {
    let input = json!({ "text": text, "outlet": outlet, "publishedAt": published_at });
    app.data(INGEST, json!({ "input": input })).await["ingestArticle"].clone()
}

async fn article(app: &TestApp, key: &Value) -> Value {
    app.data(ARTICLE, json!({ "id": key })).await["article"].clone()
}

fn keys(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|a| a["key"].as_str().unwrap().to_owned()).collect()
}

/// (total in March, its timeline's sum, the undated total, the quotes list's totalCount, its keys).
async fn figures(app: &TestApp, all: bool) -> (u64, u64, u64, u64, Vec<String>) {
    let stats = app.data(STATS, json!({ "all": all })).await;
    let march = &stats["quoteStats"];
    let timeline: u64 = march["timeline"].as_array().unwrap().iter().map(|p| p["count"].as_u64().unwrap()).sum();
    let listed: Vec<String> = stats["quotes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["key"].as_str().unwrap().to_owned())
        .collect();
    (
        march["total"].as_u64().unwrap(),
        timeline,
        stats["undated"]["total"].as_u64().unwrap(),
        stats["quotes"]["totalCount"].as_u64().unwrap(),
        listed,
    )
}

async fn copies_are_linked_counted_once_and_the_original_moves(app: &TestApp) {
    let wire = fixture("port-strike.northwire.txt");
    let original = ingest(app, wire.clone(), "Northwire", "2026-03-03T10:00:00Z").await;
    let original_quotes = original["quotes"].as_array().unwrap().len() as u64;
    assert!(original_quotes >= 2, "the wire story carries statements: {original:#}");
    // Another agency's report of the same event, with the same quotation: not a copy.
    let other = ingest(app, fixture("port-strike.eastern-press.txt"), "Eastern Press", "2026-03-03T11:00:00Z").await;
    let other_quotes = other["quotes"].as_array().unwrap().len() as u64;
    let (before, ..) = figures(app, false).await;
    assert_eq!(before, original_quotes + other_quotes);
    let (articles_found, quotes_found) = searched(app, false).await;
    assert_eq!(articles_found, 2, "both agencies' reports");
    assert!(quotes_found >= 2, "the union's words, as both agencies quote them");
    assert_eq!(searched(app, true).await, (articles_found, quotes_found), "no copies yet");

    // A site's copy, published later.
    let copy = ingest(app, site_copy(&wire), "Valley Ledger", "2026-03-03T14:00:00Z").await;
    let copy_quotes = copy["quotes"].as_array().unwrap().len() as u64;
    assert!(copy_quotes >= 1, "{copy:#}");
    let stored = article(app, &copy["article"]["key"]).await;
    assert_eq!(stored["original"]["key"], original["article"]["key"], "{stored:#}");
    assert_eq!(keys(&stored["copies"]), [original["article"]["key"].as_str().unwrap()]);
    assert_eq!(stored["copies"][0]["outlet"]["name"], "Northwire", "each report keeps its own outlet");
    let original_stored = article(app, &original["article"]["key"]).await;
    assert!(original_stored["original"].is_null());
    assert_eq!(keys(&original_stored["copies"]), [copy["article"]["key"].as_str().unwrap()]);
    let apart = article(app, &other["article"]["key"]).await;
    assert!(apart["original"].is_null() && apart["copies"] == json!([]), "same event, other agency: {apart:#}");
    // The copy's statements point to the wire story's.
    let original_keys: Vec<&str> =
        original["quotes"].as_array().unwrap().iter().map(|q| q["key"].as_str().unwrap()).collect();
    let edges = stored["quotes"]["edges"].as_array().unwrap();
    let (pointed, own): (Vec<&Value>, Vec<&Value>) = edges.iter().partition(|e| !e["node"]["originalReport"].is_null());
    // The local paragraph's statement is the copy's own; the rest are the wire story's.
    assert_eq!(own.len(), 1, "{edges:#?}");
    assert!(own[0]["node"]["text"].as_str().unwrap().contains("ferries"), "{own:#?}");
    assert_eq!(pointed.len() as u64, copy_quotes - 1, "{edges:#?}");
    for edge in &pointed {
        let report = &edge["node"]["originalReport"];
        assert!(original_keys.contains(&report["key"].as_str().unwrap()));
        assert_eq!(report["article"]["key"], original["article"]["key"]);
    }

    // Counted once by default, every copy on request; lists agree with figures.
    let once = figures(app, false).await;
    assert_eq!(once.0, before + 1, "a copied statement is not counted again; the copy's own is");
    assert_eq!((once.1, once.3), (once.0, once.0), "{once:?}");
    let every = figures(app, true).await;
    assert_eq!(every.0, before + copy_quotes);
    assert_eq!((every.1, every.3), (every.0, every.0), "{every:?}");
    assert_eq!(every.2 - once.2, copy_quotes - 1, "the undated totals differ by the copied statements");
    let copied: Vec<String> = pointed.iter().map(|e| e["node"]["key"].as_str().unwrap().to_owned()).collect();
    assert!(once.4.iter().all(|k| !copied.contains(k)), "the list shows first reports only");
    assert!(once.4.contains(&own[0]["node"]["key"].as_str().unwrap().to_owned()));
    // Search finds the story and the statement once, or every copy when asked.
    assert_eq!(searched(app, false).await, (articles_found, quotes_found));
    assert_eq!(searched(app, true).await, (articles_found + 1, quotes_found + 1));

    // A copy dated before the wire story becomes the original: every report points to it.
    let early =
        ingest(app, wire.replace("Dockworkers end", "Halvard dockworkers end"), "Morning Star", "2026-03-03T08:00:00Z")
            .await;
    let first = article(app, &early["article"]["key"]).await;
    assert!(first["original"].is_null(), "{first:#}");
    assert_eq!(
        keys(&first["copies"]),
        [original["article"]["key"].as_str().unwrap(), copy["article"]["key"].as_str().unwrap()],
        "the other reports, earliest first"
    );
    for report in [&original, &copy] {
        let moved = article(app, &report["article"]["key"]).await;
        assert_eq!(moved["original"]["key"], early["article"]["key"], "{moved:#}");
        for edge in moved["quotes"]["edges"].as_array().unwrap() {
            let first_report = &edge["node"]["originalReport"];
            if edge["node"]["text"].as_str().unwrap().contains("ferries") {
                assert!(first_report.is_null(), "still the copy's own: {edge:#}");
            } else {
                assert_eq!(first_report["article"]["key"], early["article"]["key"], "{edge:#}");
            }
        }
    }
    let after_move = figures(app, false).await;
    assert_eq!(after_move.0, before + 1, "still counted once, now by the earliest report");
    assert_eq!(searched(app, false).await, (articles_found, quotes_found));
    assert_eq!(searched(app, true).await, (articles_found + 2, quotes_found + 2));
    assert_eq!(figures(app, true).await.0, before + copy_quotes + early["quotes"].as_array().unwrap().len() as u64);
}

crate::http_tests_on_both_backends!(
    copies_are_linked_counted_once_and_the_original_moves,
    at_equal_times_the_report_met_first_stays_the_original
);

/// Two reports published at the same moment: the one met first stays the original.
async fn at_equal_times_the_report_met_first_stays_the_original(app: &TestApp) {
    let wire = fixture("port-strike.northwire.txt");
    let first = ingest(app, wire.clone(), "Northwire", "2026-03-03T10:00:00Z").await;
    let second = ingest(app, site_copy(&wire), "Valley Ledger", "2026-03-03T10:00:00Z").await;
    let later = article(app, &second["article"]["key"]).await;
    assert_eq!(later["original"]["key"], first["article"]["key"], "{later:#}");
    let earlier = article(app, &first["article"]["key"]).await;
    assert!(earlier["original"].is_null(), "{earlier:#}");
    assert_eq!(keys(&earlier["copies"]), vec![second["article"]["key"].as_str().unwrap().to_string()]);
}

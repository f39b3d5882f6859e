//! What clients and dashboards ask: filters, orders, search, figures and
//! batched refetch, over HTTP on both backends.

use crate::helpers::{TestApp, spawn_app_with};
use crate::support::{TestBackend, synthetic};
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn nodes(connection: &Value) -> Vec<Value> {
    connection["edges"].as_array().expect("edges").iter().map(|e| e["node"].clone()).collect()
}

async fn filters_answer_the_seed_questions(app: &TestApp) {
    // Every statement AFP attributed to U.S. officials (keys and global ids both work).
    let afp = app.data(r#"{ organization(name: "AFP") { id } }"#, json!({})).await["organization"]["id"].clone();
    let data = app
        .data(
            r#"query($afp: ID!) { quotes(filter: { via: [$afp], speakerOrganizations: ["united-states"] }) {
                totalCount edges { node { text speaker { ... on AnonymousSpeaker { description } } } } } }"#,
            json!({ "afp": afp }),
        )
        .await;
    assert_eq!(data["quotes"]["totalCount"], 3);
    assert!(nodes(&data["quotes"]).iter().all(|q| q["speaker"]["description"] == "U.S. officials"));
    // Direct quotes through AFP, or anything through the Guardian.
    let data = app
        .data(
            r#"{ quotes(filter: { anyOf: [ { via: ["agence-france-presse"], direct: true }, { via: ["the-guardian"] } ] }, orderBy: ID) {
                totalCount edges { node { text direct } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["quotes"]["totalCount"], 5);
    // Articles mentioning Lavrov, in English.
    let data = app
        .data(
            r#"{ articles(filter: { mentionsPeople: ["sergei-lavrov"], language: "en" }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["articles"]["totalCount"], 1);
    let data = app.data(r#"{ articles(filter: { language: "fr" }) { totalCount } }"#, json!({})).await;
    assert_eq!(data["articles"]["totalCount"], 0);
    // People affiliated with Russia; organizations that are ISSG members and governments.
    let data = app
        .data(
            r#"{ people(filter: { affiliations: ["russia"] }) { edges { node { name } } }
                 organizations(filter: { memberOf: ["international-syria-support-group"], kinds: [GOVERNMENT] }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(nodes(&data["people"])[0]["name"], "Sergei Lavrov");
    assert_eq!(data["organizations"]["totalCount"], 5);
}

async fn search_finds_phrases_and_rejects_bad_queries(app: &TestApp) {
    let data = app
        .data(
            r#"{ search(query: "\"finish line\"") { quotes { totalCount edges { cursor node { text speaker { ... on Person { name } } } } }
                 articles { totalCount edges { node { headline } } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["search"]["quotes"]["totalCount"], 1);
    assert_eq!(nodes(&data["search"]["quotes"])[0]["speaker"]["name"], "Sergei Lavrov");
    assert_eq!(data["search"]["articles"]["totalCount"], 1);
    let data = app
        .data(r#"{ search(query: "syria -jeddah") { articles { totalCount totalCountIsEstimate } } }"#, json!({}))
        .await;
    assert_eq!(data["search"]["articles"]["totalCount"], 0);
    assert_eq!(data["search"]["articles"]["totalCountIsEstimate"], false, "exact under 10,000 matches");
    let data = app.data(r#"{ search(query: "SYRIA") { quotes { totalCount } } }"#, json!({})).await;
    assert_eq!(data["search"]["quotes"]["totalCount"], 1, "one quote mentions Syria");
    for bad in ["", "   ", "-excluded -only", &"x".repeat(10_000)] {
        let code = app
            .error_code("query($q: String!) { search(query: $q) { quotes { totalCount } } }", json!({ "q": bad }))
            .await;
        assert_eq!(code, "BAD_USER_INPUT", "{:?}", &bad[..bad.len().min(20)]);
    }
    // Pages through cursors give the whole ranking once, in order.
    let page = "query($after: String, $first: Int) { search(query: \"the\") { quotes(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } }";
    let all = app.data(page, json!({ "first": 100 })).await;
    let all: Vec<String> =
        nodes(&all["search"]["quotes"]).iter().map(|n| n["id"].as_str().unwrap().to_owned()).collect();
    assert!(all.len() > 3, "{all:?}");
    let (mut walked, mut after) = (Vec::new(), serde_json::Value::Null);
    loop {
        let data = app.data(page, json!({ "first": 2, "after": after })).await;
        let quotes = &data["search"]["quotes"];
        assert_eq!(quotes["totalCount"], all.len());
        walked.extend(nodes(quotes).iter().map(|n| n["id"].as_str().unwrap().to_owned()));
        if quotes["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = quotes["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(walked, all);
    // Operators and patterns are words like any other.
    for odd in ["(a+)+$", "{\"$ne\": null}", "NEAR(x y)", "* OR *", "\"unbalanced"] {
        let body =
            app.query("query($q: String!) { search(query: $q) { quotes { totalCount } } }", json!({ "q": odd })).await;
        let code = body["errors"][0]["extensions"]["code"].as_str();
        assert!(code.is_none() || code == Some("BAD_USER_INPUT"), "{odd}: {body}");
    }
}

async fn dashboard_figures_for_the_seed(app: &TestApp) {
    let data = app
        .data(
            r#"{ quoteStats { total
                   bySource { source { name } count }
                   bySpeaker(first: 5) { count speaker { __typename ... on Person { name } ... on AnonymousSpeaker { description affiliation { name } } } }
                   byOrganization { organization { name } count }
                   topPeople { person { name } count }
                   timeline(interval: DAY) { period start count } }
                 person(name: "Lavrov") { sources { count } } }"#,
            json!({}),
        )
        .await;
    let stats = &data["quoteStats"];
    assert_eq!(stats["total"], 9);
    assert_eq!(
        stats["bySource"],
        json!([{ "source": { "name": "Agence France-Presse" }, "count": 6 }, { "source": { "name": "The Guardian" }, "count": 2 }])
    );
    assert_eq!(stats["bySpeaker"][0]["count"], 3);
    assert_eq!(stats["bySpeaker"][0]["speaker"]["__typename"], "AnonymousSpeaker");
    assert_eq!(stats["topPeople"], json!([{ "person": { "name": "Sergei Lavrov" }, "count": 1 }]));
    let orgs: BTreeSet<(String, u64)> = stats["byOrganization"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["organization"]["name"].as_str().unwrap().to_owned(), o["count"].as_u64().unwrap()))
        .collect();
    assert!(
        orgs.contains(&("United States".to_string(), 3)) && orgs.contains(&("U.S. State Department".to_string(), 3))
    );
    assert!(orgs.contains(&("Russia".to_string(), 1)));
    assert_eq!(stats["timeline"], json!([{ "period": "2016-05-16", "start": "2016-05-16", "count": 1 }]));
    assert_eq!(data["person"]["sources"], json!([]), "Lavrov's words came through no named source");
}

async fn bad_filters_are_refused(app: &TestApp) {
    let cases = [
        r#"{ quotes(filter: { date: { from: "2016-05-20", to: "2016-05-01" } }) { totalCount } }"#,
        r#"{ quotes(filter: { date: { from: "9999-01-01" } }) { totalCount } }"#,
        r#"{ quotes(filter: { via: ["{\"$ne\": null}"] }) { totalCount } }"#,
        r#"{ quotes(filter: { speakers: ["a.b", "$where"] }) { totalCount } }"#,
        r#"{ quotes(filter: { allOf: [{ allOf: [{ allOf: [{ allOf: [{ allOf: [{ direct: true }] }] }] }] }] }) { totalCount } }"#,
        r#"{ quoteStats { bySource(first: 1000) { count } } }"#,
        r#"{ nodes(ids: ["not-an-id!"]) { id } }"#,
    ];
    for query in cases {
        assert_eq!(app.error_code(query, json!({})).await, "BAD_USER_INPUT", "{query}");
    }
    let data = app.data(r#"{ articles(filter: { language: "{\"$ne\": null}" }) { totalCount } }"#, json!({})).await;
    assert_eq!(data["articles"]["totalCount"], 0, "a $-string is data");
    let code =
        app.error_code(r#"{ quotes(filter: { date: { from: "not-a-date" } }) { totalCount } }"#, json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT");
}

async fn nodes_refetches_in_one_batch(app: &TestApp) {
    let data = app.data(r#"{ person(name: "Kerry") { id } organization(name: "AFP") { id } quotes(first: 2) { edges { node { id } } } }"#, json!({})).await;
    let quote_ids: Vec<Value> = nodes(&data["quotes"]).iter().map(|q| q["id"].clone()).collect();
    let ghost = newsgraph::graphql::ids::encode(newsgraph::graphql::ids::NodeType::Person, "nobody");
    let ids = json!([data["person"]["id"], data["organization"]["id"], quote_ids[0], quote_ids[1], ghost]);
    let before = app.store.operations();
    let found = app.data("query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", json!({ "ids": ids })).await;
    let used = app.store.operations() - before;
    let types: Vec<Value> = found["nodes"].as_array().unwrap().iter().map(|n| n["__typename"].clone()).collect();
    assert_eq!(types, [json!("Person"), json!("Organization"), json!("Quote"), json!("Quote"), Value::Null]);
    // One call per type, and one more for the person not found: a merged
    // person's id resolves to the survivor (`mergePeople`), found in the redirects.
    assert!(used <= 4, "one store call per type, and one for the merge redirects of the missing person, got {used}");
}

async fn text_filters_narrow_lists_and_figures(app: &TestApp) {
    // The dashboard's search box: statements with these words, through a source, newest first.
    let data = app
        .data(
            r#"query($q: String!) { quotes(filter: { text: $q, via: ["agence-france-presse"], date: { from: "2016-01-01" } },
                   orderBy: DATE_DESC, first: 1) { totalCount pageInfo { hasNextPage endCursor } edges { node { text } } }
                 quoteStats(filter: { text: $q }) { total bySource { source { name } count } } }"#,
            json!({ "q": "syria" }),
        )
        .await;
    let stats_total = data["quoteStats"]["total"].as_u64().unwrap();
    assert!(stats_total >= 1);
    let listed = data["quotes"]["totalCount"].as_u64().unwrap();
    assert!(listed <= stats_total);
    for quote in nodes(&data["quotes"]) {
        assert!(quote["text"].as_str().unwrap().to_lowercase().contains("syria"), "{quote}");
    }
    let data = app
        .data(
            r#"{ quotes(filter: { text: "\"finish line\"" }) { totalCount edges { node { speaker { ... on Person { name } } } } }
                 none: quotes(filter: { text: "\"line finish\"" }) { totalCount }
                 either: quotes(filter: { anyOf: [{ text: "\"finish line\"" }, { text: "framework" }] }) { totalCount }
                 articles(filter: { text: "lavrov -jeddah" }) { totalCount }
                 english: articles(filter: { text: "LAVROV", language: "en" }) { totalCount }
                 quoteStats(filter: { text: "\"finish line\"" }) { total topPeople { person { name } count } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["quotes"]["totalCount"], 1);
    assert_eq!(nodes(&data["quotes"])[0]["speaker"]["name"], "Sergei Lavrov");
    assert_eq!(data["none"]["totalCount"], 0);
    assert_eq!(data["either"]["totalCount"], 2);
    assert_eq!(data["articles"]["totalCount"], 0, "the seed article mentions Jeddah");
    assert_eq!(data["english"]["totalCount"], 1);
    assert_eq!(data["quoteStats"]["total"], 1);
    assert_eq!(data["quoteStats"]["topPeople"], json!([{ "person": { "name": "Sergei Lavrov" }, "count": 1 }]));
    // Bad text is a typed error wherever a filter takes it; operators are words.
    for bad in ["", "  ", "-only -excluded", "!!!", &"x".repeat(10_000)] {
        for query in [
            "query($q: String!) { quotes(filter: { text: $q }) { totalCount } }",
            "query($q: String!) { articles(filter: { allOf: [{ text: $q }] }) { totalCount } }",
            "query($q: String!) { quoteStats(filter: { text: $q }) { total } }",
        ] {
            let code = app.error_code(query, json!({ "q": bad })).await;
            assert_eq!(code, "BAD_USER_INPUT", "{query} {:?}", &bad[..bad.len().min(20)]);
        }
    }
    for odd in ["{\"$ne\": null}", "(a+)+$", "NEAR(x y)", "* OR *", "\"unbalanced"] {
        let data = app
            .data(
                "query($q: String!) { quotes(filter: { text: $q }) { totalCount } search(query: $q) { quotes { totalCount } } }",
                json!({ "q": odd }),
            )
            .await;
        assert_eq!(data["quotes"]["totalCount"], data["search"]["quotes"]["totalCount"], "{odd}: as search finds");
    }
}

crate::http_tests_on_both_backends!(
    filters_answer_the_seed_questions,
    search_finds_phrases_and_rejects_bad_queries,
    dashboard_figures_for_the_seed,
    bad_filters_are_refused,
    nodes_refetches_in_one_batch,
    text_filters_narrow_lists_and_figures,
);

/// Ordered pages over a larger graph: newest first, no article twice, none missed,
/// and an article inserted at the top does not shift later pages.
async fn ordered_pages_are_stable(backend: TestBackend) {
    let app = spawn_app_with(backend, |s| s.no_seed = true).await;
    app.store.write(&synthetic::graph(25)).await.unwrap();
    let page = "query($after: String) { articles(orderBy: PUBLISHED_AT_DESC, first: 10, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { key publishedAt } } } }";
    let mut seen: Vec<String> = Vec::new();
    let mut after = Value::Null;
    let mut round = 0;
    loop {
        let data = app.data(page, json!({ "after": after })).await;
        let articles = &data["articles"];
        seen.extend(nodes(articles).iter().map(|a| a["publishedAt"].as_str().unwrap().to_owned()));
        if round == 0 {
            // A newer article arrives after the first page was read.
            let mut newer = synthetic::graph(26);
            newer.articles.drain(..25);
            newer.quotes.retain(|q| q.article == newer.articles[0].id);
            app.store.write(&newer).await.unwrap();
        }
        round += 1;
        if articles["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = articles["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len(), 25, "the insert before the cursor shifts nothing");
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first, no repeats");
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_ordered_pages_are_stable() {
    ordered_pages_are_stable(TestBackend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferretdb_ordered_pages_are_stable() {
    ordered_pages_are_stable(TestBackend::FerretDb).await;
}

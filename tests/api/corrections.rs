//! Editors' corrections over HTTP, on both backends: a correction is recorded
//! (who, when, field, before, after, reason) and followed by statements and
//! counts; a stale version is a `CONFLICT`; an undo is a recorded change; a
//! rejected quote leaves lists and statements but keeps its id and history;
//! bad corrections get typed errors and write nothing; re-ingesting the
//! article, or a changed version of it, keeps every human decision; and keys
//! need the right scope.

use crate::helpers::{TestApp, spawn_app_with};
use crate::support::TestBackend;
use serde_json::{Value, json};

const INGEST: &str = r#"mutation($input: IngestArticleInput!) { ingestArticle(input: $input) {
    article { key } quotes { key text speaker { ... on Person { key name } } } } }"#;

const CORRECT: &str = r#"mutation($input: CorrectQuoteInput!) { correctQuote(input: $input) {
    version quote { key text direct version correctedFields speaker { __typename ... on Person { key }
      ... on AnonymousSpeaker { description affiliation { key } } }
      via { key } span { start end } statement { key reportCount } }
    corrections { id by field before after reason version } } }"#;

const REJECT: &str = r#"mutation($quote: ID!, $version: Int!, $reason: String!) {
    rejectQuote(quote: $quote, expectedVersion: $version, reason: $reason) { version quote { key rejected } } }"#;

const RESTORE: &str = r#"mutation($quote: ID!, $version: Int!) {
    restoreQuote(quote: $quote, expectedVersion: $version, reason: "wrongly rejected") { version quote { key rejected } } }"#;

const UNDO: &str = r#"mutation($id: ID!) { undoCorrection(id: $id) {
    version quote { speaker { ... on Person { key } } statement { key } } corrections { field undoes } } }"#;

const QUOTE: &str = r#"query($id: ID!) { node(id: $id) { ... on Quote { key text rejected version correctedFields
    speaker { ... on Person { key } } statement { key reportCount }
    history { id by field before after reason version undoes } } } }"#;

/// Reports of one statement of Maria Lopez in two outlets, and the same words
/// attributed by a third article to Tom Berg.
const ARTICLES: [(&str, &str, &str); 3] = [
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
        "AP",
        "2026-03-14T16:00:00Z",
        "Port owners answer\n\n\"We will not sign any deal that cuts the pensions of dock workers in this port,\" harbour director Tom Berg said.",
    ),
];

/// Ingests the articles; the key of each one's quote, and of its speaker.
async fn ingest_all(app: &TestApp) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (outlet, at, text) in ARTICLES {
        let data = app.data(INGEST, json!({ "input": { "text": text, "outlet": outlet, "publishedAt": at } })).await;
        let quote = &data["ingestArticle"]["quotes"][0];
        out.push((quote["key"].as_str().unwrap().to_owned(), quote["speaker"]["key"].as_str().unwrap().to_owned()));
    }
    out
}

async fn quote_node(app: &TestApp, key: &str) -> Value {
    // A quote's global id: `Quote:<key>` in URL-safe base64 without padding.
    use base64::Engine as _;
    let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("Quote:{key}"));
    app.data(QUOTE, json!({ "id": id })).await["node"].clone()
}

async fn correct(app: &TestApp, input: Value) -> Value {
    app.data(CORRECT, json!({ "input": input })).await["correctQuote"].clone()
}

async fn quote_total(app: &TestApp) -> u64 {
    app.data("{ quotes { totalCount } }", json!({})).await["quotes"]["totalCount"].as_u64().unwrap()
}

async fn a_speaker_correction_is_recorded_and_moves_the_quote_to_the_right_statement(app: &TestApp) {
    let quotes = ingest_all(app).await;
    let (berg_quote, berg) = &quotes[2];
    let (lopez_quote, lopez) = &quotes[0];
    let before = quote_node(app, berg_quote).await;
    assert_eq!(before["version"], 0);
    assert_eq!(before["history"], json!([]));
    let lopez_statement = quote_node(app, lopez_quote).await["statement"].clone();
    assert_eq!(lopez_statement["reportCount"], 2, "{lopez_statement}");
    assert_ne!(before["statement"]["key"], lopez_statement["key"], "another speaker, another statement");

    let result = correct(
        app,
        json!({ "quote": berg_quote, "expectedVersion": 0, "speaker": { "person": lopez },
                "reason": "Berg quoted Lopez; the words are hers" }),
    )
    .await;
    assert_eq!(result["version"], 1);
    assert_eq!(result["quote"]["speaker"]["key"], lopez.as_str());
    assert_eq!(result["quote"]["correctedFields"], json!(["SPEAKER"]));
    assert_eq!(result["quote"]["statement"]["key"], lopez_statement["key"], "it joins Lopez's statement");
    assert_eq!(result["quote"]["statement"]["reportCount"], 3);
    let entry = &result["corrections"][0];
    assert_eq!(entry["by"], "development", "no keys configured: the documented development author");
    assert_eq!(entry["field"], "SPEAKER");
    assert_eq!(entry["before"], json!({ "kind": "person", "person": berg }));
    assert_eq!(entry["after"], json!({ "kind": "person", "person": lopez }));
    assert_eq!(entry["reason"], "Berg quoted Lopez; the words are hers");
    let person = app
        .data(r#"query($n: String!) { person(name: $n) { quotes { totalCount } } }"#, json!({ "n": "Tom Berg" }))
        .await;
    assert_eq!(person["person"]["quotes"]["totalCount"], 0, "Berg no longer has the quote");

    // A second editor with the version read before: a conflict, not an overwrite.
    let stale = app
        .query(CORRECT, json!({ "input": { "quote": berg_quote, "expectedVersion": 0, "speaker": { "none": true } } }))
        .await;
    assert_eq!(stale["errors"][0]["extensions"]["code"], "CONFLICT", "{stale}");
    assert_eq!(quote_node(app, berg_quote).await["speaker"]["key"], lopez.as_str(), "nothing overwritten");

    let history = quote_node(app, berg_quote).await["history"].clone();
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    let statement_history = app
        .data(
            r#"query($s: [ID!]) { statements(filter: { speakers: $s }) { edges { node { reportCount history { field } } } } }"#,
            json!({ "s": [lopez] }),
        )
        .await;
    assert_eq!(statement_history["statements"]["edges"][0]["node"]["history"], json!([{ "field": "SPEAKER" }]));
    let listed = app
        .data(
            r#"{ corrections(filter: { entity: QUOTE, field: SPEAKER, by: "development" }, first: 5) {
                totalCount edges { node { id entityKey field } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(listed["corrections"]["totalCount"], 1);
    assert_eq!(listed["corrections"]["edges"][0]["node"]["entityKey"], berg_quote.as_str());
    let none = app.data(r#"{ corrections(filter: { by: "someone-else" }) { totalCount } }"#, json!({})).await;
    assert_eq!(none["corrections"]["totalCount"], 0);

    // Undo: a recorded change that puts Berg back, and the quote leaves Lopez's statement.
    let undo = app.data(UNDO, json!({ "id": entry["id"] })).await["undoCorrection"].clone();
    assert_eq!(undo["version"], 2);
    assert_eq!(undo["quote"]["speaker"]["key"], berg.as_str());
    assert_ne!(undo["quote"]["statement"]["key"], lopez_statement["key"]);
    assert_eq!(undo["corrections"][0]["undoes"], entry["id"]);
    let after = quote_node(app, berg_quote).await;
    assert_eq!(after["history"].as_array().unwrap().len(), 2, "the undo is recorded too");
    assert_eq!(quote_node(app, lopez_quote).await["statement"]["reportCount"], 2);
    let again = app.query(UNDO, json!({ "id": entry["id"] })).await;
    assert_eq!(again["errors"][0]["extensions"]["code"], "CONFLICT", "undone already: {again}");
}

async fn text_direct_via_and_span_corrections_are_kept_and_recorded(app: &TestApp) {
    let quotes = ingest_all(app).await;
    let (quote, _) = &quotes[0];
    let ap = app.data(r#"{ organization(name: "AP") { key } }"#, json!({})).await["organization"]["key"].clone();
    let result = correct(
        app,
        json!({ "quote": quote, "expectedVersion": 0,
                "text": "We will never sign a deal that cuts the pensions of stevedores in this port.",
                "direct": false, "via": [ap], "span": { "start": 25, "end": 40 } }),
    )
    .await;
    assert_eq!(result["version"], 1);
    let fields: Vec<&str> =
        result["corrections"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["TEXT", "DIRECT", "VIA", "SPAN"], "one entry per field changed");
    assert!(result["corrections"].as_array().unwrap().iter().all(|e| e["version"] == 1));
    let q = &result["quote"];
    assert_eq!(q["direct"], false);
    assert_eq!(q["via"], json!([{ "key": ap }]));
    assert_eq!(q["span"], json!({ "start": 25, "end": 40 }));
    assert_eq!(q["correctedFields"], json!(["TEXT", "DIRECT", "VIA", "SPAN"]));
    let found = app.data(r#"{ quotes(filter: { text: "stevedores" }) { edges { node { key } } } }"#, json!({})).await;
    let keys: Vec<&str> =
        found["quotes"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["key"].as_str().unwrap()).collect();
    assert_eq!(keys, [quote.as_str()], "the corrected text is searchable: {found}");
}

async fn a_rejected_quote_leaves_lists_and_statements_and_comes_back_on_restore(app: &TestApp) {
    let quotes = ingest_all(app).await;
    let (quote, lopez) = &quotes[1];
    let total = quote_total(app).await;
    let rejected =
        app.data(REJECT, json!({ "quote": quote, "version": 0, "reason": "not a quote: a headline fragment" })).await;
    assert_eq!(rejected["rejectQuote"]["quote"]["rejected"], true);
    assert_eq!(quote_total(app).await, total - 1, "it leaves the lists and their counts");
    let statement = quote_node(app, &quotes[0].0).await["statement"].clone();
    assert_eq!(statement["reportCount"], 1, "and its statement");
    let node = quote_node(app, quote).await;
    assert_eq!(node["rejected"], true, "still reachable by id: {node}");
    assert_eq!(node["statement"], Value::Null, "it reports no statement");
    assert_eq!(node["history"][0]["field"], "REJECTED");
    assert_eq!(node["history"][0]["reason"], "not a quote: a headline fragment");
    let person = app
        .data(r#"query($n: String!) { person(name: $n) { quotes { totalCount } } }"#, json!({ "n": "Maria Lopez" }))
        .await;
    assert_eq!(person["person"]["quotes"]["totalCount"], 1);
    let edit = app.query(CORRECT, json!({ "input": { "quote": quote, "expectedVersion": 1, "direct": false } })).await;
    assert_eq!(edit["errors"][0]["extensions"]["code"], "QUOTE_REJECTED", "{edit}");
    let again = app.query(REJECT, json!({ "quote": quote, "version": 1, "reason": "twice" })).await;
    assert_eq!(again["errors"][0]["extensions"]["code"], "NO_CHANGE", "{again}");

    let restored = app.data(RESTORE, json!({ "quote": quote, "version": 1 })).await;
    assert_eq!(restored["restoreQuote"]["version"], 2);
    assert_eq!(quote_total(app).await, total);
    assert_eq!(quote_node(app, &quotes[0].0).await["statement"]["reportCount"], 2, "back in its statement");
    let node = quote_node(app, quote).await;
    assert_eq!((node["rejected"].clone(), node["history"].as_array().unwrap().len()), (json!(false), 2));
    let _ = lopez;
}

async fn bad_corrections_get_typed_errors_and_write_nothing(app: &TestApp) {
    let quotes = ingest_all(app).await;
    let (quote, _) = &quotes[0];
    let cases = [
        (json!({ "quote": quote, "expectedVersion": 0, "span": { "start": 10, "end": 100000 } }), "SPAN_OUTSIDE_BODY"),
        (json!({ "quote": quote, "expectedVersion": 0, "span": { "start": 30, "end": 30 } }), "SPAN_OUTSIDE_BODY"),
        (json!({ "quote": quote, "expectedVersion": 0, "speaker": { "person": "reuters" } }), "WRONG_KIND"),
        (json!({ "quote": quote, "expectedVersion": 0, "speaker": { "organization": "maria-lopez" } }), "WRONG_KIND"),
        (json!({ "quote": quote, "expectedVersion": 0, "speaker": { "person": "nobody-at-all" } }), "NOT_FOUND"),
        (json!({ "quote": quote, "expectedVersion": 0, "via": ["maria-lopez-no-org"] }), "NOT_FOUND"),
        (json!({ "quote": "no-such-quote~0000001", "expectedVersion": 0, "direct": false }), "NOT_FOUND"),
        (json!({ "quote": quote, "expectedVersion": 0, "direct": true }), "NO_CHANGE"),
        (json!({ "quote": quote, "expectedVersion": 0, "text": "   " }), "BAD_USER_INPUT"),
        (json!({ "quote": quote, "expectedVersion": 3, "direct": false }), "CONFLICT"),
        (
            json!({ "quote": quote, "expectedVersion": 0, "speaker": { "person": "maria-lopez", "none": true } }),
            "BAD_USER_INPUT",
        ),
    ];
    let ops_before = app.data("{ corrections { totalCount } }", json!({})).await;
    for (input, code) in cases {
        let body = app.query(CORRECT, json!({ "input": input })).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], code, "{input}: {body}");
    }
    // A source that is not a news agency or outlet.
    let government = app
        .data(r#"{ organizations(filter: { kinds: [GOVERNMENT] }, first: 1) { edges { node { key } } } }"#, json!({}))
        .await;
    let key = government["organizations"]["edges"][0]["node"]["key"].as_str().expect("the seed has a government");
    let body = app.query(CORRECT, json!({ "input": { "quote": quote, "expectedVersion": 0, "via": [key] } })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "WRONG_KIND", "{body}");
    let node = quote_node(app, quote).await;
    assert_eq!((node["version"].clone(), node["history"].clone()), (json!(0), json!([])), "nothing written");
    assert_eq!(app.data("{ corrections { totalCount } }", json!({})).await, ops_before);
}

const PAGE_URL: &str = "https://news.example/port-strike";

fn port_article(lead: &str) -> String {
    format!(
        "Port strike talks stall\n\n{lead}\"We will not sign any deal that cuts the pensions of dock workers,\" union leader Maria Lopez said. \
         \"The talks are over for this week,\" harbour director Tom Berg said."
    )
}

async fn reingesting_never_undoes_a_human_decision(app: &TestApp) {
    let first = app.data(INGEST, json!({ "input": { "text": port_article(""), "url": PAGE_URL } })).await;
    let quotes = first["ingestArticle"]["quotes"].as_array().unwrap().clone();
    assert_eq!(quotes.len(), 2, "{first}");
    let (lopez_quote, berg_quote) = (quotes[0]["key"].as_str().unwrap(), quotes[1]["key"].as_str().unwrap());
    correct(
        app,
        json!({ "quote": lopez_quote, "expectedVersion": 0, "text": "We will not sign a deal that cuts dock workers' pensions", "direct": false }),
    )
    .await;
    app.data(REJECT, json!({ "quote": berg_quote, "version": 0, "reason": "said off the record" })).await;
    let total = quote_total(app).await;

    // The same article again: nothing comes back, nothing is overwritten.
    let again = app.data(INGEST, json!({ "input": { "text": port_article(""), "url": PAGE_URL } })).await;
    let texts: Vec<&str> =
        again["ingestArticle"]["quotes"].as_array().unwrap().iter().map(|q| q["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["We will not sign a deal that cuts dock workers' pensions"], "{again}");
    assert_eq!(quote_total(app).await, total);
    let node = quote_node(app, lopez_quote).await;
    assert_eq!(node["text"], "We will not sign a deal that cuts dock workers' pensions");
    assert_eq!(node["version"], 1, "re-ingest is no correction");
    assert_eq!(quote_node(app, berg_quote).await["rejected"], true);

    // A changed version of the page (a new first paragraph moves every span,
    // and the new body makes a new article): the decisions follow the words.
    let changed = port_article("Updated at 14:00. Talks broke up after six hours. ");
    let third = app.data(INGEST, json!({ "input": { "text": changed, "url": PAGE_URL } })).await;
    let new_quotes = third["ingestArticle"]["quotes"].as_array().unwrap();
    assert_ne!(third["ingestArticle"]["article"]["key"], first["ingestArticle"]["article"]["key"]);
    let texts: Vec<&str> = new_quotes.iter().map(|q| q["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["We will not sign a deal that cuts dock workers' pensions"], "{third}");
    let new_key = new_quotes[0]["key"].as_str().unwrap();
    assert_ne!(new_key, lopez_quote, "another article, another quote id");
    let direct = app
        .data(r#"query($id: ID!) { node(id: $id) { ... on Quote { direct } } }"#, json!({ "id": quote_id(new_key) }))
        .await;
    assert_eq!(direct["node"]["direct"], false, "the corrected direct flag too");
}

fn quote_id(key: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("Quote:{key}"))
}

const ADD_ALIAS: &str = r#"mutation($e: ID!, $a: String!) { addAlias(entity: $e, alias: $a, reason: "her byline") {
    aliases version quote { key } corrections { id by field before after } } }"#;

const PERSON: &str = r#"query($n: String!) { person(name: $n) { key aliases history { field after } } }"#;

async fn aliases_are_recorded_changes_and_name_look_ups_follow(app: &TestApp) {
    let quotes = ingest_all(app).await;
    let lopez = quotes[0].1.clone();
    let added = app.data(ADD_ALIAS, json!({ "e": lopez, "a": "Union  Chief Lopez" })).await["addAlias"].clone();
    assert_eq!(added["quote"], Value::Null);
    assert_eq!(added["version"], 1);
    assert_eq!(added["aliases"].as_array().unwrap().last().unwrap(), "Union Chief Lopez", "{added}");
    let entry = &added["corrections"][0];
    assert_eq!((entry["field"].as_str(), entry["by"].as_str()), (Some("ALIASES"), Some("development")));
    assert_eq!(entry["after"], added["aliases"]);
    let found = app.data(PERSON, json!({ "n": "union chief lopez" })).await;
    assert_eq!(found["person"]["key"], lopez.as_str(), "the alias finds her: {found}");
    assert_eq!(found["person"]["history"], json!([{ "field": "ALIASES", "after": added["aliases"] }]));

    let code = |body: Value| body["errors"][0]["extensions"]["code"].as_str().unwrap_or("none").to_owned();
    let berg = quotes[2].1.clone();
    assert_eq!(code(app.query(ADD_ALIAS, json!({ "e": berg, "a": "Maria Lopez" })).await), "ALIAS_TAKEN");
    assert_eq!(code(app.query(ADD_ALIAS, json!({ "e": lopez, "a": "union chief lopez" })).await), "NO_CHANGE");
    assert_eq!(code(app.query(ADD_ALIAS, json!({ "e": quote_id(&quotes[0].0), "a": "x" })).await), "WRONG_KIND");
    assert_eq!(code(app.query(ADD_ALIAS, json!({ "e": "no-such-entity", "a": "x" })).await), "NOT_FOUND");
    let remove = r#"mutation($e: ID!, $a: String!) { removeAlias(entity: $e, alias: $a) { aliases } }"#;
    assert_eq!(code(app.query(remove, json!({ "e": lopez, "a": "never had it" })).await), "NOT_FOUND");

    let reuters =
        app.data(r#"{ organization(name: "Reuters") { key } }"#, json!({})).await["organization"]["key"].clone();
    let org = app.data(ADD_ALIAS, json!({ "e": reuters, "a": "Reuters News Agency" })).await;
    assert_eq!(org["addAlias"]["version"], 1);
    let by_alias =
        app.data(r#"{ organization(name: "reuters news agency") { key history { field } } }"#, json!({})).await;
    assert_eq!(by_alias["organization"]["key"], reuters);
    assert_eq!(by_alias["organization"]["history"], json!([{ "field": "ALIASES" }]));

    // Undo: a recorded change that takes the alias away again.
    let undo = app
        .data(
            r#"mutation($id: ID!) { undoCorrection(id: $id) { aliases version corrections { undoes } } }"#,
            json!({ "id": entry["id"] }),
        )
        .await;
    assert_eq!(undo["undoCorrection"]["version"], 2);
    assert_eq!(undo["undoCorrection"]["corrections"][0]["undoes"], entry["id"]);
    let gone = app.query(PERSON, json!({ "n": "union chief lopez" })).await;
    assert_eq!(gone["data"]["person"], Value::Null, "{gone}");
    let history = app.data(PERSON, json!({ "n": "Maria Lopez" })).await["person"]["history"].clone();
    assert_eq!(history.as_array().unwrap().len(), 2);
}

const MERGE: &str = r#"mutation($from: ID!, $into: ID!) { mergePeople(from: $from, into: $into, reason: "one person") {
    survivor { key aliases quotes { totalCount } } corrections { field entityKey before after } } }"#;

async fn merging_people_moves_their_quotes_and_keeps_the_merged_id_resolving(app: &TestApp) {
    let quotes = ingest_all(app).await;
    let (berg_quote, berg) = quotes[2].clone();
    let lopez = quotes[0].1.clone();
    let people =
        || async { app.data("{ people { totalCount } }", json!({})).await["people"]["totalCount"].as_u64().unwrap() };
    let before = people().await;
    let merged = app.data(MERGE, json!({ "from": berg, "into": lopez })).await["mergePeople"].clone();
    assert_eq!(merged["survivor"]["key"], lopez.as_str());
    assert!(merged["survivor"]["aliases"].as_array().unwrap().contains(&json!("Tom Berg")), "{merged}");
    assert_eq!(merged["survivor"]["quotes"]["totalCount"], 3, "Berg's quote is hers now: {merged}");
    let fields: Vec<&str> =
        merged["corrections"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["MERGED_INTO", "ALIASES"]);
    assert_eq!(people().await, before - 1, "the merged person left the lists");
    let node = quote_node(app, &berg_quote).await;
    assert_eq!(node["speaker"]["key"], lopez.as_str());
    assert_eq!(node["statement"]["reportCount"], 3, "and it joined her statement");
    // The merged id still resolves, to the survivor; so does the merged name.
    use base64::Engine as _;
    let global = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("Person:{berg}"));
    let resolved =
        app.data(r#"query($id: ID!) { node(id: $id) { ... on Person { key } } }"#, json!({ "id": global })).await;
    assert_eq!(resolved["node"]["key"], lopez.as_str());
    let by_name = app.data(PERSON, json!({ "n": "Tom Berg" })).await;
    assert_eq!(by_name["person"]["key"], lopez.as_str());
    // A later article naming the merged person lands on the survivor.
    let later = "Port owners answer again\n\n\"We are ready to talk on Monday,\" harbour director Tom Berg said.";
    let ingested = app.data(INGEST, json!({ "input": { "text": later, "outlet": "AP" } })).await;
    assert_eq!(ingested["ingestArticle"]["quotes"][0]["speaker"]["key"], lopez.as_str(), "{ingested}");
    assert_eq!(people().await, before - 1, "nobody new");

    let code = |body: Value| body["errors"][0]["extensions"]["code"].as_str().unwrap_or("none").to_owned();
    assert_eq!(code(app.query(MERGE, json!({ "from": lopez, "into": lopez })).await), "MERGE_INTO_SELF");
    assert_eq!(code(app.query(MERGE, json!({ "from": lopez, "into": berg })).await), "MERGE_CYCLE");
    assert_eq!(code(app.query(MERGE, json!({ "from": berg, "into": lopez })).await), "MERGE_CYCLE");
    assert_eq!(code(app.query(MERGE, json!({ "from": "nobody-at-all", "into": lopez })).await), "NOT_FOUND");
    assert_eq!(code(app.query(MERGE, json!({ "from": quote_id(&berg_quote), "into": lopez })).await), "WRONG_KIND");
    let history = app.data(PERSON, json!({ "n": "Maria Lopez" })).await["person"]["history"].clone();
    assert_eq!(history.as_array().unwrap().len(), 1, "the refused merges wrote nothing: {history}");
}

crate::http_tests_on_both_backends!(
    merging_people_moves_their_quotes_and_keeps_the_merged_id_resolving,
    aliases_are_recorded_changes_and_name_look_ups_follow,
    a_speaker_correction_is_recorded_and_moves_the_quote_to_the_right_statement,
    text_direct_via_and_span_corrections_are_kept_and_recorded,
    a_rejected_quote_leaves_lists_and_statements_and_comes_back_on_restore,
    bad_corrections_get_typed_errors_and_write_nothing,
    reingesting_never_undoes_a_human_decision,
);

/// Keys: an `edit` key corrects (named as the author), an ingest-only key
/// may not (`FORBIDDEN`), nor may an `edit` key ingest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrections_need_the_edit_scope_and_name_their_author() {
    let app = spawn_app_with(TestBackend::Embedded, |s| {
        s.production = true;
        s.api_keys = vec!["ingest-key".into(), "editor-key name=desk-editor scopes=edit".into()];
    })
    .await;
    let send = |key: &'static str, query: &'static str, variables: Value| {
        let request = app.client.post(app.url("/graphql")).bearer_auth(key);
        async move {
            request
                .json(&json!({ "query": query, "variables": variables }))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let (outlet, at, text) = ARTICLES[0];
    let input = json!({ "input": { "text": text, "outlet": outlet, "publishedAt": at } });
    let refused = send("editor-key", INGEST, input.clone()).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN", "{refused}");
    let ingested = send("ingest-key", INGEST, input).await;
    let quote = ingested["data"]["ingestArticle"]["quotes"][0]["key"].as_str().unwrap().to_owned();
    let edit =
        json!({ "input": { "quote": quote, "expectedVersion": 0, "direct": false, "reason": "reported speech" } });
    let refused = send("ingest-key", CORRECT, edit.clone()).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN", "{refused}");
    let anonymous = app.query(CORRECT, edit.clone()).await;
    assert_eq!(anonymous["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let done = send("editor-key", CORRECT, edit).await;
    assert_eq!(done["data"]["correctQuote"]["corrections"][0]["by"], "desk-editor", "{done}");
    app.cleanup().await;
}

/// MongoDB has no transactions: a correction cut off after its intent was
/// written (a crash) is finished, entry and change together, before anyone
/// reads the audit log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_cut_off_half_way_on_mongodb_is_finished_before_the_log_is_read() {
    use newsgraph::domain::{AuditEntry, EntityKind, QuoteDecisions, QuoteField, QuoteId, anchor};
    let app = crate::helpers::spawn_app(TestBackend::FerretDb).await;
    let quotes = ingest_all(&app).await;
    let key = quotes[0].0.clone();
    let id = QuoteId::parse(key.clone()).unwrap();
    let quote = app.store.quotes(std::slice::from_ref(&id)).await.unwrap().pop().unwrap();
    let article = app.store.articles(std::slice::from_ref(&quote.article)).await.unwrap().pop().unwrap();
    let corrected =
        newsgraph::domain::Quote { text: "Words set by a correction cut off half-way".into(), ..quote.clone() };
    let at = chrono::Utc::now();
    let entry = AuditEntry {
        id: AuditEntry::make_id(&at, &key, 1, 0),
        at,
        by: "crashed-editor".into(),
        entity: EntityKind::Quote,
        entity_id: key.clone(),
        field: QuoteField::Text,
        before: json!(quote.text),
        after: json!(corrected.text),
        reason: None,
        version: 1,
        undoes: None,
    };
    let decisions = QuoteDecisions {
        quote: id,
        anchor: anchor(&article.id, article.url.as_deref(), &quote.text),
        version: 1,
        corrected: vec![QuoteField::Text],
        rejected: false,
        quote_as_corrected: corrected.clone(),
    };
    let payload = json!({ "expected_version": 0, "decisions": decisions, "entries": [entry],
                          "articles": [article], "quotes": [corrected] });
    // What step 1 of the write left when the process died: the intent alone.
    let env: std::collections::HashMap<_, _> = app.store_env().into_iter().collect();
    let client = mongodb::Client::with_uri_str(&env["NEWSGRAPH_MONGODB_URI"]).await.unwrap();
    let intents =
        client.database(&env["NEWSGRAPH_DATABASE"]).collection::<mongodb::bson::Document>("correction_intents");
    intents
        .insert_one(mongodb::bson::doc! { "_id": format!("{key}@1"), "entity": &key, "payload": payload.to_string() })
        .await
        .unwrap();
    assert_eq!(quote_node(&app, &key).await["version"], 0, "the change is not there yet");

    let log = app.data("{ corrections(first: 5) { totalCount edges { node { by field after } } } }", json!({})).await;
    assert_eq!(log["corrections"]["totalCount"], 1, "{log}");
    assert_eq!(log["corrections"]["edges"][0]["node"]["by"], "crashed-editor");
    let node = quote_node(&app, &key).await;
    assert_eq!(node["text"], "Words set by a correction cut off half-way", "the change with its entry: {node}");
    assert_eq!(node["version"], 1);
    assert_eq!(intents.count_documents(mongodb::bson::doc! {}).await.unwrap(), 0, "nothing left in flight");
    // The next correction is based on the finished one.
    let next = correct(&app, json!({ "quote": key, "expectedVersion": 1, "direct": false })).await;
    assert_eq!(next["version"], 2);
    app.cleanup().await;
}

/// A feed item that carries an article already corrected by hand: the
/// watcher polls it, and the editors' decisions stand.
async fn a_feed_item_carrying_a_corrected_article_keeps_the_corrections(app: &TestApp) {
    use crate::support::feed_server;
    use newsgraph::ingest::feeds::{FeedsFile, Watcher};
    use newsgraph::ingest::fetch::{FetchSettings, Fetcher};
    let site = feed_server::start().await;
    let page = site.url("/desk/news/clinic-opens");
    let ingested = app
        .data(
            r#"mutation($url: String!) { ingestUrl(url: $url) { article { key } quotes { key text } } }"#,
            json!({ "url": page }),
        )
        .await;
    let quotes = ingested["ingestUrl"]["quotes"].as_array().unwrap().clone();
    assert!(quotes.len() >= 2, "the clinic story has quotes to correct: {ingested}");
    let (rejected, edited) = (quotes[0]["key"].as_str().unwrap(), quotes[1]["key"].as_str().unwrap());
    app.data(REJECT, json!({ "quote": rejected, "version": 0, "reason": "a caption, not a statement" })).await;
    correct(
        app,
        json!({ "quote": edited, "expectedVersion": 0, "text": "The clinic opens on Monday, as editors checked" }),
    )
    .await;

    let fetcher = Fetcher::new(FetchSettings {
        allow_private: true,
        connect_timeout: std::time::Duration::from_secs(2),
        timeout: std::time::Duration::from_secs(3),
        max_bytes: 4 * 1024 * 1024,
    })
    .unwrap();
    let feeds = format!(
        "host_delay = \"0ms\"\nmax_backoff = \"1h\"\n[defaults]\ninterval = \"10m\"\n[[feed]]\nurl = \"{}\"\n",
        site.url("/desk/feed.json")
    );
    let watcher = Watcher::new(app.store.clone(), fetcher, FeedsFile::parse(&feeds).unwrap());
    let reports = watcher.poll_all().await;
    // The watcher meets the stored article (it counts it a duplicate rather
    // than ingest it again); either way, nothing the editors decided changes.
    assert_eq!(reports[0].outcome, "ok", "{reports:#?}");
    assert_eq!(reports[0].ingested + reports[0].duplicates, 1, "{reports:#?}");

    let article = app
        .data(
            r#"query($id: ID!) { article(id: $id) { quotes { totalCount edges { node { key text } } } } }"#,
            json!({ "id": ingested["ingestUrl"]["article"]["key"] }),
        )
        .await;
    let listed: Vec<(&str, &str)> = article["article"]["quotes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["node"]["key"].as_str().unwrap(), e["node"]["text"].as_str().unwrap()))
        .collect();
    assert!(listed.iter().all(|(key, _)| *key != rejected), "the rejected quote stays out: {listed:?}");
    assert!(listed.contains(&(edited, "The clinic opens on Monday, as editors checked")), "{listed:?}");
    assert_eq!(listed.len(), quotes.len() - 1);
    assert_eq!(quote_node(app, rejected).await["rejected"], true);
}

mod feed_items {
    async fn on(backend: crate::support::TestBackend) {
        let app = crate::helpers::spawn_app_with(backend, |s| s.fetch_allow_private = true).await;
        if backend == crate::support::TestBackend::FerretDb {
            newsgraph::seed::seed(app.store.as_ref(), &crate::support::seed_dir()).await.unwrap();
        }
        super::a_feed_item_carrying_a_corrected_article_keeps_the_corrections(&app).await;
        app.cleanup().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn embedded() {
        on(crate::support::TestBackend::Embedded).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ferretdb() {
        on(crate::support::TestBackend::FerretDb).await;
    }
}

//! Bad input gets a coded GraphQL error or a 4xx, never a 500, a panic or an internal message.

use crate::helpers::TestApp;
use serde_json::json;

async fn invalid_and_unknown_ids_have_codes(app: &TestApp) {
    for bad in ["", "not-base64!", "UGVyc29uOiRuZQ", "A".repeat(5000).as_str()] {
        let code = app.error_code("query($id: ID!) { node(id: $id) { id } }", json!({ "id": bad })).await;
        assert_eq!(code, "BAD_USER_INPUT", "node(id: {bad:?})");
    }
    // A well-formed id of nothing.
    let ghost = newsgraph::graphql::ids::encode(newsgraph::graphql::ids::NodeType::Person, "nobody-at-all");
    let code = app.error_code("query($id: ID!) { node(id: $id) { id } }", json!({ "id": ghost })).await;
    assert_eq!(code, "NOT_FOUND");
    // The id of a person where an article is expected.
    let person = newsgraph::graphql::ids::encode(newsgraph::graphql::ids::NodeType::Person, "sergei-lavrov");
    let code = app.error_code("query($id: ID!) { article(id: $id) { id } }", json!({ "id": person })).await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert_eq!(app.error_code(r#"{ article(id: "no-such-article") { id } }"#, json!({})).await, "NOT_FOUND");
    assert_eq!(app.error_code(r#"{ person(name: "Nobody Atall") { id } }"#, json!({})).await, "NOT_FOUND");
    assert_eq!(app.error_code(r#"{ person(name: "   ") { id } }"#, json!({})).await, "BAD_USER_INPUT");
}

async fn operator_lookalikes_are_plain_data(app: &TestApp) {
    for hostile in [
        "{\"$ne\": null}",
        "$where",
        "$regex",
        ".*",
        "(a+)+$",
        "name_keys.0",
        "lavrov\0",
        "$ne",
        "$gt",
        "{\"$gt\": \"\"}",
        "^.*$",
    ] {
        let body = app.query("query($n: String!) { person(name: $n) { name } }", json!({ "n": hostile })).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND", "{hostile}: {body}");
        let body = app.query("query($n: String!) { organization(name: $n) { name } }", json!({ "n": hostile })).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND", "{hostile}: {body}");
    }
}

/// Operator and pattern lookalikes in every other string argument: ids,
/// cursors, and the text fields of a write, which must come back verbatim.
async fn operator_lookalikes_in_every_string_argument_are_data(app: &TestApp) {
    const HOSTILE: [&str; 9] =
        ["$ne", "$gt", "$where", "$regex", "{\"$ne\": null}", "{\"$gt\": \"\"}", "a.b.$c", "(a+)+$", "^.*$"];
    for hostile in HOSTILE {
        let code = app.error_code("query($id: ID!) { article(id: $id) { id } }", json!({ "id": hostile })).await;
        assert!(code == "NOT_FOUND" || code == "BAD_USER_INPUT", "article(id: {hostile:?}) gave {code}");
        let code = app.error_code("query($id: ID!) { node(id: $id) { id } }", json!({ "id": hostile })).await;
        assert_eq!(code, "BAD_USER_INPUT", "node(id: {hostile:?})");
        let code = app
            .error_code("query($c: String) { quotes(first: 1, after: $c) { totalCount } }", json!({ "c": hostile }))
            .await;
        assert_eq!(code, "BAD_USER_INPUT", "after: {hostile:?}");
    }
    // Written as data, read back verbatim; an outlet named like an operator is just a name.
    let ops_before = app.store.operations();
    for (i, hostile) in HOSTILE.iter().enumerate() {
        let headline = format!("{hostile} headline {i}");
        let text = format!("{headline}\n\n\"Prices {hostile} rose,\" trade minister Ana Silva told {hostile}.");
        let body = app
            .query(
                "mutation($input: IngestArticleInput!) { ingestArticle(input: $input) { article { key headline outlet { name } } } }",
                json!({ "input": { "text": text, "headline": headline, "outlet": hostile, "language": hostile } }),
            )
            .await;
        if body["errors"].is_array() {
            // A name with nothing to make an id from is refused, as data.
            assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
            continue;
        }
        let result = &body["data"]["ingestArticle"];
        assert_eq!(result["article"]["headline"], headline, "{body}");
        // Outlets merge by normalized name (`{"$gt": ""}` is the `$gt` written
        // before it), so the name is one of the inputs, stored as written.
        let outlet = result["article"]["outlet"]["name"].as_str().unwrap_or("");
        assert!(HOSTILE[..=i].contains(&outlet), "{body}");
        let key = result["article"]["key"].as_str().unwrap();
        let found = app.data("query($id: ID!) { article(id: $id) { headline language } }", json!({ "id": key })).await;
        assert_eq!(found["article"]["headline"], headline);
        assert_eq!(found["article"]["language"], *hostile);
    }
    assert!(app.store.operations() > ops_before);
    // The graph still holds exactly what it held plus those articles: no
    // operator matched everything or deleted anything.
    let data = app.data(r#"{ person(name: "Lavrov") { name } }"#, json!({})).await;
    assert_eq!(data["person"]["name"], "Sergei Lavrov");
}

async fn page_sizes_and_cursors_are_checked(app: &TestApp) {
    for first in [101, 1_000_000, -1] {
        let code =
            app.error_code("query($f: Int) { articles(first: $f) { edges { cursor } } }", json!({ "f": first })).await;
        assert!(code == "BAD_USER_INPUT" || code == "QUERY_TOO_COMPLEX", "first: {first} gave {code}");
    }
    let code = app.error_code(r#"{ quotes(after: "garbage!!") { totalCount } }"#, json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT");
}

async fn malformed_requests_get_4xx_not_500(app: &TestApp) {
    let url = app.url("/graphql");
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("application/json", b"{\"query\": ".to_vec(), 400),
        ("application/json", b"[{\"query\": \"{ sources { totalCount } }\"}]".to_vec(), 400),
        ("application/json", b"{\"query\": 42}".to_vec(), 400),
        ("application/json", vec![0xff, 0xfe, 0x00, 0x01], 400),
        ("text/plain", b"{\"query\": \"{ sources { totalCount } }\"}".to_vec(), 400),
        ("application/xml", b"<query>{ sources { totalCount } }</query>".to_vec(), 415),
    ];
    for (content_type, body, status) in cases {
        let response =
            app.client.post(&url).header("content-type", content_type).body(body.clone()).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{content_type} {:?}", String::from_utf8_lossy(&body));
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body["errors"][0]["message"].is_string());
    }
    // Syntax errors in the query itself come back as GraphQL errors.
    let body = app.query("{ sources { ", json!({})).await;
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("expected"));
    // A method a path does not serve: 405 naming the ones it does.
    for (method, path, allow) in
        [("PUT", "/graphql", "GET, POST"), ("DELETE", "/healthz", "GET"), ("POST", "/metrics", "GET")]
    {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = app.client.request(method.clone(), app.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 405, "{method} {path}");
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body["errors"][0]["message"].is_string(), "{body}");
    }
    assert_eq!(app.client.get(app.url("/no-such-path")).send().await.unwrap().status().as_u16(), 404);
    // A body over the limit is refused without being read.
    let huge = vec![b' '; 2 * 1024 * 1024];
    let response = app.client.post(&url).header("content-type", "application/json").body(huge).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 413);
}

async fn hostile_shapes_are_rejected_before_any_store_call(app: &TestApp) {
    let mut deep = String::from("{ articles { edges { node { ");
    for _ in 0..25 {
        deep.push_str("quotes { edges { node { article { ");
    }
    deep.push_str("id");
    for _ in 0..25 {
        deep.push_str(" } } } }");
    }
    deep.push_str(" } } } }");
    let before = app.store.operations();
    assert_eq!(app.error_code(&deep, json!({})).await, "QUERY_TOO_DEEP");
    let fifteen_levels = "{ articles(first: 1) { edges { node { quotes(first: 1) { edges { node { article {
        quotes(first: 1) { edges { node { article { quotes(first: 1) { edges { node { id } } } } } } } } } } } } } } }";
    assert_eq!(app.error_code(fifteen_levels, json!({})).await, "QUERY_TOO_DEEP");
    let wide = "{ articles(first: 100) { edges { node { quotes(first: 100) { edges { node { article { quotes(first: 100) { totalCount } } } } } } } } }";
    assert_eq!(app.error_code(wide, json!({})).await, "QUERY_TOO_COMPLEX");
    assert_eq!(app.error_code("{ sources { nope } }", json!({})).await, "GRAPHQL_VALIDATION_FAILED");
    assert_eq!(app.error_code("{ sources { ", json!({})).await, "GRAPHQL_PARSE_FAILED");
    assert_eq!(app.store.operations(), before, "rejected queries never reach the store");
}

async fn internal_detail_never_reaches_clients(app: &TestApp) {
    let body = app.query(r#"{ node(id: "UXVvdGU6Li4v") { id } }"#, json!({})).await;
    let text = body.to_string();
    for leak in ["sqlite", "SQLITE", "mongodb", "bson", "panicked", "src/", "newsgraph::"] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
}

async fn introspection_depth_is_limited_apart_from_data(app: &TestApp) {
    // What GraphiQL and code generators send: `ofType` seven deep under `fields { type }`.
    let of_type = |n: usize| format!("{}name kind{}", "ofType { ".repeat(n), " }".repeat(n));
    let standard = format!(
        "{{ __schema {{ queryType {{ name }} types {{ name kind fields {{ name args {{ name type {{ {} }} }} type {{ {} }} }} }} }} }}",
        of_type(7),
        of_type(7)
    );
    let body = app.query(&standard, json!({})).await;
    assert!(body.get("errors").is_none(), "the standard introspection depth is accepted: {body}");
    assert!(body["data"]["__schema"]["types"].as_array().is_some_and(|t| !t.is_empty()));
    let abusive = format!("{{ __schema {{ types {{ fields {{ type {{ {} }} }} }} }} }}", of_type(40));
    assert_eq!(app.error_code(&abusive, json!({})).await, "QUERY_TOO_DEEP");
}

crate::http_tests_on_both_backends!(
    introspection_depth_is_limited_apart_from_data,
    invalid_and_unknown_ids_have_codes,
    operator_lookalikes_are_plain_data,
    operator_lookalikes_in_every_string_argument_are_data,
    page_sizes_and_cursors_are_checked,
    malformed_requests_get_4xx_not_500,
    hostile_shapes_are_rejected_before_any_store_call,
    internal_detail_never_reaches_clients,
);

//! The questions the seed graph must answer, asked over HTTP on both backends.

use crate::helpers::TestApp;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn edges(connection: &Value) -> Vec<Value> {
    connection["edges"].as_array().expect("edges").iter().map(|e| e["node"].clone()).collect()
}

fn names(list: &Value) -> BTreeSet<String> {
    list.as_array().expect("a list").iter().map(|o| o["name"].as_str().unwrap().to_owned()).collect()
}

const QUOTE_FIELDS: &str = r#"
    text direct
    speaker {
      __typename
      ... on Person { name }
      ... on AnonymousSpeaker { description affiliation { name } }
    }
    via { name kind }
"#;

fn speaker_label(quote: &Value) -> String {
    let speaker = &quote["speaker"];
    match speaker["__typename"].as_str() {
        Some("Person") => speaker["name"].as_str().unwrap().to_owned(),
        Some("AnonymousSpeaker") => format!(
            "{} ({})",
            speaker["description"].as_str().unwrap(),
            speaker["affiliation"]["name"].as_str().unwrap_or("-")
        ),
        _ => "-".into(),
    }
}

async fn every_statement_afp_reported_with_its_speaker(app: &TestApp) {
    let query = format!(
        r#"query($name: String!) {{ organization(name: $name) {{ name kind
            quotesReported(first: 50) {{ totalCount edges {{ node {{ {QUOTE_FIELDS} }} }} }} }} }}"#
    );
    for alias in ["AFP", "agence france presse", "Agence France-Presse"] {
        let data = app.data(&query, json!({ "name": alias })).await;
        let afp = &data["organization"];
        assert_eq!(afp["name"], "Agence France-Presse");
        assert_eq!(afp["kind"], "NEWS_AGENCY");
        assert_eq!(afp["quotesReported"]["totalCount"], 6);
        let quotes = edges(&afp["quotesReported"]);
        let by_speaker: BTreeSet<(String, String)> =
            quotes.iter().map(|q| (speaker_label(q), q["text"].as_str().unwrap().to_owned())).collect();
        let official = "a senior U.S. State Department official (U.S. State Department)".to_string();
        let officials = "U.S. officials (United States)".to_string();
        let expected: BTreeSet<(String, String)> = [
            (official.clone(), "The target for August is to have a framework in place, a framework agreed, for a political transition,"),
            (official.clone(), "We're talking to the Russians, trying to get a better environment for the political negotiations,"),
            (official.clone(), "Particularly on the regime side."),
            (officials.clone(), "The rebel groups have been more open to talks for peace."),
            (officials.clone(), "Assad, despite showing that he was in favour of the peace talks, has not taken any concrete steps towards it"),
            (officials.clone(), "Assad should resign"),
        ]
        .into_iter()
        .map(|(s, t)| (s, t.to_owned()))
        .collect();
        assert_eq!(by_speaker, expected);
        let direct = quotes.iter().filter(|q| q["direct"] == true).count();
        assert_eq!(direct, 3, "the official's words are direct quotes; the officials' are reported");
        assert!(quotes.iter().all(|q| names(&q["via"]).contains("Agence France-Presse")));
    }
}

async fn what_came_through_the_guardian(app: &TestApp) {
    let query = format!(
        r#"{{ organization(name: "the guardian") {{ name kind quotesReported {{ edges {{ node {{ {QUOTE_FIELDS} }} }} }} }} }}"#
    );
    let data = app.data(&query, json!({})).await;
    assert_eq!(data["organization"]["kind"], "NEWS_OUTLET");
    let quotes = edges(&data["organization"]["quotesReported"]);
    let texts: BTreeSet<&str> = quotes.iter().map(|q| q["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        BTreeSet::from([
            "efforts were expected to be made to renew cessation of hostilities in Syria, restart peace talks and accelerate delivery of humanitarian aid",
            "Kerry was in Jeddah over the weekend to ensure that Saudi-backed rebels don't walk out of the negotiation talks",
        ])
    );
    assert!(quotes.iter().all(|q| q["speaker"].is_null() && q["direct"] == false));
}

async fn what_lavrov_said_and_through_whom(app: &TestApp) {
    let query = format!(
        r#"{{ person(name: "lavrov") {{ name role affiliations {{ name }}
            quotes {{ totalCount edges {{ node {{ {QUOTE_FIELDS} saidOn article {{ dateline }} }} }} }} }} }}"#
    );
    let data = app.data(&query, json!({})).await;
    let lavrov = &data["person"];
    assert_eq!(lavrov["name"], "Sergei Lavrov");
    assert_eq!(lavrov["role"], "Foreign Minister");
    assert_eq!(names(&lavrov["affiliations"]), BTreeSet::from(["Russia".to_string()]));
    assert_eq!(lavrov["quotes"]["totalCount"], 1);
    let quote = &edges(&lavrov["quotes"])[0];
    assert!(quote["text"].as_str().unwrap().starts_with("Today we're a long way from the finish line."));
    assert_eq!(quote["direct"], true);
    assert_eq!(quote["via"], json!([]), "Lavrov's words reached the article through no named source");
    assert_eq!(quote["saidOn"], "2016-05-16");
    assert_eq!(quote["speaker"]["name"], "Sergei Lavrov");
    assert_eq!(quote["article"]["dateline"], "Vienna");
}

async fn the_members_named_for_the_issg(app: &TestApp) {
    let data = app
        .data(
            r#"{ organization(name: "ISSG") { name kind members(first: 50) { totalCount edges { node { name memberOf { name } } } } } }"#,
            json!({}),
        )
        .await;
    let issg = &data["organization"];
    assert_eq!(issg["name"], "International Syria Support Group");
    assert_eq!(issg["kind"], "INTERNATIONAL_ORG");
    let members: BTreeSet<String> =
        edges(&issg["members"]).iter().map(|m| m["name"].as_str().unwrap().to_owned()).collect();
    let expected: BTreeSet<String> =
        ["United Kingdom", "France", "European Union", "Arab League", "Iran", "Turkey", "Saudi Arabia"]
            .map(String::from)
            .into();
    assert_eq!(members, expected);
    assert_eq!(issg["members"]["totalCount"], 7);
    for member in edges(&issg["members"]) {
        assert!(names(&member["memberOf"]).contains("International Syria Support Group"));
    }
}

async fn every_quote_knows_its_article_and_offsets(app: &TestApp) {
    let data = app
        .data(
            r#"{ quotes(first: 100) { totalCount edges { node { text direct span { start end } article { key body } } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["quotes"]["totalCount"], 9);
    for quote in edges(&data["quotes"]) {
        let body = quote["article"]["body"].as_str().unwrap();
        assert_eq!(quote["article"]["key"], "issg-vienna-2016-05-17");
        let start = quote["span"]["start"].as_u64().unwrap() as usize;
        let end = quote["span"]["end"].as_u64().unwrap() as usize;
        assert!(start < end && end <= body.chars().count());
        let excerpt: String = body.chars().skip(start).take(end - start).collect();
        let text = quote["text"].as_str().unwrap();
        if quote["direct"] == true {
            assert_eq!(excerpt, text, "a direct quote's span holds its exact words");
        } else {
            for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 3) {
                assert!(excerpt.contains(word), "reported speech `{text}`: `{word}` is not in its span `{excerpt}`");
            }
        }
    }
}

async fn nested_queries_run_in_both_directions(app: &TestApp) {
    // Article -> quotes -> speaker -> affiliations, and back up: organization -> people -> articles.
    let data = app
        .data(
            r#"{ articles(first: 5) { totalCount edges { cursor node { id headline dateline topics language publishedAt outlet { name }
                   people { name } organizations { name }
                   quotes(first: 20) { edges { node { speaker { ... on Person { name affiliations { name kind } } } } } } } } }
                 organization(name: "Russia") { people { edges { node { name articles { edges { node { headline } } } } } }
                   quotesBy { totalCount } articles { totalCount } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["articles"]["totalCount"], 1);
    let article = &edges(&data["articles"])[0];
    assert_eq!(article["dateline"], "Vienna");
    assert_eq!(article["language"], "en");
    assert!(article["publishedAt"].is_null() && article["outlet"].is_null(), "the text gives neither");
    assert_eq!(names(&article["people"]).len(), 4);
    assert!(names(&article["organizations"]).contains("Agence France-Presse"));
    let lavrov_affiliations: Vec<Value> = edges(&article["quotes"])
        .into_iter()
        .filter(|q| q["speaker"]["name"] == "Sergei Lavrov")
        .map(|q| q["speaker"]["affiliations"].clone())
        .collect();
    assert_eq!(lavrov_affiliations, vec![json!([{ "name": "Russia", "kind": "GOVERNMENT" }])]);
    let russia = &data["organization"];
    assert_eq!(edges(&russia["people"])[0]["name"], "Sergei Lavrov");
    assert_eq!(edges(&edges(&russia["people"])[0]["articles"]).len(), 1);
    assert_eq!(russia["quotesBy"]["totalCount"], 1);
    assert_eq!(russia["articles"]["totalCount"], 1);
}

async fn every_entity_has_a_stable_global_id_that_node_resolves(app: &TestApp) {
    let data = app
        .data(
            r#"{ articles { edges { node { id quotes(first: 1) { edges { node { id } } } } } }
                 person(name: "Kerry") { id } organization(name: "AFP") { id } }"#,
            json!({}),
        )
        .await;
    let article = &edges(&data["articles"])[0];
    let ids = [
        ("Article", article["id"].clone()),
        ("Quote", edges(&article["quotes"])[0]["id"].clone()),
        ("Person", data["person"]["id"].clone()),
        ("Organization", data["organization"]["id"].clone()),
    ];
    for (typename, id) in ids {
        let node = app.data("query($id: ID!) { node(id: $id) { __typename id } }", json!({ "id": id })).await;
        assert_eq!(node["node"]["__typename"], typename);
        assert_eq!(node["node"]["id"], id);
    }
    // The same id after re-seeding: ids come from the data, not from insertion.
    newsgraph::seed::seed(app.store.as_ref(), &crate::support::seed_dir()).await.unwrap();
    let again = app.data(r#"{ person(name: "Kerry") { id } }"#, json!({})).await;
    assert_eq!(again["person"]["id"], data["person"]["id"]);
    // article(id:) takes the global id or the article's own key.
    let by_key = app.data(r#"{ article(id: "issg-vienna-2016-05-17") { id } }"#, json!({})).await;
    assert_eq!(by_key["article"]["id"], article["id"]);
}

async fn sources_lists_only_agencies_and_outlets(app: &TestApp) {
    let data = app.data("{ sources { totalCount edges { node { name kind isSource } } } }", json!({})).await;
    assert_eq!(data["sources"]["totalCount"], 2);
    let sources: BTreeSet<String> =
        edges(&data["sources"]).iter().map(|s| s["name"].as_str().unwrap().to_owned()).collect();
    assert_eq!(sources, BTreeSet::from(["Agence France-Presse".to_string(), "The Guardian".to_string()]));
}

async fn connections_page_with_cursors(app: &TestApp) {
    let page = "query($after: String) { organizations(first: 5, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { name } } } }";
    let mut after = Value::Null;
    let mut seen = Vec::new();
    loop {
        let data = app.data(page, json!({ "after": after })).await;
        let orgs = &data["organizations"];
        assert_eq!(orgs["totalCount"], 17);
        seen.extend(edges(orgs).iter().map(|o| o["name"].as_str().unwrap().to_owned()));
        if orgs["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = orgs["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len(), 17);
    assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 17, "no organization twice");
    let governments = app.data("{ organizations(kinds: [GOVERNMENT]) { totalCount } }", json!({})).await;
    assert_eq!(governments["organizations"]["totalCount"], 9);
}

crate::http_tests_on_both_backends!(
    every_statement_afp_reported_with_its_speaker,
    what_came_through_the_guardian,
    what_lavrov_said_and_through_whom,
    the_members_named_for_the_issg,
    every_quote_knows_its_article_and_offsets,
    nested_queries_run_in_both_directions,
    every_entity_has_a_stable_global_id_that_node_resolves,
    sources_lists_only_agencies_and_outlets,
    connections_page_with_cursors,
);

//! 10,000 malformed requests from a deterministic generator: truncated JSON,
//! wrong types, random bytes, invalid UTF-8, huge numbers, unknown fields,
//! wrong methods and content types, token soup. None may get a 5xx, none may
//! break a connection (a panic would), and the server answers afterwards.

use crate::helpers::TestApp;
use futures_util::StreamExt;
use serde_json::json;

const REQUESTS: usize = 10_000;
const CONCURRENCY: usize = 8;

/// xorshift64*: small, deterministic, good enough to vary inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const VALID: [&str; 4] = [
    r#"{"query": "{ sources { edges { node { name } } } }"}"#,
    r#"{"query": "query($n: String!) { person(name: $n) { name quotes { totalCount } } }", "variables": {"n": "Lavrov"}}"#,
    r#"{"query": "query Q($f: Int) { articles(first: $f) { edges { cursor node { headline } } } }", "operationName": "Q", "variables": {"f": 2}}"#,
    r#"{"query": "{ quotes(first: 2) { edges { node { text speaker { __typename } } } } }"}"#,
];

const TOKENS: [&str; 24] = [
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ":",
    "$",
    "@",
    "...",
    "!",
    "=",
    "query",
    "mutation",
    "fragment",
    "on",
    "articles",
    "first",
    "\"x\"",
    "1e999",
    "-0",
    "ingestArticle",
    "__schema",
    "\\u0000",
];

/// One malformed request: method, path with query string, content type, body.
struct Case {
    method: reqwest::Method,
    path: String,
    content_type: Option<String>,
    body: Vec<u8>,
}

fn generate(rng: &mut Rng) -> Case {
    let post = |body: Vec<u8>| Case {
        method: reqwest::Method::POST,
        path: "/graphql".into(),
        content_type: Some("application/json".into()),
        body,
    };
    let valid = rng.pick(&VALID).as_bytes().to_vec();
    match rng.below(12) {
        // Truncated JSON.
        0 => {
            let cut = rng.below(valid.len());
            post(valid[..cut].to_vec())
        }
        // One byte flipped.
        1 => {
            let mut body = valid;
            let at = rng.below(body.len());
            body[at] = rng.next() as u8;
            post(body)
        }
        // Wrong types.
        2 => post(
            rng.pick(&[
                r#"{"query": 42}"#,
                r#"{"query": ["{ sources { totalCount } }"]}"#,
                r#"{"query": null}"#,
                r#"{"query": "{ sources { totalCount } }", "variables": "x"}"#,
                r#"{"query": "{ sources { totalCount } }", "variables": [1, 2]}"#,
                r#"{"query": "{ sources { totalCount } }", "operationName": 7}"#,
                r#"{"query": "query($f: Int) { articles(first: $f) { totalCount } }", "variables": {"f": "ten"}}"#,
                r#"{"query": "query($n: String!) { person(name: $n) { name } }", "variables": {"n": {"$ne": null}}}"#,
                r#""just a string""#,
                "null",
                "[]",
                "[1]",
            ])
            .as_bytes()
            .to_vec(),
        ),
        // Random bytes.
        3 => {
            let n = rng.below(512);
            post(rng.bytes(n))
        }
        // Invalid UTF-8 inside a JSON string.
        4 => {
            let mut body = br#"{"query": "{ person(name: \""#.to_vec();
            body.extend(rng.bytes(8).iter().map(|b| b | 0x80));
            body.extend_from_slice(br#"\") { name } }"}"#);
            post(body)
        }
        // Huge numbers.
        5 => post(
            rng.pick(&[
                r#"{"query": "{ articles(first: 99999999999999999999999) { totalCount } }"}"#,
                r#"{"query": "query($f: Int) { articles(first: $f) { totalCount } }", "variables": {"f": 1e400}}"#,
                r#"{"query": "query($f: Int) { articles(first: $f) { totalCount } }", "variables": {"f": 2147483648}}"#,
                r#"{"query": "query($f: Int) { articles(first: $f) { totalCount } }", "variables": {"f": -99999999999999999999}}"#,
                r#"{"query": "{ articles(first: -2147483649) { totalCount } }"}"#,
            ])
            .as_bytes()
            .to_vec(),
        ),
        // Unknown fields, in the body and in the query.
        6 => post(
            rng.pick(&[
                r#"{"query": "{ sources { totalCount } }", "extra": {"deep": [1, 2, 3]}}"#,
                r#"{"query": "{ nope }"}"#,
                r#"{"query": "{ sources { totalCount nope } }"}"#,
                r#"{"query": "{ person(nope: 1) { name } }"}"#,
                r#"{"qurey": "{ sources { totalCount } }"}"#,
                r#"{"query": "{ sources { totalCount } }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}"#,
            ])
            .as_bytes()
            .to_vec(),
        ),
        // Wrong methods.
        7 => Case {
            method: rng
                .pick(&[
                    reqwest::Method::PUT,
                    reqwest::Method::DELETE,
                    reqwest::Method::PATCH,
                    reqwest::Method::HEAD,
                    reqwest::Method::OPTIONS,
                ])
                .clone(),
            path: rng.pick(&["/graphql", "/", "/healthz", "/metrics"]).to_string(),
            content_type: Some("application/json".into()),
            body: valid,
        },
        // Wrong content types.
        8 => Case {
            content_type: Some(
                rng.pick(&[
                    "text/plain",
                    "application/graphql",
                    "application/xml",
                    "multipart/form-data; boundary=----x",
                    "application/json; charset=utf-16",
                    "",
                    ";;;=",
                ])
                .to_string(),
            ),
            ..post(valid)
        },
        // GET with a mangled query string.
        9 => {
            let n = rng.below(64);
            let raw = rng.bytes(n);
            let encoded: String = raw.iter().map(|b| format!("%{b:02X}")).collect();
            let path = match rng.below(3) {
                0 => format!("/graphql?query={encoded}"),
                1 => format!("/graphql?query=%7B%20sources%20%7B%20totalCount%20%7D%20%7D&variables={encoded}"),
                _ => format!("/graphql?{encoded}"),
            };
            Case {
                method: reqwest::Method::GET,
                path,
                content_type: Some("application/json".into()),
                body: Vec::new(),
            }
        }
        // Token soup as the query.
        _ => {
            let n = 1 + rng.below(40);
            let soup: Vec<&str> = (0..n).map(|_| *rng.pick(&TOKENS)).collect();
            post(
                serde_json::to_vec(&json!({ "query": soup.join(" "), "variables": { "v": rng.next() } }))
                    .unwrap(),
            )
        }
    }
}

async fn ten_thousand_malformed_requests_get_no_5xx(app: &TestApp) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let cases: Vec<Case> = (0..REQUESTS).map(|_| generate(&mut rng)).collect();
    let statuses: Vec<Result<u16, String>> = futures_util::stream::iter(cases)
        .map(|case| {
            let mut request = app.client.request(case.method, app.url(&case.path));
            if let Some(content_type) = case.content_type {
                request = request.header("content-type", content_type);
            }
            async move { request.body(case.body).send().await.map(|r| r.status().as_u16()).map_err(|e| e.to_string()) }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let broken: Vec<&String> = statuses.iter().filter_map(|s| s.as_ref().err()).collect();
    assert!(broken.is_empty(), "{} broken connections: {:?}", broken.len(), &broken[..broken.len().min(3)]);
    let server_errors = statuses.iter().filter(|s| matches!(s, Ok(code) if *code >= 500)).count();
    assert_eq!(server_errors, 0, "responses with status 5xx");
    let mut by_status = std::collections::BTreeMap::new();
    for status in statuses.iter().flatten() {
        *by_status.entry(*status).or_insert(0) += 1;
    }
    eprintln!("{:?}: {REQUESTS} malformed requests, statuses {by_status:?}", app.backend);
    // The server still answers, and answers right.
    let data = app.data(r#"{ person(name: "Lavrov") { name } }"#, json!({})).await;
    assert_eq!(data["person"]["name"], "Sergei Lavrov");
}

crate::http_tests_on_both_backends!(ten_thousand_malformed_requests_get_no_5xx);

//! Subscriptions over websockets on `/graphql`, driven by a real client
//! (`tokio-tungstenite`) the way graphql-ws and Apollo clients drive them,
//! with writes from other processes (the CLI), the ingest mutation and a
//! second server on the same store, on both backends.

use crate::helpers::{TestApp, spawn_app_with};
use crate::support::{TestBackend, seed_dir};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const BIN: &str = env!("CARGO_BIN_EXE_newsgraph");

/// A liveness guard only: a test that waits this long for a message has hung.
const HUNG: Duration = Duration::from_secs(60);

const TRANSPORT_WS: &str = "graphql-transport-ws";
const LEGACY_WS: &str = "graphql-ws";

const QUOTE_ADDED: &str = r#"subscription($filter: QuoteFilterInput) { quoteAdded(filter: $filter) {
    key text direct
    speaker { __typename ... on Person { name } ... on AnonymousSpeaker { description affiliation { name } } }
    via { name } article { key headline } } }"#;

/// The same selection as [`QUOTE_ADDED`], over the root list, for comparison.
// Every quote the article carries, copies of the seed article's included (as subscriptions announce them).
const QUOTES_OF: &str = r#"query($filter: QuoteFilterInput) { quotes(filter: $filter, orderBy: ID, first: 100, includeCopies: true) { edges { node {
    key text direct
    speaker { __typename ... on Person { name } ... on AnonymousSpeaker { description affiliation { name } } }
    via { name } article { key headline } } } } }"#;

const INGEST: &str =
    r#"mutation($input: IngestArticleInput!) { ingestArticle(input: $input) { article { key } quotes { key } } }"#;

/// A short article: one direct quote AFP carried from an anonymous official,
/// and Lavrov's reported speech through the Guardian.
const GENEVA: &str = "Talks to resume in Geneva\n\n\"We will meet again in June,\" a senior U.S. State Department \
    official told AFP on Tuesday. Russian Foreign Minister Sergei Lavrov said the talks had been useful, according to \
    the Guardian.\n";

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One websocket connection speaking `protocol`.
struct Client {
    socket: Socket,
    protocol: &'static str,
    /// Messages read while waiting for another, in arrival order.
    held: Vec<Value>,
}

/// What the server ended the connection with.
#[derive(Debug, PartialEq)]
enum Ended {
    Closed(u16),
    Dropped,
}

fn ws_url(app: &TestApp) -> String {
    app.url("/graphql").replacen("http://", "ws://", 1)
}

async fn connect(app: &TestApp, protocol: &'static str) -> Client {
    connect_with(app, protocol, None).await.expect("the websocket upgrade")
}

async fn connect_with(
    app: &TestApp,
    protocol: &'static str,
    origin: Option<&str>,
) -> Result<Client, tokio_tungstenite::tungstenite::Error> {
    let mut request = ws_url(app).into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", HeaderValue::from_static(protocol));
    if let Some(origin) = origin {
        request.headers_mut().insert("origin", HeaderValue::from_str(origin).unwrap());
    }
    let (socket, response) = tokio_tungstenite::connect_async(request).await?;
    assert_eq!(response.headers()["sec-websocket-protocol"], protocol, "the server speaks the offered protocol");
    Ok(Client { socket, protocol, held: Vec::new() })
}

/// A client whose socket receives into a fixed 4 kB buffer (a fixed size
/// turns the kernel's receive-buffer growth off), like a reader on a slow link.
async fn connect_slow(app: &TestApp) -> Client {
    let mut request = ws_url(app).into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", HeaderValue::from_static(TRANSPORT_WS));
    let tcp = tokio::net::TcpSocket::new_v4().unwrap();
    tcp.set_recv_buffer_size(4096).unwrap();
    let tcp = tcp.connect(app.address.trim_start_matches("http://").parse().unwrap()).await.unwrap();
    let (socket, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(tcp)).await.unwrap();
    Client { socket, protocol: TRANSPORT_WS, held: Vec::new() }
}

impl Client {
    async fn send(&mut self, message: Value) {
        self.socket.send(Message::text(message.to_string())).await.expect("sending a message");
    }

    /// The next protocol message, skipping keep-alives; `Err` when the connection ends.
    async fn read(&mut self) -> Result<Value, Ended> {
        tokio::time::timeout(HUNG, self.read_unguarded()).await.expect("no message for a minute")
    }

    async fn read_unguarded(&mut self) -> Result<Value, Ended> {
        loop {
            match self.socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    let message: Value = serde_json::from_str(text.as_str()).expect("a JSON message");
                    if message["type"] != "ka" {
                        return Ok(message);
                    }
                }
                Some(Ok(Message::Close(frame))) => return Err(Ended::Closed(frame.map_or(1005, |f| f.code.into()))),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return Err(Ended::Dropped),
            }
        }
    }

    /// The next message, taking held ones first.
    async fn next(&mut self) -> Value {
        if !self.held.is_empty() {
            return self.held.remove(0);
        }
        self.read().await.expect("the connection stays open")
    }

    /// The next message about operation `id`; others are held for later.
    async fn next_for(&mut self, id: &str) -> Value {
        if let Some(at) = self.held.iter().position(|m| m["id"] == id) {
            return self.held.remove(at);
        }
        loop {
            let message = self.read().await.expect("the connection stays open");
            if message["id"] == id {
                return message;
            }
            self.held.push(message);
        }
    }

    /// `connection_init`, answered by `connection_ack`.
    async fn init(&mut self) {
        self.send(json!({ "type": "connection_init", "payload": {} })).await;
        assert_eq!(self.next().await["type"], "connection_ack");
    }

    async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let kind = if self.protocol == LEGACY_WS { "start" } else { "subscribe" };
        self.send(json!({ "type": kind, "id": id, "payload": { "query": query, "variables": variables } })).await;
    }

    async fn stop(&mut self, id: &str) {
        let kind = if self.protocol == LEGACY_WS { "stop" } else { "complete" };
        self.send(json!({ "type": kind, "id": id })).await;
    }

    /// Returns once the server has handled every message sent before: a query
    /// sent after them is answered after them (messages are handled in order).
    async fn sync(&mut self) {
        self.subscribe("sync", "{ __typename }", json!({})).await;
        let data = if self.protocol == LEGACY_WS { "data" } else { "next" };
        assert_eq!(self.next_for("sync").await["type"], data);
        assert_eq!(self.next_for("sync").await["type"], "complete");
    }

    /// The payload of the next event of operation `id`.
    async fn event(&mut self, id: &str) -> Value {
        let message = self.next_for(id).await;
        let data = if self.protocol == LEGACY_WS { "data" } else { "next" };
        assert_eq!(message["type"], data, "an event for {id}, got {message:#}");
        assert!(message["payload"].get("errors").is_none(), "{message:#}");
        message["payload"]["data"].clone()
    }

    /// Reads until the server closes the connection; counts the events read on the way.
    async fn until_closed(&mut self) -> (usize, Ended) {
        let mut events = self.held.drain(..).filter(|m| m["type"] == "next").count();
        loop {
            match self.read().await {
                Ok(message) if message["type"] == "next" => events += 1,
                Ok(other) => panic!("an unexpected message: {other:#}"),
                Err(ended) => return (events, ended),
            }
        }
    }
}

/// An app on a store another process can open: a data directory, or a FerretDB database.
async fn spawn_shared(
    backend: TestBackend,
    dir: &Path,
    adjust: impl FnOnce(&mut newsgraph::config::Settings),
) -> TestApp {
    let app = spawn_app_with(backend, |settings| {
        settings.in_memory = false;
        settings.data_dir = dir.to_path_buf();
        adjust(settings);
    })
    .await;
    if backend == TestBackend::FerretDb {
        newsgraph::seed::seed(app.store.as_ref(), &seed_dir()).await.expect("seeding FerretDB");
    }
    app
}

/// Runs `newsgraph ingest` in another process against the app's store.
async fn ingest_with_cli(app: &TestApp, text: &str, dir: &Path, name: &str) {
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    let env = app.store_env();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(BIN)
            .args(["ingest", "--outlet", "Reuters"])
            .arg(&file)
            .env_remove("NEWSGRAPH_MONGODB_URI")
            .env_remove("NEWSGRAPH_DATA_DIR")
            .envs(env)
            .env("NEWSGRAPH_NO_SEED", "true")
            .env("RUST_LOG", "warn")
            .output()
            .expect("running newsgraph ingest")
    })
    .await
    .unwrap();
    assert!(output.status.success(), "ingest failed: {}", String::from_utf8_lossy(&output.stderr));
}

fn seed_text(headline: &str) -> String {
    let body = std::fs::read_to_string(seed_dir().join("articles/issg-vienna-2016-05-17.txt")).unwrap();
    format!("{headline}\n\n{body}")
}

/// The quotes of `article` that `filter` keeps, as the root list gives them.
async fn expected_quotes(app: &TestApp, article: &str, filter: Value) -> Vec<Value> {
    let filter = json!({ "allOf": [filter, { "articles": [article] }] });
    let data = app.data(QUOTES_OF, json!({ "filter": filter })).await;
    data["quotes"]["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()).collect()
}

/// Reads `count` events of `id` and returns their quotes.
async fn quotes_received(client: &mut Client, id: &str, count: usize) -> Vec<Value> {
    let mut quotes = Vec::new();
    for _ in 0..count {
        quotes.push(client.event(id).await["quoteAdded"].clone());
    }
    quotes
}

/// Subscribe with a filter, ingest through the CLI in another process: exactly
/// the matching quotes arrive, with speaker and via, in write order, none
/// repeated (re-ingesting the same text sends nothing; the next event is the
/// next new quote).
async fn cli_ingest_reaches_filtered_subscriptions(backend: TestBackend) {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_shared(backend, &dir.path().join("data"), |_| {}).await;
    let mut client = connect(&app, TRANSPORT_WS).await;
    client.init().await;
    let afp = json!({ "via": ["agence-france-presse"] });
    client.subscribe("afp", QUOTE_ADDED, json!({ "filter": afp })).await;
    client.subscribe("lavrov", QUOTE_ADDED, json!({ "filter": { "speakers": ["sergei-lavrov"] } })).await;
    client.subscribe("articles", "subscription { articleAdded { key headline } }", json!({})).await;
    client.sync().await;

    ingest_with_cli(&app, &seed_text("Vienna talks, as AFP told it"), dir.path(), "vienna.txt").await;
    let article = client.event("articles").await["articleAdded"].clone();
    assert_eq!(article["headline"], "Vienna talks, as AFP told it");
    let key = article["key"].as_str().unwrap().to_owned();
    let expected = expected_quotes(&app, &key, afp.clone()).await;
    assert!(expected.len() >= 2, "the seed article carries several AFP statements: {expected:#?}");
    let received = quotes_received(&mut client, "afp", expected.len()).await;
    assert_eq!(received, expected, "exactly the matching quotes, with speaker and via, in write order");
    assert!(received.iter().all(|q| q["via"].as_array().unwrap().iter().any(|v| v["name"] == "Agence France-Presse")));
    assert!(received.iter().all(|q| !q["speaker"].is_null()));
    let lavrov = expected_quotes(&app, &key, json!({ "speakers": ["sergei-lavrov"] })).await;
    assert_eq!(lavrov.len(), 1, "Lavrov speaks once: {lavrov:#?}");
    assert_eq!(quotes_received(&mut client, "lavrov", 1).await, lavrov);

    // The same text again adds nothing; the next AFP event is the next new statement.
    ingest_with_cli(&app, &seed_text("Vienna talks, as AFP told it"), dir.path(), "again.txt").await;
    ingest_with_cli(&app, GENEVA, dir.path(), "geneva.txt").await;
    let next = client.event("afp").await["quoteAdded"].clone();
    assert_eq!(next["text"], "We will meet again in June,", "no statement repeated: {next:#}");
    assert_eq!(next["speaker"]["description"], "a senior U.S. State Department official");
    assert_eq!(next["via"], json!([{ "name": "Agence France-Presse" }]));
    let geneva = client.event("articles").await["articleAdded"].clone();
    assert_eq!(geneva["headline"], "Talks to resume in Geneva", "the re-ingested article is not announced again");
    app.cleanup().await;
}

/// `serve --feeds FILE`: the server starts at once and polls in the
/// background (a feed that answers 503 until the subscriptions are set up is
/// backed off from and polled again), and the articles and statements of the
/// feed's items reach subscriptions as any other write's do.
async fn feeds_polled_by_the_server_reach_subscriptions(backend: TestBackend) {
    let site = crate::support::feed_server::start().await;
    let dir = tempfile::tempdir().unwrap();
    let feeds = dir.path().join("feeds.toml");
    let file = format!(
        "host_delay = \"0ms\"\nmax_backoff = \"2s\"\n[[feed]]\nurl = \"{}\"\ninterval = \"1s\"\noutlet = \"Coastline Courier\"\n",
        site.url("/late/rss.xml")
    );
    std::fs::write(&feeds, file).unwrap();
    let app = spawn_app_with(backend, |settings| {
        settings.feeds = Some(feeds.clone());
        settings.fetch_allow_private = true;
        settings.fetch_timeout_ms = 5000;
        settings.no_seed = true;
    })
    .await;
    let mut client = connect(&app, TRANSPORT_WS).await;
    client.init().await;
    client.subscribe("articles", "subscription { articleAdded { key headline } }", json!({})).await;
    let lopez = json!({ "text": "deal members proud" });
    client.subscribe("lopez", QUOTE_ADDED, json!({ "filter": lopez })).await;
    client.sync().await;
    site.open_late();

    let mut headlines: Vec<String> = Vec::new();
    for _ in 0..3 {
        let article = client.event("articles").await["articleAdded"].clone();
        headlines.push(article["headline"].as_str().unwrap().to_owned());
    }
    headlines.sort();
    assert_eq!(
        headlines,
        [
            "Council approves budget with cuts to library hours",
            "Harbour workers end three-week strike after pay deal",
            "Lifeboat crew rescues three kayakers off Gull Point",
        ]
    );
    let quote = client.event("lopez").await["quoteAdded"].clone();
    assert_eq!(quote["speaker"]["name"], "Maria Lopez", "{quote:#}");
    assert_eq!(quote["article"]["headline"], "Harbour workers end three-week strike after pay deal");
    app.cleanup().await;
    site.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_feeds_polled_by_the_server_reach_subscriptions() {
    feeds_polled_by_the_server_reach_subscriptions(TestBackend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ferretdb_feeds_polled_by_the_server_reach_subscriptions() {
    feeds_polled_by_the_server_reach_subscriptions(TestBackend::FerretDb).await;
}

/// A second server on the same store delivers what the first one's ingest
/// mutation wrote, and so does the first.
async fn a_second_server_and_the_ingest_mutation_deliver(backend: TestBackend) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = spawn_shared(backend, &data, |_| {}).await;
    let database = first.store_env().into_iter().find(|(k, _)| *k == "NEWSGRAPH_DATABASE").map(|(_, v)| v);
    let second = spawn_app_with(backend, |settings| {
        settings.in_memory = false;
        settings.data_dir = data.clone();
        if let Some(database) = database {
            settings.database = database;
        }
    })
    .await;
    let mut on_second = connect(&second, TRANSPORT_WS).await;
    let mut on_first = connect(&first, TRANSPORT_WS).await;
    for client in [&mut on_second, &mut on_first] {
        client.init().await;
        client.subscribe("guardian", QUOTE_ADDED, json!({ "filter": { "via": ["the-guardian"] } })).await;
        client.sync().await;
    }
    let written = first.data(INGEST, json!({ "input": { "text": GENEVA } })).await;
    let acknowledged = std::time::Instant::now();
    let mut latencies = Vec::new();
    let mut received = Vec::new();
    for client in [&mut on_second, &mut on_first] {
        received.push(quotes_received(client, "guardian", 1).await);
        latencies.push(acknowledged.elapsed());
    }
    // Reported, not asserted: the time from the mutation's answer to each event.
    eprintln!("{backend:?}: events {latencies:?} after the write was acknowledged (second server, then first)");
    let article = written["ingestArticle"]["article"]["key"].as_str().unwrap().to_owned();
    let expected = expected_quotes(&first, &article, json!({ "via": ["the-guardian"] })).await;
    assert_eq!(expected.len(), 1, "Lavrov's statement, through the Guardian: {expected:#?}");
    assert_eq!(expected[0]["speaker"]["name"], "Sergei Lavrov");
    for quotes in received {
        assert_eq!(quotes, expected);
    }
    second.cleanup().await;
    first.cleanup().await;
}

// --- Statements across reports (issue 15) ---

const STATEMENT_REPORTED: &str = r#"subscription($filter: QuoteFilterInput) { statementReported(filter: $filter) {
    key text reportCount outlets { source { name } reports } } }"#;

/// One statement of Maria Lopez as three outlets carry it, and another of hers.
fn lopez(headline: &str, words: &str) -> String {
    format!("{headline}\n\n\"{words},\" union leader Maria Lopez said.")
}

/// `statementReported` announces a statement when it gains a source: its
/// first report, then each further outlet, in write order; the same article
/// written again and a statement outside the filter announce nothing.
async fn a_statement_gaining_an_outlet_is_announced(backend: TestBackend) {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_shared(backend, &dir.path().join("data"), |_| {}).await;
    let mut client = connect(&app, TRANSPORT_WS).await;
    client.init().await;
    client.subscribe("pensions", STATEMENT_REPORTED, json!({ "filter": { "text": "pensions" } })).await;
    client.sync().await;
    let words = "We will not sign any deal that cuts the pensions of dock workers in this port";
    let write = |text: String, outlet: &str| json!({ "input": { "text": text, "outlet": outlet } });
    app.data(INGEST, write(lopez("Port strike talks stall", words), "Reuters")).await;
    let first = client.event("pensions").await["statementReported"].clone();
    assert_eq!(first["reportCount"], 1);
    assert_eq!(first["outlets"], json!([{ "source": { "name": "Reuters" }, "reports": 1 }]));

    app.data(INGEST, write(lopez("Dock strike goes on", words), "AP")).await;
    let second = client.event("pensions").await["statementReported"].clone();
    assert_eq!(second["key"], first["key"], "the same statement, now through a second outlet");
    assert_eq!(second["reportCount"], 2);

    // Nothing for these: an article written again, and another statement.
    app.data(INGEST, write(lopez("Dock strike goes on", words), "AP")).await;
    app.data(INGEST, write(lopez("Union sets a date", "The next vote will take place on Friday"), "AP")).await;
    app.data(INGEST, write(lopez("Harbour standoff", words), "The Guardian")).await;
    let third = client.event("pensions").await["statementReported"].clone();
    assert_eq!(third["key"], first["key"]);
    assert_eq!(third["reportCount"], 3, "the next event is the Guardian's: {third:#}");
    app.cleanup().await;
}

/// The legacy `graphql-ws` protocol (subscriptions-transport-ws): `start`,
/// `data`, `stop`, keep-alives.
async fn the_legacy_protocol_delivers(backend: TestBackend) {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_shared(backend, &dir.path().join("data"), |_| {}).await;
    let mut client = connect(&app, LEGACY_WS).await;
    client.init().await;
    client.subscribe("1", QUOTE_ADDED, json!({ "filter": { "via": ["agence-france-presse"] } })).await;
    client.sync().await;
    app.data(INGEST, json!({ "input": { "text": GENEVA } })).await;
    let quote = client.event("1").await["quoteAdded"].clone();
    assert_eq!(quote["text"], "We will meet again in June,");
    assert_eq!(quote["via"], json!([{ "name": "Agence France-Presse" }]));
    client.stop("1").await;
    client.sync().await;
    app.cleanup().await;
}

mod embedded {
    use crate::support::TestBackend::Embedded;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cli_ingest_reaches_filtered_subscriptions() {
        super::cli_ingest_reaches_filtered_subscriptions(Embedded).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_second_server_and_the_ingest_mutation_deliver() {
        super::a_second_server_and_the_ingest_mutation_deliver(Embedded).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_legacy_protocol_delivers() {
        super::the_legacy_protocol_delivers(Embedded).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_statement_gaining_an_outlet_is_announced() {
        super::a_statement_gaining_an_outlet_is_announced(Embedded).await;
    }
}

mod ferretdb {
    use crate::support::TestBackend::FerretDb;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cli_ingest_reaches_filtered_subscriptions() {
        super::cli_ingest_reaches_filtered_subscriptions(FerretDb).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_second_server_and_the_ingest_mutation_deliver() {
        super::a_second_server_and_the_ingest_mutation_deliver(FerretDb).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_legacy_protocol_delivers() {
        super::the_legacy_protocol_delivers(FerretDb).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_statement_gaining_an_outlet_is_announced() {
        super::a_statement_gaining_an_outlet_is_announced(FerretDb).await;
    }
}

/// A client that never sends `connection_init` is closed with 4408.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_client_is_closed_with_4408() {
    let app = spawn_app_with(TestBackend::Embedded, |s| s.ws_init_timeout_ms = 200).await;
    for protocol in [TRANSPORT_WS, LEGACY_WS] {
        let mut client = connect(&app, protocol).await;
        assert_eq!(client.read().await, Err(Ended::Closed(4408)), "{protocol}");
    }
    app.cleanup().await;
}

/// Over the per-connection and per-server caps, a subscribe gets an `error`
/// message and the connection goes on working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_are_capped_per_connection_and_per_server() {
    let app = spawn_app_with(TestBackend::Embedded, |s| {
        s.max_subscriptions_per_connection = 2;
        s.max_subscriptions = 3;
    })
    .await;
    let mut first = connect(&app, TRANSPORT_WS).await;
    first.init().await;
    first.subscribe("a", QUOTE_ADDED, json!({})).await;
    first.subscribe("b", QUOTE_ADDED, json!({})).await;
    first.subscribe("c", QUOTE_ADDED, json!({})).await;
    let refused = first.next_for("c").await;
    assert_eq!(refused["type"], "error", "{refused:#}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS");
    // Completing one frees its place on the connection.
    first.stop("a").await;
    first.subscribe("c", QUOTE_ADDED, json!({})).await;
    first.send(json!({ "type": "ping" })).await;
    assert_eq!(first.next().await["type"], "pong", "c was accepted: no error came before the pong");

    let mut second = connect(&app, TRANSPORT_WS).await;
    second.init().await;
    second.subscribe("d", QUOTE_ADDED, json!({})).await;
    second.subscribe("e", QUOTE_ADDED, json!({})).await;
    let refused = second.next_for("e").await;
    assert_eq!(refused["type"], "error", "the server holds three at most: {refused:#}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS");
    // Closing a connection gives its subscriptions back to the server.
    drop(first);
    let mut freed = false;
    // Polls until the server has noticed the close (the read guard bounds it).
    for attempt in 0..1200 {
        second.subscribe(&format!("f{attempt}"), "{ __typename }", json!({})).await;
        let answer = second.next_for(&format!("f{attempt}")).await;
        if answer["type"] == "next" {
            assert_eq!(second.next_for(&format!("f{attempt}")).await["type"], "complete");
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(freed, "the closed connection's subscriptions were given back");
    app.cleanup().await;
}

/// Operations started over a socket take from the client's rate-limit budget,
/// like HTTP requests: over it, an `error` message (`RATE_LIMITED`); the
/// connection stays open and works again once the budget refills.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_operations_count_against_the_rate_limit() {
    let app = spawn_app_with(TestBackend::Embedded, |s| {
        s.rate_limit = Some(1);
        s.rate_limit_burst = Some(3);
    })
    .await;
    // The upgrade request is the first of the three the burst allows.
    let mut client = connect(&app, TRANSPORT_WS).await;
    client.init().await;
    client.subscribe("a", QUOTE_ADDED, json!({})).await;
    client.subscribe("b", QUOTE_ADDED, json!({})).await;
    client.subscribe("c", QUOTE_ADDED, json!({})).await;
    let refused = client.next_for("c").await;
    assert_eq!(refused["type"], "error", "{refused:#}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "RATE_LIMITED");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.subscribe("d", "{ __typename }", json!({})).await;
    assert_eq!(client.next_for("d").await["type"], "next", "the budget refilled and the socket still works");
    app.cleanup().await;
}

/// An invalid filter or query gets an `error` message for that operation, and
/// the connection goes on working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_operations_get_an_error_and_the_connection_stays_usable() {
    let app = spawn_app_with(TestBackend::Embedded, |_| {}).await;
    let mut client = connect(&app, TRANSPORT_WS).await;
    client.init().await;
    let backwards = json!({ "filter": { "date": { "from": "2016-05-10", "to": "2016-05-01" } } });
    client.subscribe("dates", QUOTE_ADDED, backwards).await;
    let error = client.next_for("dates").await;
    assert_eq!(error["type"], "error", "{error:#}");
    assert_eq!(error["payload"][0]["extensions"]["code"], "BAD_USER_INPUT");
    client.subscribe("syntax", "subscription { quoteAdded { ", json!({})).await;
    let error = client.next_for("syntax").await;
    assert_eq!(error["type"], "error");
    assert_eq!(error["payload"][0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED");
    client.subscribe("field", "subscription { quoteAdded { nope } }", json!({})).await;
    let error = client.next_for("field").await;
    assert_eq!(error["type"], "error");
    assert_eq!(error["payload"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
    client.subscribe("ok", r#"{ person(name: "Lavrov") { name } }"#, json!({})).await;
    assert_eq!(client.event("ok").await["person"]["name"], "Sergei Lavrov");
    assert_eq!(client.next_for("ok").await["type"], "complete");
    // An unreadable message is a protocol violation: 4400.
    client.socket.send(Message::text("not json")).await.unwrap();
    assert_eq!(client.read().await, Err(Ended::Closed(4400)));
    app.cleanup().await;
}

/// Production mode applies the same query limits over websockets as over HTTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_limits_apply_over_websockets() {
    let app = spawn_app_with(TestBackend::Embedded, |s| {
        s.production = true;
        s.max_depth = 3;
        s.max_aliases = 1;
    })
    .await;
    let mut client = connect(&app, TRANSPORT_WS).await;
    client.init().await;
    let deep = "subscription { quoteAdded { article { quotes { edges { node { text } } } } } }";
    for (id, query, code) in [
        ("deep", deep, "QUERY_TOO_DEEP"),
        ("aliases", "subscription { a: quoteAdded { b: text } }", "TOO_MANY_ALIASES"),
    ] {
        client.subscribe(id, query, json!({})).await;
        let error = client.next_for(id).await;
        assert_eq!(error["type"], "error", "{id}: {error:#}");
        assert_eq!(error["payload"][0]["extensions"]["code"], code, "{id}: {error:#}");
    }
    client.subscribe("schema", "{ __schema { types { name } } }", json!({})).await;
    let answer = client.next_for("schema").await;
    assert!(!answer.to_string().contains("QueryRoot"), "introspection is off in production: {answer:#}");
    assert_eq!(answer["payload"][0]["extensions"]["code"], "INTROSPECTION_DISABLED", "{answer:#}");
    app.cleanup().await;
}

/// A subscription sent over plain HTTP is refused with where to send it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_over_http_is_told_to_use_a_websocket() {
    let app = spawn_app_with(TestBackend::Embedded, |_| {}).await;
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": "subscription { quoteAdded { text } }" }))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("websocket"), "{body:#}");
    app.cleanup().await;
}

/// Browsers may open websockets from this server's own pages and the CORS
/// origins only; other clients send no `Origin`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websockets_from_other_origins_are_refused() {
    let app = spawn_app_with(TestBackend::Embedded, |s| s.cors_origins = vec!["https://dash.example.org".into()]).await;
    let own = app.address.clone();
    assert!(connect_with(&app, TRANSPORT_WS, Some(&own)).await.is_ok(), "the server's own pages");
    assert!(connect_with(&app, TRANSPORT_WS, Some("https://dash.example.org")).await.is_ok(), "a CORS origin");
    match connect_with(&app, TRANSPORT_WS, Some("https://evil.example")).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!("a foreign origin was not refused: {:?}", other.map(|_| ())),
    }
    app.cleanup().await;
}

/// A client that stops reading is closed with 1013 once its send buffer has
/// stayed full, instead of the server buffering for it without bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_is_closed() {
    let app = spawn_app_with(TestBackend::Embedded, |s| s.ws_send_buffer = 8).await;
    let mut slow = connect_slow(&app).await;
    slow.init().await;
    // Each event carries its text thirty times: a few kilobytes, cheap to make.
    let texts: Vec<String> = (0..30).map(|i| format!("t{i}: text")).collect();
    let query = format!("subscription {{ quoteAdded {{ key {} }} }}", texts.join(" "));
    slow.subscribe("all", &query, json!({})).await;
    slow.sync().await;

    // About 6 000 events, some 20 MB, while the slow client reads nothing:
    // far more than the socket buffers on both sides hold.
    let articles = 2_000;
    newsgraph::generate::generate(app.store.as_ref(), articles, 7, 500, |_| {}).await.unwrap();
    // Wait (reading nothing) until the server has given up on the client.
    let given_up = async {
        while !closed_as_slow(&app).await {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(HUNG, given_up).await.expect("the server kept buffering for a client that reads nothing");
    let (events, ended) = slow.until_closed().await;
    assert_eq!(ended, Ended::Closed(1013), "closed as a slow consumer after {events} events");
    assert!(events < articles * 3, "the server gave up before sending everything ({events} events)");
    app.cleanup().await;
}

/// Whether `/metrics` counts a connection closed with 1013.
async fn closed_as_slow(app: &TestApp) -> bool {
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    metrics.lines().any(|line| line.starts_with("newsgraph_websocket_closes_total{code=\"1013\"}"))
}

/// The playground runs subscriptions in a real browser (headless chromium,
/// every other host blocked): a statement the CLI ingests from another process
/// shows up in GraphiQL's result pane.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_playground_runs_a_subscription_in_a_real_browser() {
    use crate::playground::{browser_dir, prepare_browser, run_within, screenshot_path};
    tokio::task::spawn_blocking(prepare_browser).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_shared(TestBackend::Embedded, &dir.path().join("data"), |_| {}).await;
    let screenshot = screenshot_path("playground-subscription.png");
    let _ = std::fs::remove_file(&screenshot);
    let mut node = std::process::Command::new("node");
    node.arg(browser_dir().join("playground-subscription.mjs"))
        .arg(&app.address)
        .arg(&screenshot)
        .arg(dir.path())
        .env("NEWSGRAPH_BIN", BIN)
        .env_remove("NEWSGRAPH_MONGODB_URI")
        .envs(app.store_env())
        .env("NEWSGRAPH_NO_SEED", "true")
        .env("RUST_LOG", "warn");
    let report = tokio::task::spawn_blocking(move || {
        run_within(node, Duration::from_secs(90), "a subscription in the playground in chromium")
    })
    .await
    .unwrap();
    let report: Value = serde_json::from_str(report.trim()).expect("a JSON report");
    assert_eq!(report["ok"], true, "{report:#}");
    let png = std::fs::read(&screenshot).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a real screenshot");
    app.cleanup().await;
}

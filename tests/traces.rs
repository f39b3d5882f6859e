//! Traces: the real binary, started with `NEWSGRAPH_OTLP_ENDPOINT` pointing at
//! a fake OTLP/HTTP collector that this test runs, sends the spans of a
//! request (the request, its operation, its DataLoader batches, its store
//! calls) as OTLP protobuf; the request's W3C `traceparent` is their trace's
//! parent, the request id is on the request's span, and no span carries a
//! variable's value. With a head sampler set by the standard
//! `OTEL_TRACES_SAMPLER`/`OTEL_TRACES_SAMPLER_ARG`, a request sampled out
//! exports no span, and a caller's sampled `traceparent` is honoured.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A variable's value that must never reach a span.
const SECRET_VARIABLE: &str = "LaVrOv";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID: &str = "00f067aa0ba902b7";

/// What the fake collector received: the spans, and every raw body.
#[derive(Default)]
struct Received {
    spans: Vec<Span>,
    bodies: Vec<Vec<u8>>,
    content_types: Vec<String>,
}

async fn collect(req: HttpRequest, body: web::Bytes, received: web::Data<Mutex<Received>>) -> HttpResponse {
    let Ok(export) = ExportTraceServiceRequest::decode(body.as_ref()) else {
        return HttpResponse::BadRequest().finish();
    };
    let mut received = received.lock().unwrap();
    received.bodies.push(body.to_vec());
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    received.content_types.push(content_type.to_owned());
    for resource in export.resource_spans {
        for scope in resource.scope_spans {
            received.spans.extend(scope.spans);
        }
    }
    // An empty ExportTraceServiceResponse.
    HttpResponse::Ok().content_type("application/x-protobuf").finish()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn attributes(span: &Span) -> HashMap<String, String> {
    span.attributes
        .iter()
        .filter_map(|kv| {
            let value = match kv.value.as_ref()?.value.as_ref()? {
                AnyValue::StringValue(s) => s.clone(),
                AnyValue::IntValue(i) => i.to_string(),
                AnyValue::BoolValue(b) => b.to_string(),
                other => format!("{other:?}"),
            };
            Some((kv.key.clone(), value))
        })
        .collect()
}

/// The server, killed (and waited for) when dropped, whatever the test's outcome.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `newsgraph serve` with `env`, and returns it with its address.
fn serve(env: &[(&str, String)]) -> (Served, String) {
    let mut served = Served(
        Command::new(env!("CARGO_BIN_EXE_newsgraph"))
            .args(["serve", "--in-memory", "--bind", "127.0.0.1:0", "--log-format", "json"])
            .arg("--seed-dir")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/seed"))
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting newsgraph"),
    );
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let stderr = served.0.stderr.take().unwrap();
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let found = lines.lock().unwrap().iter().find_map(|line| {
            let line: Value = serde_json::from_str(line).ok()?;
            line["address"].as_str().map(str::to_owned)
        });
        if let Some(address) = found {
            return (served, address);
        }
        assert!(Instant::now() < deadline, "no start-up line: {:?}", lines.lock().unwrap());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The fake collector, running on this test's runtime.
struct Collector {
    received: web::Data<Mutex<Received>>,
    endpoint: String,
    handle: actix_web::dev::ServerHandle,
}

impl Collector {
    fn start() -> Self {
        let received = web::Data::new(Mutex::new(Received::default()));
        let state = received.clone();
        let collector = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(web::PayloadConfig::new(16 * 1024 * 1024))
                .route("/v1/traces", web::post().to(collect))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
        let endpoint = format!("http://127.0.0.1:{}", collector.addrs()[0].port());
        let collector = collector.run();
        let handle = collector.handle();
        tokio::spawn(collector);
        Collector { received, endpoint, handle }
    }

    /// The spans of trace `trace_id`, once one of them has `parent_span_id`
    /// as its parent (the request's span, the last to end); fails after 30 s.
    async fn trace(&self, trace_id: &str, parent_span_id: &str) -> Vec<Span> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let spans: Vec<Span> =
                self.received.lock().unwrap().spans.iter().filter(|s| hex(&s.trace_id) == trace_id).cloned().collect();
            if spans.iter().any(|s| hex(&s.parent_span_id) == parent_span_id) {
                return spans;
            }
            assert!(Instant::now() < deadline, "no request span under the caller's trace {trace_id} within 30 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The GraphQL request of these tests, with a `traceparent` header when given.
async fn who_said_what(address: &str, traceparent: Option<String>) -> reqwest::Response {
    let mut request = reqwest::Client::new().post(format!("http://{address}/graphql"));
    if let Some(traceparent) = traceparent {
        request = request.header("traceparent", traceparent);
    }
    let response = request
        .json(&json!({
            "query": "query WhoSaidWhat($name: String!) { person(name: $name) { name \
                      quotes(first: 5) { edges { node { text article { headline } } } } } }",
            "variables": { "name": SECRET_VARIABLE },
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_reach_the_collector_under_the_callers_trace_without_variable_values() {
    let collector = Collector::start();
    // Batches every 100 ms, so the test need not wait for the default 5 s.
    let (served, address) = serve(&[
        ("NEWSGRAPH_OTLP_ENDPOINT", collector.endpoint.clone()),
        ("OTEL_BSP_SCHEDULE_DELAY", "100".to_owned()),
    ]);
    let response = who_said_what(&address, Some(format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01"))).await;
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["person"]["name"], "Sergei Lavrov", "{body}");

    // The spans of the trace, once its request span (the last to end) is in.
    let spans = collector.trace(TRACE_ID, PARENT_SPAN_ID).await;
    drop(served);
    collector.handle.stop(false).await;
    let received = collector.received;
    let names: Vec<&str> = spans.iter().map(|s| s.name.as_str()).collect();
    let by_id: HashMap<String, &Span> = spans.iter().map(|s| (hex(&s.span_id), s)).collect();
    let request = spans.iter().find(|s| hex(&s.parent_span_id) == PARENT_SPAN_ID).unwrap();
    assert_eq!(request.name, "POST /graphql", "{names:?}");
    let request_attributes = attributes(request);
    assert_eq!(request_attributes.get("request_id"), Some(&request_id), "{request_attributes:?}");
    assert_eq!(request_attributes.get("http.response.status_code").map(String::as_str), Some("200"));

    let operation = spans.iter().find(|s| s.name == "query WhoSaidWhat").unwrap_or_else(|| panic!("{names:?}"));
    assert_eq!(hex(&operation.parent_span_id), hex(&request.span_id), "the operation is the request's child");
    let operation_attributes = attributes(operation);
    assert_eq!(operation_attributes.get("graphql.operation.name").map(String::as_str), Some("WhoSaidWhat"));
    assert_eq!(operation_attributes.get("graphql.operation.type").map(String::as_str), Some("query"));

    // Every other span descends from the operation.
    let under_operation = |span: &Span| {
        let mut parent = hex(&span.parent_span_id);
        while let Some(up) = by_id.get(&parent) {
            if up.span_id == operation.span_id {
                return true;
            }
            parent = hex(&up.parent_span_id);
        }
        false
    };
    let batches: Vec<&Span> = spans.iter().filter(|s| s.name == "dataloader.batch").collect();
    let kinds: Vec<String> = batches.iter().filter_map(|s| attributes(s).get("dataloader.kind").cloned()).collect();
    assert!(kinds.contains(&"related_quotes".to_owned()), "the person's quotes come in a batch: {kinds:?}");
    assert!(kinds.contains(&"articles".to_owned()), "the quotes' articles come in a batch: {kinds:?}");
    assert!(batches.iter().all(|b| under_operation(b)), "batches run under the operation: {names:?}");
    let store_calls: Vec<&Span> =
        spans.iter().filter(|s| attributes(s).get("db.operation.name").is_some_and(|op| *op == s.name)).collect();
    assert!(store_calls.len() >= 3, "the person, their quotes and the articles: {names:?}");
    assert!(store_calls.iter().all(|s| under_operation(s)), "store calls run under the operation: {names:?}");
    assert!(
        batches.iter().any(|b| store_calls.iter().any(|s| s.parent_span_id == b.span_id)),
        "a batch's store call is its child: {names:?}"
    );

    let received = received.lock().unwrap();
    let outside: Vec<&str> =
        received.spans.iter().filter(|s| hex(&s.trace_id) != TRACE_ID).map(|s| s.name.as_str()).collect();
    assert!(outside.is_empty(), "only the request's trace: no spans from start-up or the feed's polling: {outside:?}");
    assert!(received.content_types.iter().all(|t| t == "application/x-protobuf"), "{:?}", received.content_types);
    for body in &received.bodies {
        let body = String::from_utf8_lossy(body);
        assert!(!body.contains(SECRET_VARIABLE), "a variable's value reached the collector: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_sampler_drops_sampled_out_requests_and_honours_a_sampled_parent() {
    const SAMPLED_OUT_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
    let collector = Collector::start();
    // A ratio of 0: no trace of the server's own is kept; a caller's decision is.
    let (served, address) = serve(&[
        ("NEWSGRAPH_OTLP_ENDPOINT", collector.endpoint.clone()),
        ("OTEL_BSP_SCHEDULE_DELAY", "100".to_owned()),
        ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio".to_owned()),
        ("OTEL_TRACES_SAMPLER_ARG", "0".to_owned()),
    ]);
    // No traceparent: the ratio decides, and keeps nothing.
    let alone = who_said_what(&address, None).await.json::<Value>().await.unwrap();
    assert_eq!(alone["data"]["person"]["name"], "Sergei Lavrov", "{alone}");
    // A caller that sampled its trace out (flags 00).
    let unsampled = who_said_what(&address, Some(format!("00-{SAMPLED_OUT_TRACE}-{PARENT_SPAN_ID}-00"))).await;
    assert_eq!(unsampled.json::<Value>().await.unwrap()["data"]["person"]["name"], "Sergei Lavrov");
    // A caller that sampled its trace in (flags 01): every span of the request.
    let sampled = who_said_what(&address, Some(format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01"))).await;
    assert_eq!(sampled.json::<Value>().await.unwrap()["data"]["person"]["name"], "Sergei Lavrov");

    // The exporter sends spans in the order they end: once the sampled
    // request's are in, the two before it would have been too.
    let spans = collector.trace(TRACE_ID, PARENT_SPAN_ID).await;
    // One more export period, for anything that ended late.
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(served);
    collector.handle.stop(false).await;

    let names: Vec<&str> = spans.iter().map(|s| s.name.as_str()).collect();
    for expected in ["POST /graphql", "query WhoSaidWhat", "dataloader.batch"] {
        assert!(names.contains(&expected), "the sampled request's trace lacks {expected}: {names:?}");
    }
    assert!(spans.iter().any(|s| attributes(s).contains_key("db.operation.name")), "its store calls: {names:?}");
    let received = collector.received.lock().unwrap();
    let others: Vec<(String, &str)> = received
        .spans
        .iter()
        .filter(|s| hex(&s.trace_id) != TRACE_ID)
        .map(|s| (hex(&s.trace_id), s.name.as_str()))
        .collect();
    assert!(others.is_empty(), "sampled-out requests exported spans: {others:?}");
}

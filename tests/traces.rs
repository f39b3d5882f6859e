//! Traces: the real binary, started with `NEWSGRAPH_OTLP_ENDPOINT` pointing at
//! a fake OTLP/HTTP collector that this test runs, sends the spans of a
//! request (the request, its operation, its DataLoader batches, its store
//! calls) as OTLP protobuf; the request's W3C `traceparent` is their trace's
//! parent, the request id is on the request's span, and no span carries a
//! variable's value.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_reach_the_collector_under_the_callers_trace_without_variable_values() {
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
    let collector_handle = collector.handle();
    tokio::spawn(collector);

    // Batches every 100 ms, so the test need not wait for the default 5 s.
    let (served, address) =
        serve(&[("NEWSGRAPH_OTLP_ENDPOINT", endpoint), ("OTEL_BSP_SCHEDULE_DELAY", "100".to_owned())]);
    let response = reqwest::Client::new()
        .post(format!("http://{address}/graphql"))
        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01"))
        .json(&json!({
            "query": "query WhoSaidWhat($name: String!) { person(name: $name) { name \
                      quotes(first: 5) { edges { node { text article { headline } } } } } }",
            "variables": { "name": SECRET_VARIABLE },
        }))
        .send()
        .await
        .unwrap();
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["person"]["name"], "Sergei Lavrov", "{body}");

    // The spans of the trace, once its request span (the last to end) is in.
    let deadline = Instant::now() + Duration::from_secs(30);
    let spans: Vec<Span> = loop {
        let spans: Vec<Span> =
            received.lock().unwrap().spans.iter().filter(|s| hex(&s.trace_id) == TRACE_ID).cloned().collect();
        if spans.iter().any(|s| hex(&s.parent_span_id) == PARENT_SPAN_ID) {
            break spans;
        }
        assert!(Instant::now() < deadline, "no request span under the caller's trace within 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    drop(served);
    collector_handle.stop(false).await;

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

//! The real binary's JSON logs: each request's lines carry the request id that
//! its `x-request-id` header shows, and neither query variables, query
//! strings nor API keys ever appear at the default (`info`) level.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEY: &str = "log-test-key-must-never-be-logged";
const SECRET_VARIABLE: &str = "variable-value-must-never-be-logged";
const SECRET_QUERY_STRING: &str = "query-string-value-must-never-be-logged";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_request_id_and_never_variables_or_keys() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_newsgraph"))
        .args(["serve", "--in-memory", "--bind", "127.0.0.1:0", "--log-format", "json"])
        .arg("--seed-dir")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/seed"))
        .env("NEWSGRAPH_API_KEYS", KEY)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting newsgraph");
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let stderr = child.stderr.take().unwrap();
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let address = loop {
        let found = lines.lock().unwrap().iter().find_map(|line| {
            let line: Value = serde_json::from_str(line).ok()?;
            line["address"].as_str().map(str::to_owned)
        });
        if let Some(address) = found {
            break address;
        }
        assert!(Instant::now() < deadline, "no start-up line: {:?}", lines.lock().unwrap());
        std::thread::sleep(Duration::from_millis(20));
    };
    let client = reqwest::Client::new();
    let response = client
        .post(format!("http://{address}/graphql"))
        .bearer_auth(KEY)
        .json(&json!({
            "query": "query($n: String!) { person(name: $n) { name } }",
            "variables": { "n": SECRET_VARIABLE },
        }))
        .send()
        .await
        .unwrap();
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(response.status(), 200);
    let get = client
        .get(format!("http://{address}/graphql?query=%7Bsources%7BtotalCount%7D%7D&x={SECRET_QUERY_STRING}"))
        .header("content-type", "application/json")
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);

    // The access lines are written as the responses go out; give them a moment.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seen = lines.lock().unwrap().iter().any(|l| l.contains(&request_id));
        if seen {
            break;
        }
        assert!(Instant::now() < deadline, "no log line with {request_id}");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let lines = lines.lock().unwrap().clone();
    let line = lines.iter().find(|l| l.contains(&request_id)).unwrap();
    let parsed: Value = serde_json::from_str(line).expect("JSON log lines");
    assert_eq!(parsed["span"]["request_id"], request_id, "{line}");
    assert_eq!(parsed["path"], "/graphql", "{line}");
    assert_eq!(parsed["status"], 200, "{line}");
    let all = lines.join("\n");
    for secret in [KEY, SECRET_VARIABLE, SECRET_QUERY_STRING] {
        assert!(!all.contains(secret), "{secret} was logged:\n{all}");
    }
}

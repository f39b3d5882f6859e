//! The binary as a user runs it: `serve`, `seed`, `schema`, `--help`, and the
//! deployment files that must agree with the settings it reads.

mod support;

use newsgraph::store::Store;
use newsgraph::store::sqlite::SqliteStore;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_newsgraph");

fn newsgraph(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("NEWSGRAPH_MONGODB_URI")
        .env("RUST_LOG", "warn")
        .output()
        .expect("running newsgraph")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_committed_schema_matches_the_code() {
    let committed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/schema.graphql"))
        .expect("schema/schema.graphql");
    let generated = newsgraph::graphql::sdl();
    assert!(
        committed == generated,
        "schema/schema.graphql is out of date: run `cargo run -- schema > schema/schema.graphql`"
    );
    let printed = newsgraph(&["schema"]);
    assert!(printed.status.success());
    assert_eq!(stdout(&printed), generated);
    for contract in [
        "type Article",
        "type Person",
        "type Organization",
        "type Quote",
        "union Speaker",
        "interface Node",
        "NEWS_AGENCY",
        "quotesReported",
        "quotesBy",
        "totalCount",
        "pageInfo",
    ] {
        assert!(generated.contains(contract), "the schema lost `{contract}`");
    }
}

#[test]
fn help_documents_every_setting_with_its_variable() {
    let help = stdout(&newsgraph(&["--help"]));
    for variable in [
        "NEWSGRAPH_BIND",
        "NEWSGRAPH_MONGODB_URI",
        "NEWSGRAPH_DATABASE",
        "NEWSGRAPH_DATA_DIR",
        "NEWSGRAPH_IN_MEMORY",
        "NEWSGRAPH_SEED_DIR",
        "NEWSGRAPH_STORE_TIMEOUT_MS",
        "NEWSGRAPH_MAX_DEPTH",
        "NEWSGRAPH_MAX_COMPLEXITY",
        "NEWSGRAPH_MAX_BODY_BYTES",
        "NEWSGRAPH_LOG_FORMAT",
        "NEWSGRAPH_MAX_ALIASES",
        "NEWSGRAPH_MAX_DIRECTIVES",
        "NEWSGRAPH_MAX_TOKENS",
        "NEWSGRAPH_MAX_BATCH",
        "NEWSGRAPH_QUERY_TIMEOUT_MS",
        "NEWSGRAPH_RATE_LIMIT",
        "NEWSGRAPH_RATE_LIMIT_BURST",
        "NEWSGRAPH_CORS_ORIGINS",
    ] {
        assert!(help.contains(variable), "--help does not mention {variable}");
    }
    for command in ["serve", "seed", "schema"] {
        assert!(help.contains(command));
    }
}

#[test]
fn each_subcommand_help_lists_only_the_flags_it_reads() {
    let ingest = stdout(&newsgraph(&["ingest", "--help"]));
    for used in [
        "--outlet",
        "--data-dir",
        "--mongodb-uri",
        "--store-timeout-ms",
        "--lexicon-dir",
        "--log-format",
        "--fetch-allow-private",
        "--fetch-max-bytes",
    ] {
        assert!(ingest.contains(used), "`ingest --help` lacks {used}:\n{ingest}");
    }
    for unused in ["--bind", "--ws-keepalive-ms", "--max-subscriptions", "--rate-limit", "--playground", "--seed-dir"] {
        assert!(!ingest.contains(unused), "`ingest --help` lists {unused}, which ingest never reads:\n{ingest}");
    }
    let watch = stdout(&newsgraph(&["watch", "--help"]));
    for used in ["--once", "--data-dir", "--mongodb-uri", "--fetch-allow-private", "--fetch-timeout-ms", "[[feed]]"] {
        assert!(watch.contains(used), "`watch --help` lacks {used}:\n{watch}");
    }
    for unused in ["--bind", "--ws-keepalive-ms", "--rate-limit", "--seed-dir", "--feeds "] {
        assert!(!watch.contains(unused), "`watch --help` lists {unused}, which watch never reads:\n{watch}");
    }
    let extract = stdout(&newsgraph(&["extract", "--help"]));
    assert!(extract.contains("--lexicon-dir") && extract.contains("--out"));
    assert!(!extract.contains("--data-dir") && !extract.contains("--mongodb-uri"), "{extract}");
    let key = stdout(&newsgraph(&["key", "generate", "--help"]));
    assert!(!key.contains("--bind") && !key.contains("--data-dir"), "{key}");
    let seed = stdout(&newsgraph(&["seed", "--help"]));
    assert!(seed.contains("--seed-dir") && !seed.contains("--cors-origins"), "{seed}");
    // serve reads every setting, and so does the bare command (which serves).
    for serve in [stdout(&newsgraph(&["serve", "--help"])), stdout(&newsgraph(&["--help"]))] {
        assert!(
            serve.contains("--ws-keepalive-ms") && serve.contains("--data-dir") && serve.contains("--feeds"),
            "{serve}"
        );
    }
    // A setting given after the subcommand's name still applies.
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let output =
        newsgraph(&["ingest", "--data-dir", dir.path().join("store").to_str().unwrap(), missing.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(dir.path().join("store").exists(), "ingest opened its store in --data-dir");
}

#[test]
fn the_readme_lists_every_setting() {
    let help = stdout(&newsgraph(&["--help"]));
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut variables: Vec<&str> = help
        .match_indices("NEWSGRAPH_")
        .map(|(at, _)| {
            let rest = &help[at..];
            let end = rest.find(|c: char| !(c.is_ascii_uppercase() || c == '_')).unwrap_or(rest.len());
            &rest[..end]
        })
        .collect();
    variables.sort();
    variables.dedup();
    assert!(variables.len() >= 25, "{variables:?}");
    for variable in variables {
        assert!(readme.contains(&format!("`{variable}`")), "the README's settings table lacks {variable}");
    }
}

async fn embedded_counts(dir: &Path) -> newsgraph::store::Counts {
    SqliteStore::open(dir).unwrap().counts().await.unwrap()
}

#[tokio::test]
async fn seed_is_idempotent_on_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let seed = support::seed_dir();
    let args = ["seed", "--data-dir", data, "--seed-dir", seed.to_str().unwrap()];
    let first = newsgraph(&args);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("1 articles (+1), 9 quotes (+9), 4 people (+4), 17 organizations (+17)"),
        "{}",
        stdout(&first)
    );
    let second = newsgraph(&args);
    assert!(second.status.success());
    assert!(
        stdout(&second).contains("1 articles (+0), 9 quotes (+0), 4 people (+0), 17 organizations (+0)"),
        "{}",
        stdout(&second)
    );
    let counts = embedded_counts(dir.path()).await;
    assert_eq!((counts.articles, counts.quotes, counts.people, counts.organizations), (1, 9, 4, 17));
}

#[test]
fn seed_is_idempotent_on_mongodb() {
    let server = support::ferretdb::shared();
    let database = support::unique_name("cli");
    let uri = server.uri();
    let seed = support::seed_dir();
    let args = ["seed", "--mongodb-uri", &uri, "--database", &database, "--seed-dir", seed.to_str().unwrap()];
    let first = newsgraph(&args);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("into the mongodb store: 1 articles (+1), 9 quotes (+9)"), "{}", stdout(&first));
    let second = newsgraph(&args);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stdout(&second).contains("1 articles (+0), 9 quotes (+0), 4 people (+0), 17 organizations (+0)"),
        "{}",
        stdout(&second)
    );
}

/// Copies the seed directory, lets `break_it` damage graph.json, and seeds it into a fresh store.
fn seed_broken(break_it: impl FnOnce(String) -> String) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed");
    std::fs::create_dir_all(seed.join("articles")).unwrap();
    let source = support::seed_dir();
    let body = "articles/issg-vienna-2016-05-17.txt";
    std::fs::copy(source.join(body), seed.join(body)).unwrap();
    let graph = std::fs::read_to_string(source.join("graph.json")).unwrap();
    std::fs::write(seed.join("graph.json"), break_it(graph)).unwrap();
    let data = dir.path().join("data");
    let output = newsgraph(&["seed", "--data-dir", data.to_str().unwrap(), "--seed-dir", seed.to_str().unwrap()]);
    (output, dir)
}

#[tokio::test]
async fn a_broken_seed_is_rejected_with_file_field_and_reason_before_any_write() {
    type Damage = Box<dyn FnOnce(String) -> String>;
    let cases: Vec<(Damage, &[&str])> = vec![
        (
            Box::new(|g| g.replacen(r#""via": ["the-guardian"]"#, r#""via": ["the-gardian"]"#, 1)),
            &["graph.json", "articles[0].quotes[0].via[0]", "unknown organization `the-gardian`"],
        ),
        (
            Box::new(|g| g.replacen("\"kind\": \"news_agency\"", "\"kind\": \"wire\"", 1)),
            &["graph.json", "line 4", "organizations[1].kind", "unknown variant `wire`"],
        ),
        (Box::new(|g| g.replacen("\"organizations\": [", "\"organizations\": [,", 1)), &["graph.json", "line 2"]),
        (
            Box::new(|g| g.replacen("They opined that Assad", "They said that Assad", 1)),
            &["articles[0].quotes[4].at", "not found in the article body"],
        ),
        (
            Box::new(|g| g.replacen("Particularly on the regime side.", "Particularly on the rebel side.", 1)),
            &["articles[0].quotes[7].text", "not found in the article body"],
        ),
        (Box::new(|g| g.replacen("\"sergei-lavrov\"", "\"$where\"", 1)), &["people[1].id", "found '$'"]),
        (Box::new(|g| g.replacen("articles/issg", "../../etc/issg", 1)), &["articles[0].body_file", "plain path"]),
        (
            Box::new(|g| g.replacen(r#""via": ["the-guardian"]"#, r#""via": ["france"]"#, 1)),
            &["articles[0].quotes[0].via[0]", "not a news agency or outlet"],
        ),
    ];
    for (case, (break_it, expected)) in cases.into_iter().enumerate() {
        let (output, dir) = seed_broken(break_it);
        assert!(!output.status.success(), "broken seed {case} must fail: {}", stdout(&output));
        let message = stderr(&output);
        for part in expected {
            assert!(message.contains(part), "`{part}` missing from: {message}");
        }
        let data = dir.path().join("data");
        if data.exists() {
            let counts = embedded_counts(&data).await;
            assert_eq!(counts, newsgraph::store::Counts::default(), "nothing may be written: {message}");
        }
    }
}

/// A running `newsgraph serve` process and the address it logged.
struct Served {
    child: std::process::Child,
    address: String,
    log: Vec<String>,
}

fn serve(data_dir: &Path) -> Served {
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir", data_dir.to_str().unwrap()])
        .args(["--seed-dir", support::seed_dir().to_str().unwrap()])
        .env_remove("NEWSGRAPH_MONGODB_URI")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut log = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let address = loop {
        assert!(Instant::now() < deadline, "no serving line in {log:?}");
        let line = lines.next().expect("the server exited early").unwrap();
        log.push(line.clone());
        if let Some(rest) = line.split("newsgraph serving on http://").nth(1) {
            assert!(rest.contains("with the embedded store"), "the line names the backend: {line}");
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Served { child, address, log }
}

/// POSTs a query over a plain TCP connection (this test runs no async runtime).
fn ask(address: &str, query: &str) -> Value {
    use std::io::{Read, Write};
    let body = serde_json::json!({ "query": query }).to_string();
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let json = response.split("\r\n\r\n").nth(1).expect("an HTTP body");
    serde_json::from_str(json).unwrap()
}

fn terminate(mut served: Served) {
    let status = Command::new("kill").args(["-TERM", &served.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = served.child.try_wait().unwrap() {
            assert!(status.success(), "graceful shutdown exits 0, got {status}");
            return;
        }
        assert!(Instant::now() < deadline, "did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_seeds_a_fresh_data_dir_persists_it_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve(dir.path());
    assert!(served.log.iter().any(|l| l.contains("seeded the empty store")), "{:?}", served.log);
    let answer = ask(&served.address, r#"{ person(name: "Lavrov") { quotes { totalCount } } }"#);
    assert_eq!(answer["data"]["person"]["quotes"]["totalCount"], 1);
    terminate(served);

    // A restart finds the data on disk and does not seed again.
    let served = serve(dir.path());
    assert!(!served.log.iter().any(|l| l.contains("seeded the empty store")), "{:?}", served.log);
    let answer = ask(&served.address, "{ quotes { totalCount } }");
    assert_eq!(answer["data"]["quotes"]["totalCount"], 9);
    terminate(served);
}

#[test]
fn docker_compose_is_valid_and_uses_the_settings_the_server_reads() {
    let checker = support::tools::build("composecheck");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(checker).arg(root.join("docker-compose.yml")).output().unwrap();
    assert!(output.status.success(), "docker-compose.yml is invalid: {}", stderr(&output));
    let project: Value = serde_json::from_slice(&output.stdout).unwrap();
    let services = &project["services"];
    assert_eq!(services["mongo"]["image"], "mongo:7");
    let read: BTreeSet<String> = {
        use clap::CommandFactory;
        newsgraph::cli::Cli::command()
            .get_arguments()
            .filter_map(|a| a.get_env().map(|e| e.to_string_lossy().into_owned()))
            .chain(["RUST_LOG".to_string()])
            .collect()
    };
    for name in ["newsgraph", "seed"] {
        let service = &services[name];
        assert!(
            service["build"]["dockerfile"].as_str().unwrap_or("Dockerfile").ends_with("Dockerfile"),
            "{name} is built from the repo"
        );
        let environment = service["environment"].as_object().unwrap();
        for variable in environment.keys() {
            assert!(read.contains(variable), "{name} sets {variable}, which newsgraph does not read");
        }
        assert!(environment["NEWSGRAPH_MONGODB_URI"].as_str().unwrap().starts_with("mongodb://mongo"));
    }
    assert_eq!(services["seed"]["command"], serde_json::json!(["seed"]));
    assert_eq!(services["newsgraph"]["depends_on"]["seed"]["condition"], "service_completed_successfully");
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("cargo build --release --locked"));
    assert!(dockerfile.contains("ENTRYPOINT [\"newsgraph\"]"));
    // Without npm in the builder, build.rs cannot embed the front-end packages
    // and the image's pages would load them from a CDN.
    assert!(dockerfile.contains("/usr/local/bin/npm"), "the builder stage has npm");
    // jemalloc, the default allocator, is built from C with make.
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    if manifest.contains("default = [\"jemalloc\"]") {
        assert!(dockerfile.contains("--no-install-recommends make"), "the builder stage has make for jemalloc");
    }
}

#[test]
fn a_lexicon_directory_extends_the_word_lists_and_a_bad_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("story.txt");
    std::fs::write(&text, "Deal\n\nZorvex said it would cut 300 jobs, the company said in a statement.\n").unwrap();
    let org_of = |output: &Output| -> Option<String> {
        let extraction: Value = serde_json::from_slice(&output.stdout).ok()?;
        let orgs = extraction["organizations"].as_array()?.clone();
        orgs.iter().find(|o| o["name"] == "Zorvex Holdings").map(|o| o["kind"].as_str().unwrap_or_default().to_string())
    };
    let plain = newsgraph(&["extract", text.to_str().unwrap()]);
    assert!(plain.status.success(), "{}", stderr(&plain));
    assert_eq!(org_of(&plain), None, "the built-in lists do not know it");

    let lexicon = dir.path().join("lexicon");
    std::fs::create_dir(&lexicon).unwrap();
    std::fs::write(lexicon.join("organizations.txt"), "# ours\nc|Zorvex Holdings|Zorvex\n").unwrap();
    let extended = newsgraph(&["--lexicon-dir", lexicon.to_str().unwrap(), "extract", text.to_str().unwrap()]);
    assert!(extended.status.success(), "{}", stderr(&extended));
    assert_eq!(org_of(&extended).as_deref(), Some("company"));

    std::fs::write(lexicon.join("organizations.txt"), "c|Zorvex Holdings\nnot an entry\n").unwrap();
    let broken = newsgraph(&["--lexicon-dir", lexicon.to_str().unwrap(), "extract", text.to_str().unwrap()]);
    assert!(!broken.status.success());
    let message = stderr(&broken);
    assert!(message.contains("organizations.txt") && message.contains('2'), "file and line named: {message}");
    assert!(broken.stdout.is_empty(), "nothing extracted with a broken lexicon");
}

#[test]
fn extract_prints_the_expected_shape_and_writes_one_file_per_input() {
    let seed_text = support::seed_dir().join("articles/issg-vienna-2016-05-17.txt");
    let output = newsgraph(&["extract", seed_text.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let extraction: Value = serde_json::from_slice(&output.stdout).unwrap();
    for field in ["people", "organizations", "quotes"] {
        assert!(extraction[field].is_array(), "{field} missing");
    }
    let quote = &extraction["quotes"][0];
    for field in ["text", "direct", "speaker", "speaker_is_person", "via"] {
        assert!(quote.get(field).is_some(), "quotes[].{field} missing");
    }

    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "  \n").unwrap();
    let out = dir.path().join("out");
    let output =
        newsgraph(&["extract", "--out", out.to_str().unwrap(), seed_text.to_str().unwrap(), empty.to_str().unwrap()]);
    assert!(!output.status.success(), "a failed input makes the command fail");
    assert!(stderr(&output).contains("empty.txt: the text is empty"), "{}", stderr(&output));
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("issg-vienna-2016-05-17.json")).unwrap()).unwrap();
    assert_eq!(written, extraction, "the good file is still written, and nothing else");
    assert!(!out.join("empty.json").exists());
}

#[tokio::test]
async fn ingest_reports_per_file_and_one_bad_file_spoils_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let texts = dir.path().join("texts");
    std::fs::create_dir_all(&texts).unwrap();
    let good = [
        ("a.txt", "Port strike ends\n\n\"We have a deal,\" union leader Maria Lopez told Reuters on Friday."),
        ("b.txt", "Rates on hold\n\nThe central bank kept rates unchanged, officials said, according to Bloomberg."),
    ];
    for (name, text) in good {
        std::fs::write(texts.join(name), text).unwrap();
    }
    std::fs::write(texts.join("c.bin"), [0u8, 159, 146, 150, 0, 0, 1, 2]).unwrap();
    let data = dir.path().join("data");
    let mut args = vec![
        "ingest".to_string(),
        "--data-dir".into(),
        data.to_str().unwrap().into(),
        "--outlet".into(),
        "Wire Desk".into(),
    ];
    for name in ["a.txt", "c.bin", "b.txt"] {
        args.push(texts.join(name).to_str().unwrap().into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = newsgraph(&args);
    let out = stdout(&output) + &stderr(&output);
    assert!(!output.status.success(), "a failed file makes the command fail: {out}");
    assert!(out.contains("a.txt: article port-strike-ends-") && out.contains("(new)"), "{out}");
    assert!(out.contains("c.bin: failed: the content is binary"), "{out}");
    assert!(out.contains("2 of 3 articles ingested"), "{out}");
    let counts = embedded_counts(&data).await;
    assert_eq!(counts.articles, 2);

    // Again: the same articles are rewritten, nothing is added.
    let again = newsgraph(&args);
    let out = stdout(&again) + &stderr(&again);
    assert!(out.contains("(rewritten)"), "{out}");
    assert_eq!(embedded_counts(&data).await, counts);
}

/// Runs `newsgraph` with `input` on its standard input.
fn newsgraph_with_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("NEWSGRAPH_MONGODB_URI")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running newsgraph");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// A directory of pages, NDJSON and text, read recursively and told apart by
/// content: the page's article (not its chrome) with its metadata, each NDJSON
/// line as an article, a section front skipped, a binary `.html` refused.
#[tokio::test]
async fn ingest_reads_pages_ndjson_directories_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("inputs");
    let pages = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages");
    std::fs::create_dir_all(inputs.join("crawl/2026")).unwrap();
    // Names that lie: the page has no extension, the text is named .html.
    std::fs::copy(pages.join("harbour-article.html"), inputs.join("crawl/2026/harbour")).unwrap();
    std::fs::copy(pages.join("section-business.html"), inputs.join("crawl/business.html")).unwrap();
    std::fs::write(inputs.join("crawl/photo.html"), [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
        .unwrap();
    std::fs::write(inputs.join("note.html"), "Rates on hold\n\nThe central bank kept rates unchanged, officials said.")
        .unwrap();
    let ndjson = [
        serde_json::json!({"text": "Bridge reopens\n\n\"It is safe,\" engineer Tom Reyes said on Monday.", "outlet": "Valley Post", "publishedAt": "2026-03-02T09:00:00Z"}),
        serde_json::json!({"text": "x", "html": "<p>both</p>"}),
    ];
    let mut lines: Vec<String> = ndjson.iter().map(|v| v.to_string()).collect();
    lines.insert(1, "{\"headline\": \"broken\"".into());
    std::fs::write(inputs.join("wire.ndjson"), lines.join("\n") + "\n").unwrap();
    std::fs::write(inputs.join(".hidden.txt"), "Hidden\n\nNot read.").unwrap();
    let mut huge = b"<!DOCTYPE html><html><body><p>".to_vec();
    huge.resize(newsgraph::ingest::source::MAX_SOURCE_BYTES + 10, b'a');
    std::fs::write(inputs.join("crawl/huge.html"), huge).unwrap();

    let data = dir.path().join("data");
    let output = newsgraph(&["ingest", "--data-dir", data.to_str().unwrap(), inputs.to_str().unwrap()]);
    let out = stdout(&output) + &stderr(&output);
    assert!(!output.status.success(), "bad NDJSON lines and the binary page fail the command: {out}");
    assert!(out.contains("harbour: article harbour-workers-end-three-week-strike-after-pay-deal-"), "{out}");
    assert!(out.contains("business.html: skipped: not an article"), "{out}");
    assert!(out.contains("photo.html: failed: the content is binary"), "{out}");
    assert!(out.contains("note.html: article rates-on-hold-"), "{out}");
    assert!(out.contains("wire.ndjson:1: article bridge-reopens-"), "{out}");
    assert!(out.contains("wire.ndjson:2: failed: not an article: EOF"), "{out}");
    assert!(out.contains("wire.ndjson:3: failed: an article has exactly one of `text` and `html`"), "{out}");
    assert!(!out.contains("hidden"), "{out}");
    assert!(out.contains("huge.html: failed: the input is over the limit of 16777216 bytes"), "{out}");
    assert!(out.contains("3 of 7 articles ingested, 1 pages skipped as not articles, 4 failed"), "{out}");

    let store = SqliteStore::open(&data).unwrap();
    assert_eq!(store.counts().await.unwrap().articles, 3);
    let page = store
        .find_articles(&Default::default(), Default::default(), &newsgraph::store::Page::first(10))
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.headline.starts_with("Harbour workers"))
        .expect("the page's article");
    assert_eq!(page.url.as_deref(), Some("https://courier.example/news/2026/03/14/harbour-strike-ends"));
    assert_eq!(page.language.as_deref(), Some("en-GB"));
    assert_eq!(page.published_at.unwrap().to_rfc3339(), "2026-03-14T08:30:00+00:00");
    assert!(page.body.starts_with("PORT ELLERY"), "{}", page.body);
    assert!(!page.body.contains("cookies") && !page.body.contains("Most read"), "{}", page.body);
    let outlet = store.organizations(&[page.outlet.clone().unwrap()]).await.unwrap();
    assert_eq!(outlet[0].name, "Coastline Courier");
    let quotes =
        store.related_quotes(newsgraph::store::QuoteRelation::InArticle, &[page.id.to_string()]).await.unwrap();
    assert!(quotes.len() >= 3, "{quotes:#?}");
    for (_, quote) in &quotes {
        let stored = quote.span.slice(&page.body).expect("the span lies in the stored body");
        let opening: String = quote.text.chars().take(15).collect();
        assert!(stored.contains(&opening), "the span of {:?} indexes the stored body: {stored:?}", quote.text);
    }
    drop(store);

    // Standard input, told from its content too.
    let page = std::fs::read(pages.join("harbour-article.html")).unwrap();
    let again = newsgraph_with_stdin(&["ingest", "--data-dir", data.to_str().unwrap(), "-"], &page);
    let out = stdout(&again) + &stderr(&again);
    assert!(again.status.success(), "{out}");
    assert!(
        out.contains("stdin: article harbour-workers-end-three-week-strike-after-pay-deal-")
            && out.contains("(rewritten)"),
        "{out}"
    );
}

/// URLs among the inputs are fetched: the page's article stored with its
/// canonical URL; loopback refused unless `NEWSGRAPH_FETCH_ALLOW_PRIVATE` allows
/// it; a failed fetch fails its input only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_fetches_urls_and_refuses_loopback_unless_allowed() {
    let server = support::pages::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_dir = data.to_str().unwrap().to_owned();
    let (page, image) = (server.url("/page"), server.url("/image"));
    let run = move |allow: bool| {
        let mut command = Command::new(BIN);
        command.args(["ingest", "--data-dir", &data_dir, &page, &image]).env_remove("NEWSGRAPH_MONGODB_URI");
        command.env("RUST_LOG", "warn").env("NEWSGRAPH_FETCH_TIMEOUT_MS", "5000");
        if allow {
            command.env("NEWSGRAPH_FETCH_ALLOW_PRIVATE", "true");
        } else {
            command.env_remove("NEWSGRAPH_FETCH_ALLOW_PRIVATE");
        }
        command.output().expect("running newsgraph")
    };
    let refused = tokio::task::spawn_blocking({
        let run = run.clone();
        move || run(false)
    })
    .await
    .unwrap();
    let out = stdout(&refused) + &stderr(&refused);
    assert!(!refused.status.success(), "{out}");
    assert!(out.contains("/page: failed: refused: 127.0.0.1 is not a public address"), "{out}");
    assert!(out.contains("0 of 2 articles ingested"), "{out}");

    let allowed = tokio::task::spawn_blocking(move || run(true)).await.unwrap();
    let out = stdout(&allowed) + &stderr(&allowed);
    assert!(out.contains("/page: article harbour-workers-end-three-week-strike-after-pay-deal-"), "{out}");
    assert!(out.contains("/image: failed: not an HTML page: the server sent image/png"), "{out}");
    assert!(out.contains("1 of 2 articles ingested"), "{out}");
    let store = SqliteStore::open(&data).unwrap();
    let articles =
        store.find_articles(&Default::default(), Default::default(), &newsgraph::store::Page::first(10)).await.unwrap();
    assert_eq!(articles.len(), 1);
    assert_eq!(articles[0].url.as_deref(), Some("https://courier.example/news/2026/03/14/harbour-strike-ends"));
    assert!(articles[0].body.starts_with("PORT ELLERY"), "{}", articles[0].body);
    server.stop().await;
}

#[test]
fn eval_scores_the_seed_article_perfectly() {
    let gold = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extraction/seed");
    let output = newsgraph(&["eval", gold.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let table = stdout(&output);
    let all = table.lines().find(|l| l.starts_with("ALL")).expect("an ALL row");
    let figures: Vec<f64> = all.split_whitespace().skip(1).map(|f| f.parse().unwrap()).collect();
    assert_eq!(figures.len(), 9, "{table}");
    assert!(figures.iter().all(|&f| f == 1.0), "the seed article must score 1.00 everywhere:\n{table}");
    let missing = newsgraph(&["eval", "/nonexistent-gold-dir"]);
    assert!(!missing.status.success());
}

#[tokio::test]
async fn a_generated_key_authorizes_writes_through_the_keys_file() {
    use newsgraph::graphql::access::{Author, Scope};
    let output = newsgraph(&["key", "generate", "--name", "desk-editor", "--scope", "edit,ingest"]);
    assert!(output.status.success());
    let text = stdout(&output);
    let key = text.lines().find(|l| l.starts_with("key ")).and_then(|l| l.split_whitespace().last()).unwrap();
    let line = text.lines().last().unwrap().to_owned();
    assert_eq!(key.len(), 64);
    assert!(!line.contains(key), "the file holds the digest, not the key: {line}");
    assert!(line.ends_with(" name=desk-editor scopes=ingest,edit"), "{line}");
    let again = stdout(&newsgraph(&["key", "generate"]));
    assert!(!again.contains(key), "every key is fresh");
    assert!(again.trim_end().ends_with("scopes=read,ingest"), "the default scopes: {again}");
    let refused = newsgraph(&["key", "generate", "--scope", "edit,root"]);
    assert!(!refused.status.success(), "an unknown scope is refused");
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.txt");
    std::fs::write(&keys, format!("# ops team\n{line}\n")).unwrap();
    let mut settings = newsgraph::config::Settings::for_tests();
    settings.api_keys_file = Some(keys);
    settings.production = true;
    let policy = settings.write_policy().unwrap();
    let caller = |header: &str| newsgraph::graphql::access::caller_from_header(Some(header));
    let digest = line.split_whitespace().next().unwrap();
    let author = policy.authorize(&caller(&format!("Bearer {key}")), Scope::Edit).unwrap();
    assert_eq!(author, Author("desk-editor".into()));
    assert!(policy.authorize(&caller(&format!("Bearer {key}")), Scope::Admin).is_err(), "no admin scope");
    assert!(policy.authorize(&caller(&format!("Bearer {digest}")), Scope::Ingest).is_err(), "the digest is not a key");
}

/// The names of the indexes and triggers of the store in `dir`.
fn schema_objects(dir: &Path) -> BTreeSet<String> {
    let conn = rusqlite::Connection::open(dir.join("newsgraph.sqlite3")).unwrap();
    let mut stmt =
        conn.prepare("SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('index', 'trigger')").unwrap();
    stmt.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
}

/// `generate` loads with the counters' triggers and the indexes dropped: a
/// process killed in the middle of it must leave them in place.
#[tokio::test]
async fn a_killed_generate_leaves_the_store_with_its_indexes_and_triggers() {
    let fresh = tempfile::tempdir().unwrap();
    drop(SqliteStore::open(fresh.path()).unwrap());
    let expected = schema_objects(fresh.path());
    assert!(expected.contains("trigger quotes_count_insert") && expected.contains("index links_sorted"));

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let mut child = Command::new(BIN)
        .args(["generate", "--data-dir", data, "--articles", "1000000", "--seed", "1", "--batch", "200"])
        .env_remove("NEWSGRAPH_MONGODB_URI")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("running newsgraph generate");
    // Wait until the load holds the write lock (migrations done, rows going in).
    let file = dir.path().join("newsgraph.sqlite3");
    let started = Instant::now();
    loop {
        assert!(child.try_wait().unwrap().is_none(), "generate ended before it was killed");
        assert!(started.elapsed() < Duration::from_secs(300), "the load never started");
        if let Ok(conn) = rusqlite::Connection::open(&file) {
            let migrated = conn.pragma_query_value(None, "user_version", |row| row.get::<_, usize>(0)).unwrap_or(0) > 0
                && conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'quote_counts'", [], |r| {
                    r.get::<_, i64>(0)
                }) == Ok(1);
            if migrated && conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK;").is_err() {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let it write some batches, then kill it.
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().unwrap();
    child.wait().unwrap();

    let store = SqliteStore::open(dir.path()).unwrap();
    assert_eq!(schema_objects(dir.path()), expected, "indexes and triggers are all there");
    let counts = store.counts().await.unwrap();
    assert_eq!((counts.articles, counts.quotes), (0, 0), "nothing of the load was committed");
    // The triggers count again: a write after the crash shows in the counters.
    let cast = newsgraph::generate::Cast::new(20, 1);
    let (article, quotes) = newsgraph::generate::article(&cast, 1, 0);
    let batch = newsgraph::store::GraphBatch {
        organizations: cast.organizations(),
        people: cast.people.clone(),
        articles: vec![article],
        quotes: quotes.clone(),
        ..Default::default()
    };
    store.write(&batch).await.unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("newsgraph.sqlite3")).unwrap();
    let counted: i64 = conn
        .query_row("SELECT sum(n) FROM quote_counts WHERE dim = 'all' AND grain = 'y'", [], |row| row.get(0))
        .unwrap();
    assert_eq!(counted, quotes.len() as i64);
}

#[test]
fn export_writes_what_a_filter_matches_and_refuses_a_bad_filter() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    assert!(newsgraph(&["seed", "--data-dir", data]).status.success());
    let afp = r#"{"via": ["agence-france-presse"]}"#;
    let lines = newsgraph(&["export", "quotes", "--data-dir", data, "--format", "ndjson", "--filter", afp]);
    assert!(lines.status.success(), "{}", stderr(&lines));
    let rows: Vec<Value> = stdout(&lines).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(rows.len() >= 3, "{rows:?}");
    assert!(rows.iter().all(|r| r["via"].as_array().unwrap().iter().any(|v| v == "Agence France-Presse")));
    let all = newsgraph(&["export", "quotes", "--data-dir", data, "--format", "ndjson"]);
    assert!(stdout(&all).lines().count() > rows.len(), "the filter narrowed the export");
    let out = dir.path().join("articles.csv");
    let written = newsgraph(&["export", "articles", "--data-dir", data, "--out", out.to_str().unwrap()]);
    assert!(written.status.success(), "{}", stderr(&written));
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with("id,key,headline,published_at,"), "{csv}");
    let bad = newsgraph(&["export", "quotes", "--data-dir", data, "--filter", r#"{"speakers": "#]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("BAD_USER_INPUT"), "{}", stderr(&bad));
}

/// `newsgraph watch --once FILE` as a user runs it: a line per feed, the store
/// filled; run again, nothing is read twice (a 304 where the feed has
/// validators), and a feed that fails makes the exit status say so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_once_polls_every_feed_and_a_second_run_reads_nothing_again() {
    let site = support::feed_server::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let feeds = dir.path().join("feeds.toml");
    let file = format!(
        "host_delay = \"0ms\"\n[[feed]]\nurl = \"{}\"\noutlet = \"Coastline Courier\"\n[[feed]]\nurl = \"{}\"\n",
        site.url("/courier/rss.xml"),
        site.url("/desk/feed.json")
    );
    std::fs::write(&feeds, file).unwrap();
    let watch = |extra: &[&str]| {
        let mut args =
            vec!["watch", "--once", "--fetch-allow-private", "--no-seed", "--data-dir", data.to_str().unwrap()];
        args.extend_from_slice(extra);
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        async move {
            tokio::task::spawn_blocking(move || newsgraph(&args.iter().map(String::as_str).collect::<Vec<_>>()))
                .await
                .unwrap()
        }
    };
    let first = watch(&[feeds.to_str().unwrap()]).await;
    assert!(first.status.success(), "{}{}", stdout(&first), stderr(&first));
    let out = stdout(&first);
    assert!(out.contains("[ok] 3 items: 3 ingested (1 from the item's own text)"), "{out}");
    assert!(out.contains("[ok] 1 items: 1 ingested"), "{out}");
    assert!(out.contains("2 of 2 feeds polled, 4 articles ingested"), "{out}");
    assert_eq!(embedded_counts(&data).await.articles, 4);

    let second = watch(&[feeds.to_str().unwrap()]).await;
    assert!(second.status.success(), "{}{}", stdout(&second), stderr(&second));
    let out = stdout(&second);
    assert!(out.contains(&format!("{} [not_modified]", site.url("/courier/rss.xml"))), "{out}");
    assert!(out.contains("[ok] 1 items: 0 ingested"), "the JSON Feed has no validators, its item is known: {out}");
    assert_eq!(embedded_counts(&data).await.articles, 4);

    std::fs::write(&feeds, format!("[[feed]]\nurl = \"{}\"\n", site.url("/broken/feed.xml"))).unwrap();
    let broken = watch(&[feeds.to_str().unwrap()]).await;
    assert!(!broken.status.success());
    assert!(stdout(&broken).contains("[MALFORMED_FEED] failed: not a feed"), "{}", stdout(&broken));
    std::fs::write(&feeds, "[[feed]]\nurl = \"https://x.example/f\"\nintervall = \"5m\"\n").unwrap();
    let invalid = watch(&[feeds.to_str().unwrap()]).await;
    assert!(!invalid.status.success());
    assert!(
        stderr(&invalid).contains("intervall"),
        "a bad feeds file is refused, naming the key: {}",
        stderr(&invalid)
    );
    site.stop().await;
}

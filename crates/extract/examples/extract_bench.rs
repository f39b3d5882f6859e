//! Throughput: runs extraction over every fixture text repeatedly on one thread and
//! prints articles per second.
//!
//! Usage: `cargo run --release --example extract_bench [-- ROUNDS]`

use std::path::Path;
use std::time::Instant;

fn texts() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/extraction");
    let mut out = Vec::new();
    for set in ["seed", "dev", "heldout", "real/dev", "real/test"] {
        let Ok(rd) = std::fs::read_dir(root.join(set)) else {
            continue;
        };
        let mut paths: Vec<_> =
            rd.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "txt")).collect();
        paths.sort();
        for p in paths {
            if let Ok(t) = std::fs::read_to_string(&p) {
                out.push(t);
            }
        }
    }
    out
}

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let texts = texts();
    if texts.is_empty() {
        eprintln!("no fixture texts found");
        std::process::exit(1);
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    // Warm-up (builds the gazetteer tables).
    for t in &texts {
        let _ = newsgraph_extract::extract(t);
    }
    let start = Instant::now();
    let mut quotes = 0usize;
    for _ in 0..rounds {
        for t in &texts {
            if let Ok(x) = newsgraph_extract::extract(t) {
                quotes += x.quotes.len();
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = rounds * texts.len();
    println!(
        "{n} extractions of {} articles ({:.1} KB) in {secs:.2} s on one thread: {:.0} articles/s, {:.2} MB/s ({quotes} quotes)",
        texts.len(),
        bytes as f64 / 1024.0,
        n as f64 / secs,
        (rounds * bytes) as f64 / secs / 1e6
    );
}

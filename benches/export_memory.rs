//! An export's memory: does streaming every quote of a large store take the
//! memory of one page, whatever the number of rows?
//!
//! ```text
//! cargo bench --bench export_memory -- [--sizes 34000,340000]
//! ```
//! For each size (articles; about three quotes each) it generates the
//! synthetic corpus (bulk load) into an embedded store under `target/bench-data` (kept
//! between runs, shared with the query benchmark), then:
//! - starts the server on it and streams `GET /export/quotes.csv`, counting
//!   the rows, with the server's anonymous RSS (heap and stacks, without the
//!   memory-mapped store) before, at its highest while streaming (sampled
//!   every 20 ms) and after;
//! - runs `newsgraph export quotes --format csv` to a file and samples its
//!   anonymous RSS the same way.
//!
//! One markdown row per size, under a line naming the machine.

#[path = "../tests/support/mod.rs"]
mod support;
use support::machine::{load, machine};

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_newsgraph");

/// A `kB` line of `/proc/<pid>/status`, in MiB (NaN once the process is gone).
fn status_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Samples `pid`'s anonymous RSS every 20 ms until `done`; the highest, in MiB.
fn sample_peak(pid: u32, done: Arc<AtomicBool>) -> std::thread::JoinHandle<f64> {
    std::thread::spawn(move || {
        let mut peak = 0.0f64;
        while !done.load(Ordering::Relaxed) {
            let now = status_mib(pid, "RssAnon:");
            if now.is_finite() {
                peak = peak.max(now);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        peak
    })
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sizes: Vec<usize> = args
        .iter()
        .position(|a| a == "--sizes")
        .and_then(|i| args.get(i + 1))
        .map_or("34000,340000", String::as_str)
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    println!("machine: {}", machine());
    println!();
    println!(
        "| articles | rows exported | HTTP MiB/s | server anon RSS before | peak while streaming | after | CLI peak anon RSS | CLI s |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    for size in sizes {
        let dir = data.join(format!("embedded-{size}"));
        let marker = data.join(format!("embedded-{size}.done"));
        if !marker.exists() {
            let started = Instant::now();
            let output = Command::new(BIN)
                .args(["generate", "--articles", &size.to_string(), "--seed", "1", "--data-dir"])
                .arg(&dir)
                .output()
                .expect("running generate");
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            eprintln!("{} ({:.0?})", String::from_utf8_lossy(&output.stdout).trim(), started.elapsed());
            std::fs::write(&marker, "generated with seed 1\n").unwrap();
        }

        let mut child = Command::new(BIN)
            .args(["serve", "--bind", "127.0.0.1:0", "--no-seed", "--log-format", "text", "--data-dir"])
            .arg(&dir)
            .env("RUST_LOG", "warn,newsgraph::startup=info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting the server");
        let address = support::serving_address(&mut child);
        let server = Server(child);
        let pid = server.0.id();
        let (rows, bytes, seconds, before, peak, after) = runtime.block_on(async {
            // One small request first, so "before" is a server that has served.
            let client = reqwest::Client::new();
            client.get(format!("http://{address}/healthz")).send().await.unwrap();
            let before = status_mib(pid, "RssAnon:");
            let done = Arc::new(AtomicBool::new(false));
            let sampler = sample_peak(pid, done.clone());
            let started = Instant::now();
            let mut response = client.get(format!("http://{address}/export/quotes.csv")).send().await.unwrap();
            assert_eq!(response.status(), 200);
            let (mut rows, mut bytes) = (0u64, 0u64);
            let mut previous = 0u8;
            while let Some(chunk) = response.chunk().await.expect("the export streams to its end") {
                bytes += chunk.len() as u64;
                for &b in chunk.iter() {
                    if previous == b'\r' && b == b'\n' {
                        rows += 1;
                    }
                    previous = b;
                }
            }
            let seconds = started.elapsed().as_secs_f64();
            done.store(true, Ordering::Relaxed);
            let peak = sampler.join().unwrap();
            let after = status_mib(pid, "RssAnon:");
            // The header row is not a data row.
            (rows - 1, bytes, seconds, before, peak, after)
        });
        drop(server);

        let out = dir.with_extension("export.csv");
        let started = Instant::now();
        let cli = Command::new(BIN)
            .args(["export", "quotes", "--format", "csv", "--data-dir"])
            .arg(&dir)
            .arg("--out")
            .arg(&out)
            .stderr(Stdio::inherit())
            .spawn()
            .expect("running export");
        let done = Arc::new(AtomicBool::new(false));
        let sampler = sample_peak(cli.id(), done.clone());
        let status = cli.wait_with_output().expect("export").status;
        let cli_seconds = started.elapsed().as_secs_f64();
        done.store(true, Ordering::Relaxed);
        let cli_peak = sampler.join().unwrap();
        assert!(status.success(), "newsgraph export failed");
        let _ = std::fs::remove_file(&out);

        println!(
            "| {size} | {rows} | {:.1} | {before:.1} | {peak:.1} | {after:.1} | {cli_peak:.1} | {cli_seconds:.1} |",
            bytes as f64 / 1024.0 / 1024.0 / seconds
        );
    }
    println!();
    println!("load average at the end: {}", load());
}

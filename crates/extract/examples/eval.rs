//! Scores the extractor on a directory of `NN.txt` + `NN.gold.json` pairs and prints
//! a table of metrics (per file and micro-averaged over all files). The same table
//! is what `newsgraph eval DIR` prints.
//!
//! Usage: `cargo run --release -p newsgraph-extract --example eval -- DIR [--verbose] [--json]`

use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "--verbose");
    let json = args.iter().any(|a| a == "--json");
    let Some(dir) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: eval DIR [--verbose] [--json]");
        std::process::exit(2);
    };
    match newsgraph_extract::eval::evaluate_dir(Path::new(dir)) {
        Ok(report) => {
            print!("{}", report.table(verbose));
            if json {
                println!("{}", serde_json::to_string_pretty(&report.total).unwrap_or_default());
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}

//! Prints the extraction of one text file as JSON (for inspection).
//!
//! Usage: `cargo run --example dump -- FILE`

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump FILE");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).unwrap_or_default();
    match newsgraph_extract::extract_bytes(&bytes) {
        Ok(x) => println!("{}", serde_json::to_string_pretty(&x).unwrap_or_default()),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

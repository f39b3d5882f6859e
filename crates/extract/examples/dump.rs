//! Prints the extraction of one text file as JSON (for inspection). With `--frames`,
//! prints instead each statement candidate the quote stage found, with the text of its
//! attribution frames, before attribution (for debugging rules).
//!
//! Usage: `cargo run --example dump -- [--frames] FILE`

use newsgraph_extract::{KnownNames, Pipeline, segment};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let frames = args.iter().any(|a| a == "--frames");
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: dump [--frames] FILE");
        std::process::exit(2);
    };
    let bytes = std::fs::read(path).unwrap_or_default();
    if frames {
        print_frames(&String::from_utf8_lossy(&bytes));
        return;
    }
    match newsgraph_extract::extract_bytes(&bytes) {
        Ok(x) => println!("{}", serde_json::to_string_pretty(&x).unwrap_or_default()),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

/// The quote stage's candidates: pieces, frames and flags, one per line.
fn print_frames(text: &str) {
    let pipeline = Pipeline::default();
    let split = segment::split_headline(text);
    let doc = segment::segment(split.body);
    let head = split.headline.as_ref().map(|h| segment::segment(h.clone()));
    let ents = pipeline.entities.recognize_with(&doc, head.as_ref(), &KnownNames::default());
    for c in pipeline.quotes.find(&doc, &ents) {
        let pieces: Vec<&str> = c.pieces.iter().filter_map(|p| doc.body.get(p.clone())).collect();
        let frames: Vec<&str> = c.frames.iter().map(|f| doc.span_text(f.clone())).collect();
        println!(
            "{} para {} inherit {}: {:?}\n    frames {:?}",
            if c.direct { "direct  " } else { "reported" },
            c.para,
            c.inherit,
            pieces,
            frames
        );
    }
}

//! Scores newsgraph's page reading (`newsgraph::ingest::page::read_page`) on a
//! directory of real article pages with hand-made ground truth, in the layout of
//! the article-extraction benchmark (github.com/scrapinghub/article-extraction-benchmark):
//! `DIR/html/<id>.html` (gunzipped) and `DIR/ground-truth.json` mapping each id to
//! `{"articleBody": ...}`. The pages are not part of this repository.
//!
//! The score is the benchmark's own: per page, precision and recall over
//! shingles of 4 word tokens (`\w+`), normalized so that long pages weigh no
//! more than short ones, averaged over pages, and F1 of the two averages.
//! Pages refused as not articles count as empty extractions, and are listed.
//!
//! ```sh
//! cargo run --release --example page_extraction -- DIR
//! ```

use newsgraph::ingest::page::{PageError, read_page};
use std::collections::HashMap;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or("usage: page_extraction DIR")?);
    let truth: HashMap<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ground-truth.json"))?)?;
    let mut ids: Vec<&String> = truth.keys().collect();
    ids.sort();
    let (mut precisions, mut recalls) = (Vec::new(), Vec::new());
    let mut refused = Vec::new();
    let mut exact = 0usize;
    let started = std::time::Instant::now();
    for id in &ids {
        let html = std::fs::read(dir.join("html").join(format!("{id}.html")))?;
        let predicted = match read_page(&html, None, None) {
            Ok(article) => article.text,
            Err(error @ (PageError::NotAnArticle(_) | PageError::Binary)) => {
                refused.push(format!("{id}: {error}"));
                String::new()
            }
        };
        let expected = truth[*id]["articleBody"].as_str().unwrap_or("");
        let (tp, fp, fn_) = shingle_matches(expected, &predicted);
        if tp + fp > 0.0 {
            precisions.push(if fp == 0.0 && fn_ == 0.0 { 1.0 } else { tp / (tp + fp) });
        }
        if tp + fn_ > 0.0 {
            recalls.push(if fp == 0.0 && fn_ == 0.0 { 1.0 } else { tp / (tp + fn_) });
        }
        exact += usize::from(tokens(expected) == tokens(&predicted));
    }
    let seconds = started.elapsed().as_secs_f64();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (precision, recall) = (mean(&precisions), mean(&recalls));
    let f1 = 2.0 * precision * recall / (precision + recall);
    println!(
        "pages {}  F1 {f1:.3}  precision {precision:.3}  recall {recall:.3}  exact {:.3}",
        ids.len(),
        exact as f64 / ids.len() as f64
    );
    println!("refused as not articles: {} of {}", refused.len(), ids.len());
    for line in &refused {
        println!("  {line}");
    }
    println!("{:.1} ms per page", seconds * 1000.0 / ids.len().max(1) as f64);
    Ok(())
}

/// Word tokens as Python's `\w+` finds them.
fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|t| !t.is_empty()).collect()
}

/// True positives, false positives and false negatives over 4-token shingles, normalized to sum to 1.
fn shingle_matches(expected: &str, predicted: &str) -> (f64, f64, f64) {
    fn count(text: &str) -> HashMap<Vec<&str>, f64> {
        let words = tokens(text);
        let mut shingles: HashMap<Vec<&str>, f64> = HashMap::new();
        for start in 0..words.len().saturating_sub(3).max(1) {
            let shingle: Vec<&str> = words.iter().skip(start).take(4).copied().collect();
            if !shingle.is_empty() {
                *shingles.entry(shingle).or_default() += 1.0;
            }
        }
        shingles
    }
    let (truth, guess) = (count(expected), count(predicted));
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for key in truth.keys().chain(guess.keys().filter(|k| !truth.contains_key(*k))) {
        let (t, p) = (truth.get(key).copied().unwrap_or(0.0), guess.get(key).copied().unwrap_or(0.0));
        tp += f64::min(t, p);
        fp += f64::max(0.0, p - t);
        fn_ += f64::max(0.0, t - p);
    }
    let sum = tp + fp + fn_;
    if sum > 0.0 { (tp / sum, fp / sum, fn_ / sum) } else { (0.0, 0.0, 0.0) }
}
